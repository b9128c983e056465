package auth

import "context"
import "errors"
import "fmt"
import "math"
import "strings"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// Limit is one throttle policy. The Free-th event of a key blocks it for
// Base; each event after the block ends blocks it twice as long, up to Max
// (exponential backoff, never a permanent lock). A key quiet for Forget
// starts over.
type Limit struct {
	Kind      string
	Free      int
	Base, Max time.Duration
	Forget    time.Duration
}

// The policies. Failures count for logins (by source IP and by account);
// every attempt counts for the rest.
var (
	LoginIP      = Limit{Kind: "login_ip", Free: 20, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	LoginAccount = Limit{Kind: "login_account", Free: 5, Base: time.Minute, Max: 15 * time.Minute, Forget: time.Hour}
	ResetIP      = Limit{Kind: "reset_ip", Free: 10, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	ResetAccount = Limit{Kind: "reset_account", Free: 3, Base: 5 * time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	SignupIP     = Limit{Kind: "signup_ip", Free: 10, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	InviteUser   = Limit{Kind: "invite_user", Free: 50, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	UploadUser   = Limit{Kind: "upload_user", Free: 30, Base: time.Minute, Max: 15 * time.Minute, Forget: time.Hour}
	UploadIP     = Limit{Kind: "upload_ip", Free: 60, Base: time.Minute, Max: 15 * time.Minute, Forget: time.Hour}
)

// longestForget bounds how long a throttle row can matter (pruning).
const longestForget = 24 * time.Hour

// Key is one throttled thing: a limit and the value it counts (an IP, an
// email, a user id).
type Key struct {
	Limit Limit
	Value string
}

// K builds a key.
func K(l Limit, value string) Key { return Key{Limit: l, Value: strings.ToLower(value)} }

// ThrottledError says a key is blocked for RetryAfter.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "Too many attempts. Try again in " + humanWait(e.RetryAfter) + "."
}

// humanWait says a wait the way a person would: "40 seconds", "1 minute",
// "15 minutes", "2 hours" (rounded up).
func humanWait(d time.Duration) string {
	switch {
	case d <= 59*time.Second:
		return plural(int(math.Ceil(max(d, time.Second).Seconds())), "second")
	case d <= 119*time.Minute:
		return plural(int(math.Ceil(d.Minutes())), "minute")
	default:
		return plural(int(math.Ceil(d.Hours())), "hour")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Throttle counts events per key in the global throttles table (keys are
// known before any tenant is).
type Throttle struct {
	DB  *db.DB
	Now func() time.Time
}

// keyValue bounds what is stored: emails are checked to 254 characters
// before they get here, but a key must never make an index row too big.
func keyValue(v string) string {
	if len(v) > 300 {
		return v[:300]
	}
	return v
}

// Attempt records one event for each key, atomically: when any key is
// blocked now nothing is recorded and a *ThrottledError (the longest wait)
// is returned; otherwise each key counts the event, and a key reaching its
// Free events is blocked for its backoff. Concurrent attempts on one key
// serialise on its row, so parallel guesses cannot slip past the count.
// A login records its account's attempt first and Resets it on success.
func (t *Throttle) Attempt(ctx context.Context, keys ...Key) error {
	now := t.Now()
	var wait time.Duration
	err := t.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		for _, k := range keys {
			l := k.Limit
			var hits int
			var until time.Time
			err := tx.QueryRow(ctx, `INSERT INTO throttles (kind, key, hits, last_at, blocked_until)
				VALUES ($1, $2, 1, $3, 'epoch')
				ON CONFLICT (kind, key) DO UPDATE SET
					hits = CASE WHEN throttles.blocked_until > $3 THEN throttles.hits
						WHEN throttles.last_at < $4 THEN 1 ELSE throttles.hits + 1 END,
					last_at = CASE WHEN throttles.blocked_until > $3 THEN throttles.last_at ELSE $3 END
				RETURNING hits, blocked_until`, l.Kind, keyValue(k.Value), now, now.Add(-l.Forget)).Scan(&hits, &until)
			if err != nil {
				return err
			}
			if until.After(now) {
				wait = max(wait, until.Sub(now))
				continue
			}
			if hits >= l.Free {
				if _, err := tx.Exec(ctx, "UPDATE throttles SET blocked_until = $3 WHERE kind = $1 AND key = $2",
					l.Kind, keyValue(k.Value), now.Add(backoff(l, hits))); err != nil {
					return err
				}
			}
		}
		if wait > 0 {
			return errThrottled // roll back: a refused attempt counts nowhere
		}
		return nil
	})
	if errors.Is(err, errThrottled) {
		return &ThrottledError{RetryAfter: wait}
	}
	if err != nil {
		return fmt.Errorf("auth: throttle: %w", err)
	}
	return nil
}

var errThrottled = errors.New("throttled")

// Check returns a *ThrottledError (the longest wait) when any key is
// blocked now; it records nothing.
func (t *Throttle) Check(ctx context.Context, keys ...Key) error {
	now := t.Now()
	var wait time.Duration
	err := t.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		for _, k := range keys {
			var until time.Time
			err := tx.QueryRow(ctx, "SELECT blocked_until FROM throttles WHERE kind = $1 AND key = $2",
				k.Limit.Kind, keyValue(k.Value)).Scan(&until)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			wait = max(wait, until.Sub(now))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: throttle check: %w", err)
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// Hit records one failure for each key (after the fact, unlike Attempt),
// blocking a key that reaches its Free events.
func (t *Throttle) Hit(ctx context.Context, keys ...Key) error {
	now := t.Now()
	err := t.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		for _, k := range keys {
			l := k.Limit
			var hits int
			err := tx.QueryRow(ctx, `INSERT INTO throttles (kind, key, hits, last_at, blocked_until)
				VALUES ($1, $2, 1, $3, 'epoch')
				ON CONFLICT (kind, key) DO UPDATE SET
					hits = CASE WHEN throttles.last_at < $4 THEN 1 ELSE throttles.hits + 1 END, last_at = $3
				RETURNING hits`, l.Kind, keyValue(k.Value), now, now.Add(-l.Forget)).Scan(&hits)
			if err != nil {
				return err
			}
			if hits >= l.Free {
				if _, err := tx.Exec(ctx, "UPDATE throttles SET blocked_until = greatest(blocked_until, $3) WHERE kind = $1 AND key = $2",
					l.Kind, keyValue(k.Value), now.Add(backoff(l, hits))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: throttle hit: %w", err)
	}
	return nil
}

// backoff is how long the hits-th event blocks its key: Base at the Free-th
// event, doubling with each one after, at most Max.
func backoff(l Limit, hits int) time.Duration {
	n := hits - l.Free
	if n >= 30 {
		return l.Max
	}
	return min(l.Base<<n, l.Max)
}

// Reset forgets keys (a successful login clears its account's failures).
func (t *Throttle) Reset(ctx context.Context, keys ...Key) error {
	err := t.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, "DELETE FROM throttles WHERE kind = $1 AND key = $2", k.Limit.Kind, keyValue(k.Value)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: throttle reset: %w", err)
	}
	return nil
}

// Prune deletes rows that no longer matter: quiet past every Forget and no
// longer blocking. Run it periodically.
func (t *Throttle) Prune(ctx context.Context) (int64, error) {
	now := t.Now()
	var n int64
	err := t.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM throttles WHERE last_at < $1 AND blocked_until < $2", now.Add(-longestForget), now)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("auth: throttle prune: %w", err)
	}
	return n, nil
}
