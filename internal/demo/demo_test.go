package demo_test

import "context"
import "errors"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/demo"
import "pareto/internal/health"
import "pareto/internal/keyset"
import "pareto/internal/kpi"
import "pareto/internal/plan"

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestSeed(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	empty, err := demo.IsEmpty(ctx, d)
	if err != nil || !empty {
		t.Fatalf("fresh database empty=%v err=%v", empty, err)
	}
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	store := auth.NewStore(d)
	admin, err := store.Login(ctx, demo.AdminEmail, demo.Password, "")
	if err != nil || admin.Role != auth.RoleAdmin || admin.TenantName != "Acme Industrial" {
		t.Fatalf("demo admin: %+v, %v", admin, err)
	}
	for _, p := range demo.People {
		m, err := store.Login(ctx, p.Email, demo.Password, "")
		if err != nil || m.Role != p.Role || m.TenantID != admin.TenantID {
			t.Fatalf("%s: %+v, %v", p.Email, m, err)
		}
	}
	if err := demo.Seed(ctx, d); !errors.Is(err, demo.ErrAlreadySeeded) {
		t.Fatalf("second seed: %v, want ErrAlreadySeeded", err)
	}
	t.Run("Numbers", func(t *testing.T) { demoNumbers(t, d, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}) })
	t.Run("Health", func(t *testing.T) {
		checkDemoHealth(t, ctx, d, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID})
	})
}

// demoNumbers checks the demo exercises what issue 14 asks of it.
func demoNumbers(t *testing.T, d *db.DB, sc db.Scope) {
	ctx := context.Background()
	ks := kpi.NewStore(d)
	pf, err := ks.Portfolio(ctx, sc, kpi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// The account declined at mid-year stays in the cohort, lost.
	var declined bool
	for _, r := range pf.Cohort {
		if r.Account.KeyStatus == "declined" && !r.Retained {
			declined = true
		}
	}
	if !declined || pf.Summary.Retention.Retained >= pf.Summary.Retention.Cohort {
		t.Errorf("no declined key account lost in the cohort: %+v", pf.Summary.Retention)
	}
	if !pf.NonKey || !pf.Summary.NonKeyRetention.Accounts.OK {
		t.Errorf("no other accounts to compare: %+v", pf.Summary.NonKeyRetention)
	}
	// Orders give an average transaction size; criteria are linked.
	if !pf.Summary.Volumes.AvgTransaction().OK || len(pf.Linked) < 3 {
		t.Errorf("volumes %+v, %d linked criteria", pf.Summary.Volumes, len(pf.Linked))
	}
	// A partial month: this month's figures for some key accounts.
	custom, err := ks.Portfolio(ctx, sc, kpi.Filter{Period: kpi.PeriodChoice{Key: kpi.CustomPeriod,
		From: kpi.FormatMonth(kpi.AddMonths(kpi.MonthOf(time.Now()), -1)), To: kpi.FormatMonth(time.Now())}})
	if err != nil {
		t.Fatal(err)
	}
	if last := custom.Months[len(custom.Months)-1]; !last.Partial || last.Accounts == 0 {
		t.Errorf("no partial month with figures: %+v", last)
	}
	// CSAT goals on the 1–5 scale, measured by the figures, with progress in view.
	page, err := plan.Plans(ctx, d, sc, plan.ListFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	visible := 0
	for _, p := range page.Plans {
		det, err := plan.PlanByID(ctx, d, sc, p.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range det.Goals {
			if g.KPI != plan.KPICSAT {
				continue
			}
			if g.Baseline < 1 || g.Target > 5 {
				t.Errorf("CSAT goal off the 1–5 scale: %+v", g)
			}
			if pct, known := g.Progress(); known && g.FromKPI() && pct > 0 && pct < 100 {
				visible++
			}
		}
	}
	if visible == 0 {
		t.Error("no CSAT goal shows progress between 0 and 100 %")
	}
}

// checkDemoHealth: the demo shows each of issue 15's situations — a key
// account's champion gone, an overdue review, a low-margin key account,
// single-threaded accounts — and a year of health history.
func checkDemoHealth(t *testing.T, ctx context.Context, d *db.DB, sc db.Scope) {
	t.Helper()
	hs := health.NewStore(d)
	for _, k := range []health.Kind{health.ChampionGone, health.ReviewOverdue, health.LowMargin, health.SingleThreaded} {
		page, err := hs.Risks(ctx, sc, health.RiskFilter{Kind: k, Key: "key"}, keyset.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total == 0 {
			t.Errorf("the demo has no key account warned of %s", k)
		}
	}
	var months, teams, engagements, managers int
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(DISTINCT month) FROM health_history WHERE tenant_id = $1),
			(SELECT count(*) FROM account_team_members WHERE tenant_id = $1),
			(SELECT count(*) FROM engagements WHERE tenant_id = $1),
			(SELECT count(*) FROM accounts WHERE tenant_id = $1 AND manager_user_id IS NOT NULL)`, sc.TenantID).
			Scan(&months, &teams, &engagements, &managers)
	})
	if err != nil {
		t.Fatal(err)
	}
	// 12 months backfilled and the month under way.
	if months != demo.HealthMonths+1 || teams == 0 || engagements == 0 || managers == 0 {
		t.Errorf("history months %d (want %d), team members %d, engagements %d, account managers %d",
			months, demo.HealthMonths+1, teams, engagements, managers)
	}
}
