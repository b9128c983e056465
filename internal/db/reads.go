package db

import "context"
import "fmt"

import "github.com/jackc/pgx/v5"

// Reads are independent reads of one transaction sent to the server in
// one round trip (a pgx batch, pipelined): a page that needs several
// unrelated figures queues them all, then Sends once, instead of paying
// a round trip — a wake-up of the server and of the request — for each.
// Each read's scan function runs during Send, in the order queued, and
// fills what the caller gave it; a read that depends on another's result
// cannot be queued with it.
type Reads struct{ b pgx.Batch }

// Query queues a read of rows; scan reads them (they close after it).
func (r *Reads) Query(scan func(pgx.Rows) error, sql string, args ...any) {
	r.b.Queue(sql, args...).Query(scan)
}

// Row queues a read of one row; scan sees pgx.ErrNoRows when there is none.
func (r *Reads) Row(scan func(pgx.Row) error, sql string, args ...any) {
	r.b.Queue(sql, args...).QueryRow(scan)
}

// Send sends the queued reads in tx and runs their scan functions; the
// first error stops it. Reads is empty again afterwards. When tx is the
// request's transaction (RequestTx), the reads prefetched for it
// (DB.Prefetch) go last in the same batch.
func (r *Reads) Send(ctx context.Context, tx pgx.Tx) error {
	if r.b.Len() == 0 {
		return nil
	}
	pre := takePending(ctx, tx, r)
	err := tx.SendBatch(ctx, &r.b).Close()
	r.b = pgx.Batch{}
	if err != nil {
		return fmt.Errorf("db: reads: %w", err)
	}
	for _, p := range pre {
		p.sent = true
	}
	return nil
}

// ReadNow runs the one read that queue queues, now, and returns its
// result: the single-read form of a function written to be queued.
func ReadNow[T any](ctx context.Context, tx pgx.Tx, queue func(*Reads) *T) (T, error) {
	var r Reads
	out := queue(&r)
	err := r.Send(ctx, tx)
	return *out, err
}
