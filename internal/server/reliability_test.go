package server_test

import "context"
import "fmt"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "net/url"
import "os"
import "path/filepath"
import "runtime"
import "slices"
import "strconv"
import "strings"
import "sync"
import "testing"
import "time"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/server"

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serveOn starts another server on an existing pool, as a second instance
// behind a load balancer would be.
func serveOn(t *testing.T, d *db.DB) *testApp {
	return serveOnConfig(t, d, server.Config{BaseURL: "http://pareto.test"})
}

// serveOnConfig is serveOn with a server configuration of the test's own.
func serveOnConfig(t *testing.T, d *db.DB, cfg server.Config) *testApp {
	srv := server.New(cfg, d, quietLog())
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Stop() })
	return &testApp{t: t, DB: d, Srv: srv, URL: ts.URL}
}

func TestTwoInstancesShareSessions(t *testing.T) {
	a := newTestApp(t)
	c, _ := a.signup("Acme", "ada@acme.test")
	b := serveOn(t, a.DB)
	// The same browser, now routed to instance B.
	other := b.client()
	u := mustURL(t, b.URL)
	other.http.Jar.SetCookies(u, c.http.Jar.Cookies(mustURL(t, a.URL)))
	res := other.get("/")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Welcome, Admin of Acme") {
		t.Fatalf("instance B did not accept instance A's session: %d", res.Status)
	}
}

func TestPoolExhaustionAnswers503Fast(t *testing.T) {
	d, err := db.Open(context.Background(), dbtest.URL(t), db.Options{MaxConns: 2, AcquireTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	a := serveOn(t, d)
	c, _ := a.signup("Acme", "ada@acme.test")
	goroutinesBefore := runtime.NumGoroutine()

	// Hold every connection, as a stuck burst of requests would.
	var held []interface{ Release() }
	for range 2 {
		conn, err := d.Pool.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
	}
	start := time.Now()
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i] = c.get("/").Status })
	}
	wg.Wait()
	took := time.Since(start)
	for i, s := range statuses {
		if s != http.StatusServiceUnavailable {
			t.Errorf("request %d: got %d, want 503", i, s)
		}
	}
	if took > 3*time.Second {
		t.Errorf("8 requests on an exhausted pool took %v; want a fast 503", took)
	}
	for _, h := range held {
		h.Release()
	}
	if res := c.get("/"); res.Status != http.StatusOK {
		t.Fatalf("after release: %d", res.Status)
	}
	// No goroutine leak: allow the HTTP client's idle connections.
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > goroutinesBefore+10 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutinesBefore+10 {
		t.Fatalf("goroutines %d after, %d before", n, goroutinesBefore)
	}
}

func TestDatabaseRestartDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own PostgreSQL cluster")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pareto-restart")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	cluster, err := db.StartLocal(ctx, filepath.Join(dir, "pg"), db.LocalOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop() })
	if err := cluster.EnsureDatabase(ctx, "pareto"); err != nil {
		t.Fatal(err)
	}
	url := cluster.URL("pareto")
	if err := db.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, url, db.Options{MaxConns: 4, AcquireTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	a := serveOn(t, d)
	c, _ := a.signup("Acme", "ada@acme.test")

	// Load while the database goes away and comes back.
	stop := make(chan struct{})
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := c.get("/").Status
				mu.Lock()
				counts[s]++
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	cluster, err = db.StartLocal(ctx, filepath.Join(dir, "pg"), db.LocalOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	recovered := false
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c.get("/").Status == http.StatusOK && a.client().get("/healthz").Status == http.StatusOK {
			recovered = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if !recovered {
		t.Fatal("app did not recover within 10s of the database coming back")
	}
	for status, n := range counts {
		if status != http.StatusOK && status != http.StatusServiceUnavailable {
			t.Errorf("%d responses with status %d; want only 200 or 503", n, status)
		}
	}
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 seen while the database was down; did the outage happen?")
	}
	// What was acknowledged before the outage is still there.
	if res := a.login("ada@acme.test").get("/"); res.Status != http.StatusOK {
		t.Fatalf("login after restart: %d", res.Status)
	}
}

func TestBackupAndRestoreServeTheSamePages(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	_, admin := a.signup("Acme", "ada@acme.test")
	a.addMember(admin, "kim@acme.test", "Kim Kam", "kam")
	page := a.login("ada@acme.test").get("/admin/users").Body

	file := filepath.Join(t.TempDir(), "pareto.dump")
	if err := db.Backup(ctx, a.DBURL, file); err != nil {
		t.Fatal(err)
	}
	target := dbtest.URL(t)
	if err := db.Restore(ctx, target, file); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, target, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	b := serveOn(t, d)
	restored := b.login("ada@acme.test").get("/admin/users").Body
	for _, want := range []string{"Kim Kam", "kim@acme.test", "Admin of Acme"} {
		if !strings.Contains(page, want) || !strings.Contains(restored, want) {
			t.Errorf("%q missing before or after restore", want)
		}
	}
}

// N editors save the same account at once, each from the version it read.
// Every accepted save must show in the version count: none is lost.
func TestConcurrentEditorsLoseNoAcceptedWrite(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	acct := at.account(t, account.Input{"name": "Globex", "annual_revenue": "100"})
	path := "/accounts/" + acct.ID.String()
	editors := []*client{at.AdminC, at.LeaderC, a.login("admin@acme.test"), a.login("leader@acme.test")}
	var mu sync.Mutex
	accepted, conflicts := 0, 0
	var lastAccepted []string
	var wg sync.WaitGroup
	for e, c := range editors {
		wg.Go(func() {
			for i := range 10 {
				v := at.get(t, acct.ID).Version
				name := fmt.Sprintf("Globex e%d i%d", e, i)
				form := accountForm(name)
				form.Set("version", strconv.Itoa(v))
				res := c.postForm(path, form)
				mu.Lock()
				switch res.Status {
				case http.StatusSeeOther:
					accepted++
					lastAccepted = append(lastAccepted, name)
				case http.StatusConflict:
					conflicts++
				default:
					t.Errorf("save got %d", res.Status)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	final := at.get(t, acct.ID)
	if accepted != final.Version-acct.Version {
		t.Fatalf("%d saves accepted but the version moved %d → %d: a write was lost or double-counted", accepted, acct.Version, final.Version)
	}
	if accepted+conflicts != len(editors)*10 {
		t.Fatalf("accepted %d + conflicts %d != %d attempts", accepted, conflicts, len(editors)*10)
	}
	if !slices.Contains(lastAccepted, final.Name) {
		t.Fatalf("final name %q was never an accepted save", final.Name)
	}
	t.Logf("%d accepted, %d conflicts", accepted, conflicts)
}
