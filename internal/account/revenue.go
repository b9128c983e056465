package account

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// Revenue: the one definition (issue 14). This is where it lives; every
// page and export that shows an account's revenue, a revenue total or a
// revenue share (the shortlist and its concentration warning, the
// dashboards' key share and largest account, the KAM loads, the CSV
// exports) reads it, and nothing else computes revenue another way.
//
// An account's revenue is its recorded KPI revenue over the trailing 12
// complete months (RevenueWindow: the 12 months before the current one),
// summed over the months it has figures for; only when the account has no
// figure at all in that window does its annual revenue as entered stand
// in, and every page says so beside the number (RevenueSource).
//
// It is kept, not recomputed per page: accounts.revenue_recorded is the
// recorded sum for the tenant's window (revenue_windows.through), written
// by KeepRevenue in every transaction that writes figures (the KPI store
// calls it; this is the one place outside package kpi that reads
// kpi_figures, because an account's revenue is the account's), and
// accounts.revenue_cents = coalesce(revenue_recorded, annual_revenue) in cents is a
// generated column (indexed for the largest accounts). When the calendar
// moves into a new month the window moves on: RefreshRevenue recomputes
// the tenant (once a month, O(accounts)); pages that notice a stale window
// keep showing the figures of the window they were computed for (and say
// which) until it ran.

// RevenueMonths is the length of the revenue window.
const RevenueMonths = 12

// RevenueWindow is the trailing 12 complete months at now: from the
// first to the last month (first days), the last being the month before
// now's.
func RevenueWindow(now time.Time) (from, through time.Time) {
	through = addMonths(monthOf(now), -1)
	return addMonths(through, 1-RevenueMonths), through
}

// RevenueSource says where an account's revenue comes from, for the note
// beside the number.
func RevenueSource(fromFigures bool) string {
	if fromFigures {
		return "recorded revenue, last 12 complete months"
	}
	return "annual revenue as entered (no figures in the last 12 complete months)"
}

// RevenueSourceCode is RevenueSource for CSV exports.
func RevenueSourceCode(fromFigures bool) string {
	if fromFigures {
		return "recorded_12_months"
	}
	return "annual_revenue"
}

const revenueThroughSQL = "SELECT through FROM revenue_windows WHERE tenant_id = $1"

// revenueThrough is the last month of the window the tenant's kept
// revenue was computed for, locked when lock is set; ok is false when it
// was never computed (no figures were ever written: every account's
// revenue is its annual revenue, whatever the window).
func revenueThrough(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, lock bool) (through time.Time, ok bool, err error) {
	q := revenueThroughSQL
	if lock {
		q += " FOR UPDATE"
	}
	err = tx.QueryRow(ctx, q, tenantID).Scan(&through)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("revenue window: %w", err)
	}
	return monthOf(through), true, nil
}

// KeepRevenue keeps the revenue of the accounts ids after their figures
// changed in tx. Every writer of kpi_figures calls it in its transaction
// (after the write); when the tenant's window is not the current one it
// recomputes the whole tenant instead (RefreshRevenue).
func KeepRevenue(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, now time.Time, ids []uuid.UUID) error {
	from, through := RevenueWindow(now)
	kept, ok, err := revenueThrough(ctx, tx, tenantID, true)
	if err != nil {
		return err
	}
	if !ok || !kept.Equal(through) {
		return RecomputeRevenue(ctx, tx, tenantID, now)
	}
	return Keep(ctx, tx, tenantID, ids, func() error {
		_, err := tx.Exec(ctx, `UPDATE accounts a SET revenue_recorded = s.total
			FROM (SELECT x.id, (SELECT sum(f.revenue) FROM kpi_figures f
					WHERE f.tenant_id = $1 AND f.account_id = x.id AND f.month BETWEEN $3 AND $4) AS total
				FROM unnest($2::uuid[]) AS x (id)) s
			WHERE a.tenant_id = $1 AND a.id = s.id AND a.revenue_recorded IS DISTINCT FROM s.total`, tenantID, ids, from, through)
		if err != nil {
			return fmt.Errorf("keep revenue: %w", err)
		}
		return nil
	})
}

// RecomputeRevenue recomputes the recorded revenue of every account of
// the tenant for the window at now, and the tallies, in tx: for bulk
// writes of figures (seeds) and when the window moves on.
func RecomputeRevenue(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, now time.Time) error {
	from, through := RevenueWindow(now)
	if _, err := tx.Exec(ctx, `INSERT INTO revenue_windows (tenant_id, through) VALUES ($1, $2)
		ON CONFLICT (tenant_id) DO UPDATE SET through = EXCLUDED.through`, tenantID, through); err != nil {
		return fmt.Errorf("revenue window: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE accounts a SET revenue_recorded = s.total
		FROM (SELECT a2.id, sum(f.revenue) AS total
			FROM accounts a2 LEFT JOIN kpi_figures f ON f.tenant_id = a2.tenant_id AND f.account_id = a2.id
				AND f.month BETWEEN $2 AND $3
			WHERE a2.tenant_id = $1 GROUP BY a2.id) s
		WHERE a.tenant_id = $1 AND a.id = s.id AND a.revenue_recorded IS DISTINCT FROM s.total`, tenantID, from, through); err != nil {
		return fmt.Errorf("refresh revenue: %w", err)
	}
	return Recount(ctx, tx, tenantID)
}

// RevenueWindowKept is the last month of the window the tenant's kept
// revenue was computed for (zero before any figure was written) and
// whether that is no longer the current window at now (the month moved
// on; RefreshRevenue catches up).
func RevenueWindowKept(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, now time.Time) (through time.Time, stale bool, err error) {
	w, err := db.ReadNow(ctx, tx, func(r *db.Reads) *KeptWindow { return QueueRevenueWindow(r, tenantID, now) })
	return w.Through, w.Stale, err
}

// KeptWindow is RevenueWindowKept's answer.
type KeptWindow struct {
	Through time.Time
	Stale   bool
}

// QueueRevenueWindow is RevenueWindowKept queued in r (filled when r is sent).
func QueueRevenueWindow(r *db.Reads, tenantID uuid.UUID, now time.Time) *KeptWindow {
	out := new(KeptWindow)
	r.One(func(row pgx.Row) error {
		var through time.Time
		err := row.Scan(&through)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("revenue window: %w", err)
		}
		_, cur := RevenueWindow(now)
		out.Through = monthOf(through)
		out.Stale = !out.Through.Equal(cur)
		return nil
	}, revenueThroughSQL, tenantID)
	return out
}

// RefreshRevenue moves the scope's tenant's revenue window to the current
// one when it is not, recomputing every account's revenue and the
// tallies (O(accounts); once a month, from a background task). System
// work: no audit event.
func (s *Store) RefreshRevenue(ctx context.Context, sc db.Scope) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		through, ok, err := revenueThrough(ctx, tx, sc.TenantID, true)
		if err != nil {
			return err
		}
		if _, cur := RevenueWindow(s.Now()); ok && through.Equal(cur) {
			return nil
		}
		return RecomputeRevenue(ctx, tx, sc.TenantID, s.Now())
	})
	if err != nil {
		return fmt.Errorf("kpi: refresh revenue: %w", err)
	}
	return nil
}

func monthOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func addMonths(m time.Time, n int) time.Time {
	return time.Date(m.Year(), m.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}
