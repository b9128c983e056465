package dbtest

import "context"
import "sync"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

// RoundTrips counts what a pool sends the database (db.Options.Tracer):
// each query is one round trip and one statement; a batch is one round
// trip for all its statements, recorded as "-- batch:" then each of them.
type RoundTrips struct {
	mu         sync.Mutex
	trips      int
	statements []string
}

func (c *RoundTrips) add(trip bool, sql string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if trip {
		c.trips++
	}
	c.statements = append(c.statements, sql)
}

func (c *RoundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(true, d.SQL)
	return ctx
}

func (c *RoundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *RoundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.add(true, "-- batch:")
	return ctx
}

func (c *RoundTrips) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.add(false, "--   "+d.SQL)
}

func (c *RoundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// Settle waits until nothing has been sent for a while (background work
// a first request started, like the daily health run, is over), then
// starts counting afresh.
func (c *RoundTrips) Settle(t testing.TB) {
	t.Helper()
	last := -1
	for range 100 {
		n, _ := c.Counted()
		if n == last {
			break
		}
		last = n
		time.Sleep(150 * time.Millisecond)
	}
	c.Take()
}

// Counted is the round trips and statements since counting (re)started.
func (c *RoundTrips) Counted() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trips, c.statements
}

// Take is Counted, and counting starts afresh.
func (c *RoundTrips) Take() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, s := c.trips, c.statements
	c.trips, c.statements = 0, nil
	return n, s
}
