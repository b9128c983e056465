package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/audit"
	"pareto/internal/db"
	"pareto/internal/kpi"
	"pareto/internal/webhook"
)

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
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.TenantID, accountID, in.Period, in.Status, in.Why, nullID(a.UserID)).Scan(&id)
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
		if p.Version != version {
			return db.ErrConflict
		}
		if fe := in.Validate(); len(fe) > 0 {
			return fe
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

func (g Goal) input() GoalInput {
	return GoalInput{Title: g.Title, KPI: g.KPI, CustomMeasure: g.CustomMeasure, Baseline: g.Baseline, Target: g.Target,
		DueDate: g.DueDate, ManualProgress: g.ManualProgress}
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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, err := lockOpenPlan(ctx, tx, a, planID)
		if err != nil {
			return err
		}
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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, g, err := lockOpenGoal(ctx, tx, a, planID, goalID, version)
		if err != nil {
			return err
		}
		if err := validGoal(ctx, tx, a.TenantID, in); err != nil {
			return err
		}
		before, after := goalStateOf(planID, g.input()), goalStateOf(planID, in)
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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		_, g, err := lockOpenGoal(ctx, tx, a, planID, goalID, version)
		if err != nil {
			return err
		}
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
			Before: goalStateOf(planID, g.input())})
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

// emitGoalStatus announces a change of the status goal g shows (its
// override, else its derived status) when overriding it with in changes
// it (webhook goal.status_changed).
func emitGoalStatus(ctx context.Context, tx pgx.Tx, tenantID, planID uuid.UUID, g Goal, in OverrideInput) error {
	was, now := g.Status(), g.Derived
	if in.Status != "" {
		now = in.Status
	}
	if was == now {
		return nil
	}
	type state struct {
		PlanID   uuid.UUID  `json:"plan_id"`
		Status   GoalStatus `json:"status"`
		Derived  GoalStatus `json:"derived"`
		Override bool       `json:"overridden"`
		Reason   string     `json:"reason,omitempty"`
	}
	return webhook.Emit(ctx, tx, tenantID, webhook.Change(webhook.GoalStatusChange, "goal", g.ID,
		state{PlanID: planID, Status: was, Derived: g.Derived, Override: g.Override != "", Reason: g.OverrideReason},
		state{PlanID: planID, Status: now, Derived: g.Derived, Override: in.Status != "", Reason: in.Reason}))
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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		_, g, err := lockOpenGoal(ctx, tx, a, planID, goalID, version)
		if err != nil {
			return err
		}
		if fe := in.Validate(); len(fe) > 0 {
			return fe
		}
		if g.Override == in.Status && g.OverrideReason == in.Reason {
			return nil
		}
		if g, err = placed(ctx, tx, a.TenantID, planID, g, today); err != nil {
			return err
		}
		var by *uuid.UUID
		var at *time.Time
		now := time.Now()
		if in.Status != "" {
			by, at = nullID(a.UserID), &now
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
		return emitGoalStatus(ctx, tx, a.TenantID, planID, g, in)
	})
	return wrap("override goal status", err)
}

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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, err := lockOpenPlan(ctx, tx, a, planID)
		if err != nil {
			return err
		}
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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		p, act, err := lockOpenAction(ctx, tx, a, planID, actionID, version)
		if err != nil {
			return err
		}
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
			doneBy = nullID(a.UserID)
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
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		_, act, err := lockOpenAction(ctx, tx, a, planID, actionID, version)
		if err != nil {
			return err
		}
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

func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
