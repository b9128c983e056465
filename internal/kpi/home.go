package kpi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
)

// NextStep is an interaction's agreed next step that is past its due date.
type NextStep struct {
	InteractionID uuid.UUID
	AccountID     uuid.UUID
	AccountName   string
	Step          string
	Due           time.Time
	DaysOverdue   int
}

// OverdueNextSteps lists the open next steps of userID that are past due
// (owned by them, or unowned on an account they manage), oldest first, at
// most limit, with the total count. Anybody signed in may read their own.
func (s *Store) OverdueNextSteps(ctx context.Context, sc db.Scope, userID uuid.UUID, limit int) ([]NextStep, int, error) {
	today := s.Now().UTC().Truncate(24 * time.Hour)
	var out []NextStep
	total := 0
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT i.id, i.account_id, a.name, i.next_step, i.next_step_due, count(*) OVER ()
			FROM interactions i JOIN accounts a ON a.tenant_id = i.tenant_id AND a.id = i.account_id
			WHERE i.tenant_id = $1 AND i.next_step_done_at IS NULL AND i.next_step_due < $3 AND i.next_step <> ''
				AND a.archived_at IS NULL
				AND (i.next_step_owner_id = $2 OR (i.next_step_owner_id IS NULL AND a.kam_user_id = $2))
			ORDER BY i.next_step_due, a.name, i.id LIMIT $4`, sc.TenantID, userID, today, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (NextStep, error) {
			var n NextStep
			err := r.Scan(&n.InteractionID, &n.AccountID, &n.AccountName, &n.Step, &n.Due, &total)
			n.DaysOverdue = int(today.Sub(n.Due.UTC()).Hours() / 24)
			return n, err
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("kpi: overdue next steps: %w", err)
	}
	return out, total, nil
}

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
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kpi_settings WHERE tenant_id = $1),
				count(*), count(*) FILTER (WHERE a.kam_user_id IS NULL),
				count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM kpi_figures f
					WHERE f.tenant_id = a.tenant_id AND f.account_id = a.id AND f.month >= $2))
			FROM accounts a WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND a.key_status = 'key'`, sc.TenantID, since).
			Scan(&h.SettingsSaved, &h.KeyAccounts, &h.KeyWithoutKAM, &h.KeyWithoutFigures)
	})
	if err != nil {
		return Health{}, fmt.Errorf("kpi: health: %w", err)
	}
	return h, nil
}
