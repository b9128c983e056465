package server

import "context"
import "errors"
import "math"
import "net/http"
import "strconv"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/templates"

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2e9)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Pool.Ping(ctx); err != nil {
		s.log.Warn("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok"))
}

// startSession signs m in: a new session token (no fixation), then the
// person, tenant and role.
func (s *Server) startSession(ctx context.Context, m auth.Member) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessUserID, m.UserID.String())
	s.sessions.Put(ctx, sessTenantID, m.TenantID.String())
	s.sessions.Put(ctx, sessRole, string(m.Role))
	return nil
}

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	s.guestPage(w, r, func() templ.Component { return templates.LoginPage(s.page(r, "Sign in", ""), templates.AuthForm{}) })
}

func (s *Server) loginCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	f := templates.AuthForm{Email: email, Errors: map[string]string{}}
	if email == "" {
		f.Errors["email"] = "Enter your email address."
	}
	if password == "" {
		f.Errors["password"] = "Enter your password."
	}
	if len(f.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, templates.LoginPage(s.page(r, "Sign in", ""), f))
		return
	}
	m, err := s.auth.Login(r.Context(), email, password, s.clientIP(r))
	var te *auth.ThrottledError
	var fe db.FieldErrors
	switch {
	case errors.Is(err, db.ErrUnauthorized):
		s.log.Warn("login failed", "email", logEmail(email), "ip", s.clientIP(r))
		f.Message = "Wrong email or password."
		s.render(w, r, http.StatusUnauthorized, templates.LoginPage(s.page(r, "Sign in", ""), f))
		return
	case errors.As(err, &fe):
		f.Errors = fe
		if fe["email"] != "" {
			f.Email = "" // do not echo a kilobyte of garbage back
		}
		s.render(w, r, http.StatusUnprocessableEntity, templates.LoginPage(s.page(r, "Sign in", ""), f))
		return
	case errors.As(err, &te):
		s.log.Warn("login throttled", "email", logEmail(email), "ip", s.clientIP(r))
		f.Message = te.Error()
		setRetryAfter(w, te.RetryAfter)
		s.render(w, r, http.StatusTooManyRequests, templates.LoginPage(s.page(r, "Sign in", ""), f))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(r.Context(), m); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("login succeeded", "email", email, "user_id", m.UserID, "ip", s.clientIP(r))
	http.Redirect(w, r, s.takeNext(w, r), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.signOut(w, r, "You are signed out.")
}

// signOut ends this browser's session and sends it to sign in, saying msg
// (on a fresh anonymous session that carries the flash).
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, msg string) {
	ctx := r.Context()
	if err := s.sessions.Destroy(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(ctx, "info", msg)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// signIn starts m's session and goes home, saying msg.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, m auth.Member, kind, msg string) {
	if err := s.startSession(r.Context(), m); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), kind, msg)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) tenantSwitch(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	cur := currentMember(r)
	id, err := uuid.Parse(r.PostForm.Get("tenant_id"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	m, err := s.auth.Member(r.Context(), id, cur.UserID)
	if err == nil && !m.Active {
		err = db.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.signIn(w, r, m, "info", "Switched to "+m.TenantName+".")
}

// badForm answers a form that could not be parsed at all.
func (s *Server) badForm(w http.ResponseWriter, r *http.Request, err error) {
	if isBodyTooLarge(err) {
		s.fail(w, r, err)
		return
	}
	s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
}

// setRetryAfter sets Retry-After to d in whole seconds, rounded up.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
}

// logEmail keeps an attacker's kilobyte "email" out of the log.
func logEmail(email string) string {
	if len(email) > limits.Email {
		return email[:limits.Email] + "…"
	}
	return email
}
