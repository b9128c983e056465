package server_test

import "bytes"
import "crypto/sha256"
import "fmt"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "net/netip"
import "net/url"
import "strings"
import "sync"
import "testing"

import "pareto/internal/server"

// TestLoginErrOversizedEmail: a 3 KB email answers 422 with the message
// beside the field (issue 13, hole 4). Before the fix it was a 500: the
// email reached an index and PostgreSQL refused the row size.
func TestLoginErrOversizedEmail(t *testing.T) {
	a := newTestApp(t)
	// Incompressible, like a real attack (PostgreSQL compresses "aaaa…").
	var b strings.Builder
	for i := 0; b.Len() < 3000; i++ {
		fmt.Fprintf(&b, "%x", sha256.Sum256([]byte{byte(i), byte(i >> 8)}))
	}
	res := a.client().postForm("/login", url.Values{"email": {b.String() + "@x.test"}, "password": {"whatever-it-is"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="email-error"`) ||
		!strings.Contains(res.Body, "Use at most 254 characters.") {
		t.Fatalf("got %d\n%s", res.Status, res.Body)
	}
}

// TestReturnToAskedPageAfterLogin: a signed-out visitor is sent to /login
// and, after signing in, back to the page asked for (through localBack).
func TestReturnToAskedPageAfterLogin(t *testing.T) {
	a := newTestApp(t)
	a.signup("Acme", "ada@acme.test")
	c := a.client()
	if res := c.get("/accounts?q=x"); res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("anonymous: %d %q", res.Status, res.Location)
	}
	res := c.postForm("/login", url.Values{"email": {"ada@acme.test"}, "password": {testPassword}})
	if res.Status != http.StatusSeeOther || res.Location != "/accounts?q=x" {
		t.Fatalf("after login: %d %q, want /accounts?q=x", res.Status, res.Location)
	}
	// Used once: the next login lands on the dashboard.
	c.postForm("/logout", nil)
	if res := c.postForm("/login", url.Values{"email": {"ada@acme.test"}, "password": {testPassword}}); res.Location != "/" {
		t.Fatalf("second login went to %q", res.Location)
	}
}

// TestSignupThrottledByIP: signups from one address are throttled with 429,
// Retry-After and a human message (issue 13, hole 5; before: unlimited).
func TestSignupThrottledByIP(t *testing.T) {
	a := newTestApp(t)
	var last response
	for i := range 11 {
		last = a.client().postForm("/signup", url.Values{"org_name": {"Org"}, "name": {"N"}, "email": {"x" + string(rune('a'+i)) + "@example.test"}, "password": {"short"}})
	}
	if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" ||
		!strings.Contains(last.Body, "Too many attempts. Try again in 1 minute.") {
		t.Fatalf("11th signup from one IP: %d Retry-After %q", last.Status, last.Header.Get("Retry-After"))
	}
}

// TestTrustedProxies: X-Forwarded-For counts only from a configured proxy.
func TestTrustedProxies(t *testing.T) {
	a := newTestApp(t)
	prefixes, err := server.ParseTrustedProxies("127.0.0.1, ::1/128")
	if err != nil {
		t.Fatal(err)
	}
	behind := serveOnConfig(t, a.DB, server.Config{BaseURL: "http://pareto.test", TrustedProxies: prefixes})
	n := 0
	login := func(app *testApp, xff string) response {
		n++ // a new account each time: only the IP is throttled
		form := url.Values{"email": {fmt.Sprintf("nobody%d@x.test", n)}, "password": {"wrong-password"}}
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		return app.client().do(req)
	}
	// Behind the proxy, 20 failures from 192.0.2.1 block that client only.
	for range 20 {
		login(behind, "192.0.2.1")
	}
	if res := login(behind, "192.0.2.1"); res.Status != http.StatusTooManyRequests {
		t.Fatalf("forwarded client after 20 failures: %d", res.Status)
	}
	if res := login(behind, "192.0.2.2"); res.Status != http.StatusUnauthorized {
		t.Fatalf("another forwarded client: %d, want 401", res.Status)
	}
	// Without trusted proxies the header is ignored: a forged one does not
	// escape the socket's address (127.0.0.1, which is not blocked yet).
	if res := login(a, "192.0.2.1"); res.Status != http.StatusUnauthorized {
		t.Fatalf("untrusted X-Forwarded-For: %d, want 401", res.Status)
	}
	if _, err := server.ParseTrustedProxies("10.0.0.0/8, nonsense"); err == nil {
		t.Fatal("a bad entry was accepted")
	}
	if p, _ := server.ParseTrustedProxies("10.1.2.3"); len(p) != 1 || p[0] != netip.MustParsePrefix("10.1.2.3/32") {
		t.Fatalf("single address: %v", p)
	}
}

// TestSmallHoles: issue 13, hole 10. Each failed on the old code: the
// Origin check ignored the scheme, /static/ listed its files, HEAD /healthz
// was 405, and error pages had no request id.
func TestSmallHoles(t *testing.T) {
	a := newTestApp(t)
	c, _ := a.signup("Acme", "ada@acme.test")
	t.Run("CrossOriginComparesScheme", func(t *testing.T) {
		post := func(origin string) int {
			req, _ := http.NewRequest(http.MethodPost, a.URL+"/tenant", strings.NewReader("tenant_id=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", origin)
			return c.do(req).Status
		}
		host := strings.TrimPrefix(a.URL, "http://")
		if st := post("https://" + host); st != http.StatusForbidden {
			t.Fatalf("Origin https://%s on an http request: %d, want 403", host, st)
		}
		if st := post("http://" + host); st == http.StatusForbidden {
			t.Fatal("same origin refused")
		}
	})
	t.Run("StaticListsNoDirectories", func(t *testing.T) {
		for _, p := range []string{"/static/", "/static/icons/"} {
			if res := c.get(p); res.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, res.Status)
			}
		}
		if res := c.get("/static/app.css"); res.Status != http.StatusOK {
			t.Errorf("a file: %d", res.Status)
		}
	})
	t.Run("HeadHealthz", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodHead, a.URL+"/healthz", nil)
		if res := c.do(req); res.Status != http.StatusOK {
			t.Fatalf("HEAD /healthz: %d", res.Status)
		}
	})
	t.Run("ErrorPageShowsLoggedRequestID", func(t *testing.T) {
		var buf syncBuffer
		srv := server.New(server.Config{BaseURL: "http://pareto.test"}, a.DB, slog.New(slog.NewTextHandler(&buf, nil)))
		ts := httptest.NewServer(srv)
		defer func() { ts.Close(); srv.Stop() }()
		res, err := http.Get(ts.URL + "/no/such/page")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		id := res.Header.Get("X-Request-Id")
		page := a.client().get("/no/such/page") // another request: another id
		if id == "" || !strings.Contains(buf.String(), "request_id="+id) {
			t.Fatalf("request id %q not in the log:\n%s", id, buf.String())
		}
		if want := page.Header.Get("X-Request-Id"); !strings.Contains(page.Body, `<span class="mono" id="request-id">`+want+`</span>`) {
			t.Fatalf("404 page does not show its request id %q", want)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
