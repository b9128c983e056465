package plan

import "context"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/kpi"

type goalState struct {
	PlanID         uuid.UUID `json:"plan_id"`
	Title          string    `json:"title"`
	KPI            KPI       `json:"kpi"`
	CustomMeasure  string    `json:"custom_measure,omitempty"`
	Baseline       float64   `json:"baseline"`
	Target         float64   `json:"target"`
	DueDate        string    `json:"due_date"`
	ManualProgress *float64  `json:"manual_progress"`
}

func goalStateOf(planID uuid.UUID, in GoalInput) goalState {
	return goalState{PlanID: planID, Title: in.Title, KPI: in.KPI, CustomMeasure: in.CustomMeasure, Baseline: in.Baseline,
		Target: in.Target, DueDate: in.DueDate.Format(time.DateOnly), ManualProgress: in.ManualProgress}
}

// validGoal checks in on the tenant's CSAT scale (the KPI area's setting).
func validGoal(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, in GoalInput) error {
	ks, err := kpi.SettingsTx(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	if fe := in.Validate(ks.CSATScale); len(fe) > 0 {
		return fe
	}
	return nil
}

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// checkGoalDue requires due inside the plan's period.
func checkGoalDue(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, p lockedPlan, due time.Time) error {
	settings, err := settingsTx(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	if !p.Period.Contains(due, settings.FiscalYearStartMonth) {
		first, last := p.Period.Range(settings.FiscalYearStartMonth)
		return db.FieldErrors{"due_date": "Pick a date inside " + p.Period.String() + " (" + FormatRange(first, last) + ")."}
	}
	return nil
}

// CreateGoal adds a goal to planID and returns its id. Errors: see
// UpdateGoal.
func CreateGoal(ctx context.Context, d *db.DB, a Actor, planID uuid.UUID, in GoalInput) (uuid.UUID, error) {
	in.normalize()
	var id uuid.UUID
	err := inPlan(ctx, d, a, planID, func(tx pgx.Tx, p lockedPlan) error {
		if err := validGoal(ctx, tx, a.TenantID, in); err != nil {
			return err
		}
		if err := checkGoalDue(ctx, tx, a.TenantID, p, in.DueDate); err != nil {
			return err
		}
		// Last position, read first: Citus refuses a sub-select inside an
		// INSERT (the plan row is locked, so no one appends meanwhile).
		var pos int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(position), 0) + 1 FROM plan_goals WHERE tenant_id = $1 AND plan_id = $2",
			a.TenantID, planID).Scan(&pos); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO plan_goals (tenant_id, plan_id, title, kpi, custom_measure, baseline, target,
				due_date, manual_progress, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING id`,
			a.TenantID, planID, in.Title, in.KPI, in.CustomMeasure, in.Baseline, in.Target, in.DueDate, in.ManualProgress, pos).
			Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "create", Entity: "plan_goal", EntityID: id.String(),
			After: goalStateOf(planID, in)})
	})
	return id, wrap("create goal", err)
}

// UpdateGoal changes a goal of planID. Returns db.ErrNotFound for an
// unknown plan or goal, db.ErrForbidden when a may not change the plan,
// db.ErrConflict when version is stale, db.FieldErrors for bad input, a
// due date outside the plan's period or a closed plan.
func UpdateGoal(ctx context.Context, d *db.DB, a Actor, planID, goalID uuid.UUID, in GoalInput, version int) error {
	in.normalize()
	err := onChild(ctx, d, a, planID, goalID, version, lockOpenGoal, func(tx pgx.Tx, p lockedPlan, g Goal) error {
		if err := validGoal(ctx, tx, a.TenantID, in); err != nil {
			return err
		}
		before, after := goalStateOf(planID, g.GoalInput), goalStateOf(planID, in)
		if before.Title == after.Title && before.KPI == after.KPI && before.CustomMeasure == after.CustomMeasure &&
			before.Baseline == after.Baseline && before.Target == after.Target && before.DueDate == after.DueDate &&
			sameFloat(before.ManualProgress, after.ManualProgress) {
			return nil
		}
		if err := checkGoalDue(ctx, tx, a.TenantID, p, in.DueDate); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE plan_goals SET title = $3, kpi = $4, custom_measure = $5, baseline = $6, target = $7,
				due_date = $8, manual_progress = $9, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`,
			a.TenantID, goalID, in.Title, in.KPI, in.CustomMeasure, in.Baseline, in.Target, in.DueDate, in.ManualProgress); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "update", Entity: "plan_goal", EntityID: goalID.String(),
			Before: before, After: after})
	})
	return wrap("update goal", err)
}

// DeleteGoal removes a goal; its actions stay, under the plan itself.
// Errors as UpdateGoal.
func DeleteGoal(ctx context.Context, d *db.DB, a Actor, planID, goalID uuid.UUID, version int) error {
	err := onChild(ctx, d, a, planID, goalID, version, lockOpenGoal, func(tx pgx.Tx, _ lockedPlan, g Goal) error {
		// Its actions stay, under the plan: the foreign key cannot do it
		// on Citus (migrations/00013_citus_compatible.sql).
		if _, err := tx.Exec(ctx, `UPDATE plan_actions SET goal_id = NULL, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND plan_id = $2 AND goal_id = $3`, a.TenantID, planID, goalID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM plan_goals WHERE tenant_id = $1 AND id = $2", a.TenantID, goalID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "delete", Entity: "plan_goal", EntityID: goalID.String(),
			Before: goalStateOf(planID, g.GoalInput)})
	})
	return wrap("delete goal", err)
}

// GoalByID returns one goal of planID with its latest KPI figure inside
// the plan's period and its status derived on today. db.ErrNotFound when
// either does not exist in the scope's tenant.
func GoalByID(ctx context.Context, d *db.DB, s db.Scope, planID, goalID uuid.UUID, today time.Time) (Goal, error) {
	var g Goal
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		if err := scanGoal(tx.QueryRow(ctx, "SELECT "+goalColumns+" FROM "+goalFrom+`
			WHERE g.tenant_id = $1 AND g.plan_id = $2 AND g.id = $3`, s.TenantID, planID, goalID), &g); err != nil {
			return db.NotFound("goal", err)
		}
		var err error
		g, err = placed(ctx, tx, s.TenantID, planID, g, today)
		return err
	})
	return g, wrap("goal", err)
}

// placed evaluates one goal of planID: its plan's account and period, its
// figure and its derived status on today.
func placed(ctx context.Context, tx pgx.Tx, tenantID, planID uuid.UUID, g Goal, today time.Time) (Goal, error) {
	var period string
	if err := tx.QueryRow(ctx, `SELECT account_id, period FROM goal_plans WHERE tenant_id = $1 AND id = $2`, tenantID, planID).
		Scan(&g.AccountID, &period); err != nil {
		return g, db.NotFound("plan", err)
	}
	st, err := settingsTx(ctx, tx, tenantID)
	if err != nil {
		return g, err
	}
	per, err := ParsePeriod(period)
	if err != nil {
		return g, err
	}
	g.Start, g.End = per.Range(st.FiscalYearStartMonth)
	goals := []Goal{g}
	err = evaluate(ctx, tx, tenantID, st, today, goals)
	return goals[0], err
}

// lockOpenGoal locks planID and its goal goalID for a change by a (see
// lockOpen).
func lockOpenGoal(ctx context.Context, tx pgx.Tx, a Actor, planID, goalID uuid.UUID, version int) (lockedPlan, Goal, error) {
	return lockOpen(ctx, tx, a, planID, goalID, version, lockGoal, func(g Goal) int { return g.Version })
}

// lockOpen locks planID and one of its parts (a goal, an action: lock
// locks it) for a change by a: the plan must allow a's change and not be
// closed, and the part must still be at version.
func lockOpen[T any](ctx context.Context, tx pgx.Tx, a Actor, planID, id uuid.UUID, version int,
	lock func(context.Context, pgx.Tx, uuid.UUID, uuid.UUID, uuid.UUID) (T, error), versionOf func(T) int) (lockedPlan, T, error) {
	p, err := lockPlan(ctx, tx, a, planID)
	if err != nil {
		var zero T
		return p, zero, err
	}
	part, err := lock(ctx, tx, a.TenantID, planID, id)
	switch {
	case err != nil:
		return p, part, err
	case versionOf(part) != version:
		return p, part, db.ErrConflict
	case p.Status == StatusClosed:
		return p, part, errClosed
	}
	return p, part, nil
}

// lockGoal reads goal goalID of planID for a change.
func lockGoal(ctx context.Context, tx pgx.Tx, tenantID, planID, goalID uuid.UUID) (Goal, error) {
	var g Goal
	if err := scanGoal(tx.QueryRow(ctx, "SELECT "+goalColumns+" FROM "+goalFrom+`
		WHERE g.tenant_id = $1 AND g.plan_id = $2 AND g.id = $3 FOR UPDATE OF g`, tenantID, planID, goalID), &g); err != nil {
		return Goal{}, db.NotFound("goal", err)
	}
	return g, nil
}

type overrideState struct {
	Override GoalStatus `json:"status_override,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	Derived  GoalStatus `json:"derived,omitempty"`
	Progress *float64   `json:"progress_pct,omitempty"`
	Expected float64    `json:"expected_pct,omitempty"`
}

// OverrideGoalStatus sets a KAM's override of goal goalID's derived
// status with the reason (in.Status "" clears it). Who may change the
// plan may override it (db.ErrForbidden otherwise); db.ErrNotFound,
// db.ErrConflict and db.FieldErrors as UpdateGoal, plus a status without
// a reason. The audit event keeps the status derived on today beside the
// override, so a later reader sees what the figures said at the time.
func OverrideGoalStatus(ctx context.Context, d *db.DB, a Actor, planID, goalID uuid.UUID, in OverrideInput, version int, today time.Time) error {
	in.normalize()
	if in.Status == "" {
		in.Reason = ""
	}
	err := onChild(ctx, d, a, planID, goalID, version, lockOpenGoal, func(tx pgx.Tx, _ lockedPlan, g Goal) error {
		if fe := in.Validate(); len(fe) > 0 {
			return fe
		}
		if g.Override == in.Status && g.OverrideReason == in.Reason {
			return nil
		}
		g, err := placed(ctx, tx, a.TenantID, planID, g, today)
		if err != nil {
			return err
		}
		var by *uuid.UUID
		var at *time.Time
		now := time.Now()
		if in.Status != "" {
			by, at = db.Null(a.UserID), &now
		}
		var override *GoalStatus
		if in.Status != "" {
			override = &in.Status
		}
		if _, err := tx.Exec(ctx, `UPDATE plan_goals SET status_override = $3, override_reason = $4, override_by = $5, override_at = $6,
				version = version + 1, updated_at = $7
			WHERE tenant_id = $1 AND id = $2`, a.TenantID, goalID, override, in.Reason, by, at, now); err != nil {
			return err
		}
		after := overrideState{Override: in.Status, Reason: in.Reason, Derived: g.Derived, Expected: g.Expected}
		if pct, known := g.Progress(); known {
			after.Progress = &pct
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "override_status", Entity: "plan_goal", EntityID: goalID.String(),
			Before: overrideState{Override: g.Override, Reason: g.OverrideReason}, After: after}); err != nil {
			return err
		}
		return emitGoalStatus(ctx, tx, a.TenantID, planID, g, in, today)
	})
	return wrap("override goal status", err)
}
