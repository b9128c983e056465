package auth

import "context"
import "fmt"

import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/numfmt"

// TenantSettings is what an admin sets for the whole tenant.
type TenantSettings struct {
	Locale  string // a numfmt locale name: how numbers and dates are shown
	Version int
}

// Validate checks the settings hold for any way they are written.
func (t TenantSettings) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	if _, ok := numfmt.Locales[t.Locale]; !ok {
		fe["locale"] = "Choose one of the listed formats."
	}
	return fe
}

// TenantSettingsOf reads the tenant's settings.
func (s *Store) TenantSettingsOf(ctx context.Context, sc db.Scope) (TenantSettings, error) {
	var t TenantSettings
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT locale, version FROM tenants WHERE id = $1", sc.TenantID).Scan(&t.Locale, &t.Version)
	})
	if err != nil {
		return t, db.NotFound("auth: tenant settings", err)
	}
	return t, nil
}

// UpdateTenantSettings saves in at version (db.ErrConflict when someone
// saved since) and records the change in the audit log.
func (s *Store) UpdateTenantSettings(ctx context.Context, sc db.Scope, in TenantSettings, version int) error {
	if fe := in.Validate(); len(fe) > 0 {
		return fe
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var cur TenantSettings
		if err := tx.QueryRow(ctx, "SELECT locale, version FROM tenants WHERE id = $1 FOR UPDATE", sc.TenantID).Scan(&cur.Locale, &cur.Version); err != nil {
			return err
		}
		if cur.Version != version {
			return db.ErrConflict
		}
		if cur.Locale == in.Locale {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE tenants SET locale = $2, version = version + 1 WHERE id = $1", sc.TenantID, in.Locale); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "tenant_settings", EntityID: sc.TenantID.String(),
			Before: map[string]string{"locale": cur.Locale}, After: map[string]string{"locale": in.Locale}})
	})
	if err != nil {
		return fmt.Errorf("auth: update tenant settings: %w", err)
	}
	return nil
}
