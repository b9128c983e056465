package plan_test

import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"
import "pareto/internal/plan"

// Defects of issue 14 in the goal plans, each reproduced on a real
// database.

// TestGoalProgressBoundedByPlanPeriod: a revenue goal for FY2027 was
// "met" by figures from FY2025 because the latest figure had no lower
// bound.
func TestGoalProgressBoundedByPlanPeriod(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	id := f.newPlan(t, f.kam, f.acct, "FY2027")
	g := validGoal() // revenue 1.0M → 1.2M, due 31 Dec 2027
	if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, g); err != nil {
		t.Fatal(err)
	}
	// Twelve months of 2025 at 100k: 1.2M, the target, two years early.
	if err := d.Tx(ctx, f.scope(), func(tx pgx.Tx) error {
		var rows [][]any
		for m := 1; m <= 12; m++ {
			rows = append(rows, []any{f.scope().TenantID, f.acct, time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, time.UTC), 100000})
		}
		_, err := db.InsertRows(ctx, tx, "kpi_figures", []string{"tenant_id", "account_id", "month", "revenue"}, rows, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p, err := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Goals[0]; got.FromKPI() {
		t.Fatalf("FY2027 goal measured by a figure of %s (value %v)", got.Figure.Month.Format("Jan 2006"), got.Figure.Value)
	}
	if _, known := p.Goals[0].Progress(); known {
		t.Fatal("progress known without a figure or typed value inside FY2027")
	}
}

// TestCSATGoalOnTenantScale: CSAT goals were checked against 0–100 while
// the tenant's scale is 1–5, so a goal typed 60 → 80 could never move.
func TestCSATGoalOnTenantScale(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	id := f.newPlan(t, f.kam, f.acct, "FY2027")
	csat := func(base, target float64) plan.GoalInput {
		g := validGoal()
		g.Title, g.KPI, g.Baseline, g.Target = "Happier customers", plan.KPICSAT, base, target
		return g
	}
	// The default scale is an average rating from 1 to 5.
	_, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, csat(60, 80))
	wantFieldError(t, err, "baseline")
	if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, csat(3.8, 4.5)); err != nil {
		t.Fatalf("3.8 → 4.5 on the 1–5 scale: %v", err)
	}
	_, err = plan.CreateGoal(ctx, d, f.actor(f.kam), id, csat(4, 6))
	wantFieldError(t, err, "target")

	// A tenant on the percent scale types percentages.
	own := newFixture(t, d, "pct")
	if _, err := kpi.NewStore(d).UpdateSettings(ctx, own.scope(), kpi.SettingsInput{CSATScale: kpi.ScalePercent, FiscalYearStartMonth: "1"}); err != nil {
		t.Fatal(err)
	}
	pid := own.newPlan(t, own.kam, own.acct, "FY2027")
	if _, err := plan.CreateGoal(ctx, d, own.actor(own.kam), pid, csat(60, 80)); err != nil {
		t.Fatalf("60 → 80 %% satisfied on the percent scale: %v", err)
	}
	_, err = plan.CreateGoal(ctx, d, own.actor(own.kam), pid, csat(60, 120))
	wantFieldError(t, err, "target")
}
