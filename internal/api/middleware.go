package api

import "bytes"
import "context"
import "crypto/sha256"
import "errors"
import "fmt"
import "math"
import "mime"
import "net/http"
import "strconv"
import "strings"
import "sync"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/httpwatch"

type ctxKey int

const ctxToken ctxKey = iota

// caller is who the request acts as (set by authenticate).
func caller(r *http.Request) auth.TokenAuth {
	t, _ := r.Context().Value(ctxToken).(auth.TokenAuth)
	return t
}

// scope is the tenant and person the request works for: the token's
// tenant and creator.
func scope(r *http.Request) db.Scope {
	m := caller(r).Member
	return db.Scope{TenantID: m.TenantID, UserID: m.UserID}
}

// role is the role the request acts with (the token creator's, now).
func role(r *http.Request) auth.Role { return caller(r).Member.Role }

// authenticate reads the Bearer token: 401 without a usable one.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			a.fail(w, r, db.ErrUnauthorized)
			return
		}
		t, err := a.auth.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			if errors.Is(err, db.ErrUnauthorized) {
				a.log.Warn("api: token refused", "path", r.URL.Path, "reason", err.Error())
			}
			a.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxToken, t)))
	})
}

// writeScope refuses a read-only token anything but reads (403).
func (a *API) writeScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !caller(r).CanWrite() {
			a.fail(w, r, fmt.Errorf("read-only token: %w", db.ErrForbidden))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// noStore keeps API answers out of shared caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// rateLimit answers 429 with Retry-After once a token has spent its
// burst faster than its rate.
func (a *API) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait := a.limiter.take(caller(r).Token.ID); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			a.problem(w, r, http.StatusTooManyRequests, "Too many requests",
				"This token sent requests faster than its rate limit; wait for Retry-After seconds.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limiter is a token bucket per API token, in this process: rate
// requests a second, at most burst at once. (The throttles table of the
// sign-in work is an exponential backoff lock written on every event;
// a request rate wants a bucket, and no write per request.)
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	now     func() time.Time
	buckets map[uuid.UUID]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[uuid.UUID]*bucket{}}
}

// take spends one request of id's bucket, or returns how long until one
// is available (nothing is spent then).
func (l *limiter) take(id uuid.UUID) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[id]
	if !ok {
		if len(l.buckets) > 10000 {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[id] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return 0
}

// prune forgets full buckets (their tokens idle long enough to refill).
func (l *limiter) prune(now time.Time) {
	for id, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, id)
		}
	}
}

// idempotent keeps a bulk write's successful answer under its
// Idempotency-Key for a day: the same key with the same request gets the
// first answer again (Idempotent-Replayed: true) and writes nothing; the
// same key with another request is refused (422). Without the header the
// request runs as usual.
func (a *API) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 200 {
			a.fail(w, r, db.FieldErrors{"Idempotency-Key": "Use at most 200 characters."})
			return
		}
		body, err := readAll(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + string(body)))
		ctx, sc := r.Context(), scope(r)
		var hash, saved []byte
		var status int
		err = a.db.Tx(ctx, sc, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT request_hash, status, body FROM api_idempotency WHERE tenant_id = $1 AND key = $2",
				sc.TenantID, key).Scan(&hash, &status, &saved)
		})
		switch {
		case err == nil && !bytes.Equal(hash, sum[:]):
			a.fail(w, r, db.FieldErrors{"Idempotency-Key": "This key was used with another request; use a new key for a new request."})
			return
		case err == nil:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(status)
			_, _ = w.Write(saved)
			return
		case !errors.Is(err, pgx.ErrNoRows):
			a.fail(w, r, err)
			return
		}
		rec := &httpwatch.Writer{ResponseWriter: w, Copy: &bytes.Buffer{}}
		r.Body = readCloser{bytes.NewReader(body)}
		next.ServeHTTP(rec, r)
		if rec.Status < 200 || rec.Status > 299 {
			return
		}
		now := time.Now()
		if err := a.db.Tx(ctx, sc, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "DELETE FROM api_idempotency WHERE tenant_id = $1 AND created_at < $2", sc.TenantID, now.Add(-24*time.Hour)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO api_idempotency (tenant_id, key, request_hash, status, body, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, key) DO NOTHING`, sc.TenantID, key, sum[:], rec.Status, rec.Copy.Bytes(), now)
			return err
		}); err != nil {
			a.log.Error("api: keep idempotent response", "path", r.URL.Path, "err", err)
		}
	})
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// requireJSON refuses a body that is not JSON (415 as a bad request).
func requireJSON(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errMediaType
	}
	return nil
}

var errMediaType = errors.New("send Content-Type: application/json")

// written tells Config.Written about each successful write, before the
// answer leaves, so what the app keeps about the accounts (their health)
// follows the API's writes as it follows the pages'.
func (a *API) written(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.Written == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		bw := &httpwatch.Writer{ResponseWriter: w}
		bw.Before = func(status int) {
			if status >= 200 && status < 300 && bw.Header().Get("Idempotent-Replayed") == "" {
				a.cfg.Written(r, scope(r), bw.Header().Get("Location"))
			}
		}
		next.ServeHTTP(bw, r)
	})
}
