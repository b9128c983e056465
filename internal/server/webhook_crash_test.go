package server_test

import "context"
import "crypto/rand"
import "encoding/base64"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "net/http"
import "net/http/httptest"
import "net/url"
import "sync"
import "syscall"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/docs/examples/webhookverify"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/webhook"

// slowReceiver is a webhook receiver that deduplicates by Webhook-Id the
// way the docs tell receivers to: it counts each id's arrivals and keeps
// its first body. It takes its time answering, so a delivery is often in
// flight.
type slowReceiver struct {
	mu       sync.Mutex
	secret   string
	delay    time.Duration
	arrivals map[string]int
	bodies   map[string]string
	changed  []string // ids that arrived again with another body
	bad      []string // requests that did not verify
	inFlight int
	arrived  chan struct{}
}

func (rc *slowReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	id, err := webhookverify.Verify(rc.secret, r.Header, b, time.Now())
	rc.mu.Lock()
	if err != nil {
		rc.bad = append(rc.bad, err.Error())
		rc.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.arrivals[id]++
	if first, ok := rc.bodies[id]; ok && first != string(b) {
		rc.changed = append(rc.changed, id)
	} else if !ok {
		rc.bodies[id] = string(b)
	}
	rc.inFlight++
	rc.mu.Unlock()
	select {
	case rc.arrived <- struct{}{}:
	default:
	}
	time.Sleep(rc.delay)
	rc.mu.Lock()
	rc.inFlight--
	rc.mu.Unlock()
}

// TestWebhookCrashDelivery kills the real server (SIGKILL) while
// deliveries are in flight to a slow receiver, restarts it, and checks
// that every committed event arrives — each Webhook-Id at least once,
// always with the same signed body — and that no event of a change that
// did not commit (rolled back, or cut off by the kill) arrives.
func TestWebhookCrashDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	ctx := context.Background()
	bin := buildBinary(t)
	dbURL := dbtest.URL(t)
	raw := make([]byte, webhook.KeySize)
	_, _ = rand.Read(raw)
	keyFlag := base64.StdEncoding.EncodeToString(raw)
	key, err := webhook.ParseKey(keyFlag)
	if err != nil {
		t.Fatal(err)
	}
	flags := []string{"--webhook-key", keyFlag, "--webhooks-allow-http-localhost"}
	a, cmd := startBinary(t, bin, dbURL, flags...)

	pool, err := db.Open(ctx, dbURL, db.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m, err := auth.NewStore(pool).Signup(ctx, auth.SignupInput{OrgName: "Hooked", Name: "Hana", Email: "hana@hooked.test", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: m.TenantID, UserID: m.UserID}
	rc := &slowReceiver{delay: 400 * time.Millisecond, arrivals: map[string]int{}, bodies: map[string]string{}, arrived: make(chan struct{}, 1)}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hooks := &webhook.Store{DB: pool, Key: key, AllowHTTPLocalhost: true}
	secret, _, err := hooks.CreateEndpoint(ctx, sc, webhook.EndpointInput{URL: srv.URL + "/pareto",
		Events: []string{webhook.AccountCreated, webhook.AccountUpdated}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.secret = secret
	rc.mu.Unlock()

	// A change that rolls back: its event must never arrive.
	rolledBack := uuid.New()
	errRollback := errors.New("roll back")
	if err := pool.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.AccountCreated, "account", rolledBack, nil, map[string]string{"name": "Never"})); err != nil {
			return err
		}
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatal(err)
	}

	admin := a.client()
	if res := admin.postForm("/login", url.Values{"email": {"hana@hooked.test"}, "password": {testPassword}}); res.Status != http.StatusSeeOther {
		t.Fatalf("login %d", res.Status)
	}
	// Changes through the server, until it is killed mid-delivery: the
	// account saves it acknowledged, and the one cut off.
	acked := map[string]bool{}
	for i := range 12 {
		res := admin.postForm("/accounts", accountForm(fmt.Sprintf("Hooked %02d", i)))
		if res.Status != http.StatusSeeOther {
			t.Fatalf("create account: %d", res.Status)
		}
		acked[res.Location[len("/accounts/"):]] = true
	}
	// Kill once deliveries are arriving and one is in flight.
	deadline := time.After(60 * time.Second)
	for killed := false; !killed; {
		select {
		case <-rc.arrived:
			rc.mu.Lock()
			n, inFlight := len(rc.arrivals), rc.inFlight
			rc.mu.Unlock()
			if n >= 3 && inFlight > 0 {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				_ = cmd.Wait()
				killed = true
			}
		case <-deadline:
			t.Fatal("no deliveries arrived within 60 s")
		}
	}
	rc.mu.Lock()
	atKill := len(rc.arrivals)
	rc.mu.Unlock()
	t.Logf("killed the server after %d of %d events had arrived", atKill, len(acked))

	// Restart: the same database, the same key.
	startBinary(t, bin, dbURL, flags...)
	var events []string
	for wait := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var pending int
		if err := pool.Tx(ctx, sc, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'").Scan(&pending); err != nil {
				return err
			}
			rows, _ := tx.Query(ctx, "SELECT id::text FROM webhook_events")
			events, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("%d deliveries still not delivered 90 s after the restart", pending)
		}
	}
	time.Sleep(rc.delay) // the last answer's handler finishes counting

	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bad) > 0 {
		t.Fatalf("requests that did not verify: %v", rc.bad)
	}
	if len(rc.changed) > 0 {
		t.Fatalf("ids that arrived again with another body: %v", rc.changed)
	}
	if len(events) != len(acked) {
		t.Fatalf("%d events in the outbox for %d acknowledged account saves", len(events), len(acked))
	}
	twice := 0
	for _, id := range events {
		switch n := rc.arrivals[id]; {
		case n == 0:
			t.Errorf("event %s never arrived", id)
		case n > 1:
			twice++
		}
	}
	if len(rc.arrivals) != len(events) {
		t.Errorf("%d ids arrived, the outbox holds %d events", len(rc.arrivals), len(events))
	}
	// Every arrival is about an acknowledged save; the rolled-back one
	// never came.
	for id, body := range rc.bodies {
		var b struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			t.Fatal(err)
		}
		if !acked[b.Data.ID] {
			t.Errorf("event %s is about %s, which no acknowledged save made (rolled back: %s)", id, b.Data.ID, rolledBack)
		}
	}
	// The delivery in flight at the kill was not recorded as delivered, so
	// it came again with the same id: the receiver's dedup absorbed it.
	if twice == 0 {
		t.Error("no event arrived twice: the kill did not land mid-delivery")
	}
	t.Logf("%d events, each arrived; %d arrived twice (in flight at the kill), deduplicated by Webhook-Id", len(events), twice)
}
