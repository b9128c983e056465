package server

import "errors"
import "net/http"
import "time"

import "pareto/internal/api"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/templates"

// API tokens (admin) and the API's reference page.

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, status int, v templates.TokensView) {
	var err error
	if v.Tokens, err = s.auth.Tokens(r.Context(), scope(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, templates.TokensPage(s.page(r, "API tokens", "admin"), v))
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) {
	s.tokensPage(w, r, http.StatusOK, templates.TokensView{})
}

// tokenCreate shows the new token's secret on the answer itself (no
// redirect): it is never shown again.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := auth.TokenInput{Name: f.Trim("name"), Scope: auth.TokenScope(f.Trim("scope"))}
	if f.Trim("expires_at") != "" {
		if d := f.OptDate("expires_at"); d != nil { // else a field error
			// The token works through the whole day it expires on.
			in.ExpiresAt = d.Add(24 * time.Hour)
		}
	}
	var secret string
	var t auth.Token
	err := f.Then(nil, func() (err error) {
		secret, t, err = s.auth.CreateToken(r.Context(), scope(r), in)
		return err
	})
	v := templates.TokensView{Form: templates.TokenForm{Name: in.Name, Scope: string(in.Scope), ExpiresAt: f.Trim("expires_at")}}
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		v.Form.Errors = fe
		s.tokensPage(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.tokensPage(w, r, http.StatusOK, templates.TokensView{Secret: secret, SecretName: t.Name})
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "tokenID")
	if err == nil {
		err = s.auth.RevokeToken(r.Context(), scope(r), id)
	}
	s.saved(w, r, err, saved{Flash: "Token revoked: it no longer works.", Next: "/admin/tokens"})
}

// apiReference is the API's reference, rendered from its OpenAPI document.
func (s *Server) apiReference(w http.ResponseWriter, r *http.Request) {
	ref, err := api.ReadReference()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.APIReferencePage(s.page(r, "API reference", ""), ref))
}
