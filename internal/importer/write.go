package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
)

// A commit writes the staged records with one INSERT … ON CONFLICT into
// the kind's target and the audit events with one INSERT. On plain
// PostgreSQL both read from a temporary table filled by COPY (COPY cannot
// write a table under row-level security, so it fills the staging table
// and SQL does the rest). On Citus an INSERT … SELECT from a temporary
// table is pulled through the coordinator and written to the shards with
// COPY, which row-level security refuses ("COPY FROM not supported with
// row-level security"; seen on Citus 13.2 for the audit INSERT, while the
// upsert went through), so there both statements take multi-row VALUES
// batches instead, which Citus routes to the shards.

// maxParams is PostgreSQL's limit of bind parameters per statement.
const maxParams = 65535

// writer writes a checked plan inside the committing transaction.
type writer struct {
	tx     pgx.Tx
	scope  db.Scope
	now    time.Time
	citus  bool
	target Target
	entity string
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func idents(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = ident(n)
	}
	return strings.Join(out, ", ")
}

// upsertTail is the ON CONFLICT clause of the target's statement; nowParam
// is the placeholder holding the commit's time.
func (w *writer) upsertTail(nowParam string) string {
	key := map[string]bool{}
	for _, k := range w.target.Key {
		key[k] = true
	}
	var set []string
	for _, c := range w.target.Columns {
		if !key[c] {
			set = append(set, ident(c)+" = EXCLUDED."+ident(c))
		}
	}
	if w.target.Versioned {
		set = append(set, "version = t.version + 1", "updated_at = "+nowParam)
	}
	return " ON CONFLICT (tenant_id, " + idents(w.target.Key) + ") DO UPDATE SET " + strings.Join(set, ", ")
}

// upsert writes rows into the target.
func (w *writer) upsert(ctx context.Context, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	insert := "INSERT INTO " + ident(w.target.Table) + " AS t (tenant_id, " + idents(w.target.Columns) + ") "
	if !w.citus {
		if _, err := w.tx.Exec(ctx, "CREATE TEMP TABLE import_stage ON COMMIT DROP AS SELECT "+idents(w.target.Columns)+
			" FROM "+ident(w.target.Table)+" WITH NO DATA"); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		if _, err := w.tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, w.target.Columns, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage: copy: %w", err)
		}
		// In key order, the primary key's index is written page by page
		// rather than all over (measured: up to twice as fast).
		_, err := w.tx.Exec(ctx, insert+"SELECT $1::uuid, "+idents(w.target.Columns)+" FROM import_stage ORDER BY "+
			idents(w.target.Key)+w.upsertTail("$2"), w.scope.TenantID, w.now)
		return err
	}
	width := len(w.target.Columns) + 1
	return batches(len(rows), width, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*width+1)
		var b strings.Builder
		b.WriteString(insert + "VALUES ")
		for i, r := range rows[lo:hi] {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, w.scope.TenantID)
			b.WriteString("(" + placeholders(len(args), width) + ")")
			args = append(args, r...)
		}
		args = append(args, w.now)
		b.WriteString(w.upsertTail("$" + strconv.Itoa(len(args))))
		_, err := w.tx.Exec(ctx, b.String(), args...)
		return err
	})
}

// audit writes one event per staged record, in file order.
func (w *writer) audit(ctx context.Context, events []event) error {
	if len(events) == 0 {
		return nil
	}
	actor := nullActor(w.scope)
	if !w.citus {
		if _, err := w.tx.Exec(ctx, `CREATE TEMP TABLE import_audit (action text, entity_id text,
			before jsonb, after jsonb) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("audit stage: %w", err)
		}
		_, err := w.tx.CopyFrom(ctx, pgx.Identifier{"import_audit"}, []string{"action", "entity_id", "before", "after"},
			pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
				e := events[i]
				return []any{e.action, e.entityID, rawJSON(e.before), rawJSON(e.after)}, nil
			}))
		if err != nil {
			return fmt.Errorf("audit stage: copy: %w", err)
		}
		// A freshly filled table is read back in the order it was written:
		// the events keep the file's order.
		_, err = w.tx.Exec(ctx, `INSERT INTO audit_events (tenant_id, actor_id, action, entity, entity_id, before, after)
			SELECT $1::uuid, $2::uuid, action, $3, entity_id, before, after FROM import_audit`,
			w.scope.TenantID, actor, w.entity)
		return err
	}
	const width = 7
	return batches(len(events), width, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*width)
		var b strings.Builder
		b.WriteString("INSERT INTO audit_events (tenant_id, actor_id, action, entity, entity_id, before, after) VALUES ")
		for i, e := range events[lo:hi] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args)+1, width) + ")")
			args = append(args, w.scope.TenantID, actor, e.action, w.entity, e.entityID, rawJSON(e.before), rawJSON(e.after))
		}
		_, err := w.tx.Exec(ctx, b.String(), args...)
		return err
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

// placeholders writes "$from, …" for width parameters.
func placeholders(from, width int) string {
	var b strings.Builder
	for i := range width {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
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
