package plan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
)

// Summary is one plan as the lists show it.
type Summary struct {
	ID          uuid.UUID
	AccountID   uuid.UUID
	AccountName string
	KAMUserID   *uuid.UUID
	KAMName     string
	Period      string
	Status      Status
	UpdatedAt   time.Time
	// Goals by status.
	OnTrack, AtRisk, OffTrack, Achieved int
	// Actions not done, and those of them past due (none on closed plans).
	OpenActions, OverdueActions int
}

// GoalCount is the plan's number of goals.
func (s Summary) GoalCount() int { return s.OnTrack + s.AtRisk + s.OffTrack + s.Achieved }

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
	"account": "lower(a.name) %s, p.period DESC",
	"period":  "p.period %s, lower(a.name)",
	"kam":     "lower(coalesce(k.name, '')) %s, lower(a.name)",
	"status":  "array_position(ARRAY['draft','active','closed'], p.status) %s, lower(a.name)",
	"overdue": "coalesce(ac.overdue, 0) %s, lower(a.name)",
	"updated": "p.updated_at %s",
}

// Plans lists the scope's tenant's plans of accounts not archived, with
// goal counts by status and open and overdue actions.
func Plans(ctx context.Context, d *db.DB, s db.Scope, f ListFilter) (ListPage, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
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
				coalesce(g.on_track, 0), coalesce(g.at_risk, 0), coalesce(g.off_track, 0), coalesce(g.achieved, 0),
				coalesce(ac.open, 0), coalesce(ac.overdue, 0), count(*) OVER ()
			FROM goal_plans p
			JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
			LEFT JOIN users k ON k.id = a.kam_user_id
			LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE status = 'on_track') AS on_track,
					count(*) FILTER (WHERE status = 'at_risk') AS at_risk,
					count(*) FILTER (WHERE status = 'off_track') AS off_track,
					count(*) FILTER (WHERE status = 'achieved') AS achieved
				FROM plan_goals WHERE tenant_id = p.tenant_id AND plan_id = p.id) g ON true
			LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE done_at IS NULL) AS open,
					count(*) FILTER (WHERE done_at IS NULL AND due_date < current_date AND p.status <> 'closed') AS overdue
				FROM plan_actions WHERE tenant_id = p.tenant_id AND plan_id = p.id) ac ON true
			WHERE p.tenant_id = $1 AND a.archived_at IS NULL
				AND ($2::uuid IS NULL OR a.kam_user_id = $2) AND ($3::uuid IS NULL OR p.account_id = $3)
				AND ($4 = '' OR p.status = $4) AND ($5 = '' OR p.period = $5)
			ORDER BY `+order+` LIMIT $6 OFFSET $7`,
			s.TenantID, nullID(f.KAMID), nullID(f.AccountID), string(f.Status), f.Period, f.PerPage, (f.Page-1)*f.PerPage)
		var err error
		out.Plans, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) {
			var x Summary
			err := r.Scan(&x.ID, &x.AccountID, &x.AccountName, &x.KAMUserID, &x.KAMName, &x.Period, &x.Status, &x.UpdatedAt,
				&x.OnTrack, &x.AtRisk, &x.OffTrack, &x.Achieved, &x.OpenActions, &x.OverdueActions, &out.Total)
			return x, err
		})
		if err != nil {
			return err
		}
		if len(out.Plans) == 0 && f.Page > 1 {
			// Past the last page: count without paging.
			return tx.QueryRow(ctx, `SELECT count(*) FROM goal_plans p JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
				WHERE p.tenant_id = $1 AND a.archived_at IS NULL
					AND ($2::uuid IS NULL OR a.kam_user_id = $2) AND ($3::uuid IS NULL OR p.account_id = $3)
					AND ($4 = '' OR p.status = $4) AND ($5 = '' OR p.period = $5)`,
				s.TenantID, nullID(f.KAMID), nullID(f.AccountID), string(f.Status), f.Period).Scan(&out.Total)
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
			ORDER BY lower(a.name), a.id LIMIT 200`, s.TenantID, period)
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
	page, err := Plans(ctx, d, s, ListFilter{AccountID: accountID, Sort: "period", Desc: true, PerPage: 100})
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
		det, err := PlanByID(ctx, d, s, pick.ID)
		if err != nil {
			return AccountOverview{}, err
		}
		out.Current = &det
	}
	return out, nil
}

// RiskyGoal is a goal marked at risk or off track in an open plan.
type RiskyGoal struct {
	PlanID      uuid.UUID
	AccountName string
	Title       string
	Status      GoalStatus
	DueDate     time.Time
}

// GoalsAtRisk lists goals at risk or off track in plans that are not
// closed, on kamID's accounts (every account when kamID is uuid.Nil),
// soonest due first.
func GoalsAtRisk(ctx context.Context, d *db.DB, s db.Scope, kamID uuid.UUID, limit int) ([]RiskyGoal, error) {
	var out []RiskyGoal
	var kam *uuid.UUID
	if kamID != uuid.Nil {
		kam = &kamID
	}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT p.id, a.name, g.title, g.status, g.due_date
			FROM plan_goals g
			JOIN goal_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
			JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
			WHERE g.tenant_id = $1 AND g.status IN ('at_risk', 'off_track') AND p.status <> 'closed'
				AND a.archived_at IS NULL AND ($2::uuid IS NULL OR a.kam_user_id = $2)
			ORDER BY g.due_date, lower(a.name), g.id LIMIT $3`, s.TenantID, kam, limit)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (RiskyGoal, error) {
			var g RiskyGoal
			return g, r.Scan(&g.PlanID, &g.AccountName, &g.Title, &g.Status, &g.DueDate)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("plan: goals at risk: %w", err)
	}
	return out, nil
}
