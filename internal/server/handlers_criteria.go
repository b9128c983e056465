package server

import "net/http"
import "net/url"
import "strconv"
import "strings"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/limits"
import "pareto/internal/scoring"
import "pareto/templates"

// The admin's scoring set-up: selection criteria, their weights and the
// scoring settings.

func (s *Server) criteriaView(r *http.Request) (templates.CriteriaView, error) {
	cfg, err := s.scoringStore().Config(r.Context(), scope(r))
	if err != nil {
		return templates.CriteriaView{}, err
	}
	v := templates.CriteriaView{Config: cfg, IsAdmin: currentMember(r).Role == auth.RoleAdmin,
		Weights: templates.WeightsForm{Mode: cfg.Settings.WeightMode}}
	if v.Metrics, err = s.kpi.CriterionMetrics(r.Context(), scope(r)); err != nil {
		return templates.CriteriaView{}, err
	}
	if id, err := uuid.Parse(r.URL.Query().Get("edit")); err == nil {
		if c, ok := cfg.Criterion(id); ok {
			v.EditID = c.ID
			v.Edit = templates.CriterionForm{Version: c.Version, Input: scoring.CriterionInput{Name: c.Name, Description: c.Description,
				Rubric1: c.Rubric1, Rubric5: c.Rubric5, Rubric10: c.Rubric10}}
		}
	}
	return v, nil
}

// criteriaPage is the criteria page, changed by edit (a form shown again
// with its errors).
func (s *Server) criteriaPage(r *http.Request, edit func(*templates.CriteriaView, db.FieldErrors)) func(db.FieldErrors) (templ.Component, error) {
	return func(fe db.FieldErrors) (templ.Component, error) {
		v, err := s.criteriaView(r)
		if edit != nil {
			edit(&v, fe)
		}
		return templates.CriteriaPage(s.page(r, "Selection criteria", "scoring"), v), err
	}
}

func (s *Server) criteriaList(w http.ResponseWriter, r *http.Request) {
	page, err := s.criteriaPage(r, nil)(nil)
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) criterionEnable(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	var c scoring.Added
	err := f.Then(nil, func() (err error) {
		c, err = s.scoringStore().EnableStandard(r.Context(), scope(r), f.Trim("code"))
		return err
	})
	s.saved(w, r, err, coverageSaved(c.Coverage, saved{
		Invalid: s.criteriaPage(r, func(v *templates.CriteriaView, fe db.FieldErrors) { v.LibraryErr = fe["code"] }),
		Flash:   c.Name + " is active, as the least important criterion. Move it up if it matters more.", Next: "/scoring/criteria"}))
}

// coverageSaved says after a save that made a criterion active how many
// accounts it left incomplete (from the kept tallies, see
// scoring.Coverage), linking to the matrix filtered to the incomplete.
func coverageSaved(c scoring.Coverage, a saved) saved {
	if n := c.BecameIncomplete(); n > 0 {
		a.Flash += " " + plural(n, "account that was complete is", "accounts that were complete are") +
			" now incomplete until scored on it."
	}
	if c.Incomplete > 0 {
		a.Flash += " " + plural(c.Incomplete, "account has", "accounts have") + " an incomplete score in all."
		a.FlashLink = templates.Link{Href: "/scoring/matrix?coverage=incomplete", Label: "Score the incomplete accounts in the matrix"}
	}
	return a
}

func readCriterion(f *form) scoring.CriterionInput {
	return scoring.CriterionInput{Name: f.Text("name", limits.Label), Description: f.Para("description", limits.Sentence),
		Rubric1: f.Para("rubric_1", limits.Line), Rubric5: f.Para("rubric_5", limits.Line), Rubric10: f.Para("rubric_10", limits.Line)}
}

func (s *Server) criterionCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := readCriterion(f)
	var c scoring.Added
	err := f.Then(in.Validate, func() (err error) {
		c, err = s.scoringStore().CreateCustom(r.Context(), scope(r), in)
		return err
	})
	s.saved(w, r, err, coverageSaved(c.Coverage, saved{
		Invalid: s.criteriaPage(r, func(v *templates.CriteriaView, fe db.FieldErrors) {
			v.Custom = templates.CriterionForm{Input: in, Errors: fe}
		}),
		Flash: "Added " + c.Name + " as the least important active criterion.", Next: "/scoring/criteria"}))
}

func (s *Server) criterionUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := formFor(s, w, r, pathID("criterionID"))
	if !ok {
		return
	}
	version, _ := f.Version() // a form without one is stale
	in := readCriterion(f)
	var c scoring.Criterion
	err := f.Then(in.Validate, func() (err error) {
		c, err = s.scoringStore().UpdateCriterion(r.Context(), scope(r), id, in, version)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: s.criteriaPage(r, func(v *templates.CriteriaView, fe db.FieldErrors) {
			v.EditID, v.Edit = id, templates.CriterionForm{Input: in, Version: version, Errors: fe}
		}),
		Conflict: func() (templates.ConflictView, error) {
			cfg, err := s.scoringStore().Config(r.Context(), scope(r))
			cur, found := cfg.Criterion(id)
			if err == nil && !found {
				err = db.ErrNotFound
			}
			return templates.ConflictView{Heading: cur.Name + " was changed meanwhile",
				Intro:      "Someone saved this criterion after you opened it, so nothing was saved. Theirs beside yours:",
				TheirsHead: "Saved now", MineHead: "Yours",
				BackHref: "/scoring/criteria?edit=" + id.String() + "#edit-criterion", BackLabel: "Edit the saved version",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Name", Theirs: cur.Name, Mine: in.Name},
					templates.ConflictRow{Label: "Description", Theirs: cur.Description, Mine: in.Description},
					templates.ConflictRow{Label: "A 1 means", Theirs: cur.Rubric1, Mine: in.Rubric1},
					templates.ConflictRow{Label: "A 5 means", Theirs: cur.Rubric5, Mine: in.Rubric5},
					templates.ConflictRow{Label: "A 10 means", Theirs: cur.Rubric10, Mine: in.Rubric10},
				)}, err
		},
		Section: "scoring", Flash: "Saved " + c.Name + ".", Next: "/scoring/criteria"})
}

func (s *Server) criterionSetActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := urlID(r, "criterionID")
		var cov scoring.Coverage
		if err == nil {
			cov, err = s.scoringStore().SetActive(r.Context(), scope(r), id, active)
		}
		if !active {
			s.saved(w, r, err, saved{Flash: "Criterion deactivated; its scores are kept.", Next: "/scoring/criteria"})
			return
		}
		s.saved(w, r, err, coverageSaved(cov, saved{
			Flash: "Criterion re-activated as the least important; its earlier scores count again.", Next: "/scoring/criteria"}))
	}
}

func (s *Server) criterionMove(w http.ResponseWriter, r *http.Request) {
	id, f, ok := formFor(s, w, r, pathID("criterionID"))
	if !ok {
		return
	}
	by := 1
	if f.Raw("dir") == "up" {
		by = -1
	}
	err := s.scoringStore().MoveCriterion(r.Context(), scope(r), id, by)
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.errorPage(r, http.StatusUnprocessableEntity, "Cannot move", fe["position"]), nil
		},
		Next: "/scoring/criteria#criterion-" + id.String()})
}

// typedWeights collects the weight_<criterion id> fields of a form or query.
func typedWeights(vs url.Values) (map[uuid.UUID]string, map[string]string) {
	typed, raw := map[uuid.UUID]string{}, map[string]string{}
	for k, v := range vs {
		id, ok := strings.CutPrefix(k, "weight_")
		if !ok || len(v) == 0 {
			continue
		}
		if cid, err := uuid.Parse(id); err == nil {
			typed[cid], raw[k] = v[0], v[0]
		}
	}
	return typed, raw
}

// saveWeights saves explicit or rank weights from a form and answers: a
// field error re-shows the criteria page (422), a stale form the conflict
// page (409).
func (s *Server) saveWeights(w http.ResponseWriter, r *http.Request, f *form, mode scoring.WeightMode, success string) {
	typed, raw := typedWeights(f.values)
	cv, _ := strconv.Atoi(f.Raw("criteria_version"))
	err := s.scoringStore().SetWeights(r.Context(), scope(r), scoring.WeightsInput{Mode: mode, Percent: typed, CriteriaVersion: cv})
	s.saved(w, r, err, saved{
		Invalid: s.criteriaPage(r, func(v *templates.CriteriaView, fe db.FieldErrors) {
			v.Weights = templates.WeightsForm{Mode: mode, Values: raw, Errors: fe}
		}),
		Conflict: func() (templates.ConflictView, error) {
			cfg, err := s.scoringStore().Config(r.Context(), scope(r))
			return weightsConflict(cfg, raw), err
		},
		Section: "scoring", Flash: success, Next: "/scoring/criteria#weights"})
}

// weightsConflict lists the weights saved now beside the ones typed.
func weightsConflict(cur scoring.Config, yours map[string]string) templates.ConflictView {
	v := templates.ConflictView{Heading: "The criteria changed meanwhile",
		Intro: "Someone changed the criteria or weights after you opened the form, so nothing was saved. Mode now: " +
			cur.Settings.WeightMode.Label() + ". Here are theirs beside yours:",
		TheirsHead: "Weight now", MineHead: "Yours",
		BackHref: "/scoring/criteria#weights", BackLabel: "Open the current weights"}
	for _, w := range cur.Weights {
		mine, ok := yours["weight_"+w.CriterionID.String()]
		row := templates.ConflictRow{Label: w.Name, Theirs: w.Percent() + " %", Mine: "(not in your form)"}
		if ok {
			row.Mine = mine + " %"
		}
		row.Changed = mine != w.Percent()
		v.Rows = append(v.Rows, row)
	}
	return v
}

func (s *Server) weightsSave(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	s.saveWeights(w, r, f, scoring.WeightMode(f.Raw("mode")), "Weights saved; every ranking uses them now.")
}

// Settings ------------------------------------------------------------------

func settingsInput(st scoring.Settings) scoring.SettingsInput {
	in := scoring.SettingsInput{KeyAccountCap: strconv.Itoa(st.KeyAccountCap), ConcentrationPct: scoring.FormatBPS(st.ConcentrationBPS),
		TopN: strconv.Itoa(st.TopN), QuadrantScore: scoring.FormatScore10(st.QuadrantScore10), Version: st.Version}
	if st.QuadrantHeadroom != nil {
		in.QuadrantHeadroom = strconv.FormatFloat(float64(*st.QuadrantHeadroom)/100, 'f', -1, 64)
	}
	return in
}

// settingsPage is the scoring settings page: the saved settings, or in
// (with fe) after a refused save, or the saved ones beside yours after a
// stale one.
func (s *Server) settingsPage(r *http.Request, in *scoring.SettingsInput, fe db.FieldErrors, conflict string, yours *scoring.SettingsInput) (templ.Component, error) {
	store := s.scoringStore()
	cfg, err := store.Config(r.Context(), scope(r))
	if err != nil {
		return nil, err
	}
	n, err := store.KeyAccountCount(r.Context(), scope(r))
	v := templates.ScoringSettingsView{Settings: cfg.Settings, Input: settingsInput(cfg.Settings), Errors: fe, KeyCount: n, Conflict: conflict, Yours: yours}
	if in != nil {
		v.Input = *in
	}
	return templates.ScoringSettingsPage(s.page(r, "Scoring settings", "scoring"), v), err
}

func (s *Server) scoringSettings(w http.ResponseWriter, r *http.Request) {
	page, err := s.settingsPage(r, nil, nil, "", nil)
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) scoringSettingsSave(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := scoring.SettingsInput{KeyAccountCap: f.Trim("key_account_cap"), ConcentrationPct: f.Trim("concentration_pct"),
		TopN: f.Trim("top_n"), QuadrantScore: f.Trim("quadrant_score"), QuadrantHeadroom: f.Trim("quadrant_headroom")}
	in.Version, _ = f.Version() // a form without one is stale
	err := f.Then(nil, func() error {
		_, err := s.scoringStore().UpdateSettings(r.Context(), scope(r), in)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return s.settingsPage(r, &in, fe, "", nil) },
		Stale: func() (templ.Component, error) {
			return s.settingsPage(r, nil, nil, "Someone saved the settings after you opened them, so yours were not saved: "+
				"the form shows the saved values now, beside yours below. Apply your changes again.", &in)
		},
		Flash: "Scoring settings saved.", Next: "/scoring/settings"})
}

// criterionMetric links an active criterion to the metric its accounts'
// growth is followed on (or removes the link).
func (s *Server) criterionMetric(w http.ResponseWriter, r *http.Request) {
	id, f, version, ok := editFor(s, w, r, pathID("criterionID"))
	if !ok {
		return
	}
	var m kpi.Metric
	if f.Trim("metric") != "" {
		m = choiceOf[kpi.Metric](f, "metric")
	}
	err := f.Then(nil, func() error { return s.kpi.SetCriterionMetric(r.Context(), scope(r), id, m, version) })
	s.saved(w, r, err, saved{
		Invalid: s.criteriaPage(r, func(v *templates.CriteriaView, fe db.FieldErrors) {
			v.MetricFor, v.MetricErrors = id, fe
		}),
		Conflict: func() (templates.ConflictView, error) {
			cms, err := s.kpi.CriterionMetrics(r.Context(), scope(r))
			var cur kpi.CriterionMetric
			for _, c := range cms {
				if c.CriterionID == id {
					cur = c
				}
			}
			return templates.ConflictView{Heading: "The metric of " + cur.Name + " was changed meanwhile",
				BackHref: "/scoring/criteria#growth-metrics", BackLabel: "See the saved links",
				Rows: templates.TextConflictRows(templates.ConflictRow{Label: "Measured by", Theirs: cur.Metric.Label(), Mine: m.Label()})}, err
		},
		Section: "scoring", Flash: "Saved how growth is measured.", Next: "/scoring/criteria#growth-metrics"})
}

// criteriaNoticeDismiss clears the notice about rewritten library criteria.
func (s *Server) criteriaNoticeDismiss(w http.ResponseWriter, r *http.Request) {
	if f := s.readForm(w, r); f == nil {
		return
	}
	s.saved(w, r, s.scoringStore().DismissLibraryNotices(r.Context(), scope(r)), saved{Next: "/scoring/criteria"})
}
