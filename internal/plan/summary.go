package plan

import "context"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// PlanState is the plan an account's row in a list shows: the plan for the
// current fiscal year, else the latest one that is not closed (the account
// page's rule, see AccountPlans), else the latest one.
type PlanState struct {
	PlanID  uuid.UUID
	Period  string
	Status  Status
	Current bool // the plan is for the current fiscal year
}

// Label is e.g. "Active", or "Draft · FY2028" for a plan of another year.
func (p PlanState) Label() string {
	if p.Current {
		return p.Status.Label()
	}
	return p.Status.Label() + " · " + p.Period
}

// PlanStates returns the shown plan of each of accountIDs that has one,
// by account id, with the current fiscal year taken from today.
func PlanStates(ctx context.Context, d *db.DB, s db.Scope, accountIDs []uuid.UUID, today time.Time) (map[uuid.UUID]PlanState, error) {
	out := make(map[uuid.UUID]PlanState, len(accountIDs))
	if len(accountIDs) == 0 {
		return out, nil
	}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		settings, err := settingsTx(ctx, tx, s.TenantID)
		if err != nil {
			return err
		}
		cur := PeriodOf(today, settings.FiscalYearStartMonth).String()
		rows, _ := tx.Query(ctx, `SELECT DISTINCT ON (p.account_id) p.account_id, p.id, p.period, p.status
			FROM goal_plans p
			WHERE p.tenant_id = $1 AND p.account_id = ANY($2)
			ORDER BY p.account_id, p.period = $3 DESC, p.status <> 'closed' DESC, p.period DESC`, s.TenantID, accountIDs, cur)
		var acct uuid.UUID
		var st PlanState
		_, err = pgx.ForEachRow(rows, []any{&acct, &st.PlanID, &st.Period, &st.Status}, func() error {
			st.Current = st.Period == cur
			out[acct] = st
			return nil
		})
		return err
	})
	return out, wrap("plan states", err)
}

// GoalCounts are goals by derived status.
type GoalCounts struct {
	Achieved, OnTrack, AtRisk, OffTrack, Overdue int
}

// Add counts one goal of status st.
func (g *GoalCounts) Add(st GoalStatus) {
	switch st {
	case GoalAchieved:
		g.Achieved++
	case GoalOnTrack:
		g.OnTrack++
	case GoalAtRisk:
		g.AtRisk++
	case GoalOffTrack:
		g.OffTrack++
	case GoalOverdue:
		g.Overdue++
	}
}

// Total is every goal counted.
func (g GoalCounts) Total() int { return g.Achieved + g.OnTrack + g.AtRisk + g.OffTrack + g.Overdue }

// Open is the goals not achieved.
func (g GoalCounts) Open() int { return g.Total() - g.Achieved }

// Attained is goal attainment: the share of goals achieved or on track
// (derived statuses; overrides do not count); ok is false without goals.
func (g GoalCounts) Attained() (share float64, ok bool) {
	if g.Total() == 0 {
		return 0, false
	}
	return float64(g.Achieved+g.OnTrack) / float64(g.Total()), true
}

// GoalCountsOf counts the goals of the plans of accountIDs that are not
// closed, by the status derived on today.
func GoalCountsOf(ctx context.Context, d *db.DB, s db.Scope, accountIDs []uuid.UUID, today time.Time) (GoalCounts, error) {
	var g GoalCounts
	if len(accountIDs) == 0 {
		return g, nil
	}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		goals, err := goalsWhere(ctx, tx, s.TenantID, today, "p.status <> 'closed' AND p.account_id = ANY($2)", accountIDs)
		for _, x := range goals {
			g.Add(x.Derived)
		}
		return err
	})
	return g, wrap("goal counts", err)
}

// GoalCountsTx counts, in tx, the goals of the plans that are not closed
// of each of accountIDs that has some, by the status derived on today (the
// health score's plan progress).
func GoalCountsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, today time.Time) (map[uuid.UUID]GoalCounts, error) {
	out := map[uuid.UUID]GoalCounts{}
	if len(accountIDs) == 0 {
		return out, nil
	}
	goals, err := goalsWhere(ctx, tx, tenantID, today, "p.status <> 'closed' AND p.account_id = ANY($2)", accountIDs)
	if err != nil {
		return nil, wrap("goal counts", err)
	}
	for _, g := range goals {
		c := out[g.AccountID]
		c.Add(g.Derived)
		out[g.AccountID] = c
	}
	return out, nil
}

// OverdueActionCountsTx counts, in tx, the open actions due before today
// in the plans that are not closed of each of accountIDs that has some.
func OverdueActionCountsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, today time.Time) (map[uuid.UUID]int, error) {
	out := map[uuid.UUID]int{}
	if len(accountIDs) == 0 {
		return out, nil
	}
	rows, _ := tx.Query(ctx, `SELECT p.account_id, count(*) FROM plan_actions x
		JOIN goal_plans p ON p.tenant_id = x.tenant_id AND p.id = x.plan_id
		WHERE x.tenant_id = $1 AND p.account_id = ANY($2) AND p.status <> 'closed' AND x.due_date < $3
		  AND (x.done_at IS NULL OR x.done_at >= $3::date + 1)
		GROUP BY p.account_id`, tenantID, accountIDs, today)
	var id uuid.UUID
	var n int
	_, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		out[id] = n
		return nil
	})
	return out, wrap("overdue action counts", err)
}
