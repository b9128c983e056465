package server

import "context"
import "errors"
import "net/http"
import "strings"

import "github.com/a-h/templ"
import "github.com/go-chi/chi/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/templates"

// Signup confirms the email before anything is created, and answers the
// same whether or not the address already has an account: a new address
// gets a confirmation link, a registered one a note to its owner.

func (s *Server) signupShow(w http.ResponseWriter, r *http.Request) {
	s.guestPage(w, r, func() templ.Component {
		return templates.SignupPage(s.page(r, "Create your organisation", ""), templates.AuthForm{})
	})
}

func (s *Server) signupCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := auth.SignupInput{OrgName: f.Text("org_name", limits.Name), Name: f.Text("name", limits.Name),
		Email: f.Text("email", limits.Email), Password: f.Raw("password")}
	var token string
	var existing bool
	err := f.Then(nil, func() (err error) {
		token, existing, err = s.auth.RequestSignup(r.Context(), in)
		return err
	})
	var fe db.FieldErrors
	switch {
	case errors.As(err, &fe):
		st := auth.JudgePassword(in.Password, in.Email, in.Name, in.OrgName)
		v := templates.AuthForm{OrgName: in.OrgName, Name: in.Name, Email: in.Email, Errors: fe, Strength: &st}
		s.render(w, r, http.StatusUnprocessableEntity, templates.SignupPage(s.page(r, "Create your organisation", ""), v))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	case existing:
		s.mail.Enqueue(s.mailSignupExisting(strings.ToLower(in.Email)))
	default:
		s.mail.Enqueue(s.mailSignupConfirm(in, token))
	}
	s.render(w, r, http.StatusOK, templates.MailSentPage(s.page(r, "Check your email", ""), "Check your email", strings.ToLower(in.Email),
		"open the link in it to create your organisation."))
}

func (s *Server) signupConfirmShow(w http.ResponseWriter, r *http.Request) {
	token, req, ok := tokenFor(s, w, r, signupLink, s.auth.PendingSignup)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, templates.SignupConfirmPage(s.page(r, "Create "+req.OrgName, ""),
		templates.SignupConfirmView{Token: token, OrgName: req.OrgName, Email: req.Email}))
}

func (s *Server) signupConfirm(w http.ResponseWriter, r *http.Request) {
	m, err := s.auth.ConfirmSignup(r.Context(), chi.URLParam(r, "token"))
	if errors.Is(err, auth.ErrAccountExists) {
		s.render(w, r, http.StatusConflict, templates.LinkInvalidPage(s.page(r, "Account exists", ""), "You already have an account",
			"An account with this email was created meanwhile. Sign in, or reset your password if you forgot it."))
		return
	}
	if err != nil {
		s.linkInvalid(w, r, err, signupLink)
		return
	}
	s.log.Info("signup", "user_id", m.UserID, "tenant_id", m.TenantID)
	s.signIn(w, r, m, "success", "Welcome to Pareto. Your organisation is ready.")
}

// emailLink is one kind of link sent by email with a token (signup,
// password reset, invitation): what its page says when the token does
// not work.
type emailLink struct{ heading, msg string }

var (
	signupLink = emailLink{"This link cannot be used", "The link is wrong, has expired or was already used. Sign up again to get a new one."}
	resetLink  = emailLink{"This link cannot be used", "The link is wrong, has expired, was already used or was replaced by a newer one. Ask for a new link."}
	inviteLink = emailLink{"This invitation cannot be used", "The link is wrong, has expired, was revoked or was already used. Ask your admin for a new invitation."}
)

// tokenFor reads the token of an emailed link's path and looks up what
// it names. ok false: it has answered (the link's invalid page, or the
// error).
func tokenFor[T any](s *Server, w http.ResponseWriter, r *http.Request, l emailLink,
	lookup func(context.Context, string) (T, error)) (string, T, bool) {
	token := chi.URLParam(r, "token")
	v, err := lookup(r.Context(), token)
	if err != nil {
		s.linkInvalid(w, r, err, l)
		return token, v, false
	}
	return token, v, true
}

// linkInvalid answers an emailed link that does not work (404), or the
// error.
func (s *Server) linkInvalid(w http.ResponseWriter, r *http.Request, err error, l emailLink) {
	if !errors.Is(err, db.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusNotFound, templates.LinkInvalidPage(s.page(r, l.heading, ""), l.heading, l.msg))
}
