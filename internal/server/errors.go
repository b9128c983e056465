package server

import "bytes"
import "context"
import "crypto/sha256"
import "encoding/hex"
import "errors"
import "net/http"
import "strconv"
import "strings"
import "sync"

import "github.com/a-h/templ"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/templates"

// fail is the one place an error becomes a response. Only unexpected
// errors are logged as errors; authorization failures are logged as
// warnings (every one of them, as the security policy asks).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var te *auth.ThrottledError
	var fe db.FieldErrors
	switch {
	case errors.Is(err, db.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, db.ErrForbidden):
		m := currentMember(r)
		attrs := []any{"request_id", requestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path, "reason", err.Error()}
		if m != nil {
			attrs = append(attrs, "user_id", m.UserID, "tenant_id", m.TenantID, "role", m.Role)
		}
		s.log.Warn("authorization failure", attrs...)
		s.renderError(w, r, http.StatusForbidden, "Not allowed", "Your role does not allow this. Ask an admin if you need access.")
	case errors.Is(err, db.ErrUnauthorized):
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case errors.Is(err, db.ErrConflict):
		s.renderError(w, r, http.StatusConflict, "Changed by someone else",
			"Someone saved this record after you opened it. Reload the page to see their changes, then apply yours again.")
	case errors.As(err, &te):
		setRetryAfter(w, te.RetryAfter)
		s.renderError(w, r, http.StatusTooManyRequests, "Too many attempts", te.Error())
	case errors.Is(err, auth.ErrBusy):
		s.log.Warn("sign-in queue full", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path)
		w.Header().Set("Retry-After", "5")
		s.renderError(w, r, http.StatusServiceUnavailable, "Busy", "Many people are signing in right now. Please try again in a few seconds.")
	case errors.As(err, &fe):
		s.renderError(w, r, http.StatusUnprocessableEntity, "Check your input", "Some values were not valid.")
	case db.IsBadInput(err):
		s.log.Warn("input refused by the database", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusBadRequest, "Check your input", "Some of what you sent cannot be stored (for example invalid characters). Nothing was saved.")
	case isBodyTooLarge(err):
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "Too large", "The request was larger than this form accepts.")
	case errors.Is(err, context.Canceled):
		// The client went away; nothing to answer.
	case db.IsUnavailable(err):
		s.log.Error("database unavailable", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		s.renderError(w, r, http.StatusServiceUnavailable, "Temporarily unavailable", "Pareto cannot reach its database right now. Please try again in a few seconds.")
	default:
		s.log.Error("internal error", "request_id", requestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "We could not complete this request. It was logged; please try again.")
	}
}

func isBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "Not found", "There is nothing at this address, or you do not have access to it.")
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	s.render(w, r, status, s.errorPage(r, status, heading, msg))
}

// errorPage is the page of an error: what went wrong and what to do.
func (s *Server) errorPage(r *http.Request, status int, heading, msg string) templ.Component {
	return templates.ErrorPage(s.page(r, heading, ""), templates.ErrorView{Status: status, Heading: heading, Message: msg,
		RequestID: requestIDFrom(r.Context())})
}

// show answers a GET with a page: err (from loading what it shows) goes
// to the one error mapping (fail); otherwise page renders with 200.
func (s *Server) show(w http.ResponseWriter, r *http.Request, err error, page func() templ.Component) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, page())
}

// guestPage answers a page for people not signed in (sign in, sign
// up): a signed-in member is sent home instead.
func (s *Server) guestPage(w http.ResponseWriter, r *http.Request, page func() templ.Component) {
	if currentMember(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, page())
}

// render writes c with status, rendering into a buffer first so a
// rendering error still yields a clean 500. The first invalid field of a
// form in c takes the focus.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := s.renderBuffer(w, r, c)
	if buf == nil {
		return
	}
	defer putRenderBuffer(buf)
	writeHTML(w, status, buf)
}

// writeHTML sends a rendered page with its length.
func writeHTML(w http.ResponseWriter, status int, buf *bytes.Buffer) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderBuffers keeps the buffers pages are rendered into: a page is
// tens of kilobytes, and a fresh buffer per request grew by doubling to
// that size each time (a third of the bytes a shortlist request
// allocated, measured under load).
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledRender: a buffer grown larger than this (a rare huge page)
// is left to the garbage collector rather than kept.
const maxPooledRender = 1 << 20

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledRender {
		b.Reset()
		renderBuffers.Put(b)
	}
}

// renderBuffer renders c into a pooled buffer, or answers 500 and
// returns nil when rendering fails.
func (s *Server) renderBuffer(w http.ResponseWriter, r *http.Request, c templ.Component) *bytes.Buffer {
	buf := renderBuffers.Get().(*bytes.Buffer)
	if err := c.Render(templates.WithFocus(r.Context()), buf); err != nil {
		putRenderBuffer(buf)
		s.log.Error("render", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path, "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return nil
	}
	return buf
}

// renderCached renders c with a strong ETag (a hash of the answer) and
// Cache-Control: private, no-cache, so the browser revalidates its copy;
// a request whose If-None-Match names the answer gets 304 without a body.
// For resources a page loads beside itself (the shortlist's chart).
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, c templ.Component) {
	buf := s.renderBuffer(w, r, c)
	if buf == nil {
		return
	}
	defer putRenderBuffer(buf)
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Add("Vary", "HX-Request")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == etag || strings.TrimPrefix(t, "W/") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	writeHTML(w, http.StatusOK, buf)
}

// page builds the layout data every page shares.
func (s *Server) page(r *http.Request, title, section string) templates.Page {
	p := templates.Page{Title: title, Section: section, User: currentMember(r)}
	ctx := r.Context()
	if s.sessions != nil && hasSession(r) {
		if msg := s.sessions.PopString(ctx, sessFlash); msg != "" {
			p.Flash = templates.Flash{Kind: s.sessions.PopString(ctx, sessFlashKind), Message: msg,
				Link: templates.Link{Href: s.sessions.PopString(ctx, sessFlashHref), Label: s.sessions.PopString(ctx, sessFlashLink)}}
		}
	}
	if p.User != nil {
		// Read with the member (loadUser), not again.
		p.Tenants, _ = ctx.Value(ctxTenants).([]auth.Membership)
		// The bell: at most notify.CountCap+1 index entries of the person's.
		unread := s.notify.Unread
		if pre, _ := ctx.Value(ctxPrefetch).(*layoutReads); pre != nil {
			unread = func(ctx context.Context, _ db.Scope) (int, error) { return pre.unread(ctx) }
		}
		n, err := unread(ctx, scope(r))
		if err != nil {
			s.log.Warn("notifications count", "request_id", requestIDFrom(ctx), "err", err)
		}
		p.Unread = n
	}
	return p
}

// hasSession reports whether the session middleware ran for r (it did not
// for static files and /healthz).
func hasSession(r *http.Request) bool {
	return r.Context().Value(ctxSession) != nil
}

func (s *Server) flash(ctx context.Context, kind, msg string) {
	s.sessions.Put(ctx, sessFlash, msg)
	s.sessions.Put(ctx, sessFlashKind, kind)
}

// flashLink adds a link (a local path) after the flash just set.
func (s *Server) flashLink(ctx context.Context, l templates.Link) {
	s.sessions.Put(ctx, sessFlashHref, l.Href)
	s.sessions.Put(ctx, sessFlashLink, l.Label)
}
