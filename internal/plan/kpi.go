package plan

import "context"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/kpi"

// kpiValues maps a goal's measure to its value in the KPI area's monthly
// figures. Custom measures have none: their progress always comes from
// the value typed by hand.
var kpiValues = map[KPI]func(kpi.Figure) (float64, bool){
	KPIRevenue:        kpi.RevenueOf,
	KPICSAT:           kpi.CSATOf,
	KPINPS:            kpi.NPSOf,
	KPIAdoption:       kpi.AdoptionOf,
	KPIUpsellRevenue:  kpi.UpsellOf,
	KPICrossSellCount: kpi.CrossOf,
}

// flowKPI reports whether a measure accumulates over time (money, counts):
// its current value is the sum of the twelve months ending at the latest
// figure, comparable with an annual baseline and target. The others
// (CSAT, NPS, adoption) are levels: the latest figure is the value.
func flowKPI(k KPI) bool {
	return k == KPIRevenue || k == KPIUpsellRevenue || k == KPICrossSellCount
}

// flowMonths is how many months a flow measure's current value sums.
const flowMonths = 12

// Measure is the current value of measure k from one account's figures
// (oldest first), for a plan running first..last: the latest month with a
// value inside the plan's period (months before first or after last never
// count as "latest"), and for flows the sum of the twelve months ending
// there (a rolling year: at the period's last month it is the period's
// total). nil when no month of the period has a value, or k is custom.
func Measure(figs []kpi.Figure, k KPI, first, last time.Time) *Figure {
	get, ok := kpiValues[k]
	if !ok {
		return nil
	}
	lo, hi := kpi.MonthOf(first), kpi.MonthOf(last)
	latest := -1
	for i := len(figs) - 1; i >= 0; i-- {
		m := figs[i].Month
		if m.Before(lo) {
			break
		}
		if _, has := get(figs[i]); has && !m.After(hi) {
			latest = i
			break
		}
	}
	if latest < 0 {
		return nil
	}
	at := figs[latest].Month
	v, _ := get(figs[latest])
	if flowKPI(k) {
		from, sum := kpi.AddMonths(at, 1-flowMonths), 0.0
		for _, f := range figs[:latest+1] {
			if x, has := get(f); has && !f.Month.Before(from) {
				sum += x
			}
		}
		v = sum
	}
	return &Figure{Value: v, Month: at}
}

// evaluate fills in each goal's figure (Measure over its plan's period),
// expected progress and derived status on today, reading the figures of
// every goal's account in one query. Goals must carry AccountID, Start
// and End (their plan's first and last day).
func evaluate(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, st Settings, today time.Time, goals []Goal) error {
	if len(goals) == 0 {
		return nil
	}
	var accounts []uuid.UUID
	seen := map[uuid.UUID]bool{}
	from, to := goals[0].Start, goals[0].End
	for _, g := range goals {
		if !seen[g.AccountID] {
			seen[g.AccountID] = true
			accounts = append(accounts, g.AccountID)
		}
		from, to = minTime(from, g.Start), maxTime(to, g.End)
	}
	figs, err := kpi.FiguresTx(ctx, tx, tenantID, accounts, kpi.AddMonths(kpi.MonthOf(from), 1-flowMonths), kpi.MonthOf(to))
	if err != nil {
		return err
	}
	for i := range goals {
		derive(&goals[i], figs[goals[i].AccountID], st, today)
	}
	return nil
}

// derive sets g's figure, expected progress and derived status.
func derive(g *Goal, figs []kpi.Figure, st Settings, today time.Time) {
	g.Figure = Measure(figs, g.KPI, g.Start, g.End)
	g.Tolerance = st.GoalTolerance
	g.Expected = ExpectedProgress(g.Start, g.DueDate, today)
	pct, known := g.Progress()
	g.Derived = DeriveStatus(pct, known, g.Start, g.DueDate, today, st.GoalTolerance)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
