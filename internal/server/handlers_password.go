package server

import "errors"
import "net/http"
import "strings"

import "github.com/go-chi/chi/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/templates"

// Passwords: forgot → reset by email (a single-use link, 30 minutes), change
// while signed in, and the strength meter.

func (s *Server) forgotShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, templates.ForgotPage(s.page(r, "Forgot your password?", ""), templates.AuthForm{}))
}

// forgotCreate answers the same whether or not the email has an account;
// only an existing one gets mail (sent in the background, so the answer
// takes as long either way).
func (s *Server) forgotCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	email := strings.ToLower(f.Text("email", limits.Email))
	var token string
	var u auth.User
	err := f.Then(nil, func() (err error) {
		token, u, err = s.auth.RequestReset(r.Context(), email, s.clientIP(r))
		return err
	})
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.render(w, r, http.StatusUnprocessableEntity, templates.ForgotPage(s.page(r, "Forgot your password?", ""),
			templates.AuthForm{Email: email, Errors: fe}))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	case token != "":
		s.mail.Enqueue(s.mailReset(u, token))
		s.log.Info("password reset requested", "user_id", u.ID, "ip", s.clientIP(r))
	}
	s.render(w, r, http.StatusOK, templates.MailSentPage(s.page(r, "Check your email", ""), "Check your email", email,
		"if an account uses this address, the email holds a link to choose a new password. It works once, for 30 minutes."))
}

func (s *Server) resetShow(w http.ResponseWriter, r *http.Request) {
	token, u, ok := tokenFor(s, w, r, resetLink, s.auth.ResetUser)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, templates.ResetPage(s.page(r, "Choose a new password", ""), templates.ResetView{Token: token, Email: u.Email}))
}

func (s *Server) resetUpdate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	token, password := chi.URLParam(r, "token"), f.Raw("password")
	u, err := s.auth.ResetPassword(r.Context(), token, password)
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		ru, uerr := s.auth.ResetUser(r.Context(), token)
		if uerr != nil {
			s.linkInvalid(w, r, uerr, resetLink)
			return
		}
		st := auth.JudgePassword(password, ru.Email, ru.Name)
		s.render(w, r, http.StatusUnprocessableEntity, templates.ResetPage(s.page(r, "Choose a new password", ""),
			templates.ResetView{Token: token, Email: ru.Email, Form: templates.AuthForm{Errors: fe, Strength: &st}}))
		return
	case err != nil:
		s.linkInvalid(w, r, err, resetLink)
		return
	}
	s.log.Info("password reset", "user_id", u.ID, "ip", s.clientIP(r))
	// Every session of the person ended, this browser's too if it had one.
	s.signOut(w, r, "Your password is changed and every device was signed out. Sign in with the new password.")
}

func (s *Server) passwordShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, templates.PasswordChangePage(s.page(r, "Change your password", ""),
		templates.PasswordChangeForm{Email: currentMember(r).Email}))
}

func (s *Server) passwordUpdate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	m := currentMember(r)
	ctx := r.Context()
	password := f.Raw("password")
	err := s.auth.ChangePassword(ctx, m.UserID, f.Raw("current_password"), password, s.sessions.Token(ctx))
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		st := auth.JudgePassword(password, m.Email, m.Name, m.TenantName)
		s.render(w, r, http.StatusUnprocessableEntity, templates.PasswordChangePage(s.page(r, "Change your password", ""),
			templates.PasswordChangeForm{Email: m.Email, Form: templates.AuthForm{Errors: fe, Strength: &st}}))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	// A new token for this session too: the old one may have leaked.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("password changed", "user_id", m.UserID, "ip", s.clientIP(r))
	s.flash(ctx, "success", "Your password is changed. Every other device was signed out.")
	http.Redirect(w, r, "/me/sessions", http.StatusSeeOther)
}

// passwordStrength is the meter's live reading (htmx, as the person
// types); without JavaScript the form shows the same after a submit.
func (s *Server) passwordStrength(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	pw := f.Raw("password")
	if len(pw) > 4*limits.Password {
		pw = pw[:4*limits.Password]
	}
	var personal []string
	for _, name := range []string{"email", "name", "org_name"} {
		if v := f.Raw(name); len(v) <= limits.Email {
			personal = append(personal, v)
		}
	}
	if m := currentMember(r); m != nil {
		personal = append(personal, m.Email, m.Name, m.TenantName)
	}
	st := auth.JudgePassword(pw, personal...)
	s.render(w, r, http.StatusOK, templates.PasswordMeter(&st))
}
