package db_test

import "context"
import "errors"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// countedTenants is a pool counting its round trips on a database of two
// tenants, acme and globex, and the scope of acme's admin.
func countedTenants(t *testing.T) (*db.DB, *dbtest.RoundTrips, db.Scope) {
	t.Helper()
	counted := &dbtest.RoundTrips{}
	d := dbtest.Open(t, dbtest.URL(t), db.Options{MaxConns: 2, Tracer: counted})
	acme, user := makeTenant(t, d, "acme")
	makeTenant(t, d, "globex")
	return d, counted, db.Scope{TenantID: acme, UserID: user}
}

// poolClean checks that no connection of d is acquired and every idle
// one is outside a transaction.
func poolClean(t *testing.T, d *db.DB, when string) {
	t.Helper()
	if st := d.Pool.Stat(); st.AcquiredConns() != 0 {
		t.Errorf("%s: %d connections still acquired", when, st.AcquiredConns())
	}
	for _, conn := range d.Pool.AcquireAllIdle(context.Background()) {
		if s := conn.Conn().PgConn().TxStatus(); s != 'I' {
			t.Errorf("%s: a pooled connection is in transaction status %c", when, s)
		}
		conn.Release()
	}
}

// TestRequestBeginsWithReads: the first reads of a request (Reads.SendIn)
// go in the round trip of its BEGIN and tenant context, and run in the
// request's one read-only transaction, scoped to its tenant; the later
// reads see the same transaction; End commits: 3 round trips in all.
// When those first reads fail (PostgreSQL's error or the scan's), the
// transaction is rolled back, the connection goes back to the pool
// outside any transaction, and the request's later reads run on their
// own.
func TestRequestBeginsWithReads(t *testing.T) {
	d, counted, sc := countedTenants(t)
	acme := sc.TenantID

	ctx, rt := d.BeginRequest(context.Background(), sc)
	counted.Take()
	var n int
	var tenant, readOnly, started string
	var r db.Reads
	r.Row(func(row pgx.Row) error { return row.Scan(&n) }, "SELECT count(*) FROM memberships") // no tenant filter: RLS
	r.Row(func(row pgx.Row) error { return row.Scan(&tenant, &readOnly, &started) },
		"SELECT current_setting('app.tenant_id'), current_setting('transaction_read_only'), now()::text")
	if err := r.SendIn(ctx, d, sc); err != nil {
		t.Fatal(err)
	}
	if got, _ := counted.Take(); got != 1 {
		t.Errorf("BEGIN, scope and first reads: %d round trips, want 1", got)
	}
	if n != 1 || tenant != acme.String() || readOnly != "on" {
		t.Errorf("first reads saw %d memberships, tenant %q, read only %q; want acme's 1, %s, on", n, tenant, readOnly, acme)
	}
	var later string
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error { return tx.QueryRow(ctx, "SELECT now()::text").Scan(&later) })
	if err != nil {
		t.Fatal(err)
	}
	if later != started {
		t.Errorf("a later read began at %s, the request's transaction at %s: not the same transaction", later, started)
	}
	if err := rt.End(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := counted.Take(); got != 2 {
		t.Errorf("a later read and COMMIT: %d round trips, want 2", got)
	}

	boom := errors.New("boom")
	for _, c := range []struct {
		name, sql string
		scan      error
	}{{"PostgreSQL refuses", "SELECT 1/0", nil}, {"the scan fails", "SELECT 1", boom}} {
		ctx, rt := d.BeginRequest(context.Background(), sc)
		var r db.Reads
		r.Row(func(row pgx.Row) error {
			var x int
			if err := row.Scan(&x); err != nil {
				return err
			}
			return c.scan
		}, c.sql)
		err := r.SendIn(ctx, d, sc)
		if err == nil || (c.scan != nil && !errors.Is(err, c.scan)) {
			t.Fatalf("%s: SendIn gave %v", c.name, err)
		}
		poolClean(t, d, c.name)
		if got := countMemberships(t, d, sc); got != 1 {
			t.Errorf("%s: then a read of the request saw %d memberships, want 1", c.name, got)
		}
		if n := 0; d.Tx(ctx, sc, func(tx pgx.Tx) error { return tx.QueryRow(ctx, "SELECT count(*) FROM memberships").Scan(&n) }) != nil || n != 1 {
			t.Errorf("%s: the request's later read failed or saw %d memberships", c.name, n)
		}
		if err := rt.End(ctx); err != nil {
			t.Errorf("%s: End: %v", c.name, err)
		}
	}
}

// TestLastReads: the batch marked as the request's last (db.LastReads)
// carries its COMMIT, so End sends nothing; a store that reads after it
// all the same reads in the transaction begun again, scoped to the
// request's tenant and read-only, which End then commits.
func TestLastReads(t *testing.T) {
	d, counted, sc := countedTenants(t)
	batch := func(ctx context.Context, tx pgx.Tx, n *int) error {
		var r db.Reads
		r.Row(func(row pgx.Row) error { return row.Scan(n) }, "SELECT count(*) FROM memberships") // no tenant filter: RLS
		return r.Send(ctx, tx)
	}

	for _, readAfter := range []bool{false, true} {
		ctx, rt := d.BeginRequest(context.Background(), sc)
		counted.Take()
		db.LastReads(ctx)
		n, m := -1, -1
		var readOnly string
		err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
			if err := batch(ctx, tx, &n); err != nil || !readAfter {
				return err
			}
			return tx.QueryRow(ctx, "SELECT count(*), current_setting('transaction_read_only') FROM memberships").Scan(&m, &readOnly)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.End(ctx); err != nil {
			t.Fatal(err)
		}
		// BEGIN with the batch, the batch with COMMIT; a read after it: BEGIN, the read, COMMIT.
		want := 2
		if readAfter {
			want = 5
			if m != 1 || readOnly != "on" {
				t.Errorf("the read after the last batch saw %d memberships, read only %q; want acme's 1, on", m, readOnly)
			}
		}
		if got, sqls := counted.Take(); got != want || n != 1 {
			t.Errorf("read after the last batch %v: %d round trips (want %d), %d memberships (want 1):\n%v", readAfter, got, want, n, sqls)
		}
		poolClean(t, d, "after End")
	}
}

// TestRequestTxPanic: a store that panics in the request's transaction
// (the server recovers and answers 500) leaves no connection behind:
// End, run while the panic unwinds, rolls back and releases it, and the
// request's later reads run on their own.
func TestRequestTxPanic(t *testing.T) {
	// Its own pool: with a connection never released, closing it would
	// wait forever.
	d, err := db.Open(context.Background(), dbtest.URL(t), db.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closed := make(chan struct{})
		go func() { d.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Error("the pool did not close: a connection was never released")
		}
	})
	acme, user := makeTenant(t, d, "acme")
	sc := db.Scope{TenantID: acme, UserID: user}
	ctx, rt := d.BeginRequest(context.Background(), sc)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		defer rt.End(ctx) //nolint:errcheck // as the server's deferred End
		_ = d.Tx(ctx, sc, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM memberships").Scan(&n); err != nil {
				return err
			}
			panic("store bug")
		})
	}()
	poolClean(t, d, "after the panic")
	if got := countMemberships(t, d, sc); got != 1 {
		t.Errorf("after the panic a read saw %d memberships, want 1", got)
	}
}
