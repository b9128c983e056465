package server

import "net/http"

import "pareto/internal/auth"

// throttled counts every request of the route against keys (auth.Throttle:
// exponential backoff) and answers 429 with Retry-After once they are
// blocked. For actions where every attempt counts: signup, invitations,
// uploads. Logins and reset requests throttle inside their handlers.
func (s *Server) throttled(keys func(r *http.Request) []auth.Key) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := s.auth.Throttle.Attempt(r.Context(), keys(r)...); err != nil {
				s.log.Warn("throttled", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path, "ip", s.clientIP(r))
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (s *Server) signupKeys(r *http.Request) []auth.Key {
	return []auth.Key{auth.K(auth.SignupIP, s.clientIP(r))}
}

// memberKeys throttle a signed-in person's action by who they are.
func memberKeys(l auth.Limit) func(r *http.Request) []auth.Key {
	return func(r *http.Request) []auth.Key { return []auth.Key{auth.K(l, currentMember(r).UserID.String())} }
}

func (s *Server) uploadKeys(r *http.Request) []auth.Key {
	return []auth.Key{auth.K(auth.UploadUser, currentMember(r).UserID.String()), auth.K(auth.UploadIP, s.clientIP(r))}
}
