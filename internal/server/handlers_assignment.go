package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"pareto/internal/assignment"
	"pareto/internal/auth"
	"pareto/internal/db"
	"pareto/internal/plan"
	"pareto/templates"
)

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
	accounts, err := st.Accounts(r.Context(), scope(r), kamID)
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
	kamID, err := urlID(r, "kamID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.kamProfileView(r, kamID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.KAMProfilePage(s.page(r, v.Profile.Name, "kams"), v))
}

func (s *Server) kamUpdate(w http.ResponseWriter, r *http.Request) {
	kamID, err := urlID(r, "kamID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	f := templates.KAMProfileForm{Capacity: r.PostForm.Get("capacity"), Regions: r.PostForm.Get("regions"),
		Industries: r.PostForm.Get("industries"), Notes: r.PostForm.Get("notes")}
	version, verr := strconv.Atoi(r.PostForm.Get("version"))
	if verr != nil {
		version = -1 // a stale form: answered as a conflict
	}
	in := assignment.ProfileInput{Capacity: f.Capacity, Regions: f.Regions, Industries: f.Industries, Notes: f.Notes}
	p, err := s.assignments().UpdateProfile(r.Context(), scope(r), kamID, in, version)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe), errors.Is(err, db.ErrConflict):
		v, verr := s.kamProfileView(r, kamID)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		status := http.StatusUnprocessableEntity
		f.Errors = fe
		f.Version = version
		if errors.Is(err, db.ErrConflict) {
			status, v.Conflict, f.Version = http.StatusConflict, true, v.Profile.Version
		}
		v.Form = f
		s.render(w, r, status, templates.KAMProfilePage(s.page(r, v.Profile.Name, "kams"), v))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Saved the profile of "+p.Name+": capacity "+strconv.Itoa(p.Capacity)+".")
	http.Redirect(w, r, "/kams/"+kamID.String(), http.StatusSeeOther)
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
	accountID, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.accountAssignmentSection(r, accountID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.AccountAssignmentPage(s.page(r, v.State.Account.Name+" · KAM", "kams"), v))
}

func (s *Server) assignmentUpdate(w http.ResponseWriter, r *http.Request) {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	f := templates.AssignForm{KAMUserID: r.PostForm.Get("kam_user_id"), Override: r.PostForm.Get("override") == "true",
		Reason: r.PostForm.Get("reason")}
	version, verr := strconv.Atoi(r.PostForm.Get("version"))
	if verr != nil {
		version = -1
	}
	f.Version = version
	returnTo := localBack(r.PostForm.Get("return_to"), "")
	res, err := s.assignments().Assign(r.Context(), scope(r), assignment.AssignInput{AccountID: accountID,
		KAMUserID: f.KAMUserID, Version: version, Override: f.Override, Reason: f.Reason})
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe), errors.Is(err, db.ErrConflict):
		v, verr := s.accountAssignmentSection(r, accountID)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		status := http.StatusUnprocessableEntity
		f.Errors = fe
		if errors.Is(err, db.ErrConflict) {
			status, v.Conflict, f.Version = http.StatusConflict, true, v.State.Account.Version
			v.YourKAMName = f.KAMUserID
			for _, k := range v.State.Ranked {
				if k.UserID.String() == f.KAMUserID {
					v.YourKAMName = k.Name
				}
			}
		}
		v.Form, v.ReturnTo = f, returnTo
		s.render(w, r, status, templates.AccountAssignmentPage(s.page(r, v.State.Account.Name+" · KAM", "kams"), v))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	msg := res.ToName + " now manages " + res.AccountName + "."
	if res.FromName != "" {
		msg = res.AccountName + " moved from " + res.FromName + " to " + res.ToName + "."
	}
	if res.OverCapacity {
		msg += " " + res.ToName + " is now over capacity."
	}
	s.flash(r.Context(), "success", msg)
	if returnTo == "" {
		returnTo = "/accounts/" + accountID.String() + "/assignment"
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
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
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.SuggestionsPage(s.page(r, "Suggested KAMs", "kams"), v))
}

func (s *Server) suggestionApply(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	var items []assignment.PlanItem
	bad := false
	for _, raw := range r.PostForm["item"] {
		it, ok := assignment.ParsePlanItem(raw)
		if !ok {
			bad = true
			continue
		}
		items = append(items, it)
	}
	var n int
	var err error
	if bad {
		err = db.FieldErrors{"items": "The form was damaged; reload the suggestions and try again."}
	} else {
		n, err = s.assignments().ApplyPlan(r.Context(), scope(r), items)
	}
	var fe db.FieldErrors
	var bc *assignment.BatchConflict
	switch {
	case errors.As(err, &fe), errors.As(err, &bc):
		v, verr := s.suggestionsView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		status := http.StatusUnprocessableEntity
		v.Errors = fe
		if bc != nil {
			status, v.Problems = http.StatusConflict, bc.Problems
		}
		s.render(w, r, status, templates.SuggestionsPage(s.page(r, "Suggested KAMs", "kams"), v))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Assigned "+strconv.Itoa(n)+" key "+map[bool]string{true: "account", false: "accounts"}[n == 1]+" as suggested.")
	http.Redirect(w, r, "/kams", http.StatusSeeOther)
}

func (s *Server) myAccounts(w http.ResponseWriter, r *http.Request) {
	st := s.assignments()
	mine, err := st.MyAccounts(r.Context(), scope(r))
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
	v := templates.MyAccountsView{Mine: mine, IsKAM: currentMember(r).Role == auth.RoleKAM, Currency: currency}
	s.render(w, r, http.StatusOK, templates.MyAccountsPage(s.page(r, "My accounts", "my"), v))
}
