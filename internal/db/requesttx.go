package db

import "context"

import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/pgconn"
import "github.com/jackc/pgx/v5/pgtype"

// requestTxConn is a request's transaction as its stores see it: the
// transaction running on the request's connection. After a batch that
// carried the request's COMMIT (LastReads), a store's next read begins
// it again (same scope, read-only) instead of running outside any
// transaction, where row-level security would see no tenant at all.
type requestTxConn struct {
	pgx.Tx // the transaction begun last
	rt     *RequestTx
}

// committed reports whether the connection is outside a transaction:
// the transaction's last batch committed it.
func (t *requestTxConn) committed() bool { return t.rt.conn.Conn().PgConn().TxStatus() == 'I' }

// live begins the transaction again if a batch committed it.
func (t *requestTxConn) live(ctx context.Context) error {
	if !t.committed() {
		return nil
	}
	tx, err := t.rt.d.beginScoped(ctx, t.rt.conn, t.rt.scope, true, nil)
	if err != nil {
		return err
	}
	t.Tx = tx
	return nil
}

func (t *requestTxConn) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := t.live(ctx); err != nil {
		return nil, err
	}
	return t.Tx.Begin(ctx)
}

func (t *requestTxConn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.live(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.Tx.Exec(ctx, sql, args...)
}

func (t *requestTxConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.live(ctx); err != nil {
		return failedRows{err}, err
	}
	return t.Tx.Query(ctx, sql, args...)
}

func (t *requestTxConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.live(ctx); err != nil {
		return failedRows{err}
	}
	return t.Tx.QueryRow(ctx, sql, args...)
}

func (t *requestTxConn) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := t.live(ctx); err != nil {
		return pgx.FailedBatchResults(b, err)
	}
	return t.Tx.SendBatch(ctx, b)
}

func (t *requestTxConn) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.live(ctx); err != nil {
		return 0, err
	}
	return t.Tx.CopyFrom(ctx, table, cols, src)
}

func (t *requestTxConn) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.live(ctx); err != nil {
		return nil, err
	}
	return t.Tx.Prepare(ctx, name, sql)
}

// failedRows are the rows (and row) of a read that could not be sent:
// none, and err.
type failedRows struct{ err error }

func (r failedRows) Close()                                       {}
func (r failedRows) Err() error                                   { return r.err }
func (r failedRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (r failedRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (r failedRows) Next() bool                                   { return false }
func (r failedRows) Scan(...any) error                            { return r.err }
func (r failedRows) Values() ([]any, error)                       { return nil, r.err }
func (r failedRows) RawValues() [][]byte                          { return nil }
func (r failedRows) Conn() *pgx.Conn                              { return nil }
func (r failedRows) TypeMap() *pgtype.Map                         { return nil }
