package scoring

import "context"
import "fmt"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"

// rerankSQL recomputes the ranking rows of tenant $1 (with %s: of the
// accounts it lets through) under the weights $2 (criterion ids) and $3
// (their basis points, in the same order): the weighted mean of the cells
// over the active criteria in integer arithmetic (round half up, exactly
// as ComputeScore) and the coverage as a cell count. It reads the covering
// index account_scores_agg_idx. The weights are looked up by position
// rather than joined from unnest(), and tenant_id is selected, not left
// to its default: on Citus the statement then runs whole on the tenant's
// shard group (an INSERT … SELECT that is not is written into the shards
// with COPY, which row-level security refuses). The one-account form names
// the account outright ("s.account_id = $4"): a prepared "$4 IS NULL OR …"
// would get a generic plan that reads every cell of the tenant. The row
// also keeps the account's name and kept health score, which the 2×2
// reads from it alone (health.queueMatrix; migration 00032), and its
// revenue and whether that comes from recorded figures, which the
// shortlist's rows read from it alone (migration 00033).
const rerankSQL = `INSERT INTO account_rankings (tenant_id, account_id, score10, scored, complete, headroom, revenue_cents, from_figures,
	name, sort_name, archived, kam_user_id, segment, key_status, health)
SELECT a.tenant_id, a.id, CASE WHEN agg.den > 0 THEN (20 * agg.num + agg.den) / (2 * agg.den) ELSE 0 END,
	agg.scored, agg.scored = cardinality($2::uuid[]), (a.revenue_potential * 100)::bigint - a.revenue_cents,
	a.revenue_cents, a.revenue_recorded IS NOT NULL,
	a.name, lower(a.name), a.archived_at IS NOT NULL, a.kam_user_id, a.segment, a.key_status, h.score
FROM (
	SELECT s.tenant_id, s.account_id, sum(($3::int[])[array_position($2::uuid[], s.criterion_id)] * s.score)::bigint AS num,
		sum(($3::int[])[array_position($2::uuid[], s.criterion_id)])::bigint AS den, count(*)::int AS scored
	FROM account_scores s
	WHERE s.tenant_id = $1 AND s.criterion_id = ANY ($2::uuid[]) AND %s
	GROUP BY s.tenant_id, s.account_id
) agg
JOIN accounts a ON a.tenant_id = agg.tenant_id AND a.id = agg.account_id
LEFT JOIN account_health h ON h.tenant_id = a.tenant_id AND h.account_id = a.id`

// rerank recomputes the ranking of the whole tenant (accountID nil) or of
// one account under ws, and the kept tallies with it (ranked and complete
// accounts): by difference for one account, counted again for all.
func rerank(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ws []Weight, accountID *uuid.UUID) error {
	write := func() error {
		del, args := "DELETE FROM account_rankings WHERE tenant_id = $1", []any{tenantID}
		sql := fmt.Sprintf(rerankSQL, "true")
		if accountID != nil {
			del, args = del+" AND account_id = $2", append(args, *accountID)
			sql = fmt.Sprintf(rerankSQL, "s.account_id = $4")
		}
		if _, err := tx.Exec(ctx, del, args...); err != nil {
			return fmt.Errorf("rerank: clear: %w", err)
		}
		if len(ws) == 0 {
			return nil
		}
		ids, bps := weightArgs(ws)
		args = []any{tenantID, ids, bps}
		if accountID != nil {
			args = append(args, *accountID)
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fmt.Errorf("rerank: %w", err)
		}
		return nil
	}
	if accountID != nil {
		return account.Keep(ctx, tx, tenantID, []uuid.UUID{*accountID}, write)
	}
	if err := write(); err != nil {
		return err
	}
	return account.Recount(ctx, tx, tenantID)
}

// Rerank recomputes the scope's tenant's whole ranking from its cells and
// the weights in force. The store keeps the ranking current by itself;
// this is for bulk loads that write cells directly (seeds, benchmarks).
func (s *Store) Rerank(ctx context.Context, sc db.Scope) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cfg, err := readConfig(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		return rerank(ctx, tx, sc.TenantID, cfg.Weights, nil)
	})
	if err != nil {
		return fmt.Errorf("scoring: rerank: %w", err)
	}
	return nil
}
