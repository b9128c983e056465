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

// MemberWithTenants is Member and Memberships in one query, as every
// signed-in request needs both (the member for the rules, the tenants for
// the header's switcher): userID as seen in tenantID, and the active
// tenants they belong to, by name. Returns db.ErrNotFound when they are
// not a member of tenantID.
func (s *Store) MemberWithTenants(ctx context.Context, tenantID, userID uuid.UUID) (Member, []Membership, error) {
	var m Member
	var tenants []Membership
	found := false
	// Queued, not run: in a read request this lookup is the first read,
	// and goes in the round trip of the request transaction's BEGIN.
	var r db.Reads
	// Across tenants, so the names come from memberships: a tenants row
	// is visible only inside its own tenant — which is also why the
	// joined locale is tenantID's alone (NULL on the others).
	r.Query(func(rows pgx.Rows) error {
		var x Member
		_, err := pgx.ForEachRow(rows, []any{&x.TenantID, &x.TenantName, &x.Role, &x.Active, &x.Version, &x.CreatedAt, &x.Name, &x.Email,
			&x.Locale}, func() error {
			x.UserID = userID
			if x.TenantID == tenantID {
				m, found = x, true
			}
			if x.Active {
				tenants = append(tenants, Membership{TenantID: x.TenantID, TenantName: x.TenantName, Role: x.Role})
			}
			return nil
		})
		return err
	}, `SELECT m.tenant_id, m.tenant_name, m.role, m.active, m.version, m.created_at, u.name, u.email,
			coalesce(t.locale, '')
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN tenants t ON t.id = m.tenant_id
		WHERE m.user_id = $2 AND (m.active OR m.tenant_id = $1)
		ORDER BY m.tenant_name, m.tenant_id`, tenantID, userID)
	err := r.SendIn(ctx, s.DB, db.Scope{TenantID: tenantID, UserID: userID})
	if err == nil && !found {
		err = fmt.Errorf("member %s of %s: %w", userID, tenantID, db.ErrNotFound)
	}
	if err != nil {
		return Member{}, nil, fmt.Errorf("auth: member: %w", err)
	}
	return m, tenants, nil
}

// Memberships lists the active tenants userID belongs to, by name.
func (s *Store) Memberships(ctx context.Context, userID uuid.UUID) ([]Membership, error) {
	var out []Membership
	err := s.DB.Tx(ctx, db.Scope{UserID: userID}, func(tx pgx.Tx) error {
		// Across tenants, so from memberships alone: a tenants row is
		// visible only inside its own tenant.
		rows, _ := tx.Query(ctx, `SELECT tenant_id, tenant_name, role FROM memberships
			WHERE user_id = $1 AND active ORDER BY tenant_name, tenant_id`, userID)
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
		return Member{}, db.Wrap("auth: update member", err)
	}
	return s.Member(ctx, sc.TenantID, userID)
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

// newTenantToken returns prefix, the tenant id and a random secret as one
// token, and the hash that is stored (invites: no prefix; API tokens:
// tokenPrefix). The token carries the tenant id so using it can be scoped
// by row-level security before anyone is signed in.
func newTenantToken(prefix string, tenantID uuid.UUID) (token string, hash []byte, err error) {
	secret, _, err := newSecret()
	if err != nil {
		return "", nil, err
	}
	token = prefix + tenantID.String() + "." + secret
	return token, hashSecret(token), nil
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
	return id, hashSecret(token), true
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
	token, hash, err := newTenantToken("", sc.TenantID)
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
		return "", Invite{}, db.Wrap("auth: create invite", err)
	}
	return token, inv, nil
}

// PendingInvites lists the scope's tenant's unaccepted, unexpired invites.
func (s *Store) PendingInvites(ctx context.Context, sc db.Scope) ([]Invite, error) {
	var out []Invite
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT i.id, i.tenant_id, i.email, i.role, u.name, i.expires_at, i.created_at
			FROM invites i JOIN users u ON u.id = i.invited_by
			WHERE i.tenant_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
			ORDER BY i.created_at DESC`, sc.TenantID, s.Now())
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
// db.ErrNotFound for an unknown, malformed, used, revoked or expired token
// alike.
func (s *Store) InviteByToken(ctx context.Context, token string) (Invite, error) {
	tenantID, hash, ok := parseInviteToken(token)
	if !ok {
		return Invite{}, fmt.Errorf("auth: invite: %w", db.ErrNotFound)
	}
	var inv Invite
	err := s.DB.Tx(ctx, db.Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT i.id, i.tenant_id, t.name, i.email, i.role, i.expires_at, i.accepted_at
			FROM invites i JOIN tenants t ON t.id = i.tenant_id
			WHERE i.tenant_id = $1 AND i.token_hash = $2 AND i.revoked_at IS NULL`, tenantID, hash).
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

// Why an invitation cannot be accepted (each answered with its own clear
// message, never a 500).
var (
	// ErrInviteUsed: used, revoked or expired meanwhile (two people
	// accepting one invitation at once: one wins, the other gets this).
	ErrInviteUsed = errors.New("auth: invitation already used")
	// ErrInviteOtherEmail: the signed-in person's email is not the one
	// invited.
	ErrInviteOtherEmail = errors.New("auth: invitation is for another email")
	// ErrAlreadyMember: the person is an active member already.
	ErrAlreadyMember = errors.New("auth: already a member")
	// ErrMembershipEnded: an admin deactivated the person there; only an
	// admin reactivates.
	ErrMembershipEnded = errors.New("auth: membership deactivated")
)

// AcceptInvite creates the account of a person new to Pareto, who follows
// the invitation link (which proves they read the invited mailbox) and
// chooses a name and password; they become a member with the invited role.
// The page never takes a password for an existing account: for an email
// that has one it returns ErrAccountExists (sign in, then JoinInvite).
// The token works once; losing a race returns ErrInviteUsed.
func (s *Store) AcceptInvite(ctx context.Context, token, name, password string) (Member, error) {
	inv, err := s.InviteByToken(ctx, token)
	if err != nil {
		return Member{}, err
	}
	// An existing account is refused before the password is even looked at.
	var exists bool
	err = s.DB.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)", inv.Email).Scan(&exists)
	})
	if err != nil {
		return Member{}, fmt.Errorf("auth: accept invite: %w", err)
	}
	if exists {
		return Member{}, ErrAccountExists
	}
	name = strings.TrimSpace(name)
	fe := db.FieldErrors{}
	checkName(fe, "name", name, "your name")
	if msg := PasswordProblem(password, inv.Email, name, inv.TenantName); msg != "" {
		fe.Add("password", msg)
	}
	if err := fe.Err(); err != nil {
		return Member{}, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return Member{}, err
	}
	m := Member{TenantID: inv.TenantID, TenantName: inv.TenantName, Email: inv.Email, Name: name, Role: inv.Role, Active: true}
	err = s.DB.Tx(ctx, db.Scope{TenantID: inv.TenantID}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id",
			inv.Email, name, hash).Scan(&m.UserID)
		if db.IsUniqueViolation(err, "users_email_key") {
			return ErrInviteUsed // the same link accepted at the same moment
		}
		if err != nil {
			return err
		}
		return s.useInvite(ctx, tx, inv, m.UserID)
	})
	if err != nil {
		return Member{}, db.Wrap("auth: accept invite", err)
	}
	return m, nil
}

// JoinInvite makes a signed-in person (userID) a member through an
// invitation to their email. It never reactivates a deactivated member
// (ErrMembershipEnded) nor changes an existing member's role
// (ErrAlreadyMember); ErrInviteOtherEmail when the invitation names
// another address.
func (s *Store) JoinInvite(ctx context.Context, token string, userID uuid.UUID) (Member, error) {
	inv, err := s.InviteByToken(ctx, token)
	if err != nil {
		return Member{}, err
	}
	m := Member{TenantID: inv.TenantID, TenantName: inv.TenantName, Role: inv.Role, Active: true, UserID: userID}
	err = s.DB.Tx(ctx, db.Scope{TenantID: inv.TenantID, UserID: userID}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT name, email FROM users WHERE id = $1", userID).Scan(&m.Name, &m.Email); err != nil {
			return err
		}
		if !strings.EqualFold(m.Email, inv.Email) {
			return ErrInviteOtherEmail
		}
		var active *bool
		err := tx.QueryRow(ctx, "SELECT active FROM memberships WHERE tenant_id = $1 AND user_id = $2", inv.TenantID, userID).Scan(&active)
		switch {
		case err == nil && *active:
			return ErrAlreadyMember
		case err == nil:
			return ErrMembershipEnded
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return s.useInvite(ctx, tx, inv, userID)
	})
	if err != nil {
		return Member{}, db.Wrap("auth: join invite", err)
	}
	return m, nil
}

// useInvite marks inv accepted by userID (once) and adds the membership,
// in the caller's transaction (scoped to the invite's tenant).
func (s *Store) useInvite(ctx context.Context, tx pgx.Tx, inv Invite, userID uuid.UUID) error {
	now := s.Now()
	tag, err := tx.Exec(ctx, `UPDATE invites SET accepted_at = $3, accepted_by = $4
		WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3`,
		inv.TenantID, inv.ID, now, userID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return ErrInviteUsed
	}
	tag, err = tx.Exec(ctx, `INSERT INTO memberships (tenant_id, user_id, role, tenant_name) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, user_id) DO NOTHING`, inv.TenantID, userID, inv.Role, inv.TenantName)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return ErrAlreadyMember
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: userID, Action: "accept_invite", Entity: "membership",
		EntityID: userID.String(), After: map[string]any{"email": inv.Email, "role": inv.Role}})
}

// RevokeInvite withdraws a pending invitation of the scope's tenant
// (admin-only, the caller checks), audited. db.ErrNotFound when there is no
// such pending invitation.
func (s *Store) RevokeInvite(ctx context.Context, sc db.Scope, id uuid.UUID) (Invite, error) {
	var inv Invite
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE invites SET revoked_at = $3, revoked_by = $4
			WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
			RETURNING id, email, role`, sc.TenantID, id, s.Now(), sc.UserID).Scan(&inv.ID, &inv.Email, &inv.Role)
		if err != nil {
			return db.NotFound("invite", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "revoke_invite", Entity: "invite",
			EntityID: id.String(), Before: map[string]any{"email": inv.Email, "role": inv.Role}})
	})
	if err != nil {
		return Invite{}, fmt.Errorf("auth: revoke invite: %w", err)
	}
	return inv, nil
}

// UserExists reports whether someone has signed up with email (seeding
// uses it; pages must not, or they would tell who has an account).
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
