package server_test

import "context"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/plan"

func TestHomeShowsGoalsAtRiskAndOverdueActions(t *testing.T) {
	a := newTestApp(t)
	tf := a.tenantFixture("Acme")
	ctx := context.Background()
	admin := plan.Actor{Scope: tf.scope(auth.RoleAdmin), Role: auth.RoleAdmin}
	accountID := uuid.MustParse(tf.IDs["accountID"]) // the KAM's account
	year := time.Now().Year()
	planID, err := plan.CreatePlan(ctx, a.DB, admin, accountID, plan.PlanInput{Period: "FY" + strconv.Itoa(year), Why: "Grow", Status: plan.StatusActive}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Last year's goal, never measured: overdue, whatever the date today.
	lastYear, err := plan.CreatePlan(ctx, a.DB, admin, accountID, plan.PlanInput{Period: "FY" + strconv.Itoa(year-1), Why: "Grow",
		Status: plan.StatusActive}, false)
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(year-1, 12, 31, 0, 0, 0, 0, time.UTC)
	if _, err := plan.CreateGoal(ctx, a.DB, admin, lastYear, plan.GoalInput{Title: "Win the renewal", KPI: plan.KPI("revenue"),
		Baseline: 100, Target: 200, DueDate: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.CreateAction(ctx, a.DB, admin, planID, plan.ActionInput{Description: "Call the CFO",
		OwnerID: tf.Members[auth.RoleKAM].UserID, DueDate: time.Date(year, 1, 2, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	kamHome := tf.Clients[auth.RoleKAM].get("/").Body
	for _, want := range []string{"Win the renewal", "Call the CFO"} {
		if !strings.Contains(kamHome, want) {
			t.Errorf("KAM's home lacks %q", want)
		}
	}
	if leaderHome := tf.Clients[auth.RoleLeader].get("/").Body; strings.Contains(leaderHome, "Call the CFO") {
		t.Error("the leader's home lists an action the KAM owns")
	}
}
