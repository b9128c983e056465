package audit_test

import "context"
import "fmt"
import "slices"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestEntriesPages walks the log page by page (keyset pages, newest
// first) and back, with and without a filter.
func TestEntriesPages(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	as := auth.NewStore(d)
	m, err := as.Signup(ctx, auth.SignupInput{OrgName: "Acme", Name: "Ann Admin", Email: "ann@acme.test", Password: "correct horse battery staple 9"})
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: m.TenantID, UserID: m.UserID}
	other, err := as.Signup(ctx, auth.SignupInput{OrgName: "Other", Name: "Olga", Email: "olga@other.test", Password: "correct horse battery staple 9"})
	if err != nil {
		t.Fatal(err)
	}
	// 120 events in three transactions (so several share a timestamp).
	for batch := range 3 {
		if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
			for i := range 40 {
				n := batch*40 + i
				entity := []string{"thing", "widget"}[n%2]
				if err := audit.Record(ctx, tx, audit.Event{ActorID: m.UserID, Action: "create", Entity: entity, EntityID: fmt.Sprint(n)}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	walk := func(f audit.Filter) (ids []int64, totals []int) {
		t.Helper()
		for range 20 {
			p, err := audit.Entries(ctx, d, sc, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				ids = append(ids, e.ID)
			}
			totals = append(totals, p.Total)
			if !p.Links.HasNext {
				return ids, totals
			}
			f.Cursor = p.Links.Next
		}
		t.Fatal("more than 20 pages")
		return nil, nil
	}
	t.Run("AllNewestFirst", func(t *testing.T) {
		ids, totals := walk(audit.Filter{PerPage: 50})
		// 120 events plus what the signup recorded.
		if len(ids) < 120 || totals[0] != len(ids) || !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) {
			t.Fatalf("%d events, totals %v, order %v", len(ids), totals, ids[:5])
		}
		if len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Fatal("an event on two pages")
		}
	})
	t.Run("FilteredAndBack", func(t *testing.T) {
		f := audit.Filter{Entity: "thing", PerPage: 25}
		ids, totals := walk(f)
		if len(ids) != 60 || totals[0] != 60 {
			t.Fatalf("thing: %d events, total %v", len(ids), totals)
		}
		first, _ := audit.Entries(ctx, d, sc, f)
		f.Cursor = first.Links.Next
		second, _ := audit.Entries(ctx, d, sc, f)
		f.Cursor = second.Links.Prev
		back, err := audit.Entries(ctx, d, sc, f)
		if err != nil || len(back.Entries) != 25 || back.Entries[0].ID != first.Entries[0].ID || back.Links.HasPrev {
			t.Fatalf("back to the first page: %v %+v", err, back.Links)
		}
	})
	t.Run("Entities", func(t *testing.T) {
		es, err := audit.Entities(ctx, d, sc)
		if err != nil || !slices.Contains(es, "thing") || !slices.Contains(es, "widget") || !slices.IsSorted(es) {
			t.Fatalf("%v %v", es, err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		p, err := audit.Entries(ctx, d, db.Scope{TenantID: other.TenantID, UserID: other.UserID}, audit.Filter{Entity: "thing"})
		if err != nil || len(p.Entries) != 0 || p.Total != 0 {
			t.Fatalf("other tenant sees %d events", len(p.Entries))
		}
	})
}

// The log names the records it lists (issue 17: names, not ids), also
// those whose id is not an account's own: an account review (its account
// and date) and a month's profitability, whose record id is the
// account's id and the month. Both showed raw ids before.
func TestEntriesNameReviewsAndMonths(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	m, err := auth.NewStore(d).Signup(ctx, auth.SignupInput{OrgName: "Acme", Name: "Ann Admin", Email: "ann@acme.test", Password: "correct horse battery staple 9"})
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: m.TenantID, UserID: m.UserID}
	var accountID, reviewID string
	if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO accounts (tenant_id, name) VALUES ($1, 'Globex') RETURNING id::text`, sc.TenantID).Scan(&accountID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO account_reviews (tenant_id, account_id, held_on, snapshot, created_at)
			VALUES ($1, $2, '2026-11-12', '{}', now()) RETURNING id::text`, sc.TenantID, accountID).Scan(&reviewID); err != nil {
			return err
		}
		for _, e := range []audit.Event{
			{ActorID: m.UserID, Action: "hold", Entity: "account_review", EntityID: reviewID},
			{ActorID: m.UserID, Action: "create", Entity: "profitability", EntityID: accountID + "/2026-11"},
		} {
			if err := audit.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, err := audit.Entries(ctx, d, sc, audit.Filter{PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{reviewID: "Globex · 2026-11-12", accountID + "/2026-11": "Globex · 2026-11"} {
		if got := p.Names[id]; got != want {
			t.Errorf("name of %s: %q, want %q", id, got, want)
		}
	}
}
