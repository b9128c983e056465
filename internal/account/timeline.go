package account

// Reading interactions: an account's timeline (whole, or a keyset page),
// one interaction with its participants, and a member's overdue next
// steps. What is logged and how it changes is in interactions.go.

import "context"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/keyset"

const interactionCols = `i.id, i.account_id, a.name, i.occurred_on, i.kind, i.summary, i.next_step, i.next_step_due,
	i.next_step_owner_id, coalesce(o.name, ''), i.next_step_done_at, coalesce(c.name, ''), i.version, i.created_at`

const interactionFrom = `interactions i JOIN accounts a ON a.tenant_id = i.tenant_id AND a.id = i.account_id
	LEFT JOIN users o ON o.id = i.next_step_owner_id LEFT JOIN users c ON c.id = i.created_by`

func scanInteraction(row pgx.Row) (Interaction, error) {
	var i Interaction
	var due, done *time.Time
	var owner *uuid.UUID
	err := row.Scan(&i.ID, &i.AccountID, &i.AccountName, &i.OccurredOn, &i.Kind, &i.Summary, &i.NextStep, &due,
		&owner, &i.NextStepOwnerName, &done, &i.CreatedByName, &i.Version, &i.CreatedAt)
	i.OccurredOn = dateOnly(i.OccurredOn)
	if due != nil {
		i.NextStepDue = dateOnly(*due)
	}
	if done != nil {
		i.NextStepDoneAt = *done
	}
	if owner != nil {
		i.NextStepOwnerID = *owner
	}
	return i, err
}

func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// withParticipants fills People for is (one query for all).
func withParticipants(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, is []Interaction) error {
	if len(is) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(is))
	idx := map[uuid.UUID]int{}
	for n, i := range is {
		ids[n], idx[i.ID] = i.ID, n
	}
	rows, err := tx.Query(ctx, `SELECT p.interaction_id, s.id, s.name FROM interaction_participants p
		JOIN stakeholders s ON s.tenant_id = p.tenant_id AND s.id = p.stakeholder_id
		WHERE p.tenant_id = $1 AND p.interaction_id = ANY($2) ORDER BY lower(s.name), s.id`, tenantID, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var iid uuid.UUID
		var p Participant
		if err := rows.Scan(&iid, &p.ID, &p.Name); err != nil {
			return err
		}
		n := idx[iid]
		is[n].People = append(is[n].People, p)
		is[n].Participants = append(is[n].Participants, p.ID)
	}
	return rows.Err()
}

// Interactions returns an account's timeline, newest first, at most limit
// entries (0: all), and how many there are in total. db.ErrNotFound when
// the account does not exist in the tenant.
func (s *Store) Interactions(ctx context.Context, sc db.Scope, accountID uuid.UUID, limit int) ([]Interaction, int, error) {
	var out []Interaction
	var total int
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) (err error) {
		out, total, err = newestOf(ctx, tx, sc.TenantID, accountID, "interactions", "i",
			"SELECT "+interactionCols+" FROM "+interactionFrom, limit, scanInteraction)
		if err != nil {
			return err
		}
		return withParticipants(ctx, tx, sc.TenantID, out)
	})
	return out, total, wrap("interactions", err)
}

// Interaction returns one interaction of an account (db.ErrNotFound).
func (s *Store) Interaction(ctx context.Context, sc db.Scope, accountID, id uuid.UUID) (Interaction, error) {
	i, err := interactions.one(ctx, s.DB, sc, accountID, id)
	if err != nil {
		return i, err
	}
	is := []Interaction{i}
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error { return withParticipants(ctx, tx, sc.TenantID, is) })
	return is[0], wrap("interaction", err)
}

func getInteraction(ctx context.Context, tx pgx.Tx, tenantID, accountID, id uuid.UUID, lock bool) (Interaction, error) {
	return db.One(ctx, tx, "interaction", scanInteraction, lock, " FOR UPDATE OF i",
		"SELECT "+interactionCols+" FROM "+interactionFrom+" WHERE i.tenant_id = $1 AND i.account_id = $2 AND i.id = $3", tenantID, accountID, id)
}

// OverdueNextSteps lists the open next steps of userID that were due
// before today (owned by them, or unowned on an account they manage), on
// active accounts, oldest due first, at most limit, with the total count.
// Anybody signed in may read their own; the home page lists them, each
// with a "Mark done" button.
func (s *Store) OverdueNextSteps(ctx context.Context, sc db.Scope, userID uuid.UUID, today time.Time, limit int) ([]Interaction, int, error) {
	var out []Interaction
	total := 0
	const where = `WHERE i.tenant_id = $1 AND i.next_step_done_at IS NULL AND i.next_step <> ''
			  AND i.next_step_due IS NOT NULL AND i.next_step_due < $3 AND a.archived_at IS NULL
			  AND (i.next_step_owner_id = $2 OR (i.next_step_owner_id IS NULL AND a.kam_user_id = $2))`
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		day := dateOnly(today)
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM interactions i
			JOIN accounts a ON a.tenant_id = i.tenant_id AND a.id = i.account_id `+where, sc.TenantID, userID, day).Scan(&total); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT "+interactionCols+" FROM "+interactionFrom+" "+where+`
			ORDER BY i.next_step_due, lower(a.name), i.id LIMIT $4`, sc.TenantID, userID, day, limit)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Interaction, error) { return scanInteraction(r) })
		return err
	})
	if err != nil {
		return nil, 0, wrap("overdue next steps", err)
	}
	return out, total, nil
}

// InteractionPage is one keyset page of an account's timeline.
type InteractionPage struct {
	Interactions []Interaction
	Links        keyset.Links
}

// timelineOrder pages a timeline newest first (interactions_timeline_idx).
var timelineOrder = keyset.Order{Desc: true, Cols: []keyset.Col{{SQL: "i.occurred_on", Type: "date"},
	{SQL: "i.created_at", Type: "timestamptz"}, {SQL: "i.id", Type: "uuid"}}}

// InteractionsPage returns one page of an account's timeline, newest
// first, per entries from c: the same cost on every page, no count.
// db.ErrNotFound when the account does not exist in the tenant.
func (s *Store) InteractionsPage(ctx context.Context, sc db.Scope, accountID uuid.UUID, c keyset.Cursor, per int) (InteractionPage, error) {
	var p InteractionPage
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := getAccount(ctx, tx, sc.TenantID, accountID, false); err != nil {
			return err
		}
		args := []any{sc.TenantID, accountID}
		after, orderBy, limit := timelineOrder.Plan(c, per, &args)
		rows, _ := tx.Query(ctx, "SELECT "+interactionCols+" FROM "+interactionFrom+
			" WHERE i.tenant_id = $1 AND i.account_id = $2"+after+" ORDER BY "+orderBy+limit, args...)
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Interaction, error) { return scanInteraction(r) })
		if err != nil {
			return err
		}
		p.Interactions, p.Links = keyset.Finish(list, c, per, func(i Interaction) []string {
			return []string{i.OccurredOn.Format(time.DateOnly), i.CreatedAt.Format(time.RFC3339Nano), i.ID.String()}
		})
		return withParticipants(ctx, tx, sc.TenantID, p.Interactions)
	})
	return p, wrap("interactions page", err)
}
