package kpi_test

import "context"
import "testing"

import "pareto/internal/auth"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"

// TestOneFigureDoesNotMoveThePeriod: the dashboards' current month was
// the latest month any account had a figure for, so one figure typed for
// the month under way moved every dashboard's period onto a month nobody
// else has entered yet. The default period ends at the last complete
// month.
func TestOneFigureDoesNotMoveThePeriod(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d) // now: 15 Nov 2026, so October is the last complete month
	own := newTenant(t, d, s, "Own Co")
	alpha := own.account("Alpha", "key", own.kam.UserID, "Enterprise")
	beta := own.account("Beta", "key", own.kam.UserID, "Enterprise")
	own.save(alpha, "2025-11", repeat(100, 12)...) // Nov 2025 – Oct 2026
	own.save(beta, "2025-11", repeat(50, 12)...)
	if _, err := s.SaveFigure(ctx, own.scope(own.admin), auth.RoleAdmin, beta, kpi.Figure{Month: kpi.MonthOf(testNow), Revenue: 7}, 0); err != nil {
		t.Fatal(err)
	}
	p, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Period.Label(); got != "Nov 2025 – Oct 2026" {
		t.Fatalf("default period %s, want Nov 2025 – Oct 2026", got)
	}
	if last := p.Months[len(p.Months)-1]; last.Accounts != 2 || last.Revenue.V != 150 {
		t.Fatalf("last month %s: %d accounts, revenue %v; want both accounts, 150", kpi.MonthLabel(last.Month), last.Accounts, last.Revenue)
	}
}
