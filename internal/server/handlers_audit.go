package server

import "net/http"
import "slices"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/keyset"
import "pareto/internal/plan"
import "pareto/internal/textsearch"
import "pareto/templates"

// auditList is the audit log (admins): filtered by record (its history,
// or the records a name finds), type, action, person and dates, all kept
// in the URL; newest first in keyset pages.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := templates.AuditFilter{Q: strings.TrimSpace(q.Get("q")), Record: q.Get("record"), Entity: q.Get("entity"),
		Action: q.Get("action"), Actor: q.Get("actor"), Since: q.Get("since"), Until: q.Get("until"), Errors: map[string]string{}}
	af := audit.Filter{Entity: f.Entity, Action: f.Action}
	af.Cursor = keyset.Parse(q.Get("after"))
	if f.Actor != "" {
		if id, err := uuid.Parse(f.Actor); err == nil {
			af.ActorID = id
		}
	}
	if f.Since != "" {
		t, err := time.Parse("2006-01-02", f.Since)
		if err != nil {
			f.Errors["since"] = "Use a date like 2026-01-31."
		}
		af.Since = t
	}
	if f.Until != "" {
		t, err := time.Parse("2006-01-02", f.Until)
		if err != nil {
			f.Errors["until"] = "Use a date like 2026-01-31."
		} else {
			af.Until = t.AddDate(0, 0, 1)
		}
	}
	status := http.StatusOK
	if len(f.Errors) > 0 {
		status = http.StatusUnprocessableEntity
		af.Since, af.Until = time.Time{}, time.Time{}
	}
	members, err := s.auth.Members(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if af.Records, err = s.auditRecords(r, f, members); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := audit.Entries(r.Context(), s.db, scope(r), af)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entities, err := audit.Entities(r.Context(), s.db, scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, templates.AuditPage(s.page(r, "Audit log", "admin"),
		templates.AuditView{Page: page, Entities: entities, Members: members, Filter: f}))
}

// auditRecords are the records the audit filter f names: one record's
// history, and/or the records a name finds — what the global search
// finds (accounts, stakeholders, plans, products; its top hits of each)
// and the members whose name starts with it. nil: no record filter.
func (s *Server) auditRecords(r *http.Request, f templates.AuditFilter, members []auth.Member) ([]string, error) {
	var ids []string
	if f.Record != "" {
		ids = []string{f.Record}
	}
	if f.Q == "" {
		return ids, nil
	}
	ctx, sc, tq := r.Context(), scope(r), textsearch.Parse(f.Q)
	acc, err := s.accounts().Search(ctx, sc, tq)
	if err != nil {
		return nil, err
	}
	pl, err := plan.Search(ctx, s.db, sc, tq)
	if err != nil {
		return nil, err
	}
	found := []string{}
	for _, hs := range [][]textsearch.Hit{acc.Accounts, acc.Stakeholders, pl.Plans, pl.Products} {
		for _, h := range hs {
			found = append(found, h.ID.String())
		}
	}
	for _, m := range members {
		if strings.HasPrefix(strings.ToLower(m.Name), strings.ToLower(f.Q)) {
			found = append(found, m.UserID.String())
		}
	}
	if ids == nil {
		return found, nil
	}
	if !slices.Contains(found, f.Record) {
		return []string{}, nil // the record is not one the name finds
	}
	return ids, nil
}
