package server_test

import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"
import "time"

import "pareto/internal/plan"

// goalRow is the table row of goal id on a plan page.
func goalRow(t *testing.T, page, goalID string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="goal-` + goalID + `".*?</tr>`).FindString(page)
	if m == "" {
		t.Fatalf("no row for goal %s", goalID)
	}
	return m
}

// newGoal posts a goal to planPath and returns its id.
func newGoal(t *testing.T, c *client, planPath string, form url.Values) string {
	t.Helper()
	res := c.postForm(planPath+"/goals", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("goal: %d\n%s", res.Status, res.Body)
	}
	return res.Location[strings.Index(res.Location, "#goal-")+len("#goal-"):]
}

// newPlanPath creates accountPath's plan for period and returns its path.
func newPlanPath(t *testing.T, c *client, acctPlans, period string) string {
	t.Helper()
	res := c.postForm(acctPlans, url.Values{"period": {period}, "status": {"active"}, "why": {"Grow"}})
	m := plansIDRe.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("plan %s: %d %q\n%s", period, res.Status, res.Location, res.Body)
	}
	return "/plans/" + m[1]
}

// TestGoalStatusDerived: the status used to be typed by hand, so a goal
// at 88 % showed "Off track" and an overdue goal at 30 % "On track".
func TestGoalStatusDerived(t *testing.T) {
	w := newPlansWorld(t)
	year := time.Now().Year()
	acctPlans := "/accounts/" + w.acct.String() + "/plans"
	nps := func(title, current string, due time.Time, typed string) url.Values {
		return url.Values{"title": {title}, "kpi": {"nps"}, "baseline": {"0"}, "target": {"50"},
			"manual_progress": {current}, "due_date": {due.Format(time.DateOnly)}, "status": {typed}}
	}

	// Next year's plan has not started: 88 % of the way is well ahead.
	next := newPlanPath(t, w.kam, acctPlans, plan.Period{Year: year + 1}.String())
	ahead := newGoal(t, w.kam, next, nps("Promoters", "44", time.Date(year+1, 12, 31, 0, 0, 0, 0, time.UTC), "off_track"))
	row := goalRow(t, w.kam.get(next).Body, ahead)
	if !strings.Contains(row, "On track") || strings.Contains(row, "Off track") {
		t.Errorf("a goal at 88 %% before its period starts:\n%s", row)
	}

	// Last year's plan is over: a goal at 30 % is overdue, whatever was typed.
	last := newPlanPath(t, w.kam, acctPlans, plan.Period{Year: year - 1}.String())
	late := newGoal(t, w.kam, last, nps("Referrals", "15", time.Date(year-1, 12, 31, 0, 0, 0, 0, time.UTC), "on_track"))
	row = goalRow(t, w.kam.get(last).Body, late)
	if !strings.Contains(row, "Overdue") || strings.Contains(row, "On track") {
		t.Errorf("a goal at 30 %% past its due date:\n%s", row)
	}
}

// A KAM overrides a derived status with a reason; both show, and a CSAT
// goal typed on the wrong scale is refused beside the field.
func TestGoalOverrideAndRangesOverHTTP(t *testing.T) {
	w := newPlansWorld(t)
	year := time.Now().Year()
	acctPlans := "/accounts/" + w.acct.String() + "/plans"
	last := newPlanPath(t, w.kam, acctPlans, plan.Period{Year: year - 1}.String())
	due := time.Date(year-1, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)

	csat := url.Values{"title": {"Happier"}, "kpi": {"csat"}, "baseline": {"70"}, "target": {"85"}, "due_date": {due}}
	plansWant(t, w.kam.postForm(last+"/goals", csat), http.StatusUnprocessableEntity, `id="baseline-error"`, "from 1 to 5")
	csat.Set("baseline", "3.8")
	csat.Set("target", "4.5")
	csat.Set("manual_progress", "4.1")
	goalID := newGoal(t, w.kam, last, csat)
	path := last + "/goals/" + goalID

	// 4.1 on 3.8 → 4.5: (4.1 − 3.8) ÷ (4.5 − 3.8) = 0.3 ÷ 0.7 = 42.857… → 43 %, past due: overdue.
	page := w.kam.get(path + "/edit")
	plansWant(t, page, http.StatusOK, "Your judgement", "Overdue", "43%")
	plansWant(t, w.kam.postForm(path+"/status", url.Values{"version": {"1"}, "override": {"on_track"}}),
		http.StatusUnprocessableEntity, `id="override_reason-error"`)
	plansWant(t, w.k2.postForm(path+"/status", url.Values{"version": {"1"}, "override": {"on_track"}, "override_reason": {"x"}}),
		http.StatusForbidden)
	res := w.kam.postForm(path+"/status", url.Values{"version": {"1"}, "override": {"achieved"}, "override_reason": {"Survey closed at 4.6, not yet entered"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("override: %d\n%s", res.Status, res.Body)
	}
	row := goalRow(t, w.leader.get(last).Body, goalID)
	for _, want := range []string{"Overdue", "KAM says", "Achieved", "Survey closed at 4.6, not yet entered", "How is this computed?"} {
		if !strings.Contains(row, want) {
			t.Errorf("goal row lacks %q:\n%s", want, row)
		}
	}
	plansWant(t, w.kam.postForm(path+"/status", url.Values{"version": {"1"}, "override": {""}}), http.StatusConflict)
}
