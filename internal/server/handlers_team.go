package server

import "errors"
import "net/http"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/templates"

// An account's people on our side (team members, the account manager)
// and its non-monetary engagement log.

// viewableAccount loads the URL's account (every member reads it).
func (s *Server) viewableAccount(r *http.Request) (account.Account, error) {
	id, err := urlID(r, "accountID")
	if err != nil {
		return account.Account{}, err
	}
	return s.accounts().Account(r.Context(), scope(r), id)
}

// healthSectionsWith re-shows the account page with a health section's
// form changed by edit (a team member or engagement added with errors).
func (s *Server) healthSectionsWith(r *http.Request, a account.Account, edit func(*templates.AccountHealthSections, db.FieldErrors)) func(db.FieldErrors) (templ.Component, error) {
	return s.accountPageWith(r, a, func(v *templates.AccountView, fe db.FieldErrors) {
		if v.Health != nil {
			edit(v.Health, fe)
		}
	})
}

func (s *Server) teamAdd(w http.ResponseWriter, r *http.Request) {
	a, f, ok := formFor(s, w, r, s.viewableAccount)
	if !ok {
		return
	}
	userID := f.ID("user_id", "user_id", "Choose a person.")
	role := choiceOf[account.TeamRole](f, "team_role")
	err := f.Then(nil, func() error {
		return s.accounts().AddTeamMember(r.Context(), scope(r), currentMember(r).Role, a.ID, userID, role)
	})
	s.saved(w, r, err, saved{
		Invalid: s.healthSectionsWith(r, a, func(v *templates.AccountHealthSections, fe db.FieldErrors) {
			v.TeamForm, v.OpenForm = templates.TeamFormView{UserID: f.Raw("user_id"), Role: f.Raw("team_role"), Errors: fe}, "team"
		}),
		Flash: "Added to the team as " + role.Label() + ".", Next: accountPath(a.ID) + "#team"})
}

func (s *Server) teamRemove(w http.ResponseWriter, r *http.Request) {
	ids, err := urlIDs(r, "accountID", "userID")
	if err == nil {
		err = s.accounts().RemoveTeamMember(r.Context(), scope(r), currentMember(r).Role, ids[0], ids[1])
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Removed from the team.")
	http.Redirect(w, r, accountPath(ids[0])+"#team", http.StatusSeeOther)
}

func (s *Server) managerUpdate(w http.ResponseWriter, r *http.Request) {
	a, f, version, ok := editFor(s, w, r, s.viewableAccount)
	if !ok {
		return
	}
	var userID uuid.UUID
	if id := f.OptID("manager_user_id", "manager_user_id", "Choose a person."); id != nil {
		userID = *id
	}
	err := f.Then(nil, func() error {
		return s.accounts().SetManager(r.Context(), scope(r), currentMember(r).Role, a.ID, userID, version)
	})
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Check the account manager", fe["manager_user_id"])
		return
	}
	s.saved(w, r, err, saved{Section: "accounts", Flash: "Saved the account manager.", Next: accountPath(a.ID) + "#team"})
}

func (s *Server) engagementCreate(w http.ResponseWriter, r *http.Request) {
	a, f, ok := formFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	in := account.EngagementInput{Kind: f.Raw("engagement_kind"), OccurredOn: f.Raw("occurred_on"),
		Title: f.Text("title", limits.Name), Notes: f.Para("notes", limits.Notes)}
	var e account.Engagement
	err := thenParsed(f, func() (account.EngagementFields, error) { return in.Parse(today()) }, func(fields account.EngagementFields) (err error) {
		e, err = s.accounts().CreateEngagement(r.Context(), scope(r), currentMember(r).Role, a.ID, fields)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: s.healthSectionsWith(r, a, func(v *templates.AccountHealthSections, fe db.FieldErrors) {
			v.EngagementForm, v.OpenForm = templates.EngagementFormView{Values: in, Errors: fe}, "engagement"
		}),
		Flash: "Logged the " + lowerFirst(e.Kind.Label()) + ".", Next: accountPath(a.ID) + "#engagement"})
}

func (s *Server) engagementDelete(w http.ResponseWriter, r *http.Request) {
	ids, err := urlIDs(r, "accountID", "engagementID")
	if err == nil {
		err = s.accounts().DeleteEngagement(r.Context(), scope(r), currentMember(r).Role, ids[0], ids[1])
	}
	switch {
	case err == nil:
		s.flash(r.Context(), "success", "Removed from the engagement log.")
	case ids != nil && errors.Is(err, db.ErrNotFound):
		if _, aerr := s.accounts().Account(r.Context(), scope(r), ids[0]); aerr != nil {
			s.fail(w, r, aerr)
			return
		}
		s.flash(r.Context(), "info", "That engagement was removed already.")
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountPath(ids[0])+"#engagement", http.StatusSeeOther)
}

// lowerFirst lower-cases a label's first letter, for a sentence.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// credibilityEvidence is the account's logged referrals, case studies and
// references (the "Referrals and credibility" criterion's evidence).
func (s *Server) credibilityEvidence(r *http.Request, accountID uuid.UUID) ([]account.Engagement, error) {
	all, _, err := s.accounts().Engagements(r.Context(), scope(r), accountID, 50)
	var out []account.Engagement
	for _, e := range all {
		if e.Kind.Credibility() {
			out = append(out, e)
		}
	}
	return out, err
}
