package importer

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// A commit writes the new records with one INSERT and the changed ones
// with one UPDATE that checks each record's version (a record changed by
// someone else since the plan read it fails the commit instead of being
// overwritten), then the audit events with one INSERT. (One
// INSERT … ON CONFLICT for both cost half as much again in PostgreSQL's
// CPU for new records, measured on 100,000 accounts, and cannot see a
// record deleted meanwhile.) On plain PostgreSQL the statements read from
// one temporary table filled by one COPY with the records and their audit
// events (COPY cannot write a table under row-level security, so it fills
// the staging table and SQL does the rest). On Citus an INSERT … SELECT from a temporary table is pulled
// through the coordinator and written to the shards with COPY, which
// row-level security refuses ("COPY FROM not supported with row-level
// security", seen on Citus 13.2), so there the statements take multi-row
// VALUES batches instead, which Citus routes to the tenant's shard.

// maxParams is PostgreSQL's limit of bind parameters per statement.
const maxParams = 65535

// errChanged says a record the plan updates changed (or went) since it
// was read.
var errChanged = errors.New("a planned record changed meanwhile")

// staged is one record to write.
type staged struct {
	op      Op
	version int // the record's version when planned (updates)
	values  []any
}

// writer writes a checked plan inside the committing transaction.
type writer struct {
	tx     pgx.Tx
	scope  db.Scope
	now    time.Time
	citus  bool
	target Target
	entity string
	staged bool // records filled import_stage (with the audit events)
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func idents(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = ident(n)
	}
	return strings.Join(out, ", ")
}

// updateSQL is the UPDATE of the target from the rows named s (the
// staging table, or a VALUES list with the same column names and
// import_version); tenant and now are its placeholders.
func (w *writer) updateSQL(from, tenant, now string) string {
	key := map[string]bool{}
	where := []string{"t.tenant_id = " + tenant}
	for _, k := range w.target.Key {
		key[k] = true
		where = append(where, "t."+ident(k)+" = s."+ident(k))
	}
	var set []string
	for _, c := range w.target.Columns {
		if !key[c] {
			set = append(set, ident(c)+" = s."+ident(c))
		}
	}
	if w.target.Versioned {
		set = append(set, "version = t.version + 1", "updated_at = "+now)
		where = append(where, "t.version = s.import_version")
	}
	return "UPDATE " + ident(w.target.Table) + " AS t SET " + strings.Join(set, ", ") + " FROM " + from +
		" WHERE " + strings.Join(where, " AND ")
}

// records writes the staged records into the target (rows[i]'s audit
// event is events[i]).
func (w *writer) records(ctx context.Context, rows []staged, events []event) error {
	var creates, updates []staged
	for _, r := range rows {
		if r.op == OpCreate {
			creates = append(creates, r)
		} else {
			updates = append(updates, r)
		}
	}
	if w.citus {
		return w.batches(ctx, creates, updates)
	}
	if len(rows) == 0 {
		return nil
	}
	// One staging table, filled by one COPY, holds the records and their
	// audit events (written by audit from the same table).
	cols := idents(w.target.Columns)
	if _, err := w.tx.Exec(ctx, "CREATE TEMP TABLE import_stage ON COMMIT DROP AS SELECT "+cols+
		", NULL::text AS import_op, NULL::integer AS import_version, NULL::text AS import_entity_id"+
		", NULL::jsonb AS import_before, NULL::jsonb AS import_after FROM "+ident(w.target.Table)+" WITH NO DATA"); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	_, err := w.tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, append(w.target.Columns[:len(w.target.Columns):len(w.target.Columns)],
		"import_op", "import_version", "import_entity_id", "import_before", "import_after"),
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r, e := rows[i], events[i]
			return append(r.values[:len(r.values):len(r.values)], string(r.op), r.version, e.entityID,
				rawJSON(e.before), rawJSON(e.after)), nil
		}))
	if err != nil {
		return fmt.Errorf("stage: copy: %w", err)
	}
	w.staged = true
	if len(creates) > 0 {
		// In the order the table's indexes sort by, each index fills page
		// by page rather than all over (see Target.InsertOrder).
		order := w.target.InsertOrder
		if order == "" {
			order = idents(w.target.Key)
		}
		if _, err := w.tx.Exec(ctx, "INSERT INTO "+ident(w.target.Table)+" (tenant_id, "+cols+") SELECT $1::uuid, "+cols+
			" FROM import_stage WHERE import_op = 'create' ORDER BY "+order, w.scope.TenantID); err != nil {
			return err
		}
	}
	if len(updates) > 0 {
		tag, err := w.tx.Exec(ctx, w.updateSQL("import_stage s", "$1", "$2")+" AND s.import_op = 'update'", w.scope.TenantID, w.now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != int64(len(updates)) {
			return errChanged
		}
	}
	return nil
}

// batches writes the records with multi-row VALUES statements (Citus).
func (w *writer) batches(ctx context.Context, creates, updates []staged) error {
	err := w.insertValues(ctx, w.target.Table, append([]string{"tenant_id"}, w.target.Columns...), len(creates),
		func(i int, args []any) []any { return append(append(args, w.scope.TenantID), creates[i].values...) })
	if err != nil || len(updates) == 0 {
		return err
	}
	// A VALUES list in FROM needs its types spelled out.
	types, err := columnTypes(ctx, w.tx, w.target.Table, w.target.Columns)
	if err != nil {
		return err
	}
	types = append(types, "integer")
	width := len(types)
	return batches(len(updates), width, func(lo, hi int) error {
		args := []any{w.scope.TenantID, w.now}
		var b strings.Builder
		b.WriteString("(VALUES ")
		for i, r := range updates[lo:hi] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args)+1, width, types) + ")")
			args = append(append(args, r.values...), r.version)
		}
		b.WriteString(") AS s (" + idents(w.target.Columns) + ", import_version)")
		tag, err := w.tx.Exec(ctx, w.updateSQL(b.String(), "$1", "$2"), args...)
		if err == nil && tag.RowsAffected() != int64(hi-lo) {
			err = errChanged
		}
		return err
	})
}

// insertValues inserts n rows into table with multi-row INSERT … VALUES
// statements, as many rows at a time as one statement may bind; row
// appends the i-th row's values (one per column) to args.
func (w *writer) insertValues(ctx context.Context, table string, columns []string, n int, row func(i int, args []any) []any) error {
	width := len(columns)
	return batches(n, width, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*width)
		var b strings.Builder
		b.WriteString("INSERT INTO " + ident(table) + " (" + idents(columns) + ") VALUES ")
		for i := lo; i < hi; i++ {
			if i > lo {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args)+1, width, nil) + ")")
			args = row(i, args)
		}
		_, err := w.tx.Exec(ctx, b.String(), args...)
		return err
	})
}

// columnTypes are the SQL types of table's columns, in order.
func columnTypes(ctx context.Context, tx pgx.Tx, table string, columns []string) ([]string, error) {
	rows, _ := tx.Query(ctx, `SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, ident(table))
	byName := map[string]string{}
	var name, typ string
	if _, err := pgx.ForEachRow(rows, []any{&name, &typ}, func() error {
		byName[name] = typ
		return nil
	}); err != nil {
		return nil, fmt.Errorf("column types of %s: %w", table, err)
	}
	out := make([]string, len(columns))
	for i, c := range columns {
		if out[i] = byName[c]; out[i] == "" {
			return nil, fmt.Errorf("column types of %s: no column %s", table, c)
		}
	}
	return out, nil
}

// audit writes one event per staged record, in file order: from the
// staging table records filled (a freshly filled table is read back in
// the order it was written), or on Citus with VALUES batches.
func (w *writer) audit(ctx context.Context, events []event) error {
	if len(events) == 0 {
		return nil
	}
	actor := nullActor(w.scope)
	if w.staged {
		_, err := w.tx.Exec(ctx, `INSERT INTO audit_events (tenant_id, actor_id, action, entity, entity_id, before, after)
			SELECT $1::uuid, $2::uuid, 'import_' || import_op, $3, import_entity_id, import_before, import_after FROM import_stage`,
			w.scope.TenantID, actor, w.entity)
		return err
	}
	return w.insertValues(ctx, "audit_events", []string{"tenant_id", "actor_id", "action", "entity", "entity_id", "before", "after"},
		len(events), func(i int, args []any) []any {
			e := events[i]
			return append(args, w.scope.TenantID, actor, e.action, w.entity, e.entityID, rawJSON(e.before), rawJSON(e.after))
		})
}

// batches calls fn on consecutive ranges of n rows of width parameters
// each, as many rows at a time as one statement may bind.
func batches(n, width int, fn func(lo, hi int) error) error {
	size := min(1000, maxParams/(width+1))
	for lo := 0; lo < n; lo += size {
		if err := fn(lo, min(n, lo+size)); err != nil {
			return err
		}
	}
	return nil
}

// placeholders writes "$from, …" for width parameters, each cast to its
// type when types are given.
func placeholders(from, width int, types []string) string {
	var b strings.Builder
	for i := range width {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
		if types != nil {
			b.WriteString("::" + types[i])
		}
	}
	return b.String()
}

// rawJSON passes encoded JSON through pgx as is (nil as NULL).
func rawJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

func nullActor(sc db.Scope) any {
	if sc.UserID == uuid.Nil {
		return nil
	}
	return sc.UserID
}
