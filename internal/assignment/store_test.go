package assignment_test

import "context"
import "errors"
import "fmt"
import "slices"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/assignment"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/keyset"

func TestMain(m *testing.M) { dbtest.Main(m) }

var ctx = context.Background()

// fixture is one tenant with an admin, a leader and two KAMs.
type fixture struct {
	t      *testing.T
	d      *db.DB
	s      *assignment.Store
	auth   *auth.Store
	tenant uuid.UUID
	admin  auth.Member
	leader auth.Member
	ann    auth.Member // KAM
	bob    auth.Member // KAM
}

func newFixture(t *testing.T, d *db.DB, org string) *fixture {
	t.Helper()
	as := auth.NewStore(d)
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	admin, err := as.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin", Email: "admin@" + slug + ".test", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, d: d, s: assignment.NewStore(d), auth: as, tenant: admin.TenantID, admin: admin}
	f.leader = f.member("lena@"+slug+".test", "Lena Leader", auth.RoleLeader)
	f.ann = f.member("ann@"+slug+".test", "Ann KAM", auth.RoleKAM)
	f.bob = f.member("bob@"+slug+".test", "Bob KAM", auth.RoleKAM)
	return f
}

func (f *fixture) member(email, name string, role auth.Role) auth.Member {
	f.t.Helper()
	token, _, err := f.auth.CreateInvite(ctx, f.scope(f.admin), email, role)
	if err != nil {
		f.t.Fatal(err)
	}
	m, err := f.auth.AcceptInvite(ctx, token, name, "correct-horse-battery")
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fixture) scope(m auth.Member) db.Scope {
	return db.Scope{TenantID: f.tenant, UserID: m.UserID}
}

type acc struct {
	name, region, industry, keyStatus string
	revenue, potential                float64
	kam                               uuid.UUID
}

// account inserts an account with plain SQL and returns its id.
func (f *fixture) account(a acc) uuid.UUID {
	f.t.Helper()
	if a.keyStatus == "" {
		a.keyStatus = "key"
	}
	var kam *uuid.UUID
	if a.kam != uuid.Nil {
		kam = &a.kam
	}
	var id uuid.UUID
	err := f.d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO accounts (name, region, industry, key_status, annual_revenue, revenue_potential, kam_user_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, a.name, a.region, a.industry, a.keyStatus, a.revenue, a.potential, kam).Scan(&id); err != nil {
			return err
		}
		return account.Recount(ctx, tx, f.tenant) // the kept tallies, as bulk writers keep them
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) version(id uuid.UUID) int {
	f.t.Helper()
	var v int
	if err := f.d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT version FROM accounts WHERE id = $1", id).Scan(&v)
	}); err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *fixture) kamOf(id uuid.UUID) uuid.UUID {
	f.t.Helper()
	var k *uuid.UUID
	if err := f.d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT kam_user_id FROM accounts WHERE id = $1", id).Scan(&k)
	}); err != nil {
		f.t.Fatal(err)
	}
	if k == nil {
		return uuid.Nil
	}
	return *k
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error { return tx.QueryRow(ctx, sql, args...).Scan(&n) }); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) setCapacity(m auth.Member, capacity string) {
	f.t.Helper()
	p, err := f.s.Profile(ctx, f.scope(f.leader), m.UserID)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.s.UpdateProfile(ctx, f.scope(f.leader), m.UserID, assignment.ProfileInput{Capacity: capacity,
		Regions: strings.Join(p.Regions, ","), Industries: strings.Join(p.Industries, ",")}, p.Version); err != nil {
		f.t.Fatal(err)
	}
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var fe db.FieldErrors
	if !errors.As(err, &fe) || fe[field] == "" {
		t.Fatalf("want a field error for %q, got %v (%v)", field, err, fe)
	}
}

func TestAssign(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	other := newFixture(t, d, "Other Co")

	t.Run("OK", func(t *testing.T) {
		id := f.account(acc{name: "Bosch", region: "EMEA"})
		res, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.ToName != "Ann KAM" || res.FromName != "" || res.OverCapacity {
			t.Fatalf("result %+v", res)
		}
		if f.kamOf(id) != f.ann.UserID || f.version(id) != 2 {
			t.Fatalf("account not updated: kam %v version %d", f.kamOf(id), f.version(id))
		}
		if n := f.count("SELECT count(*) FROM audit_events WHERE action = 'assign_kam' AND entity_id = $1", id.String()); n != 1 {
			t.Fatalf("%d audit events", n)
		}
	})
	t.Run("ReassignKeepsHistory", func(t *testing.T) {
		id := f.account(acc{name: "Siemens"})
		if _, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 1}); err != nil {
			t.Fatal(err)
		}
		res, err := f.s.Assign(ctx, f.scope(f.admin), assignment.AssignInput{AccountID: id, KAMUserID: f.bob.UserID.String(), Version: 2,
			Reason: "Ann moves to the Americas team"})
		if err != nil {
			t.Fatal(err)
		}
		if res.FromName != "Ann KAM" || res.ToName != "Bob KAM" {
			t.Fatalf("result %+v", res)
		}
		st, err := f.s.AccountAssignment(ctx, f.scope(f.ann), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.History) != 2 {
			t.Fatalf("history %+v", st.History)
		}
		h := st.History[0] // newest first
		if h.FromName != "Ann KAM" || h.ToName != "Bob KAM" || h.ByName != "Admin" || h.Reason != "Ann moves to the Americas team" || h.At.IsZero() {
			t.Fatalf("newest history entry %+v", h)
		}
		if st.History[1].FromName != "" || st.History[1].ToName != "Ann KAM" || st.History[1].ByName != "Lena Leader" {
			t.Fatalf("first history entry %+v", st.History[1])
		}
		if st.Account.KAMName != "Bob KAM" || st.Account.KAMState != "active" {
			t.Fatalf("account %+v", st.Account)
		}
	})
	t.Run("ErrSameKAM", func(t *testing.T) {
		id := f.account(acc{name: "Same", kam: f.ann.UserID})
		_, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 1})
		fieldErr(t, err, "kam_user_id")
	})
	t.Run("ErrKAMMustBeActiveKAM", func(t *testing.T) {
		id := f.account(acc{name: "Target"})
		gone := f.member("gone@acme.test", "Gone KAM", auth.RoleKAM)
		if _, err := f.auth.UpdateMember(ctx, f.scope(f.admin), gone.UserID, auth.RoleKAM, false, 1); err != nil {
			t.Fatal(err)
		}
		for name, kam := range map[string]string{
			"Deactivated": gone.UserID.String(), "Leader": f.leader.UserID.String(), "Unknown": uuid.NewString(),
			"OtherTenantsKAM": other.ann.UserID.String(), "Empty": "", "Garbage": "x",
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: kam, Version: 1})
				fieldErr(t, err, "kam_user_id")
			})
		}
		if f.kamOf(id) != uuid.Nil || f.version(id) != 1 {
			t.Fatal("a refused assignment wrote")
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		id := f.account(acc{name: "Stale"})
		_, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 7})
		if !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		if f.kamOf(id) != uuid.Nil || f.count("SELECT count(*) FROM account_assignments WHERE account_id = $1", id) != 0 {
			t.Fatal("a stale assignment wrote")
		}
	})
	t.Run("ErrForbiddenForKAM", func(t *testing.T) {
		id := f.account(acc{name: "Bob's", kam: f.bob.UserID})
		_, err := f.s.Assign(ctx, f.scope(f.ann), assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 1})
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v, want ErrForbidden", err)
		}
		if f.kamOf(id) != f.bob.UserID {
			t.Fatal("a KAM took another KAM's account")
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		id := other.account(acc{name: "Theirs"})
		_, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 1})
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		if _, err := f.s.AccountAssignment(ctx, f.scope(f.leader), id); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("read: got %v, want ErrNotFound", err)
		}
		if other.kamOf(id) != uuid.Nil {
			t.Fatal("another tenant's account changed")
		}
	})
}

func TestCapacityOverride(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	f.setCapacity(f.ann, "2")
	f.account(acc{name: "One", kam: f.ann.UserID})
	f.account(acc{name: "Two", kam: f.ann.UserID})
	f.account(acc{name: "Candidate", keyStatus: "candidate", kam: f.ann.UserID}) // does not count
	id := f.account(acc{name: "Three"})
	in := assignment.AssignInput{AccountID: id, KAMUserID: f.ann.UserID.String(), Version: 1}

	t.Run("ErrNeedsOverride", func(t *testing.T) {
		_, err := f.s.Assign(ctx, f.scope(f.leader), in)
		fieldErr(t, err, "override")
		if !strings.Contains(err.(db.FieldErrors)["override"], "2 of 2") {
			t.Fatalf("message %q", err)
		}
	})
	t.Run("ErrOverrideNeedsReason", func(t *testing.T) {
		in := in
		in.Override, in.Reason = true, "   "
		_, err := f.s.Assign(ctx, f.scope(f.leader), in)
		fieldErr(t, err, "reason")
	})
	t.Run("NonKeyAccountNeedsNoSlot", func(t *testing.T) {
		cand := f.account(acc{name: "Watch", keyStatus: "watch"})
		if _, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: cand, KAMUserID: f.ann.UserID.String(), Version: 1}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OKWithOverrideAndReason", func(t *testing.T) {
		in := in
		in.Override, in.Reason = true, "Ann built this relationship"
		res, err := f.s.Assign(ctx, f.scope(f.leader), in)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OverCapacity {
			t.Fatal("not marked over capacity")
		}
		if n := f.count("SELECT count(*) FROM account_assignments WHERE account_id = $1 AND over_capacity_override AND reason = $2",
			id, "Ann built this relationship"); n != 1 {
			t.Fatalf("%d override rows", n)
		}
		w, err := f.s.Workload(ctx, f.scope(f.leader))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range w.KAMs {
			if k.UserID == f.ann.UserID && (!k.Over() || k.KeyAccounts != 3 || k.Capacity != 2) {
				t.Fatalf("Ann's load %+v", k)
			}
		}
	})
	t.Run("OverrideUnusedWhenThereIsRoom", func(t *testing.T) {
		id := f.account(acc{name: "Roomy"})
		res, err := f.s.Assign(ctx, f.scope(f.leader), assignment.AssignInput{AccountID: id, KAMUserID: f.bob.UserID.String(), Version: 1, Override: true})
		if err != nil || res.OverCapacity {
			t.Fatalf("got %+v, %v", res, err)
		}
	})
}

func TestProfile(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	other := newFixture(t, d, "Other Co")

	t.Run("DefaultsThenSave", func(t *testing.T) {
		p, err := f.s.Profile(ctx, f.scope(f.leader), f.ann.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Capacity != assignment.DefaultCapacity || p.Version != 0 || len(p.Regions) != 0 {
			t.Fatalf("defaults %+v", p)
		}
		p, err = f.s.UpdateProfile(ctx, f.scope(f.leader), f.ann.UserID, assignment.ProfileInput{Capacity: " 5 ",
			Regions: "EMEA, DACH", Industries: "Manufacturing\nAutomotive", Notes: "Speaks German"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Capacity != 5 || p.Version != 1 || strings.Join(p.Regions, "|") != "EMEA|DACH" ||
			strings.Join(p.Industries, "|") != "Manufacturing|Automotive" || p.Notes != "Speaks German" {
			t.Fatalf("saved %+v", p)
		}
		p, err = f.s.UpdateProfile(ctx, f.scope(f.admin), f.ann.UserID, assignment.ProfileInput{Capacity: "6", Regions: "EMEA"}, 1)
		if err != nil || p.Version != 2 || p.Capacity != 6 {
			t.Fatalf("second save %+v %v", p, err)
		}
		if n := f.count("SELECT count(*) FROM audit_events WHERE entity = 'kam_profile' AND entity_id = $1", f.ann.UserID.String()); n != 2 {
			t.Fatalf("%d audit events", n)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		for _, v := range []int{0, 1} { // a first save racing another, and a plain stale one
			_, err := f.s.UpdateProfile(ctx, f.scope(f.leader), f.ann.UserID, assignment.ProfileInput{Capacity: "3"}, v)
			if !errors.Is(err, db.ErrConflict) {
				t.Fatalf("version %d: got %v, want ErrConflict", v, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for field, in := range map[string]assignment.ProfileInput{
			"capacity":   {Capacity: "0"},
			"notes":      {Capacity: "8", Notes: strings.Repeat("x", assignment.MaxNotes+1)},
			"regions":    {Capacity: "8", Regions: strings.Repeat("x", 101)},
			"industries": {Capacity: "8", Industries: manyItems(assignment.MaxListItems + 1)},
		} {
			_, err := f.s.UpdateProfile(ctx, f.scope(f.leader), f.bob.UserID, in, 0)
			fieldErr(t, err, field)
		}
		for _, c := range []string{"", "eight", "201", "-1"} {
			_, err := f.s.UpdateProfile(ctx, f.scope(f.leader), f.bob.UserID, assignment.ProfileInput{Capacity: c}, 0)
			fieldErr(t, err, "capacity")
		}
	})
	t.Run("ErrForbiddenForKAM", func(t *testing.T) {
		_, err := f.s.UpdateProfile(ctx, f.scope(f.bob), f.bob.UserID, assignment.ProfileInput{Capacity: "200"}, 0)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNotAKAM", func(t *testing.T) {
		if _, err := f.s.Profile(ctx, f.scope(f.leader), f.leader.UserID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := f.s.Profile(ctx, f.scope(f.leader), other.ann.UserID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("read: got %v", err)
		}
		_, err := f.s.UpdateProfile(ctx, f.scope(f.leader), other.ann.UserID, assignment.ProfileInput{Capacity: "3"}, 0)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("write: got %v", err)
		}
	})
}

func manyItems(n int) string {
	var items []string
	for i := range n {
		items = append(items, "item"+strconv.Itoa(i))
	}
	return strings.Join(items, ",")
}

func TestWorkload(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	other := newFixture(t, d, "Other Co")
	other.account(acc{name: "Not ours", revenue: 1e6})
	if _, err := f.s.UpdateProfile(ctx, f.scope(f.leader), f.bob.UserID, assignment.ProfileInput{Capacity: "4", Regions: "EMEA"}, 0); err != nil {
		t.Fatal(err)
	}
	a1 := f.account(acc{name: "A1", revenue: 100, potential: 250, kam: f.ann.UserID})
	f.account(acc{name: "A2", keyStatus: "candidate", revenue: 50, potential: 10, kam: f.ann.UserID})
	f.account(acc{name: "U1", region: "EMEA", revenue: 300})
	f.account(acc{name: "U2", revenue: 200})
	f.account(acc{name: "Not key", keyStatus: "candidate"}) // unassigned but not key: not listed
	today := time.Now()
	if err := d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO interactions (account_id, occurred_on, kind, summary, next_step, next_step_due, next_step_owner_id, next_step_done_at)
			VALUES ($1, $2, 'call', 'x', 'Send offer', $3, $4, NULL), ($1, $2, 'call', 'y', 'Call back', $5, $4, NULL),
			       ($1, $2, 'call', 'z', 'Done one', $3, $4, now())`,
			a1, today, today.AddDate(0, 0, -3), f.ann.UserID, today.AddDate(0, 0, 3))
		return err
	}); err != nil {
		t.Fatal(err)
	}

	w, err := f.s.Workload(ctx, f.scope(f.leader))
	if err != nil {
		t.Fatal(err)
	}
	if w.Currency != "EUR" || len(w.KAMs) != 2 {
		t.Fatalf("workload %+v", w)
	}
	ann, bob := w.KAMs[0], w.KAMs[1]
	if ann.Name != "Ann KAM" || ann.KeyAccounts != 1 || ann.OtherAccounts != 1 || ann.Revenue != 150 || ann.Headroom != 150 ||
		ann.OverdueSteps != 1 || ann.Capacity != 8 || ann.AvgScore != nil {
		t.Fatalf("Ann %+v", ann)
	}
	if bob.KeyAccounts != 0 || bob.Capacity != 4 {
		t.Fatalf("Bob %+v", bob)
	}
	if len(w.Unassigned) != 2 || w.Unassigned[0].Name != "U1" || w.Unassigned[0].KAMName != "Bob KAM" ||
		w.Unassigned[0].Reason != "Region EMEA matches; 0 of 4 slots used" {
		t.Fatalf("unassigned %+v", w.Unassigned)
	}

	t.Run("DeactivatedKAMsAccountsNeedReassignment", func(t *testing.T) {
		if _, err := f.auth.UpdateMember(ctx, f.scope(f.admin), f.ann.UserID, auth.RoleKAM, false, 1); err != nil {
			t.Fatal(err)
		}
		w, err := f.s.Workload(ctx, f.scope(f.leader))
		if err != nil {
			t.Fatal(err)
		}
		if len(w.KAMs) != 1 || len(w.NeedsReassignment) != 2 || w.NeedsReassignment[0].KAMState != "deactivated" ||
			w.NeedsReassignment[0].KAMName != "Ann KAM" {
			t.Fatalf("workload %+v", w)
		}
		if n, err := f.s.CountNeedingReassignment(ctx, f.scope(f.admin)); err != nil || n != 2 {
			t.Fatalf("count %d %v", n, err)
		}
		if n, err := f.s.CountAccounts(ctx, f.scope(f.admin), f.ann.UserID); err != nil || n != 2 {
			t.Fatalf("count %d %v", n, err)
		}
		// The suggestions include the deactivated KAM's key account, not
		// the candidate.
		p, err := f.s.Suggestions(ctx, f.scope(f.leader))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 3 {
			t.Fatalf("plan %+v", p.Items)
		}
		if p.After[f.bob.UserID] != 3 {
			t.Fatalf("after %v", p.After)
		}
	})
}

func TestApplyPlan(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	f.setCapacity(f.ann, "2")
	f.setCapacity(f.bob, "2")
	for _, n := range []string{"P1", "P2", "P3"} {
		f.account(acc{name: n})
	}
	plan := func() []assignment.PlanItem {
		p, err := f.s.Suggestions(ctx, f.scope(f.leader))
		if err != nil {
			t.Fatal(err)
		}
		var items []assignment.PlanItem
		for _, it := range p.Items {
			if it.OK() {
				items = append(items, assignment.PlanItem{AccountID: it.AccountID, KAMUserID: it.KAMUserID, Version: it.Version})
			}
		}
		return items
	}
	history := func() int { return f.count("SELECT count(*) FROM account_assignments") }

	t.Run("ErrEmpty", func(t *testing.T) {
		_, err := f.s.ApplyPlan(ctx, f.scope(f.leader), nil)
		fieldErr(t, err, "items")
	})
	t.Run("ErrForbiddenForKAM", func(t *testing.T) {
		if _, err := f.s.ApplyPlan(ctx, f.scope(f.ann), plan()); !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrConflictWritesNothing", func(t *testing.T) {
		items := plan()
		if len(items) != 3 {
			t.Fatalf("plan %+v", items)
		}
		items[len(items)-1].Version = 99
		_, err := f.s.ApplyPlan(ctx, f.scope(f.leader), items)
		var bc *assignment.BatchConflict
		if !errors.Is(err, db.ErrConflict) || !errors.As(err, &bc) || len(bc.Problems) != 1 {
			t.Fatalf("got %v", err)
		}
		if history() != 0 || f.count("SELECT count(*) FROM accounts WHERE kam_user_id IS NOT NULL") != 0 {
			t.Fatal("a refused batch wrote")
		}
	})
	t.Run("ErrOverCapacityWritesNothing", func(t *testing.T) {
		items := plan()
		for i := range items {
			items[i].KAMUserID = f.ann.UserID // 3 accounts for 2 slots
		}
		_, err := f.s.ApplyPlan(ctx, f.scope(f.leader), items)
		if !errors.Is(err, db.ErrConflict) || !strings.Contains(err.Error(), "no free slot") {
			t.Fatalf("got %v", err)
		}
		if history() != 0 {
			t.Fatal("a refused batch wrote")
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		items := plan()
		_, err := f.s.ApplyPlan(ctx, f.scope(f.leader), append(items, items[0]))
		fieldErr(t, err, "items")
	})
	t.Run("OK", func(t *testing.T) {
		n, err := f.s.ApplyPlan(ctx, f.scope(f.leader), plan())
		if err != nil || n != 3 {
			t.Fatalf("applied %d: %v", n, err)
		}
		if history() != 3 || f.count("SELECT count(*) FROM account_assignments WHERE reason LIKE 'Suggested: %'") != 3 {
			t.Fatal("history not written")
		}
		w, err := f.s.Workload(ctx, f.scope(f.leader))
		if err != nil {
			t.Fatal(err)
		}
		if w.KAMs[0].KeyAccounts != 2 || w.KAMs[1].KeyAccounts != 1 || len(w.Unassigned) != 0 {
			t.Fatalf("loads %d/%d, unassigned %d", w.KAMs[0].KeyAccounts, w.KAMs[1].KeyAccounts, len(w.Unassigned))
		}
		if n := f.count("SELECT count(*) FROM audit_events WHERE action = 'assign_kam' AND after->>'from_suggestions' = 'true'"); n != 3 {
			t.Fatalf("%d audit events", n)
		}
	})
	t.Run("NothingLeftToSuggest", func(t *testing.T) {
		f.account(acc{name: "P4", revenue: 2})
		f.account(acc{name: "P5", revenue: 1})
		p, err := f.s.Suggestions(ctx, f.scope(f.leader))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 2 || p.Items[0].Name != "P4" || !p.Items[0].OK() || p.Items[1].OK() || p.Items[1].Reason != assignment.ReasonNoCapacity {
			t.Fatalf("plan %+v", p.Items)
		}
	})
}

func TestMyAccounts(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	mine := f.account(acc{name: "Mine", kam: f.ann.UserID})
	f.account(acc{name: "Bob's", kam: f.bob.UserID})
	today := time.Now()
	if err := d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO interactions (account_id, occurred_on, kind, summary, next_step, next_step_due, next_step_owner_id)
			VALUES ($1, $2, 'meeting', 'kick-off', 'Send the proposal', $3, $4), ($1, $2, 'note', 'n', 'Book a visit', NULL, $4)`,
			mine, today, today.AddDate(0, 0, -1), f.ann.UserID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m, err := f.s.MyAccounts(ctx, f.scope(f.ann), keyset.Cursor{}, keyset.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) != 1 || m.Accounts[0].Name != "Mine" || m.Accounts[0].OpenSteps != 2 || m.Accounts[0].OverdueSteps != 1 ||
		m.Accounts[0].NextStep != "Send the proposal" || m.Accounts[0].NextStepDue == nil {
		t.Fatalf("accounts %+v", m.Accounts)
	}
	if len(m.NextSteps) != 2 || !m.NextSteps[0].Overdue || m.NextSteps[1].Due != nil || m.NextSteps[1].Overdue {
		t.Fatalf("next steps %+v", m.NextSteps)
	}
	m, err = f.s.MyAccounts(ctx, f.scope(f.leader), keyset.Cursor{}, keyset.Cursor{})
	if err != nil || len(m.Accounts) != 0 || len(m.NextSteps) != 0 {
		t.Fatalf("leader: %+v %v", m, err)
	}
}

// rank writes a ranking row for the account as the scoring area keeps it.
func (f *fixture) rank(id uuid.UUID, score10 int, complete bool) {
	f.t.Helper()
	if err := f.d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO account_rankings (tenant_id, account_id, score10, scored, complete, headroom, sort_name,
				archived, kam_user_id, segment, key_status)
			SELECT a.tenant_id, a.id, $2, 3, $3, 0, a.sort_name, a.archived_at IS NOT NULL, a.kam_user_id, a.segment, a.key_status
			FROM accounts a WHERE a.id = $1`, id, score10, complete); err != nil {
			return err
		}
		return account.Recount(ctx, tx, f.tenant)
	}); err != nil {
		f.t.Fatal(err)
	}
}

func TestWorkloadAvgScore(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	f.rank(f.account(acc{name: "K1", kam: f.ann.UserID}), 73, true)
	f.rank(f.account(acc{name: "K2", kam: f.ann.UserID}), 80, true)
	f.rank(f.account(acc{name: "Incomplete", kam: f.ann.UserID}), 20, false)
	f.rank(f.account(acc{name: "Not key", keyStatus: "watch", kam: f.ann.UserID}), 10, true)
	f.account(acc{name: "Unscored", kam: f.ann.UserID})
	f.rank(f.account(acc{name: "Bob incomplete", kam: f.bob.UserID}), 90, false)
	archived := f.account(acc{name: "Archived", kam: f.ann.UserID})
	f.rank(archived, 10, true)
	if err := d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE accounts SET archived_at = now() WHERE id = $1", archived); err != nil {
			return err
		}
		return account.Recount(ctx, tx, f.tenant)
	}); err != nil {
		t.Fatal(err)
	}
	w, err := f.s.Workload(ctx, f.scope(f.leader))
	if err != nil {
		t.Fatal(err)
	}
	ann, bob := w.KAMs[0], w.KAMs[1]
	if ann.AvgScore == nil || *ann.AvgScore < 7.649 || *ann.AvgScore > 7.651 {
		t.Fatalf("Ann's average score %v, want 7.65", ann.AvgScore)
	}
	if bob.AvgScore != nil {
		t.Fatalf("Bob has no complete key account, got %v", *bob.AvgScore)
	}
}

// TestKAMAccountsPaged: a KAM's accounts come a page at a time, key
// accounts first, then the others by name; the counts are the kept
// tallies. Ann manages 2 key accounts (Zeta, Alpha) and 51 others
// (O01..O51) and Bob one: page 1 is Alpha, Zeta, O01..O50 (52 rows), page
// 2 is O51 alone; the counts are 53 accounts, 2 key.
func TestKAMAccountsPaged(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	f.account(acc{name: "Zeta", kam: f.ann.UserID})
	f.account(acc{name: "Alpha", kam: f.ann.UserID})
	f.account(acc{name: "Bob's", kam: f.bob.UserID})
	if err := d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		var rows [][]any
		for i := 51; i >= 1; i-- {
			rows = append(rows, []any{f.tenant, fmt.Sprintf("O%02d", i), "candidate", f.ann.UserID})
		}
		if _, err := db.InsertRows(ctx, tx, "accounts", []string{"tenant_id", "name", "key_status", "kam_user_id"}, rows, ""); err != nil {
			return err
		}
		return account.Recount(ctx, tx, f.tenant)
	}); err != nil {
		t.Fatal(err)
	}
	names := func(n int, first string) []string {
		out := []string{}
		for i := range n {
			out = append(out, fmt.Sprintf("O%02d", i+1))
		}
		if first != "" {
			out = append([]string{"Alpha", first}, out...)
		}
		return out
	}
	check := func(what string, got []string, links keyset.Links, counts assignment.KAMCounts, want []string, prev, next bool) {
		t.Helper()
		if !slices.Equal(got, want) || links.HasPrev != prev || links.HasNext != next || counts != (assignment.KAMCounts{Accounts: 53, KeyAccounts: 2}) {
			t.Fatalf("%s: %v (prev %v next %v) counts %+v; want %v", what, got, links.HasPrev, links.HasNext, counts, want)
		}
	}
	p, err := f.s.Accounts(ctx, f.scope(f.leader), f.ann.UserID, keyset.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.Accounts {
		got = append(got, a.Name)
	}
	check("profile page 1", got, p.Links, p.Counts, names(50, "Zeta"), false, true)
	p, err = f.s.Accounts(ctx, f.scope(f.leader), f.ann.UserID, p.Links.Next)
	if err != nil {
		t.Fatal(err)
	}
	check("profile page 2", []string{p.Accounts[0].Name}, p.Links, p.Counts, []string{"O51"}, true, false)
	if len(p.Accounts) != 1 {
		t.Fatalf("page 2: %d rows", len(p.Accounts))
	}

	m, err := f.s.MyAccounts(ctx, f.scope(f.ann), keyset.Cursor{}, keyset.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, a := range m.Accounts {
		got = append(got, a.Name)
	}
	check("mine page 1", got, m.Links, m.Counts, names(50, "Zeta"), false, true)
	m, err = f.s.MyAccounts(ctx, f.scope(f.ann), m.Links.Next, keyset.Cursor{})
	if err != nil || len(m.Accounts) != 1 {
		t.Fatalf("mine page 2: %+v %v", m.Accounts, err)
	}
	check("mine page 2", []string{m.Accounts[0].Name}, m.Links, m.Counts, []string{"O51"}, true, false)
}

// TestMyOtherAccountsPaged: "Also on" pages by name, 50 a page, merging
// the two ways a person is on an account (account manager, team member)
// into one row with both roles. Ann manages A00…A59 (60 accounts) and is
// in the team of A05 (both ways: one row) and of T1, T2 (team only):
// 62 accounts, so page 1 is A00…A49, page 2 A50…A59, T1, T2.
func TestMyOtherAccountsPaged(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "Acme")
	other := f.account(acc{name: "Bob's", kam: f.bob.UserID})
	var want []string
	ids := map[string]uuid.UUID{}
	for i := range 60 {
		name := fmt.Sprintf("A%02d", i)
		ids[name] = f.account(acc{name: name, keyStatus: "candidate"})
		want = append(want, name)
	}
	ids["T1"] = f.account(acc{name: "T1", kam: f.bob.UserID})
	ids["T2"] = f.account(acc{name: "T2", keyStatus: "candidate"})
	want = append(want, "T1", "T2")
	if err := d.Tx(ctx, f.scope(f.admin), func(tx pgx.Tx) error {
		for i := range 60 {
			if _, err := tx.Exec(ctx, "UPDATE accounts SET manager_user_id = $1 WHERE id = $2", f.ann.UserID, ids[fmt.Sprintf("A%02d", i)]); err != nil {
				return err
			}
		}
		for name, role := range map[string]string{"A05": "finance", "T1": "executive_sponsor", "T2": "service_lead"} {
			if _, err := tx.Exec(ctx, `INSERT INTO account_team_members (account_id, user_id, role, added_at) VALUES ($1, $2, $3, now())`,
				ids[name], f.ann.UserID, role); err != nil {
				return err
			}
		}
		// Bob's account manager is Lena: not Ann's.
		_, err := tx.Exec(ctx, "UPDATE accounts SET manager_user_id = $1 WHERE id = $2", f.leader.UserID, other)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	read := func(c keyset.Cursor) ([]string, assignment.Mine) {
		t.Helper()
		m, err := f.s.MyAccounts(ctx, f.scope(f.ann), keyset.Cursor{}, c)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range m.Others {
			got = append(got, o.Name)
			switch o.Name {
			case "A05":
				if !slices.Equal(o.Roles, []string{"account_manager", "finance"}) {
					t.Errorf("A05 roles %v", o.Roles)
				}
			case "T1":
				if !slices.Equal(o.Roles, []string{"executive_sponsor"}) || o.KeyStatus != "key" {
					t.Errorf("T1 %+v", o)
				}
			}
		}
		return got, m
	}
	got, m := read(keyset.Cursor{})
	if !slices.Equal(got, want[:50]) || m.OthersLinks.HasPrev || !m.OthersLinks.HasNext {
		t.Fatalf("page 1: %v %+v", got, m.OthersLinks)
	}
	got, m = read(m.OthersLinks.Next)
	if !slices.Equal(got, want[50:]) || !m.OthersLinks.HasPrev || m.OthersLinks.HasNext {
		t.Fatalf("page 2: %v %+v", got, m.OthersLinks)
	}
	// Back from page 2 is page 1 again (the first page's cursor).
	if !m.OthersLinks.Prev.First() {
		t.Fatalf("prev of page 2 %+v", m.OthersLinks.Prev)
	}
	// A cursor made by walking back from the end: the 50 before T1.
	got, _ = read(keyset.Cursor{Keys: []string{"t1", ids["T1"].String()}, Back: true})
	if !slices.Equal(got, want[10:60]) {
		t.Fatalf("back from T1: %v", got)
	}
	// Other tenant: Ann sees none of another tenant's accounts (and
	// nobody there has her as account manager).
	g := newFixture(t, d, "Globex")
	m2, err := g.s.MyAccounts(ctx, g.scope(g.ann), keyset.Cursor{}, keyset.Cursor{})
	if err != nil || len(m2.Others) != 0 {
		t.Fatalf("other tenant: %+v %v", m2.Others, err)
	}
}
