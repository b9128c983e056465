package importer

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// refs is a small kind for the pipeline's tests, independent of the
// account import's rules: accounts matched by external reference, with
// a name and an annual revenue (whole numbers, not negative).
var refs = &Kind{
	Name:   "test_refs",
	Entity: "test_account",
	Fields: []Field{
		{Key: "ref", Label: "Reference", Required: true},
		{Key: "name", Label: "Name", Required: true},
		{Key: "revenue", Label: "Revenue"},
	},
	CanImport: func(r auth.Role) bool { return r != auth.RoleKAM },
	Plan:      planRefs,
	Target: Target{Table: "accounts", Key: []string{"id"}, Versioned: true,
		Columns: []string{"id", "external_ref", "name", "annual_revenue"}},
}

type refAccount struct {
	id      uuid.UUID
	name    string
	revenue int64
	version int
}

func planRefs(ctx context.Context, tx pgx.Tx, a Actor, rows []Row, p *Plan) error {
	q, _ := tx.Query(ctx, "SELECT external_ref, id, name, annual_revenue::bigint, version FROM accounts WHERE tenant_id = $1 AND external_ref IS NOT NULL", a.TenantID)
	existing := map[string]refAccount{}
	var ref string
	var acc refAccount
	if _, err := pgx.ForEachRow(q, []any{&ref, &acc.id, &acc.name, &acc.revenue, &acc.version}, func() error {
		existing[ref] = acc
		return nil
	}); err != nil {
		return err
	}
	seen := map[string]int{}
	for _, r := range rows {
		ref, name := r.Value("ref"), r.Value("name")
		bad := false
		if l, dup := seen[ref]; dup {
			p.Failf(r, "ref", "Also on line %d.", l)
			bad = true
		}
		seen[ref] = r.Line
		if name == "" {
			p.Fail(r, "name", "Enter a name.")
			bad = true
		}
		revenue, err := strconv.ParseInt(r.Value("revenue"), 10, 64)
		if err != nil || revenue < 0 {
			p.Fail(r, "revenue", "Enter a whole amount, 0 or more.")
			bad = true
		}
		if bad {
			continue
		}
		after := map[string]any{"name": name, "revenue": revenue}
		cur, found := existing[ref]
		c := Change{Record: name, After: after}
		switch {
		case !found:
			id := uuid.New()
			c.EntityID, c.Values = id.String(), []any{id, ref, name, revenue}
			err = p.Create(r, c)
		case cur.name == name && cur.revenue == revenue:
			p.Keep(r, name, cur.id.String())
		default:
			c.EntityID, c.Values, c.Version = cur.id.String(), []any{cur.id, ref, name, revenue}, cur.version
			c.Before, c.Changed = map[string]any{"name": cur.name, "revenue": cur.revenue}, []string{"Name or revenue"}
			err = p.Update(r, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type fixture struct {
	d     *db.DB
	s     *Store
	admin db.Scope
	other db.Scope // another tenant's admin
}

var signups int

func newFixture(t *testing.T) *fixture {
	d := dbtest.New(t)
	as := auth.NewStore(d)
	scope := func(org string) db.Scope {
		signups++
		m, err := as.Signup(context.Background(), auth.SignupInput{OrgName: org, Name: "Admin", Email: fmt.Sprintf("admin%d@import.test", signups),
			Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
		return db.Scope{TenantID: m.TenantID, UserID: m.UserID}
	}
	s := NewStore(d)
	fixed := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s.Now = func() time.Time { return fixed }
	return &fixture{d: d, s: s, admin: scope("Own Co"), other: scope("Other Co")}
}

// upload uploads data as the admin and returns its id.
func (fx *fixture) upload(t *testing.T, data string) uuid.UUID {
	t.Helper()
	id, err := fx.s.Upload(context.Background(), fx.admin, auth.RoleAdmin, refs, "refs.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var refMapping = Mapping{"ref", "name", "revenue"}

// count runs a count query in the admin's tenant.
func (fx *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := fx.d.Tx(context.Background(), fx.admin, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), q, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// refsFile is n rows R-0… with revenue i*10 (+ bump).
func refsFile(n, bump int) string {
	var b strings.Builder
	b.WriteString("ref,name,revenue\n")
	for i := range n {
		fmt.Fprintf(&b, "R-%d,Firm %d,%d\n", i, i, i*10+bump)
	}
	return b.String()
}

func TestPipeline(t *testing.T) {
	for _, batched := range []bool{false, true} {
		t.Run(map[bool]string{false: "Copy", true: "Batches"}[batched], func(t *testing.T) {
			fx := newFixture(t)
			fx.s.batched = batched
			testPipeline(t, fx)
		})
	}
}

func testPipeline(t *testing.T, fx *fixture) {
	ctx := context.Background()
	// 2,345 rows cross the batch writer's 1,000-row statements.
	const n = 2345
	t.Run("OK", func(t *testing.T) {
		id := fx.upload(t, refsFile(n, 0))
		pv, err := fx.s.Preview(ctx, fx.admin, auth.RoleAdmin, refs, id, refMapping)
		if err != nil || !pv.OK() || pv.Creates != n || len(pv.Rows) != n {
			t.Fatalf("preview %v %+v", err, pv.Plan)
		}
		if got := fx.count(t, "SELECT count(*) FROM accounts"); got != 0 {
			t.Fatalf("the preview wrote %d accounts", got)
		}
		pv, err = fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, id, refMapping)
		if err != nil || pv.Creates != n {
			t.Fatalf("commit %v %+v", err, pv)
		}
		// Revenue of R-i is 10·i: the sum over i < 2,345 is
		// 10 · 2,344 · 2,345 / 2 = 27,483,400.
		if got := fx.count(t, "SELECT sum(annual_revenue)::bigint FROM accounts WHERE name LIKE 'Firm %'"); got != 27_483_400 {
			t.Fatalf("revenue sum %d, want 27,483,400", got)
		}
		if got := fx.count(t, "SELECT count(*) FROM accounts WHERE version = 1 AND external_ref ~ '^R-[0-9]+$'"); got != n {
			t.Fatalf("%d accounts written, want %d", got, n)
		}
		// One audit event per record, in file order, with the actor, and
		// one for the import itself.
		if got := fx.count(t, "SELECT count(*) FROM audit_events WHERE entity = 'test_account' AND action = 'import_create' AND actor_id = $1 AND before IS NULL",
			fx.admin.UserID); got != n {
			t.Fatalf("%d audit events, want %d", got, n)
		}
		var after string
		if err := fx.d.Tx(ctx, fx.admin, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT e.after::text FROM audit_events e JOIN accounts a ON a.tenant_id = e.tenant_id
				AND a.id::text = e.entity_id WHERE a.external_ref = 'R-7'`).Scan(&after)
		}); err != nil || after != `{"name": "Firm 7", "revenue": 70}` {
			t.Fatalf("audit of R-7: %s %v", after, err)
		}
		if got := fx.count(t, "SELECT count(*) FROM audit_events WHERE entity = 'import' AND entity_id = $1 AND after->>'created' = $2",
			id.String(), strconv.Itoa(n)); got != 1 {
			t.Fatalf("%d import events", got)
		}
		if got := fx.count(t, "SELECT count(*) FROM import_mappings WHERE kind = 'test_refs' AND mapping ? 'revenue'"); got != 1 {
			t.Fatal("mapping not remembered")
		}
		// Committed once: the second time is refused.
		if pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, id, refMapping); !errors.Is(err, ErrInvalid) ||
			!strings.Contains(strings.Join(pv.Problems, ""), "imported already") {
			t.Fatalf("second commit: %v", err)
		}
	})
	t.Run("ReimportChangesNothing", func(t *testing.T) {
		audits := fx.count(t, "SELECT count(*) FROM audit_events WHERE entity = 'test_account'")
		id := fx.upload(t, refsFile(n, 0))
		pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, id, refMapping)
		if err != nil || pv.Unchanged != n || pv.Changes() != 0 {
			t.Fatalf("%v %+v", err, pv)
		}
		if got := fx.count(t, "SELECT count(*) FROM accounts WHERE version > 1"); got != 0 {
			t.Fatalf("%d accounts changed", got)
		}
		if got := fx.count(t, "SELECT count(*) FROM audit_events WHERE entity = 'test_account'"); got != audits {
			t.Fatalf("%d new audit events", got-audits)
		}
	})
	t.Run("Update", func(t *testing.T) {
		// Every tenth row gets 1 more revenue; a new row at the end.
		var b strings.Builder
		b.WriteString("ref,name,revenue\n")
		for i := range n {
			fmt.Fprintf(&b, "R-%d,Firm %d,%d\n", i, i, i*10+map[bool]int{true: 1}[i%10 == 0])
		}
		b.WriteString("R-new,New firm,5\n")
		id := fx.upload(t, b.String())
		pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, id, refMapping)
		// Rows 0, 10, …, 2,340: 235 updates.
		if err != nil || pv.Updates != 235 || pv.Creates != 1 || pv.Unchanged != n-235 {
			t.Fatalf("%v %+v", err, pv)
		}
		if got := fx.count(t, "SELECT count(*) FROM accounts WHERE version = 2 AND updated_at = '2026-03-04 05:06:07+00'"); got != 235 {
			t.Fatalf("%d updated accounts, want 235", got)
		}
		if got := fx.count(t, `SELECT count(*) FROM audit_events WHERE action = 'import_update'
			AND (after->>'revenue')::int = (before->>'revenue')::int + 1`); got != 235 {
			t.Fatalf("%d update events, want 235", got)
		}
	})
	t.Run("ErrChangedMeanwhile", func(t *testing.T) {
		// Someone saves R-1 after the commit's plan read it: the commit
		// fails and writes nothing, rather than overwrite their change.
		sneaky := *refs
		sneaky.Plan = func(ctx context.Context, tx pgx.Tx, a Actor, rows []Row, p *Plan) error {
			if err := planRefs(ctx, tx, a, rows, p); err != nil || !p.writing {
				return err
			}
			return fx.d.Tx(ctx, fx.admin, func(other pgx.Tx) error {
				_, err := other.Exec(ctx, "UPDATE accounts SET name = 'Saved by hand', version = version + 1 WHERE external_ref = 'R-1'")
				return err
			})
		}
		before := fx.count(t, "SELECT count(*) FROM audit_events")
		id := fx.upload(t, refsFile(3, 2)) // R-0…R-2 with new revenue, R-0 and R-2 too
		pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, &sneaky, id, refMapping)
		var fe db.FieldErrors
		if !errors.As(err, &fe) || !strings.Contains(fe["file"], "changed some of these records") || pv.Updates != 3 {
			t.Fatalf("got %v %+v, want a file error", err, pv)
		}
		if got := fx.count(t, "SELECT count(*) FROM accounts WHERE name = 'Saved by hand'"); got != 1 {
			t.Fatal("the hand edit was overwritten")
		}
		if got := fx.count(t, "SELECT count(*) FROM accounts WHERE external_ref IN ('R-0', 'R-2') AND annual_revenue::int % 10 = 2"); got != 0 {
			t.Fatalf("%d rows of the failed commit were written", got)
		}
		if got := fx.count(t, "SELECT count(*) FROM audit_events"); got != before {
			t.Fatalf("%d audit events of the failed commit", got-before)
		}
	})
	t.Run("ErrRows", func(t *testing.T) {
		before := fx.count(t, "SELECT count(*) FROM accounts")
		audits := fx.count(t, "SELECT count(*) FROM audit_events")
		data := "ref,name,revenue\nOK-1,Good,1\nOK-2,,2\nOK-3,Neg,-3\nOK-1,Dup,4\nOK-5,Long,5,6\nOK-6,Fine,6\n"
		id := fx.upload(t, data)
		pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, id, refMapping)
		var fe db.FieldErrors
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe["file"] == "" {
			t.Fatalf("got %v, want ErrInvalid with a file error", err)
		}
		want := []CellError{
			{Line: 6, Message: "This row has more values (4) than the header has columns (3)."},
			{Line: 3, Field: "name", Column: "name", Message: "Enter a name."},
			{Line: 4, Field: "revenue", Column: "revenue", Value: "-3", Message: "Enter a whole amount, 0 or more."},
			{Line: 5, Field: "ref", Column: "ref", Value: "OK-1", Message: "Also on line 2."},
		}
		if fmt.Sprint(pv.Errors) != fmt.Sprint(want) || pv.Invalid != 4 || pv.Creates != 2 {
			t.Fatalf("errors %+v, want %+v (invalid %d)", pv.Errors, want, pv.Invalid)
		}
		// Nothing written, not even the good rows; the upload stays.
		if fx.count(t, "SELECT count(*) FROM accounts") != before || fx.count(t, "SELECT count(*) FROM audit_events") != audits {
			t.Fatal("a bad file wrote rows")
		}
		if f, err := fx.s.File(ctx, fx.admin, refs, id); err != nil || f.Committed {
			t.Fatalf("upload after a failed commit: %v", err)
		}
	})
	t.Run("ErrMapping", func(t *testing.T) {
		id := fx.upload(t, refsFile(2, 0))
		pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, id, Mapping{"ref", "", "revenue"})
		if !errors.Is(err, ErrInvalid) || fmt.Sprint(pv.Problems) != "[Map a column to Name.]" {
			t.Fatalf("%v %v", err, pv.Problems)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := fx.s.Upload(ctx, fx.admin, auth.RoleKAM, refs, "x.csv", []byte(refsFile(1, 0))); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("upload: %v", err)
		}
		id := fx.upload(t, refsFile(1, 0))
		if _, err := fx.s.Commit(ctx, fx.admin, auth.RoleKAM, refs, id, refMapping); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("commit: %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		id := fx.upload(t, refsFile(3, 7))
		if _, err := fx.s.File(ctx, fx.other, refs, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("file: %v", err)
		}
		if _, err := fx.s.Preview(ctx, fx.other, auth.RoleAdmin, refs, id, refMapping); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("preview: %v", err)
		}
		if _, err := fx.s.Commit(ctx, fx.other, auth.RoleAdmin, refs, id, refMapping); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("commit: %v", err)
		}
		// The other tenant's own file with the same references creates
		// its own accounts and leaves these alone.
		oid, err := fx.s.Upload(ctx, fx.other, auth.RoleAdmin, refs, "refs.csv", []byte(refsFile(3, 7)))
		if err != nil {
			t.Fatal(err)
		}
		if pv, err := fx.s.Commit(ctx, fx.other, auth.RoleAdmin, refs, oid, refMapping); err != nil || pv.Creates != 3 {
			t.Fatalf("other tenant's import: %v %+v", err, pv)
		}
		// Its revenues end in 7; none of this tenant's do.
		if got := fx.count(t, "SELECT count(*) FROM accounts WHERE annual_revenue::int % 10 = 7"); got != 0 {
			t.Fatalf("own accounts changed by the other tenant's import: %d", got)
		}
		// An upload of one kind is not found as another.
		other := *refs
		other.Name = "test_other"
		if _, err := fx.s.Preview(ctx, fx.admin, auth.RoleAdmin, &other, id, refMapping); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another kind: %v", err)
		}
	})
}

func TestAuditJSON(t *testing.T) {
	// The audit rows carry the Change's states as JSON, as audit.Record
	// would write them.
	p := &Plan{kind: refs, writing: true}
	r := Row{Line: 2, cols: &columns{index: map[string]int{}}}
	if err := p.Update(r, Change{EntityID: "x", Before: map[string]int{"a": 1}, After: map[string]int{"a": 2},
		Values: []any{1, 2, 3, 4}}); err != nil {
		t.Fatal(err)
	}
	var before, after map[string]int
	if json.Unmarshal(p.events[0].before, &before) != nil || json.Unmarshal(p.events[0].after, &after) != nil ||
		before["a"] != 1 || after["a"] != 2 || p.events[0].action != "import_update" {
		t.Fatalf("event %+v", p.events[0])
	}
	if err := p.Create(r, Change{Values: []any{1}}); err == nil {
		t.Fatal("a change with the wrong number of values was accepted")
	}
}

func TestInsertOrder(t *testing.T) {
	// New records go in in the kind's InsertOrder (the order most of the
	// table's indexes sort by), whatever the file's order: a freshly
	// filled heap reads back in the order it was written.
	fx := newFixture(t)
	ctx := context.Background()
	var citus bool
	if err := fx.d.Pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')").Scan(&citus); err != nil {
		t.Fatal(err)
	}
	if citus {
		t.Skip("on Citus new records go in in file order (multi-row VALUES batches)")
	}
	byName := *refs
	byName.Target.InsertOrder = "lower(name), id"
	id, err := fx.s.Upload(ctx, fx.admin, auth.RoleAdmin, &byName, "refs.csv",
		[]byte("ref,name,revenue\nR-1,delta,1\nR-2,Bravo,2\nR-3,charlie,3\nR-4,Alpha,4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, &byName, id, refMapping); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := fx.d.Tx(ctx, fx.admin, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, "SELECT name FROM accounts WHERE tenant_id = $1 ORDER BY ctid", fx.admin.TenantID)
		names, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, " "); got != "Alpha Bravo charlie delta" {
		t.Fatalf("written in the order %s, want Alpha Bravo charlie delta", got)
	}
}

func TestAnalyzeAfterLargeCommit(t *testing.T) {
	// A commit that writes AnalyzeAfter records or more refreshes the
	// target's statistics (ANALYZE through app_analyze, as the owner: the
	// serving login may not); a smaller one and a preview do not.
	fx := newFixture(t)
	ctx := context.Background()
	if dbtest.Citus() {
		t.Skip("not on Citus (its shards are analyzed one by one)")
	}
	analyzed := func() int {
		// The statistics the server keeps are read once per transaction.
		var n int
		if err := fx.d.Pool.QueryRow(ctx, "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'accounts'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	fx.s.AnalyzeAfter = 3
	small := fx.upload(t, refsFile(2, 0))
	if _, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, small, refMapping); err != nil {
		t.Fatal(err)
	}
	if got := analyzed(); got != 0 {
		t.Fatalf("2 records written, below AnalyzeAfter 3: accounts analyzed %d times, want 0", got)
	}
	// 5 rows: unchanged, 3 created; 3 written ≥ 3.
	large := fx.upload(t, refsFile(5, 0))
	if _, err := fx.s.Preview(ctx, fx.admin, auth.RoleAdmin, refs, large, refMapping); err != nil {
		t.Fatal(err)
	}
	if got := analyzed(); got != 0 {
		t.Fatalf("a preview analyzed accounts %d times", got)
	}
	if pv, err := fx.s.Commit(ctx, fx.admin, auth.RoleAdmin, refs, large, refMapping); err != nil || pv.Creates != 3 {
		t.Fatalf("commit %v %+v", err, pv)
	}
	if got := analyzed(); got != 1 {
		t.Fatalf("3 records written, AnalyzeAfter 3: accounts analyzed %d times, want 1", got)
	}
	// The serving login may ANALYZE only tables it writes, through the
	// function, and nothing else.
	for _, tbl := range []string{"pg_authid", "schema_migrations_nope", "accounts; DROP TABLE accounts"} {
		if _, err := fx.d.Pool.Exec(ctx, "SELECT app_analyze($1)", tbl); err == nil {
			t.Errorf("app_analyze(%q) succeeded", tbl)
		}
	}
	if _, err := fx.d.Pool.Exec(ctx, "ANALYZE accounts"); err != nil {
		t.Fatal(err)
	}
	if got := analyzed(); got != 1 {
		t.Fatalf("the serving login analyzed accounts itself (%d analyses)", got)
	}
}

func TestNewID(t *testing.T) {
	// Time-ordered: each id sorts after the one made before it.
	prev := NewID()
	for range 1000 {
		id := NewID()
		if id.Version() != 7 || strings.Compare(id.String(), prev.String()) <= 0 {
			t.Fatalf("%s (version %d) after %s", id, id.Version(), prev)
		}
		prev = id
	}
}
