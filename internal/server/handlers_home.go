package server

import "net/http"
import "strconv"
import "strings"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/kpi"
import "pareto/internal/plan"
import "pareto/internal/scoring"
import "pareto/templates"

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	v, err := s.homeView(r)
	s.show(w, r, err, func() templ.Component { return templates.HomePage(s.page(r, "Dashboard", "home"), v) })
}

// homeView builds the role-aware home dashboard: a KAM's own key accounts
// and overdue next steps; a leader's portfolio headline; an admin's also
// the setup health; leaders and admins also the shortlist's state.
func (s *Server) homeView(r *http.Request) (templates.HomeView, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	members, err := s.auth.Members(ctx, sc)
	if err != nil {
		return templates.HomeView{}, err
	}
	var v templates.HomeView
	for _, mem := range members {
		if !mem.Active {
			continue
		}
		v.MemberCount++
		switch mem.Role {
		case auth.RoleAdmin:
			v.Health.Admins++
		case auth.RoleLeader:
			v.Health.Leaders++
		case auth.RoleKAM:
			v.Health.KAMs++
		}
	}
	f := kpi.Filter{Period: kpi.PeriodChoice{Key: "12m"}}
	if m.Role == auth.RoleKAM {
		f.KAMID = m.UserID
	}
	if v.Portfolio, err = s.kpi.Portfolio(ctx, sc, f); err != nil {
		return templates.HomeView{}, err
	}
	s.freshenRevenue(sc, v.Portfolio.Summary.RevenueStale)
	v.Steps.Today = time.Now()
	if v.Steps.Steps, v.Steps.Total, err = s.accounts().OverdueNextSteps(ctx, sc, m.UserID, v.Steps.Today, 10); err != nil {
		return templates.HomeView{}, err
	}
	if v.Plans, err = s.homePlans(r); err != nil {
		return templates.HomeView{}, err
	}
	if v.Relationships, err = s.homeRelationships(r); err != nil {
		return templates.HomeView{}, err
	}
	var sum scoring.Summary
	if m.Role.Leads() {
		if sum, err = s.scoringStore().Summary(ctx, sc); err != nil {
			return templates.HomeView{}, err
		}
		v.Shortlist = templates.HomeShortlistView{Available: sum.ActiveCriteria > 0, Ranked: sum.Ranked, Incomplete: sum.Incomplete,
			KeyAccounts: sum.KeyAccounts, Cap: sum.Settings.KeyAccountCap, PendingCount: sum.Candidates}
		if lr := sum.LastReview; lr != nil {
			v.Shortlist.LastReview, v.Shortlist.LastReviewOn, v.Shortlist.LastReviewOpen = lr.Name, lr.CreatedAt, lr.ClosedAt == nil
			if lr.ClosedAt != nil {
				v.Shortlist.LastReviewOn = *lr.ClosedAt
			}
		}
	}
	if m.Role == auth.RoleAdmin {
		v.Health.ScoringAvailable, v.Health.CriteriaActive, v.Health.Unscored = true, sum.ActiveCriteria, sum.Unscored()
		invites, err := s.auth.PendingInvites(ctx, sc)
		if err != nil {
			return templates.HomeView{}, err
		}
		v.Health.PendingInvites = len(invites)
		if v.Health.KPI, err = s.kpi.Health(ctx, sc); err != nil {
			return templates.HomeView{}, err
		}
	}
	return v, nil
}

// homePlans lists the signed-in person's overdue plan actions and the goals
// at risk on their accounts (a KAM) or across the portfolio (leaders).
func (s *Server) homePlans(r *http.Request) (templates.HomePlansView, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	v := templates.HomePlansView{Available: true}
	actions, err := plan.OverdueActions(ctx, s.db, sc, m.UserID)
	if err != nil {
		return v, err
	}
	for _, a := range actions {
		v.OverdueActions = append(v.OverdueActions, templates.HomeItem{Label: a.Description,
			Detail: a.AccountName + " · due " + a.DueDate.Format(time.DateOnly), Href: "/plans/" + a.PlanID.String()})
	}
	kam := uuid.Nil
	if m.Role == auth.RoleKAM {
		kam = m.UserID
	}
	goals, err := plan.GoalsAtRisk(ctx, s.db, sc, kam, 10, time.Now())
	if err != nil {
		return v, err
	}
	for _, g := range goals {
		v.GoalsAtRisk = append(v.GoalsAtRisk, templates.HomeItem{Label: g.Title,
			Detail: g.AccountName + " · " + goalStatusWords(g), Href: "/plans/" + g.PlanID.String()})
	}
	return v, nil
}

// goalStatusWords is a risky goal's derived status, with the KAM's
// override beside it when there is one.
func goalStatusWords(g plan.RiskyGoal) string {
	if g.Override != "" && g.Override != g.Status {
		return g.Status.Label() + " (KAM says " + strings.ToLower(g.Override.Label()) + ")"
	}
	return g.Status.Label()
}
