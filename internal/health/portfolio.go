package health

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/kpi"

// TotalsMonths is how many months of portfolio totals the daily run keeps.
const TotalsMonths = 24

// keepTotals recomputes the portfolio's profitability totals of the
// months from..to, key accounts and the others apart, in tx. O(the
// months' profitability rows): run by the writes of those months and the
// daily run, never by a page.
func keepTotals(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, from, to time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM profitability_totals WHERE tenant_id = $1 AND month BETWEEN $2 AND $3",
		tenantID, from, to); err != nil {
		return fmt.Errorf("totals: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO profitability_totals (tenant_id, month, key, accounts, revenue, cost_to_serve, discount,
			margin_revenue, margin_weighted)
		SELECT p.tenant_id, p.month, a.key_status = 'key', count(*), coalesce(sum(f.revenue), 0), sum(p.cost_to_serve),
			coalesce(sum(p.discount), 0), coalesce(sum(f.revenue) FILTER (WHERE p.gross_margin IS NOT NULL), 0),
			coalesce(sum(f.revenue * p.gross_margin) FILTER (WHERE p.gross_margin IS NOT NULL), 0)
		FROM account_profitability p
		JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
		LEFT JOIN kpi_figures f ON f.tenant_id = p.tenant_id AND f.account_id = p.account_id AND f.month = p.month
		WHERE p.tenant_id = $1 AND p.month BETWEEN $2 AND $3 AND a.archived_at IS NULL
		GROUP BY p.tenant_id, p.month, a.key_status = 'key'`, tenantID, from, to)
	if err != nil {
		return fmt.Errorf("totals: %w", err)
	}
	return nil
}

// Totals are the portfolio's profitability in a month, for key accounts
// or the others.
type Totals struct {
	Accounts                       int
	Revenue, CostToServe, Discount float64
	marginRevenue, marginWeighted  float64
}

// Contribution is revenue − cost to serve.
func (t Totals) Contribution() float64 { return t.Revenue - t.CostToServe }

// Margin is the revenue-weighted gross margin (ok false without one).
func (t Totals) Margin() (float64, bool) {
	if t.marginRevenue <= 0 {
		return 0, false
	}
	return t.marginWeighted / t.marginRevenue, true
}

func (t *Totals) add(o Totals) {
	t.Accounts += o.Accounts
	t.Revenue += o.Revenue
	t.CostToServe += o.CostToServe
	t.Discount += o.Discount
	t.marginRevenue += o.marginRevenue
	t.marginWeighted += o.marginWeighted
}

// PortfolioMonth is a month of the portfolio's profitability.
type PortfolioMonth struct {
	Month      time.Time
	Key, Other Totals
}

// PortfolioProfit is the portfolio's profitability over recent months
// (as last kept) and their sums.
type PortfolioProfit struct {
	Months     []PortfolioMonth // oldest first, every month of the window
	Key, Other Totals           // over the window
}

// Portfolio returns the kept profitability totals of the months ending
// with this one. One indexed read of at most 2 × months rows, whatever
// the portfolio's size. Anybody signed in may read it.
func (s *Store) Portfolio(ctx context.Context, sc db.Scope, months int) (PortfolioProfit, error) {
	var out PortfolioProfit
	this := kpi.MonthOf(s.Now())
	from := kpi.AddMonths(this, 1-months)
	byMonth := map[time.Time]*PortfolioMonth{}
	for m := from; !m.After(this); m = kpi.AddMonths(m, 1) {
		out.Months = append(out.Months, PortfolioMonth{Month: m})
	}
	for i := range out.Months {
		byMonth[out.Months[i].Month] = &out.Months[i]
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT month, key, accounts, revenue::float8, cost_to_serve::float8, discount::float8,
				margin_revenue::float8, margin_weighted::float8
			FROM profitability_totals WHERE tenant_id = $1 AND month BETWEEN $2 AND $3`, sc.TenantID, from, this)
		var m time.Time
		var key bool
		var t Totals
		_, err := pgx.ForEachRow(rows, []any{&m, &key, &t.Accounts, &t.Revenue, &t.CostToServe, &t.Discount, &t.marginRevenue,
			&t.marginWeighted}, func() error {
			pm := byMonth[kpi.MonthOf(m)]
			if key {
				pm.Key = t
				out.Key.add(t)
			} else {
				pm.Other = t
				out.Other.add(t)
			}
			return nil
		})
		return err
	})
	return out, wrap("portfolio profitability", err)
}
