package plan

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// kpiColumns maps a goal's measure to its column of kpi_figures (the KPI
// area's monthly figures per account). Custom measures have none: their
// progress always comes from the value typed by hand.
var kpiColumns = map[KPI]string{
	KPIRevenue:        "revenue",
	KPICSAT:           "csat",
	KPINPS:            "nps",
	KPIAdoption:       "adoption_pct",
	KPIUpsellRevenue:  "upsell_revenue",
	KPICrossSellCount: "cross_sell_count",
}

// flowKPI reports whether a measure accumulates over time (money, counts):
// its current value is the sum of the twelve months ending at the latest
// figure, comparable with an annual baseline and target. The others
// (CSAT, NPS, adoption) are levels: the latest figure is the value.
func flowKPI(k KPI) bool {
	return k == KPIRevenue || k == KPIUpsellRevenue || k == KPICrossSellCount
}

// attachFigures sets Figure on each goal whose measure has a KPI figure
// for accountID in a month up to until (the plan period's last day).
// Goals without a figure keep their hand-typed value.
func attachFigures(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID, until time.Time, goals []Goal) error {
	if len(goals) == 0 {
		return nil
	}
	found := map[KPI]*Figure{}
	for i := range goals {
		k := goals[i].KPI
		f, done := found[k]
		if !done {
			var err error
			if f, err = LatestFigure(ctx, tx, tenantID, accountID, k, until); err != nil {
				return err
			}
			found[k] = f
		}
		goals[i].Figure = f
	}
	return nil
}

// LatestFigure is the latest KPI figure of measure k for accountID in a
// month up to until: for levels the latest month's value, for flows the
// sum of the twelve months ending at the latest month with a value. nil
// when there is none (or k is custom).
func LatestFigure(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID, k KPI, until time.Time) (*Figure, error) {
	col, ok := kpiColumns[k]
	if !ok {
		return nil, nil
	}
	var q string
	if flowKPI(k) {
		q = `WITH last AS (SELECT max(month) AS m FROM kpi_figures
				WHERE tenant_id = $1 AND account_id = $2 AND month <= $3 AND ` + col + ` IS NOT NULL)
			SELECT last.m, sum(f.` + col + `)::float8 FROM last JOIN kpi_figures f
				ON f.tenant_id = $1 AND f.account_id = $2 AND f.` + col + ` IS NOT NULL
				AND f.month <= last.m AND f.month > last.m - interval '12 months'
			GROUP BY last.m`
	} else {
		q = `SELECT month, ` + col + `::float8 FROM kpi_figures
			WHERE tenant_id = $1 AND account_id = $2 AND month <= $3 AND ` + col + ` IS NOT NULL
			ORDER BY month DESC LIMIT 1`
	}
	var f Figure
	err := tx.QueryRow(ctx, q, tenantID, accountID, until).Scan(&f.Month, &f.Value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}
