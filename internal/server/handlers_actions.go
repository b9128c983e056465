package server

import "errors"
import "net/http"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/plan"
import "pareto/templates"

// A plan's actions: the "how". Who may change a plan may change its
// actions; an action's owner may also mark it done.

// readAction reads the action form into the domain's input and the form
// as typed.
func readAction(f *form, planID uuid.UUID) (plan.ActionInput, templates.ActionForm) {
	in := plan.ActionInput{Description: f.Text("description", limits.Line), DueDate: f.Date("due_date"),
		GoalID: f.OptID("goal_id", "goal", "Choose one of this plan's goals, or the plan itself.")}
	if id := f.OptID("owner_user_id", "owner", "Choose who owns the action."); id != nil {
		in.OwnerID = *id
	}
	return in, templates.ActionForm{PlanID: planID, GoalID: f.Raw("goal_id"), Description: f.Raw("description"),
		OwnerID: f.Raw("owner_user_id"), DueDate: f.Raw("due_date"), Errors: map[string]string{}}
}

// actionPart adds actions from the plan page.
var actionPart = planPart[plan.ActionInput, templates.ActionForm]{name: "action", read: readAction,
	checks: func(in plan.ActionInput) func() db.FieldErrors { return in.Validate }, create: plan.CreateAction,
	show: func(v *templates.PlanView, f templates.ActionForm) { v.ActionForm = f }}

func (s *Server) actionCreate(w http.ResponseWriter, r *http.Request) { addPart(s, w, r, actionPart) }

func actionFormOf(a plan.Action) templates.ActionForm {
	goal := ""
	if a.GoalID != nil {
		goal = a.GoalID.String()
	}
	return templates.ActionForm{PlanID: a.PlanID, ID: a.ID, Version: a.Version, GoalID: goal, Description: a.Description,
		OwnerID: a.OwnerID.String(), DueDate: a.DueDate.Format(time.DateOnly), Errors: map[string]string{}}
}

// editableAction reads the plan and action named in the path, checking
// the signed-in member may change the plan.
func (s *Server) editableAction(r *http.Request) (plan.Detail, plan.Action, error) {
	return childOf(r, s.editablePlan, "actionID", func(det plan.Detail, id uuid.UUID) (plan.Action, error) {
		return plan.ActionByID(r.Context(), s.db, scope(r), det.ID, id)
	})
}

// actionEditPage is the action's edit page showing form.
func (s *Server) actionEditPage(r *http.Request, det plan.Detail, form templates.ActionForm) (templ.Component, error) {
	members, err := s.activeMembers(r)
	return templates.ActionEditPage(s.page(r, "Edit action", "plans"),
		templates.ActionEditView{Plan: det, Members: members, Form: form}), err
}

func (s *Server) actionEdit(w http.ResponseWriter, r *http.Request) {
	det, act, err := s.editableAction(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.actionEditPage(r, det, actionFormOf(act))
	s.show(w, r, err, func() templ.Component { return page })
}

// actionUpdate saves, removes or ticks off (op=done) an action.
func (s *Server) actionUpdate(w http.ResponseWriter, r *http.Request) {
	det, f, version, ok := editFor(s, w, r, s.loadPlan)
	if !ok {
		return
	}
	actionID, err := urlID(r, "actionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch f.Raw("op") {
	case "done":
		s.actionSetDone(w, r, f, det, actionID, version)
	case "delete":
		s.removed(w, r, plan.DeleteAction(r.Context(), s.db, planActor(r), det.ID, actionID, version), "action", det)
	default:
		s.actionSave(w, r, f, version)
	}
}

func (s *Server) actionSave(w http.ResponseWriter, r *http.Request, f *form, version int) {
	det, act, err := s.editableAction(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, typed := readAction(f, det.ID)
	typed.ID, typed.Version = act.ID, version
	err = f.Then(in.Validate, func() error { return plan.UpdateAction(r.Context(), s.db, planActor(r), det.ID, act.ID, in, version) })
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			typed.Errors = fe
			return s.actionEditPage(r, det, typed)
		},
		Conflict: func() (templates.ConflictView, error) { return s.actionConflict(r, det, act.ID, in) },
		Section:  "plans", Flash: "Action saved.", Next: planURL(det.ID) + "#action-" + act.ID.String()})
}

// actionConflict lists the action as saved now beside in.
func (s *Server) actionConflict(r *http.Request, det plan.Detail, actionID uuid.UUID, in plan.ActionInput) (templates.ConflictView, error) {
	cur, err := plan.ActionByID(r.Context(), s.db, scope(r), det.ID, actionID)
	if err != nil {
		return templates.ConflictView{}, err
	}
	members, err := s.activeMembers(r)
	if err != nil {
		return templates.ConflictView{}, err
	}
	goalTitle := func(id *uuid.UUID) string {
		for _, g := range det.Goals {
			if id != nil && g.ID == *id {
				return g.Title
			}
		}
		return "The whole plan"
	}
	yourOwner := in.OwnerID.String()
	for _, m := range members {
		if m.UserID == in.OwnerID {
			yourOwner = m.Name
		}
	}
	return templates.ConflictView{Heading: "This action was changed by someone else",
		BackHref: planURL(det.ID) + "/actions/" + actionID.String() + "/edit", BackLabel: "Open the current version",
		Rows: templates.TextConflictRows(
			templates.ConflictRow{Label: "Action", Theirs: cur.Description, Mine: in.Description},
			templates.ConflictRow{Label: "Toward", Theirs: goalTitle(cur.GoalID), Mine: goalTitle(in.GoalID)},
			templates.ConflictRow{Label: "Owner", Theirs: cur.OwnerName, Mine: yourOwner},
			templates.ConflictRow{Label: "Due date", Theirs: cur.DueDate.Format(time.DateOnly), Mine: in.DueDate.Format(time.DateOnly)},
			templates.ConflictRow{Label: "Done", Theirs: yesNo(cur.Done()), Mine: "(unchanged)"},
		)}, nil
}

// actionSetDone marks an action done or open. With htmx it answers the
// action's list item; on an error it asks htmx to reload the page (which
// then shows the current state) and answers the error as usual.
func (s *Server) actionSetDone(w http.ResponseWriter, r *http.Request, f *form, det plan.Detail, actionID uuid.UUID, version int) {
	done := f.Check("done")
	act, err := plan.SetActionDone(r.Context(), s.db, planActor(r), det.ID, actionID, done, version)
	if err != nil {
		if isHTMX(r) {
			w.Header().Set("HX-Refresh", "true")
			if errors.Is(err, db.ErrConflict) {
				s.flash(r.Context(), "error", "Someone changed that action a moment ago; here is its current state.")
			}
		}
		var fe db.FieldErrors
		if errors.As(err, &fe) {
			s.renderError(w, r, http.StatusUnprocessableEntity, "Cannot change the action", fe["plan"])
			return
		}
		s.saved(w, r, err, saved{Section: "plans", Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.ActionByID(r.Context(), s.db, scope(r), det.ID, actionID)
			return templates.ConflictView{Heading: "This action was changed by someone else",
				BackHref: planURL(det.ID) + "#action-" + actionID.String(), BackLabel: "Back to the plan",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Action", Theirs: cur.Description, Mine: cur.Description},
					templates.ConflictRow{Label: "Done", Theirs: yesNo(cur.Done()), Mine: yesNo(done)},
				)}, err
		}})
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, templates.ActionItem(templates.ActionItemView{Action: act, Today: time.Now(),
			CanToggle: true, CanEdit: planActor(r).CanEdit(det.KAMUserID), Back: planURL(det.ID)}))
		return
	}
	msg := "Reopened: " + act.Description
	if done {
		msg = "Marked done: " + act.Description
	}
	back := localBack(f.Raw("back"), "")
	if back == "" {
		back = localBack(refererPath(r), planURL(det.ID)+"#action-"+actionID.String())
	}
	s.flash(r.Context(), "success", msg)
	http.Redirect(w, r, back, http.StatusSeeOther)
}
