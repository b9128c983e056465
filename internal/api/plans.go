package api

import "context"
import "net/http"
import "strconv"
import "time"

import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/plan"

// planHead is what a plan shows in the list and on its own.
type planHead struct {
	ID          uuid.UUID  `json:"id"`
	AccountID   uuid.UUID  `json:"account_id"`
	AccountName string     `json:"account_name"`
	KAMUserID   *uuid.UUID `json:"kam_user_id"`
	KAMName     string     `json:"kam_name"`
	Period      string     `json:"period"`
	Status      string     `json:"status"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// planRowJSON is one plan of the list, with its goals counted by derived
// status.
type planRowJSON struct {
	planHead
	Goals          goalCountsJSON `json:"goals"`
	OpenActions    int            `json:"open_actions"`
	OverdueActions int            `json:"overdue_actions"`
}

type goalCountsJSON struct {
	Achieved int `json:"achieved"`
	OnTrack  int `json:"on_track"`
	AtRisk   int `json:"at_risk"`
	OffTrack int `json:"off_track"`
	Overdue  int `json:"overdue"`
}

// planJSON is one plan with its goals (status derived today) and actions.
type planJSON struct {
	planHead
	FirstDay  *string      `json:"first_day"`
	LastDay   *string      `json:"last_day"`
	Why       string       `json:"why"`
	Version   int          `json:"version"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
	Goals     []goalJSON   `json:"goals"`
	Actions   []actionJSON `json:"actions"`
}

type goalJSON struct {
	ID             uuid.UUID `json:"id"`
	Title          string    `json:"title"`
	KPI            string    `json:"kpi"`
	Measure        string    `json:"measure"`
	Baseline       float64   `json:"baseline"`
	Target         float64   `json:"target"`
	DueDate        string    `json:"due_date"`
	Current        *float64  `json:"current"`
	CurrentFromKPI bool      `json:"current_from_kpi"`
	ProgressPct    *float64  `json:"progress_pct"`
	DerivedStatus  *string   `json:"derived_status"`
	OverrideStatus *string   `json:"override_status"`
	OverrideReason string    `json:"override_reason"`
	Version        int       `json:"version"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type actionJSON struct {
	ID          uuid.UUID  `json:"id"`
	GoalID      *uuid.UUID `json:"goal_id"`
	Description string     `json:"description"`
	OwnerID     uuid.UUID  `json:"owner_id"`
	OwnerName   string     `json:"owner_name"`
	DueDate     string     `json:"due_date"`
	Done        bool       `json:"done"`
	DoneAt      *time.Time `json:"done_at"`
	Version     int        `json:"version"`
}

func optDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return db.Null(t.Format(time.DateOnly))
}

func goalOut(g plan.Goal) goalJSON {
	out := goalJSON{ID: g.ID, Title: g.Title, KPI: string(g.KPI), Measure: g.Measure(), Baseline: g.Baseline, Target: g.Target,
		DueDate: g.DueDate.Format(time.DateOnly), Current: g.Current(), CurrentFromKPI: g.FromKPI(),
		DerivedStatus: db.Null(string(g.Derived)), OverrideStatus: db.Null(string(g.Override)), OverrideReason: g.OverrideReason,
		Version: g.Version, UpdatedAt: g.UpdatedAt}
	if pct, ok := g.Progress(); ok {
		out.ProgressPct = &pct
	}
	return out
}

func planOut(d plan.Detail) planJSON {
	out := planJSON{planHead: planHead{ID: d.ID, AccountID: d.AccountID, AccountName: d.AccountName, KAMUserID: d.KAMUserID,
		KAMName: d.KAMName, Period: d.Period, Status: string(d.Status), UpdatedAt: d.UpdatedAt},
		FirstDay: optDate(d.First), LastDay: optDate(d.Last), Why: d.Why, Version: d.Version, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt,
		Goals: make([]goalJSON, len(d.Goals)), Actions: make([]actionJSON, len(d.Actions))}
	for i, g := range d.Goals {
		out.Goals[i] = goalOut(g)
	}
	for i, x := range d.Actions {
		out.Actions[i] = actionJSON{ID: x.ID, GoalID: x.GoalID, Description: x.Description, OwnerID: x.OwnerID, OwnerName: x.OwnerName,
			DueDate: x.DueDate.Format(time.DateOnly), Done: x.Done(), DoneAt: x.DoneAt, Version: x.Version}
	}
	return out
}

// planFilter reads the plan list's query. The plan list pages by
// position; its cursor holds the page.
func planFilter(r *http.Request) (plan.ListFilter, error) {
	q := r.URL.Query()
	fe := db.FieldErrors{}
	f := plan.ListFilter{Status: plan.Status(q.Get("status")), Period: q.Get("period"), Page: 1}
	var c keyset.Cursor
	c, f.PerPage = pageQuery(q, fe)
	if len(c.Keys) == 1 {
		if n, err := strconv.Atoi(c.Keys[0]); err == nil && n > 1 {
			f.Page = n
		}
	}
	for name, dst := range map[string]*uuid.UUID{"account_id": &f.AccountID, "kam": &f.KAMID} {
		if s := q.Get(name); s != "" {
			id, err := uuid.Parse(s)
			if err != nil {
				fe.Add(name, "Use an id.")
			}
			*dst = id
		}
	}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "Use draft, active or closed.")
	}
	if f.Period != "" {
		per, err := plan.ParsePeriod(f.Period)
		if err != nil {
			fe.Add("period", "Use a fiscal year such as FY2026.")
		}
		f.Period = per.String()
	}
	return f, fe.Err()
}

// planList lists the tenant's plans of active accounts, by account name.
func (a *API) planList(w http.ResponseWriter, r *http.Request) error {
	f, err := planFilter(r)
	if err != nil {
		return err
	}
	p, err := plan.Plans(r.Context(), a.db, scope(r), f)
	if err != nil {
		return err
	}
	var next *string
	if p.Page < p.Pages {
		next = db.Null(keyset.Cursor{Keys: []string{strconv.Itoa(p.Page + 1)}}.String())
	}
	writeJSON(w, http.StatusOK, listOf(p.Plans, next, planRowOut))
	return nil
}

func planRowOut(x plan.Summary) planRowJSON {
	return planRowJSON{planHead: planHead{ID: x.ID, AccountID: x.AccountID, AccountName: x.AccountName, KAMUserID: x.KAMUserID,
		KAMName: x.KAMName, Period: x.Period, Status: string(x.Status), UpdatedAt: x.UpdatedAt},
		OpenActions: x.OpenActions, OverdueActions: x.OverdueActions, Goals: goalCountsJSON{Achieved: x.Achieved,
			OnTrack: x.OnTrack, AtRisk: x.AtRisk, OffTrack: x.OffTrack, Overdue: x.Overdue}}
}

func (a *API) planShow(w http.ResponseWriter, r *http.Request) error {
	return resource[plan.Detail]{ids: []string{"planID"},
		get: func(ctx context.Context, sc db.Scope, ids []uuid.UUID) (plan.Detail, error) {
			return plan.PlanByID(ctx, a.db, sc, ids[0], time.Now())
		},
		write: func(w http.ResponseWriter, status int, d plan.Detail) {
			writeVersioned(w, status, d.Version, planOut(d))
		},
	}.show(w, r)
}
