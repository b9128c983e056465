// Package audit records every change a person makes, in the same
// transaction as the change, and lets admins read the log.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
)

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
	before, err := jsonOrNull(e.Before)
	if err != nil {
		return err
	}
	after, err := jsonOrNull(e.After)
	if err != nil {
		return err
	}
	var actor *uuid.UUID
	if e.ActorID != uuid.Nil {
		actor = &e.ActorID
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6)`, actor, e.Action, e.Entity, e.EntityID, before, after)
	if err != nil {
		return fmt.Errorf("audit: record %s %s: %w", e.Action, e.Entity, err)
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
	Page    int       // 1-based
	PerPage int
}

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry
	Total   int
	Page    int
	Pages   int
}

// Entries lists the scope's tenant's audit log. Admin-only; the caller
// checks the role.
func Entries(ctx context.Context, d *db.DB, s db.Scope, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	var actor *uuid.UUID
	if f.ActorID != uuid.Nil {
		actor = &f.ActorID
	}
	var since, until *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	if !f.Until.IsZero() {
		until = &f.Until
	}
	const where = `e.tenant_id = $1
		AND ($2 = '' OR e.entity = $2) AND ($3 = '' OR e.action = $3)
		AND ($4::uuid IS NULL OR e.actor_id = $4)
		AND ($5::timestamptz IS NULL OR e.at >= $5) AND ($6::timestamptz IS NULL OR e.at < $6)`
	args := []any{s.TenantID, f.Entity, f.Action, actor, since, until}
	p := Page{Page: f.Page}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM audit_events e WHERE "+where, args...).Scan(&p.Total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT e.id, e.at, coalesce(u.name, 'system'), coalesce(u.email::text, ''),
				e.action, e.entity, e.entity_id, coalesce(e.before::text, ''), coalesce(e.after::text, '')
			FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
			WHERE `+where+` ORDER BY e.id DESC LIMIT $7 OFFSET $8`,
			append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
		if err != nil {
			return err
		}
		p.Entries, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
			var e Entry
			err := r.Scan(&e.ID, &e.At, &e.ActorName, &e.ActorEmail, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
			return e, err
		})
		return err
	})
	if err != nil {
		return Page{}, fmt.Errorf("audit: entries: %w", err)
	}
	p.Pages = max(1, (p.Total+f.PerPage-1)/f.PerPage)
	return p, nil
}

// Entities lists the distinct entity kinds in the log, for the filter.
func Entities(ctx context.Context, d *db.DB, s db.Scope) ([]string, error) {
	var out []string
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, "SELECT DISTINCT entity FROM audit_events WHERE tenant_id = $1 ORDER BY 1", s.TenantID)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: entities: %w", err)
	}
	return out, nil
}
