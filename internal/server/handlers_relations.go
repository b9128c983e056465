package server

import "errors"
import "net/http"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/templates"

// An account's relationships: its stakeholders and the interactions
// logged with them. Who may edit the account may edit both.

// accountPageWith re-shows the account page with one of its forms opened
// and changed by edit (a stakeholder or interaction added with errors).
func (s *Server) accountPageWith(r *http.Request, a account.Account, edit func(*templates.AccountView, db.FieldErrors)) func(db.FieldErrors) (templ.Component, error) {
	return func(fe db.FieldErrors) (templ.Component, error) {
		v, err := s.accountView(r, a.ID)
		edit(&v, fe)
		return templates.AccountPage(s.page(r, a.Name, "accounts"), v), err
	}
}

func readStakeholder(f *form) account.StakeholderInput {
	return account.StakeholderInput{Name: f.Text("name", limits.Name), Title: f.Text("title", limits.Name), Email: f.Text("email", limits.Email),
		Phone: f.Text("phone", limits.Phone), Role: f.Raw("buying_role"), Strength: f.Raw("strength"), ReportsTo: f.Raw("reports_to"),
		Notes: f.Para("notes", limits.Notes), LeftOn: f.Raw("left_on")}
}

func (s *Server) stakeholderCreate(w http.ResponseWriter, r *http.Request) {
	a, f, ok := formFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	in := readStakeholder(f)
	err := thenParsed(f, in.Parse, func(fields account.StakeholderFields) error {
		_, err := s.accounts().CreateStakeholder(r.Context(), scope(r), currentMember(r).Role, a.ID, fields)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: s.accountPageWith(r, a, func(v *templates.AccountView, fe db.FieldErrors) {
			v.StakeholderForm, v.OpenForm = templates.StakeholderFormView{Values: in, Errors: fe}, "stakeholder"
		}),
		Flash: "Added " + in.Name + ".", Next: accountPath(a.ID) + "#stakeholders"})
}

// editableStakeholder loads the URL's account (checking edit rights) and
// stakeholder.
func (s *Server) editableStakeholder(r *http.Request) (accountChild[account.Stakeholder], error) {
	return editableChild(s, r, "stakeholderID", s.accounts().Stakeholder)
}

func (s *Server) stakeholderEditPage(r *http.Request, as accountChild[account.Stakeholder], f templates.StakeholderFormView) (templ.Component, error) {
	sts, err := s.accounts().Stakeholders(r.Context(), scope(r), as.Account.ID)
	return templates.StakeholderEditPage(s.page(r, "Edit "+as.Child.Name, "accounts"),
		templates.StakeholderEditView{Account: as.Account, Form: f, Stakeholders: sts}), err
}

func (s *Server) stakeholderEdit(w http.ResponseWriter, r *http.Request) {
	_, page, err := loadThen(r, s.editableStakeholder, func(r *http.Request, as accountChild[account.Stakeholder]) (templ.Component, error) {
		st := as.Child
		return s.stakeholderEditPage(r, as, templates.StakeholderFormView{ID: st.ID, Values: st.FormValues(), Version: st.Version})
	})
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) stakeholderUpdate(w http.ResponseWriter, r *http.Request) {
	as, f, version, ok := editFor(s, w, r, s.editableStakeholder)
	if !ok {
		return
	}
	in := readStakeholder(f)
	err := thenParsed(f, in.Parse, func(fields account.StakeholderFields) error {
		_, err := s.accounts().UpdateStakeholder(r.Context(), scope(r), currentMember(r).Role, as.Account.ID, as.Child.ID, fields, version)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.stakeholderEditPage(r, as, templates.StakeholderFormView{ID: as.Child.ID, Values: in, Errors: fe, Version: version})
		},
		Flash: "Saved " + in.Name + ".", Next: accountPath(as.Account.ID) + "#stakeholders"})
}

// stakeholderDelete removes a stakeholder. Deleting one that is gone
// already (a second click) succeeds, as long as the account is editable.
func (s *Server) stakeholderDelete(w http.ResponseWriter, r *http.Request) {
	as, err := s.editableStakeholder(r)
	if err == nil {
		err = s.accounts().DeleteStakeholder(r.Context(), scope(r), currentMember(r).Role, as.Account.ID, as.Child.ID)
	}
	switch {
	case err == nil:
		s.flash(r.Context(), "success", "Removed "+as.Child.Name+".")
	case as.Account.ID != uuid.Nil && errors.Is(err, db.ErrNotFound):
		s.flash(r.Context(), "info", "That stakeholder was removed already.")
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountPath(as.Account.ID)+"#stakeholders", http.StatusSeeOther)
}

func readInteraction(f *form) account.InteractionInput {
	return account.InteractionInput{OccurredOn: f.Raw("occurred_on"), Kind: f.Raw("kind"), Summary: f.Para("summary", limits.Notes),
		NextStep: f.Text("next_step", limits.Sentence), NextStepDue: f.Raw("next_step_due"), NextStepOwner: f.Raw("next_step_owner"),
		Participants: f.List("participants")}
}

func (s *Server) interactionCreate(w http.ResponseWriter, r *http.Request) {
	a, f, ok := formFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	in, author := readInteraction(f), currentMember(r).UserID
	var kind account.Kind
	err := thenParsed(f, func() (account.InteractionFields, error) { return in.Parse(author) }, func(fields account.InteractionFields) error {
		kind = fields.Kind
		_, err := s.accounts().CreateInteraction(r.Context(), scope(r), currentMember(r).Role, a.ID, fields)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: s.accountPageWith(r, a, func(v *templates.AccountView, fe db.FieldErrors) {
			v.InteractionForm, v.OpenForm = templates.NewInteractionForm(uuid.Nil, 0, in, fe), "interaction"
		}),
		Flash: "Logged the " + kind.Label() + ".", Next: accountPath(a.ID) + "#interactions"})
}

// editableInteraction loads the URL's account (checking edit rights) and
// interaction.
func (s *Server) editableInteraction(r *http.Request) (accountChild[account.Interaction], error) {
	return editableChild(s, r, "interactionID", s.accounts().Interaction)
}

func (s *Server) interactionEditPage(r *http.Request, ai accountChild[account.Interaction], f templates.InteractionFormView) (templ.Component, error) {
	sts, err := s.accounts().Stakeholders(r.Context(), scope(r), ai.Account.ID)
	if err != nil {
		return nil, err
	}
	members, err := s.auth.Members(r.Context(), scope(r))
	return templates.InteractionEditPage(s.page(r, "Edit the interaction", "accounts"),
		templates.InteractionEditView{Account: ai.Account, Form: f, Stakeholders: sts, Members: members}), err
}

func (s *Server) interactionEdit(w http.ResponseWriter, r *http.Request) {
	_, page, err := loadThen(r, s.editableInteraction, func(r *http.Request, ai accountChild[account.Interaction]) (templ.Component, error) {
		i := ai.Child
		return s.interactionEditPage(r, ai, templates.NewInteractionForm(i.ID, i.Version, i.FormValues(), nil))
	})
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) interactionUpdate(w http.ResponseWriter, r *http.Request) {
	ai, f, version, ok := editFor(s, w, r, s.editableInteraction)
	if !ok {
		return
	}
	in, id := readInteraction(f), ai.Child.ID
	err := thenParsed(f, func() (account.InteractionFields, error) { return in.Parse(currentMember(r).UserID) }, func(fields account.InteractionFields) error {
		return s.accounts().UpdateInteraction(r.Context(), scope(r), currentMember(r).Role, ai.Account.ID, id, fields, version)
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.interactionEditPage(r, ai, templates.NewInteractionForm(id, version, in, fe))
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := s.accounts().Interaction(r.Context(), scope(r), ai.Account.ID, id)
			now := cur.FormValues()
			return templates.ConflictView{Heading: "This interaction was changed by someone else",
				BackHref: accountPath(ai.Account.ID) + "/interactions/" + id.String() + "/edit", BackLabel: "Open the current interaction",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Date", Theirs: now.OccurredOn, Mine: in.OccurredOn},
					templates.ConflictRow{Label: "Type", Theirs: now.Kind, Mine: in.Kind},
					templates.ConflictRow{Label: "What happened", Theirs: now.Summary, Mine: in.Summary},
					templates.ConflictRow{Label: "Next step", Theirs: now.NextStep, Mine: in.NextStep},
					templates.ConflictRow{Label: "Due", Theirs: now.NextStepDue, Mine: in.NextStepDue})}, err
		},
		Section: "accounts", Flash: "Saved the interaction.", Next: accountPath(ai.Account.ID) + "#interactions"})
}

func (s *Server) interactionStep(w http.ResponseWriter, r *http.Request) {
	ids, f, ok := formFor(s, w, r, func(r *http.Request) ([]uuid.UUID, error) { return urlIDs(r, "accountID", "interactionID") })
	if !ok {
		return
	}
	accountID, done := ids[0], f.Raw("done") != "false"
	err := s.accounts().CompleteNextStep(r.Context(), scope(r), currentMember(r).Role, accountID, ids[1], done)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Nothing to tick off", fe["next_step"])
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if done {
		s.flash(r.Context(), "success", "Next step done.")
	}
	back := accountPath(accountID) + "#interactions"
	if f.Raw("back") == "home" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) interactionDelete(w http.ResponseWriter, r *http.Request) {
	a, err := s.editableAccount(r)
	var id uuid.UUID
	if err == nil {
		id, err = urlID(r, "interactionID")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Deleting one that is gone already (a second click) succeeds.
	switch err := s.accounts().DeleteInteraction(r.Context(), scope(r), currentMember(r).Role, a.ID, id); {
	case err == nil:
		s.flash(r.Context(), "success", "Removed the interaction.")
	case errors.Is(err, db.ErrNotFound):
		s.flash(r.Context(), "info", "That interaction was removed already.")
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountPath(a.ID)+"#interactions", http.StatusSeeOther)
}
