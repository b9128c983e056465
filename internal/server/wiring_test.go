package server_test

import "context"
import "net/http"
import "net/url"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/plan"
import "pareto/internal/scoring"

// wireRank writes an account's ranking row as the scoring area keeps it.
func wireRank(t *testing.T, tm *asgTeam, id uuid.UUID, score10 int, complete bool) {
	t.Helper()
	if err := tm.a.DB.Tx(context.Background(), tm.adminScope(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO account_rankings (tenant_id, account_id, score10, scored, complete,
				headroom, sort_name, archived, kam_user_id, segment, key_status)
			SELECT a.tenant_id, a.id, $2, 2, $3, 0, a.sort_name, a.archived_at IS NOT NULL, a.kam_user_id, a.segment, a.key_status
			FROM accounts a WHERE a.id = $1`, id, score10, complete); err != nil {
			return err
		}
		return account.Recount(context.Background(), tx, tm.adminScope().TenantID)
	}); err != nil {
		t.Fatal(err)
	}
}

// The KAM workload and "My accounts" show scores from the scoring area and
// plan states from the plans area.
func TestWiringScoresAndPlansOnKAMPages(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	siemens := tm.account(t, "Siemens", "EMEA", tm.annM.UserID)
	bosch := tm.account(t, "Bosch", "EMEA", tm.annM.UserID)
	tm.account(t, "Basf", "EMEA", tm.annM.UserID)
	wireRank(t, tm, siemens, 82, true)
	wireRank(t, tm, bosch, 64, true)
	actor := plan.Actor{Scope: tm.adminScope(), Role: auth.RoleAdmin}
	cur := plan.PeriodOf(time.Now(), 1).String()
	id, err := plan.CreatePlan(context.Background(), a.DB, actor, siemens, plan.PlanInput{Period: cur, Why: "Grow"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.UpdatePlan(context.Background(), a.DB, actor, id, plan.PlanInput{Period: cur, Status: plan.StatusActive, Why: "Grow"}, 1); err != nil {
		t.Fatal(err)
	}

	res := tm.leader.get("/kams")
	asgWant(t, res, http.StatusOK, `<td class="num">7.3</td>`)

	res = tm.ann.get("/my/accounts")
	asgWant(t, res, http.StatusOK, `<td class="num">8.2</td>`, `<td class="num">6.4</td>`, "<td>Active</td>")
	if n := strings.Count(res.Body, "<td>—</td>"); n != 2 {
		t.Errorf("want two accounts without a plan (—), got %d", n)
	}
}

// wirePlanGoals makes a plan for accountID in the fiscal year of day (a
// January start) with goals that derive the given statuses, closed when
// closed. Each goal is due on day (or the period's last day, if earlier),
// where a straight line expects 100 %: typed progress 95 % is on track,
// 85 % at risk, 70 % off track (the default tolerance of 10 points).
func wirePlanGoals(t *testing.T, a *testApp, sc db.Scope, accountID uuid.UUID, day time.Time, closed bool, statuses ...plan.GoalStatus) {
	t.Helper()
	ctx := context.Background()
	actor := plan.Actor{Scope: sc, Role: auth.RoleAdmin}
	p := plan.PeriodOf(day, 1)
	id, err := plan.CreatePlan(ctx, a.DB, actor, accountID, plan.PlanInput{Period: p.String(), Why: "Grow"}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, last := p.Range(1)
	due := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	if last.Before(due) {
		due = last
	}
	progress := map[plan.GoalStatus]float64{plan.GoalAchieved: 100, plan.GoalOnTrack: 95, plan.GoalAtRisk: 85, plan.GoalOffTrack: 70}
	for _, st := range statuses {
		cur := progress[st]
		if _, err := plan.CreateGoal(ctx, a.DB, actor, id, plan.GoalInput{Title: "Goal " + string(st), KPI: plan.KPICustom,
			CustomMeasure: "Points", Baseline: 0, Target: 100, DueDate: due, ManualProgress: &cur}); err != nil {
			t.Fatal(err)
		}
	}
	if closed {
		if err := plan.UpdatePlan(ctx, a.DB, actor, id, plan.PlanInput{Period: p.String(), Status: plan.StatusClosed, Why: "Done"}, 1); err != nil {
			t.Fatal(err)
		}
	}
}

// wireGoalAttainment is the dashboard's goal attainment figure.
func wireGoalAttainment(t *testing.T, body string) string {
	t.Helper()
	_, after, ok := strings.Cut(body, `<span class="stat-label">Goal attainment</span>`)
	if !ok {
		t.Fatal("no goal attainment figure")
	}
	_, after, _ = strings.Cut(after, ">")
	v, _, _ := strings.Cut(after, "<")
	return v
}

// The KPI dashboards show the goal attainment of the plans of the accounts
// they show, under the same filter.
func TestWiringDashboardGoalAttainment(t *testing.T) {
	ks := newKPISetup(t)
	sc := ks.tf.scope(auth.RoleAdmin)
	if err := ks.a.DB.Tx(context.Background(), sc, recounted(sc.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE accounts SET region = 'South' WHERE id = $1", ks.theirs)
		return err
	})); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	wirePlanGoals(t, ks.a, sc, ks.mine, now, false, plan.GoalOnTrack, plan.GoalAchieved, plan.GoalAtRisk)
	wirePlanGoals(t, ks.a, sc, ks.theirs, now, false, plan.GoalOffTrack)
	wirePlanGoals(t, ks.a, sc, ks.theirs, now.AddDate(-1, 0, 0), true, plan.GoalAchieved, plan.GoalAchieved) // closed: not counted
	wirePlanGoals(t, ks.a, sc, ks.prospect, now, false, plan.GoalAchieved)                                   // not a key account

	leader := ks.client(auth.RoleLeader)
	for path, want := range map[string]string{
		"/dashboards":                                     "50.0%",
		"/dashboards?region=North":                        "66.7%",
		"/dashboards?region=South":                        "0.0%",
		"/dashboards?segment=Nowhere":                     "—",
		"/dashboards/kams/" + ks.otherKAM.UserID.String(): "0.0%",
	} {
		res := leader.get(path)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: status %d", path, res.Status)
		}
		if got := wireGoalAttainment(t, res.Body); got != want {
			t.Errorf("%s: goal attainment %q, want %q", path, got, want)
		}
	}
	kam := ks.client(auth.RoleKAM)
	res := kam.get("/dashboards/kams/" + ks.tf.Members[auth.RoleKAM].UserID.String())
	if got := wireGoalAttainment(t, res.Body); got != "66.7%" {
		t.Errorf("own KAM dashboard: goal attainment %q, want 66.7%%", got)
	}
}

// The home page shows leaders and admins the shortlist's state, and admins
// the scoring part of the setup health, from the scoring area.
func TestWiringHomeShortlistAndHealth(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	ctx, sc := context.Background(), tm.adminScope()
	s := scoring.NewStore(a.DB)
	var criteria []scoring.Criterion
	for _, code := range []string{"product_fit", "revenue_potential"} {
		c, err := s.EnableStandard(ctx, sc, code)
		if err != nil {
			t.Fatal(err)
		}
		criteria = append(criteria, c.Criterion)
	}
	siemens := tm.account(t, "Siemens", "EMEA", tm.annM.UserID)
	bosch := tm.account(t, "Bosch", "EMEA", tm.annM.UserID)
	tm.account(t, "Basf", "EMEA", tm.bobM.UserID)
	kpiTestAccount(t, a, sc, "Hopeful", "candidate", uuid.Nil)
	if _, err := s.SaveScores(ctx, sc, auth.RoleAdmin, siemens, []scoring.CellInput{{CriterionID: criteria[0].ID, Score: "8"},
		{CriterionID: criteria[1].ID, Score: "6"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveScores(ctx, sc, auth.RoleAdmin, bosch, []scoring.CellInput{{CriterionID: criteria[0].ID, Score: "5"}}); err != nil {
		t.Fatal(err)
	}

	res := tm.leader.get("/")
	mustContain(t, res, "1 account ranked, 1 with incomplete scores", "3 key accounts", "of at most 50",
		"1 candidate awaits", "No key-account review yet")
	if strings.Contains(res.Body, "Setup health") {
		t.Error("a leader sees the setup health")
	}

	review, err := s.StartReview(ctx, db.Scope{TenantID: tm.tenantID, UserID: tm.leaderM.UserID}, "Spring review")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, tm.leader.get("/"), "Review in progress: ", "Spring review")
	if err := s.CloseReview(ctx, db.Scope{TenantID: tm.tenantID, UserID: tm.leaderM.UserID}, review); err != nil {
		t.Fatal(err)
	}
	res = tm.admin.get("/")
	mustContain(t, res, "Last review: ", "Spring review", "2 active selection criteria", "3 accounts not fully scored")
	if strings.Contains(res.Body, "available when account scoring exists") {
		t.Error("the setup health still says scoring is unavailable")
	}
}

// The KPI dashboards and the home page warn about revenue concentration at
// the tenant's threshold, set on the scoring settings page.
func TestWiringConcentrationThreshold(t *testing.T) {
	ks := newKPISetup(t)
	leader := ks.client(auth.RoleLeader)
	for _, path := range []string{"/dashboards", "/"} {
		mustContain(t, leader.get(path), "Mine Industries alone brings", "dependence risk (above 10.0%)")
	}
	s := scoring.NewStore(ks.a.DB)
	sc := ks.tf.scope(auth.RoleAdmin)
	cfg, err := s.Config(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSettings(context.Background(), sc, scoring.SettingsInput{KeyAccountCap: "50", ConcentrationPct: "90",
		TopN: "10", QuadrantScore: "6", Version: cfg.Settings.Version}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dashboards", "/"} {
		if res := leader.get(path); strings.Contains(res.Body, "dependence risk") {
			t.Errorf("%s warns under a 90%% threshold", path)
		}
	}
	if err := ks.a.DB.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE scoring_settings SET concentration_bps = 3000")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, leader.get("/dashboards"), "dependence risk (above 30.0%)")
}

// The home page's overdue next steps come from the accounts area, each with
// a "Mark done" button that ticks it off and comes back home.
func TestWiringHomeOverdueStepsMarkDone(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	siemens := tm.account(t, "Siemens", "EMEA", tm.annM.UserID)
	var stepID uuid.UUID
	if err := a.DB.Tx(context.Background(), tm.adminScope(), func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `INSERT INTO interactions (account_id, occurred_on, kind, summary, next_step, next_step_due, next_step_owner_id)
			VALUES ($1, '2020-01-01', 'call', 'Talked', 'Send the offer', '2020-01-02', $2) RETURNING id`, siemens, tm.annM.UserID).Scan(&stepID)
	}); err != nil {
		t.Fatal(err)
	}
	action := "/accounts/" + siemens.String() + "/interactions/" + stepID.String() + "/step"
	res := tm.ann.get("/")
	asgWant(t, res, http.StatusOK, "Send the offer", `action="`+action+`"`, "Mark done")
	res = tm.ann.postForm(action, url.Values{"done": {"true"}, "back": {"home"}})
	if res.Status != http.StatusSeeOther || res.Location != "/" {
		t.Fatalf("mark done: %d %q", res.Status, res.Location)
	}
	res = tm.ann.get("/")
	asgWant(t, res, http.StatusOK, "Next step done.")
	if strings.Contains(res.Body, "Send the offer") {
		t.Error("a done step is still listed as overdue")
	}
}
