package kpi_test

import "context"
import "errors"
import "testing"
import "time"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"
import "pareto/internal/scoring"

func TestCriterionMetricsAndGrowth(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d) // now: 15 Nov 2026
	own := newTenant(t, d, s, "Own Co")
	other := newTenant(t, d, s, "Other Co")
	sc := scoring.NewStore(d)
	fit, err := sc.EnableStandard(ctx, own.scope(own.admin), "product_fit")
	if err != nil {
		t.Fatal(err)
	}
	size, err := sc.EnableStandard(ctx, own.scope(own.admin), "avg_transaction_size")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Link", func(t *testing.T) {
		if err := s.SetCriterionMetric(ctx, own.scope(own.admin), fit.ID, "happiness", 0); err == nil {
			t.Fatal("an unknown metric was linked")
		}
		if err := s.SetCriterionMetric(ctx, own.scope(own.admin), fit.ID, kpi.MetricAdoption, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCriterionMetric(ctx, own.scope(own.admin), fit.ID, kpi.MetricCSAT, 0); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		if err := s.SetCriterionMetric(ctx, own.scope(own.admin), size.ID, kpi.MetricAvgTransaction, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCriterionMetric(ctx, other.scope(other.admin), fit.ID, kpi.MetricCSAT, 1); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another tenant's criterion: %v", err)
		}
		cms, err := s.CriterionMetrics(ctx, own.scope(own.leader))
		if err != nil || len(cms) != 2 || cms[0].Metric != kpi.MetricAdoption || cms[0].Version != 1 || cms[1].Suggested() != kpi.MetricAvgTransaction {
			t.Fatalf("links %+v %v", cms, err)
		}
		// Unlinking removes the row; a second save of the same link changes nothing.
		if err := s.SetCriterionMetric(ctx, own.scope(own.admin), size.ID, "", 1); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCriterionMetric(ctx, own.scope(own.admin), size.ID, kpi.MetricAvgTransaction, 0); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("AccountSinceKey", func(t *testing.T) {
		acct := own.account("Anvil", "candidate", own.kam.UserID, "Enterprise")
		n := func(v int) *int { return &v }
		f := func(v float64) *float64 { return &v }
		for i, m := range []string{"2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"} {
			month, _ := kpi.ParseMonth(m)
			// Adoption 40 % in February rising 5 points a month; 10 orders of 1,000 each, then 8 of 1,500 from July.
			fig := kpi.Figure{Month: month, Revenue: 10_000, Orders: n(10), AdoptionPct: f(40 + 5*float64(i))}
			if i >= 5 {
				fig.Revenue, fig.Orders = 12_000, n(8)
			}
			if _, err := s.SaveFigure(ctx, own.scope(own.admin), auth.RoleAdmin, acct, fig, 0); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.AccountKPIs(ctx, own.scope(own.kam), acct)
		if err != nil || len(a.Growth) != 0 {
			t.Fatalf("a candidate never key has no growth to follow: %+v %v", a.Growth, err)
		}
		own.changeKey(acct, "candidate", "key", time.Date(2026, 4, 20, 10, 0, 0, 0, time.UTC))
		a, err = s.AccountKPIs(ctx, own.scope(own.kam), acct)
		if err != nil {
			t.Fatal(err)
		}
		// Followed from April (key since 20 Apr) to October, the last complete month.
		if len(a.Growth) != 2 || kpi.FormatMonth(a.GrowthFrom) != "2026-04" || kpi.FormatMonth(a.GrowthTo) != "2026-10" {
			t.Fatalf("growth %+v from %s to %s", a.Growth, a.GrowthFrom, a.GrowthTo)
		}
		// Adoption: April 50 % → October 80 %: +30 points.
		if g := a.Growth[0]; g.Metric != kpi.MetricAdoption || g.First.V != 50 || g.Last.V != 80 || g.Change().V != 30 {
			t.Errorf("adoption %+v", g)
		}
		// Average transaction: April 10,000 ÷ 10 = 1,000 → October 12,000 ÷ 8 = 1,500.
		if g := a.Growth[1]; g.First.V != 1000 || g.Last.V != 1500 || len(g.Series) != 7 {
			t.Errorf("average transaction %+v", g)
		}
	})

	t.Run("Dashboard", func(t *testing.T) {
		p, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{Period: kpi.PeriodChoice{Key: "6m"}})
		if err != nil {
			t.Fatal(err)
		}
		// May – Oct: Anvil's adoption 55 → 80 and transaction 1,000 → 1,500 both improved.
		if len(p.Linked) != 2 || p.Linked[0].Improved != 1 || p.Linked[1].Improved != 1 {
			t.Fatalf("linked %+v", p.Linked)
		}
		if v := p.Summary.Volumes.AvgTransaction(); !v.OK || v.V != (2*10_000+4*12_000)/(2*10.0+4*8) {
			t.Errorf("average transaction %+v", v)
		}
	})
}
