package server

import (
	"net/http"
	"net/url"
	"strings"
)

// Where a form sends the person back to. Every "come back here" address a
// form or query carries passes localBack, so a link cannot send anyone to
// another site.

// localBack returns raw when it is a path on this site, else fallback.
func localBack(raw, fallback string) string {
	if raw == "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, "/\\") {
		return fallback
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return raw
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

// localPath reports whether p is a path on this site without backslashes
// or line breaks (for return addresses kept in forms).
func localPath(p string) bool {
	return localBack(p, "") != "" && !strings.ContainsAny(p, "\\\r\n")
}

// scoringBack keeps a scoring form's "come back here" address only when
// it is a local page of scoring, accounts or the shortlist.
func scoringBack(back, def string) string {
	if !localPath(back) || strings.Contains(back, "..") {
		return def
	}
	for _, p := range []string{"/scoring/", "/accounts/", "/shortlist"} {
		if strings.HasPrefix(back, p) {
			return back
		}
	}
	return def
}
