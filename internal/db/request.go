package db

import "context"
import "fmt"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/pgxpool"

// RequestTx is one read-only transaction that carries a request's tenant
// context: every DB.Tx of the request with the same Scope runs in it, so a
// page that calls several stores opens one transaction (one BEGIN, one SET
// LOCAL of the tenant and person, one COMMIT) instead of one per call, and
// reads one consistent set of rows. It begins at the first DB.Tx and ends
// with End. Read-only: a read request writes nothing (a write in it fails).
//
// A RequestTx is not for concurrent use: the stores of one request run one
// after the other. After a call whose fn failed (the transaction may be
// aborted), or after End while a call was still running (a handler that
// streams its response), later calls open transactions of their own, as
// without a RequestTx.
type RequestTx struct {
	d     *DB
	scope Scope
	conn  *pgxpool.Conn
	tx    *requestTxConn // nil until begun
	depth int            // DB.Tx calls running in it
	last  bool           // the next batch is the request's last (LastReads)
	ended bool           // End was called; finish when depth drops to 0
	done  bool           // finished: later calls run on their own
	err   error
	// pending are the reads Prefetch queued, waiting for the next batch
	// sent in tx (Reads.Send).
	pending []*Prefetched
	// version is the tenant's data version, read in the round trip of
	// the BEGIN (versioned: it was read); Kept serves parts kept under it.
	version   int64
	versioned bool
}

type requestTxKey struct{}

// BeginRequest returns ctx carrying a RequestTx for s (begun lazily).
// Call End when the request's reads are done, before its response is
// written if possible (it returns the connection to the pool).
func (d *DB) BeginRequest(ctx context.Context, s Scope) (context.Context, *RequestTx) {
	rt := &RequestTx{d: d, scope: s}
	return context.WithValue(ctx, requestTxKey{}, rt), rt
}

// requestTx is ctx's RequestTx when it can run DB.Tx for s on d.
func requestTx(ctx context.Context, d *DB, s Scope) *RequestTx {
	rt, _ := ctx.Value(requestTxKey{}).(*RequestTx)
	if rt == nil || rt.d != d || rt.scope != s || rt.done || (rt.ended && rt.depth == 0) {
		return nil
	}
	return rt
}

// run runs fn in the request's transaction, beginning it if needed.
func (rt *RequestTx) run(ctx context.Context, fn func(pgx.Tx) error) error {
	if rt.tx == nil {
		if err := rt.begin(ctx, nil); err != nil {
			return err
		}
	}
	rt.depth++
	returned := false
	defer func() {
		if !returned {
			// fn panicked (the server recovers and answers 500): roll
			// back and release the connection, which End, run later
			// while the panic unwinds, would leave to this call.
			rt.depth--
			if rt.depth == 0 {
				rt.finish(ctx, false)
			}
		}
	}()
	err := fn(rt.tx)
	returned = true
	rt.depth--
	if err != nil && rt.depth == 0 {
		// The transaction may be aborted: finish it; later calls run on
		// their own.
		rt.finish(ctx, false)
	} else if rt.ended && rt.depth == 0 {
		rt.finish(ctx, true)
	}
	return err
}

// begin begins the request's transaction and sends the reads r queued
// (nil: none) in the same round trip (Reads.SendIn). When the reads
// fail, the transaction is rolled back and later calls run on their own,
// as after a failed call.
func (rt *RequestTx) begin(ctx context.Context, r *Reads) error {
	conn, err := rt.d.acquire(ctx)
	if err != nil {
		return err
	}
	reads := r
	if rt.scope.TenantID != uuid.Nil {
		// The tenant's data version goes with the BEGIN: the reads
		// queued after the BEGIN's round trip may then come from Kept.
		if reads == nil {
			reads = &Reads{}
		}
		reads.Row(func(row pgx.Row) error {
			found, err := Found(row.Scan(&rt.version))
			rt.versioned = found
			return err
		}, readVersionSQL, rt.scope.TenantID)
	}
	tx, err := rt.d.beginScoped(ctx, conn, rt.scope, true, reads)
	if err != nil {
		conn.Release()
		if r != nil {
			rt.done = true
		}
		return err
	}
	rt.conn, rt.tx = conn, &requestTxConn{Tx: tx, rt: rt}
	return nil
}

// LastReads marks the next batch of ctx's request transaction (a
// Reads.Send in it) as the request's last reads: its COMMIT goes in the
// same round trip, and End has nothing left to send (issue 19: the COMMIT
// was a round trip of its own). A handler calls it before the read that
// ends its page. Should a store read after that batch all the same, the
// transaction begins again, same scope and read-only (a later snapshot),
// and End commits it. Outside a request it does nothing.
func LastReads(ctx context.Context) {
	if rt, _ := ctx.Value(requestTxKey{}).(*RequestTx); rt != nil && !rt.done {
		rt.last = true
	}
}

// lastBatch reports whether the batch about to go in tx is its request's
// last (LastReads), and unmarks it.
func lastBatch(ctx context.Context, tx pgx.Tx) bool {
	rt := requestTxOf(ctx, tx)
	if rt == nil || !rt.last {
		return false
	}
	rt.last = false
	return true
}

// requestTxOf is the request transaction ctx carries when tx is it (a
// batch about to be sent in it), else nil.
func requestTxOf(ctx context.Context, tx pgx.Tx) *RequestTx {
	rt, _ := ctx.Value(requestTxKey{}).(*RequestTx)
	if rt == nil || rt.tx == nil || pgx.Tx(rt.tx) != tx {
		return nil
	}
	return rt
}

// End finishes the request's transaction (now, or when the call still
// running in it returns). It returns the commit's error, if any.
func (rt *RequestTx) End(ctx context.Context) error {
	if rt == nil || rt.ended {
		return nil
	}
	rt.ended = true
	if rt.depth == 0 {
		rt.finish(ctx, true)
	}
	return rt.err
}

func (rt *RequestTx) finish(ctx context.Context, commit bool) {
	if rt.done {
		return
	}
	rt.done = true
	if rt.tx == nil {
		return
	}
	if rt.tx.committed() {
		// The last batch carried the COMMIT (LastReads).
	} else if commit {
		if err := rt.tx.Commit(ctx); err != nil {
			rt.err = fmt.Errorf("db: commit request: %w", err)
		}
	} else {
		_ = rt.tx.Rollback(ctx)
	}
	rt.conn.Release()
	rt.tx, rt.conn = nil, nil
}

// Prefetched is reads a later part of a request needs, queued ahead with
// DB.Prefetch.
type Prefetched struct {
	queue func(*Reads)
	sent  bool
	taken bool // sent with a batch, or withdrawn by Sent
}

// Prefetch queues reads that a later part of the request needs (the
// header's count of unread notifications, the bar of saved views, a
// chart beside the page's table) to go with the next batch the request's
// transaction sends (a Reads.Send in it, whichever store sends it),
// instead of paying a round trip of their own (issue 19: the shortlist
// made 9 round trips). queue queues them as for Reads; their scan
// functions run during that Send. Outside a RequestTx for s, nothing is
// queued. Sent tells the later part whether its reads went; when not
// (no batch was sent in between, or it failed), it reads on its own.
func (d *DB) Prefetch(ctx context.Context, s Scope, queue func(*Reads)) *Prefetched {
	rt := requestTx(ctx, d, s)
	if rt == nil {
		return nil
	}
	p := &Prefetched{queue: queue}
	rt.pending = append(rt.pending, p)
	return p
}

// Later is Prefetch for one result: queue queues the reads and returns
// where their scan puts the result; the function Later returns gives it
// once the reads went with a batch, and otherwise sends the same reads
// on their own (ReadQueued, errors wrapped with what).
func Later[T any](ctx context.Context, d *DB, s Scope, what string, queue func(*Reads) *T) func(context.Context) (T, error) {
	var out *T
	p := d.Prefetch(ctx, s, func(r *Reads) { out = queue(r) })
	return func(ctx context.Context) (T, error) {
		if p.Sent() {
			return *out, nil
		}
		return ReadQueued(ctx, d, s, what, queue)
	}
}

// Sent reports whether the prefetched reads were sent and scanned; when
// they were not, they are withdrawn (no later batch carries them), and the
// caller reads on its own.
func (p *Prefetched) Sent() bool {
	if p == nil {
		return false
	}
	p.taken = true
	return p.sent
}

// takePending queues in r the reads prefetched for tx, the request's
// transaction carried by ctx (none for another transaction), and returns
// them, to be marked sent when r's Send succeeds.
func takePending(ctx context.Context, tx pgx.Tx, r *Reads) []*Prefetched {
	rt := requestTxOf(ctx, tx)
	if rt == nil || len(rt.pending) == 0 {
		return nil
	}
	var taken []*Prefetched
	for _, p := range rt.pending {
		if !p.taken {
			p.taken = true
			p.queue(r)
			taken = append(taken, p)
		}
	}
	rt.pending = nil
	return taken
}
