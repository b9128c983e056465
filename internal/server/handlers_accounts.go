package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"pareto/internal/account"
	"pareto/internal/db"
	"pareto/templates"
)

// accounts is the account store for this server's database.
func (s *Server) accounts() *account.Store { return account.NewStore(s.db) }

// accountFilter reads the list's query parameters.
func accountFilter(r *http.Request) (templates.AccountFilter, account.Filter, int) {
	q := r.URL.Query()
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
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := account.Filter{Q: tf.Q, Industry: tf.Industry, Region: tf.Region, Segment: tf.Segment, Status: account.Status(tf.Status),
		KeyStatus: account.KeyStatus(tf.KeyStatus), KAM: tf.KAM, Archived: tf.Archived, Sort: tf.Sort, Desc: tf.Desc,
		Page: page, PerPage: tf.PerPage}
	return tf, f, page
}

func (s *Server) accountList(w http.ResponseWriter, r *http.Request) {
	ctx, sc := r.Context(), scope(r)
	tf, f, _ := accountFilter(r)
	page, err := s.accounts().Accounts(ctx, sc, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f.Page > page.Pages {
		// Past the end (e.g. a bookmark after deletions): show the last page.
		f.Page = page.Pages
		if page, err = s.accounts().Accounts(ctx, sc, f); err != nil {
			s.fail(w, r, err)
			return
		}
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
	v := templates.AccountListView{Filter: tf, Page: page, Facets: facets, Currency: cur, CanCreate: account.CanCreate(currentMember(r).Role)}
	s.render(w, r, http.StatusOK, templates.AccountListPage(s.page(r, "Accounts", "accounts"), v))
}

func (s *Server) accountExport(w http.ResponseWriter, r *http.Request) {
	_, f, _ := accountFilter(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="accounts-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	if err := s.accounts().ExportCSV(r.Context(), scope(r), f, w); err != nil {
		// Headers may be out already; log, and cut the response short.
		s.log.Error("account export", "request_id", requestIDFrom(r.Context()), "err", err)
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) accountFormView(r *http.Request, in account.Input, errs map[string]string) (templates.AccountFormView, error) {
	cur, err := s.accounts().Currency(r.Context(), scope(r))
	return templates.AccountFormView{Values: in, Errors: errs, Currency: cur}, err
}

func (s *Server) accountNew(w http.ResponseWriter, r *http.Request) {
	v, err := s.accountFormView(r, account.Input{"status": string(account.StatusCustomer)}, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.AccountFormPage(s.page(r, "New account", "accounts"), v))
}

// accountInput reads the account form fields.
func accountInput(r *http.Request) account.Input {
	in := account.Input{}
	for _, f := range account.AccountFields {
		in[f.Key] = r.PostForm.Get(f.Key)
	}
	return in
}

func (s *Server) accountCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	in := accountInput(r)
	f, err := in.Parse()
	if err == nil {
		var a account.Account
		a, err = s.accounts().CreateAccount(r.Context(), scope(r), currentMember(r).Role, f)
		if err == nil {
			s.flash(r.Context(), "success", "Created "+a.Name+".")
			http.Redirect(w, r, "/accounts/"+a.ID.String(), http.StatusSeeOther)
			return
		}
	}
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		s.fail(w, r, err)
		return
	}
	v, verr := s.accountFormView(r, in, fe)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, templates.AccountFormPage(s.page(r, "New account", "accounts"), v))
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
	a, err := s.editableAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	in := accountInput(r)
	f, err := in.Parse()
	if err == nil {
		var saved account.Account
		saved, err = s.accounts().UpdateAccount(r.Context(), scope(r), currentMember(r).Role, a.ID, f, version)
		if err == nil {
			s.flash(r.Context(), "success", "Saved "+saved.Name+".")
			http.Redirect(w, r, "/accounts/"+a.ID.String(), http.StatusSeeOther)
			return
		}
	}
	var fe db.FieldErrors
	var ce *account.ConflictError
	switch {
	case errors.As(err, &ce):
		s.accountConflict(w, r, ce.Current, in)
	case errors.As(err, &fe):
		v, verr := s.accountFormView(r, in, fe)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.ID, v.Name, v.Version = a.ID, a.Name, version
		s.render(w, r, http.StatusUnprocessableEntity, templates.AccountFormPage(s.page(r, "Edit "+a.Name, "accounts"), v))
	default:
		s.fail(w, r, err)
	}
}

// accountConflict answers a stale save with 409: their saved values beside
// the ones this person sent, and a form to save theirs over.
func (s *Server) accountConflict(w http.ResponseWriter, r *http.Request, cur account.Account, mine account.Input) {
	theirs := cur.FormValues()
	v := templates.AccountConflictView{Current: cur, Mine: mine}
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
	}
	s.render(w, r, http.StatusConflict, templates.AccountConflictPage(s.page(r, "Changed by someone else", "accounts"), v))
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
	return v, nil
}

func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.accountView(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.AccountPage(s.page(r, v.Account.Name, "accounts"), v))
}

// stakeholderInput reads the stakeholder form fields.
func stakeholderInput(r *http.Request) account.StakeholderInput {
	f := r.PostForm
	return account.StakeholderInput{Name: f.Get("name"), Title: f.Get("title"), Email: f.Get("email"), Phone: f.Get("phone"),
		Role: f.Get("buying_role"), Strength: f.Get("strength"), ReportsTo: f.Get("reports_to"), Notes: f.Get("notes")}
}

func (s *Server) stakeholderCreate(w http.ResponseWriter, r *http.Request) {
	a, err := s.editableAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	in := stakeholderInput(r)
	f, err := in.Parse()
	if err == nil {
		var st account.Stakeholder
		st, err = s.accounts().CreateStakeholder(r.Context(), scope(r), currentMember(r).Role, a.ID, f)
		if err == nil {
			s.flash(r.Context(), "success", "Added "+st.Name+".")
			http.Redirect(w, r, "/accounts/"+a.ID.String()+"#stakeholders", http.StatusSeeOther)
			return
		}
	}
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		s.fail(w, r, err)
		return
	}
	v, verr := s.accountView(r, a.ID)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	v.StakeholderForm = templates.StakeholderFormView{Values: in, Errors: fe}
	v.OpenForm = "stakeholder"
	s.render(w, r, http.StatusUnprocessableEntity, templates.AccountPage(s.page(r, a.Name, "accounts"), v))
}

// editableStakeholder loads the URL's account (checking edit rights) and
// stakeholder.
func (s *Server) editableStakeholder(r *http.Request) (account.Account, account.Stakeholder, error) {
	a, err := s.editableAccount(r)
	if err != nil {
		return a, account.Stakeholder{}, err
	}
	id, err := urlID(r, "stakeholderID")
	if err != nil {
		return a, account.Stakeholder{}, err
	}
	st, err := s.accounts().Stakeholder(r.Context(), scope(r), a.ID, id)
	return a, st, err
}

func (s *Server) stakeholderEditView(r *http.Request, a account.Account, f templates.StakeholderFormView) (templates.StakeholderEditView, error) {
	sts, err := s.accounts().Stakeholders(r.Context(), scope(r), a.ID)
	return templates.StakeholderEditView{Account: a, Form: f, Stakeholders: sts}, err
}

func (s *Server) stakeholderEdit(w http.ResponseWriter, r *http.Request) {
	a, st, err := s.editableStakeholder(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.stakeholderEditView(r, a, templates.StakeholderFormView{ID: st.ID, Values: st.FormValues(), Version: st.Version})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.StakeholderEditPage(s.page(r, "Edit "+st.Name, "accounts"), v))
}

func (s *Server) stakeholderUpdate(w http.ResponseWriter, r *http.Request) {
	a, st, err := s.editableStakeholder(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	version, ok := formVersion(r)
	if !ok {
		s.badVersion(w, r)
		return
	}
	in := stakeholderInput(r)
	f, err := in.Parse()
	if err == nil {
		_, err = s.accounts().UpdateStakeholder(r.Context(), scope(r), currentMember(r).Role, a.ID, st.ID, f, version)
		if err == nil {
			s.flash(r.Context(), "success", "Saved "+f.Name+".")
			http.Redirect(w, r, "/accounts/"+a.ID.String()+"#stakeholders", http.StatusSeeOther)
			return
		}
	}
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		s.fail(w, r, err)
		return
	}
	v, verr := s.stakeholderEditView(r, a, templates.StakeholderFormView{ID: st.ID, Values: in, Errors: fe, Version: version})
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, templates.StakeholderEditPage(s.page(r, "Edit "+st.Name, "accounts"), v))
}

// stakeholderDelete removes a stakeholder. Deleting one that is gone
// already (a second click) succeeds, as long as the account is editable.
func (s *Server) stakeholderDelete(w http.ResponseWriter, r *http.Request) {
	a, st, err := s.editableStakeholder(r)
	if err == nil {
		err = s.accounts().DeleteStakeholder(r.Context(), scope(r), currentMember(r).Role, a.ID, st.ID)
	}
	switch {
	case err == nil:
		s.flash(r.Context(), "success", "Removed "+st.Name+".")
	case a.ID != uuid.Nil && errors.Is(err, db.ErrNotFound):
		s.flash(r.Context(), "info", "That stakeholder was removed already.")
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/accounts/"+a.ID.String()+"#stakeholders", http.StatusSeeOther)
}

func (s *Server) interactionCreate(w http.ResponseWriter, r *http.Request) {
	a, err := s.editableAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	pf := r.PostForm
	in := account.InteractionInput{OccurredOn: pf.Get("occurred_on"), Kind: pf.Get("kind"), Summary: pf.Get("summary"),
		NextStep: pf.Get("next_step"), NextStepDue: pf.Get("next_step_due"), NextStepOwner: pf.Get("next_step_owner"),
		Participants: pf["participants"]}
	f, err := in.Parse(currentMember(r).UserID)
	if err == nil {
		_, err = s.accounts().CreateInteraction(r.Context(), scope(r), currentMember(r).Role, a.ID, f)
		if err == nil {
			s.flash(r.Context(), "success", "Logged the "+f.Kind.Label()+".")
			http.Redirect(w, r, "/accounts/"+a.ID.String()+"#interactions", http.StatusSeeOther)
			return
		}
	}
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		s.fail(w, r, err)
		return
	}
	v, verr := s.accountView(r, a.ID)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	ticked := map[string]bool{}
	for _, p := range in.Participants {
		ticked[p] = true
	}
	v.InteractionForm = templates.InteractionFormView{Values: in, Errors: fe, Participants: ticked}
	v.OpenForm = "interaction"
	s.render(w, r, http.StatusUnprocessableEntity, templates.AccountPage(s.page(r, a.Name, "accounts"), v))
}

func (s *Server) interactionStep(w http.ResponseWriter, r *http.Request) {
	accountID, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := urlID(r, "interactionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	done := r.PostForm.Get("done") != "false"
	err = s.accounts().CompleteNextStep(r.Context(), scope(r), currentMember(r).Role, accountID, id, done)
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
	back := "/accounts/" + accountID.String() + "#interactions"
	if r.PostForm.Get("back") == "home" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) interactionDelete(w http.ResponseWriter, r *http.Request) {
	a, err := s.editableAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := urlID(r, "interactionID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Deleting one that is gone already (a second click) succeeds.
	err = s.accounts().DeleteInteraction(r.Context(), scope(r), currentMember(r).Role, a.ID, id)
	switch {
	case err == nil:
		s.flash(r.Context(), "success", "Removed the interaction.")
	case errors.Is(err, db.ErrNotFound):
		s.flash(r.Context(), "info", "That interaction was removed already.")
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/accounts/"+a.ID.String()+"#interactions", http.StatusSeeOther)
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
