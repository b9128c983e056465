package health

import "context"
import "slices"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// The 2×2: attractiveness (the selection score) against relationship
// health, with the tenant's lines splitting it into four quadrants, each
// named after its usual action.

// Quadrant is where an account stands in the 2×2.
//
//	Repair     "repair"     "Repair"     // attractive, unhealthy: fix the relationship
//		"Attractive but the relationship is weak: repair it first."
//	Invest     "invest"     "Invest"     // attractive and healthy: grow it
//		"Attractive and healthy: invest to grow."
//	Reconsider "reconsider" "Reconsider" // less attractive, unhealthy: rethink the investment
//		"Less attractive and unhealthy: reconsider the key status."
//	Maintain   "maintain"   "Maintain"   // less attractive, healthy: serve efficiently
//		"Healthy but less attractive: maintain at a lower cost to serve."
//
//enumgen:values Quadrants
//enumgen:text Explain says what the quadrant means.
type Quadrant string

// QuadrantOf places a selection score (tenths) and a health score: on a
// line counts as above it.
func QuadrantOf(score10, health int, st Settings) Quadrant {
	attractive, healthy := score10 >= st.MatrixScore10, health >= st.MatrixHealth
	switch {
	case attractive && healthy:
		return Invest
	case attractive:
		return Repair
	case healthy:
		return Maintain
	}
	return Reconsider
}

// MatrixPoint is one account of the 2×2.
type MatrixPoint struct {
	AccountID uuid.UUID
	Name      string
	KeyStatus string
	KAMName   string
	// Score10 is the selection score in tenths (nil: not scored);
	// Complete whether every active criterion is scored.
	Score10  *int
	Complete bool
	Health   *int // nil: no health yet (or every input missing)
	Quadrant Quadrant
}

// Placed reports whether the point has both scores.
func (p MatrixPoint) Placed() bool { return p.Score10 != nil && p.Health != nil }

// MatrixFilter chooses the 2×2's accounts.
type MatrixFilter struct {
	KAMID      uuid.UUID // uuid.Nil: every KAM's
	Candidates bool      // also the best-ranked candidates
}

// MaxCandidates is how many candidates the 2×2 adds on request: the
// best-ranked ones.
const MaxCandidates = 100

// MaxKeyPoints bounds the key accounts read (the tenant's key-account
// cap keeps them far fewer).
const MaxKeyPoints = 2000

// Matrix is the 2×2's accounts and lines.
type Matrix struct {
	Points   []MatrixPoint // key accounts first (by name), then candidates by rank
	Settings Settings
	Filter   MatrixFilter
}

// Matrix reads the 2×2: every key account (of f.KAMID) with its kept
// selection score and kept health, and with f.Candidates the
// best-ranked candidates. Key accounts are bounded by the tenant's cap,
// candidates by MaxCandidates: the cost does not grow with the portfolio.
// Anybody signed in may read it.
func (s *Store) Matrix(ctx context.Context, sc db.Scope, f MatrixFilter) (Matrix, error) {
	// One round trip: the settings' scan runs first, so the points'
	// quadrants see them.
	return db.ReadQueued(ctx, s.DB, sc, matrixWhat, func(r *db.Reads) *Matrix { return queueMatrix(r, sc, f) })
}

const matrixWhat = "health: matrix"

// MatrixLater is Matrix queued ahead (db.Prefetch) to go with the
// request's next batch (the shortlist's page reads); the function it
// returns gives the 2×2 then, reading it on its own if it did not go.
// The 2×2 of the whole tenant (no KAM's filter) is the same for every
// reader until a write: kept in memory under the tenant's data version
// (db.Kept). A KAM's own 2×2 is not kept (nothing of one person is).
func (s *Store) MatrixLater(ctx context.Context, sc db.Scope, f MatrixFilter) func(context.Context) (Matrix, error) {
	return db.Later(ctx, s.DB, sc, matrixWhat, func(r *db.Reads) *Matrix {
		if f.KAMID != uuid.Nil {
			return queueMatrix(r, sc, f)
		}
		return db.Kept(ctx, s.DB, sc, r, matrixPart(f), func(r *db.Reads) *Matrix { return queueMatrix(r, sc, f) })
	})
}

// matrixPart names the tenant's 2×2 (with or without candidates) for
// db.Kept.
func matrixPart(f MatrixFilter) string {
	return "health.matrix candidates=" + strconv.FormatBool(f.Candidates)
}

// queueMatrix queues the 2×2's reads in r: its settings first (their scan
// runs first, so the points' quadrants see them), then the points.
func queueMatrix(r *db.Reads, sc db.Scope, f MatrixFilter) *Matrix {
	out := &Matrix{Filter: f}
	st := QueueSettings(r, sc.TenantID)
	// The KAM condition only when filtering, the limits written
	// out: "$2 IS NULL OR …" and LIMIT $3 made PostgreSQL plan the
	// statement again on every execution. It names the tenant as a
	// literal (db.TenantLiteral): planned once per connection (forcing
	// the generic plan fails on Citus, which needs the tenant's value to
	// route the join).
	//
	// The points come from the ranking rows alone: a ranking row keeps
	// the account's name, key status, KAM, score, completeness and kept
	// health (migration 00032), so the key accounts are one scan of
	// account_rankings_key_points_idx in name order instead of two index
	// probes per account. Key accounts without a ranking row (never
	// scored) come from the second branch, which runs only when the kept
	// tally says there are some (key accounts > ranked ones).
	tenant, kam, rkam, args := db.TenantLiteral(sc.TenantID), "", "", []any{}
	if f.KAMID != uuid.Nil {
		kam, rkam, args = " AND a.kam_user_id = $1", " AND r.kam_user_id = $1", append(args, f.KAMID)
	}
	r.Query(func(rows pgx.Rows) (err error) {
		out.Settings = *st
		out.Points, err = collectPoints(rows, *st)
		out.Points = slices.Clip(out.Points)
		return err
	}, `SELECT id, name, key_status, kam, score10, complete, health FROM (
			SELECT r.account_id AS id, r.name, r.key_status, coalesce(u.name, '') AS kam, r.score10, r.complete, r.health,
				r.sort_name
			FROM account_rankings r
			LEFT JOIN users u ON u.id = r.kam_user_id
			WHERE r.tenant_id = `+tenant+` AND r.key_status = 'key' AND NOT r.archived`+rkam+`
			UNION ALL
			SELECT a.id, a.name, a.key_status, coalesce(u.name, ''), NULL, false, h.score, a.sort_name COLLATE "C"
			FROM accounts a
			LEFT JOIN users u ON u.id = a.kam_user_id
			LEFT JOIN account_health h ON h.tenant_id = a.tenant_id AND h.account_id = a.id
			WHERE a.tenant_id = `+tenant+` AND a.key_status = 'key' AND a.archived_at IS NULL`+kam+`
				AND EXISTS (SELECT FROM account_tallies t WHERE t.tenant_id = `+tenant+`
					AND t.dim = 'key_status' AND t.value = 'key' AND t.accounts > t.ranked)
				AND NOT EXISTS (SELECT FROM account_rankings n WHERE n.tenant_id = a.tenant_id AND n.account_id = a.id)
		) p ORDER BY sort_name, id LIMIT `+strconv.Itoa(MaxKeyPoints), args...)
	if f.Candidates {
		// In rank order (rank_key1, rank_key2: complete first, then
		// score, then headroom, both descending): account_rankings_key_status_idx.
		r.Query(func(rows pgx.Rows) error {
			cands, err := collectPoints(rows, *st)
			out.Points = slices.Clip(append(out.Points, cands...))
			return err
		}, `SELECT r.account_id, r.name, r.key_status, coalesce(u.name, ''), r.score10, r.complete, r.health
			FROM account_rankings r
			LEFT JOIN users u ON u.id = r.kam_user_id
			WHERE r.tenant_id = `+tenant+` AND NOT r.archived AND r.key_status = 'candidate'`+rkam+`
			ORDER BY r.rank_key1, r.rank_key2, r.sort_name, r.account_id LIMIT `+strconv.Itoa(MaxCandidates), args...)
	}
	return out
}

// collectPoints reads the 2×2's points. One point and one list of scan
// targets serve every row: pgx.CollectRows with a scan function allocated
// both anew for each row.
func collectPoints(rows pgx.Rows, st Settings) ([]MatrixPoint, error) {
	defer rows.Close()
	var out []MatrixPoint
	var p MatrixPoint
	var s10, h *int16
	dest := []any{&p.AccountID, &p.Name, &p.KeyStatus, &p.KAMName, &s10, &p.Complete, &h}
	for rows.Next() {
		p, s10, h = MatrixPoint{}, nil, nil
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if s10 != nil {
			v := int(*s10)
			p.Score10 = &v
		}
		if h != nil {
			v := int(*h)
			p.Health = &v
		}
		if p.Placed() {
			p.Quadrant = QuadrantOf(*p.Score10, *p.Health, st)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// RevenueAtRisk is the part of the key accounts' revenue held by key
// accounts whose kept health is below the tenant's threshold.
type RevenueAtRisk struct {
	Threshold    int
	KeyRevenue   float64 // every key account's revenue
	AtRisk       float64 // of those below the threshold
	Accounts     int     // key accounts below the threshold
	KeyAccounts  int
	WithoutScore int // key accounts without a health score (not counted at risk)
	AsOf         time.Time
}

// Share is AtRisk ÷ KeyRevenue (ok false without key revenue).
func (r RevenueAtRisk) Share() (float64, bool) {
	if r.KeyRevenue <= 0 {
		return 0, false
	}
	return r.AtRisk / r.KeyRevenue, true
}

// RevenueAtRisk reads the key accounts' revenue (the one revenue of an
// account, accounts.revenue_cents: see internal/account/revenue.go) and
// the part of it held by key accounts whose kept health is below the
// tenant's threshold. Bounded by the key accounts (the tenant's cap).
// Anybody signed in may read it.
func (s *Store) RevenueAtRisk(ctx context.Context, sc db.Scope) (RevenueAtRisk, error) {
	return db.Read(ctx, s.DB, sc, "health: revenue at risk", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (RevenueAtRisk, error) {
		st, err := SettingsTx(ctx, tx, tenantID)
		if err != nil {
			return RevenueAtRisk{}, err
		}
		out := RevenueAtRisk{Threshold: st.RiskHealth}
		var key, risk int64
		err = tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(a.revenue_cents), 0)::bigint,
				count(*) FILTER (WHERE h.score < $2), coalesce(sum(a.revenue_cents) FILTER (WHERE h.score < $2), 0)::bigint,
				count(*) FILTER (WHERE h.score IS NULL)
			FROM accounts a LEFT JOIN account_health h ON h.tenant_id = a.tenant_id AND h.account_id = a.id
			WHERE a.tenant_id = $1 AND a.key_status = 'key' AND a.archived_at IS NULL`, tenantID, st.RiskHealth).
			Scan(&out.KeyAccounts, &key, &out.Accounts, &risk, &out.WithoutScore)
		out.KeyRevenue, out.AtRisk = float64(key)/100, float64(risk)/100
		return out, err
	})
}
