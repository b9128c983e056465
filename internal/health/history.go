package health

import "context"
import "encoding/json"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/kpi"

// Kept is an account's health as kept.
type Kept struct {
	Breakdown
	ComputedAt time.Time
}

// HistoryPoint is an account's score in a month (nil: missing).
type HistoryPoint struct {
	Month time.Time
	Score *int
}

// AccountHealth returns accountID's kept health (ok false when never
// computed) and the history of its score over the months ending with
// this one (months without a row are left out).
func (s *Store) AccountHealth(ctx context.Context, sc db.Scope, accountID uuid.UUID, months int) (Kept, bool, []HistoryPoint, error) {
	var k Kept
	var ok bool
	var hist []HistoryPoint
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var js []byte
		err := tx.QueryRow(ctx, `SELECT breakdown, computed_at FROM account_health WHERE tenant_id = $1 AND account_id = $2`,
			sc.TenantID, accountID).Scan(&js, &k.ComputedAt)
		if ok, err = db.Found(err); err != nil {
			return err
		}
		if ok {
			if err := json.Unmarshal(js, &k.Breakdown); err != nil {
				return fmt.Errorf("breakdown: %w", err)
			}
		}
		this := kpi.MonthOf(s.Now())
		rows, _ := tx.Query(ctx, `SELECT month, score FROM health_history WHERE tenant_id = $1 AND account_id = $2
			AND month BETWEEN $3 AND $4 ORDER BY month`, sc.TenantID, accountID, kpi.AddMonths(this, 1-months), this)
		hist, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (HistoryPoint, error) {
			var p HistoryPoint
			err := r.Scan(&p.Month, &p.Score)
			p.Month = kpi.MonthOf(p.Month)
			return p, err
		})
		return err
	})
	return k, ok, hist, wrap("account health", err)
}

// Backfill computes the history rows of the months before this one (the
// last `months` of them) for every active account of the scope's
// tenant, each as of its month's last day, from the records dated up to
// that day (stakeholders as recorded now). For a tenant whose records
// predate its health (the demo, an imported history); it overwrites
// those months' rows. O(accounts × months), in chunks.
func (s *Store) Backfill(ctx context.Context, sc db.Scope, months int) error {
	this := kpi.MonthOf(s.Now())
	return wrap("backfill", s.backfillMonths(ctx, sc, kpi.AddMonths(this, -months), kpi.AddMonths(this, -1), true))
}

// backfillMonths writes the history rows of the months from..to (first
// days) for every active account, each as of the month's last day;
// overwrite says whether rows already there are replaced (else kept).
func (s *Store) backfillMonths(ctx context.Context, sc db.Scope, from, to time.Time, overwrite bool) error {
	conflict := "DO NOTHING"
	if overwrite {
		conflict = "DO UPDATE SET score = EXCLUDED.score, breakdown = EXCLUDED.breakdown"
	}
	err := s.eachChunk(ctx, sc, func(tx pgx.Tx, ids []uuid.UUID, st Settings) error {
		b := &pgx.Batch{}
		for month := from; !month.After(to); month = kpi.AddMonths(month, 1) {
			asOf := kpi.AddMonths(month, 1).AddDate(0, 0, -1)
			ins, accts, err := loadInputs(ctx, tx, sc.TenantID, ids, asOf)
			if err != nil {
				return err
			}
			for _, a := range accts {
				bd := Compute(*ins[a.ID], st, asOf)
				js, err := json.Marshal(bd)
				if err != nil {
					return err
				}
				b.Queue(`INSERT INTO health_history (tenant_id, account_id, month, score, breakdown) VALUES ($1, $2, $3, $4, $5)
						ON CONFLICT (tenant_id, account_id, month) `+conflict, sc.TenantID, a.ID, month, bd.Score, js)
			}
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("months %s to %s: %w", from.Format("2006-01"), to.Format("2006-01"), err)
	}
	return nil
}
