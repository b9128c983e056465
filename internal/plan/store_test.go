package plan_test

import "context"
import "errors"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/plan"

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is one tenant with an admin, a leader, two KAMs and an account
// for each KAM (both key accounts).
type fixture struct {
	d                        *db.DB
	tenant                   uuid.UUID
	admin, leader, kam, kam2 auth.Member
	acct, acct2              uuid.UUID
}

var ctx = context.Background()

func newFixture(t *testing.T, d *db.DB, org string) *fixture {
	t.Helper()
	store := auth.NewStore(d)
	admin, err := store.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin", Email: "admin@" + org + ".test", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, tenant: admin.TenantID, admin: admin}
	add := func(email, name string, role auth.Role) auth.Member {
		token, _, err := store.CreateInvite(ctx, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, email, role)
		if err != nil {
			t.Fatal(err)
		}
		m, err := store.AcceptInvite(ctx, token, name, "correct-horse-battery")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	f.leader = add("leader@"+org+".test", "Lena", auth.RoleLeader)
	f.kam = add("kam@"+org+".test", "Karl", auth.RoleKAM)
	f.kam2 = add("kam2@"+org+".test", "Kira", auth.RoleKAM)
	f.acct = f.account(t, "Globex", &f.kam.UserID)
	f.acct2 = f.account(t, "Initech", &f.kam2.UserID)
	return f
}

func (f *fixture) account(t *testing.T, name string, kam *uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := f.d.Tx(ctx, db.Scope{TenantID: f.tenant}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO accounts (name, key_status, status, kam_user_id, annual_revenue)
			VALUES ($1, 'key', 'customer', $2, 1000000) RETURNING id`, name, kam).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) actor(m auth.Member) plan.Actor {
	return plan.Actor{Scope: db.Scope{TenantID: f.tenant, UserID: m.UserID}, Role: m.Role}
}

func (f *fixture) scope() db.Scope { return db.Scope{TenantID: f.tenant, UserID: f.admin.UserID} }

func (f *fixture) auditCount(t *testing.T, entity string) int {
	t.Helper()
	var n int
	if err := f.d.Tx(ctx, f.scope(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM audit_events WHERE entity = $1", entity).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) newPlan(t *testing.T, m auth.Member, acct uuid.UUID, period string) uuid.UUID {
	t.Helper()
	id, err := plan.CreatePlan(ctx, f.d, f.actor(m), acct, plan.PlanInput{Period: period, Why: "Grow together"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func wantFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors on %s, got %v", field, err)
	}
	if _, ok := fe[field]; !ok {
		t.Fatalf("want an error on %s, got %v", field, fe)
	}
}

func TestCreatePlan(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	other := newFixture(t, d, "other")

	t.Run("OK", func(t *testing.T) {
		id, err := plan.CreatePlan(ctx, d, f.actor(f.kam), f.acct, plan.PlanInput{Period: " fy2027 ", Why: " Be their partner "}, false)
		if err != nil {
			t.Fatal(err)
		}
		p, err := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if p.Period != "FY2027" || p.Status != plan.StatusDraft || p.Why != "Be their partner" || p.AccountName != "Globex" ||
			p.KAMName != "Karl" || p.CreatedBy != "Karl" || p.Version != 1 {
			t.Fatalf("got %+v", p.Plan)
		}
		if !p.First.Equal(date(2027, 1, 1)) || !p.Last.Equal(date(2027, 12, 31)) {
			t.Fatalf("period range %v – %v", p.First, p.Last)
		}
		if n := f.auditCount(t, "goal_plan"); n != 1 {
			t.Fatalf("audit events: %d", n)
		}
	})
	t.Run("ErrPeriodTaken", func(t *testing.T) {
		_, err := plan.CreatePlan(ctx, d, f.actor(f.kam), f.acct, plan.PlanInput{Period: "FY2027"}, false)
		wantFieldError(t, err, "period")
	})
	t.Run("ErrPeriodInvalid", func(t *testing.T) {
		_, err := plan.CreatePlan(ctx, d, f.actor(f.kam), f.acct, plan.PlanInput{Period: "2027"}, false)
		wantFieldError(t, err, "period")
	})
	t.Run("ErrForbiddenForOtherKAM", func(t *testing.T) {
		_, err := plan.CreatePlan(ctx, d, f.actor(f.kam2), f.acct, plan.PlanInput{Period: "FY2028"}, false)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v, want forbidden", err)
		}
	})
	t.Run("LeaderMayPlanAnyAccount", func(t *testing.T) {
		if _, err := plan.CreatePlan(ctx, d, f.actor(f.leader), f.acct2, plan.PlanInput{Period: "FY2027", Status: plan.StatusActive}, false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		_, err := plan.CreatePlan(ctx, d, f.actor(f.admin), other.acct, plan.PlanInput{Period: "FY2027"}, false)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v, want not found", err)
		}
		otherPlan := other.newPlan(t, other.kam, other.acct, "FY2027")
		if _, err := plan.PlanByID(ctx, d, f.scope(), otherPlan, time.Now()); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("read: got %v, want not found", err)
		}
		err = plan.UpdatePlan(ctx, d, f.actor(f.admin), otherPlan, plan.PlanInput{Period: "FY2027", Status: plan.StatusActive}, 1)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("update: got %v, want not found", err)
		}
		if _, err := plan.CreateGoal(ctx, d, f.actor(f.admin), otherPlan, validGoal()); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("goal: got %v, want not found", err)
		}
		page, err := plan.Plans(ctx, d, f.scope(), plan.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Plans {
			if p.ID == otherPlan {
				t.Fatal("another tenant's plan is listed")
			}
		}
	})
	t.Run("CopyOpenGoals", func(t *testing.T) {
		acct := f.account(t, "Umbrella", &f.kam.UserID)
		prev := f.newPlan(t, f.kam, acct, "FY2026")
		open := validGoal()
		open.DueDate = date(2026, 6, 30)
		open.ManualProgress = ptr(1_100_000) // 50 %
		if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), prev, open); err != nil {
			t.Fatal(err)
		}
		done := validGoal()
		done.Title, done.DueDate, done.ManualProgress = "Done already", date(2026, 3, 1), ptr(1_200_000) // 100 %: achieved
		if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), prev, done); err != nil {
			t.Fatal(err)
		}
		id, err := plan.CreatePlan(ctx, d, f.actor(f.kam), acct, plan.PlanInput{Period: "FY2027"}, true)
		if err != nil {
			t.Fatal(err)
		}
		p, err := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Goals) != 1 {
			t.Fatalf("copied %d goals, want 1 (achieved ones stay behind)", len(p.Goals))
		}
		g := p.Goals[0]
		if g.Title != "Grow revenue" || !g.DueDate.Equal(date(2027, 6, 30)) || g.Override != "" || g.Baseline != 1_000_000 {
			t.Fatalf("copied goal %+v", g)
		}
	})
}

func TestUpdatePlan(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	id := f.newPlan(t, f.kam, f.acct, "FY2027")

	t.Run("OK", func(t *testing.T) {
		if err := plan.UpdatePlan(ctx, d, f.actor(f.kam), id, plan.PlanInput{Period: "FY2027", Status: plan.StatusActive, Why: "New why"}, 1); err != nil {
			t.Fatal(err)
		}
		p, _ := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
		if p.Status != plan.StatusActive || p.Why != "New why" || p.Version != 2 {
			t.Fatalf("got %+v", p.Plan)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := plan.UpdatePlan(ctx, d, f.actor(f.kam), id, plan.PlanInput{Period: "FY2027", Status: plan.StatusDraft}, 1)
		if !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v, want conflict", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		err := plan.UpdatePlan(ctx, d, f.actor(f.kam2), id, plan.PlanInput{Period: "FY2027", Status: plan.StatusDraft}, 2)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v, want forbidden", err)
		}
	})
	t.Run("ErrPeriodLeavesGoalsOutside", func(t *testing.T) {
		g := validGoal()
		g.DueDate = date(2027, 5, 1)
		if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, g); err != nil {
			t.Fatal(err)
		}
		err := plan.UpdatePlan(ctx, d, f.actor(f.kam), id, plan.PlanInput{Period: "FY2028", Status: plan.StatusActive}, 2)
		wantFieldError(t, err, "period")
	})
	t.Run("ClosedPlanRefusesGoalChanges", func(t *testing.T) {
		if err := plan.UpdatePlan(ctx, d, f.actor(f.leader), id, plan.PlanInput{Period: "FY2027", Status: plan.StatusClosed}, 2); err != nil {
			t.Fatal(err)
		}
		_, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, validGoal())
		wantFieldError(t, err, "plan")
	})
	if n := f.auditCount(t, "goal_plan"); n != 3 {
		t.Fatalf("audit events: %d, want 3 (create, update, close)", n)
	}
}

func TestGoals(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	id := f.newPlan(t, f.kam, f.acct, "FY2027")
	var goalID uuid.UUID

	t.Run("OK", func(t *testing.T) {
		var err error
		in := validGoal()
		in.ManualProgress = ptr(1_050_000)
		if goalID, err = plan.CreateGoal(ctx, d, f.actor(f.kam), id, in); err != nil {
			t.Fatal(err)
		}
		p, _ := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
		if len(p.Goals) != 1 {
			t.Fatalf("%d goals", len(p.Goals))
		}
		if pct, known := p.Goals[0].Progress(); !known || pct != 25 {
			t.Fatalf("progress %v %v, want 25", pct, known)
		}
	})
	t.Run("ErrTargetEqualsBaseline", func(t *testing.T) {
		in := validGoal()
		in.Target = in.Baseline
		_, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, in)
		wantFieldError(t, err, "target")
	})
	t.Run("ErrDueOutsidePeriod", func(t *testing.T) {
		in := validGoal()
		in.DueDate = date(2028, 1, 1)
		_, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, in)
		wantFieldError(t, err, "due_date")
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := plan.CreateGoal(ctx, d, f.actor(f.kam2), id, validGoal())
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("UpdateAndConflict", func(t *testing.T) {
		in := validGoal()
		in.Title = "Grow revenue faster"
		if err := plan.UpdateGoal(ctx, d, f.actor(f.kam), id, goalID, in, 1); err != nil {
			t.Fatal(err)
		}
		if err := plan.UpdateGoal(ctx, d, f.actor(f.kam), id, goalID, validGoal(), 1); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v, want conflict", err)
		}
		g, err := plan.GoalByID(ctx, d, f.scope(), id, goalID, time.Now())
		if err != nil || g.Title != "Grow revenue faster" || g.Version != 2 || g.ManualProgress != nil {
			t.Fatalf("got %+v %v", g, err)
		}
	})
	t.Run("GoalOfAnotherPlanIsNotFound", func(t *testing.T) {
		other := f.newPlan(t, f.kam, f.acct, "FY2028")
		if err := plan.UpdateGoal(ctx, d, f.actor(f.kam), other, goalID, validGoal(), 2); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		actID, err := plan.CreateAction(ctx, d, f.actor(f.kam), id, plan.ActionInput{GoalID: &goalID, Description: "Call CFO",
			OwnerID: f.kam.UserID, DueDate: date(2027, 2, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if err := plan.DeleteGoal(ctx, d, f.actor(f.kam), id, goalID, 2); err != nil {
			t.Fatal(err)
		}
		act, err := plan.ActionByID(ctx, d, f.scope(), id, actID)
		if err != nil || act.GoalID != nil {
			t.Fatalf("the action should stay, under the plan: %+v %v", act, err)
		}
	})
	if n := f.auditCount(t, "plan_goal"); n != 3 {
		t.Fatalf("audit events: %d, want 3 (create, update, delete)", n)
	}
}

func TestActions(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	other := newFixture(t, d, "other")
	today := time.Now()
	yesterday := today.AddDate(0, 0, -1)
	if yesterday.Year() != today.Year() {
		t.Skip("1 January: yesterday is in another fiscal year")
	}
	// The plan's period must hold the due dates: use the current year.
	year := today.Year()
	period := plan.Period{Year: year}.String()
	id := f.newPlan(t, f.kam, f.acct, period)
	in := plan.ActionInput{Description: "Quarterly business review", OwnerID: f.kam2.UserID, DueDate: yesterday}
	actID, err := plan.CreateAction(ctx, d, f.actor(f.kam), id, in)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrOwnerNotMember", func(t *testing.T) {
		bad := in
		bad.OwnerID = other.kam.UserID
		_, err := plan.CreateAction(ctx, d, f.actor(f.kam), id, bad)
		wantFieldError(t, err, "owner")
	})
	t.Run("ErrGoalOfAnotherPlan", func(t *testing.T) {
		p2 := f.newPlan(t, f.kam, f.acct, plan.Period{Year: year + 1}.String())
		g := validGoal()
		g.DueDate = date(year+1, 6, 1)
		gid, err := plan.CreateGoal(ctx, d, f.actor(f.kam), p2, g)
		if err != nil {
			t.Fatal(err)
		}
		bad := in
		bad.GoalID = &gid
		_, err = plan.CreateAction(ctx, d, f.actor(f.kam), id, bad)
		wantFieldError(t, err, "goal")
	})
	t.Run("ErrDueAfterPeriod", func(t *testing.T) {
		bad := in
		bad.DueDate = date(year+1, 1, 1)
		_, err := plan.CreateAction(ctx, d, f.actor(f.kam), id, bad)
		wantFieldError(t, err, "due_date")
	})
	t.Run("OverdueOnOwnersList", func(t *testing.T) {
		items, err := plan.OverdueActions(ctx, d, f.scope(), f.kam2.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != actID || items[0].DaysOverdue != 1 || items[0].AccountName != "Globex" {
			t.Fatalf("got %+v", items)
		}
		if items, _ := plan.OverdueActions(ctx, d, f.scope(), f.kam.UserID); len(items) != 0 {
			t.Fatalf("the KAM owns no overdue action: %+v", items)
		}
		if items, _ := plan.OverdueActions(ctx, d, other.scope(), f.kam2.UserID); len(items) != 0 {
			t.Fatal("another tenant sees the overdue action")
		}
		page, err := plan.Plans(ctx, d, f.scope(), plan.ListFilter{AccountID: f.acct, Period: period})
		if err != nil || len(page.Plans) != 1 || page.Plans[0].OverdueActions != 1 || page.Plans[0].OpenActions != 1 {
			t.Fatalf("list: %+v %v", page.Plans, err)
		}
	})
	t.Run("OwnerMayMarkDone", func(t *testing.T) {
		act, err := plan.SetActionDone(ctx, d, f.actor(f.kam2), id, actID, true, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !act.Done() || act.Version != 2 {
			t.Fatalf("got %+v", act)
		}
		if items, _ := plan.OverdueActions(ctx, d, f.scope(), f.kam2.UserID); len(items) != 0 {
			t.Fatal("a done action is still overdue")
		}
		// A second click with the old version: already done, no conflict.
		if act, err := plan.SetActionDone(ctx, d, f.actor(f.kam2), id, actID, true, 1); err != nil || act.Version != 2 {
			t.Fatalf("double click: %+v %v", act, err)
		}
	})
	t.Run("ErrConflictOnStaleToggle", func(t *testing.T) {
		if _, err := plan.SetActionDone(ctx, d, f.actor(f.kam), id, actID, false, 1); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrForbiddenForOthers", func(t *testing.T) {
		third, err := plan.CreateAction(ctx, d, f.actor(f.kam), id, plan.ActionInput{Description: "x", OwnerID: f.kam.UserID, DueDate: yesterday})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := plan.SetActionDone(ctx, d, f.actor(f.kam2), id, third, true, 1); !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
		if err := plan.UpdateAction(ctx, d, f.actor(f.kam2), id, third, in, 1); !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("update: got %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := plan.SetActionDone(ctx, d, other.actor(other.admin), id, actID, false, 2); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
		if _, err := plan.ActionByID(ctx, d, other.scope(), id, actID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("UpdateAndDelete", func(t *testing.T) {
		up := in
		up.Description = "Quarterly business review with the CFO"
		if err := plan.UpdateAction(ctx, d, f.actor(f.kam), id, actID, up, 2); err != nil {
			t.Fatal(err)
		}
		if err := plan.DeleteAction(ctx, d, f.actor(f.kam), id, actID, 2); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("stale delete: got %v", err)
		}
		if err := plan.DeleteAction(ctx, d, f.actor(f.kam), id, actID, 3); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWhitespace(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	other := newFixture(t, d, "other")
	sc := f.scope()
	p1, err := plan.CreateProduct(ctx, d, sc, plan.ProductInput{Name: "Analytics", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := plan.CreateProduct(ctx, d, sc, plan.ProductInput{Name: "Support plus", Active: true})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrProductNameTaken", func(t *testing.T) {
		_, err := plan.CreateProduct(ctx, d, sc, plan.ProductInput{Name: "analytics", Active: true})
		wantFieldError(t, err, "name")
	})
	t.Run("ErrOpportunityNeedsValue", func(t *testing.T) {
		err := plan.SetCell(ctx, d, f.actor(f.kam), f.acct, p1, plan.CellInput{State: plan.CellOpportunity}, 0)
		wantFieldError(t, err, "estimated_value")
	})
	t.Run("OK", func(t *testing.T) {
		close := date(2027, 6, 30)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(plan.SetCell(ctx, d, f.actor(f.kam), f.acct, p1, plan.CellInput{State: plan.CellOpportunity, EstimatedValue: ptr(120000), ExpectedClose: &close}, 0))
		must(plan.SetCell(ctx, d, f.actor(f.kam), f.acct, p2, plan.CellInput{State: plan.CellOwned}, 0))
		must(plan.SetCell(ctx, d, f.actor(f.kam2), f.acct2, p1, plan.CellInput{State: plan.CellOpportunity, EstimatedValue: ptr(30000)}, 0))
		must(plan.SetCell(ctx, d, f.actor(f.leader), f.acct2, p2, plan.CellInput{State: plan.CellNotFit}, 0))
		g, err := plan.Whitespace(ctx, d, sc, plan.GridFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Rows) != 2 || len(g.Products) != 2 {
			t.Fatalf("grid %d × %d", len(g.Rows), len(g.Products))
		}
		if g.OpenValue != 150000 || g.Open != 2 || g.Totals[0].OpenValue != 150000 || g.Totals[1].Owned != 1 || g.Totals[1].NotFit != 1 {
			t.Fatalf("totals %+v, open %v", g.Totals, g.OpenValue)
		}
		if g.Rows[0].AccountName != "Globex" || g.Rows[0].OpenValue != 120000 || g.Rows[0].Cells[1].State != plan.CellOwned {
			t.Fatalf("row %+v", g.Rows[0])
		}
		mine, err := plan.Whitespace(ctx, d, sc, plan.GridFilter{KAMID: f.kam2.UserID})
		if err != nil || len(mine.Rows) != 1 || mine.OpenValue != 30000 {
			t.Fatalf("KAM filter: %+v %v", mine, err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := plan.SetCell(ctx, d, f.actor(f.kam), f.acct, p2, plan.CellInput{State: plan.CellNotFit}, 0)
		if !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		err := plan.SetCell(ctx, d, f.actor(f.kam2), f.acct, p2, plan.CellInput{State: plan.CellNotFit}, 1)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ClearAndRetire", func(t *testing.T) {
		if err := plan.SetCell(ctx, d, f.actor(f.kam), f.acct, p2, plan.CellInput{}, 1); err != nil {
			t.Fatal(err)
		}
		if err := plan.UpdateProduct(ctx, d, sc, p2, plan.ProductInput{Name: "Support plus", Active: false}, 1); err != nil {
			t.Fatal(err)
		}
		g, _ := plan.Whitespace(ctx, d, sc, plan.GridFilter{})
		if len(g.Products) != 1 {
			t.Fatalf("a retired product is still a column: %+v", g.Products)
		}
		err := plan.SetCell(ctx, d, f.actor(f.kam), f.acct, p2, plan.CellInput{State: plan.CellOwned}, 0)
		wantFieldError(t, err, "state")
		if err := plan.UpdateProduct(ctx, d, sc, p2, plan.ProductInput{Name: "Support", Active: true}, 1); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("stale product edit: got %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		err := plan.SetCell(ctx, d, other.actor(other.admin), f.acct, p1, plan.CellInput{State: plan.CellOwned}, 1)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
		err = plan.SetCell(ctx, d, other.actor(other.admin), other.acct, p1, plan.CellInput{State: plan.CellOwned}, 0)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another tenant's product: got %v", err)
		}
		g, err := plan.Whitespace(ctx, d, other.scope(), plan.GridFilter{})
		if err != nil || len(g.Products) != 0 || g.OpenValue != 0 {
			t.Fatalf("other tenant sees %+v %v", g, err)
		}
		if _, err := plan.ProductByID(ctx, d, other.scope(), p1); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
	if n := f.auditCount(t, "whitespace_cell"); n != 5 {
		t.Fatalf("audit events: %d, want 5", n)
	}
}

func TestSettings(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	s, err := plan.SettingsOf(ctx, d, f.scope())
	if err != nil || s.FiscalYearStartMonth != 1 || s.Version != 0 {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	if s.GoalTolerance != 10 {
		t.Fatalf("default tolerance %d, want 10", s.GoalTolerance)
	}
	if err := plan.UpdateSettings(ctx, d, f.scope(), plan.SettingsInput{FiscalYearStartMonth: 4, GoalTolerance: 15}, 0); err != nil {
		t.Fatal(err)
	}
	if err := plan.UpdateSettings(ctx, d, f.scope(), plan.SettingsInput{FiscalYearStartMonth: 7, GoalTolerance: 10}, 0); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale: got %v", err)
	}
	wantFieldError(t, plan.UpdateSettings(ctx, d, f.scope(), plan.SettingsInput{FiscalYearStartMonth: 13, GoalTolerance: 10}, 1), "fiscal_year_start_month")
	wantFieldError(t, plan.UpdateSettings(ctx, d, f.scope(), plan.SettingsInput{FiscalYearStartMonth: 4, GoalTolerance: 0}, 1), "goal_tolerance")
	wantFieldError(t, plan.UpdateSettings(ctx, d, f.scope(), plan.SettingsInput{FiscalYearStartMonth: 4, GoalTolerance: 51}, 1), "goal_tolerance")
	if s, _ := plan.SettingsOf(ctx, d, f.scope()); s.GoalTolerance != 15 || s.FiscalYearStartMonth != 4 {
		t.Fatalf("saved %+v", s)
	}
	id := f.newPlan(t, f.kam, f.acct, "FY2027")
	p, _ := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
	if !p.First.Equal(date(2026, 4, 1)) || !p.Last.Equal(date(2027, 3, 31)) {
		t.Fatalf("April start: %v – %v", p.First, p.Last)
	}
	g := validGoal()
	g.DueDate = date(2026, 5, 1)
	if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, g); err != nil {
		t.Fatalf("a date in April 2026 is inside FY2027: %v", err)
	}
}

// TestProgressFromKPIFigures stands in the KPI area's kpi_figures table
// (as the design describes it) and checks goals read their latest figure.
func TestProgressFromKPIFigures(t *testing.T) {
	u := dbtest.URL(t)
	owner, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `CREATE TABLE IF NOT EXISTS kpi_figures (
			tenant_id uuid NOT NULL DEFAULT app_tenant(), account_id uuid NOT NULL, month date NOT NULL,
			revenue numeric, csat numeric, nps numeric, adoption_pct numeric, upsell_revenue numeric, cross_sell_count integer,
			PRIMARY KEY (tenant_id, account_id, month));
		GRANT SELECT, INSERT ON kpi_figures TO pareto_app`); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, u, db.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f := newFixture(t, d, "own")
	id := f.newPlan(t, f.kam, f.acct, "FY2027")
	rev := validGoal() // 1.0M → 1.2M, trailing twelve months
	rev.ManualProgress = ptr(1_000_000)
	nps := plan.GoalInput{Title: "Promoters", KPI: plan.KPINPS, Baseline: 10, Target: 30, DueDate: date(2027, 12, 31)}
	custom := plan.GoalInput{Title: "Case studies", KPI: plan.KPICustom, CustomMeasure: "Case studies", Baseline: 0, Target: 4,
		DueDate: date(2027, 12, 31), ManualProgress: ptr(1)}
	for _, g := range []plan.GoalInput{rev, nps, custom} {
		if _, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, g); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Tx(ctx, f.scope(), func(tx pgx.Tx) error {
		for m := 1; m <= 12; m++ {
			month := date(2026, time.Month(m), 1)
			if _, err := tx.Exec(ctx, "INSERT INTO kpi_figures (account_id, month, revenue, nps) VALUES ($1, $2, 95000, 15)", f.acct, month); err != nil {
				return err
			}
		}
		// The latest month: revenue and NPS up. A month after the plan
		// period is ignored.
		if _, err := tx.Exec(ctx, `INSERT INTO kpi_figures (account_id, month, revenue, nps) VALUES
			($1, '2027-01-01', 155000, 25), ($1, '2028-02-01', 1, -100)`, f.acct); err != nil {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, err := plan.PlanByID(ctx, d, f.scope(), id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]plan.Goal{}
	for _, g := range p.Goals {
		byTitle[g.Title] = g
	}
	// Revenue: Feb 2026 – Jan 2027 = 11 × 95k + 155k = 1.2M → 100 %.
	if g := byTitle["Grow revenue"]; !g.FromKPI() || *g.Current() != 1_200_000 {
		t.Fatalf("revenue: %+v", g.Figure)
	} else if pct, _ := g.Progress(); pct != 100 {
		t.Fatalf("revenue progress %v", pct)
	}
	// NPS: latest level 25 → (25 − 10) / 20 = 75 %.
	if pct, _ := byTitle["Promoters"].Progress(); pct != 75 {
		t.Fatalf("nps progress %v", pct)
	}
	// Custom measures have no KPI figure: the typed value counts.
	if g := byTitle["Case studies"]; g.FromKPI() {
		t.Fatal("a custom measure read a KPI figure")
	} else if pct, _ := g.Progress(); pct != 25 {
		t.Fatalf("custom progress %v", pct)
	}
}

func TestPlanStates(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "states")
	other := newFixture(t, d, "other")
	other.newPlan(t, other.admin, other.acct, "FY2027")
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) // FY2026 with a January start
	none := f.account(t, "No plan", nil)
	// Globex: an old closed plan, a current active one and a future draft.
	old := f.newPlan(t, f.admin, f.acct, "FY2025")
	if err := plan.UpdatePlan(ctx, f.d, f.actor(f.admin), old, plan.PlanInput{Period: "FY2025", Status: plan.StatusClosed, Why: "Done"}, 1); err != nil {
		t.Fatal(err)
	}
	cur := f.newPlan(t, f.admin, f.acct, "FY2026")
	if err := plan.UpdatePlan(ctx, f.d, f.actor(f.admin), cur, plan.PlanInput{Period: "FY2026", Status: plan.StatusActive, Why: "Grow"}, 1); err != nil {
		t.Fatal(err)
	}
	f.newPlan(t, f.admin, f.acct, "FY2027")
	// Initech: only a closed plan last year and a draft for next year.
	old2 := f.newPlan(t, f.admin, f.acct2, "FY2025")
	if err := plan.UpdatePlan(ctx, f.d, f.actor(f.admin), old2, plan.PlanInput{Period: "FY2025", Status: plan.StatusClosed, Why: "Done"}, 1); err != nil {
		t.Fatal(err)
	}
	f.newPlan(t, f.admin, f.acct2, "FY2027")

	got, err := plan.PlanStates(ctx, d, f.scope(), []uuid.UUID{f.acct, f.acct2, none, other.acct}, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("states %+v", got)
	}
	if g := got[f.acct]; g.PlanID != cur || g.Label() != "Active" {
		t.Fatalf("Globex %+v %q", g, g.Label())
	}
	if g := got[f.acct2]; g.Label() != "Draft · FY2027" {
		t.Fatalf("Initech %+v %q", g, g.Label())
	}
	// In a later year, the latest plan that is not closed still shows.
	got, err = plan.PlanStates(ctx, d, f.scope(), []uuid.UUID{f.acct2}, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || got[f.acct2].Label() != "Draft · FY2027" {
		t.Fatalf("later %+v %v", got, err)
	}
}

func TestGoalCountsOf(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "goals")
	closed := f.newPlan(t, f.admin, f.acct, "FY2026")
	// On 2 Jul 2027, 182 of FY2027's 364 days have passed: a goal due on
	// 31 Dec 2027 is expected at 50 %. With the default tolerance of 10
	// points, typed progress 45 % is on track (5 behind), 35 % at risk
	// (15 behind), 20 % off track (30 behind), 100 % achieved.
	today := date(2027, 7, 2)
	progress := map[plan.GoalStatus]float64{plan.GoalOnTrack: 45, plan.GoalAtRisk: 35, plan.GoalOffTrack: 20, plan.GoalAchieved: 100}
	goal := func(planID uuid.UUID, st plan.GoalStatus) {
		t.Helper()
		in := plan.GoalInput{Title: "Points", KPI: plan.KPICustom, CustomMeasure: "Points", Baseline: 0, Target: 100,
			DueDate: date(2027, 12, 31), ManualProgress: ptr(progress[st])}
		if planID == closed {
			in.DueDate = date(2026, 12, 31)
		}
		if _, err := plan.CreateGoal(ctx, d, f.actor(f.admin), planID, in); err != nil {
			t.Fatal(err)
		}
	}
	open := f.newPlan(t, f.admin, f.acct, "FY2027")
	goal(open, plan.GoalOnTrack)
	goal(open, plan.GoalAchieved)
	goal(open, plan.GoalAtRisk)
	goal(open, plan.GoalOffTrack)
	goal(closed, plan.GoalAchieved) // closed plans' goals never count
	goal(closed, plan.GoalAchieved)
	if err := plan.UpdatePlan(ctx, d, f.actor(f.admin), closed, plan.PlanInput{Period: "FY2026", Status: plan.StatusClosed, Why: "Done"}, 1); err != nil {
		t.Fatal(err)
	}
	other := f.newPlan(t, f.admin, f.acct2, "FY2027")
	goal(other, plan.GoalOffTrack)

	g, err := plan.GoalCountsOf(ctx, d, f.scope(), []uuid.UUID{f.acct}, today)
	if err != nil {
		t.Fatal(err)
	}
	if g != (plan.GoalCounts{OnTrack: 1, AtRisk: 1, OffTrack: 1, Achieved: 1}) {
		t.Fatalf("counts %+v", g)
	}
	if share, ok := g.Attained(); !ok || share != 0.5 {
		t.Fatalf("attained %v %v", share, ok)
	}
	g, err = plan.GoalCountsOf(ctx, d, f.scope(), []uuid.UUID{f.acct, f.acct2}, today)
	if err != nil || g.Total() != 5 {
		t.Fatalf("both: %+v %v", g, err)
	}
	if _, ok := (plan.GoalCounts{}).Attained(); ok {
		t.Fatal("no goals has no attainment")
	}
}
