package db

import "context"
import "fmt"
import "strconv"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/pgconn"
import "github.com/jackc/pgx/v5/pgtype"

// Reads are independent reads of one transaction sent to the server in
// one round trip (a pgx batch, pipelined): a page that needs several
// unrelated figures queues them all, then Sends once, instead of paying
// a round trip — a wake-up of the server and of the request — for each.
// Each read's scan function runs during Send, in the order queued, and
// fills what the caller gave it; a read that depends on another's result
// cannot be queued with it.
type Reads struct {
	b pgx.Batch
	// ones are the One reads, sent as one statement (onesAt) at the
	// place in the batch of the first of them.
	ones   []oneRead
	onesAt *pgx.QueuedQuery
	// sent run once the batch was sent and every scan ran (Kept keeps
	// what the scans filled).
	sent []func()
}

// Query queues a read of rows; scan reads them (they close after it).
func (r *Reads) Query(scan func(pgx.Rows) error, sql string, args ...any) {
	r.b.Queue(sql, args...).Query(scan)
}

// Row queues a read of one row; scan sees pgx.ErrNoRows when there is none.
func (r *Reads) Row(scan func(pgx.Row) error, sql string, args ...any) {
	r.b.Queue(sql, args...).QueryRow(scan)
}

// One is Row for the small facts a page needs one of (a tenant's
// settings, a count, the open review): every One read of a batch goes
// into a single statement, each as a subquery of at most one row
// (issue 19: a statement costs PostgreSQL its bind, locks, snapshot,
// executor start and messages, and the server its encoding and scan —
// more than these reads themselves; the shortlist sent 16 statements).
// scan sees pgx.ErrNoRows when the read has no row, like Row's. The
// statement goes at the place of the batch's first One read, so every
// One scan runs there: before the reads queued between the first One
// and this one. sql numbers its own parameters from $1 (renumbered in
// the statement) and holds no other "$".
func (r *Reads) One(scan func(pgx.Row) error, sql string, args ...any) {
	if r.onesAt == nil {
		r.onesAt = r.b.Queue("") // written by Send, once every One is queued
	}
	r.ones = append(r.ones, oneRead{sql: sql, args: args, scan: scan})
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
	b, sent := r.take()
	if lastBatch(ctx, tx) {
		b.Queue("COMMIT")
	}
	err := tx.SendBatch(ctx, b).Close()
	if err != nil {
		return fmt.Errorf("db: reads: %w", err)
	}
	for _, p := range pre {
		p.sent = true
	}
	for _, f := range sent {
		f()
	}
	return nil
}

// SendIn sends the queued reads in a transaction scoped to s: the
// request's (RequestTx) when ctx carries one for s, else one of their
// own. When the request's transaction has yet to begin, its BEGIN and
// scope go in the same round trip as the reads (issue 19: the member
// lookup that starts every signed-in read request paid a round trip of
// its own after the BEGIN's).
func (r *Reads) SendIn(ctx context.Context, d *DB, s Scope) error {
	if rt := requestTx(ctx, d, s); rt != nil && rt.tx == nil {
		return rt.begin(ctx, r)
	}
	return d.Tx(ctx, s, func(tx pgx.Tx) error { return r.Send(ctx, tx) })
}

// take returns the batch of the queued reads, the One reads' statement
// written, and what to run once it was sent, and empties r.
func (r *Reads) take() (*pgx.Batch, []func()) {
	if r.onesAt != nil {
		ones := r.ones
		r.onesAt.SQL, r.onesAt.Arguments = onesSQL(ones)
		r.onesAt.Query(func(rows pgx.Rows) error { return scanOnes(rows, ones) })
	}
	b, sent := r.b, r.sent
	r.b, r.ones, r.onesAt, r.sent = pgx.Batch{}, nil, nil, nil
	return &b, sent
}

// ReadNow runs the one read that queue queues, now, and returns its
// result: the single-read form of a function written to be queued.
func ReadNow[T any](ctx context.Context, tx pgx.Tx, queue func(*Reads) *T) (T, error) {
	var r Reads
	out := queue(&r)
	err := r.Send(ctx, tx)
	return *out, err
}

// ReadQueued runs the reads queue queues in their own transaction scoped
// to s (Read: one round trip) and returns what their scans filled,
// wrapped with what: a store's read method over a function written to be
// queued (see Later for the same reads sent with the request's batch).
func ReadQueued[T any](ctx context.Context, d *DB, s Scope, what string, queue func(*Reads) *T) (T, error) {
	return Read(ctx, d, s, what, func(ctx context.Context, tx pgx.Tx, _ uuid.UUID) (T, error) {
		return ReadNow(ctx, tx, queue)
	})
}

type oneRead struct {
	sql  string
	args []any
	scan func(pgx.Row) error
}

// onesSQL is the statement of the One reads: per read a flag (true
// when it found a row) and its columns, each read a LEFT JOIN of a
// one-row subquery.
func onesSQL(ones []oneRead) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("SELECT *\n\tFROM (VALUES (true)) AS one (found)")
	for i, o := range ones {
		n := strconv.Itoa(i)
		b.WriteString("\n\tLEFT JOIN (SELECT true, q.* FROM (")
		b.WriteString(renumber(o.sql, len(args)))
		b.WriteString(") q LIMIT 1) AS r" + n + " ON true")
		args = append(args, o.args...)
	}
	return b.String(), args
}

// renumber adds by to each parameter number ($1 → $(1+by)) of sql.
func renumber(sql string, by int) string {
	if by == 0 {
		return sql
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(sql, '$')
		if i < 0 {
			b.WriteString(sql)
			return b.String()
		}
		j := i + 1
		for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(sql[i+1 : j])
		if err != nil { // not a parameter
			b.WriteString(sql[:j])
		} else {
			b.WriteString(sql[:i+1] + strconv.Itoa(n+by))
		}
		sql = sql[j:]
	}
}

// scanOnes runs each One read's scan on its part of the statement's row.
func scanOnes(rows pgx.Rows, ones []oneRead) error {
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("one-row reads: no row")
	}
	vals, fields, m := rows.RawValues(), rows.FieldDescriptions(), rows.Conn().TypeMap()
	at := 1 // past one.found
	for _, o := range ones {
		row := oneRow{found: vals[at] != nil, vals: vals[at+1:], fields: fields[at+1:], m: m}
		if err := o.scan(&row); err != nil {
			return err
		}
		if !row.read {
			return fmt.Errorf("one-row read %q: its scan read no columns", o.sql)
		}
		at += 1 + row.cols
	}
	if at != len(vals) {
		return fmt.Errorf("one-row reads: %d columns, scans read %d", len(vals), at)
	}
	return nil
}

// oneRow is a One read's row within the statement's: Scan reads the
// next len(dest) columns.
type oneRow struct {
	found  bool
	vals   [][]byte
	fields []pgconn.FieldDescription
	m      *pgtype.Map
	cols   int // columns scanned
	read   bool
}

func (o *oneRow) Scan(dest ...any) error {
	o.cols, o.read = len(dest), true
	if !o.found {
		return pgx.ErrNoRows
	}
	if len(dest) > len(o.vals) {
		return fmt.Errorf("one-row read: %d destinations for %d columns", len(dest), len(o.vals))
	}
	for i, d := range dest {
		if err := o.m.Scan(o.fields[i].DataTypeOID, o.fields[i].Format, o.vals[i], d); err != nil {
			return fmt.Errorf("one-row read: column %d (%s): %w", i, o.fields[i].Name, err)
		}
	}
	return nil
}
