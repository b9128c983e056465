package server

import "errors"
import "net/http"

import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/templates"

// The person's signed-in sessions: list, sign one out, sign out everywhere.

func (s *Server) sessionList(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.UserSessions(r.Context(), currentMember(r).UserID, s.sessions.Token(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.SessionsPage(s.page(r, "Signed-in devices", ""), templates.SessionsView{Sessions: list}))
}

// sessionRevoke signs one of the person's other sessions out. An id that
// is not theirs (or ended already) changes nothing and says so.
func (s *Server) sessionRevoke(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	id, perr := uuid.Parse(f.Raw("session_id"))
	err := db.ErrNotFound
	if perr == nil {
		err = s.store.RevokeSession(r.Context(), currentMember(r).UserID, id)
	}
	switch {
	case errors.Is(err, db.ErrNotFound):
		s.flash(r.Context(), "info", "That device was already signed out.")
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		s.flash(r.Context(), "success", "The device is signed out.")
	}
	http.Redirect(w, r, "/me/sessions", http.StatusSeeOther)
}

// sessionRevokeAll signs the person out everywhere, this browser too. The
// form carries confirm=yes (its button does), so a stray post does not.
func (s *Server) sessionRevokeAll(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	if f.Raw("confirm") != "yes" {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Not confirmed", "Use the “Sign out everywhere” button on the signed-in devices page.")
		return
	}
	ctx := r.Context()
	n, err := s.store.RevokeUser(ctx, currentMember(r).UserID, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("signed out everywhere", "user_id", currentMember(r).UserID, "sessions", n)
	s.signOut(w, r, "You are signed out on every device.")
}
