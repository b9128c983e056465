package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"pareto/internal/auth"
	"pareto/internal/db"
	"pareto/internal/scoring"
	"pareto/templates"
)

func (s *Server) scoringStore() *scoring.Store { return scoring.NewStore(s.db) }

// scoringFilter reads the matrix and shortlist filter from a query.
func scoringFilter(q url.Values) scoring.Filter {
	f := scoring.Filter{Query: q.Get("q"), Industry: q.Get("industry"), Region: q.Get("region"), Segment: q.Get("segment"),
		KAM: q.Get("kam"), Desc: q.Get("desc") == "1"}
	for _, k := range scoring.KeyStatuses {
		if q.Get("key_status") == k {
			f.KeyStatus = k
		}
	}
	switch c := q.Get("coverage"); c {
	case "complete", "incomplete", "unscored":
		f.Coverage = c
	}
	switch so := q.Get("sort"); so {
	case "name", "revenue", "potential", "headroom", "score":
		f.Sort = so
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	return f
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

func (s *Server) scoringIndex(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/scoring/matrix", http.StatusSeeOther)
}

// Criteria ------------------------------------------------------------------

func (s *Server) criteriaView(r *http.Request) (templates.CriteriaView, error) {
	cfg, err := s.scoringStore().Config(r.Context(), scope(r))
	if err != nil {
		return templates.CriteriaView{}, err
	}
	v := templates.CriteriaView{Config: cfg, IsAdmin: currentMember(r).Role == auth.RoleAdmin,
		Weights: templates.WeightsForm{Mode: cfg.Settings.WeightMode}}
	if id, err := uuid.Parse(r.URL.Query().Get("edit")); err == nil {
		if c, ok := cfg.Criterion(id); ok {
			v.EditID = c.ID
			v.Edit = templates.CriterionForm{Version: c.Version, Input: scoring.CriterionInput{Name: c.Name, Description: c.Description,
				Rubric1: c.Rubric1, Rubric5: c.Rubric5, Rubric10: c.Rubric10}}
		}
	}
	return v, nil
}

func (s *Server) renderCriteria(w http.ResponseWriter, r *http.Request, status int, v templates.CriteriaView) {
	s.render(w, r, status, templates.CriteriaPage(s.page(r, "Selection criteria", "scoring"), v))
}

func (s *Server) criteriaList(w http.ResponseWriter, r *http.Request) {
	v, err := s.criteriaView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderCriteria(w, r, http.StatusOK, v)
}

func (s *Server) criterionEnable(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	c, err := s.scoringStore().EnableStandard(r.Context(), scope(r), r.PostForm.Get("code"))
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		v, verr := s.criteriaView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.LibraryErr = fe["code"]
		s.renderCriteria(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", c.Name+" is active, as the least important criterion. Move it up if it matters more.")
	http.Redirect(w, r, "/scoring/criteria", http.StatusSeeOther)
}

func criterionInput(f url.Values) scoring.CriterionInput {
	return scoring.CriterionInput{Name: f.Get("name"), Description: f.Get("description"),
		Rubric1: f.Get("rubric_1"), Rubric5: f.Get("rubric_5"), Rubric10: f.Get("rubric_10")}
}

func (s *Server) criterionCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	in := criterionInput(r.PostForm)
	c, err := s.scoringStore().CreateCustom(r.Context(), scope(r), in)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		v, verr := s.criteriaView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.Custom = templates.CriterionForm{Input: in, Errors: fe}
		s.renderCriteria(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Added "+c.Name+" as the least important active criterion.")
	http.Redirect(w, r, "/scoring/criteria", http.StatusSeeOther)
}

func (s *Server) criterionUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "criterionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	in := criterionInput(r.PostForm)
	store := s.scoringStore()
	c, err := store.UpdateCriterion(r.Context(), scope(r), id, in, version)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		v, verr := s.criteriaView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.EditID, v.Edit = id, templates.CriterionForm{Input: in, Version: version, Errors: fe}
		s.renderCriteria(w, r, http.StatusUnprocessableEntity, v)
	case errors.Is(err, db.ErrConflict):
		cfg, cerr := store.Config(r.Context(), scope(r))
		cur, found := cfg.Criterion(id)
		if cerr != nil || !found {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusConflict, templates.CriterionConflictPage(s.page(r, "Changed by someone else", "scoring"),
			templates.CriterionConflictView{Current: cur, Yours: in}))
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Saved "+c.Name+".")
		http.Redirect(w, r, "/scoring/criteria", http.StatusSeeOther)
	}
}

func (s *Server) criterionSetActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := urlID(r, "criterionID")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.scoringStore().SetActive(r.Context(), scope(r), id, active); err != nil {
			s.fail(w, r, err)
			return
		}
		msg := "Criterion deactivated; its scores are kept."
		if active {
			msg = "Criterion re-activated as the least important; its earlier scores count again."
		}
		s.flash(r.Context(), "success", msg)
		http.Redirect(w, r, "/scoring/criteria", http.StatusSeeOther)
	}
}

func (s *Server) criterionMove(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "criterionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	by := 1
	if r.PostForm.Get("dir") == "up" {
		by = -1
	}
	err = s.scoringStore().MoveCriterion(r.Context(), scope(r), id, by)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Cannot move", fe["position"])
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/scoring/criteria#criterion-"+id.String(), http.StatusSeeOther)
}

// saveWeights saves explicit or rank weights from a form and answers: a
// field error re-shows the criteria page (422), a stale form the conflict
// page (409).
func (s *Server) saveWeights(w http.ResponseWriter, r *http.Request, mode scoring.WeightMode, success string) {
	typed, raw := typedWeights(r.PostForm)
	cv, _ := strconv.Atoi(r.PostForm.Get("criteria_version"))
	store := s.scoringStore()
	err := store.SetWeights(r.Context(), scope(r), scoring.WeightsInput{Mode: mode, Percent: typed, CriteriaVersion: cv})
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		v, verr := s.criteriaView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.Weights = templates.WeightsForm{Mode: mode, Values: raw, Errors: fe}
		s.renderCriteria(w, r, http.StatusUnprocessableEntity, v)
	case errors.Is(err, db.ErrConflict):
		cfg, cerr := store.Config(r.Context(), scope(r))
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		s.render(w, r, http.StatusConflict, templates.WeightsConflictPage(s.page(r, "Changed by someone else", "scoring"),
			templates.WeightsConflictView{Current: cfg, Yours: raw}))
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", success)
		http.Redirect(w, r, "/scoring/criteria#weights", http.StatusSeeOther)
	}
}

func (s *Server) weightsSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	s.saveWeights(w, r, scoring.WeightMode(r.PostForm.Get("mode")), "Weights saved; every ranking uses them now.")
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

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, in *scoring.SettingsInput, fe db.FieldErrors,
	conflict string, yours *scoring.SettingsInput) {
	store := s.scoringStore()
	cfg, err := store.Config(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := store.KeyAccountCount(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.ScoringSettingsView{Settings: cfg.Settings, Input: settingsInput(cfg.Settings), Errors: fe, KeyCount: n, Conflict: conflict, Yours: yours}
	if in != nil {
		v.Input = *in
	}
	s.render(w, r, status, templates.ScoringSettingsPage(s.page(r, "Scoring settings", "scoring"), v))
}

func (s *Server) scoringSettings(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, nil, nil, "", nil)
}

func (s *Server) scoringSettingsSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	f := r.PostForm
	in := scoring.SettingsInput{KeyAccountCap: f.Get("key_account_cap"), ConcentrationPct: f.Get("concentration_pct"),
		TopN: f.Get("top_n"), QuadrantScore: f.Get("quadrant_score"), QuadrantHeadroom: f.Get("quadrant_headroom")}
	in.Version, _ = strconv.Atoi(f.Get("version"))
	_, err := s.scoringStore().UpdateSettings(r.Context(), scope(r), in)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.renderSettings(w, r, http.StatusUnprocessableEntity, &in, fe, "", nil)
	case errors.Is(err, db.ErrConflict):
		s.renderSettings(w, r, http.StatusConflict, nil, nil, "Someone saved the settings after you opened them, so yours were not saved: "+
			"the form shows the saved values now, beside yours below. Apply your changes again.", &in)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.flash(r.Context(), "success", "Scoring settings saved.")
		http.Redirect(w, r, "/scoring/settings", http.StatusSeeOther)
	}
}

// Matrix --------------------------------------------------------------------

func (s *Server) matrixView(r *http.Request, f scoring.Filter) (templates.MatrixView, error) {
	store := s.scoringStore()
	m, err := store.Matrix(r.Context(), scope(r), f)
	if err != nil {
		return templates.MatrixView{}, err
	}
	opts, err := store.FilterOptions(r.Context(), scope(r))
	if err != nil {
		return templates.MatrixView{}, err
	}
	f.Page = m.Page
	mem := currentMember(r)
	return templates.MatrixView{Matrix: m, Filter: templates.ScoringFilter{Filter: f, Base: "/scoring/matrix"}, Options: opts,
		Role: mem.Role, UserID: mem.UserID}, nil
}

func (s *Server) scoringMatrix(w http.ResponseWriter, r *http.Request) {
	v, err := s.matrixView(r, scoringFilter(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.MatrixPage(s.page(r, "Scoring matrix", "scoring"), v))
}

// cellInputs collects the score_<id> and evidence_<id> fields of a form.
func cellInputs(f url.Values) []scoring.CellInput {
	byID := map[uuid.UUID]*scoring.CellInput{}
	var order []uuid.UUID
	get := func(id uuid.UUID) *scoring.CellInput {
		if c, ok := byID[id]; ok {
			return c
		}
		byID[id] = &scoring.CellInput{CriterionID: id}
		order = append(order, id)
		return byID[id]
	}
	for k, v := range f {
		if len(v) == 0 {
			continue
		}
		if rest, ok := strings.CutPrefix(k, "was_evidence_"); ok {
			if id, err := uuid.Parse(rest); err == nil {
				c := get(id)
				c.WasEvidence, c.HasWasEvidence = v[0], true
			}
		} else if rest, ok := strings.CutPrefix(k, "was_"); ok {
			if id, err := uuid.Parse(rest); err == nil {
				c := get(id)
				c.Was, c.HasWas = v[0], true
			}
		} else if rest, ok := strings.CutPrefix(k, "score_"); ok {
			if id, err := uuid.Parse(rest); err == nil {
				get(id).Score = v[0]
			}
		} else if rest, ok := strings.CutPrefix(k, "evidence_"); ok {
			if id, err := uuid.Parse(rest); err == nil {
				c := get(id)
				c.Evidence, c.HasEvidence = v[0], true
			}
		}
	}
	out := make([]scoring.CellInput, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

// accountScoresSave saves an account's cells: from a matrix cell (htmx:
// the score cell is answered), the matrix row form or the account page.
// A bad value → 422 and nothing saved.
func (s *Server) accountScoresSave(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	store := s.scoringStore()
	m := currentMember(r)
	n, err := store.SaveScores(r.Context(), scope(r), m.Role, id, cellInputs(r.PostForm))
	var fe db.FieldErrors
	var conflict *scoring.ScoreConflict
	if err != nil && !errors.As(err, &fe) && !errors.As(err, &conflict) {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	switch {
	case conflict != nil:
		status = http.StatusConflict
	case fe != nil:
		status = http.StatusUnprocessableEntity
	}
	back := scoringBack(r.PostForm.Get("back"), "/scoring/accounts/"+id.String())
	if isHTMX(r) {
		s.matrixSaveAnswer(w, r, id, status, n, back, fe, conflict)
		return
	}
	if conflict != nil {
		b, err := store.Breakdown(r.Context(), scope(r), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, templates.ScoreConflictPage(s.page(r, "Changed by someone else", "scoring"),
			templates.ScoreConflictView{AccountID: id.String(), AccountName: b.Account.Name, Back: back, Conflict: conflict}))
		return
	}
	if fe != nil {
		values := formValues(r.PostForm, "score_", "evidence_", "was_")
		if strings.HasPrefix(back, "/scoring/matrix") {
			u, _ := url.Parse(back)
			v, err := s.matrixView(r, scoringFilter(u.Query()))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			v.RowErrors = map[uuid.UUID]map[string]string{id: fe}
			v.RowValues = map[uuid.UUID]map[string]string{id: values}
			s.render(w, r, status, templates.MatrixPage(s.page(r, "Scoring matrix", "scoring"), v))
			return
		}
		v, err := s.accountScoreSection(r, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Back, v.Errors, v.Values = back, fe, values
		s.render(w, r, status, templates.AccountScorePage(s.page(r, v.Breakdown.Account.Name, "scoring"), v))
		return
	}
	switch n {
	case 0:
		s.flash(r.Context(), "info", "No score changed.")
	case 1:
		s.flash(r.Context(), "success", "Saved 1 score.")
	default:
		s.flash(r.Context(), "success", "Saved "+strconv.Itoa(n)+" scores.")
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// matrixSaveAnswer answers an htmx save from a matrix cell: the account's
// score cell (with the save's outcome or messages) and, out of band, its
// row form with the values now seen.
func (s *Server) matrixSaveAnswer(w http.ResponseWriter, r *http.Request, id uuid.UUID, status, saved int, back string,
	fe db.FieldErrors, conflict *scoring.ScoreConflict) {
	b, err := s.scoringStore().Breakdown(r.Context(), scope(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[uuid.UUID]string{}
	for _, c := range b.Config.Criteria {
		names[c.ID] = c.Name
	}
	st := templates.ScoreStatus{AccountID: id, Score: b.Score, Errors: fe, Saved: saved, AfterSave: conflict == nil, Criteria: names}
	cells := map[uuid.UUID]int{}
	for _, c := range b.Cells {
		if c.Contribution.Has {
			cells[c.Criterion.ID] = c.Contribution.Score
		}
	}
	// After a refusal the row keeps what the person saw; after a save it
	// has seen the saved values.
	var seen map[string]string
	if status != http.StatusOK {
		seen = formValues(r.PostForm, "was_")
	}
	if conflict != nil {
		for _, c := range conflict.Cells {
			now := "empty"
			if c.HadTheirs {
				now = strconv.Itoa(c.Theirs.Score)
			}
			st.Conflicts = append(st.Conflicts, c.Criterion.Name+": "+c.By+" changed it meanwhile (now "+now+"); reload the page to see it.")
		}
	}
	s.render(w, r, status, templates.MatrixSaveResponse(st, templates.NewRowForm(id, b.Account.Name, back, b.Config.Weights, cells, seen)))
}

// formValues keeps the form fields whose names start with one of prefixes.
func formValues(f url.Values, prefixes ...string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		for _, p := range prefixes {
			if len(v) > 0 && strings.HasPrefix(k, p) {
				out[k] = v[0]
			}
		}
	}
	return out
}

// Account score section -----------------------------------------------------

// accountScoreSection loads the scoring section of an account page: its
// score, the contribution of each criterion, the scoring form (for those
// who may score it) and the history. Its forms come back to r's page.
func (s *Server) accountScoreSection(r *http.Request, accountID uuid.UUID) (templates.AccountScoreView, error) {
	b, err := s.scoringStore().Breakdown(r.Context(), scope(r), accountID)
	if err != nil {
		return templates.AccountScoreView{}, err
	}
	m := currentMember(r)
	return templates.AccountScoreView{Breakdown: b, Back: r.URL.Path,
		CanEdit:      scoring.CanScore(m.Role, m.UserID, b.Account.KAMUserID) && !b.Account.Archived,
		CanDesignate: m.Role == auth.RoleAdmin || m.Role == auth.RoleLeader}, nil
}

func (s *Server) accountScoreShow(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.accountScoreSection(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.AccountScorePage(s.page(r, v.Breakdown.Account.Name, "scoring"), v))
}

// keyStatusUpdate de-designates a key account (it becomes a former key
// account) with a reason.
func (s *Server) keyStatusUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	reason := r.PostForm.Get("reason")
	back := scoringBack(r.PostForm.Get("back"), "/scoring/accounts/"+id.String())
	err = s.scoringStore().Dedesignate(r.Context(), scope(r), id, reason)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		v, verr := s.accountScoreSection(r, id)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.Back, v.KeyErrors, v.KeyReason = back, fe, reason
		s.render(w, r, http.StatusUnprocessableEntity, templates.AccountScorePage(s.page(r, v.Breakdown.Account.Name, "scoring"), v))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "The account is no longer a key account.")
	http.Redirect(w, r, back, http.StatusSeeOther)
}
