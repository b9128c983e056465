package server

import "encoding/csv"
import "errors"
import "net/http"
import "net/url"
import "strconv"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/csvcell"
import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/limits"
import "pareto/internal/scoring"
import "pareto/templates"

// shortlist ranks every scored account, with revenue concentration, the
// portfolio chart of the whole filtered portfolio and the what-if panel.
func (s *Server) shortlist(w http.ResponseWriter, r *http.Request) {
	ctx, sc := r.Context(), scope(r)
	store := s.scoringStore()
	f := scoringFilter(r.URL.Query())
	// The 2×2 goes with the page's reads (one round trip), the last of
	// the request: its COMMIT goes with them.
	matrix := s.healthStore().MatrixLater(ctx, sc, matrixFilter(r, false))
	db.LastReads(ctx)
	pg, err := store.ShortlistPage(ctx, sc, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.freshenRevenue(sc, pg.Concentration.Stale)
	v := templates.NewShortlistView(pg, f, currentMember(r).Role == auth.RoleAdmin)
	mxm, err := matrix(ctx)
	mx, err := matrixView(ctx, mxm, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mx.Compact, v.Health = true, &mx
	s.render(w, r, http.StatusOK, templates.ShortlistPage(s.listPage(r, "Shortlist", "shortlist", "shortlist"), v))
}

// shortlistChart is the shortlist's portfolio chart for the filter in the
// query: a fragment for htmx (the shortlist page loads it), else a page.
// It answers 304 when the browser's copy is still the one it would send.
func (s *Server) shortlistChart(w http.ResponseWriter, r *http.Request) {
	f := scoringFilter(r.URL.Query())
	ch, err := s.scoringStore().ShortlistChart(r.Context(), scope(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := templates.NewPortfolioChart(r.Context(), ch.Rows, ch.Capped, ch.Config.Settings)
	if isHTMX(r) {
		s.renderCached(w, r, templates.PortfolioChartPart(c))
		return
	}
	back := templates.ShortlistView{Filter: templates.ScoringFilter{Filter: f, Base: "/shortlist"}}.ListLink()
	s.renderCached(w, r, templates.ShortlistChartPage(s.page(r, "Portfolio chart", "shortlist"), templates.ShortlistChartView{Chart: c, Back: back}))
}

func decimalCents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	s := strconv.FormatInt(c/100, 10) + "." + strconv.FormatInt(c%100+100, 10)[1:]
	if neg {
		return "-" + s
	}
	return s
}

// shortlistCSV exports the filtered ranking.
func (s *Server) shortlistCSV(w http.ResponseWriter, r *http.Request) {
	f := scoringFilter(r.URL.Query())
	rows, cfg, err := s.scoringStore().ShortlistAll(r.Context(), scope(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="shortlist-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	cw := csv.NewWriter(w)
	cur := cfg.Settings.Currency
	_ = cw.Write([]string{"rank", "account", "account_id", "score", "complete", "criteria_scored", "criteria_active",
		"revenue_" + cur, "revenue_source", "revenue_potential_" + cur, "headroom_" + cur, "key_status", "kam"})
	for _, x := range rows {
		score := ""
		if x.Score.Score10 > 0 {
			score = x.Score.String()
		}
		_ = cw.Write([]string{strconv.Itoa(x.Rank), csvcell.Safe(x.Name), x.AccountID.String(), score, strconv.FormatBool(x.Score.Complete),
			strconv.Itoa(x.Score.Scored), strconv.Itoa(x.Score.Total), decimalCents(x.Revenue), account.RevenueSourceCode(x.RevenueFromFigures),
			decimalCents(x.RevenuePotential),
			decimalCents(x.Headroom), x.KeyStatus, csvcell.Safe(x.KAMName)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("shortlist csv", "request_id", requestIDFrom(r.Context()), "err", err)
	}
}

// whatIf re-ranks under the weights in the query: it computes only and
// never saves.
func (s *Server) whatIf(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	typed, raw := typedWeights(q)
	page, _ := strconv.Atoi(q.Get("page"))
	res, err := s.scoringStore().WhatIf(r.Context(), scope(r), typed, page, 50)
	var fe db.FieldErrors
	if err != nil && !errors.As(err, &fe) {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if fe != nil {
		status = http.StatusUnprocessableEntity
		res.Proposed, res.Moves = nil, nil
	}
	wq := url.Values{}
	for k, v := range raw {
		wq.Set(k, v)
	}
	v := templates.WhatIfView{Result: res, IsAdmin: currentMember(r).Role == auth.RoleAdmin, Query: wq.Encode(),
		Form: templates.WhatIfForm{Weights: res.Config.Weights, Values: raw, Errors: fe}}
	s.render(w, r, status, templates.WhatIfPage(s.page(r, "What if", "shortlist"), v))
}

// whatIfApply saves a what-if's weights as the new explicit weights.
func (s *Server) whatIfApply(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	s.saveWeights(w, r, f, scoring.ModeExplicit, "The what-if weights are now the weights of every ranking.")
}

// Reviews -------------------------------------------------------------------

// reviewsPage is the list of reviews with the form to start one.
func (s *Server) reviewsPage(r *http.Request, name string, fe db.FieldErrors) (templ.Component, error) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	per = max(min(per, 500), 0)
	list, err := s.scoringStore().Reviews(r.Context(), scope(r), keyset.Parse(q.Get("after")), per)
	return templates.ReviewsPage(s.page(r, "Reviews", "shortlist"), templates.ReviewsView{List: list, PerPage: per, Name: name, Errors: fe}), err
}

func (s *Server) reviewList(w http.ResponseWriter, r *http.Request) {
	page, err := s.reviewsPage(r, "", nil)
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) reviewCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	name := f.Text("name", limits.Label)
	var id uuid.UUID
	err := f.Then(nil, func() (err error) {
		id, err = s.scoringStore().StartReview(r.Context(), scope(r), name)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return s.reviewsPage(r, name, fe) },
		Flash:   "Review started: the ranking and the weights are frozen as of now. Decide per account below.",
		Next:    "/shortlist/reviews/" + id.String()})
}

func reviewFilter(q url.Values) scoring.ReviewFilter {
	f := scoring.ReviewFilter{}
	switch d := q.Get("decision"); d {
	case "open", "key", "watch", "declined":
		f.Decision = d
	}
	f.Cursor = keyset.Parse(q.Get("after"))
	return f
}

func (s *Server) reviewView(r *http.Request, id uuid.UUID, f scoring.ReviewFilter) (templates.ReviewView, error) {
	p, err := s.scoringStore().Review(r.Context(), scope(r), id, f)
	if err != nil {
		return templates.ReviewView{}, err
	}
	return templates.ReviewView{Page: p, Decision: f.Decision, After: f.Cursor.String()}, nil
}

func (s *Server) reviewPage(r *http.Request, v templates.ReviewView) templ.Component {
	return templates.ReviewPage(s.page(r, "Review "+v.Page.Review.Name, "shortlist"), v)
}

func (s *Server) reviewShow(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "reviewID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.reviewView(r, id, reviewFilter(r.URL.Query()))
	s.show(w, r, err, func() templ.Component { return s.reviewPage(r, v) })
}

// reviewDecide records a decision on one account of an open review.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request) {
	id, f, ok := formFor(s, w, r, pathID("reviewID"))
	if !ok {
		return
	}
	decision, reason := f.Raw("decision"), f.Para("reason", limits.Paragraph)
	self := "/shortlist/reviews/" + id.String()
	back := localBackUnder(f.Raw("back"), self, self)
	accountID := f.ID("account_id", "account_id", "Choose an account of the review.")
	err := f.Then(nil, func() error { return s.scoringStore().Decide(r.Context(), scope(r), id, accountID, decision, reason) })
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			u, _ := url.Parse(back)
			v, err := s.reviewView(r, id, reviewFilter(u.Query()))
			v.ErrAccount, v.Errors, v.Values = accountID, fe, map[string]string{"decision": decision, "reason": reason}
			if accountID == uuid.Nil {
				v.CloseError = fe["account_id"]
			}
			return s.reviewPage(r, v), err
		},
		Flash: "Decision saved: " + scoring.DecisionLabel(decision) + ". The account’s key status follows it.",
		Next:  back + "#entry-" + accountID.String()})
}

func (s *Server) reviewClose(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "reviewID")
	if err == nil {
		err = s.scoringStore().CloseReview(r.Context(), scope(r), id)
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			v, err := s.reviewView(r, id, scoring.ReviewFilter{})
			v.CloseError = fe["review"]
			return s.reviewPage(r, v), err
		},
		Flash: "Review closed. It stays readable exactly as it is now.", Next: "/shortlist/reviews/" + id.String()})
}
