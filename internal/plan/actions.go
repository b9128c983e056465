package plan

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

type actionState struct {
	PlanID      uuid.UUID  `json:"plan_id"`
	GoalID      *uuid.UUID `json:"goal_id"`
	Description string     `json:"description"`
	OwnerID     uuid.UUID  `json:"owner_user_id"`
	DueDate     string     `json:"due_date"`
	Done        bool       `json:"done"`
}

func actionStateOf(planID uuid.UUID, in ActionInput, done bool) actionState {
	return actionState{PlanID: planID, GoalID: in.GoalID, Description: in.Description, OwnerID: in.OwnerID,
		DueDate: in.DueDate.Format(time.DateOnly), Done: done}
}

func (a Action) input() ActionInput {
	return ActionInput{GoalID: a.GoalID, Description: a.Description, OwnerID: a.OwnerID, DueDate: a.DueDate}
}

// checkActionRefs checks an action's goal belongs to the plan, its owner
// is an active member and its due date is not after the plan's period.
func checkActionRefs(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, p lockedPlan, in ActionInput) error {
	fe := db.FieldErrors{}
	if in.GoalID != nil {
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM plan_goals WHERE tenant_id = $1 AND plan_id = $2 AND id = $3)",
			tenantID, p.ID, *in.GoalID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			fe.Add("goal", "Choose one of this plan's goals, or the plan itself.")
		}
	}
	var member bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2 AND active)",
		tenantID, in.OwnerID).Scan(&member); err != nil {
		return err
	}
	if !member {
		fe.Add("owner", "Choose an active member of your team.")
	}
	settings, err := settingsTx(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	if _, last := p.Period.Range(settings.FiscalYearStartMonth); in.DueDate.After(last) {
		fe.Add("due_date", "Pick a date on or before the end of "+p.Period.String()+" ("+last.Format("2 Jan 2006")+").")
	} else if in.DueDate.Year() < minYear {
		fe.Add("due_date", "Enter a date after 2000.")
	}
	return fe.Err()
}

// CreateAction adds an action to planID (under in.GoalID, or the plan
// itself when nil) and returns its id. Errors: see UpdateAction.
func CreateAction(ctx context.Context, d *db.DB, a Actor, planID uuid.UUID, in ActionInput) (uuid.UUID, error) {
	in.normalize()
	var id uuid.UUID
	err := inPlan(ctx, d, a, planID, func(tx pgx.Tx, p lockedPlan) error {
		if fe := in.Validate(); len(fe) > 0 {
			return fe
		}
		if err := checkActionRefs(ctx, tx, a.TenantID, p, in); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO plan_actions (tenant_id, plan_id, goal_id, description, owner_user_id, due_date)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.TenantID, planID, in.GoalID, in.Description, in.OwnerID, in.DueDate).
			Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "create", Entity: "plan_action", EntityID: id.String(),
			After: actionStateOf(planID, in, false)})
	})
	return id, wrap("create action", err)
}

// lockAction locks one action of planID.
func lockAction(ctx context.Context, tx pgx.Tx, tenantID, planID, actionID uuid.UUID) (Action, error) {
	var act Action
	err := scanAction(tx.QueryRow(ctx, "SELECT "+actionColumns+" FROM "+actionJoins+`
		WHERE ac.tenant_id = $1 AND ac.plan_id = $2 AND ac.id = $3 FOR UPDATE OF ac`, tenantID, planID, actionID), &act)
	if err != nil {
		return Action{}, db.NotFound("action", err)
	}
	return act, nil
}

// lockOpenAction locks planID and its action actionID for a change by a
// (see lockOpen).
func lockOpenAction(ctx context.Context, tx pgx.Tx, a Actor, planID, actionID uuid.UUID, version int) (lockedPlan, Action, error) {
	return lockOpen(ctx, tx, a, planID, actionID, version, lockAction, func(act Action) int { return act.Version })
}

// UpdateAction changes an action of planID. Returns db.ErrNotFound for an
// unknown plan or action, db.ErrForbidden when a may not change the plan,
// db.ErrConflict when version is stale, db.FieldErrors for bad input, a
// goal of another plan, an owner who is not an active member, a due date
// after the plan's period, or a closed plan.
func UpdateAction(ctx context.Context, d *db.DB, a Actor, planID, actionID uuid.UUID, in ActionInput, version int) error {
	in.normalize()
	err := onChild(ctx, d, a, planID, actionID, version, lockOpenAction, func(tx pgx.Tx, p lockedPlan, act Action) error {
		if fe := in.Validate(); len(fe) > 0 {
			return fe
		}
		before, after := actionStateOf(planID, act.input(), act.Done()), actionStateOf(planID, in, act.Done())
		if before.Description == after.Description && before.OwnerID == after.OwnerID && before.DueDate == after.DueDate &&
			sameID(before.GoalID, after.GoalID) {
			return nil
		}
		if err := checkActionRefs(ctx, tx, a.TenantID, p, in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE plan_actions SET goal_id = $3, description = $4, owner_user_id = $5, due_date = $6,
				version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, a.TenantID, actionID, in.GoalID, in.Description, in.OwnerID, in.DueDate); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "update", Entity: "plan_action", EntityID: actionID.String(),
			Before: before, After: after})
	})
	return wrap("update action", err)
}

func sameID(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// SetActionDone marks an action done or open again and returns it. The
// plan's editors and the action's owner may. Setting the state it already
// has changes nothing and succeeds whatever the version; otherwise a stale
// version is db.ErrConflict. Errors as UpdateAction.
func SetActionDone(ctx context.Context, d *db.DB, a Actor, planID, actionID uuid.UUID, done bool, version int) (Action, error) {
	var out Action
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		var kam *uuid.UUID
		var status Status
		if err := tx.QueryRow(ctx, `SELECT a.kam_user_id, p.status FROM goal_plans p
			JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
			WHERE p.tenant_id = $1 AND p.id = $2`, a.TenantID, planID).Scan(&kam, &status); err != nil {
			return db.NotFound("plan", err)
		}
		act, err := lockAction(ctx, tx, a.TenantID, planID, actionID)
		if err != nil {
			return err
		}
		if !a.CanEdit(kam) && act.OwnerID != a.UserID {
			return fmt.Errorf("only the plan's editors and the action's owner may mark it done: %w", db.ErrForbidden)
		}
		if act.Done() == done {
			// Already so (a double click, or someone else did it): nothing
			// to overwrite.
			out = act
			return nil
		}
		if act.Version != version {
			return db.ErrConflict
		}
		if status == StatusClosed {
			return errClosed
		}
		var doneBy *uuid.UUID
		if done {
			doneBy = db.Null(a.UserID)
		}
		if err := tx.QueryRow(ctx, `UPDATE plan_actions SET done_at = `+db.NowOrNull(done)+`, done_by = $3,
				version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 RETURNING done_at, version`, a.TenantID, actionID, doneBy).
			Scan(&act.DoneAt, &act.Version); err != nil {
			return err
		}
		out = act
		action := map[bool]string{true: "done", false: "reopen"}[done]
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: action, Entity: "plan_action", EntityID: actionID.String(),
			Before: map[string]bool{"done": !done}, After: map[string]bool{"done": done}})
	})
	return out, wrap("set action done", err)
}

// DeleteAction removes an action. Errors as UpdateAction.
func DeleteAction(ctx context.Context, d *db.DB, a Actor, planID, actionID uuid.UUID, version int) error {
	err := onChild(ctx, d, a, planID, actionID, version, lockOpenAction, func(tx pgx.Tx, _ lockedPlan, act Action) error {
		if _, err := tx.Exec(ctx, "DELETE FROM plan_actions WHERE tenant_id = $1 AND id = $2", a.TenantID, actionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "delete", Entity: "plan_action", EntityID: actionID.String(),
			Before: actionStateOf(planID, act.input(), act.Done())})
	})
	return wrap("delete action", err)
}

// ActionByID returns one action of planID. db.ErrNotFound when either
// does not exist in the scope's tenant.
func ActionByID(ctx context.Context, d *db.DB, s db.Scope, planID, actionID uuid.UUID) (Action, error) {
	var act Action
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		err := scanAction(tx.QueryRow(ctx, "SELECT "+actionColumns+" FROM "+actionJoins+`
			WHERE ac.tenant_id = $1 AND ac.plan_id = $2 AND ac.id = $3`, s.TenantID, planID, actionID), &act)
		if err != nil {
			return db.NotFound("action", err)
		}
		return nil
	})
	return act, wrap("action", err)
}
