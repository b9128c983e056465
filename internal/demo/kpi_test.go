package demo

import "context"
import "fmt"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"

// seedTenant makes a tenant with accounts like the accounts seed's and
// runs the KPI seed on it, returning each account's figures by name.
func seedTenant(t *testing.T) (map[string][]kpi.Figure, *kpi.Store, db.Scope) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.New(t)
	admin, err := auth.NewStore(d).Signup(ctx, auth.SignupInput{OrgName: "Acme", Name: "Ada", Email: "ada@acme.test", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	ids := map[string]uuid.UUID{}
	err = d.Tx(ctx, sc, func(tx pgx.Tx) error {
		for i, a := range []struct{ name, status, key string }{
			{"Alpha", "customer", "key"}, {"Beta", "customer", "key"}, {"Gamma", "customer", "key"}, {"Delta", "customer", "key"},
			{"Epsilon", "former", "former"}, {"Zeta", "customer", "candidate"}, {"Eta", "prospect", "candidate"},
		} {
			var id uuid.UUID
			if err := tx.QueryRow(ctx, `INSERT INTO accounts (name, status, key_status, annual_revenue, segment)
				VALUES ($1, $2, $3, $4, 'Enterprise') RETURNING id`, a.name, a.status, a.key, 1_200_000*(i+1)).Scan(&id); err != nil {
				return err
			}
			ids[a.name] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	if err := seedKPIs(ctx, d, sc, now); err != nil {
		t.Fatal(err)
	}
	s := kpi.NewStore(d)
	s.Now = func() time.Time { return now }
	out := map[string][]kpi.Figure{}
	for name, id := range ids {
		a, err := s.AccountKPIs(ctx, sc, id)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = a.Figures
	}
	return out, s, sc
}

func TestSeedKPIs(t *testing.T) {
	figs, s, sc := seedTenant(t)
	if n := len(figs["Alpha"]); n != KPIMonths {
		t.Errorf("Alpha has %d months, want %d", n, KPIMonths)
	}
	if kpi.FormatMonth(figs["Alpha"][KPIMonths-1].Month) != "2026-10" {
		t.Errorf("last month %s, want last month", kpi.FormatMonth(figs["Alpha"][KPIMonths-1].Month))
	}
	if n := len(figs["Delta"]); n != 9 { // key accounts by name: Alpha, Beta, Delta
		t.Errorf("the third key account should be a customer for 9 months, has %d", n)
	}
	if n := len(figs["Epsilon"]); n == 0 || n >= KPIMonths-4 {
		t.Errorf("the former account should have stopped buying: %d months", n)
	}
	if len(figs["Eta"]) != 0 || len(figs["Zeta"]) != KPIMonths || figs["Zeta"][0].CSAT != nil {
		t.Errorf("prospect %d months; candidate %d months", len(figs["Eta"]), len(figs["Zeta"]))
	}
	withCounts := 0
	for _, f := range figs["Alpha"] {
		if f.CSAT == nil || *f.CSAT < 1 || *f.CSAT > 5 || f.NPS == nil || f.AdoptionPct == nil || f.Revenue <= 0 {
			t.Fatalf("implausible figure %+v", f)
		}
		if f.Promoters != nil {
			withCounts++
		}
	}
	if withCounts != KPIMonths/3 {
		t.Errorf("%d quarterly surveys, want %d", withCounts, KPIMonths/3)
	}
	p, err := s.Portfolio(context.Background(), sc, kpi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	sm := p.Summary
	if sm.Accounts != 4 || !sm.GrowthYoY.OK || !sm.CSAT.OK || !sm.NPS.OK || sm.Retention.Cohort != 4 || sm.Retention.Retained != 3 || sm.Retention.New != 1 {
		t.Errorf("dashboard of the demo: %+v", sm)
	}
	// The same accounts give the same figures.
	again, _, _ := seedTenant(t)
	if fmt.Sprint(figs["Alpha"][5].Revenue, *figs["Delta"][7].CSAT) != fmt.Sprint(again["Alpha"][5].Revenue, *again["Delta"][7].CSAT) {
		t.Error("the seed is not deterministic")
	}
}
