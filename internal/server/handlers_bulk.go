package server

import "errors"
import "fmt"
import "net/http"
import "net/url"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/templates"

// The account list's bulk actions: the list's table sits in one form
// (works without JavaScript) whose buttons assign a KAM, set a segment,
// region or industry, archive, or export the ticked accounts, the whole
// page's, or every account the filter lets through. The domain does each
// in one transaction, with the single edit's rules (account.LockSelection,
// account.MayChangeAll, assignment.BulkAssign).

// bulkSelection reads which accounts a bulk form names and the list it
// was posted from (hidden field "list": the list's query). A malformed id
// names no account: db.ErrNotFound.
func bulkSelection(f *form) (templates.AccountFilter, string, account.Selection, error) {
	q, _ := url.ParseQuery(f.Raw("list"))
	tf, lf := accountFilterOf(q)
	sel := account.Selection{Filter: lf}
	if f.Raw("all") == "1" {
		sel.All = true
		sel.Seen, _ = strconv.Atoi(f.Raw("seen"))
		return tf, q.Get("after"), sel, nil
	}
	raw := f.List("id")
	if f.Raw("page") == "1" {
		raw = append(raw, f.List("page_id")...)
	}
	for _, s := range raw {
		id, err := uuid.Parse(s)
		if err != nil {
			return tf, "", sel, fmt.Errorf("bulk selection %q: %w", s, db.ErrNotFound)
		}
		sel.IDs = append(sel.IDs, id)
	}
	return tf, q.Get("after"), sel, nil
}

// accountBulk runs one bulk action and says what it did on the list.
func (s *Server) accountBulk(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	ctx, sc, m := r.Context(), scope(r), currentMember(r)
	tf, after, sel, err := bulkSelection(f)
	var summary string
	if err == nil {
		var res account.BulkResult
		switch f.Raw("do") {
		case "assign":
			var name string
			name, res, err = s.assignments().BulkAssign(ctx, sc, sel, f.Raw("kam_user_id"))
			summary = bulkSummary(res, "assigned to "+name, "already "+name+"’s")
		case "set":
			key, value := f.Raw("field"), strings.TrimSpace(f.Raw("value"))
			res, err = s.accounts().BulkSet(ctx, sc, m.Role, sel, key, value)
			done := "moved to " + key + " " + value
			if value == "" {
				done = key + " cleared"
			}
			summary = bulkSummary(res, done, "already so")
		case "archive":
			res, err = s.accounts().BulkArchive(ctx, sc, m.Role, sel)
			summary = bulkSummary(res, "archived", "") + " Restore them from the archived list."
		default:
			err = db.FieldErrors{"do": "Choose what to do with the selected accounts."}
		}
	}
	var fe db.FieldErrors
	var refused *account.BulkRefused
	switch {
	case err == nil:
		s.flash(ctx, "success", summary)
		http.Redirect(w, r, tf.Query(after), http.StatusSeeOther)
	case errors.As(err, &fe):
		s.accountListPage(w, r, http.StatusUnprocessableEntity, tf, after, bulkAgain(f, sel, fe, ""))
	case errors.As(err, &refused):
		status := http.StatusConflict
		if errors.Is(err, db.ErrForbidden) {
			status = http.StatusForbidden
			s.log.Warn("authorization failure", "request_id", requestIDFrom(ctx), "path", r.URL.Path, "reason", err.Error(),
				"user_id", m.UserID, "tenant_id", m.TenantID, "role", m.Role)
		}
		s.accountListPage(w, r, status, tf, after, bulkAgain(f, sel, nil, refused.Message))
	default:
		s.fail(w, r, err)
	}
}

// bulkSummary says what a bulk action did: "12 accounts assigned to
// Dana; 2 skipped (already Dana’s: Acme, Beta)."
func bulkSummary(res account.BulkResult, done, why string) string {
	msg := plural(res.Changed, "account", "accounts") + " " + done
	if why == "" {
		return msg + "."
	}
	msg += "; " + strconv.Itoa(res.Skipped) + " skipped"
	if res.Skipped > 0 {
		names := strings.Join(slices.Sorted(slices.Values(res.SkippedNames)), ", ")
		if res.Skipped > len(res.SkippedNames) {
			names += ", …"
		}
		msg += " (" + why + ": " + names + ")"
	}
	return msg + "."
}

// bulkAgain is the bulk form as posted, to show again with what went
// wrong.
func bulkAgain(f *form, sel account.Selection, fe db.FieldErrors, refused string) templates.BulkForm {
	b := templates.BulkForm{Errors: fe, Refused: refused, Do: f.Raw("do"), KAM: f.Raw("kam_user_id"), Field: f.Raw("field"),
		Value: f.Raw("value"), All: sel.All, Ticked: map[uuid.UUID]bool{}}
	for _, id := range sel.IDs {
		b.Ticked[id] = true
	}
	return b
}

// accountSelectionExport answers the ticked accounts (or every account
// the filter lets through) as CSV, like the list's export.
func (s *Server) accountSelectionExport(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	tf, after, sel, err := bulkSelection(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lf := sel.Filter
	if !sel.All {
		if len(sel.IDs) == 0 || len(sel.IDs) > account.MaxBulk {
			fe := db.FieldErrors{"selection": fmt.Sprintf("Tick between 1 and %d accounts to export, or choose every account matching the filter.", account.MaxBulk)}
			s.accountListPage(w, r, http.StatusUnprocessableEntity, tf, after, bulkAgain(f, sel, fe, ""))
			return
		}
		lf.IDs = sel.IDs
	}
	s.exportAccounts(w, r, lf)
}

// exportAccounts writes the accounts lf lets through as a CSV download.
func (s *Server) exportAccounts(w http.ResponseWriter, r *http.Request, lf account.Filter) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="accounts-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	if err := s.accounts().ExportCSV(r.Context(), scope(r), lf, w); err != nil {
		// Headers may be out already; log, and cut the response short.
		s.log.Error("account export", "request_id", requestIDFrom(r.Context()), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// bulkKAMs are the people a bulk assignment offers: active KAMs, for a
// member who may assign (leaders and admins); none otherwise.
func (s *Server) bulkKAMs(r *http.Request) ([]auth.Member, error) {
	if !currentMember(r).Role.Leads() {
		return nil, nil
	}
	ms, err := s.auth.Members(r.Context(), scope(r))
	var kams []auth.Member
	for _, m := range ms {
		if m.Active && m.Role == auth.RoleKAM {
			kams = append(kams, m)
		}
	}
	return kams, err
}
