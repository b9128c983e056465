package db_test

import "context"
import "errors"
import "path/filepath"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// dataVersion reads the scope's tenant's data version in a request's
// read-only transaction (a DB.Tx of its own would be a read-write one).
func dataVersion(t *testing.T, d *db.DB, sc db.Scope) int64 {
	t.Helper()
	ctx, rt := d.BeginRequest(context.Background(), sc)
	defer rt.End(ctx) //nolint:errcheck // read-only
	var v int64
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT data_version FROM tenants WHERE id = $1", sc.TenantID).Scan(&v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func addAccount(ctx context.Context, d *db.DB, sc db.Scope, name string) error {
	return d.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO accounts (name) VALUES ($1)", name)
		return err
	})
}

// TestDataVersionBumpedByWrites: DB.Tx adds one to the tenant's data
// version for each transaction that wrote, in that transaction: not for
// one that only read (on plain PostgreSQL; on Citus every read-write
// transaction bumps, see DB.bumpVersionSQL), not for one that
// failed after writing (rolled back, the bump with it), and never another
// tenant's.
func TestDataVersionBumpedByWrites(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	acme, user := makeTenant(t, d, "acme")
	globex, _ := makeTenant(t, d, "globex")
	sc, other := db.Scope{TenantID: acme, UserID: user}, db.Scope{TenantID: globex}
	v0, g0 := dataVersion(t, d, sc), dataVersion(t, d, other)
	// Two writes: +2 (by hand: one each).
	for _, name := range []string{"One", "Two"} {
		if err := addAccount(ctx, d, sc, name); err != nil {
			t.Fatal(err)
		}
	}
	if v := dataVersion(t, d, sc); v != v0+2 {
		t.Errorf("after two writes: version %d, want %d", v, v0+2)
	}
	// A read in a read-write transaction.
	if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		var n int
		return tx.QueryRow(ctx, "SELECT count(*) FROM accounts").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	want := v0 + 2
	if dbtest.Citus() {
		want++ // see DB.bumpVersionSQL
	}
	if v := dataVersion(t, d, sc); v != want {
		t.Errorf("after a read: version %d, want %d", v, want)
	}
	// A write whose transaction fails.
	boom := errors.New("boom")
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO accounts (name) VALUES ('Three')"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed write: %v, want boom", err)
	}
	if v := dataVersion(t, d, sc); v != want {
		t.Errorf("after a failed write: version %d, want %d", v, want)
	}
	if g := dataVersion(t, d, other); g != g0 {
		t.Errorf("globex's version moved with acme's writes: %d, want %d", g, g0)
	}
}

// keptCount reads acme's number of accounts in a request, through
// db.Kept: it returns the count and whether its read was queued (not
// kept).
func keptCount(t *testing.T, d *db.DB, sc db.Scope, inRequest bool) (n int, read bool) {
	t.Helper()
	ctx := context.Background()
	if inRequest {
		var rt *db.RequestTx
		ctx, rt = d.BeginRequest(ctx, sc)
		defer rt.End(ctx) //nolint:errcheck // read-only
	}
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		var r db.Reads
		got := db.Kept(ctx, d, sc, &r, "test.accounts", func(r *db.Reads) *int {
			read = true
			out := new(int)
			r.Row(func(row pgx.Row) error { return row.Scan(out) }, "SELECT count(*)::int FROM accounts")
			return out
		})
		if err := r.Send(ctx, tx); err != nil {
			return err
		}
		n = *got
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, read
}

// TestKeptParts: a part kept with db.Kept is read once per tenant data
// version and process: a second request of the same version gets it
// without a read; a write through another pool on the same database (a
// second server process, its own kept parts) moves the version, and both
// read it again and see the write; another tenant has its own; outside a
// request nothing is kept. This fails when DB.Tx does not bump the
// version (the kept count would stay 0 after the write).
func TestKeptParts(t *testing.T) {
	ctx := context.Background()
	u := dbtest.URL(t)
	d1, d2 := dbtest.Open(t, u, db.Options{MaxConns: 2}), dbtest.Open(t, u, db.Options{MaxConns: 2})
	acme, user := makeTenant(t, d1, "acme")
	globex, guser := makeTenant(t, d1, "globex")
	sc, other := db.Scope{TenantID: acme, UserID: user}, db.Scope{TenantID: globex, UserID: guser}
	step := func(what string, d *db.DB, s db.Scope, inRequest bool, wantN int, wantRead bool) {
		t.Helper()
		if n, read := keptCount(t, d, s, inRequest); n != wantN || read != wantRead {
			t.Errorf("%s: %d accounts (read %v), want %d (read %v)", what, n, read, wantN, wantRead)
		}
	}
	step("first request, pool 1", d1, sc, true, 0, true)
	step("second request, pool 1", d1, sc, true, 0, false)
	step("first request, pool 2", d2, sc, true, 0, true)
	step("second request, pool 2", d2, sc, true, 0, false)
	step("globex, pool 1", d1, other, true, 0, true)
	step("outside a request", d1, sc, false, 0, true)
	if err := addAccount(ctx, d1, sc, "One"); err != nil {
		t.Fatal(err)
	}
	step("after a write through pool 1, pool 1", d1, sc, true, 1, true)
	step("after a write through pool 1, pool 2", d2, sc, true, 1, true)
	step("again, pool 2", d2, sc, true, 1, false)
	step("globex after acme's write", d1, other, true, 0, false)
	if err := addAccount(ctx, d2, sc, "Two"); err != nil {
		t.Fatal(err)
	}
	step("after a write through pool 2, pool 1", d1, sc, true, 2, true)
}

// TestKeptPartsAfterRestore: a restore takes the database back to an
// earlier data version, and a server that kept a part under a later one
// keeps running. The writes after the restore must not count up through
// the versions that server saw with other data (Restore moves every
// version past them): here, before the restore, pool 1 keeps acme's count
// of 2 accounts under version v0+2; after restoring the backup taken at
// v0 (no accounts) two writes (3 accounts, then 1: 4, by hand) would
// bring the version back to v0+2, and pool 1 would answer 2 from memory.
// It must read again and answer 4.
func TestKeptPartsAfterRestore(t *testing.T) {
	if dbtest.Citus() {
		t.Skip("restore into a Citus cluster: TestBackupAndRestore* in server run there; this is the version rule")
	}
	ctx := context.Background()
	u := dbtest.URL(t)
	d1 := dbtest.Open(t, u, db.Options{MaxConns: 2})
	acme, user := makeTenant(t, d1, "acme")
	sc := db.Scope{TenantID: acme, UserID: user}
	v0 := dataVersion(t, d1, sc)
	file := filepath.Join(t.TempDir(), "pareto.dump")
	if err := db.Backup(ctx, u, file); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"One", "Two"} {
		if err := addAccount(ctx, d1, sc, name); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := keptCount(t, d1, sc, true); n != 2 {
		t.Fatalf("before the restore: %d accounts, want 2", n)
	}
	if n, read := keptCount(t, d1, sc, true); n != 2 || read {
		t.Fatalf("before the restore, again: %d accounts (read %v), want 2 kept", n, read)
	}
	if v := dataVersion(t, d1, sc); v != v0+2 {
		t.Fatalf("before the restore: version %d, want %d", v, v0+2)
	}
	d1.Pool.Reset() // its connections would hold the tables' old definitions; the kept parts stay
	if err := db.Restore(ctx, u, file); err != nil {
		t.Fatal(err)
	}
	d2 := dbtest.Open(t, u, db.Options{MaxConns: 2})
	if err := d2.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO accounts (name) VALUES ('Uno'), ('Dos'), ('Tres')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := addAccount(ctx, d2, sc, "Cuatro"); err != nil {
		t.Fatal(err)
	}
	if v := dataVersion(t, d2, sc); v <= v0+2 {
		t.Errorf("after the restore and two writes: version %d, not past the %d a server kept a part under", v, v0+2)
	}
	if n, read := keptCount(t, d1, sc, true); n != 4 || !read {
		t.Errorf("pool 1 after the restore and two writes: %d accounts (read %v), want 4, read again", n, read)
	}
}
