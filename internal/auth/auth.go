// Package auth holds users, tenants, memberships and roles, passwords,
// invitations and login throttling.
package auth

import "context"
import "errors"
import "fmt"
import "net/mail"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/limits"

// Role is what a member may do in a tenant, most powerful first.
//
//	RoleAdmin  "admin"  "Admin"
//	RoleLeader "leader" "Leader"
//	RoleKAM    "kam"    "Key account manager"
//
//enumgen:values Roles
type Role string

// LeadRoles run the key account programme: they see and change every
// account, designate key accounts and assign KAMs. The one statement of
// that rule (Leads; routes and navigation use the list).
var LeadRoles = []Role{RoleAdmin, RoleLeader}

// Leads reports whether r is one of LeadRoles.
func (r Role) Leads() bool { return r == RoleAdmin || r == RoleLeader }

// Store reads and writes users, tenants and memberships.
type Store struct {
	DB        *db.DB
	Now       func() time.Time
	Throttle  *Throttle
	InviteTTL time.Duration
	// Hasher bounds concurrent password hashing (DefaultHasher).
	Hasher *Hasher
}

// NewStore returns a Store with the default policy.
func NewStore(d *db.DB) *Store {
	s := &Store{DB: d, Now: time.Now, InviteTTL: 7 * 24 * time.Hour, Hasher: DefaultHasher}
	// The throttle reads the store's clock, so a test that moves one moves
	// both.
	s.Throttle = &Throttle{DB: d, Now: func() time.Time { return s.Now() }}
	return s
}

// Member is a person as seen inside one tenant.
type Member struct {
	UserID     uuid.UUID
	TenantID   uuid.UUID
	TenantName string
	Name       string
	Email      string
	Role       Role
	Active     bool
	Version    int
	CreatedAt  time.Time
	// Locale is how the tenant shows numbers and dates (a numfmt locale
	// name), read with the member on every request.
	Locale string
}

// Membership is one tenant a person belongs to, for the switcher.
type Membership struct {
	TenantID   uuid.UUID
	TenantName string
	Role       Role
}

// normEmail lower-cases and trims an email for comparison and storage.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(fe db.FieldErrors, field, email string) {
	if email == "" {
		fe.Add(field, "Enter an email address.")
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > limits.Email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		fe.Add(field, "Enter a valid email address, like name@example.com.")
	}
}

func checkName(fe db.FieldErrors, field, name, what string) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		fe.Add(field, "Enter "+what+".")
	case n > limits.Name:
		fe.Add(field, "Use at most 200 characters.")
	case !utf8.ValidString(name):
		fe.Add(field, "Use valid text.")
	}
}

// Login checks an email and password. It returns db.ErrUnauthorized for a
// wrong email or password alike (the response must not reveal which),
// db.FieldErrors for input too long to be either, ErrBusy when hashing is
// saturated, or a *ThrottledError when the source IP or the account has
// failed too often (LoginIP, LoginAccount: exponential backoff). The
// returned Member is the person in their first active tenant (by name).
func (s *Store) Login(ctx context.Context, email, password, ip string) (Member, error) {
	email = normEmail(email)
	fe := db.FieldErrors{}
	if utf8.RuneCountInString(email) > limits.Email {
		fe.Add("email", fmt.Sprintf("Use at most %d characters.", limits.Email))
	}
	if utf8.RuneCountInString(password) > limits.Password {
		fe.Add("password", fmt.Sprintf("Use at most %d characters.", limits.Password))
	}
	if err := fe.Err(); err != nil {
		return Member{}, err
	}
	ipKey, accountKey := K(LoginIP, ip), K(LoginAccount, email)
	if err := s.Throttle.Check(ctx, ipKey); err != nil {
		return Member{}, err
	}
	// The account's attempt counts as a failure until the password proves
	// otherwise, so parallel guesses cannot all pass before any failure is
	// recorded. The IP counts failures after the fact: many people behind
	// one address signing in at once must not block each other.
	if err := s.Throttle.Attempt(ctx, accountKey); err != nil {
		return Member{}, err
	}
	m, err := s.checkPassword(ctx, email, password)
	if errors.Is(err, db.ErrUnauthorized) {
		if herr := s.Throttle.Hit(ctx, ipKey); herr != nil {
			return Member{}, herr
		}
	}
	if err != nil {
		return Member{}, err
	}
	if err := s.Throttle.Reset(ctx, accountKey); err != nil {
		return Member{}, err
	}
	return m, nil
}

// checkPassword returns the person with email and password in their first
// active tenant, or db.ErrUnauthorized (also for an unknown email, after
// the same work).
func (s *Store) checkPassword(ctx context.Context, email, password string) (Member, error) {
	var m Member
	var hash string
	err := s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT id, name, email, password_hash FROM users WHERE email = $1", email).
			Scan(&m.UserID, &m.Name, &m.Email, &hash)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		hash = dummyHash
	} else if err != nil {
		return Member{}, fmt.Errorf("auth: login: %w", err)
	}
	match, err := s.Hasher.Verify(ctx, hash, password)
	if err != nil {
		return Member{}, fmt.Errorf("auth: login: %w", err)
	}
	if !match || m.UserID == uuid.Nil {
		return Member{}, db.ErrUnauthorized
	}
	err = s.DB.Tx(ctx, db.Scope{UserID: m.UserID}, func(tx pgx.Tx) error {
		// Across tenants, so from memberships alone: a tenants row is
		// visible only inside its own tenant.
		return tx.QueryRow(ctx, `SELECT tenant_id, tenant_name, role FROM memberships
			WHERE user_id = $1 AND active ORDER BY tenant_name, tenant_id LIMIT 1`, m.UserID).Scan(&m.TenantID, &m.TenantName, &m.Role)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, db.ErrUnauthorized // no active membership anywhere
	}
	if err != nil {
		return Member{}, fmt.Errorf("auth: login: %w", err)
	}
	m.Active = true
	return m, nil
}
