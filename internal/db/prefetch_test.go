package db_test

import "context"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// TestPrefetch: reads queued ahead go with the next batch sent in the
// request's transaction, and scan what that transaction sees (its
// tenant); consumed before any batch, they are withdrawn and no later
// batch carries them; outside a request there is nothing to queue in.
func TestPrefetch(t *testing.T) {
	d := dbtest.New(t)
	acme, user := makeTenant(t, d, "acme")
	makeTenant(t, d, "globex")
	sc := db.Scope{TenantID: acme, UserID: user}
	count := func(n *int) func(*db.Reads) {
		return func(r *db.Reads) {
			// No tenant filter: row-level security supplies it.
			r.Row(func(row pgx.Row) error { return row.Scan(n) }, "SELECT count(*) FROM memberships")
		}
	}
	one := func(ctx context.Context) error {
		return d.Tx(ctx, sc, func(tx pgx.Tx) error {
			var x int
			var r db.Reads
			r.Row(func(row pgx.Row) error { return row.Scan(&x) }, "SELECT 1")
			return r.Send(ctx, tx)
		})
	}

	ctx, rt := d.BeginRequest(context.Background(), sc)
	n := -1
	p := d.Prefetch(ctx, sc, count(&n))
	if err := one(ctx); err != nil {
		t.Fatal(err)
	}
	if !p.Sent() || n != 1 {
		t.Errorf("after the request's first batch: sent %v, count %d; want sent and acme's 1 membership", p.Sent(), n)
	}

	// Withdrawn: consumed (Sent false) before a batch went.
	m := -1
	q := d.Prefetch(ctx, sc, count(&m))
	if q.Sent() {
		t.Fatal("sent before any batch")
	}
	if err := one(ctx); err != nil {
		t.Fatal(err)
	}
	if m != -1 || q.Sent() {
		t.Errorf("a withdrawn prefetch went with a later batch (count %d)", m)
	}
	if err := rt.End(ctx); err != nil {
		t.Fatal(err)
	}

	// Outside a request (or after it ended): nothing is queued.
	if p := d.Prefetch(ctx, sc, count(&m)); p != nil || p.Sent() {
		t.Error("prefetch after the request ended")
	}
	if p := d.Prefetch(context.Background(), sc, count(&m)); p != nil {
		t.Error("prefetch outside a request")
	}
}
