package server

import "errors"
import "net/http"
import "slices"
import "strconv"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/assignment"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/limits"
import "pareto/internal/plan"
import "pareto/templates"

// assignments is the KAM assignment store.
func (s *Server) assignments() *assignment.Store { return assignment.NewStore(s.db) }

func (s *Server) kamList(w http.ResponseWriter, r *http.Request) {
	wl, err := s.assignments().Workload(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	v := templates.KAMsView{Workload: wl, Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	if !slices.Contains(assignment.SortKeys, v.Sort) {
		v.Sort, v.Desc = "name", false
	}
	assignment.SortLoads(v.Workload.KAMs, v.Sort, v.Desc)
	s.render(w, r, http.StatusOK, templates.KAMsPage(s.page(r, "KAMs", "kams"), v))
}

// kamProfileView loads a KAM's page with form f (nil: the saved values).
func (s *Server) kamProfileView(r *http.Request, kamID uuid.UUID) (templates.KAMProfileView, error) {
	st := s.assignments()
	p, err := st.Profile(r.Context(), scope(r), kamID)
	if err != nil {
		return templates.KAMProfileView{}, err
	}
	accounts, err := st.Accounts(r.Context(), scope(r), kamID, keyset.Parse(r.URL.Query().Get("after")))
	if err != nil {
		return templates.KAMProfileView{}, err
	}
	currency, err := st.Currency(r.Context(), scope(r))
	if err != nil {
		return templates.KAMProfileView{}, err
	}
	return templates.KAMProfileView{Profile: p, Form: templates.KAMProfileFormOf(p), Accounts: accounts, Currency: currency}, nil
}

func (s *Server) kamShow(w http.ResponseWriter, r *http.Request) {
	v, err := pathLoad(r, "kamID", s.kamProfileView)
	s.show(w, r, err, func() templ.Component { return templates.KAMProfilePage(s.page(r, v.Profile.Name, "kams"), v) })
}

// staleVersion reads the form's version; a form without one is answered
// as stale (a conflict) by the assignment store.
func staleVersion(f *form) int {
	if v, ok := f.Version(); ok {
		return v
	}
	return -1
}

func (s *Server) kamUpdate(w http.ResponseWriter, r *http.Request) {
	kamID, f, ok := formFor(s, w, r, pathID("kamID"))
	if !ok {
		return
	}
	typed := templates.KAMProfileForm{Capacity: f.Trim("capacity"), Regions: f.Trim("regions"),
		Industries: f.Trim("industries"), Notes: f.Para("notes", limits.Paragraph), Version: staleVersion(f)}
	var p assignment.Profile
	err := f.Then(nil, func() (err error) {
		p, err = s.assignments().UpdateProfile(r.Context(), scope(r), kamID,
			assignment.ProfileInput{Capacity: typed.Capacity, Regions: typed.Regions, Industries: typed.Industries, Notes: typed.Notes}, typed.Version)
		return err
	})
	page := func(fe db.FieldErrors, stale bool) (templ.Component, error) {
		v, err := s.kamProfileView(r, kamID)
		v.Form, v.Form.Errors, v.Conflict = typed, fe, stale
		if stale {
			v.Form.Version = v.Profile.Version
		}
		return templates.KAMProfilePage(s.page(r, v.Profile.Name, "kams"), v), err
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return page(fe, false) },
		Stale:   func() (templ.Component, error) { return page(nil, true) },
		Flash:   "Saved the profile of " + p.Name + ": capacity " + strconv.Itoa(p.Capacity) + ".", Next: "/kams/" + kamID.String()})
}

// accountAssignmentSection loads the account page's KAM section: what
// everyone sees, plus the form and ranking for leaders and admins.
func (s *Server) accountAssignmentSection(r *http.Request, accountID uuid.UUID) (templates.AccountAssignmentView, error) {
	st, err := s.assignments().AccountAssignment(r.Context(), scope(r), accountID)
	if err != nil {
		return templates.AccountAssignmentView{}, err
	}
	v := templates.AccountAssignmentView{State: st, CanAssign: leads(currentMember(r)),
		Form: templates.AssignForm{Version: st.Account.Version}}
	if !v.CanAssign {
		v.State.Ranked, v.State.Suggestion = nil, assignment.Suggestion{}
	}
	return v, nil
}

func (s *Server) assignmentShow(w http.ResponseWriter, r *http.Request) {
	v, err := pathLoad(r, "accountID", s.accountAssignmentSection)
	s.show(w, r, err, func() templ.Component {
		return templates.AccountAssignmentPage(s.page(r, v.State.Account.Name+" · KAM", "kams"), v)
	})
}

func (s *Server) assignmentUpdate(w http.ResponseWriter, r *http.Request) {
	accountID, f, ok := formFor(s, w, r, pathID("accountID"))
	if !ok {
		return
	}
	typed := templates.AssignForm{KAMUserID: f.Trim("kam_user_id"), Override: f.Check("override"),
		Reason: f.Para("reason", limits.Sentence), Version: staleVersion(f)}
	returnTo := localBack(f.Raw("return_to"), "")
	var res assignment.AssignResult
	err := f.Then(nil, func() (err error) {
		res, err = s.assignments().Assign(r.Context(), scope(r), assignment.AssignInput{AccountID: accountID,
			KAMUserID: typed.KAMUserID, Version: typed.Version, Override: typed.Override, Reason: typed.Reason})
		return err
	})
	page := func(fe db.FieldErrors, stale bool) (templ.Component, error) {
		v, err := s.accountAssignmentSection(r, accountID)
		v.Form, v.Form.Errors, v.ReturnTo, v.Conflict = typed, fe, returnTo, stale
		if stale {
			v.Form.Version, v.YourKAMName = v.State.Account.Version, typed.KAMUserID
			for _, k := range v.State.Ranked {
				if k.UserID.String() == typed.KAMUserID {
					v.YourKAMName = k.Name
				}
			}
		}
		return templates.AccountAssignmentPage(s.page(r, v.State.Account.Name+" · KAM", "kams"), v), err
	}
	if returnTo == "" {
		returnTo = "/accounts/" + accountID.String() + "/assignment"
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return page(fe, false) },
		Stale:   func() (templ.Component, error) { return page(nil, true) },
		Flash:   assignedMessage(res), Next: returnTo})
}

// assignedMessage says what an assignment changed.
func assignedMessage(res assignment.AssignResult) string {
	msg := res.ToName + " now manages " + res.AccountName + "."
	if res.FromName != "" {
		msg = res.AccountName + " moved from " + res.FromName + " to " + res.ToName + "."
	}
	if res.OverCapacity {
		msg += " " + res.ToName + " is now over capacity."
	}
	return msg
}

func (s *Server) suggestionsView(r *http.Request) (templates.SuggestionsView, error) {
	st := s.assignments()
	plan, err := st.Suggestions(r.Context(), scope(r))
	if err != nil {
		return templates.SuggestionsView{}, err
	}
	currency, err := st.Currency(r.Context(), scope(r))
	if err != nil {
		return templates.SuggestionsView{}, err
	}
	return templates.SuggestionsView{Plan: plan, Currency: currency}, nil
}

func (s *Server) suggestionList(w http.ResponseWriter, r *http.Request) {
	v, err := s.suggestionsView(r)
	s.show(w, r, err, func() templ.Component { return templates.SuggestionsPage(s.page(r, "Suggested KAMs", "kams"), v) })
}

func (s *Server) suggestionApply(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	var items []assignment.PlanItem
	for _, raw := range f.List("item") {
		if it, ok := assignment.ParsePlanItem(raw); ok {
			items = append(items, it)
		} else {
			f.Fail("items", "The form was damaged; reload the suggestions and try again.")
		}
	}
	var n int
	err := f.Then(nil, func() (err error) {
		n, err = s.assignments().ApplyPlan(r.Context(), scope(r), items)
		return err
	})
	var bc *assignment.BatchConflict
	errors.As(err, &bc)
	page := func(fe db.FieldErrors) (templ.Component, error) {
		v, verr := s.suggestionsView(r)
		if v.Errors = fe; bc != nil {
			v.Problems = bc.Problems
		}
		return templates.SuggestionsPage(s.page(r, "Suggested KAMs", "kams"), v), verr
	}
	s.saved(w, r, err, saved{
		Invalid: page,
		Stale:   func() (templ.Component, error) { return page(nil) },
		Flash:   "Assigned " + plural(n, "key account", "key accounts") + " as suggested.", Next: "/kams"})
}

func (s *Server) myAccounts(w http.ResponseWriter, r *http.Request) {
	st := s.assignments()
	q := r.URL.Query()
	mine, err := st.MyAccounts(r.Context(), scope(r), keyset.Parse(q.Get("after")), keyset.Parse(q.Get("also")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	currency, err := st.Currency(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids := make([]uuid.UUID, len(mine.Accounts))
	for i, a := range mine.Accounts {
		ids[i] = a.ID
	}
	plans, err := plan.PlanStates(r.Context(), s.db, scope(r), ids, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i, a := range mine.Accounts {
		if p, ok := plans[a.ID]; ok {
			mine.Accounts[i].PlanStatus = p.Label()
		}
	}
	v := templates.MyAccountsView{Mine: mine, IsKAM: currentMember(r).Role == auth.RoleKAM, Currency: currency,
		After: q.Get("after"), Also: q.Get("also")}
	s.render(w, r, http.StatusOK, templates.MyAccountsPage(s.page(r, "My accounts", "my"), v))
}
