package server

import "errors"
import "net/http"
import "time"

import "github.com/a-h/templ"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/importer"
import "pareto/internal/kpi"
import "pareto/internal/limits"
import "pareto/templates"

// An account's profitability months and its periodic reviews.

var profitImport = importPage{
	kind: health.ProfitImport, path: "/profitability/import", param: "profitImportID", title: "Import profitability",
	section: "accounts", back: templates.Link{Href: "/accounts", Label: "Accounts"},
	intro: "Cost to serve, discount and gross margin per account and month from one CSV file. Nothing is saved until you confirm, and then either every row is saved or none.",
	help: func(*Server, *http.Request) (templ.Component, error) {
		return templates.ProfitImportHelp(health.ProfitImport.Fields), nil
	},
	commit: kpiImport.commit,
	done: func(pv *importer.Preview) string {
		return "Imported " + plural(pv.Changes(), "month", "months") + " (" + itoa(pv.Creates) + " new, " + itoa(pv.Updates) +
			" replaced, " + itoa(pv.Unchanged) + " unchanged)."
	},
}

// profitPage renders the profitability page with form f.
func (s *Server) profitPage(r *http.Request, a account.Account, form health.ProfitInput, version int, fe db.FieldErrors) (templ.Component, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	pr, err := s.healthStore().Profitability(ctx, sc, a.ID, 24)
	if err != nil {
		return nil, err
	}
	cur, err := s.accounts().Currency(ctx, sc)
	v := templates.ProfitPageView{Account: a, Currency: cur, Profit: pr, CanEdit: account.CanEdit(m.Role, m.UserID, a),
		Form: form, Version: version, Errors: fe}
	return templates.ProfitPage(s.page(r, "Profitability of "+a.Name, "accounts"), v), err
}

func (s *Server) profitShow(w http.ResponseWriter, r *http.Request) {
	a, err := s.viewableAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// ?month= opens that month in the form, with its saved values.
	form, version := health.ProfitInput{Month: kpi.FormatMonth(kpi.LastComplete(today()))}, 0
	if m, err := kpi.ParseMonth(r.URL.Query().Get("month")); err == nil {
		form = health.ProfitInput{Month: kpi.FormatMonth(m)}
		pr, err := s.healthStore().Profitability(r.Context(), scope(r), a.ID, 24)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, pm := range pr.Months {
			if pm.Month.Equal(m) && pm.Profit != nil {
				form, version = pm.Profit.Input(), pm.Profit.Version
			}
		}
	}
	page, err := s.profitPage(r, a, form, version, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, page)
}

func (s *Server) profitSave(w http.ResponseWriter, r *http.Request) {
	a, f, version, ok := editFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	in := health.ProfitInput{Month: f.Trim("month"), CostToServe: f.Raw("cost_to_serve"), Discount: f.Raw("discount"),
		GrossMargin: f.Raw("gross_margin")}
	err := thenParsed(f, func() (health.Profit, error) {
		p, fe := health.ParseProfit(in, time.Now())
		return p, fe.Err()
	}, func(p health.Profit) error {
		return s.healthStore().SaveProfit(r.Context(), scope(r), currentMember(r).Role, a.ID, p, version)
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return s.profitPage(r, a, in, version, fe) },
		Conflict: func() (templates.ConflictView, error) {
			var pc *health.ProfitConflict
			if !errors.As(err, &pc) {
				return templates.ConflictView{}, err
			}
			return profitConflict(a, pc.Current, in), nil
		},
		Section: "accounts", Flash: "Saved " + in.Month + ".", Next: accountPath(a.ID) + "/profitability"})
}

// profitConflict shows a stale month's saved values beside the typed ones.
func profitConflict(a account.Account, cur health.Profit, mine health.ProfitInput) templates.ConflictView {
	theirs := cur.Input()
	path := accountPath(a.ID) + "/profitability"
	return templates.ConflictView{Heading: "Someone else saved this month first",
		Breadcrumb: []templates.Link{{Label: a.Name, Href: accountPath(a.ID)}, {Label: "Profitability", Href: path}},
		TheirsHead: "Saved now (theirs)", MineHead: "Your values",
		Rows: templates.TextConflictRows(
			templates.ConflictRow{Label: "Cost to serve", Theirs: theirs.CostToServe, Mine: mine.CostToServe},
			templates.ConflictRow{Label: "Discount", Theirs: theirs.Discount, Mine: mine.Discount},
			templates.ConflictRow{Label: "Gross margin %", Theirs: theirs.GrossMargin, Mine: mine.GrossMargin}),
		BackHref: path + "?month=" + mine.Month, BackLabel: "Start again from their values",
		Keep: &templates.ConflictKeep{Action: path, Version: cur.Version, Label: "Save my values over theirs",
			Fields: []templates.HiddenField{{Name: "month", Value: mine.Month}, {Name: "cost_to_serve", Value: mine.CostToServe},
				{Name: "discount", Value: mine.Discount}, {Name: "gross_margin", Value: mine.GrossMargin}}}}
}

// accountReviewsPage renders an account's reviews page.
func (s *Server) accountReviewsPage(r *http.Request, a account.Account, form health.ReviewInput, fe db.FieldErrors, date string, dateErr db.FieldErrors) (templ.Component, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	sch, err := s.healthStore().AccountReviews(ctx, sc, a.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.healthStore().Settings(ctx, sc)
	if date == "" && !sch.NextReview.IsZero() {
		date = sch.NextReview.Format(time.DateOnly)
	}
	v := templates.AccountReviewsView{Account: a, Schedule: sch, Cadence: st.ReviewMonths, CanEdit: account.CanEdit(m.Role, m.UserID, a),
		Form: form, Errors: fe, DateForm: date, DateError: dateErr}
	return templates.AccountReviewsPage(s.page(r, "Reviews of "+a.Name, "accounts"), v), err
}

func (s *Server) accountReviewsShow(w http.ResponseWriter, r *http.Request) {
	_, page, err := loadThen(r, s.viewableAccount, func(r *http.Request, a account.Account) (templ.Component, error) {
		return s.accountReviewsPage(r, a, health.ReviewInput{HeldOn: today().Format(time.DateOnly)}, nil, "", nil)
	})
	s.show(w, r, err, func() templ.Component { return page })
}

func (s *Server) accountReviewHold(w http.ResponseWriter, r *http.Request) {
	a, f, ok := formFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	in := health.ReviewInput{HeldOn: f.Trim("held_on"), Summary: f.Para("summary", limits.Notes),
		InternalNotes: f.Para("internal_notes", limits.Notes), NextSteps: f.Para("next_steps", limits.Notes)}
	next := accountPath(a.ID) + "/reviews"
	err := thenParsed(f, func() (health.ReviewFields, error) { return in.Parse(time.Now()) }, func(fields health.ReviewFields) error {
		id, err := s.healthStore().HoldReview(r.Context(), scope(r), currentMember(r).Role, a.ID, fields)
		next += "/" + id.String()
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return s.accountReviewsPage(r, a, in, fe, "", nil) },
		Flash:   "Review held and frozen. The next one is scheduled.", Next: next})
}

func (s *Server) reviewDateUpdate(w http.ResponseWriter, r *http.Request) {
	a, f, version, ok := editFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	on := f.Date("next_review_on")
	err := f.Then(nil, func() error {
		return s.healthStore().SetNextReview(r.Context(), scope(r), currentMember(r).Role, a.ID, on, version)
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.accountReviewsPage(r, a, health.ReviewInput{HeldOn: today().Format(time.DateOnly)}, nil, f.Raw("next_review_on"), fe)
		},
		Section: "accounts", Flash: "Rescheduled the next review.", Next: accountPath(a.ID) + "/reviews"})
}

// accountReview loads the URL's review with the one before it.
func (s *Server) accountReview(r *http.Request) (account.Account, health.ReviewWithPrevious, error) {
	a, err := s.viewableAccount(r)
	if err != nil {
		return a, health.ReviewWithPrevious{}, err
	}
	id, err := urlID(r, "accountReviewID")
	if err != nil {
		return a, health.ReviewWithPrevious{}, err
	}
	rv, err := s.healthStore().AccountReview(r.Context(), scope(r), a.ID, id)
	return a, rv, err
}

func (s *Server) accountReviewShow(w http.ResponseWriter, r *http.Request) {
	a, rv, err := s.accountReview(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.AccountReviewView{Account: a, Review: rv, Currency: rv.Snapshot.Currency}
	if rv.Previous != nil {
		v.Changes = health.Changes(rv.Previous.Snapshot, rv.Snapshot)
	}
	s.render(w, r, http.StatusOK, templates.AccountReviewPage(s.page(r, "Review of "+a.Name, "accounts"), v))
}

// accountReviewReport is the review's progress report for the client: the
// internal parts only when ticked (?pipeline=1&notes=1&cost=1).
func (s *Server) accountReviewReport(w http.ResponseWriter, r *http.Request) {
	a, rv, err := s.accountReview(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	v := templates.ReviewReportView{Account: a, Review: rv, Currency: rv.Snapshot.Currency,
		Pipeline: q.Get("pipeline") == "1", Notes: q.Get("notes") == "1", Cost: q.Get("cost") == "1"}
	if rv.Previous != nil {
		v.Changes = templates.ClientChanges(health.Changes(rv.Previous.Snapshot, rv.Snapshot), v.Pipeline, v.Cost)
	}
	s.render(w, r, http.StatusOK, templates.ReviewReportPage(s.page(r, rv.Snapshot.AccountName+": progress report", "accounts"), v))
}
