package webhook_test

import "context"
import "encoding/json"
import "errors"
import "io"
import "net/http"
import "net/http/httptest"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/docs/examples/webhookverify"
import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/webhook"

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	d     *db.DB
	sc    db.Scope
	other db.Scope
	store *webhook.Store
	key   *webhook.Key
}

func setup(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.New(t)
	as := auth.NewStore(d)
	m, err := as.Signup(ctx, auth.SignupInput{OrgName: "Acme", Name: "Ann Admin", Email: "ann@acme.test", Password: "correct horse battery staple 9"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := as.Signup(ctx, auth.SignupInput{OrgName: "Other", Name: "Olga", Email: "olga@other.test", Password: "correct horse battery staple 9"})
	if err != nil {
		t.Fatal(err)
	}
	key := webhook.RandomKey()
	return fixture{d: d, sc: db.Scope{TenantID: m.TenantID, UserID: m.UserID}, other: db.Scope{TenantID: o.TenantID, UserID: o.UserID},
		store: &webhook.Store{DB: d, Key: key, AllowHTTPLocalhost: true}, key: key}
}

func (f fixture) worker(now func() time.Time) *webhook.Worker {
	return &webhook.Worker{DB: f.d, Key: f.key, Log: nil, Client: webhook.NewClient(true), Now: now, Concurrency: 2}
}

func (f fixture) endpoint(t *testing.T, url string, events ...string) (string, webhook.Endpoint) {
	t.Helper()
	secret, e, err := f.store.CreateEndpoint(context.Background(), f.sc, webhook.EndpointInput{URL: url, Events: events, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return secret, e
}

func createAccount(t *testing.T, d *db.DB, sc db.Scope, name string) account.Account {
	t.Helper()
	fs, err := account.Input{"name": name}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	a, err := account.NewStore(d).CreateAccount(context.Background(), sc, auth.RoleAdmin, fs)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// receiver records what arrives, verifying each request with the docs'
// example.
type receiver struct {
	mu     sync.Mutex
	secret string
	fail   int // answer 500 to this many requests first
	got    []delivered
	srv    *httptest.Server
}

type delivered struct {
	id   string
	body map[string]any
	raw  string
	hdr  http.Header
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.fail > 0 {
			rc.fail--
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		id, err := webhookverify.Verify(rc.secret, r.Header, b, time.Now())
		if err != nil {
			t.Errorf("verify: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("body: %v", err)
		}
		rc.got = append(rc.got, delivered{id: id, body: body, raw: string(b), hdr: r.Header.Clone()})
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) received() []delivered {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.got...)
}

func count(t *testing.T, d *db.DB, sc db.Scope, table string) int {
	t.Helper()
	var n int
	if err := d.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOutboxInTransaction: a committed change writes its event and one
// delivery per subscribed endpoint; a rolled-back change writes none; a
// type nobody subscribes to writes nothing; another tenant sees nothing.
func TestOutboxInTransaction(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	createAccount(t, f.d, f.sc, "Before any endpoint")
	if n := count(t, f.d, f.sc, "webhook_events"); n != 0 {
		t.Fatalf("events without endpoints: %d", n)
	}
	f.endpoint(t, "https://crm.example.com/a", webhook.AccountCreated, webhook.AccountUpdated)
	f.endpoint(t, "https://crm.example.com/b", webhook.AccountCreated)
	f.endpoint(t, "https://crm.example.com/c", webhook.ReviewClosed)
	a := createAccount(t, f.d, f.sc, "Globex")
	// One event, two deliveries (a and b subscribe to account.created).
	if e, d := count(t, f.d, f.sc, "webhook_events"), count(t, f.d, f.sc, "webhook_deliveries"); e != 1 || d != 2 {
		t.Fatalf("after create: %d events, %d deliveries; want 1, 2", e, d)
	}
	// Rolled back: the change and its event go together.
	boom := errors.New("boom")
	err := f.d.Tx(ctx, f.sc, func(tx pgx.Tx) error {
		if err := webhook.Emit(ctx, tx, f.sc.TenantID, webhook.Change(webhook.AccountUpdated, "account", a.ID, nil, map[string]string{"name": "x"})); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if e, d := count(t, f.d, f.sc, "webhook_events"), count(t, f.d, f.sc, "webhook_deliveries"); e != 1 || d != 2 {
		t.Fatalf("after rollback: %d events, %d deliveries; want 1, 2", e, d)
	}
	// Archived: nobody subscribes to account.archived.
	if _, err := account.NewStore(f.d).ArchiveAccount(ctx, f.sc, auth.RoleAdmin, a.ID); err != nil {
		t.Fatal(err)
	}
	if e := count(t, f.d, f.sc, "webhook_events"); e != 1 {
		t.Fatalf("unsubscribed type written: %d events", e)
	}
	if e := count(t, f.d, f.other, "webhook_events"); e != 0 {
		t.Fatalf("other tenant sees %d events", e)
	}
	if err := f.d.Tx(ctx, f.sc, func(tx pgx.Tx) error {
		return webhook.Emit(ctx, tx, f.sc.TenantID, webhook.Event{Type: "account.exploded"})
	}); err == nil {
		t.Fatal("unknown type accepted")
	}
}

// TestDeliverSignRetry delivers through a receiver that fails twice:
// the attempts back off (30 s, then 60 s, ±20 %), the third succeeds
// with the same Webhook-Id and body, verified by the docs' example.
func TestDeliverSignRetry(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	rc := newReceiver(t)
	rc.fail = 2
	secret, ep := f.endpoint(t, rc.srv.URL+"/hook", webhook.AccountCreated)
	rc.secret = secret
	a := createAccount(t, f.d, f.sc, "Initech")

	clock := time.Now()
	w := f.worker(func() time.Time { return clock })
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first run: %d attempts, %v", n, err)
	}
	p, err := f.store.Deliveries(ctx, f.sc, webhook.DeliveryFilter{})
	if err != nil || len(p.Deliveries) != 1 {
		t.Fatalf("log: %v %v", p, err)
	}
	d := p.Deliveries[0]
	if d.State != webhook.StatePending || d.Attempts != 1 || d.LastStatus != 500 || d.EndpointID != ep.ID {
		t.Fatalf("after a 500: %+v", d)
	}
	// The next attempt is due 30 s later, give or take 20 %: 24 s to 36 s.
	if wait := d.NextAttemptAt.Sub(clock); wait < 24*time.Second || wait > 36*time.Second {
		t.Fatalf("first retry after %v, want 24–36 s", wait)
	}
	// Not due yet: nothing happens.
	if n, _ := w.RunOnce(ctx); n != 0 {
		t.Fatalf("retried early: %d", n)
	}
	clock = clock.Add(37 * time.Second)
	if n, _ := w.RunOnce(ctx); n != 1 {
		t.Fatalf("second attempt: %d", n)
	}
	p, _ = f.store.Deliveries(ctx, f.sc, webhook.DeliveryFilter{})
	// Second delay 60 s ±20 %: 48 s to 72 s.
	if wait := p.Deliveries[0].NextAttemptAt.Sub(clock); wait < 48*time.Second || wait > 72*time.Second {
		t.Fatalf("second retry after %v, want 48–72 s", wait)
	}
	clock = clock.Add(73 * time.Second)
	if n, _ := w.RunOnce(ctx); n != 1 {
		t.Fatalf("third attempt: %d", n)
	}
	p, _ = f.store.Deliveries(ctx, f.sc, webhook.DeliveryFilter{})
	d = p.Deliveries[0]
	if d.State != webhook.StateDelivered || d.Attempts != 3 || d.LastStatus != 200 || d.DeliveredAt.IsZero() {
		t.Fatalf("after success: %+v", d)
	}
	got := rc.received()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	g := got[0]
	if g.id != d.EventID.String() || g.body["id"] != g.id || g.body["type"] != webhook.AccountCreated {
		t.Fatalf("id %s, body %v", g.id, g.body)
	}
	data := g.body["data"].(map[string]any)
	if data["object"] != "account" || data["id"] != a.ID.String() || data["current"].(map[string]any)["name"] != "Initech" {
		t.Fatalf("data %v", data)
	}
	if g.hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("content type %q", g.hdr.Get("Content-Type"))
	}
	// A wrong secret, a changed body or an old timestamp do not verify.
	if _, err := webhookverify.Verify(secret+"x", g.hdr, []byte(g.raw), time.Now()); err == nil {
		t.Fatal("wrong secret verified")
	}
	if _, err := webhookverify.Verify(secret, g.hdr, []byte(strings.Replace(g.raw, "Initech", "Initech!", 1)), time.Now()); err == nil {
		t.Fatal("changed body verified")
	}
	if _, err := webhookverify.Verify(secret, g.hdr, []byte(g.raw), time.Now().Add(10*time.Minute)); err == nil {
		t.Fatal("old request verified")
	}

	// Replay: the same Webhook-Id and body again.
	if err := f.store.Replay(ctx, f.sc, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Replay(ctx, f.other, d.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("other tenant's replay: %v", err)
	}
	w.Now = nil
	if n, _ := w.RunOnce(ctx); n != 1 {
		t.Fatalf("replay: %d", n)
	}
	got = rc.received()
	if len(got) != 2 || got[1].id != got[0].id || got[1].raw != got[0].raw {
		t.Fatalf("replay sent %v", got)
	}
}

// TestGiveUpAfterADay: a receiver that never answers 2xx gets attempts
// until 24 hours after the event, then the delivery is failed.
func TestGiveUpAfterADay(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	rc := newReceiver(t)
	rc.fail = 1000
	secret, _ := f.endpoint(t, rc.srv.URL, webhook.AccountCreated)
	rc.secret = secret
	createAccount(t, f.d, f.sc, "Hooli")
	start := time.Now()
	clock := start
	w := f.worker(func() time.Time { return clock })
	attempts := 0
	for range 40 {
		n, _ := w.RunOnce(ctx)
		attempts += n
		p, err := f.store.Deliveries(ctx, f.sc, webhook.DeliveryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		d := p.Deliveries[0]
		if d.State == webhook.StateFailed {
			break
		}
		clock = d.NextAttemptAt
	}
	p, _ := f.store.Deliveries(ctx, f.sc, webhook.DeliveryFilter{})
	d := p.Deliveries[0]
	if d.State != webhook.StateFailed {
		t.Fatalf("not failed after %d attempts: %+v", attempts, d)
	}
	// Delays 30 s, 1, 2, 4, 8, 16, 32, 64, 128 min, then 4 h each (±20 %):
	// the first nine take about 4 h 15 min, then four or five 4-hour
	// steps fit in the rest of the day: 13 to 16 attempts in all.
	if d.Attempts < 13 || d.Attempts > 16 || d.Attempts != attempts {
		t.Fatalf("%d attempts (counted %d), want 13–16", d.Attempts, attempts)
	}
	if last := d.LastAttemptAt.Sub(start); last > 24*time.Hour {
		t.Fatalf("last attempt %v after the event", last)
	}
}

// TestSkipLocked: two workers on one database never send a delivery
// twice and together send every one.
func TestSkipLocked(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		seen[r.Header.Get("Webhook-Id")]++
		mu.Unlock()
	}))
	defer srv.Close()
	f.endpoint(t, srv.URL, webhook.AccountCreated)
	for i := range 12 {
		createAccount(t, f.d, f.sc, "Account "+string(rune('A'+i)))
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.worker(nil).RunOnce(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(seen) != 12 {
		t.Fatalf("%d of 12 events arrived", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s arrived %d times", id, n)
		}
	}
}

// TestRefusedAddresses: endpoints on the server itself or private
// networks are refused when registered, and the client refuses to dial
// them unless loopback is allowed; redirects are not followed.
func TestRefusedAddresses(t *testing.T) {
	for _, tc := range []struct {
		url       string
		allow, ok bool
	}{
		{"https://crm.example.com/hook", false, true},
		{"http://crm.example.com/hook", false, false},
		{"http://crm.example.com/hook", true, false},
		{"http://localhost:8081/hook", false, false},
		{"http://localhost:8081/hook", true, true},
		{"http://127.0.0.1:9/hook", true, true},
		{"https://127.0.0.1/hook", false, false},
		{"https://10.1.2.3/hook", true, false},
		{"https://169.254.169.254/latest/meta-data", true, false},
		{"https://[::1]/hook", false, false},
		{"https://user:pw@crm.example.com/hook", false, false},
		{"ftp://crm.example.com/hook", false, false},
		{"crm.example.com/hook", false, false},
	} {
		in := webhook.EndpointInput{URL: tc.url, Events: []string{webhook.AccountCreated}}
		fe := in.Validate(tc.allow)
		if (len(fe) == 0) != tc.ok {
			t.Errorf("%s (allow %v): errors %v, want ok %v", tc.url, tc.allow, fe, tc.ok)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example.com/", http.StatusFound)
	}))
	defer srv.Close()
	if _, err := webhook.NewClient(false).Get(srv.URL); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("loopback dialled: %v", err)
	}
	res, err := webhook.NewClient(true).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("redirect followed: %d", res.StatusCode)
	}
}

// TestEndpointsAdmin: secrets are sealed (not stored as is), rotation
// changes the signing secret, a stale version conflicts, another tenant
// finds nothing.
func TestEndpointsAdmin(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	secret, e := f.endpoint(t, "https://crm.example.com/hook", webhook.AccountCreated)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	var stored []byte
	if err := f.d.Tx(ctx, f.sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT secret_sealed FROM webhook_endpoints").Scan(&stored)
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored), secret[6:]) {
		t.Fatal("secret stored in the clear")
	}
	in := webhook.EndpointInput{URL: e.URL, Events: []string{webhook.AccountCreated, webhook.ScoreChanged}, Enabled: false}
	if err := f.store.UpdateEndpoint(ctx, f.sc, e.ID, in, e.Version); err != nil {
		t.Fatal(err)
	}
	if err := f.store.UpdateEndpoint(ctx, f.sc, e.ID, in, e.Version); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := f.store.Endpoint(ctx, f.other, e.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
	if _, err := f.store.RotateSecret(ctx, f.other, e.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("other tenant rotates: %v", err)
	}
	if err := f.store.DeleteEndpoint(ctx, f.other, e.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("other tenant deletes: %v", err)
	}
	s2, err := f.store.RotateSecret(ctx, f.sc, e.ID)
	if err != nil || s2 == secret {
		t.Fatalf("rotate: %v", err)
	}
	if err := f.store.DeleteEndpoint(ctx, f.sc, e.ID); err != nil {
		t.Fatal(err)
	}
	if es, _ := f.store.Endpoints(ctx, f.sc); len(es) != 0 {
		t.Fatalf("left: %v", es)
	}
	// A key made from other bytes cannot open a sealed secret.
	if _, err := webhook.NewKey(make([]byte, 16)); err == nil {
		t.Fatal("short key accepted")
	}
}
