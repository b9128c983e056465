package server

import "net/http"
import "strconv"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/plan"
import "pareto/templates"

// A plan's measurable goals: the "what".

// readGoal reads the goal form into the domain's input and the form as
// typed (for showing it again).
func readGoal(f *form, planID uuid.UUID) (plan.GoalInput, templates.GoalForm) {
	in := plan.GoalInput{Title: f.Text("title", limits.Name), KPI: plan.KPI(f.Raw("kpi")),
		CustomMeasure: f.Text("custom_measure", limits.Label),
		Baseline:      f.Decimal("baseline"), Target: f.Decimal("target"), ManualProgress: f.OptDecimal("manual_progress"),
		DueDate: f.Date("due_date")}
	return in, templates.GoalForm{PlanID: planID, Title: f.Raw("title"), KPI: f.Raw("kpi"), CustomMeasure: f.Raw("custom_measure"),
		Baseline: f.Raw("baseline"), Target: f.Raw("target"), Current: f.Raw("manual_progress"), DueDate: f.Raw("due_date"),
		Errors: map[string]string{}}
}

// goalChecks are the domain's checks that still make sense when some
// numbers or dates could not be read (none of them depends on the CSAT
// scale, which the store checks values against).
func goalChecks(in plan.GoalInput) func() db.FieldErrors {
	return func() db.FieldErrors { return pick(in.Validate(""), "title", "kpi", "custom_measure") }
}

// pick keeps the messages of the fields named keys.
func pick(fe db.FieldErrors, keys ...string) db.FieldErrors {
	out := db.FieldErrors{}
	for _, k := range keys {
		if msg, ok := fe[k]; ok {
			out[k] = msg
		}
	}
	return out
}

// goalPart adds goals from the plan page.
var goalPart = planPart[plan.GoalInput, templates.GoalForm]{name: "goal", read: readGoal, checks: goalChecks, create: plan.CreateGoal,
	show: func(v *templates.PlanView, f templates.GoalForm) { v.GoalForm = f }}

func (s *Server) goalCreate(w http.ResponseWriter, r *http.Request) { addPart(s, w, r, goalPart) }

func goalFormOf(g plan.Goal) templates.GoalForm {
	cur := ""
	if g.ManualProgress != nil {
		cur = strconv.FormatFloat(*g.ManualProgress, 'f', -1, 64)
	}
	return templates.GoalForm{PlanID: g.PlanID, ID: g.ID, Version: g.Version, Title: g.Title, KPI: string(g.KPI),
		CustomMeasure: g.CustomMeasure, Baseline: strconv.FormatFloat(g.Baseline, 'f', -1, 64),
		Target: strconv.FormatFloat(g.Target, 'f', -1, 64), Current: cur, DueDate: g.DueDate.Format(time.DateOnly),
		Errors: map[string]string{}}
}

// planGoal is a goal with its plan.
type planGoal struct {
	plan.Detail
	Goal plan.Goal
}

// editableGoal reads the plan and goal named in the path, checking the
// signed-in member may change the plan.
func (s *Server) editableGoal(r *http.Request) (planGoal, error) {
	det, g, err := childOf(r, s.editablePlan, "goalID", func(det plan.Detail, id uuid.UUID) (plan.Goal, error) {
		return plan.GoalByID(r.Context(), s.db, scope(r), det.ID, id, time.Now())
	})
	return planGoal{det, g}, err
}

// goalPath is the address of goal goalID of planID.
func goalPath(planID, goalID uuid.UUID) string {
	return planURL(planID) + "/goals/" + goalID.String()
}

// overrideFormOf is the override form showing g as saved.
func overrideFormOf(g plan.Goal) templates.GoalOverrideForm {
	return templates.GoalOverrideForm{Goal: g, Action: goalPath(g.PlanID, g.ID) + "/status", Version: g.Version,
		Override: string(g.Override), Reason: g.OverrideReason, Errors: map[string]string{}}
}

func (s *Server) goalEdit(w http.ResponseWriter, r *http.Request) {
	pg, err := s.editableGoal(r)
	s.show(w, r, err, func() templ.Component {
		return templates.GoalEditPage(s.page(r, "Edit goal", "plans"),
			templates.GoalEditView{Plan: pg.Plan, Form: goalFormOf(pg.Goal), Override: overrideFormOf(pg.Goal)})
	})
}

// goalOverride sets or clears a KAM's override of a goal's derived
// status, with the reason.
func (s *Server) goalOverride(w http.ResponseWriter, r *http.Request) {
	pg, f, version, ok := editFor(s, w, r, s.editableGoal)
	if !ok {
		return
	}
	det, g := pg.Detail, pg.Goal
	in := plan.OverrideInput{Reason: f.Para("override_reason", limits.Paragraph)}
	if raw := f.Trim("override"); raw != "" {
		in.Status = choiceOf[plan.GoalStatus](f, "override")
	}
	err := f.Then(in.Validate, func() error {
		return plan.OverrideGoalStatus(r.Context(), s.db, planActor(r), det.ID, g.ID, in, version, time.Now())
	})
	typed := overrideFormOf(g)
	typed.Version, typed.Override, typed.Reason = version, f.Raw("override"), f.Raw("override_reason")
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			typed.Errors = fe
			return templates.GoalEditPage(s.page(r, "Edit goal", "plans"),
				templates.GoalEditView{Plan: det.Plan, Form: goalFormOf(g), Override: typed}), nil
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.GoalByID(r.Context(), s.db, scope(r), det.ID, g.ID, time.Now())
			return templates.ConflictView{Heading: "This goal was changed by someone else",
				BackHref: goalPath(det.ID, g.ID) + "/edit", BackLabel: "Open the current version",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Status override", Theirs: cur.Override.Label(), Mine: in.Status.Label()},
					templates.ConflictRow{Label: "Reason", Theirs: cur.OverrideReason, Mine: in.Reason},
				)}, err
		},
		Section: "plans", Flash: "Goal status saved.", Next: planURL(det.ID) + "#goal-" + g.ID.String()})
}

func (s *Server) goalUpdate(w http.ResponseWriter, r *http.Request) {
	pg, f, version, ok := editFor(s, w, r, s.editableGoal)
	if !ok {
		return
	}
	det, g := pg.Detail, pg.Goal
	if f.Raw("op") == "delete" {
		s.goalDelete(w, r, det, g.ID, version)
		return
	}
	in, typed := readGoal(f, det.ID)
	typed.ID, typed.Version = g.ID, version
	err := f.Then(goalChecks(in), func() error { return plan.UpdateGoal(r.Context(), s.db, planActor(r), det.ID, g.ID, in, version) })
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			typed.Errors = fe
			return templates.GoalEditPage(s.page(r, "Edit goal", "plans"),
				templates.GoalEditView{Plan: det.Plan, Form: typed, Override: overrideFormOf(g)}), nil
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.GoalByID(r.Context(), s.db, scope(r), det.ID, g.ID, time.Now())
			theirs := goalFormOf(cur)
			return templates.ConflictView{Heading: "This goal was changed by someone else",
				BackHref: planURL(det.ID) + "/goals/" + g.ID.String() + "/edit", BackLabel: "Open the current version",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Goal", Theirs: theirs.Title, Mine: in.Title},
					templates.ConflictRow{Label: "KPI", Theirs: plan.KPI(theirs.KPI).Label(), Mine: in.KPI.Label()},
					templates.ConflictRow{Label: "Custom measure", Theirs: theirs.CustomMeasure, Mine: in.CustomMeasure},
					templates.ConflictRow{Label: "Baseline", Theirs: theirs.Baseline, Mine: f.Trim("baseline")},
					templates.ConflictRow{Label: "Target", Theirs: theirs.Target, Mine: f.Trim("target")},
					templates.ConflictRow{Label: "Current value", Theirs: theirs.Current, Mine: f.Trim("manual_progress")},
					templates.ConflictRow{Label: "Due date", Theirs: theirs.DueDate, Mine: f.Trim("due_date")},
				)}, err
		},
		Section: "plans", Flash: "Goal saved.", Next: planURL(det.ID) + "#goal-" + g.ID.String()})
}

func (s *Server) goalDelete(w http.ResponseWriter, r *http.Request, det plan.Detail, goalID uuid.UUID, version int) {
	s.removed(w, r, plan.DeleteGoal(r.Context(), s.db, planActor(r), det.ID, goalID, version), "goal", det)
}
