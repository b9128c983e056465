package kpi

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/scoring"

// Growth measured by the criteria that chose the account: the method
// says an account's growth is followed on metrics that match the
// criteria used to select it. An admin links each active criterion to
// one Metric; the account page shows each linked metric's course since
// the account became key, the portfolio dashboard how the key accounts
// moved on it over the period.

// Metric is a monthly measure an account's growth can be followed on, in
// the order forms offer them.
//
//	MetricRevenue            "revenue"              "Monthly revenue"
//		"the month's revenue figure"
//	MetricRevenueVsPotential "revenue_vs_potential" "Revenue against potential"
//		"revenue of the twelve months to the month ÷ the account's revenue potential (per year)"
//	MetricAvgTransaction     "avg_transaction"      "Average transaction size"
//		"the month's revenue ÷ its orders"
//	MetricUnitsPerOrder      "units_per_order"      "Units per order"
//		"the month's units ÷ its orders"
//	MetricOrders             "orders"               "Orders a month"
//		"the month's orders figure"
//	MetricUnits              "units"                "Units a month"
//		"the month's units figure"
//	MetricAdoption           "adoption"             "Adoption / usage rate"
//		"the month's adoption or usage rate, percent"
//	MetricCSAT               "csat"                 "CSAT"
//		"the month's CSAT on the tenant's scale"
//	MetricNPS                "nps"                  "NPS"
//		"the month's Net Promoter Score"
//	MetricUpsell             "upsell_revenue"       "Upsell revenue"
//		"the month's upsell revenue"
//	MetricCrossSells         "cross_sells"          "Cross-sells"
//		"the month's cross-sells"
//
//enumgen:values Metrics
//enumgen:text Definition says how the metric's monthly value is worked out.
type Metric string

// Money reports whether the metric is an amount of money.
func (m Metric) Money() bool {
	return m == MetricRevenue || m == MetricAvgTransaction || m == MetricUpsell
}

// Percent reports whether the metric is a share (shown in percent).
func (m Metric) Percent() bool { return m == MetricRevenueVsPotential }

// suggested are the metrics the method pairs with the library criteria.
var suggested = map[string]Metric{
	"product_fit":            MetricAdoption,
	"avg_transaction_size":   MetricAvgTransaction,
	"revenue_potential":      MetricRevenueVsPotential,
	"customer_tenure":        MetricRevenue,
	"partner_history":        MetricCrossSells,
	"existing_relationships": MetricNPS,
	"cultural_fit":           MetricCSAT,
	"referrals_credibility":  MetricNPS,
	"strategic_importance":   MetricRevenue,
}

// SuggestedMetric is the metric the method pairs with a library criterion
// ("" for none).
func SuggestedMetric(code string) Metric { return suggested[code] }

// monthValue is metric m's value in month i of figs (oldest first), for
// an account whose yearly revenue potential is potential.
func monthValue(m Metric, figs []Figure, i int, potential float64) (float64, bool) {
	f := figs[i]
	ratio := func(num float64, den *int) (float64, bool) {
		if den == nil || *den <= 0 {
			return 0, false
		}
		return num / float64(*den), true
	}
	switch m {
	case MetricRevenue:
		return f.Revenue, true
	case MetricRevenueVsPotential:
		if potential <= 0 {
			return 0, false
		}
		from, sum := monthIndex(AddMonths(f.Month, -11)), 0.0
		for k := i; k >= 0 && figs[k].monthIndex() >= from; k-- {
			sum += figs[k].Revenue
		}
		return sum / potential, true
	case MetricAvgTransaction:
		return ratio(f.Revenue, f.Orders)
	case MetricUnitsPerOrder:
		if f.Units == nil {
			return 0, false
		}
		return ratio(float64(*f.Units), f.Orders)
	case MetricOrders:
		return intOf(f.Orders)
	case MetricUnits:
		return intOf(f.Units)
	case MetricAdoption:
		return adoptionOf(f)
	case MetricCSAT:
		return csatOf(f)
	case MetricNPS:
		return npsOf(f)
	case MetricUpsell:
		return upsellOf(f)
	case MetricCrossSells:
		return crossSellOf(f)
	}
	return 0, false
}

func intOf(p *int) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return float64(*p), true
}

// MetricSeries is metric m's value for each month from..to (undefined
// where the month has no value), from an account's figures (oldest
// first) and its yearly revenue potential.
func MetricSeries(m Metric, figs []Figure, potential float64, from, to time.Time) []Value {
	out := make([]Value, MonthsBetween(from, to))
	lo := monthIndex(from)
	for i := range figs {
		j := figs[i].monthIndex() - lo
		if j < 0 || j >= len(out) {
			continue
		}
		if v, ok := monthValue(m, figs, i, potential); ok {
			out[j] = Some(v)
		}
	}
	return out
}

// Movement is how a metric moved over some months: its first and last
// values there (the first and last months that have one).
type Movement struct {
	First, Last           Value
	FirstMonth, LastMonth time.Time
}

// Change is Last − First, undefined unless both are known.
func (mv Movement) Change() Value {
	if !mv.First.OK || !mv.Last.OK {
		return Value{}
	}
	return Some(mv.Last.V - mv.First.V)
}

// MovementOf finds the first and last values of a series over months
// starting at from.
func MovementOf(series []Value, from time.Time) Movement {
	var mv Movement
	for i, v := range series {
		if !v.OK {
			continue
		}
		if !mv.First.OK {
			mv.First, mv.FirstMonth = v, AddMonths(from, i)
		}
		mv.Last, mv.LastMonth = v, AddMonths(from, i)
	}
	return mv
}

// CriterionMetric is an active criterion with the metric linked to it
// (Metric "" when none; Version 0 until one is saved).
type CriterionMetric struct {
	CriterionID uuid.UUID
	Name        string
	Code        string
	Metric      Metric
	Version     int
}

// Suggested is the method's metric for the criterion, if it has one.
func (c CriterionMetric) Suggested() Metric { return SuggestedMetric(c.Code) }

// criterionMetrics lists the tenant's active criteria (in importance
// order) with their linked metrics; with inactive, the inactive ones
// follow.
func criterionMetrics(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, inactive bool) ([]CriterionMetric, error) {
	criteria, err := scoring.CriteriaTx(ctx, tx, tenantID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT criterion_id, metric, version FROM criterion_metrics WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, err
	}
	type link struct {
		metric  Metric
		version int
	}
	links := map[uuid.UUID]link{}
	var id uuid.UUID
	var l link
	if _, err := pgx.ForEachRow(rows, []any{&id, &l.metric, &l.version}, func() error { links[id] = l; return nil }); err != nil {
		return nil, err
	}
	var out []CriterionMetric
	for _, c := range criteria {
		if c.Active || inactive {
			out = append(out, CriterionMetric{CriterionID: c.ID, Name: c.Name, Code: c.Code, Metric: links[c.ID].metric,
				Version: links[c.ID].version})
		}
	}
	return out, nil
}

// CriterionMetrics lists the tenant's active criteria with the metrics
// linked to them. Anybody signed in may read them.
func (s *Store) CriterionMetrics(ctx context.Context, sc db.Scope) ([]CriterionMetric, error) {
	var out []CriterionMetric
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		out, err = criterionMetrics(ctx, tx, sc.TenantID, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kpi: criterion metrics: %w", err)
	}
	return out, nil
}

// SetCriterionMetric links criterion criterionID to metric m ("" removes
// the link). Admin-only (the router checks the role). version is the
// link's version the admin saw (0 when there was none); an inactive
// criterion keeps its link for when it is active again. Returns
// db.ErrNotFound for a criterion that is not the tenant's, db.FieldErrors for an unknown metric, db.ErrConflict when the
// link changed since.
func (s *Store) SetCriterionMetric(ctx context.Context, sc db.Scope, criterionID uuid.UUID, m Metric, version int) error {
	if m != "" && !m.Valid() {
		return db.FieldErrors{"metric": "Choose one of the metrics."}
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cms, err := criterionMetrics(ctx, tx, sc.TenantID, true)
		if err != nil {
			return err
		}
		var cur *CriterionMetric
		for i := range cms {
			if cms[i].CriterionID == criterionID {
				cur = &cms[i]
			}
		}
		if cur == nil {
			return fmt.Errorf("criterion %s: %w", criterionID, db.ErrNotFound)
		}
		var locked int
		err = tx.QueryRow(ctx, `SELECT version FROM criterion_metrics WHERE tenant_id = $1 AND criterion_id = $2 FOR UPDATE`,
			sc.TenantID, criterionID).Scan(&locked)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if locked != version {
			return fmt.Errorf("criterion metric changed (version %d, form %d): %w", locked, version, db.ErrConflict)
		}
		if cur.Metric == m {
			return nil
		}
		if m == "" {
			_, err = tx.Exec(ctx, `DELETE FROM criterion_metrics WHERE tenant_id = $1 AND criterion_id = $2`, sc.TenantID, criterionID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO criterion_metrics (tenant_id, criterion_id, metric, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (tenant_id, criterion_id) DO UPDATE SET metric = EXCLUDED.metric, updated_by = EXCLUDED.updated_by,
					updated_at = EXCLUDED.updated_at, version = criterion_metrics.version + 1`,
				sc.TenantID, criterionID, m, db.Null(sc.UserID), time.Now())
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "link_metric", Entity: "scoring_criterion",
			EntityID: criterionID.String(), Before: map[string]string{"metric": string(cur.Metric)},
			After: map[string]string{"metric": string(m), "criterion": cur.Name}})
	})
	if err != nil {
		return fmt.Errorf("kpi: set criterion metric: %w", err)
	}
	return nil
}

// LinkedMovement is how the key accounts moved on a criterion's metric
// over a period: each account's first and last value in the period.
type LinkedMovement struct {
	CriterionMetric
	Improved, Declined, Unchanged int // accounts with values in two or more months
	NoData                        int // accounts with fewer
	// FirstMean and LastMean average the first and last values of the
	// accounts that moved (Improved + Declined + Unchanged).
	FirstMean, LastMean Value
	Accounts            []AccountMovement // the key accounts, in the dashboard's order
}

// AccountMovement is one account's movement on a metric.
type AccountMovement struct {
	Account AccountInfo
	Movement
}

// linkedMovements works out each linked criterion's movement for the
// key accounts rows show (their figures are in series).
func linkedMovements(rows []AccountRow, series []AccountSeries, p Period, links []CriterionMetric) []LinkedMovement {
	figs := make(map[uuid.UUID][]Figure, len(series))
	for _, s := range series {
		figs[s.Account.ID] = s.Figures
	}
	var out []LinkedMovement
	for _, l := range links {
		if l.Metric == "" {
			continue
		}
		lm := LinkedMovement{CriterionMetric: l}
		var first, last Sum
		for _, r := range rows {
			mv := MovementOf(MetricSeries(l.Metric, figs[r.Account.ID], r.Account.RevenuePotential, p.Start, p.End), p.Start)
			lm.Accounts = append(lm.Accounts, AccountMovement{Account: r.Account, Movement: mv})
			ch := mv.Change()
			switch {
			case !ch.OK || mv.FirstMonth.Equal(mv.LastMonth):
				lm.NoData++
				continue
			case ch.V > 0:
				lm.Improved++
			case ch.V < 0:
				lm.Declined++
			default:
				lm.Unchanged++
			}
			first.Add(mv.First.V)
			last.Add(mv.Last.V)
		}
		lm.FirstMean, lm.LastMean = first.Mean(), last.Mean()
		out = append(out, lm)
	}
	return out
}
