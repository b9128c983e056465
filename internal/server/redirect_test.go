package server

import "net/url"
import "strings"
import "testing"

// TestLocalBack lists the shapes browsers read as another site (issue 13,
// hole 3). Before the fix, localBack accepted "/\t/evil.test" (browsers drop
// the tab and go to evil.test), and each resource had its own, looser copy.
func TestLocalBack(t *testing.T) {
	for _, bad := range []string{"", "evil.test", "//evil.test", "/\\evil.test", "/\t/evil.test", "/\n/evil.test",
		"/a\\b", "https://evil.test/", "javascript:alert(1)", "/x\x7f", "/scoring/..//evil.test", "/./x", " /x", "/x\x00",
		// Encoded slashes and backslashes that decode to another host
		// (found by FuzzLocalBack: "/%2F\"" reads as "//%22").
		"/%2F\"", "/%2F%2Fevil.test", "/%5Cevil.test", "/%2F%09x"} {
		if got := localBack(bad, "/fallback"); got != "/fallback" {
			t.Errorf("localBack(%q) = %q, want the fallback", bad, got)
		}
	}
	for _, ok := range []string{"/", "/accounts/1?q=a%20b#top", "/plans/x/edit?back=%2F%2Fevil", "/a/b.c/..d"} {
		if got := localBack(ok, "/fallback"); got != ok {
			t.Errorf("localBack(%q) = %q, want it kept", ok, got)
		}
	}
	if got := localBackUnder("/shortlist/reviews/2", "/f", "/shortlist/reviews/1"); got != "/f" {
		t.Errorf("localBackUnder outside the prefix: %q", got)
	}
}

// FuzzLocalBack: whatever comes in, what comes out is the fallback or a
// reference that, resolved against the site, stays on the site.
func FuzzLocalBack(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "/\t/x", "/a/../b", "/%2e%2e//x", "https://x", "/a?b=//c#//d"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://pareto.test/accounts/1")
	f.Fuzz(func(t *testing.T, raw string) {
		got := localBack(raw, "/fallback")
		if got == "/fallback" {
			return
		}
		if got != raw {
			t.Fatalf("localBack changed %q to %q", raw, got)
		}
		u, err := base.Parse(got)
		if err != nil || u.Scheme != "https" || u.Host != "pareto.test" || strings.HasPrefix(u.EscapedPath(), "//") {
			t.Fatalf("%q resolves off the site: %v (%v)", raw, u, err)
		}
		if strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("%q kept a backslash or control character", raw)
		}
	})
}
