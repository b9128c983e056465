package auth

import "context"
import "errors"
import "fmt"
import "strings"
import "time"
import "unicode"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

// API tokens. An admin creates named tokens for the tenant; a token reads
// (TokenRead) or reads and writes (TokenWrite) through the JSON API,
// acting as the admin who created it with that person's current role, so
// row-level security and every domain rule apply exactly as to them. The
// token carries its tenant (like an invitation's), so it is looked up
// inside that tenant's row-level security; only its SHA-256 is stored and
// it is shown once. Deactivating the creator, revoking the token or its
// expiry stops it.

// TokenScope is what a token may do.
//
//	TokenRead  "read"  "Read only"
//	TokenWrite "write" "Read and write"
//
//enumgen:values
type TokenScope string

// Token is one API token as admins see it (never its secret).
type Token struct {
	ID            uuid.UUID
	Name          string
	Scope         TokenScope
	CreatedBy     uuid.UUID
	CreatedByName string
	CreatedAt     time.Time
	LastUsedAt    time.Time // zero: never used
	ExpiresAt     time.Time // zero: never expires
	RevokedAt     time.Time // zero: not revoked
}

// Usable reports whether t authenticates at now.
func (t Token) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// TokenInput is a new token as an admin describes it.
type TokenInput struct {
	Name      string
	Scope     TokenScope
	ExpiresAt time.Time // zero: never
}

// tokenPrefix marks Pareto's API tokens (secret scanners look for it).
const tokenPrefix = "pareto_"

// lastUsedEvery is how stale last_used_at may get before a request writes
// it again (one write a minute per token, not one per request).
const lastUsedEvery = time.Minute

// CreateToken makes a token in the scope's tenant acting as the scope's
// person and returns its secret (shown once) with the token. Admin-only
// (the caller checks). db.FieldErrors for a bad name, scope or expiry.
func (s *Store) CreateToken(ctx context.Context, sc db.Scope, in TokenInput) (string, Token, error) {
	in.Name = strings.TrimSpace(in.Name)
	fe := db.FieldErrors{}
	fe.Text("name", in.Name, 100, "Name the token after what uses it, e.g. Salesforce sync.", "Use at most 100 characters.")
	if strings.ContainsFunc(in.Name, unicode.IsControl) {
		fe.Add("name", "Use plain text without control characters.")
	}
	if !in.Scope.Valid() {
		fe.Add("scope", "Choose read only or read and write.")
	}
	now := s.Now()
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(now) {
		fe.Add("expires_at", "Choose a date in the future, or leave it empty for no expiry.")
	}
	if err := fe.Err(); err != nil {
		return "", Token{}, err
	}
	token, hash, err := newTenantToken(tokenPrefix, sc.TenantID)
	if err != nil {
		return "", Token{}, err
	}
	t := Token{ID: uuid.New(), Name: in.Name, Scope: in.Scope, CreatedBy: sc.UserID, CreatedAt: now, ExpiresAt: in.ExpiresAt}
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (tenant_id, id, name, scope, token_hash, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sc.TenantID, t.ID, t.Name, t.Scope, hash, sc.UserID, now, db.NullTime(in.ExpiresAt)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "api_token", EntityID: t.ID.String(),
			After: map[string]string{"name": t.Name, "scope": string(t.Scope), "expires_at": dateOrEmpty(in.ExpiresAt)}})
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: create token: %w", err)
	}
	return token, t, nil
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

const tokenCols = `t.id, t.name, t.scope, t.created_by, coalesce(u.name, ''), t.created_at, t.last_used_at, t.expires_at, t.revoked_at`

func scanToken(row pgx.Row) (Token, error) {
	var t Token
	var used, expires, revoked *time.Time
	err := row.Scan(&t.ID, &t.Name, &t.Scope, &t.CreatedBy, &t.CreatedByName, &t.CreatedAt, &used, &expires, &revoked)
	for _, p := range []struct {
		src *time.Time
		dst *time.Time
	}{{used, &t.LastUsedAt}, {expires, &t.ExpiresAt}, {revoked, &t.RevokedAt}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return t, err
}

// Tokens lists the scope's tenant's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, sc db.Scope) ([]Token, error) {
	var out []Token
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
			WHERE t.tenant_id = $1 ORDER BY t.created_at DESC, t.id`, sc.TenantID)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) { return scanToken(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: tokens: %w", err)
	}
	return out, nil
}

// RevokeToken stops token id at once (db.ErrNotFound when the tenant has
// no such token). Revoking a revoked token changes nothing.
func (s *Store) RevokeToken(ctx context.Context, sc db.Scope, id uuid.UUID) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var name string
		var revoked *time.Time
		if err := tx.QueryRow(ctx, "SELECT name, revoked_at FROM api_tokens WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
			sc.TenantID, id).Scan(&name, &revoked); err != nil {
			return db.NotFound("token", err)
		}
		if revoked != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2", sc.TenantID, id, s.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "revoke", Entity: "api_token", EntityID: id.String(),
			Before: map[string]string{"name": name}})
	})
	if err != nil {
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}

// TokenAuth is who a request carrying a token acts as.
type TokenAuth struct {
	Member Member
	Token  Token
}

// CanWrite reports whether the token may change data.
func (a TokenAuth) CanWrite() bool { return a.Token.Scope == TokenWrite }

// ErrTokenExpired says a token was right but has expired or been revoked
// (a db.ErrUnauthorized).
var ErrTokenExpired = fmt.Errorf("token expired or revoked: %w", db.ErrUnauthorized)

// Authenticate finds the token secret names and the member it acts as,
// and notes its use (at most once a minute). db.ErrUnauthorized for an
// unknown token, ErrTokenExpired for an expired or revoked one, or one
// whose creator is no longer an active member.
func (s *Store) Authenticate(ctx context.Context, secret string) (TokenAuth, error) {
	rest, ok := strings.CutPrefix(secret, tokenPrefix)
	if !ok || len(secret) > 200 {
		return TokenAuth{}, db.ErrUnauthorized
	}
	tenantID, _, ok := parseInviteToken(rest)
	if !ok {
		return TokenAuth{}, db.ErrUnauthorized
	}
	hash := hashSecret(secret)
	now := s.Now()
	var a TokenAuth
	err := s.DB.Tx(ctx, db.Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
			WHERE t.tenant_id = $1 AND t.token_hash = $2`, tenantID, hash))
		if errors.Is(err, pgx.ErrNoRows) {
			return db.ErrUnauthorized
		}
		if err != nil {
			return err
		}
		if !t.Usable(now) {
			return ErrTokenExpired
		}
		a.Token = t
		if t.LastUsedAt.Before(now.Add(-lastUsedEvery)) {
			_, err = tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2", tenantID, t.ID, now)
		}
		return err
	})
	if err != nil {
		if errors.Is(err, db.ErrUnauthorized) {
			return TokenAuth{}, err
		}
		return TokenAuth{}, fmt.Errorf("auth: authenticate token: %w", err)
	}
	m, err := s.Member(ctx, tenantID, a.Token.CreatedBy)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !m.Active) {
		return TokenAuth{}, ErrTokenExpired
	}
	if err != nil {
		return TokenAuth{}, err
	}
	a.Member = m
	return a, nil
}
