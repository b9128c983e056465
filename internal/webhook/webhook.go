// Package webhook sends Pareto's changes to the endpoints a tenant's admin
// registers: the event types, the outbox the domain writes fill in the
// same transaction as their change (Emit), the endpoints with their sealed
// signing secrets, the delivery log and the worker that delivers, signs
// and retries.
//
// A change that rolls back leaves no event (the outbox row goes with it);
// an event once committed is delivered at least once per subscribed
// endpoint, with the same Webhook-Id and body on every attempt, so a
// receiver that deduplicates by Webhook-Id sees it exactly once. See
// docs/integrations.md ("Webhooks") for what receivers get.
package webhook

import "context"
import "encoding/json"
import "fmt"
import "slices"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// The event types an endpoint may subscribe to.
const (
	AccountCreated   = "account.created"
	AccountUpdated   = "account.updated"
	AccountArchived  = "account.archived"
	KeyStatusChanged = "account.key_status_changed"
	ScoreChanged     = "account.score_changed"
	GoalStatusChange = "goal.status_changed"
	ReviewClosed     = "review.closed"
)

// EventType describes one event type for people.
type EventType struct {
	Name  string
	Label string
}

// EventTypes are every event type, in the order the admin page lists them.
var EventTypes = []EventType{
	{AccountCreated, "Account created"},
	{AccountUpdated, "Account updated (or restored)"},
	{AccountArchived, "Account archived"},
	{KeyStatusChanged, "Key status changed"},
	{ScoreChanged, "Score changed"},
	{GoalStatusChange, "Goal status changed"},
	{ReviewClosed, "Shortlist review closed"},
}

// KnownType reports whether name is an event type.
func KnownType(name string) bool {
	return slices.ContainsFunc(EventTypes, func(e EventType) bool { return e.Name == name })
}

// Event is one change to announce: its type and what it is about (any
// JSON-encodable value; it becomes the body's "data").
type Event struct {
	Type string
	Data any
}

// body is what a delivery posts. Its bytes are fixed when the event is
// written, so every attempt sends (and signs) the same body.
type body struct {
	ID        uuid.UUID `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	TenantID  uuid.UUID `json:"tenant_id"`
	Data      any       `json:"data"`
}

// Emit writes events to the outbox of tenantID inside tx, the
// transaction of the change they announce: one event row and one pending
// delivery per enabled endpoint subscribed to its type. Events nobody
// subscribes to are not written. This is the one helper every domain
// write that announces a change calls.
func Emit(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, events FROM webhook_endpoints WHERE tenant_id = $1 AND enabled`, tenantID)
	if err != nil {
		return fmt.Errorf("webhook: emit: %w", err)
	}
	type sub struct {
		id     uuid.UUID
		events []string
	}
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sub, error) {
		var s sub
		return s, r.Scan(&s.id, &s.events)
	})
	if err != nil {
		return fmt.Errorf("webhook: emit: %w", err)
	}
	if len(subs) == 0 {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var evRows, delRows [][]any
	for _, e := range events {
		if !KnownType(e.Type) {
			return fmt.Errorf("webhook: emit: unknown event type %q", e.Type)
		}
		id := uuid.New()
		var targets []uuid.UUID
		for _, s := range subs {
			if slices.Contains(s.events, e.Type) {
				targets = append(targets, s.id)
			}
		}
		if len(targets) == 0 {
			continue
		}
		b, err := json.Marshal(body{ID: id, Type: e.Type, CreatedAt: now, TenantID: tenantID, Data: e.Data})
		if err != nil {
			return fmt.Errorf("webhook: emit: encode %s: %w", e.Type, err)
		}
		evRows = append(evRows, []any{tenantID, id, e.Type, string(b), now})
		for _, ep := range targets {
			delRows = append(delRows, []any{tenantID, uuid.New(), id, ep, now, now, now})
		}
	}
	if _, err := db.InsertRows(ctx, tx, "webhook_events", []string{"tenant_id", "id", "type", "body", "created_at"}, evRows, ""); err != nil {
		return fmt.Errorf("webhook: emit: events: %w", err)
	}
	if _, err := db.InsertRows(ctx, tx, "webhook_deliveries",
		[]string{"tenant_id", "id", "event_id", "endpoint_id", "next_attempt_at", "window_start", "created_at"}, delRows, ""); err != nil {
		return fmt.Errorf("webhook: emit: deliveries: %w", err)
	}
	return nil
}

// Change is an event about one record: its kind ("account", "goal",
// "review"), id, and its state before and after the change (what
// changed, or the whole record when created; nil when there is none).
// Every event's data has this shape.
func Change(typ, object string, id uuid.UUID, before, after any) Event {
	return Event{Type: typ, Data: changeData{Object: object, ID: id, Previous: before, Current: after}}
}

type changeData struct {
	Object   string    `json:"object"`
	ID       uuid.UUID `json:"id"`
	Previous any       `json:"previous"`
	Current  any       `json:"current"`
}
