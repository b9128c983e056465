package notify_test

import "context"
import "errors"
import "fmt"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/keyset"
import "pareto/internal/notify"

func TestMain(m *testing.M) { dbtest.Main(m) }

var counter int

// member signs up a tenant and returns its admin, or invites one more
// member into tenant when given.
func member(t *testing.T, d *db.DB, inviter *auth.Member) auth.Member {
	t.Helper()
	ctx := context.Background()
	as := auth.NewStore(d)
	counter++
	if inviter == nil {
		m, err := as.Signup(ctx, auth.SignupInput{OrgName: fmt.Sprintf("Org %d", counter), Name: fmt.Sprintf("Admin %d", counter),
			Email: fmt.Sprintf("admin%d@n.test", counter), Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	token, _, err := as.CreateInvite(ctx, scope(*inviter), fmt.Sprintf("kam%d@n.test", counter), auth.RoleKAM)
	if err != nil {
		t.Fatal(err)
	}
	m, err := as.AcceptInvite(ctx, token, fmt.Sprintf("Kim %d", counter), "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func scope(m auth.Member) db.Scope { return db.Scope{TenantID: m.TenantID, UserID: m.UserID} }

// add writes items for m's tenant at now and returns how many were new.
func add(t *testing.T, d *db.DB, m auth.Member, now time.Time, items ...notify.Item) int {
	t.Helper()
	var n int
	err := d.Tx(context.Background(), db.Scope{TenantID: m.TenantID}, func(tx pgx.Tx) error {
		var err error
		n, err = notify.AddTx(context.Background(), tx, m.TenantID, now, items...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func item(user uuid.UUID, kind notify.Kind, record uuid.UUID, period, title string) notify.Item {
	return notify.Item{UserID: user, Kind: kind, RecordID: record, Period: period, Title: title, Link: "/notifications"}
}

func TestNotifications(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	ada := member(t, d, nil)
	kim := member(t, d, &ada)
	gus := member(t, d, nil) // another tenant
	ns := notify.NewStore(d)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ns.Now = func() time.Time { return now }
	rec := uuid.New()

	t.Run("NoDuplicateEvent", func(t *testing.T) {
		if n := add(t, d, ada, now, item(kim.UserID, notify.ActionDue, rec, "2026-12-10", "Call the CFO is due")); n != 1 {
			t.Fatalf("first write: %d new, want 1", n)
		}
		// The same event again (the next write, tomorrow's run): nothing new.
		if n := add(t, d, ada, now.Add(time.Hour), item(kim.UserID, notify.ActionDue, rec, "2026-12-10", "Call the CFO is due")); n != 0 {
			t.Fatalf("same event again: %d new, want 0", n)
		}
		// Another period (the due date moved), another kind, another person: new.
		if n := add(t, d, ada, now, item(kim.UserID, notify.ActionDue, rec, "2026-12-12", "moved"),
			item(kim.UserID, notify.ActionOverdue, rec, "2026-12-10", "overdue"),
			item(ada.UserID, notify.ActionDue, rec, "2026-12-10", "for Ada")); n != 3 {
			t.Fatalf("three other events: %d new, want 3", n)
		}
		if n, err := ns.Unread(ctx, scope(kim)); err != nil || n != 3 {
			t.Fatalf("Kim's unread %d (%v), want 3", n, err)
		}
		if n, err := ns.Unread(ctx, scope(ada)); err != nil || n != 1 {
			t.Fatalf("Ada's unread %d (%v), want 1", n, err)
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		// Gus's tenant sees none of them, even under Kim's user id.
		if n, err := ns.Unread(ctx, db.Scope{TenantID: gus.TenantID, UserID: kim.UserID}); err != nil || n != 0 {
			t.Fatalf("unread in another tenant %d (%v), want 0", n, err)
		}
		p, err := ns.List(ctx, scope(kim), notify.Filter{})
		if err != nil || len(p.Notifications) != 3 {
			t.Fatalf("Kim's list %d (%v)", len(p.Notifications), err)
		}
		_, err = ns.MarkRead(ctx, scope(gus), p.Notifications[0].ID)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another tenant marking Kim's: %v, want not found", err)
		}
		_, err = ns.MarkRead(ctx, scope(ada), p.Notifications[0].ID)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another person marking Kim's: %v, want not found", err)
		}
	})

	t.Run("PagesAndRead", func(t *testing.T) {
		for i := range 7 {
			add(t, d, ada, now.Add(time.Duration(i+1)*time.Minute), item(kim.UserID, notify.Risk, uuid.New(), "p", fmt.Sprintf("risk %d", i)))
		}
		// 10 in all, newest first, 4 a page: 4 + 4 + 2.
		var titles []string
		c := keyset.Cursor{}
		for pages := 1; ; pages++ {
			p, err := ns.List(ctx, scope(kim), notify.Filter{Cursor: c, PerPage: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Notifications {
				titles = append(titles, n.Title)
			}
			if !p.Links.HasNext {
				if pages != 3 {
					t.Fatalf("%d pages, want 3", pages)
				}
				break
			}
			c = p.Links.Next
		}
		if len(titles) != 10 || titles[0] != "risk 6" || titles[6] != "risk 0" {
			t.Fatalf("titles %v: want 10, newest (risk 6) first", titles)
		}
		p, _ := ns.List(ctx, scope(kim), notify.Filter{PerPage: 1})
		n, err := ns.MarkRead(ctx, scope(kim), p.Notifications[0].ID)
		if err != nil || n.Title != "risk 6" {
			t.Fatalf("mark read: %+v %v", n, err)
		}
		if u, _ := ns.Unread(ctx, scope(kim)); u != 9 {
			t.Fatalf("unread %d after one read, want 9", u)
		}
		unread, _ := ns.List(ctx, scope(kim), notify.Filter{Unread: true, PerPage: 50})
		if len(unread.Notifications) != 9 || unread.Notifications[0].Title != "risk 5" {
			t.Fatalf("unread list %d, first %q", len(unread.Notifications), unread.Notifications[0].Title)
		}
	})

	t.Run("CountCapped", func(t *testing.T) {
		var items []notify.Item
		for i := range notify.CountCap + 5 {
			items = append(items, item(ada.UserID, notify.Risk, uuid.New(), "p", fmt.Sprint("many ", i)))
		}
		add(t, d, ada, now, items...)
		// 1 + 104 unread; the count stops at CountCap+1 (the bell: "99+").
		if n, _ := ns.Unread(ctx, scope(ada)); n != notify.CountCap+1 {
			t.Fatalf("unread %d, want the cap %d", n, notify.CountCap+1)
		}
		if n, err := ns.MarkAllRead(ctx, scope(ada)); err != nil || n != notify.CountCap+6 {
			t.Fatalf("mark all read: %d %v, want %d", n, err, notify.CountCap+6)
		}
		if n, _ := ns.Unread(ctx, scope(ada)); n != 0 {
			t.Fatalf("unread %d after all read", n)
		}
		if n, _ := ns.Unread(ctx, scope(kim)); n != 9 {
			t.Fatalf("Kim's unread %d after Ada read all hers, want 9", n)
		}
	})
}

func TestDigests(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	ada := member(t, d, nil)
	kim := member(t, d, &ada)
	lee := member(t, d, &ada)
	ns := notify.NewStore(d)
	mon := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC) // Monday of ISO week 2026-W50
	ns.Now = func() time.Time { return mon }
	add(t, d, ada, mon, item(kim.UserID, notify.ActionOverdue, uuid.New(), "a", "Acme: action overdue"),
		item(kim.UserID, notify.Assigned, uuid.New(), "", "Acme was assigned to you"),
		item(kim.UserID, notify.Risk, uuid.New(), "b", "Acme: stale contact"),
		item(lee.UserID, notify.Risk, uuid.New(), "b", "Beta: stale contact"))
	if err := ns.SetDigest(ctx, scope(lee), false); err != nil {
		t.Fatal(err)
	}

	ds, err := ns.TakeDigests(ctx, db.Scope{TenantID: ada.TenantID})
	if err != nil {
		t.Fatal(err)
	}
	// Kim only: Ada has nothing unread, Lee opted out.
	if len(ds) != 1 || ds[0].Email != kim.Email || ds[0].Week != "2026-W50" || ds[0].Unread != 3 {
		t.Fatalf("digests %+v, want Kim's of 2026-W50 with 3 unread", ds)
	}
	// Grouped in the kinds' order: assigned, overdue actions, warnings.
	var got []string
	for _, g := range ds[0].Groups {
		got = append(got, fmt.Sprintf("%s:%d", g.Kind, len(g.Items)))
	}
	if fmt.Sprint(got) != "[assigned:1 action_overdue:1 risk:1]" {
		t.Fatalf("groups %v", got)
	}
	// Again the same week (Sunday evening): nothing.
	ns.Now = func() time.Time { return time.Date(2026, 12, 13, 22, 0, 0, 0, time.UTC) }
	if ds, err := ns.TakeDigests(ctx, db.Scope{TenantID: ada.TenantID}); err != nil || len(ds) != 0 {
		t.Fatalf("second run the same week: %d digests (%v), want 0", len(ds), err)
	}
	st, _ := ns.SettingsOf(ctx, scope(kim))
	if !st.Digest || st.DigestWeek != "2026-W50" {
		t.Fatalf("Kim's settings %+v", st)
	}
	// The next week: Kim's again (still unread); Lee still none.
	ns.Now = func() time.Time { return time.Date(2026, 12, 14, 8, 0, 0, 0, time.UTC) }
	ds, err = ns.TakeDigests(ctx, db.Scope{TenantID: ada.TenantID})
	if err != nil || len(ds) != 1 || ds[0].UserID != kim.UserID || ds[0].Week != "2026-W51" {
		t.Fatalf("next week: %+v %v", ds, err)
	}
	// Kim opts out: the week after, nothing.
	if err := ns.SetDigest(ctx, scope(kim), false); err != nil {
		t.Fatal(err)
	}
	ns.Now = func() time.Time { return time.Date(2026, 12, 21, 8, 0, 0, 0, time.UTC) }
	if ds, err := ns.TakeDigests(ctx, db.Scope{TenantID: ada.TenantID}); err != nil || len(ds) != 0 {
		t.Fatalf("after opting out: %d digests (%v), want 0", len(ds), err)
	}
}

func TestWeek(t *testing.T) {
	for in, want := range map[string]string{"2026-12-07": "2026-W50", "2027-01-01": "2026-W53", "2027-01-04": "2027-W01"} {
		d, _ := time.Parse(time.DateOnly, in)
		if got := notify.Week(d); got != want {
			t.Errorf("Week(%s) = %s, want %s", in, got, want)
		}
	}
}
