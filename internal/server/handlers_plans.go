package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"pareto/internal/csvcell"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"pareto/internal/auth"
	"pareto/internal/db"
	"pareto/internal/plan"
	"pareto/templates"
)

// planActor is the signed-in member as the plan package sees them.
func planActor(r *http.Request) plan.Actor {
	m := currentMember(r)
	return plan.Actor{Scope: scope(r), AllAccounts: m.Role == auth.RoleAdmin || m.Role == auth.RoleLeader}
}

// parseNumber reads a decimal typed into a form ("1250000", "1 250 000",
// "4.5", "−3"); empty is nil (an error when required).
func parseNumber(fe db.FieldErrors, raw, field string, required bool) *float64 {
	s := strings.NewReplacer(" ", "", "\u00a0", "", "_", "", "−", "-").Replace(strings.TrimSpace(raw))
	if s == "" {
		if required {
			fe.Add(field, "Enter a number.")
		}
		return nil
	}
	if strings.Contains(s, ",") {
		fe.Add(field, "Use digits with a dot for decimals, e.g. 1250000.50 (no commas).")
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v > 1e13 || v < -1e13 {
		fe.Add(field, "Enter a number, e.g. 1250000 or 4.5.")
		return nil
	}
	return &v
}

// parseDay reads a yyyy-mm-dd date; empty is nil (an error when required).
func parseDay(fe db.FieldErrors, raw, field string, required bool) *time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if required {
			fe.Add(field, "Enter a date.")
		}
		return nil
	}
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		fe.Add(field, "Use a date like 2027-03-31.")
		return nil
	}
	return &t
}

// localBack returns raw when it is a path on this site, else fallback.
func localBack(raw, fallback string) string {
	if raw == "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, "/\\") {
		return fallback
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return raw
}

// refererPath is the page a form was posted from, when on this site.
func refererPath(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || u.Path == "" {
		return ""
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

func (s *Server) activeMembers(r *http.Request) ([]auth.Member, error) {
	all, err := s.auth.Members(r.Context(), scope(r))
	if err != nil {
		return nil, err
	}
	var out []auth.Member
	for _, m := range all {
		if m.Active {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *Server) kamMembers(r *http.Request) ([]auth.Member, error) {
	ms, err := s.activeMembers(r)
	if err != nil {
		return nil, err
	}
	var out []auth.Member
	for _, m := range ms {
		if m.Role == auth.RoleKAM {
			out = append(out, m)
		}
	}
	return out, nil
}

func planURL(id uuid.UUID) string { return "/plans/" + id.String() }

// ---- /plans ---------------------------------------------------------------

func (s *Server) planList(w http.ResponseWriter, r *http.Request) {
	ctx, sc := r.Context(), scope(r)
	q := r.URL.Query()
	f := templates.PlansFilter{KAM: q.Get("kam"), Status: q.Get("status"), Period: q.Get("period"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1"}
	lf := plan.ListFilter{Sort: f.Sort, Desc: f.Desc}
	lf.Page, _ = strconv.Atoi(q.Get("page"))
	if id, err := uuid.Parse(f.KAM); err == nil {
		lf.KAMID = id
	} else {
		f.KAM = ""
	}
	if st := plan.Status(f.Status); st.Valid() {
		lf.Status = st
	} else {
		f.Status = ""
	}
	if _, err := plan.ParsePeriod(f.Period); err == nil {
		lf.Period = strings.ToUpper(strings.TrimSpace(f.Period))
	} else {
		f.Period = ""
	}
	page, err := plan.Plans(ctx, s.db, sc, lf)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	settings, err := plan.SettingsOf(ctx, s.db, sc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.PlansListView{Page: page, Filter: f, Actor: planActor(r),
		CurrentPeriod: plan.PeriodOf(time.Now(), settings.FiscalYearStartMonth).String()}
	if v.KAMs, err = s.kamMembers(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Periods, err = plan.Periods(ctx, s.db, sc); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Overdue, err = plan.OverdueActions(ctx, s.db, sc, sc.UserID); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.WithoutPlan, err = plan.KeyAccountsWithoutPlan(ctx, s.db, sc, v.CurrentPeriod); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.PlansListPage(s.page(r, "Plans", "plans"), v))
}

// ---- account plans ----------------------------------------------------------

// accountPlanSection loads the account page's plan section for accountID.
// db.ErrNotFound when the account is not in the signed-in tenant.
func (s *Server) accountPlanSection(r *http.Request, accountID uuid.UUID) (templates.AccountPlanView, error) {
	today := time.Now()
	ov, err := plan.AccountPlans(r.Context(), s.db, scope(r), accountID, today)
	if err != nil {
		return templates.AccountPlanView{}, err
	}
	return templates.AccountPlanView{Overview: ov, CanEdit: planActor(r).CanEdit(ov.Account.KAMUserID), Today: today}, nil
}

func (s *Server) accountWhitespaceView(r *http.Request, accountID uuid.UUID, canEdit bool, back string) (templates.AccountWhitespaceView, error) {
	cells, err := plan.AccountWhitespace(r.Context(), s.db, scope(r), accountID)
	if err != nil {
		return templates.AccountWhitespaceView{}, err
	}
	return templates.AccountWhitespaceView{AccountID: accountID, Cells: cells, CanEdit: canEdit, Back: back}, nil
}

func (s *Server) accountPlanList(w http.ResponseWriter, r *http.Request) {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sec, err := s.accountPlanSection(r, accountID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ws, err := s.accountWhitespaceView(r, accountID, sec.CanEdit, "/accounts/"+accountID.String()+"/plans#whitespace")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.AccountPlansPage(s.page(r, "Plans for "+sec.Overview.Account.Name, "plans"),
		templates.AccountPlansView{Section: sec, Whitespace: ws}))
}

// newPlanForm builds the new-plan form for accountID, checking the
// signed-in member may plan it.
func (s *Server) newPlanForm(r *http.Request, accountID uuid.UUID) (templates.PlanForm, error) {
	ctx, sc := r.Context(), scope(r)
	acct, err := plan.AccountByID(ctx, s.db, sc, accountID)
	if err != nil {
		return templates.PlanForm{}, err
	}
	if !planActor(r).CanEdit(acct.KAMUserID) {
		return templates.PlanForm{}, fmt.Errorf("plan %s: %w", acct.Name, db.ErrForbidden)
	}
	settings, err := plan.SettingsOf(ctx, s.db, sc)
	if err != nil {
		return templates.PlanForm{}, err
	}
	page, err := plan.Plans(ctx, s.db, sc, plan.ListFilter{AccountID: accountID, Sort: "period", Desc: true, PerPage: 100})
	if err != nil {
		return templates.PlanForm{}, err
	}
	per := plan.PeriodOf(time.Now(), settings.FiscalYearStartMonth)
	taken := map[string]bool{}
	for _, p := range page.Plans {
		taken[p.Period] = true
	}
	for taken[per.String()] {
		per = per.Next()
	}
	f := templates.PlanForm{AccountID: accountID, AccountName: acct.Name, Period: per.String(), Status: string(plan.StatusDraft),
		FiscalYearHint: templates.FiscalYearExample(time.Now(), settings.FiscalYearStartMonth), Errors: map[string]string{}}
	for _, p := range page.Plans { // newest first
		if p.Period < f.Period {
			f.PrevPeriod, f.PrevOpenGoals = p.Period, p.OnTrack+p.AtRisk+p.OffTrack
			f.CopyGoals = f.PrevOpenGoals > 0
			break
		}
	}
	return f, nil
}

func (s *Server) planNew(w http.ResponseWriter, r *http.Request) {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.newPlanForm(r, accountID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.PlanFormPage(s.page(r, "New plan", "plans"), f))
}

func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	in := plan.PlanInput{Period: r.PostForm.Get("period"), Status: plan.Status(r.PostForm.Get("status")), Why: r.PostForm.Get("why")}
	copyGoals := r.PostForm.Get("copy_goals") == "1"
	id, err := plan.CreatePlan(r.Context(), s.db, planActor(r), accountID, in, copyGoals)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		f, ferr := s.newPlanForm(r, accountID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		f.Period, f.Status, f.Why, f.CopyGoals, f.Errors = in.Period, string(in.Status), in.Why, copyGoals, fe
		s.render(w, r, http.StatusUnprocessableEntity, templates.PlanFormPage(s.page(r, "New plan", "plans"), f))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Plan created. Add its goals and actions below.")
	http.Redirect(w, r, planURL(id), http.StatusSeeOther)
}

// ---- one plan -----------------------------------------------------------------

// planView builds the plan page for det.
func (s *Server) planView(r *http.Request, det plan.Detail) (templates.PlanView, error) {
	a := planActor(r)
	canEdit := a.CanEdit(det.KAMUserID)
	v := templates.PlanView{Plan: det, CanEdit: canEdit, Actor: a, Today: time.Now(),
		GoalForm:   templates.GoalForm{PlanID: det.ID, KPI: string(plan.KPIRevenue), Status: string(plan.GoalOnTrack), DueDate: templates.FormatDate(det.Last)},
		ActionForm: templates.ActionForm{PlanID: det.ID, OwnerID: a.UserID.String()}}
	var err error
	if canEdit {
		if v.Members, err = s.activeMembers(r); err != nil {
			return v, err
		}
	}
	v.Whitespace, err = s.accountWhitespaceView(r, det.AccountID, canEdit, planURL(det.ID)+"#whitespace")
	return v, err
}

// loadPlan reads the plan named in the path.
func (s *Server) loadPlan(r *http.Request) (plan.Detail, error) {
	id, err := urlID(r, "planID")
	if err != nil {
		return plan.Detail{}, err
	}
	return plan.PlanByID(r.Context(), s.db, scope(r), id)
}

func (s *Server) planShow(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.planView(r, det)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.PlanPage(s.page(r, det.AccountName+" · "+det.Period, "plans"), v))
}

func (s *Server) editPlanForm(r *http.Request, det plan.Detail) (templates.PlanForm, error) {
	if !planActor(r).CanEdit(det.KAMUserID) {
		return templates.PlanForm{}, fmt.Errorf("edit plan: %w", db.ErrForbidden)
	}
	settings, err := plan.SettingsOf(r.Context(), s.db, scope(r))
	if err != nil {
		return templates.PlanForm{}, err
	}
	return templates.PlanForm{AccountID: det.AccountID, AccountName: det.AccountName, PlanID: det.ID, Version: det.Version,
		Period: det.Period, Status: string(det.Status), Why: det.Why, Errors: map[string]string{},
		FiscalYearHint: det.Period + " runs " + plan.FormatRange(det.First, det.Last) + ". " +
			templates.FiscalYearExample(time.Now(), settings.FiscalYearStartMonth)}, nil
}

func (s *Server) planEdit(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.editPlanForm(r, det)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.PlanFormPage(s.page(r, "Edit plan", "plans"), f))
}

func (s *Server) planUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "planID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	in := plan.PlanInput{Period: r.PostForm.Get("period"), Status: plan.Status(r.PostForm.Get("status")), Why: r.PostForm.Get("why")}
	err = plan.UpdatePlan(r.Context(), s.db, planActor(r), id, in, version)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		det, lerr := plan.PlanByID(r.Context(), s.db, scope(r), id)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		f, ferr := s.editPlanForm(r, det)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		f.Version, f.Period, f.Status, f.Why, f.Errors = version, in.Period, string(in.Status), in.Why, fe
		s.render(w, r, http.StatusUnprocessableEntity, templates.PlanFormPage(s.page(r, "Edit plan", "plans"), f))
	case errors.Is(err, db.ErrConflict):
		det, lerr := plan.PlanByID(r.Context(), s.db, scope(r), id)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		s.renderConflict(w, r, templates.ConflictView{Heading: "This plan was changed by someone else",
			BackHref: planURL(id) + "/edit", BackLabel: "Open the current version",
			Rows: []templates.ConflictRow{
				{Label: "Fiscal year", Theirs: det.Period, Mine: in.Period},
				{Label: "Status", Theirs: det.Status.Label(), Mine: plan.Status(in.Status).Label()},
				{Label: "Why", Theirs: det.Why, Mine: strings.TrimSpace(in.Why)},
			}})
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Plan saved.")
		http.Redirect(w, r, planURL(id), http.StatusSeeOther)
	}
}

func (s *Server) renderConflict(w http.ResponseWriter, r *http.Request, v templates.ConflictView) {
	s.render(w, r, http.StatusConflict, templates.PlanConflictPage(s.page(r, "Changed by someone else", "plans"), v))
}

// ---- goals --------------------------------------------------------------------

func goalFormFrom(r *http.Request, planID uuid.UUID) templates.GoalForm {
	f := r.PostForm
	return templates.GoalForm{PlanID: planID, Title: f.Get("title"), KPI: f.Get("kpi"), CustomMeasure: f.Get("custom_measure"),
		Baseline: f.Get("baseline"), Target: f.Get("target"), Current: f.Get("manual_progress"), DueDate: f.Get("due_date"),
		Status: f.Get("status"), Errors: map[string]string{}}
}

// parseGoal turns the typed form into the domain's input; errors in the
// typing come back as field errors together with the checks that still
// make sense.
func parseGoal(f templates.GoalForm) (plan.GoalInput, db.FieldErrors) {
	fe := db.FieldErrors{}
	in := plan.GoalInput{Title: f.Title, KPI: plan.KPI(f.KPI), CustomMeasure: f.CustomMeasure, Status: plan.GoalStatus(f.Status)}
	if v := parseNumber(fe, f.Baseline, "baseline", true); v != nil {
		in.Baseline = *v
	}
	if v := parseNumber(fe, f.Target, "target", true); v != nil {
		in.Target = *v
	}
	in.ManualProgress = parseNumber(fe, f.Current, "manual_progress", false)
	if d := parseDay(fe, f.DueDate, "due_date", true); d != nil {
		in.DueDate = *d
	}
	if len(fe) > 0 {
		in.Title = strings.TrimSpace(in.Title)
		in.CustomMeasure = strings.TrimSpace(in.CustomMeasure)
		for k, msg := range in.Validate() {
			if k == "title" || k == "kpi" || k == "custom_measure" || k == "status" {
				fe.Add(k, msg)
			}
		}
	}
	return in, fe
}

func (s *Server) goalCreate(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	f := goalFormFrom(r, det.ID)
	in, fe := parseGoal(f)
	var id uuid.UUID
	if len(fe) == 0 {
		id, err = plan.CreateGoal(r.Context(), s.db, planActor(r), det.ID, in)
		if !errors.As(err, &fe) && err != nil {
			s.fail(w, r, err)
			return
		}
	} else if !planActor(r).CanEdit(det.KAMUserID) {
		s.fail(w, r, fmt.Errorf("create goal: %w", db.ErrForbidden))
		return
	}
	if len(fe) > 0 {
		v, err := s.planView(r, det)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.Errors, f.Open = fe, true
		v.GoalForm = f
		s.render(w, r, http.StatusUnprocessableEntity, templates.PlanPage(s.page(r, det.AccountName+" · "+det.Period, "plans"), v))
		return
	}
	s.flash(r.Context(), "success", "Goal added.")
	http.Redirect(w, r, planURL(det.ID)+"#goal-"+id.String(), http.StatusSeeOther)
}

func goalFormOf(g plan.Goal) templates.GoalForm {
	cur := ""
	if g.ManualProgress != nil {
		cur = strconv.FormatFloat(*g.ManualProgress, 'f', -1, 64)
	}
	return templates.GoalForm{PlanID: g.PlanID, ID: g.ID, Version: g.Version, Title: g.Title, KPI: string(g.KPI),
		CustomMeasure: g.CustomMeasure, Baseline: strconv.FormatFloat(g.Baseline, 'f', -1, 64),
		Target: strconv.FormatFloat(g.Target, 'f', -1, 64), Current: cur, DueDate: g.DueDate.Format(time.DateOnly),
		Status: string(g.Status), Errors: map[string]string{}}
}

func (s *Server) goalEdit(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	goalID, err := urlID(r, "goalID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := plan.GoalByID(r.Context(), s.db, scope(r), det.ID, goalID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !planActor(r).CanEdit(det.KAMUserID) {
		s.fail(w, r, fmt.Errorf("edit goal: %w", db.ErrForbidden))
		return
	}
	s.render(w, r, http.StatusOK, templates.GoalEditPage(s.page(r, "Edit goal", "plans"), templates.GoalEditView{Plan: det.Plan, Form: goalFormOf(g)}))
}

func (s *Server) goalUpdate(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	goalID, err := urlID(r, "goalID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	a := planActor(r)
	if r.PostForm.Get("op") == "delete" {
		err := plan.DeleteGoal(r.Context(), s.db, a, det.ID, goalID, version)
		var fe db.FieldErrors
		switch {
		case errors.As(err, &fe):
			s.renderError(w, r, http.StatusUnprocessableEntity, "Cannot remove the goal", fe["plan"])
		case errors.Is(err, db.ErrConflict):
			s.renderError(w, r, http.StatusConflict, "Changed by someone else",
				"Someone changed this goal after you opened it, so it was not removed. Open the plan to see the current version.")
		case err != nil:
			s.fail(w, r, err)
		default:
			s.flash(r.Context(), "success", "Goal removed.")
			http.Redirect(w, r, planURL(det.ID), http.StatusSeeOther)
		}
		return
	}
	f := goalFormFrom(r, det.ID)
	f.ID, f.Version = goalID, version
	in, fe := parseGoal(f)
	if len(fe) == 0 {
		err = plan.UpdateGoal(r.Context(), s.db, a, det.ID, goalID, in, version)
	} else if _, gerr := plan.GoalByID(r.Context(), s.db, scope(r), det.ID, goalID); gerr != nil {
		err = gerr
	} else if !a.CanEdit(det.KAMUserID) {
		err = fmt.Errorf("update goal: %w", db.ErrForbidden)
	}
	switch {
	case len(fe) > 0 && err == nil, errors.As(err, &fe):
		f.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, templates.GoalEditPage(s.page(r, "Edit goal", "plans"), templates.GoalEditView{Plan: det.Plan, Form: f}))
	case errors.Is(err, db.ErrConflict):
		g, gerr := plan.GoalByID(r.Context(), s.db, scope(r), det.ID, goalID)
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		theirs := goalFormOf(g)
		s.renderConflict(w, r, templates.ConflictView{Heading: "This goal was changed by someone else",
			BackHref: planURL(det.ID) + "/goals/" + goalID.String() + "/edit", BackLabel: "Open the current version",
			Rows: []templates.ConflictRow{
				{Label: "Goal", Theirs: theirs.Title, Mine: strings.TrimSpace(f.Title)},
				{Label: "KPI", Theirs: plan.KPI(theirs.KPI).Label(), Mine: plan.KPI(f.KPI).Label()},
				{Label: "Custom measure", Theirs: theirs.CustomMeasure, Mine: strings.TrimSpace(f.CustomMeasure)},
				{Label: "Baseline", Theirs: theirs.Baseline, Mine: strings.TrimSpace(f.Baseline)},
				{Label: "Target", Theirs: theirs.Target, Mine: strings.TrimSpace(f.Target)},
				{Label: "Current value", Theirs: theirs.Current, Mine: strings.TrimSpace(f.Current)},
				{Label: "Due date", Theirs: theirs.DueDate, Mine: strings.TrimSpace(f.DueDate)},
				{Label: "Status", Theirs: plan.GoalStatus(theirs.Status).Label(), Mine: plan.GoalStatus(f.Status).Label()},
			}})
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Goal saved.")
		http.Redirect(w, r, planURL(det.ID)+"#goal-"+goalID.String(), http.StatusSeeOther)
	}
}

// ---- actions ------------------------------------------------------------------

func actionFormFrom(r *http.Request, planID uuid.UUID) templates.ActionForm {
	f := r.PostForm
	return templates.ActionForm{PlanID: planID, GoalID: f.Get("goal_id"), Description: f.Get("description"),
		OwnerID: f.Get("owner_user_id"), DueDate: f.Get("due_date"), Errors: map[string]string{}}
}

func parseAction(f templates.ActionForm) (plan.ActionInput, db.FieldErrors) {
	fe := db.FieldErrors{}
	in := plan.ActionInput{Description: f.Description}
	if f.GoalID != "" {
		if id, err := uuid.Parse(f.GoalID); err == nil {
			in.GoalID = &id
		} else {
			fe.Add("goal", "Choose one of this plan's goals, or the plan itself.")
		}
	}
	if f.OwnerID != "" {
		if id, err := uuid.Parse(f.OwnerID); err == nil {
			in.OwnerID = id
		} else {
			fe.Add("owner", "Choose who owns the action.")
		}
	}
	if d := parseDay(fe, f.DueDate, "due_date", true); d != nil {
		in.DueDate = *d
	}
	if len(fe) > 0 {
		in.Description = strings.TrimSpace(in.Description)
		for k, msg := range in.Validate() {
			fe.Add(k, msg)
		}
	}
	return in, fe
}

func (s *Server) actionCreate(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	f := actionFormFrom(r, det.ID)
	in, fe := parseAction(f)
	var id uuid.UUID
	if len(fe) == 0 {
		id, err = plan.CreateAction(r.Context(), s.db, planActor(r), det.ID, in)
		if !errors.As(err, &fe) && err != nil {
			s.fail(w, r, err)
			return
		}
	} else if !planActor(r).CanEdit(det.KAMUserID) {
		s.fail(w, r, fmt.Errorf("create action: %w", db.ErrForbidden))
		return
	}
	if len(fe) > 0 {
		v, err := s.planView(r, det)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.Errors, f.Open = fe, true
		v.ActionForm = f
		s.render(w, r, http.StatusUnprocessableEntity, templates.PlanPage(s.page(r, det.AccountName+" · "+det.Period, "plans"), v))
		return
	}
	s.flash(r.Context(), "success", "Action added.")
	http.Redirect(w, r, planURL(det.ID)+"#action-"+id.String(), http.StatusSeeOther)
}

func actionFormOf(a plan.Action) templates.ActionForm {
	goal := ""
	if a.GoalID != nil {
		goal = a.GoalID.String()
	}
	return templates.ActionForm{PlanID: a.PlanID, ID: a.ID, Version: a.Version, GoalID: goal, Description: a.Description,
		OwnerID: a.OwnerID.String(), DueDate: a.DueDate.Format(time.DateOnly), Errors: map[string]string{}}
}

func (s *Server) actionEdit(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actionID, err := urlID(r, "actionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	act, err := plan.ActionByID(r.Context(), s.db, scope(r), det.ID, actionID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !planActor(r).CanEdit(det.KAMUserID) {
		s.fail(w, r, fmt.Errorf("edit action: %w", db.ErrForbidden))
		return
	}
	members, err := s.activeMembers(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.ActionEditPage(s.page(r, "Edit action", "plans"),
		templates.ActionEditView{Plan: det, Members: members, Form: actionFormOf(act)}))
}

func (s *Server) actionUpdate(w http.ResponseWriter, r *http.Request) {
	det, err := s.loadPlan(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actionID, err := urlID(r, "actionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	switch r.PostForm.Get("op") {
	case "done":
		s.actionSetDone(w, r, det, actionID, version)
	case "delete":
		err := plan.DeleteAction(r.Context(), s.db, planActor(r), det.ID, actionID, version)
		var fe db.FieldErrors
		switch {
		case errors.As(err, &fe):
			s.renderError(w, r, http.StatusUnprocessableEntity, "Cannot remove the action", fe["plan"])
		case errors.Is(err, db.ErrConflict):
			s.renderError(w, r, http.StatusConflict, "Changed by someone else",
				"Someone changed this action after you opened it, so it was not removed. Open the plan to see the current version.")
		case err != nil:
			s.fail(w, r, err)
		default:
			s.flash(r.Context(), "success", "Action removed.")
			http.Redirect(w, r, planURL(det.ID), http.StatusSeeOther)
		}
	default:
		s.actionSave(w, r, det, actionID, version)
	}
}

func (s *Server) actionSave(w http.ResponseWriter, r *http.Request, det plan.Detail, actionID uuid.UUID, version int) {
	a := planActor(r)
	f := actionFormFrom(r, det.ID)
	f.ID, f.Version = actionID, version
	in, fe := parseAction(f)
	var err error
	if len(fe) == 0 {
		err = plan.UpdateAction(r.Context(), s.db, a, det.ID, actionID, in, version)
	} else if _, aerr := plan.ActionByID(r.Context(), s.db, scope(r), det.ID, actionID); aerr != nil {
		err = aerr
	} else if !a.CanEdit(det.KAMUserID) {
		err = fmt.Errorf("update action: %w", db.ErrForbidden)
	}
	switch {
	case len(fe) > 0 && err == nil, errors.As(err, &fe):
		members, merr := s.activeMembers(r)
		if merr != nil {
			s.fail(w, r, merr)
			return
		}
		f.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, templates.ActionEditPage(s.page(r, "Edit action", "plans"),
			templates.ActionEditView{Plan: det, Members: members, Form: f}))
	case errors.Is(err, db.ErrConflict):
		cur, cerr := plan.ActionByID(r.Context(), s.db, scope(r), det.ID, actionID)
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		members, merr := s.activeMembers(r)
		if merr != nil {
			s.fail(w, r, merr)
			return
		}
		goalTitle := func(id string) string {
			for _, g := range det.Goals {
				if g.ID.String() == id {
					return g.Title
				}
			}
			return "The whole plan"
		}
		yourOwner := f.OwnerID
		for _, m := range members {
			if m.UserID.String() == f.OwnerID {
				yourOwner = m.Name
			}
		}
		s.renderConflict(w, r, templates.ConflictView{Heading: "This action was changed by someone else",
			BackHref: planURL(det.ID) + "/actions/" + actionID.String() + "/edit", BackLabel: "Open the current version",
			Rows: []templates.ConflictRow{
				{Label: "Action", Theirs: cur.Description, Mine: strings.TrimSpace(f.Description)},
				{Label: "Toward", Theirs: goalTitle(idOrEmpty(cur.GoalID)), Mine: goalTitle(f.GoalID)},
				{Label: "Owner", Theirs: cur.OwnerName, Mine: yourOwner},
				{Label: "Due date", Theirs: cur.DueDate.Format(time.DateOnly), Mine: strings.TrimSpace(f.DueDate)},
				{Label: "Done", Theirs: yesNo(cur.Done()), Mine: "(unchanged)"},
			}})
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Action saved.")
		http.Redirect(w, r, planURL(det.ID)+"#action-"+actionID.String(), http.StatusSeeOther)
	}
}

func idOrEmpty(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// actionSetDone marks an action done or open. With htmx it answers the
// action's list item; on an error it asks htmx to reload the page (which
// then shows the current state) and answers the error as usual.
func (s *Server) actionSetDone(w http.ResponseWriter, r *http.Request, det plan.Detail, actionID uuid.UUID, version int) {
	done := r.PostForm.Get("done") == "1"
	act, err := plan.SetActionDone(r.Context(), s.db, planActor(r), det.ID, actionID, done, version)
	if err != nil {
		if isHTMX(r) {
			w.Header().Set("HX-Refresh", "true")
			if errors.Is(err, db.ErrConflict) {
				s.flash(r.Context(), "error", "Someone changed that action a moment ago; here is its current state.")
			}
		}
		var fe db.FieldErrors
		switch {
		case errors.As(err, &fe):
			s.renderError(w, r, http.StatusUnprocessableEntity, "Cannot change the action", fe["plan"])
		case errors.Is(err, db.ErrConflict):
			cur, cerr := plan.ActionByID(r.Context(), s.db, scope(r), det.ID, actionID)
			if cerr != nil {
				s.fail(w, r, cerr)
				return
			}
			s.renderConflict(w, r, templates.ConflictView{Heading: "This action was changed by someone else",
				BackHref: planURL(det.ID) + "#action-" + actionID.String(), BackLabel: "Back to the plan",
				Rows: []templates.ConflictRow{
					{Label: "Action", Theirs: cur.Description, Mine: cur.Description},
					{Label: "Done", Theirs: yesNo(cur.Done()), Mine: yesNo(done)},
				}})
		default:
			s.fail(w, r, err)
		}
		return
	}
	if isHTMX(r) {
		a := planActor(r)
		s.render(w, r, http.StatusOK, templates.ActionItem(templates.ActionItemView{Action: act, Today: time.Now(),
			CanToggle: true, CanEdit: a.CanEdit(det.KAMUserID), Back: planURL(det.ID)}))
		return
	}
	if done {
		s.flash(r.Context(), "success", "Marked done: "+act.Description)
	} else {
		s.flash(r.Context(), "success", "Reopened: "+act.Description)
	}
	back := localBack(r.PostForm.Get("back"), "")
	if back == "" {
		back = localBack(refererPath(r), planURL(det.ID)+"#action-"+actionID.String())
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// ---- whitespace -----------------------------------------------------------------

func (s *Server) whitespaceGrid(r *http.Request) (templates.WhitespaceView, error) {
	v := templates.WhitespaceView{KAM: r.URL.Query().Get("kam")}
	var f plan.GridFilter
	if id, err := uuid.Parse(v.KAM); err == nil {
		f.KAMID = id
	} else {
		v.KAM = ""
	}
	var err error
	if v.Grid, err = plan.Whitespace(r.Context(), s.db, scope(r), f); err != nil {
		return v, err
	}
	v.KAMs, err = s.kamMembers(r)
	return v, err
}

func (s *Server) whitespaceShow(w http.ResponseWriter, r *http.Request) {
	v, err := s.whitespaceGrid(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.WhitespacePage(s.page(r, "Whitespace", "plans"), v))
}

// csvCell keeps a spreadsheet from reading a value as a formula.

func (s *Server) whitespaceCSV(w http.ResponseWriter, r *http.Request) {
	v, err := s.whitespaceGrid(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="whitespace.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"account", "kam", "product", "state", "estimated_value", "expected_close"})
	for _, row := range v.Grid.Rows {
		for i, c := range row.Cells {
			value, close := "", ""
			if c.EstimatedValue != nil {
				value = strconv.FormatFloat(*c.EstimatedValue, 'f', 2, 64)
			}
			if c.ExpectedClose != nil {
				close = c.ExpectedClose.Format(time.DateOnly)
			}
			_ = cw.Write([]string{csvcell.Safe(row.AccountName), csvcell.Safe(row.KAMName), csvcell.Safe(v.Grid.Products[i].Name), string(c.State), value, close})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Error("whitespace csv", "request_id", requestIDFrom(r.Context()), "err", err)
	}
}

func (s *Server) loadCell(r *http.Request) (plan.CellView, error) {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		return plan.CellView{}, err
	}
	productID, err := urlID(r, "productID")
	if err != nil {
		return plan.CellView{}, err
	}
	return plan.CellByID(r.Context(), s.db, scope(r), accountID, productID)
}

func (s *Server) cellShow(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCell(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := localBack(r.URL.Query().Get("back"), "/plans/whitespace")
	s.render(w, r, http.StatusOK, templates.WhitespaceCellPage(s.page(r, c.AccountName+" × "+c.Product.Name, "plans"),
		templates.CellPageView{Cell: c, CanEdit: planActor(r).CanEdit(c.KAMUserID), Form: templates.CellFormOf(c.Cell), Back: back}))
}

func (s *Server) cellUpdate(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCell(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	pf := r.PostForm
	form := templates.CellForm{State: pf.Get("state"), EstimatedValue: pf.Get("estimated_value"), ExpectedClose: pf.Get("expected_close"),
		Version: version, Errors: map[string]string{}}
	back := localBack(pf.Get("back"), "/accounts/"+c.AccountID.String()+"/plans#whitespace")
	a := planActor(r)
	fe := db.FieldErrors{}
	in := plan.CellInput{State: plan.CellState(form.State)}
	if in.State == plan.CellOpportunity {
		in.EstimatedValue = parseNumber(fe, form.EstimatedValue, "estimated_value", false)
		in.ExpectedClose = parseDay(fe, form.ExpectedClose, "expected_close", false)
	}
	if len(fe) == 0 {
		err = plan.SetCell(r.Context(), s.db, a, c.AccountID, c.ProductID, in, version)
	} else if !a.CanEdit(c.KAMUserID) {
		err = fmt.Errorf("set cell: %w", db.ErrForbidden)
	}
	switch {
	case len(fe) > 0 && err == nil, errors.As(err, &fe):
		form.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, templates.WhitespaceCellPage(s.page(r, c.AccountName+" × "+c.Product.Name, "plans"),
			templates.CellPageView{Cell: c, CanEdit: true, Form: form, Back: back}))
	case errors.Is(err, db.ErrConflict):
		cur, cerr := plan.CellByID(r.Context(), s.db, scope(r), c.AccountID, c.ProductID)
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		theirs := templates.CellFormOf(cur.Cell)
		s.renderConflict(w, r, templates.ConflictView{Heading: c.AccountName + " × " + c.Product.Name + " was changed by someone else",
			BackHref: cellHref(c.AccountID, c.ProductID) + "?back=" + url.QueryEscape(back), BackLabel: "Open the current version",
			Rows: []templates.ConflictRow{
				{Label: "State", Theirs: cur.State.Label(), Mine: in.State.Label()},
				{Label: "Estimated value", Theirs: theirs.EstimatedValue, Mine: strings.TrimSpace(form.EstimatedValue)},
				{Label: "Expected close", Theirs: theirs.ExpectedClose, Mine: strings.TrimSpace(form.ExpectedClose)},
			}})
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Saved: "+c.AccountName+" × "+c.Product.Name+" is "+strings.ToLower(in.State.Label())+".")
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}

func cellHref(accountID, productID uuid.UUID) string {
	return "/accounts/" + accountID.String() + "/whitespace/" + productID.String()
}

// ---- admin: products and settings ------------------------------------------------

func (s *Server) productsPage(w http.ResponseWriter, r *http.Request, status int, v templates.ProductsView) {
	var err error
	if v.Products, err = plan.Products(r.Context(), s.db, scope(r), false); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, templates.ProductsPage(s.page(r, "Products", "admin"), v))
}

func (s *Server) productList(w http.ResponseWriter, r *http.Request) {
	s.productsPage(w, r, http.StatusOK, templates.ProductsView{})
}

func (s *Server) productCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	in := plan.ProductInput{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description"), Active: true}
	_, err := plan.CreateProduct(r.Context(), s.db, scope(r), in)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		s.productsPage(w, r, http.StatusUnprocessableEntity, templates.ProductsView{
			NewForm: templates.ProductForm{Name: in.Name, Description: in.Description, Active: true, Errors: fe}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Added "+strings.TrimSpace(in.Name)+" to the catalogue.")
	http.Redirect(w, r, "/admin/products", http.StatusSeeOther)
}

func (s *Server) productUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "productID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := plan.ProductByID(r.Context(), s.db, scope(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	in := plan.ProductInput{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description"), Active: r.PostForm.Get("active") == "true"}
	err = plan.UpdateProduct(r.Context(), s.db, scope(r), id, in, version)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.productsPage(w, r, http.StatusUnprocessableEntity, templates.ProductsView{EditID: id,
			EditForm: templates.ProductForm{Name: in.Name, Description: in.Description, Active: in.Active, Version: version, Errors: fe}})
	case errors.Is(err, db.ErrConflict):
		cur, cerr := plan.ProductByID(r.Context(), s.db, scope(r), id)
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		s.render(w, r, http.StatusConflict, templates.PlanConflictPage(s.page(r, "Changed by someone else", "admin"), templates.ConflictView{
			Heading: "This product was changed by someone else", BackHref: "/admin/products", BackLabel: "Back to the catalogue",
			Rows: []templates.ConflictRow{
				{Label: "Name", Theirs: cur.Name, Mine: strings.TrimSpace(in.Name)},
				{Label: "Description", Theirs: cur.Description, Mine: strings.TrimSpace(in.Description)},
				{Label: "Active", Theirs: yesNo(cur.Active), Mine: yesNo(in.Active)},
			}}))
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Saved "+strings.TrimSpace(in.Name)+".")
		http.Redirect(w, r, "/admin/products", http.StatusSeeOther)
	}
}

func (s *Server) planSettingsShow(w http.ResponseWriter, r *http.Request) {
	st, err := plan.SettingsOf(r.Context(), s.db, scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.PlanSettingsPage(s.page(r, "Plan settings", "admin"), templates.PlanSettingsView{
		Month: st.FiscalYearStartMonth, Version: st.Version, Example: templates.FiscalYearExample(time.Now(), st.FiscalYearStartMonth)}))
}

func (s *Server) planSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	month, _ := strconv.Atoi(r.PostForm.Get("fiscal_year_start_month"))
	err := plan.UpdateSettings(r.Context(), s.db, scope(r), month, version)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.render(w, r, http.StatusUnprocessableEntity, templates.PlanSettingsPage(s.page(r, "Plan settings", "admin"), templates.PlanSettingsView{
			Month: month, Version: version, Errors: fe, Example: templates.FiscalYearExample(time.Now(), month)}))
	case errors.Is(err, db.ErrConflict):
		cur, cerr := plan.SettingsOf(r.Context(), s.db, scope(r))
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		s.render(w, r, http.StatusConflict, templates.PlanConflictPage(s.page(r, "Changed by someone else", "admin"), templates.ConflictView{
			Heading: "The plan settings were changed by someone else", BackHref: "/admin/plan-settings", BackLabel: "Open the current settings",
			Rows: []templates.ConflictRow{{Label: "Fiscal year starts in", Theirs: monthName(cur.FiscalYearStartMonth), Mine: monthName(month)}}}))
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Plan settings saved.")
		http.Redirect(w, r, "/admin/plan-settings", http.StatusSeeOther)
	}
}

func monthName(m int) string {
	if m < 1 || m > 12 {
		return strconv.Itoa(m)
	}
	return time.Month(m).String()
}
