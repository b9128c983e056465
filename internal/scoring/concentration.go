package scoring

import "context"
import "fmt"
import "slices"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"

// Concentration is how revenue is spread over the active accounts. Every
// amount is the one revenue of account/revenue.go (recorded KPI revenue
// over the last 12 complete months, else annual revenue as entered).
type Concentration struct {
	Total        int64 // all active accounts' revenue, cents
	Accounts     int
	KeyRevenue   int64
	KeyCount     int
	TopN         int
	TopNRevenue  int64
	ThresholdBPS int
	// Over lists the accounts above the threshold share, largest first.
	Over    []AccountShare
	Largest AccountShare
	// FromFigures is how many of the accounts' revenue is recorded KPI
	// revenue (the rest is annual revenue as entered); Through is the
	// last month of the revenue window (zero before any figure).
	FromFigures int
	Through     time.Time
	// Stale says the month has moved on since the revenue was kept: the
	// figures are still those of the window to Through until
	// account.Store.RefreshRevenue runs (the server starts it).
	Stale bool
}

// KeyShareBPS is the key accounts' share of total revenue.
func (c Concentration) KeyShareBPS() int { return ShareBPS(c.KeyRevenue, c.Total) }

// TopNShareBPS is the N largest accounts' share of total revenue.
func (c Concentration) TopNShareBPS() int { return ShareBPS(c.TopNRevenue, c.Total) }

// AccountShare is one account's share of total revenue.
type AccountShare struct {
	AccountID   uuid.UUID
	Name        string
	Revenue     int64
	FromFigures bool
	ShareBPS    int
	KeyStatus   string
}

// Concentration measures revenue concentration over the tenant's active
// accounts: key accounts' share, the top N's share, and every account
// above the threshold share. Leaders and admins read it (the caller
// checks).
func (s *Store) Concentration(ctx context.Context, sc db.Scope) (Concentration, error) {
	var c Concentration
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		st, err := readSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		c, err = concentration(ctx, tx, sc.TenantID, st, s.Now())
		return err
	})
	if err != nil {
		return Concentration{}, fmt.Errorf("scoring: concentration: %w", err)
	}
	return c, nil
}

// PortfolioConcentration is Concentration inside another area's
// transaction (the dashboards), with the tenant's threshold and top N.
func PortfolioConcentration(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, now time.Time) (Concentration, error) {
	st, err := readSettings(ctx, tx, tenantID)
	if err != nil {
		return Concentration{}, fmt.Errorf("scoring: concentration: %w", err)
	}
	return concentration(ctx, tx, tenantID, st, now)
}

// concentration reads the kept totals (account.Tally) and walks the
// largest accounts down accounts_revenue_cents_idx: no sum over the
// tenant's accounts.
func concentration(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, st Settings, now time.Time) (Concentration, error) {
	var r db.Reads
	q := queueConcentration(&r, tenantID, &st, now, nil)
	if err := r.Send(ctx, tx); err != nil {
		return Concentration{}, err
	}
	return q.result(), nil
}

// concentrationReads are concentration's reads, queued to go with the
// other reads of a page: the kept totals (tallies, when the page reads
// them anyway: DimAll among them; else their own read) and the parts
// beside them.
type concentrationReads struct {
	st      *Settings
	tallies *map[account.Dim]map[string]account.Tally
	parts   *concentrationParts
}

// concentrationParts are concentration's reads beside the tallies: the
// revenue window and the largest accounts. Tenant-wide, for the month of
// now: a page may keep them (db.Kept, concentrationPart).
type concentrationParts struct {
	window *account.KeptWindow
	top    []AccountShare
}

// concentrationPart names the concentration's parts for db.Kept: the
// window's staleness depends on the month of now.
func concentrationPart(now time.Time) string {
	_, cur := account.RevenueWindow(now)
	return "scoring.concentration " + cur.Format("2006-01")
}

func queueConcentration(r *db.Reads, tenantID uuid.UUID, st *Settings, now time.Time,
	tallies *map[account.Dim]map[string]account.Tally) *concentrationReads {
	q := &concentrationReads{st: st, tallies: tallies}
	if q.tallies == nil {
		q.tallies = account.QueueTallies(r, tenantID, account.DimAll)
	}
	q.parts = queueConcentrationParts(r, tenantID, now)
	return q
}

func queueConcentrationParts(r *db.Reads, tenantID uuid.UUID, now time.Time) *concentrationParts {
	q := &concentrationParts{window: account.QueueRevenueWindow(r, tenantID, now)}
	// The top N and every account above the threshold share: at most
	// 10000/threshold accounts can be above it (listed up to 100). The
	// threshold is checked in result, not in SQL: under row-level
	// security a computed comparison would not be an index condition.
	// How many is read from the tenant's settings in the statement (k, as
	// max(TopN, min(100, TotalBPS/ConcentrationBPS + 1)), the defaults
	// where the tenant has no settings row), so the read can go in the
	// same batch as the settings' own (st is read at result time). The
	// tenant is a literal and the limit a LATERAL column, not parameters:
	// PostgreSQL planned "LIMIT $2" again on every execution; this is
	// planned once, an index scan backward of accounts_revenue_cents_idx
	// at 2,000 and 200,000 accounts alike.
	def, tenant := DefaultSettings(), db.TenantLiteral(tenantID)
	r.Query(func(rows pgx.Rows) (err error) {
		top, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccountShare, error) {
			var a AccountShare
			return a, r.Scan(&a.AccountID, &a.Name, &a.Revenue, &a.FromFigures, &a.KeyStatus)
		})
		q.top = slices.Clip(top)
		return err
	}, `SELECT top.* FROM (SELECT greatest(coalesce(s.top_n, `+strconv.Itoa(def.TopN)+`),
			least(100, `+strconv.Itoa(TotalBPS)+` / greatest(coalesce(s.concentration_bps, `+strconv.Itoa(def.ConcentrationBPS)+`), 1) + 1)) AS k
		FROM tenants t LEFT JOIN scoring_settings s ON s.tenant_id = t.id WHERE t.id = `+tenant+`) n,
		LATERAL (SELECT id, name, revenue_cents, revenue_recorded IS NOT NULL, key_status FROM accounts
			WHERE tenant_id = `+tenant+` AND archived_at IS NULL
			ORDER BY revenue_cents DESC, id DESC LIMIT n.k) top
		ORDER BY top.revenue_cents DESC, top.id DESC`)
	return q
}

// result is the concentration once the reads were sent.
func (q *concentrationReads) result() Concentration {
	c := Concentration{TopN: q.st.TopN, ThresholdBPS: q.st.ConcentrationBPS}
	all := (*q.tallies)[account.DimAll][""]
	c.Total, c.Accounts, c.KeyRevenue, c.KeyCount, c.FromFigures = all.Revenue, all.Accounts, all.KeyRevenue, all.KeyAccounts, all.FromFigures
	c.Through, c.Stale = q.parts.window.Through, q.parts.window.Stale
	if c.Total <= 0 {
		return c
	}
	for i, a := range q.parts.top {
		a.ShareBPS = ShareBPS(a.Revenue, c.Total)
		if i < c.TopN {
			c.TopNRevenue += a.Revenue
		}
		if i == 0 && a.Revenue > 0 {
			c.Largest = a
		}
		// revenue / total > threshold / 10000.
		if len(c.Over) < 100 && a.Revenue > 0 && float64(a.Revenue)*TotalBPS > float64(c.Total)*float64(c.ThresholdBPS) {
			c.Over = append(c.Over, a)
		}
	}
	return c
}
