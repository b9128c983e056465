package demo_test

import "context"
import "testing"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/demo"

func TestSeedAccounts(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	admin, err := auth.NewStore(d).Login(ctx, demo.AdminEmail, demo.Password, "test")
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	st := account.NewStore(d)
	p, err := st.Accounts(ctx, sc, account.Filter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != demo.AccountCount {
		t.Fatalf("%d accounts, want %d", p.Total, demo.AccountCount)
	}
	f, err := st.Facets(ctx, sc)
	if err != nil || len(f.Industries) < 8 || len(f.Regions) < 5 {
		t.Fatalf("facets %v %+v", err, f)
	}
	sts, err := st.Stakeholders(ctx, sc, p.Accounts[0].ID)
	if err != nil || len(sts) < 2 {
		t.Fatalf("stakeholders %v %d", err, len(sts))
	}
	if err := demo.Seed(ctx, d); err != demo.ErrAlreadySeeded {
		t.Fatalf("second seed: %v", err)
	}
}
