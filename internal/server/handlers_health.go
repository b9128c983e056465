package server

import "context"
import "net/http"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/keyset"
import "pareto/internal/scoring"
import "pareto/templates"

// Health pages: an account's breakdown, the settings, the 2×2 and the
// risk list; and the account page's health sections.

// HistoryMonths is how many months of health history pages show.
const HistoryMonths = 12

// accountHealthSections gathers the account page's health, team,
// engagement, profitability and review sections (a few reads of this one
// account). When the score computed now differs from the kept one (the
// clock moved on), the account's kept health is refreshed in the
// background.
func (s *Server) accountHealthSections(r *http.Request, a account.Account, canEdit bool) (*templates.AccountHealthSections, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	hs := s.healthStore()
	v := &templates.AccountHealthSections{AccountID: a.ID, AccountVersion: a.Version, IsKey: a.KeyStatus == account.KeyKey,
		CanEdit: canEdit, Today: today(), KAMName: a.KAMName, ManagerID: a.ManagerUserID, ManagerName: a.ManagerName,
		CanChangeTeam: account.CanChangeTeam(m.Role, m.UserID, a), CanAssignManager: account.CanAssignManager(m.Role),
		EngagementForm: templates.EngagementFormView{Values: account.EngagementInput{Kind: string(account.EngagementReferral),
			OccurredOn: today().Format(time.DateOnly)}}}
	var err error
	if v.Health, err = hs.Live(ctx, sc, a.ID); err != nil {
		return nil, err
	}
	kept, ok, hist, err := hs.AccountHealth(ctx, sc, a.ID, HistoryMonths)
	if err != nil {
		return nil, err
	}
	v.History = hist
	if !ok || !sameHealth(kept.Breakdown, v.Health) {
		s.refreshAccount(sc, a.ID)
	}
	st := s.accounts()
	if v.Team, err = st.Team(ctx, sc, a.ID); err != nil {
		return nil, err
	}
	if v.Engagements, v.EngagementTotal, err = st.Engagements(ctx, sc, a.ID, 10); err != nil {
		return nil, err
	}
	if v.Profit, err = hs.Profitability(ctx, sc, a.ID, 12); err != nil {
		return nil, err
	}
	if v.Reviews, err = hs.AccountReviews(ctx, sc, a.ID); err != nil {
		return nil, err
	}
	if v.CanChangeTeam || v.CanAssignManager {
		if v.Members, err = s.activeMembers(r); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// sameHealth reports whether two breakdowns say the same: score and
// warnings.
func sameHealth(a, b health.Breakdown) bool {
	if (a.Score == nil) != (b.Score == nil) || (a.Score != nil && *a.Score != *b.Score) || len(a.Warnings) != len(b.Warnings) {
		return false
	}
	for i := range a.Warnings {
		if a.Warnings[i] != b.Warnings[i] {
			return false
		}
	}
	return true
}

// healthShow is an account's health breakdown page.
func (s *Server) healthShow(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, sc := r.Context(), scope(r)
	a, err := s.accounts().Account(ctx, sc, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hs := s.healthStore()
	b, err := hs.Live(ctx, sc, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, _, hist, err := hs.AccountHealth(ctx, sc, id, HistoryMonths)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.HealthPageView{Account: a, Health: b, History: hist, Chart: templates.NewHealthHistoryChart(r.Context(), hist),
		IsAdmin: currentMember(r).Role == auth.RoleAdmin}
	s.render(w, r, http.StatusOK, templates.HealthPage(s.page(r, "Health of "+a.Name, "accounts"), v))
}

func (s *Server) healthSettingsShow(w http.ResponseWriter, r *http.Request) {
	st, err := s.healthStore().Settings(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.HealthSettingsView{Values: templates.HealthSettingsValues(st), Saved: st}
	s.render(w, r, http.StatusOK, templates.HealthSettingsPage(s.page(r, "Health settings", "admin"), v))
}

// readHealthSettings reads the settings form.
func readHealthSettings(f *form) health.Settings {
	st := health.Settings{Weights: health.Weights{}, StaleDays: f.Int("stale_days"), SingleThreadPct: f.Int("single_thread_pct"),
		RiskHealth: f.Int("risk_health"), MatrixHealth: f.Int("matrix_health"), LowMarginBPS: f.Percent("low_margin"),
		ReviewMonths: f.Int("review_months")}
	for _, c := range health.Components {
		st.Weights[c] = f.Int("weight_" + string(c))
	}
	if s10, ok := scoring.ParseScore10(f.Trim("matrix_score")); ok {
		st.MatrixScore10 = s10
	} else {
		f.Fail("matrix_score", "Use a selection score from 1.0 to 10.0, e.g. 6.5.")
	}
	return st
}

func (s *Server) healthSettingsSave(w http.ResponseWriter, r *http.Request) {
	f, version := s.readEdit(w, r)
	if f == nil {
		return
	}
	next := readHealthSettings(f)
	err := f.Then(next.Validate, func() error {
		return s.healthStore().UpdateSettings(r.Context(), scope(r), currentMember(r).Role, next, version)
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			cur, err := s.healthStore().Settings(r.Context(), scope(r))
			values := map[string]string{}
			for k, vs := range f.values {
				values[k] = vs[0]
			}
			return templates.HealthSettingsPage(s.page(r, "Health settings", "admin"),
				templates.HealthSettingsView{Values: values, Errors: fe, Saved: cur}), err
		},
		Section: "admin", Flash: "Saved the health settings. Scores are being recomputed.", Next: "/admin/health"})
}

// matrixOf reads the 2×2 for r's member: a KAM sees their own key
// accounts.
func (s *Server) matrixOf(r *http.Request, candidates bool) (templates.HealthMatrixView, error) {
	mx, err := s.healthStore().Matrix(r.Context(), scope(r), matrixFilter(r, candidates))
	return matrixView(r.Context(), mx, err)
}

func matrixFilter(r *http.Request, candidates bool) health.MatrixFilter {
	f := health.MatrixFilter{Candidates: candidates}
	if m := currentMember(r); m.Role == auth.RoleKAM {
		f.KAMID = m.UserID
	}
	return f
}

func matrixView(ctx context.Context, mx health.Matrix, err error) (templates.HealthMatrixView, error) {
	if err != nil {
		return templates.HealthMatrixView{}, err
	}
	return templates.HealthMatrixView{Matrix: mx, Chart: templates.NewMatrixChart(ctx, mx.Points, mx.Settings)}, nil
}

func (s *Server) matrixShow(w http.ResponseWriter, r *http.Request) {
	v, err := s.matrixOf(r, r.URL.Query().Get("candidates") == "1")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.HealthMatrixPage(s.page(r, "Attractiveness against health", "health"), v))
}

// riskFilter reads the risk list's filter; unknown values are dropped.
func riskFilter(r *http.Request) health.RiskFilter {
	q := r.URL.Query()
	f := health.RiskFilter{Kind: health.Kind(q.Get("kind")), Key: q.Get("key")}
	if !f.Kind.Valid() {
		f.Kind = ""
	}
	if f.Key != "key" && f.Key != "other" {
		f.Key = ""
	}
	if id, err := uuid.Parse(q.Get("kam")); err == nil {
		f.KAMID = id
	}
	return f
}

func (s *Server) riskList(w http.ResponseWriter, r *http.Request) {
	ctx, sc := r.Context(), scope(r)
	hs := s.healthStore()
	f := riskFilter(r)
	page, err := hs.Risks(ctx, sc, f, keyset.Parse(r.URL.Query().Get("cursor")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.RiskListView{Page: page, Filter: f}
	if v.KAMs, err = s.kamMembers(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Currency, err = s.accounts().Currency(ctx, sc); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.AtRisk, err = hs.RevenueAtRisk(ctx, sc); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.RanOn, _, err = hs.LastRun(ctx, sc); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.RiskListPage(s.listPage(r, "Relationship risks", "health", "risks"), v))
}

func (s *Server) riskCSV(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="risks-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	if err := s.healthStore().RisksCSV(r.Context(), scope(r), riskFilter(r), w); err != nil {
		s.log.Error("risk export", "request_id", requestIDFrom(r.Context()), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// homeRelationships is the home page's relationship warnings on key
// accounts and the reviews due in the next 30 days: a KAM's own, every
// one for leaders and admins (with the revenue at risk).
func (s *Server) homeRelationships(r *http.Request) (templates.HomeRelationshipsView, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	hs := s.healthStore()
	kam := uuid.Nil
	if m.Role == auth.RoleKAM {
		kam = m.UserID
	}
	v := templates.HomeRelationshipsView{Leads: leads(m)}
	risks, total, err := hs.AccountRisks(ctx, sc, kam, 8)
	if err != nil {
		return v, err
	}
	v.WarningsTotal = total
	for _, x := range risks {
		v.Warnings = append(v.Warnings, templates.HomeItem{Label: x.AccountName + ": " + x.Kind.Label(), Detail: x.Detail,
			Href: accountPath(x.AccountID) + "#health"})
	}
	due, n, err := hs.ReviewsDue(ctx, sc, kam, 30, 8)
	if err != nil {
		return v, err
	}
	v.ReviewsTotal = n
	for _, d := range due {
		word := "due "
		if d.Overdue {
			word = "overdue since "
		}
		v.Reviews = append(v.Reviews, templates.HomeItem{Label: d.AccountName, Detail: word + d.NextReview.Format(time.DateOnly),
			Href: accountPath(d.AccountID) + "/reviews"})
	}
	if v.Leads {
		if v.AtRisk, err = hs.RevenueAtRisk(ctx, sc); err != nil {
			return v, err
		}
	}
	return v, nil
}

// dashboardHealth is the portfolio dashboard's health part: kept
// profitability totals, revenue at risk and the 2×2 (reads bounded by
// months and key accounts, not by the portfolio).
func (s *Server) dashboardHealth(r *http.Request, currency string) (*templates.DashboardHealthView, error) {
	ctx, sc := r.Context(), scope(r)
	v := &templates.DashboardHealthView{Currency: currency}
	var err error
	if v.Profit, err = s.healthStore().Portfolio(ctx, sc, 12); err != nil {
		return nil, err
	}
	if v.AtRisk, err = s.healthStore().RevenueAtRisk(ctx, sc); err != nil {
		return nil, err
	}
	if v.Matrix, err = s.matrixOf(r, false); err != nil {
		return nil, err
	}
	v.Matrix.Compact = true
	return v, nil
}
