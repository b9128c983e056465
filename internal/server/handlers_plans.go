package server

import "context"
import "errors"
import "fmt"
import "net/http"
import "strconv"
import "strings"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/plan"
import "pareto/templates"

// Goal plans: the list, an account's plans, one plan and its why. Goals,
// actions, the whitespace grid and the catalogue have files of their own.

// planActor is the signed-in member as the plan package sees them.
func planActor(r *http.Request) plan.Actor {
	return plan.Actor{Scope: scope(r), Role: currentMember(r).Role}
}

func planURL(id uuid.UUID) string { return "/plans/" + id.String() }

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

func (s *Server) accountPlanList(w http.ResponseWriter, r *http.Request) {
	accountID, sec, err := loadThen(r, pathID("accountID"), s.accountPlanSection)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ws, err := s.accountWhitespaceView(r, accountID, sec.CanEdit, "/accounts/"+accountID.String()+"/plans#whitespace")
	s.show(w, r, err, func() templ.Component {
		return templates.AccountPlansPage(s.page(r, "Plans for "+sec.Overview.Account.Name, "plans"),
			templates.AccountPlansView{Section: sec, Whitespace: ws})
	})
}

// newPlanForm builds the new-plan form for the account named in the
// path, checking the signed-in member may plan it.
func (s *Server) newPlanForm(r *http.Request) (templates.PlanForm, error) {
	ctx, sc := r.Context(), scope(r)
	accountID, err := urlID(r, "accountID")
	if err != nil {
		return templates.PlanForm{}, err
	}
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
			f.PrevPeriod, f.PrevOpenGoals = p.Period, p.Open()
			f.CopyGoals = f.PrevOpenGoals > 0
			break
		}
	}
	return f, nil
}

func (s *Server) planNew(w http.ResponseWriter, r *http.Request) {
	f, err := s.newPlanForm(r)
	s.show(w, r, err, func() templ.Component { return templates.PlanFormPage(s.page(r, "New plan", "plans"), f) })
}

// readPlan reads the plan form.
func readPlan(f *form) plan.PlanInput {
	return plan.PlanInput{Period: f.Text("period", limits.Label), Status: choiceOf[plan.Status](f, "status"), Why: f.Para("why", limits.Paragraph)}
}

// planFormPage re-shows the plan form load builds with what was typed
// and the errors.
func (s *Server) planFormPage(r *http.Request, load func() (templates.PlanForm, error), in plan.PlanInput, title string) func(db.FieldErrors) (templ.Component, error) {
	return func(fe db.FieldErrors) (templ.Component, error) {
		f, err := load()
		f.Period, f.Status, f.Why, f.Errors = in.Period, string(in.Status), in.Why, fe
		return templates.PlanFormPage(s.page(r, title, "plans"), f), err
	}
}

func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) {
	pf, f, ok := formFor(s, w, r, s.newPlanForm)
	if !ok {
		return
	}
	in, copyGoals := readPlan(f), f.Check("copy_goals")
	var id uuid.UUID
	err := f.Then(in.Validate, func() (err error) {
		id, err = plan.CreatePlan(r.Context(), s.db, planActor(r), pf.AccountID, in, copyGoals)
		return err
	})
	pf.CopyGoals = copyGoals
	s.saved(w, r, err, saved{Invalid: s.planFormPage(r, func() (templates.PlanForm, error) { return pf, nil }, in, "New plan"),
		Flash: "Plan created. Add its goals and actions below.", Next: planURL(id)})
}

// planView builds the plan page for det.
func (s *Server) planView(r *http.Request, det plan.Detail) (templates.PlanView, error) {
	a := planActor(r)
	canEdit := a.CanEdit(det.KAMUserID)
	v := templates.PlanView{Plan: det, CanEdit: canEdit, Actor: a, Today: time.Now(),
		GoalForm:   templates.GoalForm{PlanID: det.ID, KPI: string(plan.KPIRevenue), DueDate: det.Last.Format(time.DateOnly)},
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

// planPageWith re-shows the plan page with one of its forms changed by
// edit (a goal or action added with errors).
func (s *Server) planPageWith(r *http.Request, det plan.Detail, edit func(*templates.PlanView, db.FieldErrors)) func(db.FieldErrors) (templ.Component, error) {
	return func(fe db.FieldErrors) (templ.Component, error) {
		v, err := s.planView(r, det)
		if err != nil {
			return nil, err
		}
		edit(&v, fe)
		return templates.PlanPage(s.page(r, det.AccountName+" · "+det.Period, "plans"), v), nil
	}
}

// planPart says how one kind of a plan's parts (its goals, its actions)
// is added from the plan page: read from the form, checked, created, and
// its form shown again (opened) with the errors.
type planPart[In any, Form interface{ Opened(map[string]string) Form }] struct {
	name   string // "goal", "action": the flash and the #anchor
	read   func(*form, uuid.UUID) (In, Form)
	checks func(In) func() db.FieldErrors
	create func(context.Context, *db.DB, plan.Actor, uuid.UUID, In) (uuid.UUID, error)
	show   func(*templates.PlanView, Form)
}

// addPart adds a part p to the plan named in the path.
func addPart[In any, Form interface{ Opened(map[string]string) Form }](s *Server, w http.ResponseWriter, r *http.Request, p planPart[In, Form]) {
	det, f, ok := formFor(s, w, r, s.editablePlan)
	if !ok {
		return
	}
	in, typed := p.read(f, det.ID)
	var id uuid.UUID
	err := f.Then(p.checks(in), func() (err error) {
		id, err = p.create(r.Context(), s.db, planActor(r), det.ID, in)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: s.planPageWith(r, det, func(v *templates.PlanView, fe db.FieldErrors) { p.show(v, typed.Opened(fe)) }),
		Flash:   strings.ToUpper(p.name[:1]) + p.name[1:] + " added.", Next: planURL(det.ID) + "#" + p.name + "-" + id.String()})
}

// loadPlan reads the plan named in the path.
func (s *Server) loadPlan(r *http.Request) (plan.Detail, error) {
	id, err := urlID(r, "planID")
	if err != nil {
		return plan.Detail{}, err
	}
	return plan.PlanByID(r.Context(), s.db, scope(r), id, time.Now())
}

// editablePlan reads the plan named in the path and checks the signed-in
// member may change it (db.ErrForbidden otherwise).
func (s *Server) editablePlan(r *http.Request) (plan.Detail, error) {
	det, err := s.loadPlan(r)
	if err == nil && !planActor(r).CanEdit(det.KAMUserID) {
		err = fmt.Errorf("change plan %s: %w", det.ID, db.ErrForbidden)
	}
	return det, err
}

func (s *Server) planShow(w http.ResponseWriter, r *http.Request) {
	det, v, err := loadThen(r, s.loadPlan, s.planView)
	s.show(w, r, err, func() templ.Component {
		return templates.PlanPage(s.page(r, det.AccountName+" · "+det.Period, "plans"), v)
	})
}

func (s *Server) editPlanForm(r *http.Request, det plan.Detail) (templates.PlanForm, error) {
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
	_, f, err := loadThen(r, s.editablePlan, s.editPlanForm)
	s.show(w, r, err, func() templ.Component { return templates.PlanFormPage(s.page(r, "Edit plan", "plans"), f) })
}

func (s *Server) planUpdate(w http.ResponseWriter, r *http.Request) {
	det, f, version, ok := editFor(s, w, r, s.editablePlan)
	if !ok {
		return
	}
	in := readPlan(f)
	err := f.Then(in.Validate, func() error { return plan.UpdatePlan(r.Context(), s.db, planActor(r), det.ID, in, version) })
	edit := func() (templates.PlanForm, error) {
		pf, err := s.editPlanForm(r, det)
		pf.Version = version
		return pf, err
	}
	s.saved(w, r, err, saved{Invalid: s.planFormPage(r, edit, in, "Edit plan"), Section: "plans",
		Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.PlanByID(r.Context(), s.db, scope(r), det.ID, time.Now())
			return templates.ConflictView{Heading: "This plan was changed by someone else",
				BackHref: planURL(det.ID) + "/edit", BackLabel: "Open the current version",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Fiscal year", Theirs: cur.Period, Mine: in.Period},
					templates.ConflictRow{Label: "Status", Theirs: cur.Status.Label(), Mine: in.Status.Label()},
					templates.ConflictRow{Label: "Why", Theirs: cur.Why, Mine: in.Why},
				)}, err
		},
		Flash: "Plan saved.", Next: planURL(det.ID)})
}

// removed answers the removal of a plan's goal or action (what): a closed
// plan → 422, a stale version → 409, done → back to the plan.
func (s *Server) removed(w http.ResponseWriter, r *http.Request, err error, what string, det plan.Detail) {
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.renderError(w, r, http.StatusUnprocessableEntity, "Cannot remove the "+what, fe["plan"])
	case errors.Is(err, db.ErrConflict):
		s.renderError(w, r, http.StatusConflict, "Changed by someone else",
			"Someone changed this "+what+" after you opened it, so it was not removed. Open the plan to see the current version.")
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", strings.ToUpper(what[:1])+what[1:]+" removed.")
		http.Redirect(w, r, planURL(det.ID), http.StatusSeeOther)
	}
}
