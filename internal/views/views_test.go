package views_test

import "context"
import "errors"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/views"

func TestMain(m *testing.M) { dbtest.Main(m) }

var ctx = context.Background()

// member invites email into admin's tenant as a KAM.
func member(t *testing.T, as *auth.Store, admin auth.Member, email string) db.Scope {
	t.Helper()
	token, _, err := as.CreateInvite(ctx, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, email, auth.RoleKAM)
	if err != nil {
		t.Fatal(err)
	}
	m, err := as.AcceptInvite(ctx, token, "Kim", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	return db.Scope{TenantID: m.TenantID, UserID: m.UserID}
}

func signup(t *testing.T, as *auth.Store, org string) auth.Member {
	t.Helper()
	m, err := as.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin", Email: "admin@" + strings.ToLower(org) + ".test", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	var fe db.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe[field], want) {
		t.Fatalf("got %v, want a message on %s containing %q", err, field, want)
	}
}

// TestViews: a person saves, lists, renames and deletes their own views;
// names are unique per person and page; nobody else — a colleague in the
// tenant, or another tenant — sees, renames or deletes them, not even
// with plain SQL (the row-level policy checks the person).
func TestViews(t *testing.T) {
	d := dbtest.New(t)
	as := auth.NewStore(d)
	st := views.NewStore(d)
	admin := signup(t, as, "Viewco")
	me := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	colleague := member(t, as, admin, "kim@viewco.test")
	otherAdmin := signup(t, as, "Otherco")
	other := db.Scope{TenantID: otherAdmin.TenantID, UserID: otherAdmin.UserID}

	q, err := views.CleanQuery("industry=Retail&sort=name&q=&dir=desc", []string{"q", "industry", "sort", "dir"})
	if err != nil || q != "dir=desc&industry=Retail&sort=name" {
		t.Fatalf("clean query %q, %v", q, err)
	}
	_, err = views.CleanQuery("industry=Retail&after=abc", []string{"industry"})
	fieldErr(t, err, "query", "no filter “after”")

	v, err := st.Create(ctx, me, "accounts", "  Retail  ", q)
	if err != nil || v.Name != "Retail" || v.Version != 1 {
		t.Fatalf("create: %+v, %v", v, err)
	}
	_, err = st.Create(ctx, me, "accounts", "Retail", "industry=Other")
	fieldErr(t, err, "name", "You already have a view named “Retail” on this page")
	_, err = st.Create(ctx, me, "accounts", " ", q)
	fieldErr(t, err, "name", "Give the view a name.")
	_, err = st.Create(ctx, me, "accounts", strings.Repeat("x", views.MaxName+1), q)
	fieldErr(t, err, "name", "at most 60 characters")
	// The same name on another page, or another person's, is fine.
	if _, err := st.Create(ctx, me, "shortlist", "Retail", "industry=Retail"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create(ctx, colleague, "accounts", "Retail", "industry=Energy"); err != nil {
		t.Fatal(err)
	}

	list, err := st.Views(ctx, me, "accounts")
	if err != nil || len(list) != 1 || list[0].Query != q {
		t.Fatalf("my account views: %+v, %v", list, err)
	}
	for _, sc := range []db.Scope{colleague, other} {
		if _, err := st.Rename(ctx, sc, v.ID, "Mine now", 1); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("someone else renames my view: %v", err)
		}
		if _, err := st.Delete(ctx, sc, v.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("someone else deletes my view: %v", err)
		}
		var n int
		if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM saved_views WHERE id = $1", v.ID).Scan(&n)
		}); err != nil || n != 0 {
			t.Fatalf("plain SQL as someone else sees %d of my views (%v)", n, err)
		}
	}

	if _, err := st.Rename(ctx, me, v.ID, "Retail shops", 0); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale rename: %v", err)
	}
	r, err := st.Rename(ctx, me, v.ID, "Retail shops", 1)
	if err != nil || r.Name != "Retail shops" || r.Version != 2 {
		t.Fatalf("rename: %+v, %v", r, err)
	}
	if _, err := st.Delete(ctx, me, v.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.Views(ctx, me, ""); len(list) != 1 || list[0].Page != "shortlist" {
		t.Fatalf("after delete: %+v", list)
	}
}
