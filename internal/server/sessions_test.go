package server_test

import "context"
import "crypto/sha256"
import "fmt"
import "net/http"
import "net/url"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"

// ownerQuery runs sql as the owning login (outside the app's role), for
// looking at tables the app cannot show.
func (a *testApp) ownerQuery(sql string, args ...any) pgx.Row {
	a.t.Helper()
	conn, err := pgx.Connect(context.Background(), a.DBURL)
	if err != nil {
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn.QueryRow(context.Background(), sql, args...)
}

// sessionsDigest is one checksum over every column of every session row.
func (a *testApp) sessionsDigest() string {
	a.t.Helper()
	var d string
	if err := a.ownerQuery("SELECT coalesce(md5(string_agg(s::text, '|' ORDER BY s::text)), '') FROM sessions s").Scan(&d); err != nil {
		a.t.Fatal(err)
	}
	return d
}

// TestPlainGetWritesNothing: reading pages leaves the sessions table
// exactly as it was (issue 19). Before the fix scs's idle timeout marked
// every loaded session modified and each GET rewrote the row's expiry.
func TestPlainGetWritesNothing(t *testing.T) {
	a := newTestApp(t)
	c, _ := a.signup("Acme", "ada@acme.test")
	c.get("/") // the flash of the signup is read (and removed) here
	before := a.sessionsDigest()
	time.Sleep(20 * time.Millisecond) // a rewritten expiry would differ
	for _, p := range []string{"/", "/accounts", "/admin/users", "/shortlist", "/me/sessions"} {
		if res := c.get(p); res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, res.Status)
		}
	}
	if after := a.sessionsDigest(); after != before {
		t.Fatal("a plain GET changed the sessions table")
	}
}

// TestSessionTokensHashedAtRest: the table holds SHA-256(token), never the
// token (issue 13, hole 9). Before the fix the token column held the
// cookie's value.
func TestSessionTokensHashedAtRest(t *testing.T) {
	a := newTestApp(t)
	c, _ := a.signup("Acme", "ada@acme.test")
	token := c.cookie()
	var clear, hashed int
	if err := a.ownerQuery(`SELECT count(*) FILTER (WHERE s::text LIKE '%' || $1 || '%'),
		count(*) FILTER (WHERE s::text LIKE '%' || $2 || '%') FROM sessions s`,
		token, sha256Hex(token)).Scan(&clear, &hashed); err != nil {
		t.Fatal(err)
	}
	if clear != 0 || hashed != 1 {
		t.Fatalf("rows with the token in clear: %d (want 0); with its SHA-256: %d (want 1)", clear, hashed)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 64)
	for _, b := range sum {
		out = append(out, hex[b>>4], hex[b&15])
	}
	return string(out)
}

// TestConcurrentLoginsBoundedHashing: 20 logins at once (20 people, one
// address) never run more hashes than the semaphore allows, and all succeed
// (they queue).
func TestConcurrentLoginsBoundedHashing(t *testing.T) {
	a := newTestApp(t)
	_, admin := a.signup("Acme", "ada@acme.test")
	ctx := context.Background()
	for i := range 20 {
		token, _, err := a.Srv.Auth().CreateInvite(ctx, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, fmt.Sprintf("kam%d@acme.test", i), auth.RoleKAM)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Srv.Auth().AcceptInvite(ctx, token, fmt.Sprintf("KAM %d", i), testPassword); err != nil {
			t.Fatal(err)
		}
	}
	h := auth.NewHasher(2, 64, time.Minute)
	a.Srv.Auth().Hasher = h
	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for i := range 20 {
		wg.Go(func() {
			res := a.client().postForm("/login", url.Values{"email": {fmt.Sprintf("kam%d@acme.test", i)}, "password": {testPassword}})
			statuses <- res.Status
		})
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusSeeOther {
			t.Fatalf("a login got %d, want 303", st)
		}
	}
	if p := h.Peak(); p < 1 || p > h.Slots() {
		t.Fatalf("peak concurrent hashes %d, want at most %d", p, h.Slots())
	}
}

// TestLoginBusyAnswers503: a login that cannot get a hashing slot before
// the queue's deadline gets 503 with Retry-After, not a hang or a 500.
func TestLoginBusyAnswers503(t *testing.T) {
	a := newTestApp(t)
	a.signup("Acme", "ada@acme.test")
	a.Srv.Auth().Hasher = auth.NewHasher(0, 0, 10*time.Millisecond) // never a free slot
	res := a.client().postForm("/login", url.Values{"email": {"ada@acme.test"}, "password": {testPassword}})
	if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("got %d Retry-After %q, want 503 with Retry-After", res.Status, res.Header.Get("Retry-After"))
	}
}

// TestFailedSessionSaveAnswersOnePage: when saving the session fails (the
// database refuses the row; under load it was a timeout), the client gets
// the error page alone. Before the fix (scs's LoadAndSave) the error page
// was followed by the handler's own page in the same body — two documents —
// and the log said "superfluous response.WriteHeader".
func TestFailedSessionSaveAnswersOnePage(t *testing.T) {
	a := newTestApp(t)
	c, _ := a.signup("Acme", "ada@acme.test") // leaves a flash: the next page pops it, modifying the session
	conn, err := pgx.Connect(context.Background(), a.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `ALTER TABLE sessions ADD CONSTRAINT sessions_refuse_all CHECK (false) NOT VALID`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the Citus suite reuses databases
		conn, err := pgx.Connect(context.Background(), a.DBURL)
		if err == nil {
			_, _ = conn.Exec(context.Background(), `ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_refuse_all`)
			conn.Close(context.Background())
		}
	})
	res := c.get("/")
	if res.Status < 400 {
		t.Fatalf("status %d with the session unsaved, want an error status", res.Status)
	}
	if n := strings.Count(res.Body, "</html>"); n != 1 {
		t.Fatalf("the body holds %d HTML documents, want 1 (the error page alone)", n)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Fatal("a cookie was sent for a session that was not saved")
	}
}
