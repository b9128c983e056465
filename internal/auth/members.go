package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/audit"
	"pareto/internal/db"
)

// Member returns the person userID as seen in tenantID. Returns
// db.ErrNotFound when they are not a member there. Inactive members are
// returned with Active false; the caller decides.
func (s *Store) Member(ctx context.Context, tenantID, userID uuid.UUID) (Member, error) {
	var m Member
	err := s.DB.Tx(ctx, db.Scope{TenantID: tenantID, UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT m.user_id, m.tenant_id, t.name, u.name, u.email, m.role, m.active, m.version, m.created_at
			FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
			WHERE m.tenant_id = $1 AND m.user_id = $2`, tenantID, userID).
			Scan(&m.UserID, &m.TenantID, &m.TenantName, &m.Name, &m.Email, &m.Role, &m.Active, &m.Version, &m.CreatedAt)
	})
	if err != nil {
		return Member{}, db.NotFound("auth: member", err)
	}
	return m, nil
}

// Memberships lists the active tenants userID belongs to, by name.
func (s *Store) Memberships(ctx context.Context, userID uuid.UUID) ([]Membership, error) {
	var out []Membership
	err := s.DB.Tx(ctx, db.Scope{UserID: userID}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT m.tenant_id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
			WHERE m.user_id = $1 AND m.active ORDER BY t.name, t.id`, userID)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Membership, error) {
			var m Membership
			return m, r.Scan(&m.TenantID, &m.TenantName, &m.Role)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: memberships: %w", err)
	}
	return out, nil
}

// Members lists everyone in the scope's tenant, active first, by name.
func (s *Store) Members(ctx context.Context, sc db.Scope) ([]Member, error) {
	var out []Member
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT m.user_id, m.tenant_id, t.name, u.name, u.email, m.role, m.active, m.version, m.created_at
			FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
			WHERE m.tenant_id = $1 ORDER BY NOT m.active, lower(u.name), u.id`, sc.TenantID)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) {
			var m Member
			return m, r.Scan(&m.UserID, &m.TenantID, &m.TenantName, &m.Name, &m.Email, &m.Role, &m.Active, &m.Version, &m.CreatedAt)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: members: %w", err)
	}
	return out, nil
}

type memberState struct {
	Role   Role `json:"role"`
	Active bool `json:"active"`
}

// UpdateMember changes a member's role and active flag. Admin-only (the
// caller checks). The version must match (db.ErrConflict otherwise); the
// last active admin cannot be demoted or deactivated (db.FieldErrors).
func (s *Store) UpdateMember(ctx context.Context, sc db.Scope, userID uuid.UUID, role Role, active bool, version int) (Member, error) {
	if !role.Valid() {
		return Member{}, db.FieldErrors{"role": "Choose admin, leader or key account manager."}
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var before memberState
		var curVersion int
		err := tx.QueryRow(ctx, "SELECT role, active, version FROM memberships WHERE tenant_id = $1 AND user_id = $2 FOR UPDATE",
			sc.TenantID, userID).Scan(&before.Role, &before.Active, &curVersion)
		if err != nil {
			return db.NotFound("member", err)
		}
		if curVersion != version {
			return db.ErrConflict
		}
		after := memberState{Role: role, Active: active}
		if before == after {
			return nil
		}
		if before.Role == RoleAdmin && before.Active && (role != RoleAdmin || !active) {
			var admins int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM memberships WHERE tenant_id = $1 AND role = 'admin' AND active",
				sc.TenantID).Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				return db.FieldErrors{"role": "This is the only active admin; make someone else admin first."}
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE memberships SET role = $3, active = $4, version = version + 1 WHERE tenant_id = $1 AND user_id = $2",
			sc.TenantID, userID, role, active); err != nil {
			return err
		}
		action := "role_change"
		if before.Active != active {
			action = map[bool]string{true: "reactivate", false: "deactivate"}[active]
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: action, Entity: "membership",
			EntityID: userID.String(), Before: before, After: after})
	})
	if err != nil {
		return Member{}, wrapKeep("auth: update member", err)
	}
	return s.Member(ctx, sc.TenantID, userID)
}

// wrapKeep wraps err with context but returns FieldErrors unwrapped so the
// handler can show them beside fields.
func wrapKeep(what string, err error) error {
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Invite is an invitation to join a tenant.
type Invite struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	TenantName string
	Email      string
	Role       Role
	InvitedBy  string
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	CreatedAt  time.Time
}

// Expired reports whether the invite can no longer be accepted at now.
func (i Invite) Expired(now time.Time) bool { return now.After(i.ExpiresAt) }

// The token carries the tenant id so accepting it can be scoped by
// row-level security before anyone is signed in; only its hash is stored.
func newInviteToken(tenantID uuid.UUID) (token string, hash []byte, err error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", nil, fmt.Errorf("auth: token: %w", err)
	}
	token = tenantID.String() + "." + base64.RawURLEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(token))
	return token, sum[:], nil
}

func parseInviteToken(token string) (uuid.UUID, []byte, bool) {
	tenant, _, ok := strings.Cut(token, ".")
	if !ok {
		return uuid.Nil, nil, false
	}
	id, err := uuid.Parse(tenant)
	if err != nil {
		return uuid.Nil, nil, false
	}
	sum := sha256.Sum256([]byte(token))
	return id, sum[:], true
}

// CreateInvite invites email to the scope's tenant with role and returns
// the secret token for the link (shown once). Admin-only (caller checks).
// Returns db.FieldErrors for a bad email or role, or an email that is
// already an active member.
func (s *Store) CreateInvite(ctx context.Context, sc db.Scope, email string, role Role) (string, Invite, error) {
	email = normEmail(email)
	fe := db.FieldErrors{}
	checkEmail(fe, "email", email)
	if !role.Valid() {
		fe.Add("role", "Choose admin, leader or key account manager.")
	}
	if err := fe.Err(); err != nil {
		return "", Invite{}, err
	}
	token, hash, err := newInviteToken(sc.TenantID)
	if err != nil {
		return "", Invite{}, err
	}
	inv := Invite{TenantID: sc.TenantID, Email: email, Role: role, ExpiresAt: s.Now().Add(s.InviteTTL)}
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var member bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = $1 AND u.email = $2)`, sc.TenantID, email).Scan(&member); err != nil {
			return err
		}
		if member {
			return db.FieldErrors{"email": "This person is already a member; change their role in the list below."}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO invites (tenant_id, email, role, token_hash, invited_by, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`, sc.TenantID, email, role, hash, sc.UserID, inv.ExpiresAt).
			Scan(&inv.ID, &inv.CreatedAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "invite", Entity: "invite", EntityID: inv.ID.String(),
			After: map[string]any{"email": email, "role": role, "expires_at": inv.ExpiresAt}})
	})
	if err != nil {
		return "", Invite{}, wrapKeep("auth: create invite", err)
	}
	return token, inv, nil
}

// PendingInvites lists the scope's tenant's unaccepted, unexpired invites.
func (s *Store) PendingInvites(ctx context.Context, sc db.Scope) ([]Invite, error) {
	var out []Invite
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT i.id, i.tenant_id, i.email, i.role, u.name, i.expires_at, i.created_at
			FROM invites i JOIN users u ON u.id = i.invited_by
			WHERE i.tenant_id = $1 AND i.accepted_at IS NULL AND i.expires_at > $2 ORDER BY i.created_at DESC`, sc.TenantID, s.Now())
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invite, error) {
			var i Invite
			return i, r.Scan(&i.ID, &i.TenantID, &i.Email, &i.Role, &i.InvitedBy, &i.ExpiresAt, &i.CreatedAt)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: pending invites: %w", err)
	}
	return out, nil
}

// InviteByToken returns the invite a link token names. Returns
// db.ErrNotFound for an unknown, malformed, used or expired token alike.
func (s *Store) InviteByToken(ctx context.Context, token string) (Invite, error) {
	tenantID, hash, ok := parseInviteToken(token)
	if !ok {
		return Invite{}, fmt.Errorf("auth: invite: %w", db.ErrNotFound)
	}
	var inv Invite
	err := s.DB.Tx(ctx, db.Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT i.id, i.tenant_id, t.name, i.email, i.role, i.expires_at, i.accepted_at
			FROM invites i JOIN tenants t ON t.id = i.tenant_id
			WHERE i.tenant_id = $1 AND i.token_hash = $2`, tenantID, hash).
			Scan(&inv.ID, &inv.TenantID, &inv.TenantName, &inv.Email, &inv.Role, &inv.ExpiresAt, &inv.AcceptedAt)
	})
	if err != nil {
		return Invite{}, db.NotFound("auth: invite", err)
	}
	if inv.AcceptedAt != nil || inv.Expired(s.Now()) {
		return Invite{}, fmt.Errorf("auth: invite used or expired: %w", db.ErrNotFound)
	}
	return inv, nil
}

// AcceptInvite makes the invitee a member. A new person sets their name
// and password; someone who already has an account confirms with their
// existing password (name is then ignored). The token works once.
func (s *Store) AcceptInvite(ctx context.Context, token, name, password string) (Member, error) {
	inv, err := s.InviteByToken(ctx, token)
	if err != nil {
		return Member{}, err
	}
	name = strings.TrimSpace(name)
	m := Member{TenantID: inv.TenantID, TenantName: inv.TenantName, Email: inv.Email, Role: inv.Role, Active: true}
	var existingHash string
	err = s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT id, name, password_hash FROM users WHERE email = $1", inv.Email).Scan(&m.UserID, &m.Name, &existingHash)
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Member{}, fmt.Errorf("auth: accept invite: %w", err)
	}
	var newHash string
	if m.UserID != uuid.Nil {
		ok, err := s.Hasher.Verify(ctx, existingHash, password)
		if err != nil {
			return Member{}, err
		}
		if !ok {
			return Member{}, db.FieldErrors{"password": "You already have a Pareto account with this email: enter its password."}
		}
	} else {
		fe := db.FieldErrors{}
		checkName(fe, "name", name, "your name")
		if msg := CheckPassword(password); msg != "" {
			fe.Add("password", msg)
		}
		if err := fe.Err(); err != nil {
			return Member{}, err
		}
		if newHash, err = s.Hasher.Hash(ctx, password); err != nil {
			return Member{}, err
		}
		m.Name = name
	}
	err = s.DB.Tx(ctx, db.Scope{TenantID: inv.TenantID}, func(tx pgx.Tx) error {
		if m.UserID == uuid.Nil {
			if err := tx.QueryRow(ctx, "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id",
				inv.Email, name, newHash).Scan(&m.UserID); err != nil {
				return err
			}
		}
		// Single use: only one acceptance can flip accepted_at.
		tag, err := tx.Exec(ctx, `UPDATE invites SET accepted_at = now(), accepted_by = $3
			WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL`, inv.TenantID, inv.ID, m.UserID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return db.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role, active = true, version = memberships.version + 1`,
			inv.TenantID, m.UserID, inv.Role); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: m.UserID, Action: "accept_invite", Entity: "membership",
			EntityID: m.UserID.String(), After: map[string]any{"email": inv.Email, "role": inv.Role}})
	})
	if err != nil {
		return Member{}, wrapKeep("auth: accept invite", err)
	}
	return m, nil
}

// UserExists reports whether someone has signed up with email.
func (s *Store) UserExists(ctx context.Context, email string) (bool, error) {
	var ok bool
	err := s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)", normEmail(email)).Scan(&ok)
	})
	if err != nil {
		return false, fmt.Errorf("auth: user exists: %w", err)
	}
	return ok, nil
}
