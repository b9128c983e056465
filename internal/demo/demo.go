// Package demo seeds the demo tenant "Acme Industrial", so a new machine
// shows a working product on first start.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"pareto/internal/auth"
	"pareto/internal/db"
)

// Password is every demo user's password; printed when seeding and in the
// README. Demo data only: never use it for real accounts.
const Password = "acme-demo-2026"

// AdminEmail signs in as the demo admin.
const AdminEmail = "admin@acme.test"

// People are the demo users besides the admin.
var People = []struct {
	Email, Name string
	Role        auth.Role
}{
	{"leader@acme.test", "Lena Leader", auth.RoleLeader},
	{"kam1@acme.test", "Karl Meyer", auth.RoleKAM},
	{"kam2@acme.test", "Kira Santos", auth.RoleKAM},
	{"kam3@acme.test", "Kofi Mensah", auth.RoleKAM},
}

// ErrAlreadySeeded says the demo tenant exists already.
var ErrAlreadySeeded = errors.New("demo: already seeded")

// Seed creates the demo tenant, its admin, a leader and three KAMs.
func Seed(ctx context.Context, d *db.DB) error {
	store := auth.NewStore(d)
	exists, err := store.UserExists(ctx, AdminEmail)
	if err != nil {
		return err
	}
	if exists {
		return ErrAlreadySeeded
	}
	admin, err := store.Signup(ctx, auth.SignupInput{OrgName: "Acme Industrial", Name: "Ada Admin", Email: AdminEmail, Password: Password})
	if err != nil {
		return fmt.Errorf("demo: admin: %w", err)
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	for _, p := range People {
		token, _, err := store.CreateInvite(ctx, sc, p.Email, p.Role)
		if err != nil {
			return fmt.Errorf("demo: invite %s: %w", p.Email, err)
		}
		if _, err := store.AcceptInvite(ctx, token, p.Name, Password); err != nil {
			return fmt.Errorf("demo: accept %s: %w", p.Email, err)
		}
	}
	return seedScoring(ctx, d, sc)
}

// IsEmpty reports whether no tenant exists yet (the database is fresh).
func IsEmpty(ctx context.Context, d *db.DB) (bool, error) {
	var any bool
	err := d.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&any)
	})
	if err != nil {
		return false, fmt.Errorf("demo: check empty: %w", err)
	}
	return !any, nil
}
