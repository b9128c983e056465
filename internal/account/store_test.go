package account_test

import "context"
import "errors"
import "fmt"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

func TestMain(m *testing.M) { dbtest.Main(m) }

// tenant is a test tenant with an admin and a KAM.
type tenant struct {
	Admin, KAM auth.Member
}

func (tn tenant) admin() db.Scope {
	return db.Scope{TenantID: tn.Admin.TenantID, UserID: tn.Admin.UserID}
}
func (tn tenant) kam() db.Scope { return db.Scope{TenantID: tn.KAM.TenantID, UserID: tn.KAM.UserID} }

var counter int

func newTenant(t testing.TB, d *db.DB, org string) tenant {
	t.Helper()
	ctx := context.Background()
	as := auth.NewStore(d)
	counter++
	admin, err := as.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin " + org, Email: fmt.Sprintf("admin%d@x.test", counter), Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := as.CreateInvite(ctx, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, fmt.Sprintf("kam%d@x.test", counter), auth.RoleKAM)
	if err != nil {
		t.Fatal(err)
	}
	kam, err := as.AcceptInvite(ctx, token, "Kim KAM", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	return tenant{Admin: admin, KAM: kam}
}

func mustFields(t testing.TB, in account.Input) account.Fields {
	t.Helper()
	f, err := in.Parse()
	if err != nil {
		t.Fatalf("parse %v: %v", in, err)
	}
	return f
}

func createAccount(t testing.TB, s *account.Store, sc db.Scope, name, ref string) account.Account {
	t.Helper()
	a, err := s.CreateAccount(context.Background(), sc, auth.RoleAdmin, mustFields(t, account.Input{
		"name": name, "external_ref": ref, "industry": "Chemicals", "region": "EMEA", "status": "customer",
		"annual_revenue": "1,250,000.50", "revenue_potential": "3000000", "customer_since": "2019-04-01"}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// assignKAM sets the primary KAM directly (the assignment area owns this).
func assignKAM(t testing.TB, d *db.DB, sc db.Scope, accountID, userID uuid.UUID) {
	t.Helper()
	err := d.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE accounts SET kam_user_id = $2 WHERE id = $1", accountID, userID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func auditCount(t testing.TB, d *db.DB, sc db.Scope, entity string) int {
	t.Helper()
	var n int
	err := d.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT count(*) FROM audit_events WHERE entity = $1", entity).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want FieldErrors on %s", err, field)
	}
	if _, ok := fe[field]; !ok {
		t.Fatalf("got %v, want an error on %s", fe, field)
	}
}

func TestCreateAccount(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		a := createAccount(t, s, tn.admin(), "Globex", "G-1")
		if a.Name != "Globex" || a.AnnualRevenue != 125000050 || a.RevenuePotential != 300000000 || a.Version != 1 ||
			a.KeyStatus != account.KeyCandidate || a.Status != account.StatusCustomer || a.CustomerSince.Format(time.DateOnly) != "2019-04-01" {
			t.Fatalf("got %+v", a)
		}
		if a.Headroom() != 300000000-125000050 {
			t.Fatalf("headroom %v", a.Headroom())
		}
		got, err := s.Account(ctx, tn.admin(), a.ID)
		if err != nil || got.Name != "Globex" {
			t.Fatalf("get: %v %+v", err, got)
		}
		if n := auditCount(t, d, tn.admin(), "account"); n != 1 {
			t.Fatalf("audit events %d, want 1", n)
		}
	})
	t.Run("ErrNameRequired", func(t *testing.T) {
		_, err := account.Input{"name": "  "}.Parse()
		fieldErr(t, err, "name")
	})
	t.Run("ErrBadValues", func(t *testing.T) {
		_, err := account.Input{"name": "X", "annual_revenue": "-5", "revenue_potential": "abc", "status": "vip",
			"customer_since": "31.12.2020", "external_ref": string(make([]byte, 101))}.Parse()
		for _, f := range []string{"annual_revenue", "revenue_potential", "status", "customer_since", "external_ref"} {
			fieldErr(t, err, f)
		}
	})
	t.Run("ErrRefTaken", func(t *testing.T) {
		createAccount(t, s, tn.admin(), "One", "DUP")
		_, err := s.CreateAccount(ctx, tn.admin(), auth.RoleAdmin, mustFields(t, account.Input{"name": "Two", "external_ref": "DUP"}))
		fieldErr(t, err, "external_ref")
	})
	t.Run("ErrForbiddenForKAM", func(t *testing.T) {
		_, err := s.CreateAccount(ctx, tn.kam(), auth.RoleKAM, mustFields(t, account.Input{"name": "Mine"}))
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v, want ErrForbidden", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newTenant(t, d, "Other")
		a := createAccount(t, s, tn.admin(), "Secret", "S-1")
		if _, err := s.Account(ctx, other.admin(), a.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant read: %v, want ErrNotFound", err)
		}
		if _, err := s.UpdateAccount(ctx, other.admin(), auth.RoleAdmin, a.ID, a.Fields, a.Version); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant update: %v, want ErrNotFound", err)
		}
		if _, err := s.ArchiveAccount(ctx, other.admin(), auth.RoleAdmin, a.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant archive: %v, want ErrNotFound", err)
		}
		// The same reference is free in another tenant.
		createAccount(t, s, other.admin(), "Theirs", "S-1")
	})
}

func TestUpdateAccount(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	a := createAccount(t, s, tn.admin(), "Globex", "G-1")

	t.Run("OK", func(t *testing.T) {
		f := a.Fields
		f.Name, f.AnnualRevenue = "Globex Corp", 99
		got, err := s.UpdateAccount(ctx, tn.admin(), auth.RoleAdmin, a.ID, f, a.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Globex Corp" || got.Version != a.Version+1 || got.AnnualRevenue != 99 {
			t.Fatalf("got %+v", got)
		}
		a = got
	})
	t.Run("UnchangedKeepsVersion", func(t *testing.T) {
		n := auditCount(t, d, tn.admin(), "account")
		got, err := s.UpdateAccount(ctx, tn.admin(), auth.RoleAdmin, a.ID, a.Fields, a.Version)
		if err != nil || got.Version != a.Version {
			t.Fatalf("got %v version %d, want %d", err, got.Version, a.Version)
		}
		if auditCount(t, d, tn.admin(), "account") != n {
			t.Fatal("an unchanged save was audited")
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		// Two editors open version v; the first saves, the second is refused.
		v := a.Version
		first, second := a.Fields, a.Fields
		first.Notes, second.Notes = "first editor", "second editor"
		if _, err := s.UpdateAccount(ctx, tn.admin(), auth.RoleAdmin, a.ID, first, v); err != nil {
			t.Fatal(err)
		}
		_, err := s.UpdateAccount(ctx, tn.admin(), auth.RoleLeader, a.ID, second, v)
		var ce *account.ConflictError
		if !errors.Is(err, db.ErrConflict) || !errors.As(err, &ce) || ce.Current.Notes != "first editor" {
			t.Fatalf("got %v, want a ConflictError carrying the first editor's values", err)
		}
		got, _ := s.Account(ctx, tn.admin(), a.ID)
		if got.Notes != "first editor" {
			t.Fatalf("database has %q, want the first editor's value", got.Notes)
		}
		a = got
	})
	t.Run("KAMNeedsAssignment", func(t *testing.T) {
		f := a.Fields
		f.Notes = "by kam"
		if _, err := s.UpdateAccount(ctx, tn.kam(), auth.RoleKAM, a.ID, f, a.Version); !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("unassigned KAM: %v, want ErrForbidden", err)
		}
		assignKAM(t, d, tn.admin(), a.ID, tn.KAM.UserID)
		got, err := s.UpdateAccount(ctx, tn.kam(), auth.RoleKAM, a.ID, f, a.Version)
		if err != nil || got.Notes != "by kam" {
			t.Fatalf("assigned KAM: %v %+v", err, got)
		}
		a = got
	})
	t.Run("ArchiveRestore", func(t *testing.T) {
		got, err := s.ArchiveAccount(ctx, tn.admin(), auth.RoleAdmin, a.ID)
		if err != nil || !got.Archived() {
			t.Fatalf("archive: %v %+v", err, got)
		}
		p, err := s.Accounts(ctx, tn.admin(), account.Filter{})
		if err != nil || p.Total != 0 {
			t.Fatalf("archived account listed: %v %d", err, p.Total)
		}
		got, err = s.RestoreAccount(ctx, tn.admin(), auth.RoleAdmin, a.ID)
		if err != nil || got.Archived() {
			t.Fatalf("restore: %v %+v", err, got)
		}
	})
}

func TestCanEdit(t *testing.T) {
	me, other := uuid.New(), uuid.New()
	for _, tc := range []struct {
		role auth.Role
		kam  uuid.UUID
		want bool
	}{
		{auth.RoleAdmin, uuid.Nil, true}, {auth.RoleLeader, other, true},
		{auth.RoleKAM, uuid.Nil, false}, {auth.RoleKAM, other, false}, {auth.RoleKAM, me, true},
		{auth.Role("guest"), me, false},
	} {
		if got := account.CanEdit(tc.role, me, account.Account{KAMUserID: tc.kam}); got != tc.want {
			t.Errorf("CanEdit(%s, kam=%v) = %v, want %v", tc.role, tc.kam == me, got, tc.want)
		}
	}
}

func TestAccountsList(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	for i := range 120 {
		in := account.Input{"name": fmt.Sprintf("Account %03d", i), "external_ref": fmt.Sprintf("R%03d", i),
			"industry": []string{"Chemicals", "Retail", "Energy"}[i%3], "region": []string{"EMEA", "APAC"}[i%2],
			"annual_revenue": fmt.Sprint(i * 1000), "revenue_potential": "100000", "status": "customer"}
		if _, err := s.CreateAccount(ctx, tn.admin(), auth.RoleAdmin, mustFields(t, in)); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("PagesAreStableAndComplete", func(t *testing.T) {
		seen := map[uuid.UUID]bool{}
		f := account.Filter{Sort: "industry"}
		for page := 1; page <= 3; page++ {
			p, err := s.Accounts(ctx, tn.admin(), f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != 120 || !p.Exact || p.Links.First != (page-1)*50+1 || p.Links.HasNext != (page < 3) {
				t.Fatalf("page %d: total %d links %+v", page, p.Total, p.Links)
			}
			for _, a := range p.Accounts {
				if seen[a.ID] {
					t.Fatalf("%s on two pages", a.Name)
				}
				seen[a.ID] = true
			}
			f.Cursor = p.Links.Next
		}
		if len(seen) != 120 {
			t.Fatalf("saw %d accounts, want 120", len(seen))
		}
	})
	t.Run("FilterSearchSort", func(t *testing.T) {
		p, err := s.Accounts(ctx, tn.admin(), account.Filter{Industry: "Retail", Region: "APAC", Sort: "annual_revenue", Desc: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 20 || p.Accounts[0].Name != "Account 115" {
			t.Fatalf("total %d first %q", p.Total, p.Accounts[0].Name)
		}
		p, err = s.Accounts(ctx, tn.admin(), account.Filter{Q: "r10"})
		if err != nil || p.Total != 10 {
			t.Fatalf("search by ref: %v %d, want 10", err, p.Total)
		}
		p, err = s.Accounts(ctx, tn.admin(), account.Filter{Q: "100%_"})
		if err != nil || p.Total != 0 {
			t.Fatalf("search with wildcards: %v %d, want 0", err, p.Total)
		}
		p, err = s.Accounts(ctx, tn.admin(), account.Filter{KAM: "none", Sort: "headroom"})
		if err != nil || p.Total != 120 || p.Accounts[0].Name != "Account 119" {
			t.Fatalf("kam none sorted by headroom: %v %d", err, p.Total)
		}
	})
	t.Run("Facets", func(t *testing.T) {
		f, err := s.Facets(ctx, tn.admin())
		if err != nil || len(f.Industries) != 3 || f.Industries[0].Value != "Chemicals" || f.Industries[0].Count != 40 {
			t.Fatalf("%v %+v", err, f)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newTenant(t, d, "Other")
		p, err := s.Accounts(ctx, other.admin(), account.Filter{})
		if err != nil || p.Total != 0 {
			t.Fatalf("other tenant sees %d accounts", p.Total)
		}
	})
}

// Defect (issue 17): the industry filter listed "Manufacturing" and
// "manufacturing" apart. A value that differs from one in use only by
// letter case is stored with the spelling in use, on create and update;
// an account may still change the case of its own value.
func TestIndustrySameCase(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	mk := func(name, industry string) account.Account {
		a, err := s.CreateAccount(ctx, tn.admin(), auth.RoleAdmin, mustFields(t, account.Input{"name": name, "industry": industry}))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	mk("One", "Manufacturing")
	if a := mk("Two", "manufacturing"); a.Industry != "Manufacturing" {
		t.Errorf("created with %q, want the spelling in use", a.Industry)
	}
	three := mk("Three", "Retail")
	f := three.Fields
	f.Industry = "MANUFACTURING"
	got, err := s.UpdateAccount(ctx, tn.admin(), auth.RoleAdmin, three.ID, f, three.Version)
	if err != nil || got.Industry != "Manufacturing" {
		t.Fatalf("updated to %q (%v), want Manufacturing", got.Industry, err)
	}
	facets, err := s.Facets(ctx, tn.admin())
	if err != nil {
		t.Fatal(err)
	}
	if len(facets.Industries) != 1 || facets.Industries[0] != (account.Facet{Value: "Manufacturing", Count: 3}) {
		t.Errorf("industry facets %+v, want Manufacturing ×3 only", facets.Industries)
	}
	f = got.Fields
	f.Industry = "manufacturing" // its own value recased on purpose: kept (a lone value must stay recasable)
	if got, err = s.UpdateAccount(ctx, tn.admin(), auth.RoleAdmin, three.ID, f, got.Version); err != nil || got.Industry != "manufacturing" {
		t.Errorf("recasing an account's own value: %q (%v)", got.Industry, err)
	}
}
