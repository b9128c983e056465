package health_test

import "context"
import "slices"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/health"
import "pareto/internal/notify"
import "pareto/internal/plan"
import "pareto/internal/webhook"

// notices lists sc's person's notifications as "kind: title", oldest
// first.
func notices(t *testing.T, d *db.DB, sc db.Scope) []string {
	t.Helper()
	p, err := notify.NewStore(d).List(context.Background(), sc, notify.Filter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range p.Notifications {
		out = append(out, string(n.Kind)+": "+n.Title)
	}
	slices.Sort(out)
	return out
}

// TestKeeperNotifies: the keeper's refresh of an account writes the
// events of its KAM and action owners once each — the figures below are
// worked out by hand from the dates.
func TestKeeperNotifies(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Notice Co")
	other := newTenant(t, d, "Other Co")
	hs := health.NewStore(d)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	hs.Now = func() time.Time { return now }
	date := func(s string) time.Time { x, _ := time.Parse(time.DateOnly, s); return x }

	acct := tn.keyAccount(t, "Globex")
	dee := tn.stakeholder(t, acct, "Dee", account.RoleDecisionMaker, account.StrengthStrong)
	cam := tn.stakeholder(t, acct, "Cam", account.RoleChampion, account.StrengthStrong)
	tn.meet(t, acct, now.AddDate(0, 0, -10), dee)
	tn.meet(t, acct, now.AddDate(0, 0, -100), cam) // stale (as TestRefresh)
	tn.exec(t, "INSERT INTO review_schedules (account_id, next_review_on, updated_at) VALUES ($1, '2026-11-27', now())", acct)

	kam := plan.Actor{Scope: tn.kam(), Role: auth.RoleKAM}
	planID, err := plan.CreatePlan(ctx, d, kam, acct, plan.PlanInput{Period: "FY2026", Status: plan.StatusActive}, false)
	if err != nil {
		t.Fatal(err)
	}
	// FY2026 runs 2026-01-01 to the goals' due date 2026-12-31 (364
	// days). On 2026-11-20, 323 days in, a straight line expects
	// 323/364 = 88.7 %: Workshops at 75 % lags 13.7 points (at risk, more
	// than the tolerance 10, at most 20); Visits at 80 % lags 8.7 (on
	// track). On 2026-12-01, 334 days in, 91.8 % is expected: Visits
	// lags 11.8 and turns at risk; Workshops lags 16.8, still at risk.
	goal := func(title string, progress float64) uuid.UUID {
		id, err := plan.CreateGoal(ctx, d, kam, planID, plan.GoalInput{Title: title, KPI: plan.KPICustom, CustomMeasure: title,
			Baseline: 0, Target: 100, DueDate: date("2026-12-31"), ManualProgress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	goal("Workshops", 75)
	goal("Visits", 80)
	action := func(desc, due string) uuid.UUID {
		id, err := plan.CreateAction(ctx, d, kam, planID, plan.ActionInput{Description: desc, OwnerID: tn.KAM.UserID, DueDate: date(due)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	action("Send the proposal", "2026-11-23") // due in 3 days
	action("Call the CFO", "2026-11-10")      // overdue
	action("Plan the QBR", "2026-12-25")      // beyond a week: nothing yet
	done := action("Book the venue", "2026-11-18")
	if _, err := plan.SetActionDone(ctx, d, kam, planID, done, true, 1); err != nil {
		t.Fatal(err)
	}

	hooks := &webhook.Store{DB: d, Key: webhook.RandomKey()}
	if _, _, err := hooks.CreateEndpoint(ctx, tn.admin(), webhook.EndpointInput{URL: "https://crm.example.com/goals",
		Events: []string{webhook.GoalStatusChange}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	// goal.status_changed bodies, oldest first.
	goalEvents := func() []string {
		t.Helper()
		var out []string
		err := d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, "SELECT body FROM webhook_events WHERE type = $1 ORDER BY created_at", webhook.GoalStatusChange)
			var err error
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	if err := hs.Refresh(ctx, tn.admin(), []uuid.UUID{acct}); err != nil {
		t.Fatal(err)
	}
	// Goals seen for the first time turn nothing: no event yet.
	if ev := goalEvents(); len(ev) != 0 {
		t.Fatalf("goal events on first sight: %q", ev)
	}
	want := []string{
		"action_due: Globex: action “Send the proposal” is due on Mon 23 Nov 2026",
		"action_overdue: Globex: action “Call the CFO” is overdue (due 10 Nov 2026)",
		"goal_status: Globex: goal “Workshops” is at risk",
		"review_due: Globex: account review due on Fri 27 Nov 2026",
	}
	got := notices(t, d, tn.kam())
	var risks []string
	for _, g := range got {
		if strings.HasPrefix(g, "risk: ") {
			risks = append(risks, g)
		}
	}
	got = slices.DeleteFunc(got, func(s string) bool { return strings.HasPrefix(s, "risk: ") })
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("KAM's notifications:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The warnings in force, as kept: Cam's stale contact and the overdue action.
	if len(risks) != 2 || !strings.HasPrefix(risks[0], "risk: Globex: Overdue actions") || !strings.HasPrefix(risks[1], "risk: Globex: Stale contact — Cam") {
		t.Fatalf("warning notifications %q", risks)
	}
	if n := notices(t, d, tn.admin()); len(n) != 0 {
		t.Fatalf("the admin (neither KAM nor owner) got %q", n)
	}
	if n := notices(t, d, other.kam()); len(n) != 0 {
		t.Fatalf("another tenant's KAM got %q", n)
	}

	t.Run("NoDuplicates", func(t *testing.T) {
		// The next write's refresh and the daily run find the same events.
		if err := hs.Refresh(ctx, tn.admin(), []uuid.UUID{acct}); err != nil {
			t.Fatal(err)
		}
		if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
			t.Fatal(err)
		}
		if n := len(notices(t, d, tn.kam())); n != 6 {
			t.Fatalf("%d notifications after running again, want the same 6", n)
		}
	})

	t.Run("ClockMoves", func(t *testing.T) {
		now = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
			t.Fatal(err)
		}
		got := notices(t, d, tn.kam())
		for _, w := range []string{
			"goal_status: Globex: goal “Visits” is at risk",                                   // turned today
			"action_overdue: Globex: action “Send the proposal” is overdue (due 23 Nov 2026)", // passed its date
		} {
			if !slices.Contains(got, w) {
				t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
			}
		}
		// Plan the QBR (due 25 Dec, 24 days on) is not due within a week
		// yet; Workshops was at risk already: no second notice of it.
		for _, g := range got {
			if strings.Contains(g, "Plan the QBR") {
				t.Errorf("notified too early: %q", g)
			}
		}
		n := 0
		for _, g := range got {
			if strings.Contains(g, "“Workshops”") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d notices of Workshops, want 1", n)
		}
		// The derived turn is announced like an override's change.
		ev := goalEvents()
		if len(ev) != 1 || !strings.Contains(ev[0], `"previous":{"plan_id":"`+planID.String()+`","status":"on_track"`) ||
			!strings.Contains(ev[0], `"current":{"plan_id":"`+planID.String()+`","status":"at_risk","derived":"at_risk","overridden":false}`) {
			t.Errorf("goal events %q, want Visits on_track → at_risk", ev)
		}
		before := len(got)
		if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
			t.Fatal(err)
		}
		if after := len(notices(t, d, tn.kam())); after != before {
			t.Errorf("%d notifications after the same day's second run, want %d", after, before)
		}
		if n := len(goalEvents()); n != 1 {
			t.Errorf("%d goal events after running again, want 1", n)
		}
	})
}
