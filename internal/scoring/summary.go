package scoring

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"

// Summary is the state of a tenant's scoring and shortlist at a glance,
// for the home page.
type Summary struct {
	Settings       Settings
	ActiveCriteria int
	Accounts       int // active (not archived) accounts
	Ranked         int // active accounts with a complete score
	Incomplete     int // active accounts with some score cells, not all
	KeyAccounts    int // active key accounts
	Candidates     int // active accounts marked candidate, awaiting a decision
	// LastReview is the latest key-account review (open or closed); nil
	// before the first one.
	LastReview *ReviewBrief
}

// Unscored is the active accounts without a complete score.
func (s Summary) Unscored() int { return s.Accounts - s.Ranked }

// ReviewBrief names a review and when it was started and closed.
type ReviewBrief struct {
	Name      string
	CreatedAt time.Time
	ClosedAt  *time.Time // nil while it is open
}

// Summary reads the scope's tenant's scoring summary. Everyone in the
// tenant may read it; the caller decides who sees it.
func (s *Store) Summary(ctx context.Context, sc db.Scope) (Summary, error) {
	var out Summary
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if out.Settings, err = readSettings(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM scoring_criteria WHERE tenant_id = $1 AND active`, sc.TenantID).
			Scan(&out.ActiveCriteria); err != nil {
			return err
		}
		// The counts are kept (account.Tally), not counted over the accounts.
		ts, err := account.Tallies(ctx, tx, sc.TenantID, account.DimAll, account.DimKeyStatus)
		if err != nil {
			return err
		}
		all := ts[account.DimAll][""]
		out.Accounts, out.Ranked, out.Incomplete, out.KeyAccounts = all.Accounts, all.Complete, all.Incomplete(), all.KeyAccounts
		out.Candidates = ts[account.DimKeyStatus][string(account.KeyCandidate)].Accounts
		var rb ReviewBrief
		err = tx.QueryRow(ctx, `SELECT name, created_at, closed_at FROM scoring_reviews WHERE tenant_id = $1
			ORDER BY created_at DESC, id LIMIT 1`, sc.TenantID).Scan(&rb.Name, &rb.CreatedAt, &rb.ClosedAt)
		found, err := db.Found(err)
		if found {
			out.LastReview = &rb
		}
		return err
	})
	if err != nil {
		return Summary{}, fmt.Errorf("scoring: summary: %w", err)
	}
	return out, nil
}

// ConcentrationBPS is the tenant's revenue concentration warning threshold
// (basis points of total revenue one account may carry before a warning),
// read inside another area's transaction so its pages warn at the same
// share as the shortlist.
func ConcentrationBPS(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (int, error) {
	bps := DefaultSettings().ConcentrationBPS
	err := tx.QueryRow(ctx, "SELECT concentration_bps FROM scoring_settings WHERE tenant_id = $1", tenantID).Scan(&bps)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("scoring: concentration threshold: %w", err)
	}
	return bps, nil
}

// CriteriaTx lists the tenant's criteria (active first, in importance
// order) inside a transaction another area runs: the KPI area links
// metrics to them.
func CriteriaTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Criterion, error) {
	cs, err := readCriteria(ctx, tx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("scoring: criteria: %w", err)
	}
	return cs, nil
}
