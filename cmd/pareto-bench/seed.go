package main

import "context"
import "fmt"
import "math"
import "math/rand/v2"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/importer"
import "pareto/internal/kpi"
import "pareto/internal/scoring"

// benchPassword is every seeded person's password.
const benchPassword = "bench-load-Pareto-2026"

// benchCriteria are the big tenant's six active criteria, most important
// first.
var benchCriteria = []string{"product_fit", "revenue_potential", "existing_relationships", "solvency", "buying_process",
	"customer_tenure"}

// person is a seeded user who can sign in.
type person struct {
	email string
	scope db.Scope
	role  auth.Role
}

// data is what the load scenarios need to know about the seeded set.
type data struct {
	criteria     int
	criterionIDs []uuid.UUID
	big          uuid.UUID
	admin        person // big tenant
	leader       person
	kams         []person
	// bigAccounts are the big tenant's accounts (all of them, by name).
	bigAccounts []uuid.UUID
	// small are the small tenants' admins with their accounts.
	small []smallTenant
	// logins are the emails that get a session before the load.
	logins []string
	// loginPool are the emails the login scenario cycles through.
	loginPool []string
}

type smallTenant struct {
	admin    person
	accounts []uuid.UUID
}

// timing is one timed operation of the seed.
type timing struct {
	name string
	took time.Duration
	note string
}

// accountsCSV is an import file of n accounts named prefix-i.
func accountsCSV(prefix string, n int, rng *rand.Rand) []byte {
	var sb strings.Builder
	sb.WriteString("name,external_ref,industry,region,country,segment,status,customer_since,annual_revenue,revenue_potential,notes\n")
	industries := []string{"Chemicals", "Retail", "Energy", "Logistics", "Software", "Pharma", "Automotive", "Food"}
	regions := []string{"EMEA", "APAC", "AMER"}
	countries := []string{"DE", "FR", "US", "JP", "GB", "BR", "IN", "NL"}
	segments := []string{"Enterprise", "Mid-market", "SMB"}
	statuses := []string{"customer", "customer", "customer", "prospect", "former"}
	for i := range n {
		rev := 10_000 + rng.IntN(5_000_000)
		pot := rev + rng.IntN(8_000_000)
		st := statuses[i%len(statuses)]
		since := ""
		if st != "prospect" {
			since = fmt.Sprintf("%d-%02d-01", 2005+rng.IntN(20), 1+rng.IntN(12))
		} else {
			rev = 0
		}
		fmt.Fprintf(&sb, "%s %05d,%s-%06d,%s,%s,%s,%s,%s,%s,%d.00,%d.00,Seeded for the benchmark\n",
			prefix, i, strings.ToUpper(prefix[:3]), i, industries[rng.IntN(len(industries))], regions[i%3],
			countries[rng.IntN(len(countries))], segments[rng.IntN(len(segments))], st, since, rev, pot)
	}
	return []byte(sb.String())
}

// importAccounts runs the account import path (upload, mapping guess,
// commit) and returns how long the commit took.
func importAccounts(ctx context.Context, s *importer.Store, sc db.Scope, file string, csv []byte, want int) (time.Duration, error) {
	id, err := s.Upload(ctx, sc, auth.RoleAdmin, account.Import, file, csv)
	if err != nil {
		return 0, err
	}
	f, err := s.File(ctx, sc, account.Import, id)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	p, err := s.Commit(ctx, sc, auth.RoleAdmin, account.Import, id, account.Import.Guess(f.Header))
	took := time.Since(start)
	if err != nil {
		if p != nil {
			return 0, fmt.Errorf("import %s: %w (%d row errors, %v)", file, err, len(p.Errors), p.Problems)
		}
		return 0, fmt.Errorf("import %s: %w", file, err)
	}
	if p.Creates != want {
		return 0, fmt.Errorf("import %s: %d created, want %d", file, p.Creates, want)
	}
	return took, nil
}

func accountIDs(ctx context.Context, d *db.DB, sc db.Scope) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL ORDER BY sort_name, id`, sc.TenantID)
		var err error
		ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	return ids, err
}

func seed(ctx context.Context, d *db.DB, dbURL string, cfg config) (data, []timing, error) {
	var out data
	var timings []timing
	rng := rand.New(rand.NewPCG(2026, 8))
	authStore := auth.NewStore(d)
	accts := importer.NewStore(d)
	scores := scoring.NewStore(d)
	figures := kpi.NewStore(d)
	seedStart := time.Now()

	signup := func(org, email string) (person, error) {
		m, err := authStore.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin of " + org, Email: email, Password: benchPassword})
		if err != nil {
			return person{}, fmt.Errorf("signup %s: %w", email, err)
		}
		return person{email: email, scope: db.Scope{TenantID: m.TenantID, UserID: m.UserID}, role: auth.RoleAdmin}, nil
	}
	invite := func(admin person, email, name string, role auth.Role) (person, error) {
		token, _, err := authStore.CreateInvite(ctx, admin.scope, email, role)
		if err != nil {
			return person{}, fmt.Errorf("invite %s: %w", email, err)
		}
		m, err := authStore.AcceptInvite(ctx, token, name, benchPassword)
		if err != nil {
			return person{}, fmt.Errorf("accept %s: %w", email, err)
		}
		return person{email: email, scope: db.Scope{TenantID: m.TenantID, UserID: m.UserID}, role: role}, nil
	}

	// The big tenant: an admin, a leader and four key account managers.
	progress("seed: big tenant and its people")
	var err error
	if out.admin, err = signup("Bench Big Co", "admin@big.bench.example.com"); err != nil {
		return out, nil, err
	}
	out.big = out.admin.scope.TenantID
	if out.leader, err = invite(out.admin, "leader@big.bench.example.com", "Lee Leader", auth.RoleLeader); err != nil {
		return out, nil, err
	}
	for i := range 4 {
		k, err := invite(out.admin, fmt.Sprintf("kam%d@big.bench.example.com", i+1), fmt.Sprintf("Kim KAM %d", i+1), auth.RoleKAM)
		if err != nil {
			return out, nil, err
		}
		out.kams = append(out.kams, k)
	}

	progress("seed: importing %d accounts into the big tenant", cfg.bigAccounts)
	took, err := importAccounts(ctx, accts, out.admin.scope, "big.csv", accountsCSV("Bigco", cfg.bigAccounts, rng), cfg.bigAccounts)
	if err != nil {
		return out, nil, err
	}
	timings = append(timings, timing{fmt.Sprintf("import %s accounts (import commit)", thousands(cfg.bigAccounts)), took, "big tenant, empty before"})
	if out.bigAccounts, err = accountIDs(ctx, d, out.admin.scope); err != nil {
		return out, nil, err
	}

	// The other tenants: one holds the separately timed large import, the
	// rest a few accounts each.
	progress("seed: %d other tenants", cfg.tenants-1)
	importer, err := signup("Bench Import Co", "admin@import.bench.example.com")
	if err != nil {
		return out, nil, err
	}
	for i := range cfg.tenants - 2 {
		org := fmt.Sprintf("Bench Small %03d", i+1)
		p, err := signup(org, fmt.Sprintf("admin@small%03d.bench.example.com", i+1))
		if err != nil {
			return out, nil, err
		}
		n := 5 + rng.IntN(20)
		if _, err := importAccounts(ctx, accts, p.scope, "small.csv", accountsCSV(fmt.Sprintf("Small%03d", i+1), n, rng), n); err != nil {
			return out, nil, err
		}
		ids, err := accountIDs(ctx, d, p.scope)
		if err != nil {
			return out, nil, err
		}
		if err := enableCriteria(ctx, scores, p.scope, benchCriteria[:3]); err != nil {
			return out, nil, err
		}
		out.small = append(out.small, smallTenant{admin: p, accounts: ids})
		if (i+1)%20 == 0 {
			progress("seed:   %d/%d tenants", i+3, cfg.tenants)
		}
	}

	progress("seed: importing %d accounts into a second tenant (timed)", cfg.importRows)
	took, err = importAccounts(ctx, accts, importer.scope, "import.csv", accountsCSV("Import", cfg.importRows, rng), cfg.importRows)
	if err != nil {
		return out, nil, err
	}
	timings = append(timings, timing{fmt.Sprintf("import %s accounts (import commit)", thousands(cfg.importRows)), took, "validate + write in one transaction"})

	// Six criteria; cells for every account (about one in twelve
	// incomplete), written in one statement, then the ranking recomputed
	// by the store.
	progress("seed: %d criteria and their scores", len(benchCriteria))
	if err := enableCriteria(ctx, scores, out.admin.scope, benchCriteria); err != nil {
		return out, nil, err
	}
	conf, err := scores.Config(ctx, out.admin.scope)
	if err != nil {
		return out, nil, err
	}
	for _, w := range conf.Weights {
		out.criterionIDs = append(out.criterionIDs, w.CriterionID)
	}
	out.criteria = len(out.criterionIDs)
	for _, st := range out.small {
		if err := seedScores(ctx, d, st.admin.scope); err != nil {
			return out, nil, err
		}
		if err := scores.Rerank(ctx, st.admin.scope); err != nil {
			return out, nil, err
		}
	}
	if err := seedScores(ctx, d, out.admin.scope); err != nil {
		return out, nil, err
	}
	start := time.Now()
	if err := scores.Rerank(ctx, out.admin.scope); err != nil {
		return out, nil, err
	}
	timings = append(timings, timing{fmt.Sprintf("rank %s accounts from scratch (Rerank)", thousands(cfg.bigAccounts)), time.Since(start), "after the bulk load of cells"})

	// Key accounts with their KAMs, a KAM on some others too.
	progress("seed: key accounts, plans and interactions")
	kamIDs := make([]uuid.UUID, len(out.kams))
	for i, k := range out.kams {
		kamIDs[i] = k.scope.UserID
	}
	if err := seedProgramme(ctx, d, out.admin.scope, kamIDs, min(150, len(out.bigAccounts)/10)); err != nil {
		return out, nil, err
	}

	progress("seed: %d months of KPI figures for %d accounts", cfg.months, cfg.kpiAccounts)
	if err := seedFigures(ctx, d, figures, out.admin.scope, cfg, rng); err != nil {
		return out, nil, err
	}

	// Every account's health, warnings and history month, as the daily
	// run keeps them (the 2×2 and the risk list read only these).
	progress("seed: health of %d accounts", cfg.bigAccounts)
	start = time.Now()
	if err := health.NewStore(d).RefreshTenant(ctx, out.admin.scope); err != nil {
		return out, nil, fmt.Errorf("health: %w", err)
	}
	timings = append(timings, timing{fmt.Sprintf("health of %s accounts (RefreshTenant)", thousands(cfg.bigAccounts)), time.Since(start), "score, warnings and this month's history, kept"})

	// A weight change re-ranks the whole tenant in the same transaction;
	// time it and the first shortlist page after it.
	conf, err = scores.Config(ctx, out.admin.scope)
	if err != nil {
		return out, nil, err
	}
	percent := map[uuid.UUID]string{}
	for i, id := range out.criterionIDs {
		percent[id] = []string{"25", "20", "20", "15", "10", "10"}[i]
	}
	start = time.Now()
	if err := scores.SetWeights(ctx, out.admin.scope, scoring.WeightsInput{Mode: scoring.ModeExplicit, Percent: percent,
		CriteriaVersion: conf.Settings.CriteriaVersion}); err != nil {
		return out, nil, fmt.Errorf("weights: %w", err)
	}
	timings = append(timings, timing{fmt.Sprintf("weight change re-rank over %s accounts", thousands(cfg.bigAccounts)), time.Since(start), "SetWeights, explicit 25/20/20/15/10/10"})
	start = time.Now()
	list, err := scores.Shortlist(ctx, out.admin.scope, scoring.Filter{})
	if err != nil {
		return out, nil, err
	}
	timings = append(timings, timing{"shortlist first page after the change", time.Since(start), fmt.Sprintf("store query, %d ranked accounts", list.Total)})
	if list.Total < cfg.bigAccounts*9/10 {
		return out, nil, fmt.Errorf("shortlist ranks %d accounts, want about %d", list.Total, cfg.bigAccounts)
	}

	// Statistics after the bulk load, as autovacuum would soon have them.
	if err := analyze(ctx, dbURL); err != nil {
		return out, nil, err
	}

	out.logins = []string{out.admin.email, out.leader.email}
	for _, k := range out.kams {
		out.logins = append(out.logins, k.email)
	}
	for i, st := range out.small {
		if i < 10 {
			out.logins = append(out.logins, st.admin.email)
		} else {
			out.loginPool = append(out.loginPool, st.admin.email)
		}
	}
	if len(out.loginPool) == 0 {
		out.loginPool = out.logins
	}
	timings = append(timings, timing{"seed in all", time.Since(seedStart), ""})
	progress("seed: done in %v", time.Since(seedStart).Round(time.Millisecond))
	return out, timings, nil
}

// seedProgramme makes every 7th customer (by name) a key account, up to
// keyN, puts a KAM from kamIDs on every third customer, and adds goal
// plans for 300 managed accounts and four interactions per key account.
func seedProgramme(ctx context.Context, d *db.DB, sc db.Scope, kamIDs []uuid.UUID, keyN int) error {
	return d.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `WITH n AS (
				SELECT id, row_number() OVER (ORDER BY lower(name), id) - 1 AS i FROM accounts WHERE tenant_id = $1 AND status = 'customer')
			UPDATE accounts a SET kam_user_id = ($2::uuid[])[1 + n.i % cardinality($2::uuid[])],
				key_status = CASE WHEN n.i % 7 = 0 AND n.i / 7 < $3 THEN 'key' ELSE a.key_status END
			FROM n WHERE a.tenant_id = $1 AND a.id = n.id AND n.i % 3 = 0`, sc.TenantID, kamIDs, keyN); err != nil {
			return fmt.Errorf("key accounts: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO goal_plans (tenant_id, account_id, period, status, why, created_by)
			SELECT tenant_id, id, 'FY2026', CASE WHEN key_status = 'key' THEN 'active' ELSE 'draft' END,
				'Grow share of wallet in the core product lines.', $2
			FROM accounts WHERE tenant_id = $1 AND kam_user_id IS NOT NULL ORDER BY key_status = 'key' DESC, lower(name) LIMIT 300`,
			sc.TenantID, sc.UserID); err != nil {
			return fmt.Errorf("plans: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO interactions (tenant_id, account_id, occurred_on, kind, summary, next_step, next_step_due,
				next_step_owner_id, created_by)
			SELECT a.tenant_id, a.id, current_date - (g * 11 + 3), (ARRAY['meeting', 'call', 'email', 'note'])[1 + g % 4],
				'Quarterly review with procurement; discussed the renewal and a pilot.',
				CASE WHEN g = 0 THEN 'Send the pilot proposal' ELSE '' END,
				CASE WHEN g = 0 THEN current_date + 7 END, CASE WHEN g = 0 THEN a.kam_user_id END, a.kam_user_id
			FROM accounts a CROSS JOIN generate_series(0, 3) g
			WHERE a.tenant_id = $1 AND a.kam_user_id IS NOT NULL AND a.key_status = 'key'`, sc.TenantID); err != nil {
			return fmt.Errorf("interactions: %w", err)
		}
		// Key status and KAMs were written in SQL: count the tallies again.
		return account.Recount(ctx, tx, sc.TenantID)
	})
}

func enableCriteria(ctx context.Context, s *scoring.Store, sc db.Scope, codes []string) error {
	for _, code := range codes {
		if _, err := s.EnableStandard(ctx, sc, code); err != nil {
			return fmt.Errorf("criterion %s: %w", code, err)
		}
	}
	return nil
}

// seedScores writes a cell for every active criterion of every account
// (deterministic scores 1-10; one account in twelve lacks its last two
// cells) in one statement. The caller reranks.
func seedScores(ctx context.Context, d *db.DB, sc db.Scope) error {
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO account_scores (tenant_id, account_id, criterion_id, score, scored_by, scored_at, sort_name)
			SELECT a.tenant_id, a.id, c.id, 1 + abs(hashtextextended(a.name || c.code, 7)) % 10, $2, now() - interval '30 days', a.sort_name
			FROM accounts a CROSS JOIN scoring_criteria c
			WHERE a.tenant_id = $1 AND c.tenant_id = $1 AND c.active
				AND NOT (abs(hashtext(a.name)) % 12 = 0 AND c.position > 4)`, sc.TenantID, sc.UserID)
		return err
	})
	if err != nil {
		return fmt.Errorf("scores: %w", err)
	}
	return nil
}

// seedFigures loads months of figures for the first kpiAccounts customer
// accounts (the key accounts among them) through the KPI store's bulk
// load.
func seedFigures(ctx context.Context, d *db.DB, s *kpi.Store, sc db.Scope, cfg config, rng *rand.Rand) error {
	type acct struct {
		id  uuid.UUID
		key bool
		rev float64
	}
	as, err := db.Read(ctx, d, sc, "figures' accounts", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]acct, error) {
		return db.Rows(ctx, tx, func(a *acct) []any { return []any{&a.id, &a.key, &a.rev} },
			`SELECT id, key_status = 'key', annual_revenue::float8 FROM accounts
			WHERE tenant_id = $1 AND status = 'customer' ORDER BY key_status = 'key' DESC, lower(name) LIMIT $2`, tenantID, cfg.kpiAccounts)
	})
	if err != nil {
		return err
	}
	last := kpi.AddMonths(kpi.MonthOf(time.Now()), -1)
	first := kpi.AddMonths(last, 1-cfg.months)
	figs := make([]kpi.Figure, 0, len(as)*cfg.months)
	for _, a := range as {
		level := math.Max(a.rev/12, 1000)
		trend := (rng.Float64()*0.4 - 0.1) / 12
		csat, nps, adoption := 3.5+rng.Float64(), 10+rng.IntN(40), 30+rng.Float64()*40
		for m := range cfg.months {
			level *= 1 + trend
			f := kpi.Figure{AccountID: a.id, Month: kpi.AddMonths(first, m), Revenue: math.Round(level*(0.9+rng.Float64()*0.2)*100) / 100}
			if a.key {
				c := math.Round(math.Max(1, math.Min(5, csat+rng.Float64()*0.4-0.2))*100) / 100
				n := max(-50, min(80, nps+rng.IntN(9)-4))
				ad := math.Round(math.Min(98, adoption+float64(m))*10) / 10
				f.CSAT, f.NPS, f.AdoptionPct = &c, &n, &ad
				if m%4 == 0 {
					up := math.Round(f.Revenue*0.1*100) / 100
					cs := 1
					f.UpsellRevenue, f.CrossSellCount = &up, &cs
				}
			}
			figs = append(figs, f)
		}
	}
	return s.LoadFigures(ctx, sc, figs, "bench seed")
}

// analyze refreshes the planner statistics as the owner.
func analyze(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "VACUUM ANALYZE")
	return err
}

// thousands formats n with a comma every three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
