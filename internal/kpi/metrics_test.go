package kpi

import "math"
import "testing"

import "github.com/google/uuid"

// The worked examples of docs/metrics.md ("Growth on the selection
// criteria").
func TestMetricSeries(t *testing.T) {
	n := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	figs := series("2025-01", 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 20, gap, 30)
	figs[12].Orders, figs[12].Units, figs[12].AdoptionPct = n(4), n(100), f(55)
	figs[13].Orders, figs[13].AdoptionPct = n(0), f(60) // Mar 2026 (the gap is Feb)
	from, to := month("2026-01"), month("2026-03")
	tests := []struct {
		metric    Metric
		potential float64
		want      []Value
	}{
		{MetricRevenue, 0, []Value{Some(20), {}, Some(30)}},
		// Jan 2026: Feb 2025 – Jan 2026 = 11 × 10 + 20 = 130 of 520 a year = 25 %;
		// Mar 2026: Apr 2025 – Mar 2026 = 9 × 10 + 20 + 30 = 140 of 520.
		{MetricRevenueVsPotential, 520, []Value{Some(0.25), {}, Some(140.0 / 520)}},
		{MetricRevenueVsPotential, 0, []Value{{}, {}, {}}}, // no potential: undefined
		// Jan: 20 ÷ 4 orders = 5; Mar: no orders (0) — undefined.
		{MetricAvgTransaction, 0, []Value{Some(5), {}, {}}},
		{MetricUnitsPerOrder, 0, []Value{Some(25), {}, {}}},
		{MetricOrders, 0, []Value{Some(4), {}, Some(0)}},
		{MetricAdoption, 0, []Value{Some(55), {}, Some(60)}},
		{MetricCSAT, 0, []Value{{}, {}, {}}},
	}
	for _, tt := range tests {
		got := MetricSeries(tt.metric, figs, tt.potential, from, to)
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %d months", tt.metric, len(got))
		}
		for i := range got {
			if !sameValue(got[i], tt.want[i]) {
				t.Errorf("%s month %d: %+v, want %+v", tt.metric, i, got[i], tt.want[i])
			}
		}
	}
	mv := MovementOf(MetricSeries(MetricAdoption, figs, 0, from, to), from)
	if !mv.FirstMonth.Equal(from) || !mv.LastMonth.Equal(to) || !sameValue(mv.Change(), Some(5)) {
		t.Errorf("movement %+v", mv)
	}
	if (Movement{}).Change().OK {
		t.Error("no values, no change")
	}
}

func TestLinkedMovements(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	acc := func(name string, adoption ...float64) AccountSeries {
		s := AccountSeries{Account: AccountInfo{ID: uuid.New(), Name: name, KeyStatus: "key"}, Figures: series("2026-01", 1, 1, 1)}
		for i, a := range adoption {
			if !math.IsNaN(a) {
				s.Figures[i].AdoptionPct = f(a)
			}
		}
		return s
	}
	in := []AccountSeries{
		acc("Up", 40, 45, 50),    // 40 → 50: improved
		acc("Down", 70, gap, 60), // 70 → 60: declined
		acc("Flat", 30, 30, 30),
		acc("Once", gap, 80, gap), // one month only: too few figures
	}
	links := []CriterionMetric{{Name: "Product fit", Metric: MetricAdoption}, {Name: "Solvency"}}
	d := BuildDashboard(in, Period{Start: month("2026-01"), End: month("2026-03")}, Inputs{Links: links})
	if len(d.Linked) != 1 {
		t.Fatalf("linked %d, want 1 (Solvency has no metric)", len(d.Linked))
	}
	l := d.Linked[0]
	// Averages over Up, Down and Flat: (40 + 70 + 30) ÷ 3 = 46.67 → (50 + 60 + 30) ÷ 3 = 46.67.
	if l.Improved != 1 || l.Declined != 1 || l.Unchanged != 1 || l.NoData != 1 ||
		!sameValue(l.FirstMean, Some(140.0/3)) || !sameValue(l.LastMean, Some(140.0/3)) {
		t.Errorf("linked %+v", l)
	}
}
