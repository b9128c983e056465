package health_test

import "context"
import "errors"
import "math"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/health"
import "pareto/internal/importer"
import "pareto/internal/kpi"

func mustProfit(t *testing.T, in health.ProfitInput) health.Profit {
	t.Helper()
	p, fe := health.ParseProfit(in, time.Now())
	if len(fe) > 0 {
		t.Fatalf("parse %+v: %v", in, fe)
	}
	return p
}

func TestParseProfit(t *testing.T) {
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in    health.ProfitInput
		field string // the field refused, "" when fine
	}{
		{health.ProfitInput{Month: "2026-10", CostToServe: "12,500.50", Discount: "1000", GrossMargin: "31.5"}, ""},
		{health.ProfitInput{Month: "2026-11", CostToServe: "0", GrossMargin: "-12 %"}, ""},
		{health.ProfitInput{Month: "", CostToServe: "1"}, "month"},
		{health.ProfitInput{Month: "2026-12", CostToServe: "1"}, "month"}, // after this month
		{health.ProfitInput{Month: "1999-12", CostToServe: "1"}, "month"},
		{health.ProfitInput{Month: "2026-10", CostToServe: ""}, "cost_to_serve"},
		{health.ProfitInput{Month: "2026-10", CostToServe: "-5"}, "cost_to_serve"},
		{health.ProfitInput{Month: "2026-10", CostToServe: "1,234.567"}, "cost_to_serve"},
		{health.ProfitInput{Month: "2026-10", CostToServe: "1", Discount: "lots"}, "discount"},
		{health.ProfitInput{Month: "2026-10", CostToServe: "1", GrossMargin: "101"}, "gross_margin"},
	}
	for _, tt := range tests {
		_, fe := health.ParseProfit(tt.in, now)
		if _, bad := fe[tt.field]; (tt.field == "" && len(fe) > 0) || (tt.field != "" && !bad) {
			t.Errorf("%+v: errors %v, want one on %q", tt.in, fe, tt.field)
		}
	}
}

func TestProfitability(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Margin Co")
	other := newTenant(t, d, "Other Co")
	hs := health.NewStore(d)
	key := tn.keyAccount(t, "Key Co")
	plain := tn.keyAccount(t, "Plain Co")
	tn.exec(t, "UPDATE accounts SET key_status = 'candidate', kam_user_id = NULL WHERE id = $1", plain)
	last := kpi.AddMonths(kpi.MonthOf(time.Now()), -1)
	for _, f := range []struct {
		acct    uuid.UUID
		revenue float64
	}{{key, 100000}, {plain, 20000}} {
		if _, err := kpi.NewStore(d).SaveFigure(ctx, tn.admin(), auth.RoleAdmin, f.acct, kpi.Figure{Month: last, Revenue: f.revenue}, 0); err != nil {
			t.Fatal(err)
		}
	}
	m := kpi.FormatMonth(last)

	t.Run("OK", func(t *testing.T) {
		err := hs.SaveProfit(ctx, tn.kam(), auth.RoleKAM, key, mustProfit(t, health.ProfitInput{Month: m, CostToServe: "70000",
			Discount: "5000", GrossMargin: "30"}), 0)
		if err != nil {
			t.Fatal(err)
		}
		err = hs.SaveProfit(ctx, tn.admin(), auth.RoleAdmin, plain, mustProfit(t, health.ProfitInput{Month: m, CostToServe: "4000",
			GrossMargin: "50"}), 0)
		if err != nil {
			t.Fatal(err)
		}
		ap, err := hs.Profitability(ctx, tn.admin(), key, 12)
		if err != nil {
			t.Fatal(err)
		}
		// 100,000 − 70,000 = 30,000; margin 30 %.
		if ap.Counted != 1 || ap.Contribution() != 30000 || !ap.MarginOK || ap.Margin != 30 || ap.Discount != 5000 {
			t.Errorf("account profit %+v, contribution %v", ap, ap.Contribution())
		}
		pf, err := hs.Portfolio(ctx, tn.admin(), 12)
		if err != nil {
			t.Fatal(err)
		}
		km, _ := pf.Key.Margin()
		om, _ := pf.Other.Margin()
		// Key: revenue 100,000, cost 70,000, margin 30 %. Others: 20,000
		// − 4,000 = 16,000, margin 50 %.
		if pf.Key.Accounts != 1 || pf.Key.Contribution() != 30000 || km != 30 || pf.Other.Contribution() != 16000 || om != 50 {
			t.Errorf("portfolio key %+v (margin %v), other %+v (margin %v)", pf.Key, km, pf.Other, om)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		err := hs.SaveProfit(ctx, tn.admin(), auth.RoleAdmin, key, mustProfit(t, health.ProfitInput{Month: m, CostToServe: "1"}), 0)
		var pc *health.ProfitConflict
		if !errors.As(err, &pc) || !errors.Is(err, db.ErrConflict) || pc.Current.CostToServe != 70000 {
			t.Fatalf("stale save: %v", err)
		}
		// With the current version it saves, and the totals follow.
		if err := hs.SaveProfit(ctx, tn.admin(), auth.RoleAdmin, key, mustProfit(t, health.ProfitInput{Month: m, CostToServe: "90000",
			GrossMargin: "10"}), 1); err != nil {
			t.Fatal(err)
		}
		pf, _ := hs.Portfolio(ctx, tn.admin(), 12)
		if pf.Key.Contribution() != 10000 {
			t.Errorf("key contribution %v after the update, want 10,000", pf.Key.Contribution())
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		// The KAM does not manage Plain Co.
		err := hs.SaveProfit(ctx, tn.kam(), auth.RoleKAM, plain, mustProfit(t, health.ProfitInput{Month: m, CostToServe: "1"}), 1)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("KAM saving another's account: %v", err)
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		err := hs.SaveProfit(ctx, other.admin(), auth.RoleAdmin, key, mustProfit(t, health.ProfitInput{Month: m, CostToServe: "1"}), 0)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant saving: %v", err)
		}
		if _, err := hs.Profitability(ctx, other.admin(), key, 12); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant reading: %v", err)
		}
		if pf, _ := hs.Portfolio(ctx, other.admin(), 12); pf.Key.Accounts != 0 || pf.Other.Accounts != 0 {
			t.Errorf("other tenant's totals %+v", pf)
		}
	})

	t.Run("Import", func(t *testing.T) {
		imp := importer.NewStore(d)
		csv := "account,month,cost_to_serve,gross_margin\n" + plain.String() + "," + m + ",5000,40\n" +
			"Key Co," + m + ",-1,\n"
		id, err := imp.Upload(ctx, tn.admin(), auth.RoleAdmin, health.ProfitImport, "p.csv", []byte(csv))
		if err != nil {
			t.Fatalf("%v %v", err, err.(db.FieldErrors))
		}
		pv, err := imp.Preview(ctx, tn.admin(), auth.RoleAdmin, health.ProfitImport, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pv.OK() {
			t.Fatalf("a negative cost passed the preview: %+v", pv)
		}
		// Nothing is written while a row is bad.
		if _, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, health.ProfitImport, id, nil); err == nil {
			t.Fatal("commit with a bad row succeeded")
		}
		ap, _ := hs.Profitability(ctx, tn.admin(), plain, 12)
		if ap.CostToServe != 4000 {
			t.Errorf("cost %v after a refused import, want 4,000 kept", ap.CostToServe)
		}
		good := "account,month,cost_to_serve,gross_margin\n" + plain.String() + "," + m + ",5000,40\n"
		id, err = imp.Upload(ctx, tn.admin(), auth.RoleAdmin, health.ProfitImport, "p.csv", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := imp.Commit(ctx, tn.admin(), auth.RoleAdmin, health.ProfitImport, id, nil); err != nil {
			t.Fatalf("%v: %v", err, err.(db.FieldErrors))
		}
		ap, _ = hs.Profitability(ctx, tn.admin(), plain, 12)
		if ap.CostToServe != 5000 || math.Abs(ap.Margin-40) > 1e-9 {
			t.Errorf("after the import: cost %v margin %v", ap.CostToServe, ap.Margin)
		}
	})
}
