package demo

import "context"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/plan"

// seededPlans seeds the demo tenant on a fresh database with three key
// accounts and returns what the plan area made of them.
func seededPlans(t *testing.T, today time.Time) (plan.ListPage, plan.Grid) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.New(t)
	if _, _, err := seedPeople(ctx, d); err != nil { // no accounts yet: plans do nothing
		t.Fatal(err)
	}
	m, err := auth.NewStore(d).Login(ctx, AdminEmail, Password, "test")
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: m.TenantID, UserID: m.UserID}
	if ps, err := plan.Products(ctx, d, sc, false); err != nil || len(ps) != 0 {
		t.Fatalf("products without accounts: %v %v", ps, err)
	}
	if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		var kam uuid.UUID
		if err := tx.QueryRow(ctx, "SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'kam' ORDER BY created_at LIMIT 1",
			sc.TenantID).Scan(&kam); err != nil {
			return err
		}
		var rows [][]any
		for _, a := range []struct {
			name    string
			revenue int
		}{{"Borealis Foods", 1200000}, {"Cobalt Mining", 800000}, {"Delta Pharma", 0}} {
			rows = append(rows, []any{sc.TenantID, a.name, "key", "customer", a.revenue, kam})
		}
		_, err := db.InsertRows(ctx, tx, "accounts", []string{"tenant_id", "name", "key_status", "status", "annual_revenue", "kam_user_id"}, rows, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := seedPlansAt(ctx, d, sc, today); err != nil {
		t.Fatal(err)
	}
	page, err := plan.Plans(ctx, d, sc, plan.ListFilter{Sort: "period"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := plan.Whitespace(ctx, d, sc, plan.GridFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return page, g
}

func TestSeedPlans(t *testing.T) {
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	page, g := seededPlans(t, today)
	if page.Total != 5 { // three this year, two closed last year
		t.Fatalf("%d plans, want 5", page.Total)
	}
	for _, p := range page.Plans {
		if p.GoalCount() < 2 {
			t.Errorf("%s %s has %d goals", p.AccountName, p.Period, p.GoalCount())
		}
		if p.Period == "FY2025" && p.Status != plan.StatusClosed {
			t.Errorf("last year's plan is %s", p.Status)
		}
	}
	if len(g.Products) != len(demoProducts) || len(g.Rows) != 3 || g.Open == 0 {
		t.Fatalf("grid: %d products, %d rows, %d open", len(g.Products), len(g.Rows), g.Open)
	}
	again, g2 := seededPlans(t, today)
	if again.Total != page.Total || g2.OpenValue != g.OpenValue {
		t.Fatalf("the seed is not deterministic: %d/%v vs %d/%v", again.Total, g2.OpenValue, page.Total, g.OpenValue)
	}
	for i := range page.Plans {
		a, b := page.Plans[i], again.Plans[i]
		if a.AccountName != b.AccountName || a.OnTrack != b.OnTrack || a.AtRisk != b.AtRisk || a.OpenActions != b.OpenActions {
			t.Fatalf("plan %d differs: %+v vs %+v", i, a, b)
		}
	}
}
