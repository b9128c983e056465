// Package audit records every change a person makes, in the same
// transaction as the change, and lets admins read the log.
package audit

import "context"
import "encoding/json"
import "fmt"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/keyset"

// Event is one recorded change. Before and After are any JSON-encodable
// values (nil for creations and deletions respectively).
type Event struct {
	ActorID  uuid.UUID
	Action   string // e.g. "create", "update", "invite", "role_change"
	Entity   string // e.g. "account", "membership"
	EntityID string
	Before   any
	After    any
}

// Record appends e to the current tenant's audit log inside tx.
func Record(ctx context.Context, tx pgx.Tx, e Event) error {
	actor, before, after, err := e.encode()
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6)`, actor, e.Action, e.Entity, e.EntityID, before, after)
	if err != nil {
		return fmt.Errorf("audit: record %s %s: %w", e.Action, e.Entity, err)
	}
	return nil
}

// encode is e's actor (nil for none) and its states as JSON.
func (e Event) encode() (actor *uuid.UUID, before, after []byte, err error) {
	if before, err = jsonOrNull(e.Before); err != nil {
		return nil, nil, nil, err
	}
	if after, err = jsonOrNull(e.After); err != nil {
		return nil, nil, nil, err
	}
	if e.ActorID != uuid.Nil {
		actor = &e.ActorID
	}
	return actor, before, after, nil
}

// RecordAll appends events to tenantID's audit log inside tx, in order,
// in multi-row INSERTs (a bulk action's one event per record without a
// round trip each; see db.InsertRows).
func RecordAll(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, events []Event) error {
	rows := make([][]any, 0, len(events))
	for _, e := range events {
		actor, before, after, err := e.encode()
		if err != nil {
			return err
		}
		rows = append(rows, []any{tenantID, actor, e.Action, e.Entity, e.EntityID, before, after})
	}
	if _, err := db.InsertRows(ctx, tx, "audit_events", []string{"tenant_id", "actor_id", "action", "entity", "entity_id", "before", "after"}, rows, ""); err != nil {
		return fmt.Errorf("audit: record %d events: %w", len(events), err)
	}
	return nil
}

func jsonOrNull(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: encode: %w", err)
	}
	return b, nil
}

// Entry is one row of the audit log as admins read it.
type Entry struct {
	ID         int64
	At         time.Time
	ActorName  string
	ActorEmail string
	Action     string
	Entity     string
	EntityID   string
	Before     string
	After      string
}

// Filter narrows the log. Zero values mean no filter.
type Filter struct {
	Entity  string
	Action  string
	ActorID uuid.UUID
	Since   time.Time
	Until   time.Time // exclusive
	// Records keeps the events about these records (entity ids; nil: any,
	// empty: none), served by audit_events_record_at_idx.
	Records []string
	Cursor  keyset.Cursor // where the page starts; the zero Cursor is the newest page
	PerPage int
}

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry
	// Total is how many events the filter lets through, counted up to
	// CountCap (Exact false: "1,000+").
	Total int
	Exact bool
	Links keyset.Links
	// Names are the names of the records the entries are about and of the
	// people their changes mention, by id.
	Names map[string]string
}

// CountCap is where counting the events of a filter stops.
const CountCap = 1000

// order is the log's order, newest first: (at, id) descending, served by
// audit_events_at_idx and, with an entity, actor or record filter, by
// audit_events_entity_at_idx, audit_events_actor_at_idx and
// audit_events_record_at_idx.
var order = keyset.Order{Desc: true, Cols: []keyset.Col{{SQL: "e.at", Type: "timestamptz"}, {SQL: "e.id", Type: "bigint"}}}

// Entries lists one page of the scope's tenant's audit log, keyset-paged:
// no page reads more than its own rows, and the count stops at CountCap.
// Admin-only; the caller checks the role.
func Entries(ctx context.Context, d *db.DB, s db.Scope, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	args := []any{s.TenantID}
	var where strings.Builder
	add := func(cond string, v any) {
		args = append(args, v)
		where.WriteString(" AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Entity != "" {
		add("e.entity = ?", f.Entity)
	}
	if f.Action != "" {
		add("e.action = ?", f.Action)
	}
	if f.ActorID != uuid.Nil {
		add("e.actor_id = ?", f.ActorID)
	}
	if !f.Since.IsZero() {
		add("e.at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		add("e.at < ?", f.Until)
	}
	if f.Records != nil {
		add("e.entity_id = ANY(?)", f.Records)
	}
	filter := "e.tenant_id = $1" + where.String()
	var p Page
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM audit_events e WHERE "+filter+
			" ORDER BY e.at DESC, e.id DESC LIMIT "+strconv.Itoa(CountCap+1)+") x", args...).Scan(&p.Total); err != nil {
			return err
		}
		p.Exact, p.Total = p.Total <= CountCap, min(p.Total, CountCap)
		pargs := slices.Clone(args)
		after, orderBy, limit := order.Plan(f.Cursor, f.PerPage, &pargs)
		rows, err := tx.Query(ctx, `SELECT e.id, e.at, coalesce(u.name, 'system'), coalesce(u.email::text, ''),
				e.action, e.entity, e.entity_id, coalesce(e.before::text, ''), coalesce(e.after::text, '')
			FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
			WHERE `+filter+after+` ORDER BY `+orderBy+limit, pargs...)
		if err != nil {
			return err
		}
		entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
			var e Entry
			err := r.Scan(&e.ID, &e.At, &e.ActorName, &e.ActorEmail, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
			return e, err
		})
		if err != nil {
			return err
		}
		p.Entries, p.Links = keyset.Finish(entries, f.Cursor, f.PerPage, func(e Entry) []string {
			return []string{e.At.Format(time.RFC3339Nano), strconv.FormatInt(e.ID, 10)}
		})
		p.Names, err = names(ctx, tx, s.TenantID, p.Entries)
		return err
	})
	if err != nil {
		return Page{}, fmt.Errorf("audit: entries: %w", err)
	}
	return p, nil
}

// Entities lists the distinct entity kinds in the log, for the filter: a
// loose index scan (one probe of audit_events_entity_idx per kind), not a
// read of every event.
func Entities(ctx context.Context, d *db.DB, s db.Scope) ([]string, error) {
	var out []string
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `WITH RECURSIVE v AS (
				(SELECT entity FROM audit_events WHERE tenant_id = $1 ORDER BY entity LIMIT 1)
				UNION ALL
				SELECT (SELECT e.entity FROM audit_events e WHERE e.tenant_id = $1 AND e.entity > v.entity
					ORDER BY e.entity LIMIT 1)
				FROM v WHERE v.entity IS NOT NULL
			)
			SELECT entity FROM v WHERE entity IS NOT NULL`, s.TenantID)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: entities: %w", err)
	}
	return out, nil
}
