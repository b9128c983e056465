package server

import "context"
import "errors"
import "net/http"
import "net/url"
import "strconv"
import "strings"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/limits"
import "pareto/internal/scoring"
import "pareto/templates"

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
	switch so := q.Get("sort"); {
	case so == "name", so == "revenue", so == "potential", so == "headroom", scoring.ValidMatrixSort(so):
		f.Sort = so
	}
	f.Cursor = keyset.Parse(q.Get("after"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	return f
}

func (s *Server) scoringIndex(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/scoring/matrix", http.StatusSeeOther)
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
	mem := currentMember(r)
	return templates.MatrixView{Matrix: m, Filter: templates.ScoringFilter{Filter: f, Base: "/scoring/matrix"}, Options: opts,
		Role: mem.Role, UserID: mem.UserID}, nil
}

func (s *Server) scoringMatrix(w http.ResponseWriter, r *http.Request) {
	v, err := s.matrixView(r, scoringFilter(r.URL.Query()))
	s.show(w, r, err, func() templ.Component {
		return templates.MatrixPage(s.listPage(r, "Scoring matrix", "scoring", "matrix"), v)
	})
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
	id, f, ok := formFor(s, w, r, pathID("accountID"))
	if !ok {
		return
	}
	n, err := s.scoringStore().SaveScores(r.Context(), scope(r), currentMember(r).Role, id, cellInputs(f.values))
	back := scoringBack(f.Raw("back"), "/scoring/accounts/"+id.String())
	var fe db.FieldErrors
	var conflict *scoring.ScoreConflict
	if isHTMX(r) && (err == nil || errors.As(err, &fe) || errors.As(err, &conflict)) {
		s.matrixSaveAnswer(w, r, id, n, back, fe, conflict)
		return
	}
	if err == nil && n == 0 {
		s.flash(r.Context(), "info", "No score changed.")
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return s.scoresInvalid(r, id, back, f, fe) },
		Stale: func() (templ.Component, error) {
			if !errors.As(err, &conflict) {
				return nil, err
			}
			b, err := s.scoringStore().Breakdown(r.Context(), scope(r), id)
			return templates.ScoreConflictPage(s.page(r, "Changed by someone else", "scoring"),
				templates.ScoreConflictView{AccountID: id.String(), AccountName: b.Account.Name, Back: back, Conflict: conflict}), err
		},
		Flash: savedScores(n), Next: back})
}

// savedScores is the flash after a save of n scores ("" for none: the
// handler says so itself, as information).
func savedScores(n int) string {
	if n == 0 {
		return ""
	}
	return "Saved " + plural(n, "score", "scores") + "."
}

// scoresInvalid is the page a refused save of scores comes back to: the
// matrix (when sent from its row form) or the account's score page, with
// the messages beside the cells and the values as typed.
func (s *Server) scoresInvalid(r *http.Request, id uuid.UUID, back string, f *form, fe db.FieldErrors) (templ.Component, error) {
	values := formValues(f.values, "score_", "evidence_", "was_")
	if strings.HasPrefix(back, "/scoring/matrix") {
		u, _ := url.Parse(back)
		v, err := s.matrixView(r, scoringFilter(u.Query()))
		v.RowErrors = map[uuid.UUID]map[string]string{id: fe}
		v.RowValues = map[uuid.UUID]map[string]string{id: values}
		return templates.MatrixPage(s.listPage(r, "Scoring matrix", "scoring", "matrix"), v), err
	}
	v, err := s.accountScoreSection(r, id)
	v.Back, v.Errors, v.Values = back, fe, values
	return templates.AccountScorePage(s.page(r, v.Breakdown.Account.Name, "scoring"), v), err
}

// matrixSaveAnswer answers an htmx save from a matrix cell: the account's
// score cell (with the save's outcome or messages) and, out of band, its
// row form with the values now seen.
func (s *Server) matrixSaveAnswer(w http.ResponseWriter, r *http.Request, id uuid.UUID, saved int, back string,
	fe db.FieldErrors, conflict *scoring.ScoreConflict) {
	status := http.StatusOK
	switch {
	case conflict != nil:
		status = http.StatusConflict
	case fe != nil:
		status = http.StatusUnprocessableEntity
	}
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
	// Redraw the refused cells: the saved value back, the error on the
	// cell. Other cells are left alone (the person may be typing in the
	// next one); scoring.js clears an earlier error from a cell that saved.
	typed := formValues(r.PostForm, "score_")
	var redraw []templates.MatrixCell
	for _, c := range b.Config.Active() {
		if _, refused := fe[scoring.ScoreField(c.ID)]; !refused {
			continue
		}
		saved := ""
		if v, ok := cells[c.ID]; ok {
			saved = strconv.Itoa(v)
		}
		redraw = append(redraw, templates.NewMatrixCell(id, b.Account.Name, c, saved, typed, fe))
	}
	s.render(w, r, status, templates.MatrixSaveResponse(st, templates.NewRowForm(id, b.Account.Name, back, b.Config.Weights, cells, seen), redraw))
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
	v := templates.AccountScoreView{Breakdown: b, Back: r.URL.Path,
		CanEdit:      scoring.CanScore(m.Role, m.UserID, b.Account.KAMUserID) && !b.Account.Archived,
		CanDesignate: m.Role.Leads()}
	if v.CanDesignate {
		if v.Proposal, err = s.scoringStore().OpenProposal(r.Context(), scope(r), accountID); err != nil {
			return v, err
		}
	}
	for _, c := range b.Cells {
		if templates.IsCredibility(c.Criterion) {
			v.Credibility, err = s.credibilityEvidence(r, accountID)
			break
		}
	}
	return v, err
}

func (s *Server) accountScoreShow(w http.ResponseWriter, r *http.Request) {
	v, err := pathLoad(r, "accountID", s.accountScoreSection)
	s.show(w, r, err, func() templ.Component {
		return templates.AccountScorePage(s.page(r, v.Breakdown.Account.Name, "scoring"), v)
	})
}

// keyStatusUpdate de-designates a key account (it becomes a former key
// account) with a reason.
func (s *Server) keyStatusUpdate(w http.ResponseWriter, r *http.Request) {
	s.keyReasonPost(w, r, "/scoring/accounts/", s.scoringStore().Dedesignate, "The account is no longer a key account.",
		func(v *templates.AccountScoreView, fe db.FieldErrors, reason string) {
			v.KeyErrors, v.KeyReason = fe, reason
		})
}

// keyReasonPost serves a form about the path account's key status that
// gives a reason (de-designate, propose): change makes the change, back
// goes to the form's page or else to def and the account's id, refused
// puts a refused form on the account's score page.
func (s *Server) keyReasonPost(w http.ResponseWriter, r *http.Request, def string,
	change func(context.Context, db.Scope, uuid.UUID, string) error, flash string,
	refused func(v *templates.AccountScoreView, fe db.FieldErrors, reason string)) {
	id, f, ok := formFor(s, w, r, pathID("accountID"))
	if !ok {
		return
	}
	reason := f.Para("reason", limits.Paragraph)
	back := scoringBack(f.Raw("back"), def+id.String())
	err := f.Then(nil, func() error { return change(r.Context(), scope(r), id, reason) })
	s.saved(w, r, err, saved{
		Invalid: s.keyStatusInvalid(r, id, func(v *templates.AccountScoreView, fe db.FieldErrors) {
			v.Back = back
			refused(v, fe, reason)
		}),
		Flash: flash, Next: back})
}

// keyStatusInvalid shows the account's score page with a refused key
// status form, as edit sets it.
func (s *Server) keyStatusInvalid(r *http.Request, id uuid.UUID,
	edit func(*templates.AccountScoreView, db.FieldErrors)) func(db.FieldErrors) (templ.Component, error) {
	return func(fe db.FieldErrors) (templ.Component, error) {
		v, err := s.accountScoreSection(r, id)
		edit(&v, fe)
		return templates.AccountScorePage(s.page(r, v.Breakdown.Account.Name, "scoring"), v), err
	}
}

// keyProposalCreate proposes the account as a key candidate for the next
// review, with an optional reason.
func (s *Server) keyProposalCreate(w http.ResponseWriter, r *http.Request) {
	s.keyReasonPost(w, r, "/accounts/", s.scoringStore().Propose, "Proposed as a key candidate: the next review lists it.",
		func(v *templates.AccountScoreView, fe db.FieldErrors, reason string) {
			v.ProposalErrors, v.ProposalReason = fe, reason
		})
}

// keyProposalWithdraw withdraws the account's proposal before a review
// takes it up.
func (s *Server) keyProposalWithdraw(w http.ResponseWriter, r *http.Request) {
	id, f, ok := formFor(s, w, r, pathID("accountID"))
	if !ok {
		return
	}
	back := scoringBack(f.Raw("back"), "/accounts/"+id.String())
	err := s.scoringStore().WithdrawProposal(r.Context(), scope(r), id)
	s.saved(w, r, err, saved{
		Invalid: s.keyStatusInvalid(r, id, func(v *templates.AccountScoreView, fe db.FieldErrors) {
			v.Back, v.ProposalErrors = back, fe
		}),
		Flash: "Proposal withdrawn.", Next: back})
}
