package plan

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/webhook"

// The status a goal shows (its override, else its derived status) moves
// with the clock and the figures, not only with a write of the goal:
// goal_status_seen keeps the status each open goal showed when last
// looked at, so a turn is seen once. Health's keeper looks (after the
// writes that touch an account, and in the daily run) and notifies;
// an override records what it shows itself, as it announces its change.

// GoalTurn is an open goal whose shown status changed since last seen.
type GoalTurn struct {
	GoalID, PlanID, AccountID uuid.UUID
	AccountName, Title        string
	From                      GoalStatus // "" when first seen
	To                        GoalStatus
}

// GoalTurnsTx finds, in tx, the turns of the open goals (plans not
// closed) of accountIDs on today, records them as seen, and announces
// those of goals seen before (webhook goal.status_changed, not
// overridden: a derived change). A few queries per call, whatever the
// number of accounts.
func GoalTurnsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, today time.Time) ([]GoalTurn, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	goals, err := goalsWhere(ctx, tx, tenantID, today, "p.status <> 'closed' AND p.account_id = ANY($2)", accountIDs)
	if err != nil || len(goals) == 0 {
		return nil, wrap("goal turns", err)
	}
	ids := make([]uuid.UUID, len(goals))
	for i, g := range goals {
		ids[i] = g.ID
	}
	rows, _ := tx.Query(ctx, "SELECT goal_id, status FROM goal_status_seen WHERE tenant_id = $1 AND goal_id = ANY($2)", tenantID, ids)
	seen := map[uuid.UUID]GoalStatus{}
	var id uuid.UUID
	var st GoalStatus
	if _, err := pgx.ForEachRow(rows, []any{&id, &st}, func() error {
		seen[id] = st
		return nil
	}); err != nil {
		return nil, wrap("goal turns", err)
	}
	var turns []GoalTurn
	var recs [][]any
	var events []webhook.Event
	for _, g := range goals {
		shown := g.Status()
		prev, ok := seen[g.ID]
		if ok && prev == shown {
			continue
		}
		recs = append(recs, []any{tenantID, g.ID, string(shown), dateOf(today)})
		turns = append(turns, GoalTurn{GoalID: g.ID, PlanID: g.PlanID, AccountID: g.AccountID, AccountName: g.AccountName,
			Title: g.Title, From: prev, To: shown})
		if ok {
			events = append(events, goalStatusEvent(g.ID,
				goalStatusState{PlanID: g.PlanID, Status: prev, Derived: prev},
				goalStatusState{PlanID: g.PlanID, Status: shown, Derived: g.Derived, Override: g.Override != "", Reason: g.OverrideReason}))
		}
	}
	if err := seeGoals(ctx, tx, recs); err != nil {
		return nil, err
	}
	if err := webhook.Emit(ctx, tx, tenantID, events...); err != nil {
		return nil, err
	}
	return turns, nil
}

// seeGoals records rows (tenant, goal, status, day) as the statuses seen.
func seeGoals(ctx context.Context, tx pgx.Tx, recs [][]any) error {
	if len(recs) == 0 {
		return nil
	}
	_, err := db.InsertRows(ctx, tx, "goal_status_seen", []string{"tenant_id", "goal_id", "status", "seen_on"}, recs,
		"ON CONFLICT (tenant_id, goal_id) DO UPDATE SET status = EXCLUDED.status, seen_on = EXCLUDED.seen_on")
	if err != nil {
		return fmt.Errorf("plan: goal status seen: %w", err)
	}
	return nil
}

// goalStatusState is a goal's status in a goal.status_changed event.
type goalStatusState struct {
	PlanID   uuid.UUID  `json:"plan_id"`
	Status   GoalStatus `json:"status"`
	Derived  GoalStatus `json:"derived"`
	Override bool       `json:"overridden"`
	Reason   string     `json:"reason,omitempty"`
}

// goalStatusEvent is the webhook event of goal goalID's status change.
func goalStatusEvent(goalID uuid.UUID, before, after goalStatusState) webhook.Event {
	return webhook.Change(webhook.GoalStatusChange, "goal", goalID, before, after)
}
