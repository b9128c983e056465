package server

import "errors"
import "fmt"
import "net/http"
import "net/url"
import "strconv"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/templates"

// accounts is the account store for this server's database.
func (s *Server) accounts() *account.Store { return account.NewStore(s.db) }

// accountFilter reads the list's query parameters.
func accountFilter(r *http.Request) (templates.AccountFilter, account.Filter) {
	return accountFilterOf(r.URL.Query())
}

// accountFilterOf reads the list's query q (the URL's, or a bulk form's
// copy of it).
func accountFilterOf(q url.Values) (templates.AccountFilter, account.Filter) {
	tf := templates.AccountFilter{Q: q.Get("q"), Industry: q.Get("industry"), Region: q.Get("region"), Segment: q.Get("segment"),
		Status: q.Get("status"), KeyStatus: q.Get("key_status"), KAM: q.Get("kam"), Archived: q.Get("archived") == "1",
		Desc: q.Get("dir") == "desc"}
	if _, ok := account.SortColumns[q.Get("sort")]; ok {
		tf.Sort = q.Get("sort")
	}
	if !account.Status(tf.Status).Valid() {
		tf.Status = ""
	}
	if !account.KeyStatus(tf.KeyStatus).Valid() {
		tf.KeyStatus = ""
	}
	switch n, _ := strconv.Atoi(q.Get("per_page")); n {
	case 25, 100, 200:
		tf.PerPage = n
	default:
		tf.PerPage = 50
	}
	f := account.Filter{Q: tf.Q, Industry: tf.Industry, Region: tf.Region, Segment: tf.Segment, Status: account.Status(tf.Status),
		KeyStatus: account.KeyStatus(tf.KeyStatus), KAM: tf.KAM, Archived: tf.Archived, Sort: tf.Sort, Desc: tf.Desc,
		Cursor: keyset.Parse(q.Get("after")), PerPage: tf.PerPage}
	return tf, f
}

func (s *Server) accountList(w http.ResponseWriter, r *http.Request) {
	tf, _ := accountFilter(r)
	s.accountListPage(w, r, http.StatusOK, tf, r.URL.Query().Get("after"), templates.BulkForm{})
}

// accountListPage answers the list of tf from the page at cursor after,
// with the bulk form as posted (and what went wrong with it) or empty.
func (s *Server) accountListPage(w http.ResponseWriter, r *http.Request, status int, tf templates.AccountFilter, after string, bulk templates.BulkForm) {
	ctx, sc := r.Context(), scope(r)
	q := tf.Values()
	q.Set("after", after)
	_, f := accountFilterOf(q)
	page, err := s.accounts().Accounts(ctx, sc, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	facets, err := s.accounts().Facets(ctx, sc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.accounts().Currency(ctx, sc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if bulk.KAMs, err = s.bulkKAMs(r); err != nil {
		s.fail(w, r, err)
		return
	}
	q.Del("after")
	if after != "" {
		q.Set("after", after)
	}
	bulk.List = q.Encode()
	v := templates.AccountListView{Filter: tf, Page: page, Facets: facets, Currency: cur, CanCreate: account.CanCreate(currentMember(r).Role), Bulk: bulk}
	s.render(w, r, status, templates.AccountListPage(s.listPage(r, "Accounts", "accounts", "accounts"), v))
}

func (s *Server) accountExport(w http.ResponseWriter, r *http.Request) {
	_, f := accountFilter(r)
	s.exportAccounts(w, r, f)
}

func (s *Server) accountFormView(r *http.Request, in account.Input, errs map[string]string) (templates.AccountFormView, error) {
	cur, err := s.accounts().Currency(r.Context(), scope(r))
	return templates.AccountFormView{Values: in, Errors: errs, Currency: cur}, err
}

func (s *Server) accountNew(w http.ResponseWriter, r *http.Request) {
	v, err := s.accountFormView(r, account.Input{"status": string(account.StatusCustomer)}, nil)
	s.show(w, r, err, func() templ.Component { return templates.AccountFormPage(s.page(r, "New account", "accounts"), v) })
}

// readAccount reads the account form: each field as typed (the account
// package reads and checks them, for the form and the CSV import alike).
func readAccount(f *form) account.Input {
	in := account.Input{}
	for _, fd := range account.AccountFields {
		in[fd.Key] = f.Raw(fd.Key)
	}
	return in
}

// accountFormPage re-shows the account form with what was typed.
func (s *Server) accountFormPage(r *http.Request, in account.Input, title string, edit func(*templates.AccountFormView)) func(db.FieldErrors) (templ.Component, error) {
	return func(fe db.FieldErrors) (templ.Component, error) {
		v, err := s.accountFormView(r, in, fe)
		if edit != nil {
			edit(&v)
		}
		return templates.AccountFormPage(s.page(r, title, "accounts"), v), err
	}
}

func (s *Server) accountCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := readAccount(f)
	var a account.Account
	err := thenParsed(f, in.Parse, func(fields account.Fields) (err error) {
		a, err = s.accounts().CreateAccount(r.Context(), scope(r), currentMember(r).Role, fields)
		return err
	})
	s.saved(w, r, err, saved{Invalid: s.accountFormPage(r, in, "New account", nil), Flash: "Created " + a.Name + ".", Next: accountPath(a.ID)})
}

// editableAccount loads the URL's account and checks the member may edit it.
func (s *Server) editableAccount(r *http.Request) (account.Account, error) {
	id, err := urlID(r, "accountID")
	if err != nil {
		return account.Account{}, err
	}
	a, err := s.accounts().Account(r.Context(), scope(r), id)
	if err != nil {
		return account.Account{}, err
	}
	m := currentMember(r)
	if !account.CanEdit(m.Role, m.UserID, a) {
		return account.Account{}, fmt.Errorf("edit account %s: %w", id, db.ErrForbidden)
	}
	return a, nil
}

func (s *Server) accountEdit(w http.ResponseWriter, r *http.Request) {
	a, err := s.editableAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.accountFormView(r, a.FormValues(), nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.ID, v.Name, v.Version = a.ID, a.Name, a.Version
	s.render(w, r, http.StatusOK, templates.AccountFormPage(s.page(r, "Edit "+a.Name, "accounts"), v))
}

func (s *Server) accountUpdate(w http.ResponseWriter, r *http.Request) {
	a, f, version, ok := editFor(s, w, r, s.editableAccount)
	if !ok {
		return
	}
	in := readAccount(f)
	var done account.Account
	err := thenParsed(f, in.Parse, func(fields account.Fields) (err error) {
		done, err = s.accounts().UpdateAccount(r.Context(), scope(r), currentMember(r).Role, a.ID, fields, version)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: s.accountFormPage(r, in, "Edit "+a.Name, func(v *templates.AccountFormView) { v.ID, v.Name, v.Version = a.ID, a.Name, version }),
		Conflict: func() (templates.ConflictView, error) {
			var ce *account.ConflictError
			if !errors.As(err, &ce) {
				return templates.ConflictView{}, err
			}
			return accountConflict(ce.Current, in), nil
		},
		Section: "accounts", Flash: "Saved " + done.Name + ".", Next: accountPath(a.ID)})
}

// accountConflict is a stale save's page: their saved values beside the
// ones this person sent, and a form to save theirs over.
func accountConflict(cur account.Account, mine account.Input) templates.ConflictView {
	theirs := cur.FormValues()
	v := templates.ConflictView{Heading: "Someone else saved this account first",
		Intro:      "Nothing of yours was saved. Compare their values with yours, then keep theirs or save yours over them.",
		Breadcrumb: []templates.Link{{Label: "Accounts", Href: "/accounts"}, {Label: cur.Name, Href: accountPath(cur.ID)}},
		TheirsHead: "Saved now (theirs)", MineHead: "Your values",
		BackHref: accountPath(cur.ID) + "/edit", BackLabel: "Start again from their values",
		Keep: &templates.ConflictKeep{Action: accountPath(cur.ID), Version: cur.Version, Label: "Save my values over theirs"}}
	for _, f := range account.AccountFields {
		row := templates.ConflictRow{Label: f.Label, Theirs: theirs[f.Key], Mine: mine[f.Key]}
		// Compare what the values mean ("1,000" and "1000" are the same).
		one, two := account.Fields{}, account.Fields{}
		errTheirs, errMine := f.Set(&one, row.Theirs), f.Set(&two, row.Mine)
		row.Changed = errTheirs != nil || errMine != nil || !one.Same(two)
		if f.Key == "status" {
			row.Theirs, row.Mine = account.Status(row.Theirs).Label(), account.Status(row.Mine).Label()
		}
		v.Rows = append(v.Rows, row)
		v.Keep.Fields = append(v.Keep.Fields, templates.HiddenField{Name: f.Key, Value: mine[f.Key]})
	}
	return v
}

func (s *Server) accountArchive(w http.ResponseWriter, r *http.Request) {
	s.accountSetArchived(w, r, true)
}
func (s *Server) accountRestore(w http.ResponseWriter, r *http.Request) {
	s.accountSetArchived(w, r, false)
}

func (s *Server) accountSetArchived(w http.ResponseWriter, r *http.Request, archive bool) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, role := s.accounts(), currentMember(r).Role
	var a account.Account
	if archive {
		a, err = st.ArchiveAccount(r.Context(), scope(r), role, id)
	} else {
		a, err = st.RestoreAccount(r.Context(), scope(r), role, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if archive {
		s.flash(r.Context(), "success", "Archived "+a.Name+". Restore it from its page at any time.")
	} else {
		s.flash(r.Context(), "success", "Restored "+a.Name+".")
	}
	http.Redirect(w, r, "/accounts/"+id.String(), http.StatusSeeOther)
}

// accountView gathers the account page.
func (s *Server) accountView(r *http.Request, id uuid.UUID) (templates.AccountView, error) {
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	st := s.accounts()
	a, err := st.Account(ctx, sc, id)
	if err != nil {
		return templates.AccountView{}, err
	}
	sts, err := st.Stakeholders(ctx, sc, id)
	if err != nil {
		return templates.AccountView{}, err
	}
	is, total, err := st.Interactions(ctx, sc, id, 20)
	if err != nil {
		return templates.AccountView{}, err
	}
	cur, err := st.Currency(ctx, sc)
	if err != nil {
		return templates.AccountView{}, err
	}
	v := templates.AccountView{Account: a, Currency: cur, CanEdit: account.CanEdit(m.Role, m.UserID, a), Stakeholders: sts,
		Map: templates.LayoutRelMap(account.ReportingTree(sts)), Warnings: account.Warnings(sts), Interactions: is,
		InteractionTotal: total, Today: today(), UserID: m.UserID,
		StakeholderForm: templates.StakeholderFormView{Values: account.StakeholderInput{Role: string(account.RoleInfluencer), Strength: string(account.StrengthNeutral)}},
		InteractionForm: templates.InteractionFormView{Values: account.InteractionInput{OccurredOn: today().Format(time.DateOnly), Kind: string(account.KindMeeting)}},
	}
	if v.CanEdit {
		if v.Members, err = s.auth.Members(ctx, sc); err != nil {
			return templates.AccountView{}, err
		}
	}
	if a.Archived() {
		return v, nil // an archived account is read-only history
	}
	asg, err := s.accountAssignmentSection(r, id)
	if err != nil {
		return templates.AccountView{}, err
	}
	asg.ReturnTo = accountPath(id)
	v.Assignment = &asg
	pl, err := s.accountPlanSection(r, id)
	if err != nil {
		return templates.AccountView{}, err
	}
	v.Plan = &pl
	kp, err := s.accountKPISection(r, id)
	if err != nil {
		return templates.AccountView{}, err
	}
	v.KPI = &kp
	sco, err := s.accountScoreSection(r, id)
	if err != nil {
		return templates.AccountView{}, err
	}
	sco.Folded = true
	v.Score = &sco
	if v.Health, err = s.accountHealthSections(r, a, v.CanEdit); err != nil {
		return templates.AccountView{}, err
	}
	return v, nil
}

func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	v, err := pathLoad(r, "accountID", s.accountView)
	s.show(w, r, err, func() templ.Component { return templates.AccountPage(s.page(r, v.Account.Name, "accounts"), v) })
}

func (s *Server) interactionList(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	a, err := s.accounts().Account(ctx, sc, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	is, _, err := s.accounts().Interactions(ctx, sc, id, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.TimelineView{Account: a, Interactions: is, Today: today(), CanEdit: account.CanEdit(m.Role, m.UserID, a), UserID: m.UserID}
	s.render(w, r, http.StatusOK, templates.TimelinePage(s.page(r, "Interactions with "+a.Name, "accounts"), v))
}

// accountPath is the account page's path.
func accountPath(id uuid.UUID) string { return "/accounts/" + id.String() }
