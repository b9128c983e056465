package importer

import "context"
import "errors"
import "fmt"
import "slices"

import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"

// Records that arrive without a file (the JSON API's bulk writes) take
// the same plan and the same writer as an upload: RowsOf makes rows of
// them, Apply plans and commits them all-or-nothing.

// RowsOf turns records given as field key → value into rows. Each row
// maps exactly the keys its record has, so a record that leaves a field
// out leaves it alone, as a file without that column does. A row's Line
// is its record's index + 1.
func RowsOf(records []map[string]string) []Row {
	out := make([]Row, len(records))
	for i, rec := range records {
		keys := make([]string, 0, len(rec))
		for k := range rec {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		cols := &columns{index: make(map[string]int, len(keys)), header: keys}
		cells := make([]string, len(keys))
		for j, k := range keys {
			cols.index[k] = j
			cells[j] = rec[k]
		}
		out[i] = Row{Line: i + 1, cells: cells, cols: cols}
	}
	return out
}

// Apply plans rows (see RowsOf) for role and, when every row is good,
// writes them in one transaction exactly as Commit writes a file (one
// commit of a kind per tenant at a time, versions checked, an audit event
// per record, then one event for the whole write naming source). When a
// row has a problem nothing is written and the error wraps ErrInvalid;
// the returned plan says which rows and fields. Roles k does not allow
// get db.ErrForbidden.
func (s *Store) Apply(ctx context.Context, sc db.Scope, role auth.Role, k *Kind, rows []Row, source string) (*Plan, error) {
	if !k.Allowed(role) {
		return nil, fmt.Errorf("import %s as %s: %w", k.Name, role, db.ErrForbidden)
	}
	p := &Plan{kind: k, writing: true}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := s.beginCommit(ctx, tx, sc, k); err != nil {
			return err
		}
		now := s.Now()
		if err := k.Plan(ctx, tx, Actor{Scope: sc, Role: role, Now: now}, rows, p); err != nil {
			return err
		}
		if !p.OK() {
			return invalid()
		}
		if err := s.writePlan(ctx, tx, sc, k, p, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "bulk", Entity: k.Entity, EntityID: source,
			After: map[string]any{"kind": k.Name, "rows": len(rows), "created": p.Creates, "updated": p.Updates, "unchanged": p.Unchanged}})
	})
	var fe db.FieldErrors
	if errors.Is(err, ErrInvalid) || errors.As(err, &fe) {
		return p, err
	}
	if err != nil {
		return nil, fmt.Errorf("import: apply %s: %w", k.Name, err)
	}
	return p, nil
}
