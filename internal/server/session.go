package server

import "context"
import "net/http"
import "time"

import "github.com/alexedwards/scs/v2"

// session loads the session for the request and saves it before the
// response's first byte, like scs's LoadAndSave, with one difference: when
// saving fails, the client gets the error page instead of the handler's
// response, and nothing of the handler's response follows it. (With
// LoadAndSave a failed save wrote the error page and then the handler's own
// status and body after it — "superfluous WriteHeader" in the log, and a
// garbled page — which happened under load when the save timed out.)
// It also records that the session middleware ran (see hasSession).
func (s *Server) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		var token string
		if c, err := r.Cookie(s.sessions.Cookie.Name); err == nil {
			token = c.Value
		}
		ctx, err := s.sessions.Load(r.Context(), token)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sr := r.WithContext(context.WithValue(ctx, ctxSession, true))
		sw := &sessionWriter{ResponseWriter: w, r: sr, s: s}
		next.ServeHTTP(sw, sr)
		if !sw.saved {
			sw.save()
		}
	})
}

// sessionWriter saves the session when the handler starts its response.
type sessionWriter struct {
	http.ResponseWriter
	r      *http.Request
	s      *Server
	saved  bool // save ran (whatever its outcome)
	failed bool // save failed: the error page was written, the handler's response is dropped
}

// save commits a modified session and sets its cookie (or clears the
// cookie of a destroyed one). On failure it answers with the error page.
func (sw *sessionWriter) save() {
	sw.saved = true
	sm, ctx := sw.s.sessions, sw.r.Context()
	switch sm.Status(ctx) {
	case scs.Modified:
		token, expiry, err := sm.Commit(ctx)
		if err != nil {
			sw.failed = true
			sw.s.fail(sw.ResponseWriter, sw.r, err)
			return
		}
		sm.WriteSessionCookie(ctx, sw.ResponseWriter, token, expiry)
	case scs.Destroyed:
		sm.WriteSessionCookie(ctx, sw.ResponseWriter, "", time.Time{})
	}
}

func (sw *sessionWriter) WriteHeader(code int) {
	if !sw.saved {
		sw.save()
	}
	if sw.failed {
		return
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *sessionWriter) Write(b []byte) (int, error) {
	if !sw.saved {
		sw.save()
	}
	if sw.failed {
		return len(b), nil
	}
	return sw.ResponseWriter.Write(b)
}

func (sw *sessionWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }
