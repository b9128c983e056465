package plan

import "context"
import "fmt"
import "slices"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// Summary is one plan as the lists show it.
type Summary struct {
	Head
	UpdatedAt time.Time
	// Goals by derived status (ListFilter.Today).
	GoalCounts
	// Actions not done, and those of them past due (none on closed plans).
	OpenActions, OverdueActions int
}

// GoalCount is the plan's number of goals.
func (s Summary) GoalCount() int { return s.Total() }

// ListFilter narrows and orders the plan list. Zero values mean no filter.
type ListFilter struct {
	KAMID     uuid.UUID
	AccountID uuid.UUID
	Status    Status
	Period    string
	Sort      string // account (default), period, kam, status, overdue, updated
	Desc      bool
	Page      int // 1-based
	PerPage   int
	// Today is the day goal statuses are derived on (zero: now).
	Today time.Time
}

// ListPage is one page of plans.
type ListPage struct {
	Plans []Summary
	Total int
	Page  int
	Pages int
}

// SortKeys are the columns the plan list can be ordered by.
var SortKeys = []string{"account", "period", "kam", "status", "overdue", "updated"}

var sortSQL = map[string]string{
	"account": "a.sort_name %s, p.period DESC",
	"period":  "p.period %s, lower(a.name)",
	"kam":     "lower(coalesce(k.name, '')) %s, lower(a.name)",
	"status":  "array_position(ARRAY['draft','active','closed'], p.status) %s, lower(a.name)",
	"overdue": "coalesce(ac.overdue, 0) %s, lower(a.name)",
	"updated": "p.updated_at %s",
}

// Plans lists the scope's tenant's plans of accounts not archived, with
// goal counts by status (derived on f.Today) and open and overdue actions.
func Plans(ctx context.Context, d *db.DB, s db.Scope, f ListFilter) (ListPage, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.Today.IsZero() {
		f.Today = time.Now()
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	order, ok := sortSQL[f.Sort]
	if !ok {
		order = sortSQL["account"]
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	order = strings.Replace(order, "%s", dir, 1) + ", p.id"
	out := ListPage{Page: f.Page}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT p.id, p.account_id, a.name, a.kam_user_id, coalesce(k.name, ''), p.period, p.status, p.updated_at,
				coalesce(ac.open, 0), coalesce(ac.overdue, 0), count(*) OVER ()
			FROM goal_plans p
			JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
			LEFT JOIN users k ON k.id = a.kam_user_id
			LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE done_at IS NULL) AS open,
					count(*) FILTER (WHERE done_at IS NULL AND due_date < current_date AND p.status <> 'closed') AS overdue
				FROM plan_actions WHERE tenant_id = p.tenant_id AND plan_id = p.id) ac ON true
			WHERE p.tenant_id = $1 AND a.archived_at IS NULL
				AND ($2::uuid IS NULL OR a.kam_user_id = $2) AND ($3::uuid IS NULL OR p.account_id = $3)
				AND ($4 = '' OR p.status = $4) AND ($5 = '' OR p.period = $5)
			ORDER BY `+order+` LIMIT $6 OFFSET $7`,
			s.TenantID, db.Null(f.KAMID), db.Null(f.AccountID), string(f.Status), f.Period, f.PerPage, (f.Page-1)*f.PerPage)
		var err error
		out.Plans, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) {
			var x Summary
			err := r.Scan(&x.ID, &x.AccountID, &x.AccountName, &x.KAMUserID, &x.KAMName, &x.Period, &x.Status, &x.UpdatedAt,
				&x.OpenActions, &x.OverdueActions, &out.Total)
			return x, err
		})
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(out.Plans))
		at := make(map[uuid.UUID]int, len(out.Plans))
		for i, p := range out.Plans {
			ids[i], at[p.ID] = p.ID, i
		}
		goals, err := goalsWhere(ctx, tx, s.TenantID, f.Today, "g.plan_id = ANY($2)", ids)
		if err != nil {
			return err
		}
		for _, g := range goals {
			out.Plans[at[g.PlanID]].GoalCounts.Add(g.Derived)
		}
		if len(out.Plans) == 0 && f.Page > 1 {
			// Past the last page: count without paging.
			return tx.QueryRow(ctx, `SELECT count(*) FROM goal_plans p JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
				WHERE p.tenant_id = $1 AND a.archived_at IS NULL
					AND ($2::uuid IS NULL OR a.kam_user_id = $2) AND ($3::uuid IS NULL OR p.account_id = $3)
					AND ($4 = '' OR p.status = $4) AND ($5 = '' OR p.period = $5)`,
				s.TenantID, db.Null(f.KAMID), db.Null(f.AccountID), string(f.Status), f.Period).Scan(&out.Total)
		}
		return nil
	})
	if err != nil {
		return ListPage{}, wrap("plans", err)
	}
	out.Pages = max(1, (out.Total+f.PerPage-1)/f.PerPage)
	return out, nil
}

// Periods lists the periods the tenant has plans for, newest first.
func Periods(ctx context.Context, d *db.DB, s db.Scope) ([]string, error) {
	var out []string
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, "SELECT DISTINCT period FROM goal_plans WHERE tenant_id = $1 ORDER BY period DESC", s.TenantID)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return out, wrap("periods", err)
}

// AccountRef names an account and its KAM.
type AccountRef struct {
	ID        uuid.UUID
	Name      string
	KAMUserID *uuid.UUID
	KAMName   string
	KeyStatus string
}

// KeyAccountsWithoutPlan lists the key accounts (not archived) that have
// no plan for period, by name.
func KeyAccountsWithoutPlan(ctx context.Context, d *db.DB, s db.Scope, period string) ([]AccountRef, error) {
	var out []AccountRef
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, a.kam_user_id, coalesce(k.name, ''), a.key_status
			FROM accounts a LEFT JOIN users k ON k.id = a.kam_user_id
			WHERE a.tenant_id = $1 AND a.key_status = 'key' AND a.archived_at IS NULL
				AND NOT EXISTS (SELECT 1 FROM goal_plans p WHERE p.tenant_id = a.tenant_id AND p.account_id = a.id AND p.period = $2)
			ORDER BY a.sort_name, a.id LIMIT 200`, s.TenantID, period)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccountRef, error) {
			var x AccountRef
			return x, r.Scan(&x.ID, &x.Name, &x.KAMUserID, &x.KAMName, &x.KeyStatus)
		})
		return err
	})
	return out, wrap("key accounts without plan", err)
}

// AccountByID names one account (archived ones included). db.ErrNotFound
// when it does not exist in the scope's tenant.
func AccountByID(ctx context.Context, d *db.DB, s db.Scope, id uuid.UUID) (AccountRef, error) {
	x := AccountRef{ID: id}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT a.name, a.kam_user_id, coalesce(k.name, ''), a.key_status
			FROM accounts a LEFT JOIN users k ON k.id = a.kam_user_id WHERE a.tenant_id = $1 AND a.id = $2`, s.TenantID, id).
			Scan(&x.Name, &x.KAMUserID, &x.KAMName, &x.KeyStatus)
		if err != nil {
			return db.NotFound("account", err)
		}
		return nil
	})
	return x, wrap("account", err)
}

// OverdueAction is an open action past its due date, for its owner's
// dashboard.
type OverdueAction struct {
	ID          uuid.UUID
	PlanID      uuid.UUID
	AccountID   uuid.UUID
	AccountName string
	Period      string
	Description string
	GoalTitle   string
	DueDate     time.Time
	DaysOverdue int
	Version     int
}

// OverdueActions lists userID's open actions due before today on plans
// that are not closed, of accounts not archived, most overdue first (at
// most 50).
func OverdueActions(ctx context.Context, d *db.DB, s db.Scope, userID uuid.UUID) ([]OverdueAction, error) {
	var out []OverdueAction
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT ac.id, ac.plan_id, p.account_id, a.name, p.period, ac.description, coalesce(g.title, ''),
				ac.due_date, current_date - ac.due_date, ac.version
			FROM plan_actions ac
			JOIN goal_plans p ON p.tenant_id = ac.tenant_id AND p.id = ac.plan_id
			JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
			LEFT JOIN plan_goals g ON g.tenant_id = ac.tenant_id AND g.id = ac.goal_id
			WHERE ac.tenant_id = $1 AND ac.owner_user_id = $2 AND ac.done_at IS NULL AND ac.due_date < current_date
				AND p.status <> 'closed' AND a.archived_at IS NULL
			ORDER BY ac.due_date, lower(a.name), ac.id LIMIT 50`, s.TenantID, userID)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (OverdueAction, error) {
			var x OverdueAction
			return x, r.Scan(&x.ID, &x.PlanID, &x.AccountID, &x.AccountName, &x.Period, &x.Description, &x.GoalTitle,
				&x.DueDate, &x.DaysOverdue, &x.Version)
		})
		return err
	})
	return out, wrap("overdue actions", err)
}

// AccountOverview is an account's plans, for the account page's section.
type AccountOverview struct {
	Account AccountRef
	// CurrentPeriod is the fiscal year today falls in.
	CurrentPeriod string
	// Current is the plan to show: the one for the current period, else the
	// latest one that is not closed; nil when there is none.
	Current *Detail
	Plans   []Summary
}

// AccountPlans returns accountID's plans, newest period first, and the
// current one in full. db.ErrNotFound when the account does not exist in
// the scope's tenant.
func AccountPlans(ctx context.Context, d *db.DB, s db.Scope, accountID uuid.UUID, today time.Time) (AccountOverview, error) {
	acct, err := AccountByID(ctx, d, s, accountID)
	if err != nil {
		return AccountOverview{}, err
	}
	settings, err := SettingsOf(ctx, d, s)
	if err != nil {
		return AccountOverview{}, err
	}
	out := AccountOverview{Account: acct, CurrentPeriod: PeriodOf(today, settings.FiscalYearStartMonth).String()}
	page, err := Plans(ctx, d, s, ListFilter{AccountID: accountID, Sort: "period", Desc: true, PerPage: 100, Today: today})
	if err != nil {
		return AccountOverview{}, err
	}
	out.Plans = page.Plans
	var pick *Summary
	for i := range out.Plans {
		if out.Plans[i].Period == out.CurrentPeriod {
			pick = &out.Plans[i]
			break
		}
	}
	if pick == nil {
		for i := range out.Plans {
			if out.Plans[i].Status != StatusClosed {
				pick = &out.Plans[i]
				break
			}
		}
	}
	if pick != nil {
		det, err := PlanByID(ctx, d, s, pick.ID, today)
		if err != nil {
			return AccountOverview{}, err
		}
		out.Current = &det
	}
	return out, nil
}

// RiskyGoal is a goal of an open plan whose derived status is at risk,
// off track or overdue.
type RiskyGoal struct {
	PlanID      uuid.UUID
	AccountName string
	Title       string
	Status      GoalStatus // derived
	Override    GoalStatus // the KAM's override, "" when none
	DueDate     time.Time
}

// GoalsAtRisk lists the goals whose status derived on today is at risk,
// off track or overdue, in plans that are not closed, on kamID's accounts
// (every account when kamID is uuid.Nil), soonest due first, at most
// limit. The goals of open plans are bounded by the key accounts (the
// tenant's cap), not by the portfolio.
func GoalsAtRisk(ctx context.Context, d *db.DB, s db.Scope, kamID uuid.UUID, limit int, today time.Time) ([]RiskyGoal, error) {
	var out []RiskyGoal
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		goals, err := goalsWhere(ctx, tx, s.TenantID, today, `p.status <> 'closed' AND a.archived_at IS NULL
			AND ($2::uuid IS NULL OR a.kam_user_id = $2)`, db.Null(kamID))
		if err != nil {
			return err
		}
		for _, g := range goals {
			if g.Derived == GoalAtRisk || g.Derived == GoalOffTrack || g.Derived == GoalOverdue {
				out = append(out, RiskyGoal{PlanID: g.PlanID, AccountName: g.AccountName, Title: g.Title, Status: g.Derived,
					Override: g.Override, DueDate: g.DueDate})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plan: goals at risk: %w", err)
	}
	slices.SortStableFunc(out, func(a, b RiskyGoal) int {
		if c := a.DueDate.Compare(b.DueDate); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.AccountName), strings.ToLower(b.AccountName))
	})
	return out[:min(len(out), limit)], nil
}

// planGoal is a goal with its plan's account name and period.
type planGoal struct {
	Goal
	AccountName string
	Period      string
}

// goalsWhere loads the goals of the plans cond selects ($1 is the tenant,
// args follow; the tables are g goals, p plans, a accounts) and evaluates
// them on today: figures inside each plan's period, derived status.
func goalsWhere(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, today time.Time, cond string, args ...any) ([]planGoal, error) {
	st, err := settingsTx(ctx, tx, tenantID)
	if err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, "SELECT "+goalColumns+", p.account_id, a.name, p.period FROM "+goalFrom+`
		JOIN goal_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
		JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
		WHERE g.tenant_id = $1 AND `+cond+` ORDER BY g.due_date, g.id`, append([]any{tenantID}, args...)...)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (planGoal, error) {
		var g planGoal
		err := r.Scan(&g.ID, &g.PlanID, &g.Title, &g.KPI, &g.CustomMeasure, &g.Baseline, &g.Target, &g.DueDate,
			&g.ManualProgress, &g.Override, &g.OverrideReason, &g.OverrideBy, &g.OverrideAt, &g.Version, &g.UpdatedAt,
			&g.AccountID, &g.AccountName, &g.Period)
		if err == nil {
			per, perr := ParsePeriod(g.Period)
			if perr != nil {
				return g, perr
			}
			g.Start, g.End = per.Range(st.FiscalYearStartMonth)
		}
		return g, err
	})
	if err != nil {
		return nil, err
	}
	goals := make([]Goal, len(list))
	for i := range list {
		goals[i] = list[i].Goal
	}
	if err := evaluate(ctx, tx, tenantID, st, today, goals); err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Goal = goals[i]
	}
	return list, nil
}

// AccountOf returns the account of plan planID (db.ErrNotFound when the
// plan is not the scope's tenant's).
func AccountOf(ctx context.Context, d *db.DB, s db.Scope, planID uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT account_id FROM goal_plans WHERE tenant_id = $1 AND id = $2", s.TenantID, planID).Scan(&id); err != nil {
			return db.NotFound("plan", err)
		}
		return nil
	})
	return id, wrap("account of plan", err)
}
