package webhook

import "context"
import "fmt"
import "slices"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/keyset"

// The states of a delivery.
const (
	StatePending   = "pending"
	StateDelivered = "delivered"
	StateFailed    = "failed"
)

// Delivery is one event sent (or to be sent) to one endpoint: a line of
// the delivery log.
type Delivery struct {
	ID            uuid.UUID
	EventID       uuid.UUID // the Webhook-Id
	Type          string
	EndpointID    uuid.UUID
	EndpointURL   string
	State         string
	Attempts      int
	NextAttemptAt time.Time // when pending
	LastAttemptAt time.Time // zero: not tried yet
	LastStatus    int       // HTTP status of the last attempt; 0: none (no answer)
	LastDuration  time.Duration
	LastError     string
	DeliveredAt   time.Time
	CreatedAt     time.Time
}

// DeliveryFilter narrows the log. Zero values mean no filter.
type DeliveryFilter struct {
	EndpointID uuid.UUID
	State      string
	Cursor     keyset.Cursor
	PerPage    int // default 50
}

// DeliveryPage is one page of the log, newest first.
type DeliveryPage struct {
	Deliveries []Delivery
	Links      keyset.Links
}

var deliveryOrder = keyset.Order{Desc: true, Cols: []keyset.Col{{SQL: "d.created_at", Type: "timestamptz"}, {SQL: "d.id", Type: "uuid"}}}

// Deliveries reads one page of the tenant's delivery log, keyset-paged
// (webhook_deliveries_log_idx): no page reads more than its own rows.
func (s *Store) Deliveries(ctx context.Context, sc db.Scope, f DeliveryFilter) (DeliveryPage, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	return db.Read(ctx, s.DB, sc, "webhook: deliveries", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (DeliveryPage, error) {
		args := []any{tenantID}
		where := "d.tenant_id = $1"
		if f.EndpointID != uuid.Nil {
			args = append(args, f.EndpointID)
			where += " AND d.endpoint_id = $" + strconv.Itoa(len(args))
		}
		if f.State != "" {
			args = append(args, f.State)
			where += " AND d.state = $" + strconv.Itoa(len(args))
		}
		pargs := slices.Clone(args)
		after, orderBy, limit := deliveryOrder.Plan(f.Cursor, f.PerPage, &pargs)
		rows, err := tx.Query(ctx, `SELECT d.id, d.event_id, e.type, d.endpoint_id, p.url, d.state, d.attempts, d.next_attempt_at,
				d.last_attempt_at, coalesce(d.last_status, 0), coalesce(d.last_duration_ms, 0), d.last_error, d.delivered_at, d.created_at
			FROM webhook_deliveries d
			JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
			JOIN webhook_endpoints p ON p.tenant_id = d.tenant_id AND p.id = d.endpoint_id
			WHERE `+where+after+` ORDER BY `+orderBy+limit, pargs...)
		if err != nil {
			return DeliveryPage{}, err
		}
		ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
			var d Delivery
			var last, delivered *time.Time
			var ms int
			err := r.Scan(&d.ID, &d.EventID, &d.Type, &d.EndpointID, &d.EndpointURL, &d.State, &d.Attempts, &d.NextAttemptAt,
				&last, &d.LastStatus, &ms, &d.LastError, &delivered, &d.CreatedAt)
			d.LastDuration = time.Duration(ms) * time.Millisecond
			if last != nil {
				d.LastAttemptAt = *last
			}
			if delivered != nil {
				d.DeliveredAt = *delivered
			}
			return d, err
		})
		if err != nil {
			return DeliveryPage{}, err
		}
		var p DeliveryPage
		p.Deliveries, p.Links = keyset.Finish(ds, f.Cursor, f.PerPage, func(d Delivery) []string {
			return []string{d.CreatedAt.Format(time.RFC3339Nano), d.ID.String()}
		})
		return p, nil
	})
}

// Replay sends a delivery again, with the same Webhook-Id and body, as
// soon as the worker next runs, and gives it a new 24-hour retry window.
// db.ErrNotFound for another tenant's delivery.
func (s *Store) Replay(ctx context.Context, sc db.Scope, id uuid.UUID) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var state string
		if err := tx.QueryRow(ctx, `SELECT state FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
			sc.TenantID, id).Scan(&state); err != nil {
			return db.NotFound("delivery", err)
		}
		now := time.Now()
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, window_start = $3
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "replay", Entity: "webhook_delivery",
			EntityID: id.String(), Before: map[string]string{"state": state}, After: map[string]string{"state": StatePending}})
	})
	if err != nil {
		return fmt.Errorf("webhook: replay: %w", err)
	}
	return nil
}
