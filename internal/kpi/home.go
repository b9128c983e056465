package kpi

import "context"
import "fmt"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// Health is the KPI side of a tenant's setup health.
type Health struct {
	SettingsSaved     bool // an admin has saved KPI settings
	KeyAccounts       int
	KeyWithoutKAM     int // key accounts nobody manages
	KeyWithoutFigures int // key accounts with no figures in the last RecentMonths months
}

// RecentMonths is how far back a key account's latest figures must be for
// its figures to count as current.
const RecentMonths = 3

// Health reports the KPI side of the tenant's setup. Anybody signed in may
// read it; the home page shows it to admins.
func (s *Store) Health(ctx context.Context, sc db.Scope) (Health, error) {
	var h Health
	since := AddMonths(MonthOf(s.Now()), -RecentMonths)
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		// Two statements: Citus cannot plan the uncorrelated EXISTS beside
		// the correlated NOT EXISTS in one.
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM kpi_settings WHERE tenant_id = $1)", sc.TenantID).
			Scan(&h.SettingsSaved); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE a.kam_user_id IS NULL),
				count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM kpi_figures f
					WHERE f.tenant_id = a.tenant_id AND f.account_id = a.id AND f.month >= $2))
			FROM accounts a WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND a.key_status = 'key'`, sc.TenantID, since).
			Scan(&h.KeyAccounts, &h.KeyWithoutKAM, &h.KeyWithoutFigures)
	})
	if err != nil {
		return Health{}, fmt.Errorf("kpi: health: %w", err)
	}
	return h, nil
}
