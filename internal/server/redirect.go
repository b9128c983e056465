package server

import "net/http"
import "net/url"
import "strings"

// Where a form sends the person back to. Every "come back here" address a
// form or query carries passes localBack, so a link cannot send anyone to
// another site.

// localBack is the one gate for every redirect target a request names
// (back, return_to, next): it returns raw when it is a path on this site,
// else fallback. Accepted: a single leading "/" followed by neither "/" nor
// "\"; no backslash, space or control character (tab included) anywhere; no
// scheme or host once parsed; no "." or ".." segment; and the same once
// percent-decoded. Browsers read "//x", "/\x" and "/\t/x" as another
// host, so those fall back.
func localBack(raw, fallback string) string {
	if !isLocalPath(raw) {
		return fallback
	}
	return raw
}

func isLocalPath(p string) bool {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return false
	}
	// The decoded path must pass the same gate: "/%2F%2Fevil.test"
	// decodes to "//evil.test", and a router or a later redirect built
	// from the decoded path would read it as another host.
	if strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\\x7f") || strings.ContainsFunc(u.Path, func(r rune) bool { return r < 0x20 }) {
		return false
	}
	// Dot segments ("/a/..//evil.test" normalises to "//evil.test").
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// refererPath is the page a form was posted from, when on this site.
func refererPath(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || u.Path == "" {
		return ""
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// localBackUnder is localBack limited to paths under one of prefixes (a
// review's decisions return only to that review).
func localBackUnder(raw, fallback string, prefixes ...string) string {
	if back := localBack(raw, ""); back != "" {
		for _, p := range prefixes {
			if strings.HasPrefix(back, p) {
				return back
			}
		}
	}
	return fallback
}

// scoringBack keeps a scoring form's "come back here" address only when
// it is a local page of scoring, accounts or the shortlist.
func scoringBack(back, def string) string {
	return localBackUnder(back, def, "/scoring/", "/accounts/", "/shortlist")
}

// nextCookie carries the page a signed-out person asked for through the
// login form (a cookie, so the redirect stays a plain /login and an
// anonymous visit writes no session).
const nextCookie = "pareto_next"

// rememberNext notes a GET's path for after login.
func (s *Server) rememberNext(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		return
	}
	next := localBack(r.URL.RequestURI(), "")
	if next == "" || len(next) > 1000 {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: nextCookie, Value: url.QueryEscape(next), Path: "/", MaxAge: 600,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// takeNext returns the remembered page (through localBack) or "/", and
// forgets it.
func (s *Server) takeNext(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(nextCookie)
	if err != nil {
		return "/"
	}
	http.SetCookie(w, &http.Cookie{Name: nextCookie, Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return "/"
	}
	return localBack(v, "/")
}
