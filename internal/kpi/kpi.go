// Package kpi holds the monthly KPI figures of accounts, the tenant's KPI
// settings, the derived KPIs (pure, in derive.go) and the dashboard
// queries.
//
// Permission rules, stated on each method: everybody signed in may read
// figures and dashboards (a KAM's portfolio is narrowed to their own
// accounts by the caller's filter); admins and leaders may change the
// figures of every account, a KAM only those of accounts they manage;
// only admins change the settings (the router enforces that).
package kpi

import "context"
import "errors"
import "fmt"
import "pareto/internal/account"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"

// Store reads and writes KPI figures and settings.
type Store struct {
	DB  *db.DB
	Now func() time.Time

	figures   figuresMemo
	revenueAt versionedMemo[map[uuid.UUID]float64] // every account's revenue at a month (RetentionWindow rule)
	retention versionedMemo[Retention]             // every account's retention over a period (key: its first and last month)
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	return &Store{DB: d, Now: time.Now}
}

// CSAT scales a tenant may choose.
const (
	ScaleFive    = "5"       // an average rating from 1 to 5
	ScalePercent = "percent" // percent of satisfied customers, 0–100
)

// Settings are a tenant's KPI settings.
type Settings struct {
	CSATScale            string
	FiscalYearStartMonth int
	Version              int // 0 while the tenant has never saved settings
}

// DefaultSettings apply until an admin saves others.
var DefaultSettings = Settings{CSATScale: ScaleFive, FiscalYearStartMonth: 1}

// CSATLabel names the scale for people.
func (s Settings) CSATLabel() string {
	if s.CSATScale == ScalePercent {
		return "percent satisfied (0–100)"
	}
	return "average rating (1–5)"
}

// Settings returns the scope's tenant's KPI settings (the defaults when
// none were saved). Anybody signed in may read them.
func (s *Store) Settings(ctx context.Context, sc db.Scope) (Settings, error) {
	return db.Read(ctx, s.DB, sc, "kpi: settings", settings)
}

// SettingsTx is Settings inside a transaction another area runs (a goal's
// CSAT range depends on the tenant's scale).
func SettingsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	return settings(ctx, tx, tenantID)
}

func settings(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	st := DefaultSettings
	err := tx.QueryRow(ctx, `SELECT csat_scale, fiscal_year_start_month, version FROM kpi_settings WHERE tenant_id = $1`, tenantID).
		Scan(&st.CSATScale, &st.FiscalYearStartMonth, &st.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings, nil
	}
	return st, err
}

// SettingsInput is the settings form as typed.
type SettingsInput struct {
	CSATScale            string
	FiscalYearStartMonth string
	Version              int
}

// UpdateSettings saves the tenant's KPI settings. Admin-only (the router
// checks the role). Returns db.FieldErrors for bad input, including a
// change of the CSAT scale while CSAT figures exist (they would silently
// change meaning), and db.ErrConflict when in.Version is stale.
func (s *Store) UpdateSettings(ctx context.Context, sc db.Scope, in SettingsInput) (Settings, error) {
	fe := db.FieldErrors{}
	next := Settings{CSATScale: in.CSATScale}
	if in.CSATScale != ScaleFive && in.CSATScale != ScalePercent {
		fe.Add("csat_scale", "Choose a CSAT scale.")
	}
	if _, err := fmt.Sscan(in.FiscalYearStartMonth, &next.FiscalYearStartMonth); err != nil ||
		next.FiscalYearStartMonth < 1 || next.FiscalYearStartMonth > 12 {
		fe.Add("fiscal_year_start_month", "Choose the month your fiscal year starts in.")
	}
	if err := fe.Err(); err != nil {
		return Settings{}, err
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := settings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if cur.Version != in.Version {
			return fmt.Errorf("settings changed (version %d, form %d): %w", cur.Version, in.Version, db.ErrConflict)
		}
		if cur.CSATScale != next.CSATScale {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM kpi_figures WHERE tenant_id = $1 AND csat IS NOT NULL`, sc.TenantID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return db.FieldErrors{"csat_scale": fmt.Sprintf("%d monthly CSAT figures are stored on the current scale; "+
					"they would change meaning. Keep the scale, or clear those figures first.", n)}
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO kpi_settings (tenant_id, csat_scale, fiscal_year_start_month, updated_by)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET csat_scale = EXCLUDED.csat_scale,
				fiscal_year_start_month = EXCLUDED.fiscal_year_start_month, updated_by = EXCLUDED.updated_by,
				updated_at = EXCLUDED.updated_at, version = kpi_settings.version + 1
			RETURNING version`, sc.TenantID, next.CSATScale, next.FiscalYearStartMonth, db.Null(sc.UserID)).Scan(&next.Version)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "kpi_settings",
			Before: settingsState(cur), After: settingsState(next)})
	})
	if err != nil {
		return Settings{}, fmt.Errorf("kpi: update settings: %w", err)
	}
	return next, nil
}

func settingsState(s Settings) map[string]any {
	return map[string]any{"csat_scale": s.CSATScale, "fiscal_year_start_month": s.FiscalYearStartMonth}
}

// MayEdit reports whether m may change the figures of an account managed
// by kamID (uuid.Nil when nobody manages it).
func MayEdit(m auth.Member, kamID uuid.UUID) bool {
	return account.CanEditManagedBy(m.Role, m.UserID, kamID)
}

// bumpFiguresVersion counts a change of the tenant's figures, in the
// writing transaction; the dashboards' memos are valid for one count.
func bumpFiguresVersion(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) error {
	_, err := tx.Exec(ctx, `INSERT INTO kpi_state (tenant_id, figures_version) VALUES ($1, 1)
		ON CONFLICT (tenant_id) DO UPDATE SET figures_version = kpi_state.figures_version + 1, updated_at = EXCLUDED.updated_at`, tenantID)
	return err
}
