package plan

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/webhook"

// errClosed refuses changes to a closed plan's goals and actions.
var errClosed = db.FieldErrors{"plan": "This plan is closed. Reopen it (edit the plan, set it active) to change its goals and actions."}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("plan: %s: %w", op, err)
}

// accountRef is what the permission rule needs to know about an account.
type accountRef struct {
	ID   uuid.UUID
	Name string
	KAM  *uuid.UUID
}

// accountFor reads accountID (not archived); db.ErrNotFound when it does
// not exist in the scope's tenant.
func accountFor(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID) (accountRef, error) {
	a := accountRef{ID: accountID}
	err := tx.QueryRow(ctx, `SELECT name, kam_user_id FROM accounts
		WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL`, tenantID, accountID).Scan(&a.Name, &a.KAM)
	if err != nil {
		return accountRef{}, db.NotFound("account", err)
	}
	return a, nil
}

// lockedPlan is a plan row locked for a change, with its account's KAM.
type lockedPlan struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	KAM       *uuid.UUID
	Period    Period
	Status    Status
	Why       string
	Version   int
}

// lockPlan locks planID for a change by a and checks a may make it.
func lockPlan(ctx context.Context, tx pgx.Tx, a Actor, planID uuid.UUID) (lockedPlan, error) {
	p := lockedPlan{ID: planID}
	var period string
	err := tx.QueryRow(ctx, `SELECT p.account_id, a.kam_user_id, p.period, p.status, p.why, p.version
		FROM goal_plans p JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
		WHERE p.tenant_id = $1 AND p.id = $2 FOR UPDATE OF p`, a.TenantID, planID).
		Scan(&p.AccountID, &p.KAM, &period, &p.Status, &p.Why, &p.Version)
	if err != nil {
		return lockedPlan{}, db.NotFound("plan", err)
	}
	if p.Period, err = ParsePeriod(period); err != nil {
		return lockedPlan{}, err
	}
	return p, a.mayEdit(p.KAM)
}

// lockOpenPlan is lockPlan for adding a goal or an action: a closed plan
// refuses (errClosed).
func lockOpenPlan(ctx context.Context, tx pgx.Tx, a Actor, planID uuid.UUID) (lockedPlan, error) {
	p, err := lockPlan(ctx, tx, a, planID)
	if err == nil && p.Status == StatusClosed {
		err = errClosed
	}
	return p, err
}

// inPlan runs do in one transaction with planID locked for adding to it
// by a (lockOpenPlan).
func inPlan(ctx context.Context, d *db.DB, a Actor, planID uuid.UUID, do func(tx pgx.Tx, p lockedPlan) error) error {
	return d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, err := lockOpenPlan(ctx, tx, a, planID)
		if err != nil {
			return err
		}
		return do(tx, p)
	})
}

// onChild runs do in one transaction with planID and its goal or action
// id locked by lock at version for a change by a (lockOpenGoal,
// lockOpenAction).
func onChild[T any](ctx context.Context, d *db.DB, a Actor, planID, id uuid.UUID, version int,
	lock func(context.Context, pgx.Tx, Actor, uuid.UUID, uuid.UUID, int) (lockedPlan, T, error),
	do func(tx pgx.Tx, p lockedPlan, x T) error) error {
	return d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, x, err := lock(ctx, tx, a, planID, id, version)
		if err != nil {
			return err
		}
		return do(tx, p, x)
	})
}

// current is nil when a record read at version have is still at the
// version the form was read at (want) and the input's own checks found
// nothing: db.ErrConflict first (a stale form shows the conflict, not
// field errors), then fe.
func current(have, want int, fe db.FieldErrors) error {
	if have != want {
		return db.ErrConflict
	}
	return fe.Err()
}

func settingsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	s := DefaultSettings
	err := tx.QueryRow(ctx, "SELECT fiscal_year_start_month, goal_tolerance, version FROM plan_settings WHERE tenant_id = $1", tenantID).
		Scan(&s.FiscalYearStartMonth, &s.GoalTolerance, &s.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

type planState struct {
	AccountID uuid.UUID `json:"account_id"`
	Period    string    `json:"period"`
	Status    Status    `json:"status"`
	Why       string    `json:"why"`
}

// CreatePlan makes accountID's plan for in.Period and returns its id. With
// copyGoals, the goals of the account's latest earlier plan that are not
// achieved are copied in (status on track, due dates moved into the new
// period). Returns db.ErrNotFound for an unknown account, db.ErrForbidden
// when a may not plan it, db.FieldErrors for bad input or a period the
// account already has a plan for.
func CreatePlan(ctx context.Context, d *db.DB, a Actor, accountID uuid.UUID, in PlanInput, copyGoals bool) (uuid.UUID, error) {
	in.normalize()
	if in.Status == "" {
		in.Status = StatusDraft
	}
	var id uuid.UUID
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		acct, err := accountFor(ctx, tx, a.TenantID, accountID)
		if err != nil {
			return err
		}
		if err := a.mayEdit(acct.KAM); err != nil {
			return err
		}
		if fe := in.Validate(); len(fe) > 0 {
			return fe
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM goal_plans WHERE tenant_id = $1 AND account_id = $2 AND period = $3)`,
			a.TenantID, accountID, in.Period).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return db.FieldErrors{"period": acct.Name + " already has a plan for " + in.Period + "."}
		}
		err = tx.QueryRow(ctx, `INSERT INTO goal_plans (tenant_id, account_id, period, status, why, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.TenantID, accountID, in.Period, in.Status, in.Why, db.Null(a.UserID)).Scan(&id)
		if db.IsUniqueViolation(err, "goal_plans_period_key") {
			return db.FieldErrors{"period": acct.Name + " already has a plan for " + in.Period + "."}
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "create", Entity: "goal_plan", EntityID: id.String(),
			After: planState{AccountID: accountID, Period: in.Period, Status: in.Status, Why: in.Why}}); err != nil {
			return err
		}
		if copyGoals {
			return copyOpenGoals(ctx, tx, a, accountID, id, in.Period)
		}
		return nil
	})
	return id, wrap("create plan", err)
}

// copyOpenGoals copies the goals that are not achieved from the account's
// latest plan before period into planID.
func copyOpenGoals(ctx context.Context, tx pgx.Tx, a Actor, accountID, planID uuid.UUID, period string) error {
	var prevID uuid.UUID
	var prevPeriod string
	err := tx.QueryRow(ctx, `SELECT id, period FROM goal_plans WHERE tenant_id = $1 AND account_id = $2 AND period < $3
		ORDER BY period DESC LIMIT 1`, a.TenantID, accountID, period).Scan(&prevID, &prevPeriod)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	goals, err := goalsOf(ctx, tx, a.TenantID, prevID)
	if err != nil {
		return err
	}
	settings, err := settingsTx(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	from, _ := ParsePeriod(prevPeriod)
	to, _ := ParsePeriod(period)
	prevFirst, prevLast := from.Range(settings.FiscalYearStartMonth)
	for i := range goals {
		goals[i].AccountID, goals[i].Start, goals[i].End = accountID, prevFirst, prevLast
	}
	// Achieved (progress reached 100 %) does not depend on the date.
	if err := evaluate(ctx, tx, a.TenantID, settings, prevLast, goals); err != nil {
		return err
	}
	first, last := to.Range(settings.FiscalYearStartMonth)
	pos := 0
	for _, g := range goals {
		if g.Derived == GoalAchieved {
			continue
		}
		due := g.DueDate.AddDate(to.Year-from.Year, 0, 0)
		if due.Before(first) {
			due = first
		}
		if due.After(last) {
			due = last
		}
		pos++
		in := GoalInput{Title: g.Title, KPI: g.KPI, CustomMeasure: g.CustomMeasure, Baseline: g.Baseline, Target: g.Target,
			DueDate: due, ManualProgress: g.ManualProgress}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO plan_goals (tenant_id, plan_id, title, kpi, custom_measure, baseline, target,
				due_date, manual_progress, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			a.TenantID, planID, in.Title, in.KPI, in.CustomMeasure, in.Baseline, in.Target, in.DueDate, in.ManualProgress, pos).
			Scan(&id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: "copy", Entity: "plan_goal", EntityID: id.String(),
			After: goalStateOf(planID, in)}); err != nil {
			return err
		}
	}
	return nil
}

// UpdatePlan changes a plan's period, status and purpose. The version must
// match (db.ErrConflict otherwise). A new period must be free for the
// account and hold every goal's and action's due date (db.FieldErrors).
func UpdatePlan(ctx context.Context, d *db.DB, a Actor, planID uuid.UUID, in PlanInput, version int) error {
	in.normalize()
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, err := lockPlan(ctx, tx, a, planID)
		if err != nil {
			return err
		}
		if err := current(p.Version, version, in.Validate()); err != nil {
			return err
		}
		before := planState{AccountID: p.AccountID, Period: p.Period.String(), Status: p.Status, Why: p.Why}
		after := planState{AccountID: p.AccountID, Period: in.Period, Status: in.Status, Why: in.Why}
		if before == after {
			return nil
		}
		if in.Period != before.Period {
			if err := checkPeriodHolds(ctx, tx, a.TenantID, p, in.Period); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE goal_plans SET period = $3, status = $4, why = $5, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, a.TenantID, planID, in.Period, in.Status, in.Why)
		if db.IsUniqueViolation(err, "goal_plans_period_key") {
			return db.FieldErrors{"period": "This account already has a plan for " + in.Period + "."}
		}
		if err != nil {
			return err
		}
		action := "update"
		if before.Status != after.Status {
			action = "status_change"
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: action, Entity: "goal_plan", EntityID: planID.String(),
			Before: before, After: after})
	})
	return wrap("update plan", err)
}

// checkPeriodHolds refuses a period change that would leave goals or
// actions due outside the new period, or that another plan holds.
func checkPeriodHolds(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, p lockedPlan, period string) error {
	np, err := ParsePeriod(period)
	if err != nil {
		return err
	}
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM goal_plans WHERE tenant_id = $1 AND account_id = $2 AND period = $3 AND id <> $4)`,
		tenantID, p.AccountID, period, p.ID).Scan(&taken); err != nil {
		return err
	}
	if taken {
		return db.FieldErrors{"period": "This account already has a plan for " + period + "."}
	}
	settings, err := settingsTx(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	first, last := np.Range(settings.FiscalYearStartMonth)
	var goals, actions int
	if err := tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM plan_goals WHERE tenant_id = $1 AND plan_id = $2 AND (due_date < $3 OR due_date > $4)),
			(SELECT count(*) FROM plan_actions WHERE tenant_id = $1 AND plan_id = $2 AND due_date > $4)`,
		tenantID, p.ID, first, last).Scan(&goals, &actions); err != nil {
		return err
	}
	if goals+actions > 0 {
		return db.FieldErrors{"period": fmt.Sprintf("%s runs %s; %d goal(s) and %d action(s) are due outside it. Move their due dates first.",
			period, FormatRange(first, last), goals, actions)}
	}
	return nil
}

// PlanByID returns a plan with its goals (with the latest KPI figures
// inside the plan's period and the status derived on today) and actions.
// db.ErrNotFound when it does not exist in the scope's tenant.
func PlanByID(ctx context.Context, d *db.DB, s db.Scope, planID uuid.UUID, today time.Time) (Detail, error) {
	var out Detail
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var err error
		out, err = detailTx(ctx, tx, s.TenantID, planID, today)
		return err
	})
	return out, wrap("plan", err)
}

const planColumns = `p.id, p.account_id, a.name, a.kam_user_id, coalesce(k.name, ''), p.period, p.status, p.why, p.version,
	coalesce(c.name, ''), p.created_at, p.updated_at`

const planJoins = `goal_plans p JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
	LEFT JOIN users k ON k.id = a.kam_user_id LEFT JOIN users c ON c.id = p.created_by`

func scanPlan(row pgx.Row, p *Plan) error {
	return row.Scan(&p.ID, &p.AccountID, &p.AccountName, &p.KAMUserID, &p.KAMName, &p.Period, &p.Status, &p.Why, &p.Version,
		&p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
}

func detailTx(ctx context.Context, tx pgx.Tx, tenantID, planID uuid.UUID, today time.Time) (Detail, error) {
	var out Detail
	if err := scanPlan(tx.QueryRow(ctx, "SELECT "+planColumns+" FROM "+planJoins+" WHERE p.tenant_id = $1 AND p.id = $2",
		tenantID, planID), &out.Plan); err != nil {
		return Detail{}, db.NotFound("plan", err)
	}
	settings, err := settingsTx(ctx, tx, tenantID)
	if err != nil {
		return Detail{}, err
	}
	if per, err := ParsePeriod(out.Period); err == nil {
		out.First, out.Last = per.Range(settings.FiscalYearStartMonth)
	}
	if out.Goals, err = goalsOf(ctx, tx, tenantID, planID); err != nil {
		return Detail{}, err
	}
	for i := range out.Goals {
		out.Goals[i].AccountID, out.Goals[i].Start, out.Goals[i].End = out.AccountID, out.First, out.Last
	}
	if err := evaluate(ctx, tx, tenantID, settings, today, out.Goals); err != nil {
		return Detail{}, err
	}
	out.Actions, err = actionsOf(ctx, tx, tenantID, planID)
	return out, err
}

const goalColumns = `g.id, g.plan_id, g.title, g.kpi, g.custom_measure, g.baseline, g.target, g.due_date, g.manual_progress,
	coalesce(g.status_override, ''), g.override_reason, coalesce(o.name, ''), g.override_at, g.version, g.updated_at`

// goalFrom is the goals with the name of who overrode their status.
const goalFrom = `plan_goals g LEFT JOIN users o ON o.id = g.override_by`

func scanGoal(row pgx.Row, g *Goal) error {
	return row.Scan(&g.ID, &g.PlanID, &g.Title, &g.KPI, &g.CustomMeasure, &g.Baseline, &g.Target, &g.DueDate,
		&g.ManualProgress, &g.Override, &g.OverrideReason, &g.OverrideBy, &g.OverrideAt, &g.Version, &g.UpdatedAt)
}

func goalsOf(ctx context.Context, tx pgx.Tx, tenantID, planID uuid.UUID) ([]Goal, error) {
	rows, _ := tx.Query(ctx, "SELECT "+goalColumns+" FROM "+goalFrom+` WHERE g.tenant_id = $1 AND g.plan_id = $2
		ORDER BY g.position, g.created_at, g.id`, tenantID, planID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Goal, error) {
		var g Goal
		return g, scanGoal(r, &g)
	})
}

const actionColumns = `ac.id, ac.plan_id, ac.goal_id, coalesce(g.title, ''), ac.description, ac.owner_user_id, u.name,
	ac.due_date, ac.done_at, ac.version`

const actionJoins = `plan_actions ac JOIN users u ON u.id = ac.owner_user_id
	LEFT JOIN plan_goals g ON g.tenant_id = ac.tenant_id AND g.id = ac.goal_id`

func scanAction(row pgx.Row, a *Action) error {
	return row.Scan(&a.ID, &a.PlanID, &a.GoalID, &a.GoalTitle, &a.Description, &a.OwnerID, &a.OwnerName, &a.DueDate, &a.DoneAt, &a.Version)
}

func actionsOf(ctx context.Context, tx pgx.Tx, tenantID, planID uuid.UUID) ([]Action, error) {
	rows, _ := tx.Query(ctx, "SELECT "+actionColumns+" FROM "+actionJoins+` WHERE ac.tenant_id = $1 AND ac.plan_id = $2
		ORDER BY ac.done_at IS NOT NULL, ac.due_date, ac.created_at, ac.id`, tenantID, planID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Action, error) {
		var a Action
		return a, scanAction(r, &a)
	})
}

// emitGoalStatus announces a change of the status goal g shows (its
// override, else its derived status) when overriding it with in changes
// it (webhook goal.status_changed), and records the status it shows now
// as seen (GoalTurnsTx), so the keeper does not announce it again.
func emitGoalStatus(ctx context.Context, tx pgx.Tx, tenantID, planID uuid.UUID, g Goal, in OverrideInput, today time.Time) error {
	was, now := g.Status(), g.Derived
	if in.Status != "" {
		now = in.Status
	}
	if err := seeGoals(ctx, tx, [][]any{{tenantID, g.ID, string(now), dateOf(today)}}); err != nil {
		return err
	}
	if was == now {
		return nil
	}
	return webhook.Emit(ctx, tx, tenantID, goalStatusEvent(g.ID,
		goalStatusState{PlanID: planID, Status: was, Derived: g.Derived, Override: g.Override != "", Reason: g.OverrideReason},
		goalStatusState{PlanID: planID, Status: now, Derived: g.Derived, Override: in.Status != "", Reason: in.Reason}))
}
