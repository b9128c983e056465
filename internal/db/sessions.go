package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SessionStore keeps scs sessions in PostgreSQL, like scs's pgxstore, but
// through DB.acquire, so it honours request contexts and the acquire
// timeout: with every connection busy a request fails fast instead of
// waiting forever on context.Background.
type SessionStore struct {
	db *DB
}

// NewSessionStore returns a store on d's sessions table.
func NewSessionStore(d *DB) *SessionStore { return &SessionStore{db: d} }

func (s *SessionStore) run(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.db.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return fn(conn.Conn())
}

// FindCtx returns the session data for token, or found=false.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT data FROM sessions WHERE token = $1 AND now() < expiry", token).Scan(&b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sessions: find: %w", err)
	}
	return b, true, nil
}

// CommitCtx saves the session data for token until expiry.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	err := s.run(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
			ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
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
		_, err := c.Exec(ctx, "DELETE FROM sessions WHERE token = $1", token)
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

// DeleteExpired removes expired sessions; run it periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) error {
	return s.run(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "DELETE FROM sessions WHERE expiry < now()")
		return err
	})
}
