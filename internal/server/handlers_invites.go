package server

import "errors"
import "net/http"

import "github.com/go-chi/chi/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/templates"

// Invitations. A person new to Pareto creates their account from the link;
// someone who has an account signs in first and then joins with one
// button. The page never asks for an existing account's password, and
// reads the same to a signed-out visitor whether or not the invited email
// has an account.

func (s *Server) inviteShow(w http.ResponseWriter, r *http.Request) {
	token, inv, ok := tokenFor(s, w, r, inviteLink, s.auth.InviteByToken)
	if !ok {
		return
	}
	if currentMember(r) == nil {
		s.rememberNext(w, r) // "Sign in to accept" comes back here
	}
	s.render(w, r, http.StatusOK, templates.InvitePage(s.page(r, "Join "+inv.TenantName, ""), s.inviteView(r, token, inv, templates.AuthForm{})))
}

func (s *Server) inviteView(r *http.Request, token string, inv auth.Invite, f templates.AuthForm) templates.InviteView {
	v := templates.InviteView{Token: token, TenantName: inv.TenantName, Email: inv.Email, Role: inv.Role.Label(), Form: f}
	if m := currentMember(r); m != nil {
		v.SignedInAs = m.Email
	}
	return v
}

// inviteAccept creates a new person's account from the invitation.
func (s *Server) inviteAccept(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	token := chi.URLParam(r, "token")
	name, password := f.Text("name", limits.Name), f.Raw("password")
	var m auth.Member
	err := f.Then(nil, func() (err error) {
		m, err = s.auth.AcceptInvite(r.Context(), token, name, password)
		return err
	})
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		inv, ierr := s.auth.InviteByToken(r.Context(), token)
		if ierr != nil {
			s.linkInvalid(w, r, ierr, inviteLink)
			return
		}
		st := auth.JudgePassword(password, inv.Email, name, inv.TenantName)
		v := s.inviteView(r, token, inv, templates.AuthForm{Name: name, Errors: fe, Strength: &st})
		s.render(w, r, http.StatusUnprocessableEntity, templates.InvitePage(s.page(r, "Join "+inv.TenantName, ""), v))
		return
	}
	if err != nil {
		s.inviteRefused(w, r, err)
		return
	}
	s.signIn(w, r, m, "success", "Welcome to "+m.TenantName+".")
}

// inviteJoin adds the signed-in person to the invitation's tenant and
// switches to it.
func (s *Server) inviteJoin(w http.ResponseWriter, r *http.Request) {
	cur := currentMember(r)
	if cur == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	m, err := s.auth.JoinInvite(r.Context(), chi.URLParam(r, "token"), cur.UserID)
	if err != nil {
		s.inviteRefused(w, r, err)
		return
	}
	s.signIn(w, r, m, "success", "You joined "+m.TenantName+" as "+m.Role.Label()+".")
}

// inviteRefused says why an invitation could not be accepted.
func (s *Server) inviteRefused(w http.ResponseWriter, r *http.Request, err error) {
	heading, msg := "", ""
	switch {
	case errors.Is(err, auth.ErrAccountExists):
		heading, msg = "You already have an account", "This email already has a Pareto account. Sign in with it, then open the invitation link again to join."
	case errors.Is(err, auth.ErrInviteUsed):
		heading, msg = "This invitation was just used", "Someone accepted this invitation a moment ago, or it was revoked. Ask your admin for a new one if you still need it."
	case errors.Is(err, auth.ErrInviteOtherEmail):
		heading, msg = "This invitation is for someone else", "Sign out, then sign in with the email the invitation was sent to."
	case errors.Is(err, auth.ErrAlreadyMember):
		heading, msg = "You are already a member", "You already belong to this organisation; your role stays as it is. Switch to it at the top of the page."
	case errors.Is(err, auth.ErrMembershipEnded):
		heading, msg = "Your access here was ended", "An admin deactivated your membership of this organisation. Only an admin can reactivate it; an invitation does not."
	default:
		s.linkInvalid(w, r, err, inviteLink)
		return
	}
	s.render(w, r, http.StatusConflict, templates.LinkInvalidPage(s.page(r, heading, ""), heading, msg))
}
