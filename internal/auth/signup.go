package auth

import "context"
import "errors"
import "fmt"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

// SignupInput is the signup form.
type SignupInput struct {
	OrgName, Name, Email, Password string
}

// SignupTTL is how long a signup confirmation link works.
const SignupTTL = 24 * time.Hour

// ErrAccountExists says an email already has a Pareto account.
var ErrAccountExists = errors.New("auth: an account with this email already exists")

// check trims in and returns its field errors (the password judged with
// the person's own words).
func (in *SignupInput) check() db.FieldErrors {
	in.OrgName, in.Name, in.Email = strings.TrimSpace(in.OrgName), strings.TrimSpace(in.Name), normEmail(in.Email)
	fe := db.FieldErrors{}
	checkName(fe, "org_name", in.OrgName, "your organisation's name")
	checkName(fe, "name", in.Name, "your name")
	checkEmail(fe, "email", in.Email)
	if msg := PasswordProblem(in.Password, in.Email, in.Name, in.OrgName); msg != "" {
		fe.Add("password", msg)
	}
	return fe
}

// Signup creates a tenant and its first admin at once (seeding and store
// tests; people sign up through RequestSignup and ConfirmSignup). Returns
// db.FieldErrors for bad input, including an email already registered.
func (s *Store) Signup(ctx context.Context, in SignupInput) (Member, error) {
	if fe := in.check(); len(fe) > 0 {
		return Member{}, fe
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Member{}, err
	}
	m, err := s.createTenant(ctx, in.OrgName, in.Name, in.Email, hash)
	if errors.Is(err, ErrAccountExists) {
		return Member{}, db.FieldErrors{"email": "An account with this email already exists. Sign in instead, or ask your admin for an invite."}
	}
	return m, err
}

// createTenant makes the tenant, its first admin and the membership in one
// transaction. Returns ErrAccountExists when the email is taken.
func (s *Store) createTenant(ctx context.Context, org, name, email, hash string) (Member, error) {
	m := Member{Name: name, Email: email, Role: RoleAdmin, Active: true, TenantName: org, TenantID: uuid.New()}
	err := s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id",
			email, name, hash).Scan(&m.UserID)
		if db.IsUniqueViolation(err, "users_email_key") {
			return ErrAccountExists
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, $2)", m.TenantID, org); err != nil {
			return err
		}
		if err := db.SetTenant(ctx, tx, m.TenantID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO memberships (tenant_id, user_id, role, tenant_name) VALUES ($1, $2, 'admin', $3)",
			m.TenantID, m.UserID, org); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: m.UserID, Action: "signup", Entity: "tenant", EntityID: m.TenantID.String(),
			After: map[string]any{"tenant": org, "admin": email}})
	})
	if errors.Is(err, ErrAccountExists) {
		return Member{}, err
	}
	if err != nil {
		return Member{}, fmt.Errorf("auth: signup: %w", err)
	}
	return m, nil
}

// SignupRequest is a signup waiting for its email to be confirmed.
type SignupRequest struct {
	Email, Name, OrgName string
}

// RequestSignup checks the form and, for a free email, keeps the signup
// until its owner follows the link (token, shown once). For a registered
// email it keeps nothing and returns existing=true: the caller mails the
// owner instead, and answers exactly as for a new one. The password is
// hashed either way, so both take as long.
func (s *Store) RequestSignup(ctx context.Context, in SignupInput) (token string, existing bool, err error) {
	if fe := in.check(); len(fe) > 0 {
		return "", false, fe
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return "", false, err
	}
	token, tokenHash, err := newSecret()
	if err != nil {
		return "", false, err
	}
	now := s.Now()
	err = s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)", in.Email).Scan(&existing); err != nil || existing {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO signup_requests (token_hash, email, name, org_name, password_hash, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, tokenHash, in.Email, in.Name, in.OrgName, hash, now, now.Add(SignupTTL))
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("auth: request signup: %w", err)
	}
	if existing {
		return "", true, nil
	}
	return token, false, nil
}

// PendingSignup returns the signup a link names. db.ErrNotFound for an
// unknown, used or expired link alike.
func (s *Store) PendingSignup(ctx context.Context, token string) (SignupRequest, error) {
	var r SignupRequest
	err := s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT email, name, org_name FROM signup_requests
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hashSecret(token), s.Now()).Scan(&r.Email, &r.Name, &r.OrgName)
	})
	if err != nil {
		return r, db.NotFound("auth: signup request", err)
	}
	return r, nil
}

// ConfirmSignup creates the tenant and admin a link names (once). Returns
// db.ErrNotFound for an unknown, used or expired link, ErrAccountExists
// when the email got an account meanwhile.
func (s *Store) ConfirmSignup(ctx context.Context, token string) (Member, error) {
	var r SignupRequest
	var hash string
	err := s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE signup_requests SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
			RETURNING email, name, org_name, password_hash`, hashSecret(token), s.Now()).Scan(&r.Email, &r.Name, &r.OrgName, &hash)
	})
	if err != nil {
		return Member{}, db.NotFound("auth: confirm signup", err)
	}
	return s.createTenant(ctx, r.OrgName, r.Name, r.Email, hash)
}

// PruneSignups deletes signup requests past their expiry.
func (s *Store) PruneSignups(ctx context.Context) error {
	return s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM signup_requests WHERE expires_at < $1", s.Now())
		return err
	})
}
