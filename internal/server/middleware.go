package server

import "context"
import "crypto/rand"
import "encoding/hex"
import "errors"
import "fmt"
import "io/fs"
import "log/slog"
import "net/http"
import "net/netip"
import "runtime/debug"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/httpwatch"
import "pareto/internal/numfmt"

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxMember
	ctxLogAttrs
	ctxSession
	ctxTenants  // the signed-in person's active memberships ([]auth.Membership)
	ctxPrefetch // what the layout reads, queued ahead (*layoutReads)
)

// Session keys.
const (
	sessUserID    = "user_id"
	sessTenantID  = "tenant_id"
	sessRole      = "role"
	sessFlash     = "flash"
	sessFlashKind = "flash_kind"
	sessFlashHref = "flash_href"
	sessFlashLink = "flash_link"
	// The link of the invitation just created, shown once on the next
	// page (the token is stored hashed, so it cannot be shown later).
	sessInviteLink  = "invite_link"
	sessInviteEmail = "invite_email"
)

func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxRequestID, id)))
	})
}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// logAttrs lets inner middleware add the user and tenant to the request's
// log line.
type logAttrs struct{ attrs []slog.Attr }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &httpwatch.Writer{ResponseWriter: w}
		la := &logAttrs{}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), ctxLogAttrs, la)))
		if sw.Status == 0 {
			sw.Status = http.StatusOK
		}
		attrs := append([]slog.Attr{
			slog.String("request_id", requestIDFrom(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.Status),
			slog.Int("bytes", sw.Bytes),
			slog.Duration("duration", time.Since(start)),
		}, la.attrs...)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

func addLogAttrs(ctx context.Context, attrs ...slog.Attr) {
	if la, ok := ctx.Value(ctxLogAttrs).(*logAttrs); ok {
		la.attrs = append(la.attrs, attrs...)
	}
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", requestIDFrom(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				w.Header().Set("Connection", "close")
				s.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "We could not complete this request. It was logged; please try again.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// The policy allows scripts, styles and everything else from our own
// origin only: no inline scripts or styles, no eval (htmx is configured to
// need neither), and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses state-changing requests from other origins
// (Fetch metadata and Origin checks; GET, HEAD and OPTIONS pass). Go's
// check compares an Origin's host only; without Fetch metadata we also
// require its scheme and host to be exactly the request's own origin or
// the configured base URL's, so http://host cannot post to https://host.
func (s *Server) crossOriginProtection() func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		s.renderError(w, r, http.StatusForbidden, "Request refused", "This request came from another site and was refused.")
	})
	cop.SetDenyHandler(deny)
	return func(next http.Handler) http.Handler {
		checked := cop.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if safeMethod(r.Method) || r.Header.Get("Sec-Fetch-Site") != "" || origin == "" {
				checked.ServeHTTP(w, r)
				return
			}
			if origin != s.requestOrigin(r) && origin != strings.TrimRight(s.cfg.BaseURL, "/") {
				deny.ServeHTTP(w, r)
				return
			}
			checked.ServeHTTP(w, r)
		})
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// requestOrigin is scheme://host of the request as the client addressed
// it: https when on TLS or when a trusted proxy says so.
func (s *Server) requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	} else if p, err := netip.ParseAddrPort(r.RemoteAddr); err == nil && s.trusted(p.Addr()) && r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// staticFiles serves web/static. Folders answer 404: no listings.
func (s *Server) staticFiles(fsys fs.FS) http.Handler {
	sub, err := fs.Sub(fsys, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if st, err := fs.Stat(sub, strings.TrimSuffix(name, "/")); name == "" || (err == nil && st.IsDir()) {
			s.notFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// loadUser puts the signed-in member, if any, into the request context.
// It reads the membership on every request, so a deactivation or a role
// change takes effect at once; a role change also renews the session token.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		userID, err1 := uuid.Parse(s.sessions.GetString(ctx, sessUserID))
		tenantID, err2 := uuid.Parse(s.sessions.GetString(ctx, sessTenantID))
		if err1 != nil || err2 != nil {
			next.ServeHTTP(w, r)
			return
		}
		// A read runs every store call in one read-only transaction, this
		// lookup first; it ends before the response is written.
		var rt *db.RequestTx
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			ctx, rt = s.db.BeginRequest(ctx, db.Scope{TenantID: tenantID, UserID: userID})
			defer s.endRequestTx(r, rt)
			w = &endTxOnWrite{ResponseWriter: w, end: func() { s.endRequestTx(r, rt) }}
		}
		m, tenants, err := s.auth.MemberWithTenants(ctx, tenantID, userID)
		if errors.Is(err, db.ErrNotFound) || (err == nil && !m.Active) {
			s.endRequestTx(r, rt)
			s.log.Warn("session refused: membership gone or deactivated", "user_id", userID, "tenant_id", tenantID)
			if err := s.sessions.Destroy(ctx); err != nil {
				s.fail(w, r, err)
				return
			}
			s.flash(ctx, "info", "Your access has ended. Sign in again, or ask your admin.")
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if s.sessions.GetString(ctx, sessRole) != string(m.Role) {
			if err := s.sessions.RenewToken(ctx); err != nil {
				s.fail(w, r, err)
				return
			}
			s.sessions.Put(ctx, sessRole, string(m.Role))
		}
		addLogAttrs(ctx, slog.String("user_id", userID.String()), slog.String("tenant_id", tenantID.String()))
		ctx = context.WithValue(context.WithValue(ctx, ctxMember, &m), ctxTenants, tenants)
		ctx = numfmt.WithLocale(ctx, numfmt.ForName(m.Locale))
		if rt != nil && !isHTMX(r) {
			ctx = s.prefetchLayout(ctx, r.URL.Path, db.Scope{TenantID: tenantID, UserID: userID})
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// endRequestTx ends a request's read transaction (nil: none), logging a
// failed commit (the reads were served; nothing was written).
func (s *Server) endRequestTx(r *http.Request, rt *db.RequestTx) {
	if err := rt.End(r.Context()); err != nil {
		s.log.Warn("request transaction", "request_id", requestIDFrom(r.Context()), "err", err)
	}
}

// endTxOnWrite ends the request's read transaction when the response
// starts, so its connection is back in the pool before anything else
// (the session store) needs one.
type endTxOnWrite struct {
	http.ResponseWriter
	end func()
}

func (w *endTxOnWrite) WriteHeader(code int) {
	w.end()
	w.ResponseWriter.WriteHeader(code)
}

func (w *endTxOnWrite) Write(b []byte) (int, error) {
	w.end()
	return w.ResponseWriter.Write(b)
}

func (w *endTxOnWrite) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// currentMember is the signed-in member, or nil.
func currentMember(r *http.Request) *auth.Member {
	m, _ := r.Context().Value(ctxMember).(*auth.Member)
	return m
}

// scope is the tenant and person a signed-in request works for.
func scope(r *http.Request) db.Scope {
	m := currentMember(r)
	return db.Scope{TenantID: m.TenantID, UserID: m.UserID}
}

func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if currentMember(r) == nil {
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", "/login")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			s.rememberNext(w, r)
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireRole(roles ...auth.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := currentMember(r)
			for _, role := range roles {
				if m.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			s.fail(w, r, fmt.Errorf("role %s may not %s %s: %w", m.Role, r.Method, r.URL.Path, db.ErrForbidden))
		})
	}
}
