package main

import "context"
import "errors"
import "fmt"
import "math/rand/v2"
import "os"
import "path/filepath"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/scoring"

// scaleTenant is one tenant of `make bench-scale`: size accounts, seeded
// like the big tenant of `make bench`.
type scaleTenant struct {
	size         int
	tenant       uuid.UUID
	adminEmail   string
	criterionIDs []uuid.UUID
	// accounts are the first accounts by name (score saves rotate over
	// them); keyAccount is the first key account (the account page).
	accounts   []uuid.UUID
	keyAccount uuid.UUID
}

func scaleDomain(size int) string { return fmt.Sprintf("scale%d.bench.example.com", size) }

// scaleMarker is the file that says size's tenant was seeded completely.
func scaleMarker(dataDir string, size int) string {
	return filepath.Join(dataDir, fmt.Sprintf("seeded-%d", size))
}

// ensureScaleTenant reuses the tenant of size accounts when an earlier
// run seeded it completely, and seeds it otherwise (dropping a partial
// one first). ownerURL connects as the owner (outside row-level
// security), for the look-up and the clean-up only.
func ensureScaleTenant(ctx context.Context, d *db.DB, ownerURL, dataDir string, size int) (scaleTenant, bool, error) {
	st := scaleTenant{size: size, adminEmail: "admin@" + scaleDomain(size)}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return st, false, err
	}
	defer conn.Close(ctx)
	var userID uuid.UUID
	err = conn.QueryRow(ctx, `SELECT m.tenant_id, u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = $1`,
		st.adminEmail).Scan(&st.tenant, &userID)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return st, false, err
	}
	if _, statErr := os.Stat(scaleMarker(dataDir, size)); found && statErr == nil {
		err := loadScaleTenant(ctx, d, &st, db.Scope{TenantID: st.tenant, UserID: userID})
		return st, true, err
	}
	if found {
		progress("scale %d: removing a partly seeded tenant", size)
		if _, err := conn.Exec(ctx, "DELETE FROM tenants WHERE id = $1", st.tenant); err != nil {
			return st, false, err
		}
	}
	if _, err := conn.Exec(ctx, "DELETE FROM users WHERE email LIKE $1", "%@"+scaleDomain(size)); err != nil {
		return st, false, err
	}
	start := time.Now()
	sc, err := seedScaleTenant(ctx, d, ownerURL, size)
	if err != nil {
		return st, false, fmt.Errorf("seed %d accounts: %w", size, err)
	}
	st.tenant = sc.TenantID
	if err := analyze(ctx, ownerURL); err != nil {
		return st, false, err
	}
	if err := loadScaleTenant(ctx, d, &st, sc); err != nil {
		return st, false, err
	}
	progress("scale %d: seeded in %v", size, time.Since(start).Round(time.Second))
	return st, false, os.WriteFile(scaleMarker(dataDir, size), []byte(st.tenant.String()+"\n"), 0o644)
}

// loadScaleTenant reads what the measurements need.
func loadScaleTenant(ctx context.Context, d *db.DB, st *scaleTenant, sc db.Scope) error {
	return d.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id FROM scoring_criteria WHERE tenant_id = $1 AND active ORDER BY position`, sc.TenantID)
		var err error
		if st.criterionIDs, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT id FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL
			ORDER BY sort_name, id LIMIT 1000`, sc.TenantID)
		if st.accounts, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT id FROM accounts WHERE tenant_id = $1 AND key_status = 'key' AND archived_at IS NULL
			ORDER BY sort_name, id LIMIT 1`, sc.TenantID).Scan(&st.keyAccount)
	})
}

// seedScaleTenant seeds a tenant like the big tenant of `make bench`
// (an admin, a leader, four KAMs; six criteria with cells for every
// account; key accounts, KAMs, plans, interactions; 24 months of KPI
// figures for one account in ten, at most 20,000) with size accounts and
// one audit event per account, as an import writes. Accounts, cells and
// audit events are written set-based in SQL (a 200,000-row import through
// the upload path takes minutes); everything derived from them goes
// through the stores.
func seedScaleTenant(ctx context.Context, d *db.DB, ownerURL string, size int) (db.Scope, error) {
	authStore := auth.NewStore(d)
	scores := scoring.NewStore(d)
	domain := scaleDomain(size)
	org := fmt.Sprintf("Scale %d Co", size)
	m, err := authStore.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin of " + org, Email: "admin@" + domain, Password: benchPassword})
	if err != nil {
		return db.Scope{}, fmt.Errorf("signup: %w", err)
	}
	admin := person{email: "admin@" + domain, scope: db.Scope{TenantID: m.TenantID, UserID: m.UserID}, role: auth.RoleAdmin}
	invite := func(email, name string, role auth.Role) (uuid.UUID, error) {
		token, _, err := authStore.CreateInvite(ctx, admin.scope, email, role)
		if err != nil {
			return uuid.Nil, fmt.Errorf("invite %s: %w", email, err)
		}
		m, err := authStore.AcceptInvite(ctx, token, name, benchPassword)
		return m.UserID, err
	}
	if _, err := invite("leader@"+domain, "Lee Leader", auth.RoleLeader); err != nil {
		return db.Scope{}, err
	}
	var kamIDs []uuid.UUID
	for i := range 4 {
		id, err := invite(fmt.Sprintf("kam%d@%s", i+1, domain), fmt.Sprintf("Kim KAM %d", i+1), auth.RoleKAM)
		if err != nil {
			return db.Scope{}, err
		}
		kamIDs = append(kamIDs, id)
	}
	progress("scale %d: accounts and their audit events", size)
	if err := seedScaleAccounts(ctx, d, admin.scope, size); err != nil {
		return db.Scope{}, err
	}
	progress("scale %d: criteria, cells and the ranking", size)
	if err := enableCriteria(ctx, scores, admin.scope, benchCriteria); err != nil {
		return db.Scope{}, err
	}
	if err := seedScores(ctx, d, admin.scope); err != nil {
		return db.Scope{}, err
	}
	// Planner statistics for the bulk-loaded rows before the re-rank reads
	// them (stale ones made it take minutes).
	if err := analyze(ctx, ownerURL); err != nil {
		return db.Scope{}, err
	}
	if err := scores.Rerank(ctx, admin.scope); err != nil {
		return db.Scope{}, err
	}
	progress("scale %d: key accounts, plans, interactions", size)
	if err := seedProgramme(ctx, d, admin.scope, kamIDs, min(150, size/10)); err != nil {
		return db.Scope{}, err
	}
	kpiAccounts := min(20_000, max(size/10, 1))
	progress("scale %d: 24 months of KPI figures for %d accounts", size, kpiAccounts)
	rng := rand.New(rand.NewPCG(uint64(size), 19))
	if err := seedFigures(ctx, d, kpi.NewStore(d), admin.scope, config{kpiAccounts: kpiAccounts, months: 24}, rng); err != nil {
		return db.Scope{}, err
	}
	return admin.scope, nil
}

// seedScaleAccounts writes size accounts (deterministic attributes, the
// same mix as accountsCSV) and one "create" audit event per account.
func seedScaleAccounts(ctx context.Context, d *db.DB, sc db.Scope, size int) error {
	return d.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO accounts (tenant_id, name, external_ref, industry, region, country, segment,
				status, customer_since, annual_revenue, revenue_potential, notes)
			SELECT $1, 'Scale ' || lpad(i::text, 6, '0'), 'SC-' || lpad(i::text, 6, '0'),
				(ARRAY['Chemicals', 'Retail', 'Energy', 'Logistics', 'Software', 'Pharma', 'Automotive', 'Food'])[1 + h1 % 8],
				(ARRAY['EMEA', 'APAC', 'AMER'])[1 + i % 3],
				(ARRAY['DE', 'FR', 'US', 'JP', 'GB', 'BR', 'IN', 'NL'])[1 + h2 % 8],
				(ARRAY['Enterprise', 'Mid-market', 'SMB'])[1 + h3 % 3],
				(ARRAY['customer', 'customer', 'customer', 'prospect', 'former'])[1 + i % 5],
				CASE WHEN i % 5 = 3 THEN NULL ELSE make_date(2005 + h1 % 20, 1 + h2 % 12, 1) END,
				rev, rev + h3 % 8000000, 'Seeded for the scale benchmark'
			FROM generate_series(0, $2 - 1) i,
				LATERAL (SELECT abs(hashint4(i)) AS h1, abs(hashint4(i + 1000003)) AS h2, abs(hashint4(i + 2000003)) AS h3) h,
				LATERAL (SELECT CASE WHEN i % 5 = 3 THEN 0 ELSE 10000 + h2 % 5000000 END AS rev) r`,
			sc.TenantID, size); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_events (tenant_id, actor_id, action, entity, entity_id, after)
			SELECT tenant_id, $2, 'create', 'account', id::text, jsonb_build_object('name', name, 'source', 'bench-scale seed')
			FROM accounts WHERE tenant_id = $1 ORDER BY lower(name)`, sc.TenantID, sc.UserID); err != nil {
			return fmt.Errorf("audit events: %w", err)
		}
		return nil
	})
}

// parseSizes reads SIZES ("2000,20000,200000").
func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 10 {
			return nil, fmt.Errorf("sizes: %q is not a number of accounts ≥ 10", f)
		}
		out = append(out, n)
	}
	return out, nil
}
