package kpi

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// GridMonths is how many months the account page's month grid shows.
const GridMonths = 12

// AccountKPIs is one account's figures and what is derived from them.
type AccountKPIs struct {
	Account  AccountInfo
	Archived bool
	Settings Settings
	Currency string
	Figures  []Figure // every month with figures, oldest first
	Latest   *Figure  // the most recent month with figures
	// Period is the 12 months ending at the latest month with figures (or
	// this month when there are none); Row is derived over it.
	Period Period
	Row    AccountRow
	// KeySince is when the account last became key (key status history);
	// nil when the history has no such change.
	KeySince *time.Time
	// Growth follows the metric of each linked criterion since the
	// account became key (GrowthFrom: KeySince's month, or its first month
	// with figures when the history does not say), to the last complete
	// month, at most GrowthMonths months. Empty for an account that has
	// never been key.
	Growth     []CriterionGrowth
	GrowthFrom time.Time
	GrowthTo   time.Time
}

// GrowthMonths bounds the account page's course of a linked metric.
const GrowthMonths = 36

// CriterionGrowth is a linked metric's course for one account.
type CriterionGrowth struct {
	CriterionMetric
	Series []Value // one value a month, GrowthFrom to GrowthTo
	Movement
}

// AccountKPIs loads an account's figures. Anybody signed in may read them.
// Returns db.ErrNotFound for an account outside the tenant.
func (s *Store) AccountKPIs(ctx context.Context, sc db.Scope, accountID uuid.UUID) (AccountKPIs, error) {
	var out AccountKPIs
	var links []CriterionMetric
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var kam *uuid.UUID
		var archived *time.Time
		err := tx.QueryRow(ctx, `SELECT a.id, a.name, a.key_status, a.status, a.segment, a.region, a.kam_user_id, coalesce(u.name, ''),
				a.archived_at, t.currency, coalesce(st.csat_scale, '5'), coalesce(st.fiscal_year_start_month, 1), coalesce(st.version, 0),
				a.revenue_potential::float8,
				(SELECT max(k.changed_at) FROM key_status_changes k
					WHERE k.tenant_id = a.tenant_id AND k.account_id = a.id AND k.new_status = 'key')
			FROM accounts a JOIN tenants t ON t.id = a.tenant_id
			LEFT JOIN users u ON u.id = a.kam_user_id
			LEFT JOIN kpi_settings st ON st.tenant_id = a.tenant_id
			WHERE a.tenant_id = $1 AND a.id = $2`, sc.TenantID, accountID).
			Scan(&out.Account.ID, &out.Account.Name, &out.Account.KeyStatus, &out.Account.Status, &out.Account.Segment,
				&out.Account.Region, &kam, &out.Account.KAMName, &archived, &out.Currency,
				&out.Settings.CSATScale, &out.Settings.FiscalYearStartMonth, &out.Settings.Version,
				&out.Account.RevenuePotential, &out.KeySince)
		if err != nil {
			return db.NotFound("account", err)
		}
		if kam != nil {
			out.Account.KAMID = *kam
		}
		out.Archived = archived != nil
		rows, err := tx.Query(ctx, `SELECT `+figureColumns+` FROM kpi_figures f LEFT JOIN users u ON u.id = f.updated_by
			WHERE f.tenant_id = $1 AND f.account_id = $2 ORDER BY f.month`, sc.TenantID, accountID)
		if err != nil {
			return err
		}
		if out.Figures, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Figure, error) { return scanFigure(r) }); err != nil {
			return err
		}
		links, err = criterionMetrics(ctx, tx, sc.TenantID, false)
		return err
	})
	if err != nil {
		return AccountKPIs{}, fmt.Errorf("kpi: account figures: %w", err)
	}
	anchor := MonthOf(s.Now())
	if n := len(out.Figures); n > 0 {
		out.Latest = &out.Figures[n-1]
		anchor = out.Latest.Month
	}
	out.Period = NewPeriod("12m", anchor, out.Settings.FiscalYearStartMonth)
	out.Row = DeriveAccount(AccountSeries{Account: out.Account, Figures: out.Figures}, out.Period)
	out.growth(links, s.Now())
	return out, nil
}

// growth works out the linked metrics' course since the account became
// key, up to the last complete month on today.
func (a *AccountKPIs) growth(links []CriterionMetric, today time.Time) {
	if a.KeySince == nil && a.Account.KeyStatus != "key" && a.Account.KeyStatus != "former" {
		return
	}
	a.GrowthTo = LastComplete(today)
	switch {
	case a.KeySince != nil:
		a.GrowthFrom = MonthOf(*a.KeySince)
	case len(a.Figures) > 0:
		a.GrowthFrom = a.Figures[0].Month
	default:
		return
	}
	if MonthsBetween(a.GrowthFrom, a.GrowthTo) > GrowthMonths {
		a.GrowthFrom = AddMonths(a.GrowthTo, 1-GrowthMonths)
	}
	if a.GrowthFrom.After(a.GrowthTo) {
		a.GrowthFrom = a.GrowthTo
	}
	for _, l := range links {
		if l.Metric == "" {
			continue
		}
		series := MetricSeries(l.Metric, a.Figures, a.Account.RevenuePotential, a.GrowthFrom, a.GrowthTo)
		a.Growth = append(a.Growth, CriterionGrowth{CriterionMetric: l, Series: series, Movement: MovementOf(series, a.GrowthFrom)})
	}
}

// Month returns the figures of month m, if any.
func (a AccountKPIs) Month(m time.Time) (Figure, bool) {
	for _, f := range a.Figures {
		if f.Month.Equal(m) {
			return f, true
		}
	}
	return Figure{}, false
}

// Series returns one figure per month of p (undefined where missing), for
// sparklines: get picks the figure.
func (a AccountKPIs) Series(p Period, get func(Figure) (float64, bool)) []Value {
	out := make([]Value, p.Months())
	for _, f := range a.Figures {
		if p.Contains(f.Month) {
			if v, ok := get(f); ok {
				out[MonthsBetween(p.Start, f.Month)-1] = Some(v)
			}
		}
	}
	return out
}

// Getters for Series and charts.
var (
	RevenueOf  = revenueOf
	CSATOf     = csatOf
	NPSOf      = npsOf
	AdoptionOf = adoptionOf
	UpsellOf   = upsellOf
	CrossOf    = crossSellOf
)
