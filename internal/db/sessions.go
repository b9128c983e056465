package db

import "context"
import "crypto/sha256"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

// SessionStore keeps scs sessions in PostgreSQL (the sessions table is
// global: it is read before any tenant is known, so it is outside RLS).
//
//   - Tokens are stored only as SHA-256 hashes: a dump of the table holds no
//     live session.
//   - A read writes nothing: the idle timeout is enforced here, from a stored
//     last_seen that is touched at most once per TouchEvery, so scs runs
//     without its own idle timeout (which would rewrite the row on every
//     request).
//   - Each row carries the person (read from the session data by UserOf),
//     the client's IP and user agent, creation and last-seen times, for the
//     sessions page; revoking marks the row so a request still holding the
//     session cannot write it back.
//
// It goes through DB.acquire, so it honours request contexts and the
// acquire timeout: with every connection busy a request fails fast.
type SessionStore struct {
	db *DB
	// Idle ends a session not seen for this long (0: never).
	Idle time.Duration
	// TouchEvery bounds how often a session's last_seen is written.
	TouchEvery time.Duration
	// UserOf returns the person a session's data belongs to (uuid.Nil for
	// an anonymous session).
	UserOf func(data []byte) uuid.UUID
	Now    func() time.Time
}

// NewSessionStore returns a store on d's sessions table that ends sessions
// idle for longer than idle and touches last_seen at most once a minute
// (more often only when idle is shorter than two minutes).
func NewSessionStore(d *DB, idle time.Duration) *SessionStore {
	touch := time.Minute
	if idle > 0 && idle/2 < touch {
		touch = idle / 2
	}
	return &SessionStore{db: d, Idle: idle, TouchEvery: touch, Now: time.Now,
		UserOf: func([]byte) uuid.UUID { return uuid.Nil }}
}

// TokenHash is how a session token is stored.
func TokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

type clientKey struct{}

// Client is who is on the other end of a request: shown on the sessions
// page.
type Client struct {
	IP        string
	UserAgent string
}

// WithClient records the request's client in ctx for the session store.
func WithClient(ctx context.Context, c Client) context.Context {
	if len(c.UserAgent) > 400 {
		c.UserAgent = c.UserAgent[:400]
	}
	return context.WithValue(ctx, clientKey{}, c)
}

func clientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

func (s *SessionStore) run(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.db.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return fn(conn.Conn())
}

// idleSince is the oldest last_seen a live session may have.
func (s *SessionStore) idleSince(now time.Time) time.Time {
	if s.Idle <= 0 {
		return time.Time{}
	}
	return now.Add(-s.Idle)
}

// FindCtx returns the session data for token, or found=false when it is
// unknown, expired, idle too long or revoked. It writes only when last_seen
// is older than TouchEvery.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	now := s.Now()
	hash := TokenHash(token)
	err = s.run(ctx, func(c *pgx.Conn) error {
		var lastSeen time.Time
		err := c.QueryRow(ctx, `SELECT data, last_seen FROM sessions
			WHERE token_hash = $1 AND NOT revoked AND expiry > $2 AND last_seen > $3`,
			hash, now, s.idleSince(now)).Scan(&b, &lastSeen)
		if err != nil || now.Sub(lastSeen) < s.TouchEvery {
			return err
		}
		cl := clientFrom(ctx)
		_, err = c.Exec(ctx, `UPDATE sessions SET last_seen = $2, ip = $3, user_agent = $4
			WHERE token_hash = $1 AND NOT revoked`, hash, now, cl.IP, cl.UserAgent)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sessions: find: %w", err)
	}
	return b, true, nil
}

// CommitCtx saves the session data for token until expiry. A revoked
// session is not written back.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	now := s.Now()
	cl := clientFrom(ctx)
	var user *uuid.UUID
	if id := s.UserOf(b); id != uuid.Nil {
		user = &id
	}
	err := s.run(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, data, expiry, created_at, last_seen, ip, user_agent)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $7)
			ON CONFLICT (token_hash) DO UPDATE SET user_id = EXCLUDED.user_id, data = EXCLUDED.data,
				expiry = EXCLUDED.expiry, last_seen = EXCLUDED.last_seen, ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent
			WHERE NOT sessions.revoked`, TokenHash(token), user, b, expiry, now, cl.IP, cl.UserAgent)
		return err
	})
	if err != nil {
		return fmt.Errorf("sessions: commit: %w", err)
	}
	return nil
}

// DeleteCtx removes the session token.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	err := s.run(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", TokenHash(token))
		return err
	})
	if err != nil {
		return fmt.Errorf("sessions: delete: %w", err)
	}
	return nil
}

// Find, Commit and Delete satisfy scs.Store; scs calls the Ctx variants.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit saves without a request context.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete removes without a request context.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes expired and long-idle sessions; run it
// periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) error {
	now := s.Now()
	return s.run(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "DELETE FROM sessions WHERE expiry < $1 OR last_seen < $2", now, s.idleSince(now))
		return err
	})
}

// Session is one signed-in session, as its owner sees it.
type Session struct {
	ID        uuid.UUID
	CreatedAt time.Time
	LastSeen  time.Time
	IP        string
	UserAgent string
	Current   bool // the session the list was asked from
}

// UserSessions lists userID's live sessions, most recently seen first;
// the one whose token is current is marked.
func (s *SessionStore) UserSessions(ctx context.Context, userID uuid.UUID, current string) ([]Session, error) {
	now := s.Now()
	var out []Session
	err := s.run(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, `SELECT id, created_at, last_seen, ip, user_agent, token_hash = $2
			FROM sessions WHERE user_id = $1 AND NOT revoked AND expiry > $3 AND last_seen > $4
			ORDER BY last_seen DESC, id`, userID, TokenHash(current), now, s.idleSince(now))
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Session, error) {
			var x Session
			return x, r.Scan(&x.ID, &x.CreatedAt, &x.LastSeen, &x.IP, &x.UserAgent, &x.Current)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: list: %w", err)
	}
	return out, nil
}

// RevokeSession ends one of userID's sessions. Returns ErrNotFound for a
// session that is not theirs (or already ended).
func (s *SessionStore) RevokeSession(ctx context.Context, userID, id uuid.UUID) error {
	err := s.run(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, "UPDATE sessions SET revoked = true, data = '' WHERE user_id = $1 AND id = $2 AND NOT revoked", userID, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sessions: revoke: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every session of userID except the one whose
// token is keep ("" ends them all), inside the caller's transaction: a
// password change or reset ends the other sessions atomically with the new
// password. Returns how many ended.
func RevokeUserSessions(ctx context.Context, tx pgx.Tx, userID uuid.UUID, keep string) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE sessions SET revoked = true, data = ''
		WHERE user_id = $1 AND NOT revoked AND token_hash <> $2`, userID, TokenHash(keep))
	if err != nil {
		return 0, fmt.Errorf("sessions: revoke all: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RevokeUser ends every session of userID except keep's ("" ends all).
func (s *SessionStore) RevokeUser(ctx context.Context, userID uuid.UUID, keep string) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, Scope{}, func(tx pgx.Tx) error {
		var err error
		n, err = RevokeUserSessions(ctx, tx, userID, keep)
		return err
	})
	return n, err
}
