package auth

import "context"
import "crypto/rand"
import "crypto/sha256"
import "encoding/base64"
import "errors"
import "fmt"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/limits"

// ResetTTL is how long a password reset link works.
const ResetTTL = 30 * time.Minute

// User is a person independent of any tenant.
type User struct {
	ID    uuid.UUID
	Email string
	Name  string
}

// newSecret returns a random link token and the hash that is stored.
func newSecret() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token), nil
}

func hashSecret(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// RequestReset starts a password reset for email: it returns the link
// token (shown once, by email) and the person, or "" when no account has
// that email — the caller answers the same either way. A new request
// invalidates the earlier links. Throttled by source IP and by email
// (*ThrottledError); db.FieldErrors for an unusable email.
func (s *Store) RequestReset(ctx context.Context, email, ip string) (string, User, error) {
	email = normEmail(email)
	fe := db.FieldErrors{}
	checkEmail(fe, "email", email)
	if err := fe.Err(); err != nil {
		return "", User{}, err
	}
	if err := s.Throttle.Attempt(ctx, K(ResetIP, ip), K(ResetAccount, email)); err != nil {
		return "", User{}, err
	}
	token, hash, err := newSecret()
	if err != nil {
		return "", User{}, err
	}
	now := s.Now()
	var u User
	err = s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT id, email, name FROM users WHERE email = $1", email).Scan(&u.ID, &u.Email, &u.Name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", u.ID, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
			hash, u.ID, now, now.Add(ResetTTL))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", User{}, nil
	}
	if err != nil {
		return "", User{}, fmt.Errorf("auth: request reset: %w", err)
	}
	return token, u, nil
}

// ResetUser returns the person a reset link is for. db.ErrNotFound for an
// unknown, used, superseded or expired link alike.
func (s *Store) ResetUser(ctx context.Context, token string) (User, error) {
	var u User
	err := s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT u.id, u.email, u.name FROM password_resets r JOIN users u ON u.id = r.user_id
			WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2`, hashSecret(token), s.Now()).Scan(&u.ID, &u.Email, &u.Name)
	})
	if err != nil {
		return User{}, db.NotFound("auth: reset", err)
	}
	return u, nil
}

// ResetPassword sets a new password through a reset link, once, and ends
// every session of the person. Returns db.FieldErrors for a weak password,
// db.ErrNotFound for a link that no longer works.
func (s *Store) ResetPassword(ctx context.Context, token, password string) (User, error) {
	u, err := s.ResetUser(ctx, token)
	if err != nil {
		return User{}, err
	}
	if err := s.checkNewPassword(ctx, u, password); err != nil {
		return User{}, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	now := s.Now()
	err = s.DB.Tx(ctx, db.Scope{UserID: u.ID}, func(tx pgx.Tx) error {
		// Single use: only one request can flip used_at.
		tag, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hashSecret(token), now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return db.ErrNotFound
		}
		return setPassword(ctx, tx, u.ID, hash, "", now)
	})
	if err != nil {
		return User{}, db.NotFound("auth: reset password", err)
	}
	// The person proved who they are: their failed sign-ins are forgiven.
	if err := s.Throttle.Reset(ctx, K(LoginAccount, u.Email)); err != nil {
		return User{}, err
	}
	return u, nil
}

// setPassword stores a new hash, voids open reset links and ends the
// person's sessions except keep (a session token; "" ends them all).
func setPassword(ctx context.Context, tx pgx.Tx, userID uuid.UUID, hash, keep string, now time.Time) error {
	if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = $2 WHERE id = $1", userID, hash); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", userID, now); err != nil {
		return err
	}
	_, err := db.RevokeUserSessions(ctx, tx, userID, keep)
	return err
}

// ChangePassword sets a new password for a signed-in person who knows the
// current one, and ends their other sessions (keep is the current
// session's token). Returns db.FieldErrors (wrong current password, weak
// new one) or a *ThrottledError after too many wrong current passwords.
func (s *Store) ChangePassword(ctx context.Context, userID uuid.UUID, current, password, keep string) error {
	var u User
	var hash string
	err := s.DB.Tx(ctx, db.Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT id, email, name, password_hash FROM users WHERE id = $1", userID).Scan(&u.ID, &u.Email, &u.Name, &hash)
	})
	if err != nil {
		return db.NotFound("auth: change password", err)
	}
	if utf8.RuneCountInString(current) > limits.Password {
		return db.FieldErrors{"current_password": "That is not your current password."}
	}
	key := K(LoginAccount, u.Email)
	if err := s.Throttle.Attempt(ctx, key); err != nil {
		return err
	}
	ok, err := s.Hasher.Verify(ctx, hash, current)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if !ok {
		return db.FieldErrors{"current_password": "That is not your current password."}
	}
	if err := s.Throttle.Reset(ctx, key); err != nil {
		return err
	}
	if err := s.checkNewPassword(ctx, u, password); err != nil {
		return err
	}
	newHash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, db.Scope{UserID: userID}, func(tx pgx.Tx) error { return setPassword(ctx, tx, userID, newHash, keep, s.Now()) })
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	return nil
}

// checkNewPassword judges password with the person's own words: email,
// name and the names of their tenants.
func (s *Store) checkNewPassword(ctx context.Context, u User, password string) error {
	personal := []string{u.Email, u.Name}
	err := s.DB.Tx(ctx, db.Scope{UserID: u.ID}, func(tx pgx.Tx) error {
		// Across tenants, so from memberships alone (a tenants row is
		// visible only inside its own tenant).
		rows, _ := tx.Query(ctx, `SELECT tenant_name FROM memberships WHERE user_id = $1`, u.ID)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		personal = append(personal, names...)
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: tenant names: %w", err)
	}
	if msg := PasswordProblem(password, personal...); msg != "" {
		return db.FieldErrors{"password": msg}
	}
	return nil
}
