package webhook

import "bytes"
import "context"
import "errors"
import "fmt"
import "io"
import "log/slog"
import "math/rand/v2"
import "net"
import "net/http"
import "strconv"
import "sync"
import "syscall"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// Retries: after attempt n fails, the next comes RetryBase·2^(n-1) later
// (at most RetryCap), each delay scaled by a random factor in [0.8, 1.2)
// so receivers coming back from an outage are not hit by every sender at
// once; a delivery whose next attempt would fall more than RetryWindow
// after its event (or its replay) is marked failed instead.
const (
	RetryBase   = 30 * time.Second
	RetryCap    = 4 * time.Hour
	RetryWindow = 24 * time.Hour
)

// RetryDelay is the delay after the n-th failed attempt, before jitter.
func RetryDelay(n int) time.Duration {
	d := RetryBase
	for i := 1; i < n && d < RetryCap; i++ {
		d *= 2
	}
	return min(d, RetryCap)
}

// Worker delivers due deliveries. One runs in each `pareto serve`
// process; several processes may run at once: each claims a delivery with
// FOR UPDATE SKIP LOCKED and holds the row until the attempt is recorded,
// so no delivery is sent by two at the same time, and a process killed
// mid-attempt leaves the row pending for the next (the receiver may then
// see the same Webhook-Id twice, which is what it is for).
type Worker struct {
	DB     *db.DB
	Key    *Key
	Log    *slog.Logger
	Client *http.Client
	// Interval between polls when nothing is due (default 1 s).
	Interval time.Duration
	// Concurrency is how many deliveries are in flight at once (default 4).
	Concurrency int
	// Now is the clock (tests move it to reach retries).
	Now func() time.Time
}

// Timeouts of a delivery attempt.
const (
	DeliveryTimeout = 10 * time.Second
	dialTimeout     = 5 * time.Second
)

// errRefusedAddress is a delivery to an address deliveries may not reach.
var errRefusedAddress = errors.New("refused: a private, loopback or reserved address")

// NewClient is the HTTP client of deliveries: a timeout on each attempt,
// no redirects followed (a 3xx is a failed attempt), no proxy from the
// environment, and a dialer that refuses private, loopback and reserved
// addresses after name resolution (so a name that resolves to one, or
// starts to, is refused too). allowLoopback lets loopback through
// (development: --webhooks-allow-http-localhost).
func NewClient(allowLoopback bool) *http.Client {
	dialer := &net.Dialer{Timeout: dialTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		ip, err := hostIP(address)
		if err != nil {
			return err
		}
		if publicAddr(ip) || (allowLoopback && ip.Unmap().IsLoopback()) {
			return nil
		}
		return fmt.Errorf("%w: %s", errRefusedAddress, ip)
	}}
	return &http.Client{
		Timeout: DeliveryTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   dialTimeout,
			ResponseHeaderTimeout: DeliveryTimeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Run polls and delivers until ctx ends; an attempt in flight then is
// abandoned and its delivery stays pending.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = time.Second
	}
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("webhook worker", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// RunOnce delivers everything due now, tenant by tenant, and returns how
// many attempts it made.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	tenants, err := db.Read(ctx, w.DB, db.Scope{}, "webhook: tenants", func(ctx context.Context, tx pgx.Tx, _ uuid.UUID) ([]uuid.UUID, error) {
		rows, _ := tx.Query(ctx, `SELECT tenant_id FROM webhook_tenants`)
		return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	})
	if err != nil {
		return 0, err
	}
	conc := max(w.Concurrency, 1)
	if w.Concurrency == 0 {
		conc = 4
	}
	sem := make(chan struct{}, conc)
	var mu sync.Mutex
	var wg sync.WaitGroup
	attempts, errs := 0, []error(nil)
	for _, t := range tenants {
		for range conc {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				wg.Wait()
				return attempts, ctx.Err()
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				for ctx.Err() == nil {
					ok, err := w.deliverOne(ctx, t)
					mu.Lock()
					if ok {
						attempts++
					}
					if err != nil {
						errs = append(errs, err)
					}
					mu.Unlock()
					if !ok || err != nil {
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	return attempts, errors.Join(errs...)
}

// claimed is a delivery claimed for an attempt.
type claimed struct {
	id, eventID, endpointID uuid.UUID
	attempts                int
	windowStart             time.Time
	body                    []byte
	url                     string
	sealed                  []byte
	enabled                 bool
}

// deliverOne claims the tenant's most overdue delivery, attempts it and
// records the outcome, all in one transaction that holds the row: false
// when nothing was due.
func (w *Worker) deliverOne(ctx context.Context, tenantID uuid.UUID) (bool, error) {
	var did bool
	err := w.DB.Tx(ctx, db.Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		now := w.now()
		var c claimed
		// One table, one tenant: a router query on Citus.
		err := tx.QueryRow(ctx, `SELECT id, event_id, endpoint_id, attempts, window_start FROM webhook_deliveries
			WHERE tenant_id = $1 AND state = 'pending' AND next_attempt_at <= $2
			ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`, tenantID, now).
			Scan(&c.id, &c.eventID, &c.endpointID, &c.attempts, &c.windowStart)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		did = true
		if err := tx.QueryRow(ctx, `SELECT body FROM webhook_events WHERE tenant_id = $1 AND id = $2`, tenantID, c.eventID).Scan(&c.body); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT url, secret_sealed, enabled FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`,
			tenantID, c.endpointID).Scan(&c.url, &c.sealed, &c.enabled); err != nil {
			return err
		}
		if !c.enabled {
			_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = 'failed', last_error = 'The endpoint is disabled.'
				WHERE tenant_id = $1 AND id = $2`, tenantID, c.id)
			return err
		}
		secret, err := w.Key.open(tenantID, c.endpointID, c.sealed)
		if err != nil {
			return w.record(ctx, tx, tenantID, c, now, 0, 0, err.Error())
		}
		status, took, aerr := w.attempt(ctx, c, secret)
		if ctx.Err() != nil {
			return ctx.Err() // stopping: the row stays as it was
		}
		msg := ""
		if aerr != nil {
			msg = aerr.Error()
		}
		return w.record(ctx, tx, tenantID, c, w.now(), status, took, msg)
	})
	if err != nil {
		return did, fmt.Errorf("webhook: deliver for tenant %s: %w", tenantID, err)
	}
	return did, nil
}

// attempt posts the event once: the answer's status and how long it took;
// an error for anything but a 2xx answer.
func (w *Worker) attempt(ctx context.Context, c claimed, secret string) (int, time.Duration, error) {
	ts := w.now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Pareto-Webhooks/1")
	req.Header.Set("Webhook-Id", c.eventID.String())
	req.Header.Set("Webhook-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("Webhook-Signature", Sign(secret, ts, c.body))
	start := time.Now()
	res, err := w.Client.Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, took, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, took, fmt.Errorf("the endpoint answered %s", res.Status)
	}
	return res.StatusCode, took, nil
}

// record writes an attempt's outcome: delivered, or the next attempt, or
// failed when the retry window is over.
func (w *Worker) record(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, c claimed, at time.Time, status int, took time.Duration, msg string) error {
	n := c.attempts + 1
	var st *int
	if status != 0 {
		st = &status
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if msg == "" {
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = 'delivered', attempts = $3, last_attempt_at = $4, last_status = $5,
				last_duration_ms = $6, last_error = '', delivered_at = $4 WHERE tenant_id = $1 AND id = $2`,
			tenantID, c.id, n, at, st, took.Milliseconds())
		return err
	}
	state, next := StatePending, at.Add(jitter(RetryDelay(n)))
	if next.After(c.windowStart.Add(RetryWindow)) {
		state, next = StateFailed, at
	}
	_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = $3, attempts = $4, next_attempt_at = $5, last_attempt_at = $6,
			last_status = $7, last_duration_ms = $8, last_error = $9 WHERE tenant_id = $1 AND id = $2`,
		tenantID, c.id, state, n, next, at, st, took.Milliseconds(), msg)
	return err
}

// jitter scales d by a random factor in [0.8, 1.2).
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
