package server

import "net/http"
import "strings"

import "github.com/a-h/templ"
import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/mail"
import "pareto/internal/numfmt"
import "pareto/templates"

func (s *Server) usersView(r *http.Request) (templates.UsersView, error) {
	members, err := s.auth.Members(r.Context(), scope(r))
	if err != nil {
		return templates.UsersView{}, err
	}
	invites, err := s.auth.PendingInvites(r.Context(), scope(r))
	if err != nil {
		return templates.UsersView{}, err
	}
	orphaned, err := s.assignments().CountNeedingReassignment(r.Context(), scope(r))
	if err != nil {
		return templates.UsersView{}, err
	}
	return templates.UsersView{Members: members, Invites: invites, InviteForm: templates.InviteForm{Role: string(auth.RoleKAM)}, Outbox: s.outbox != nil,
		NeedsReassignment: orphaned}, nil
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) {
	v, err := s.usersView(r)
	if link := s.sessions.PopString(r.Context(), sessInviteLink); link != "" {
		v.NewInvite = &templates.NewInvite{Email: s.sessions.PopString(r.Context(), sessInviteEmail), Link: link}
	}
	s.show(w, r, err, func() templ.Component { return templates.UsersPage(s.page(r, "People", "admin"), v) })
}

func (s *Server) usersPage(r *http.Request, edit func(*templates.UsersView)) (templ.Component, error) {
	v, err := s.usersView(r)
	edit(&v)
	return templates.UsersPage(s.page(r, "People", "admin"), v), err
}

func (s *Server) inviteCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	email, role := f.Text("email", limits.Email), f.Raw("role")
	var token string
	var inv auth.Invite
	err := f.Then(nil, func() (err error) {
		token, inv, err = s.auth.CreateInvite(r.Context(), scope(r), email, auth.Role(role))
		return err
	})
	if err == nil {
		s.mail.Enqueue(s.mailInvite(inv, currentMember(r), token))
		// Shown once, on the page the redirect opens (userList pops it).
		s.sessions.Put(r.Context(), sessInviteLink, s.link("/invites/"+token))
		s.sessions.Put(r.Context(), sessInviteEmail, inv.Email)
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.usersPage(r, func(v *templates.UsersView) {
				v.InviteForm = templates.InviteForm{Email: email, Role: role, Errors: fe}
			})
		},
		Flash: "Invitation sent to " + inv.Email + ". The link works once and expires in 7 days.", Next: "/admin/users"})
}

func (s *Server) inviteRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(chi.URLParam(r, "inviteID"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	inv, err := s.auth.RevokeInvite(r.Context(), scope(r), id)
	s.saved(w, r, err, saved{Flash: "Invitation to " + inv.Email + " revoked: its link no longer works.", Next: "/admin/users"})
}

// outboxShow lists the demo outbox (the route exists only when mail goes
// there): mail to the tenant's people and the tenant's invitations, never
// another tenant's.
func (s *Server) outboxShow(w http.ResponseWriter, r *http.Request) {
	members, err := s.auth.Members(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ours := map[string]bool{}
	for _, m := range members {
		ours[strings.ToLower(m.Email)] = true
	}
	tenant := currentMember(r).TenantID
	msgs, err := s.outbox.Messages(func(m mail.Message) bool { return m.Tenant == tenant || ours[strings.ToLower(m.To)] })
	s.show(w, r, err, func() templ.Component {
		return templates.OutboxPage(s.page(r, "Outbox", "admin"), templates.OutboxView{Messages: msgs})
	})
}

func (s *Server) memberUpdate(w http.ResponseWriter, r *http.Request) {
	userID, f, version, ok := editFor(s, w, r, pathID("userID"))
	if !ok {
		return
	}
	var m auth.Member
	err := f.Then(nil, func() (err error) {
		m, err = s.auth.UpdateMember(r.Context(), scope(r), userID, auth.Role(f.Raw("role")), f.Check("active"), version)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.usersPage(r, func(v *templates.UsersView) { v.MemberError, v.ErrorUserID = fe, userID.String() })
		},
		Flash: s.memberSavedMessage(r, m), Next: "/admin/users"})
}

// memberSavedMessage says what a member's change did, and which of their
// accounts now need a new KAM.
func (s *Server) memberSavedMessage(r *http.Request, m auth.Member) string {
	if m.UserID == uuid.Nil {
		return ""
	}
	msg := "Saved " + m.Name + ": " + m.Role.Label() + map[bool]string{true: ", active.", false: ", deactivated."}[m.Active]
	if !m.Active || m.Role != auth.RoleKAM {
		// Their accounts need a new KAM: say so (the page links to /kams).
		if n, err := s.assignments().CountAccounts(r.Context(), scope(r), m.UserID); err == nil && n > 0 {
			msg += " " + m.Name + " still manages " + plural(n, "account", "accounts") + ": reassign them on the KAMs page."
		}
	}
	return msg
}

// tenantSettingsShow is the tenant's number format (the admin's choice
// of numfmt locale).
func (s *Server) tenantSettingsShow(w http.ResponseWriter, r *http.Request) {
	st, err := s.auth.TenantSettingsOf(r.Context(), scope(r))
	s.show(w, r, err, func() templ.Component {
		return templates.TenantSettingsPage(s.page(r, "Number format", "admin"), templates.TenantSettingsView{Locale: st.Locale, Version: st.Version})
	})
}

func (s *Server) tenantSettingsSave(w http.ResponseWriter, r *http.Request) {
	f, version := s.readEdit(w, r)
	if f == nil {
		return
	}
	in := auth.TenantSettings{Locale: f.Trim("locale")}
	err := s.auth.UpdateTenantSettings(r.Context(), scope(r), in, version)
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return templates.TenantSettingsPage(s.page(r, "Number format", "admin"),
				templates.TenantSettingsView{Locale: in.Locale, Version: version, Errors: fe}), nil
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := s.auth.TenantSettingsOf(r.Context(), scope(r))
			return templates.ConflictView{Heading: "The number format was changed by someone else",
				BackHref: "/admin/settings", BackLabel: "Open the current settings",
				Rows: templates.TextConflictRows(templates.ConflictRow{Label: "Numbers and dates",
					Theirs: numfmt.ForName(cur.Locale).Label, Mine: numfmt.ForName(in.Locale).Label})}, err
		},
		Section: "admin", Flash: "Number format saved.", Next: "/admin/settings"})
}
