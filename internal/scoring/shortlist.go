package scoring

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
)

// ShortRow is one ranked account of the shortlist.
type ShortRow struct {
	Rank             int // in the whole tenant's ranking, whatever the filter
	AccountID        uuid.UUID
	Name             string
	Score            Score
	AnnualRevenue    int64 // cents
	RevenuePotential int64 // cents
	Headroom         int64 // cents
	KeyStatus        string
	KAMName          string
}

// Shortlist is one page of the ranking.
type Shortlist struct {
	Config Config
	Rows   []ShortRow
	Total  int
	Page   int
	Pages  int
}

// rerankSQL recomputes the ranking rows of tenant $1 (only account $4 when
// it is not NULL) under the weights $2 (criterion ids) and $3 (their basis
// points, in the same order): the weighted mean of the cells over the
// active criteria in integer arithmetic (round half up, exactly as
// ComputeScore) and the coverage as a cell count. It reads the covering
// index account_scores_agg_idx. The weights are looked up by position
// rather than joined from unnest(), and tenant_id is selected, not left
// to its default: on Citus the statement then runs whole on the tenant's
// shard group (an INSERT … SELECT that is not is written into the shards
// with COPY, which row-level security refuses).
const rerankSQL = `INSERT INTO account_rankings (tenant_id, account_id, score10, scored, complete, headroom, sort_name, archived)
SELECT a.tenant_id, a.id, CASE WHEN agg.den > 0 THEN (20 * agg.num + agg.den) / (2 * agg.den) ELSE 0 END,
	agg.scored, agg.scored = cardinality($2::uuid[]), ((a.revenue_potential - a.annual_revenue) * 100)::bigint,
	lower(a.name), a.archived_at IS NOT NULL
FROM (
	SELECT s.tenant_id, s.account_id, sum(($3::int[])[array_position($2::uuid[], s.criterion_id)] * s.score)::bigint AS num,
		sum(($3::int[])[array_position($2::uuid[], s.criterion_id)])::bigint AS den, count(*)::int AS scored
	FROM account_scores s
	WHERE s.tenant_id = $1 AND s.criterion_id = ANY ($2::uuid[]) AND ($4::uuid IS NULL OR s.account_id = $4)
	GROUP BY s.tenant_id, s.account_id
) agg
JOIN accounts a ON a.tenant_id = agg.tenant_id AND a.id = agg.account_id`

// rerank recomputes the ranking of the whole tenant (accountID nil) or of
// one account under ws.
func rerank(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ws []Weight, accountID *uuid.UUID) error {
	if _, err := tx.Exec(ctx, "DELETE FROM account_rankings WHERE tenant_id = $1 AND ($2::uuid IS NULL OR account_id = $2)",
		tenantID, accountID); err != nil {
		return fmt.Errorf("rerank: clear: %w", err)
	}
	if len(ws) == 0 {
		return nil
	}
	ids, bps := weightArgs(ws)
	if _, err := tx.Exec(ctx, rerankSQL, tenantID, ids, bps, accountID); err != nil {
		return fmt.Errorf("rerank: %w", err)
	}
	return nil
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

// rankOrder is the ranking order of Before, on account_rankings r; the
// partial index account_rankings_order_idx serves it.
const rankOrder = "r.complete DESC, r.score10 DESC, r.headroom DESC, r.sort_name, r.account_id"

var shortlistSorts = map[string]string{
	"name":      "r.sort_name",
	"revenue":   "a.annual_revenue",
	"potential": "a.revenue_potential",
	"headroom":  "r.headroom",
	"score":     "r.rank",
}

// weightArgs are the weights as the two arrays rerankSQL takes.
func weightArgs(ws []Weight) ([]uuid.UUID, []int32) {
	ids := make([]uuid.UUID, len(ws))
	bps := make([]int32, len(ws))
	for i, w := range ws {
		ids[i], bps[i] = w.CriterionID, int32(w.BPS)
	}
	return ids, bps
}

// Shortlist lists one page of the scored accounts in rank order (or
// sorted by another column; the rank stays the tenant-wide rank). Leaders
// and admins read it (the caller checks).
func (s *Store) Shortlist(ctx context.Context, sc db.Scope, f Filter) (Shortlist, error) {
	f.normalize(50)
	out := Shortlist{Page: f.Page}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if out.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		out.Rows, out.Total, err = shortlistRows(ctx, tx, sc.TenantID, len(out.Config.Weights), f, true)
		return err
	})
	if err != nil {
		return Shortlist{}, fmt.Errorf("scoring: shortlist: %w", err)
	}
	out.Pages = max(1, (out.Total+f.PerPage-1)/f.PerPage)
	return out, nil
}

// ShortlistPage is everything the shortlist page shows, read in one
// transaction: the ranked page, revenue concentration, the filter choices
// and the open review (nil when none).
type ShortlistPage struct {
	Shortlist
	Concentration Concentration
	Options       FilterOptions
	OpenReview    *Review
}

// ShortlistPage reads the shortlist page in one transaction (one round of
// BEGIN/scope/COMMIT instead of four).
func (s *Store) ShortlistPage(ctx context.Context, sc db.Scope, f Filter) (ShortlistPage, error) {
	f.normalize(50)
	out := ShortlistPage{Shortlist: Shortlist{Page: f.Page}}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if out.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		if out.Rows, out.Total, err = shortlistRows(ctx, tx, sc.TenantID, len(out.Config.Weights), f, true); err != nil {
			return err
		}
		if out.Concentration, err = concentration(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		if out.Options, err = filterOptions(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		out.OpenReview, err = openReview(ctx, tx, sc.TenantID)
		return err
	})
	if err != nil {
		return ShortlistPage{}, fmt.Errorf("scoring: shortlist page: %w", err)
	}
	out.Pages = max(1, (out.Total+f.PerPage-1)/f.PerPage)
	return out, nil
}

// ShortlistAll lists every scored account that f lets through, in the
// order of f (no paging), for the CSV export.
func (s *Store) ShortlistAll(ctx context.Context, sc db.Scope, f Filter) ([]ShortRow, Config, error) {
	var rows []ShortRow
	var cfg Config
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if cfg, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		rows, _, err = shortlistRows(ctx, tx, sc.TenantID, len(cfg.Weights), f, false)
		return err
	})
	if err != nil {
		return nil, Config{}, fmt.Errorf("scoring: shortlist export: %w", err)
	}
	return rows, cfg, nil
}

const shortlistCols = `r.account_id, a.name, r.score10, r.scored, r.complete, (a.annual_revenue * 100)::bigint,
	(a.revenue_potential * 100)::bigint, r.headroom, a.key_status, coalesce(u.name, '')`

func shortlistRows(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, criteria int, f Filter, paged bool) ([]ShortRow, int, error) {
	if criteria == 0 {
		return nil, 0, nil
	}
	args := []any{tenantID}
	where := f.where("a", &args)
	limit := ""
	if paged {
		args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
		limit = " LIMIT $" + strconv.Itoa(len(args)-1) + " OFFSET $" + strconv.Itoa(len(args))
	}
	scan := func(rank *int, total *int) func(r pgx.CollectableRow) (ShortRow, error) {
		return func(r pgx.CollectableRow) (ShortRow, error) {
			var x ShortRow
			var s10, scored int16
			dst := []any{&x.AccountID, &x.Name, &s10, &scored, &x.Score.Complete, &x.AnnualRevenue,
				&x.RevenuePotential, &x.Headroom, &x.KeyStatus, &x.KAMName}
			if rank == nil {
				dst = append(dst, &x.Rank, total)
			}
			err := r.Scan(dst...)
			x.Score.Score10, x.Score.Scored, x.Score.Total = int(s10), int(scored), criteria
			if rank != nil {
				*rank++
				x.Rank = *rank
			}
			return x, err
		}
	}
	col, sorted := shortlistSorts[f.Sort]
	if where == "" && (!sorted || (f.Sort == "score" && !f.Desc)) {
		// The common case, fast: the first page walks the ranking index and
		// the rank is the position.
		total := 0
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM account_rankings WHERE tenant_id = $1 AND NOT archived",
			tenantID).Scan(&total); err != nil {
			return nil, 0, err
		}
		rank := 0
		if paged {
			rank = (f.Page - 1) * f.PerPage
		}
		rows, _ := tx.Query(ctx, `SELECT `+shortlistCols+`
			FROM account_rankings r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
			LEFT JOIN users u ON u.id = a.kam_user_id
			WHERE r.tenant_id = $1 AND NOT r.archived
			ORDER BY `+rankOrder+limit, args...)
		out, err := pgx.CollectRows(rows, scan(&rank, nil))
		return out, total, err
	}
	order := "r.rank"
	if sorted {
		dir := " ASC"
		if f.Desc {
			dir = " DESC"
		}
		order = col + dir + ", r.rank"
	}
	total := 0
	rows, _ := tx.Query(ctx, `WITH r AS (
			SELECT r.*, row_number() OVER (ORDER BY `+rankOrder+`)::int AS rank
			FROM account_rankings r WHERE r.tenant_id = $1 AND NOT r.archived
		)
		SELECT `+shortlistCols+`, r.rank, count(*) OVER ()::int
		FROM r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
		LEFT JOIN users u ON u.id = a.kam_user_id
		WHERE true`+where+`
		ORDER BY `+order+limit, args...)
	out, err := pgx.CollectRows(rows, scan(nil, &total))
	return out, total, err
}

// Concentration is how revenue is spread over accounts.
type Concentration struct {
	Total        int64 // all active accounts' annual revenue, cents
	Accounts     int
	KeyRevenue   int64
	KeyCount     int
	TopN         int
	TopNRevenue  int64
	ThresholdBPS int
	// Over lists the accounts above the threshold share, largest first.
	Over    []AccountShare
	Largest AccountShare
}

// KeyShareBPS is the key accounts' share of total revenue.
func (c Concentration) KeyShareBPS() int { return ShareBPS(c.KeyRevenue, c.Total) }

// TopNShareBPS is the N largest accounts' share of total revenue.
func (c Concentration) TopNShareBPS() int { return ShareBPS(c.TopNRevenue, c.Total) }

// AccountShare is one account's share of total revenue.
type AccountShare struct {
	AccountID uuid.UUID
	Name      string
	Revenue   int64
	ShareBPS  int
	KeyStatus string
}

// Concentration measures revenue concentration over the tenant's active
// accounts: key accounts' share, the top N's share, and every account
// above the threshold share. Leaders and admins read it (the caller
// checks).
func (s *Store) Concentration(ctx context.Context, sc db.Scope) (Concentration, error) {
	var c Concentration
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		c, err = concentration(ctx, tx, sc.TenantID)
		return err
	})
	if err != nil {
		return Concentration{}, fmt.Errorf("scoring: concentration: %w", err)
	}
	return c, nil
}

func concentration(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Concentration, error) {
	var c Concentration
	st, err := readSettings(ctx, tx, tenantID)
	if err != nil {
		return Concentration{}, err
	}
	c.TopN, c.ThresholdBPS = st.TopN, st.ConcentrationBPS
	var total, key float64
	err = tx.QueryRow(ctx, `SELECT coalesce(sum(annual_revenue), 0)::float8 * 100,
			coalesce(sum(annual_revenue) FILTER (WHERE key_status = 'key'), 0)::float8 * 100,
			count(*)::int, count(*) FILTER (WHERE key_status = 'key')::int
		FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL`, tenantID).Scan(&total, &key, &c.Accounts, &c.KeyCount)
	if err != nil {
		return Concentration{}, err
	}
	c.Total, c.KeyRevenue = int64(total), int64(key)
	if c.Total <= 0 {
		return c, nil
	}
	// One walk down accounts_revenue_idx from the largest account gives
	// the top N and every account above the threshold share: at most
	// 10000/threshold accounts can be above it (listed up to 100). The
	// threshold itself is checked here, not in SQL: under row-level
	// security a numeric comparison is not leakproof, so PostgreSQL would
	// not use it as an index condition.
	k := max(c.TopN, min(100, TotalBPS/max(c.ThresholdBPS, 1)+1))
	rows, _ := tx.Query(ctx, `SELECT id, name, (annual_revenue * 100)::bigint, key_status FROM accounts
		WHERE tenant_id = $1 AND archived_at IS NULL
		ORDER BY annual_revenue DESC, id LIMIT $2`, tenantID, k)
	top, err := pgx.CollectRows(rows, scanShare)
	if err != nil {
		return Concentration{}, err
	}
	for i, a := range top {
		a.ShareBPS = ShareBPS(a.Revenue, c.Total)
		if i < c.TopN {
			c.TopNRevenue += a.Revenue
		}
		if i == 0 && a.Revenue > 0 {
			c.Largest = a
		}
		// revenue / total > threshold / 10000.
		if len(c.Over) < 100 && a.Revenue > 0 && float64(a.Revenue)*TotalBPS > float64(c.Total)*float64(c.ThresholdBPS) {
			c.Over = append(c.Over, a)
		}
	}
	return c, nil
}

func scanShare(r pgx.CollectableRow) (AccountShare, error) {
	var a AccountShare
	return a, r.Scan(&a.AccountID, &a.Name, &a.Revenue, &a.KeyStatus)
}

// candidates reads every scored, non-archived account with all its cells,
// for the ranker (what-if and review snapshots).
func candidates(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Candidate, map[uuid.UUID]candidateExtra, error) {
	rows, _ := tx.Query(ctx, `SELECT a.id, a.name, (a.annual_revenue * 100)::bigint, (a.revenue_potential * 100)::bigint,
			a.key_status, coalesce(u.name, '')
		FROM accounts a LEFT JOIN users u ON u.id = a.kam_user_id
		WHERE a.tenant_id = $1 AND a.archived_at IS NULL
			AND EXISTS (SELECT 1 FROM account_scores s WHERE s.tenant_id = a.tenant_id AND s.account_id = a.id)`, tenantID)
	var out []Candidate
	extra := map[uuid.UUID]candidateExtra{}
	index := map[uuid.UUID]int{}
	var c Candidate
	var e candidateExtra
	if _, err := pgx.ForEachRow(rows, []any{&c.AccountID, &c.Name, &e.Revenue, &e.Potential, &e.KeyStatus, &e.KAMName}, func() error {
		c.HeadroomCents = e.Potential - e.Revenue
		c.Cells = Cells{}
		index[c.AccountID] = len(out)
		out = append(out, c)
		extra[c.AccountID] = e
		return nil
	}); err != nil {
		return nil, nil, err
	}
	rows, _ = tx.Query(ctx, "SELECT account_id, criterion_id, score FROM account_scores WHERE tenant_id = $1", tenantID)
	var acc, crit uuid.UUID
	var score int
	if _, err := pgx.ForEachRow(rows, []any{&acc, &crit, &score}, func() error {
		if i, ok := index[acc]; ok {
			out[i].Cells[crit] = score
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	return out, extra, nil
}

type candidateExtra struct {
	Revenue, Potential int64
	KeyStatus, KAMName string
}

// WhatIfResult is a ranking under proposed weights beside today's.
type WhatIfResult struct {
	Config   Config
	Proposed []Weight
	Moves    []Move // one page of the proposed ranking
	Total    int
	Page     int
	Pages    int
	Up, Down int // how many accounts climb or fall in the whole ranking
	// KeyStatus and KAM of the listed accounts.
	Extra map[uuid.UUID]candidateExtra
}

// ExtraOf gives an account's key status and KAM name.
func (r WhatIfResult) ExtraOf(id uuid.UUID) (keyStatus, kam string) {
	e := r.Extra[id]
	return e.KeyStatus, e.KAMName
}

// ProposedWeights turns the percentages typed in the what-if panel (any
// non-negative numbers, not all zero) into weights over the active
// criteria, normalised to 100 %. Missing or invalid values → FieldErrors
// keyed "weight_<criterion id>".
func ProposedWeights(active []Weight, typed map[uuid.UUID]string) ([]Weight, error) {
	fe := db.FieldErrors{}
	shares := make([]float64, len(active))
	var sum float64
	for i, w := range active {
		bps, ok := ParsePercent(typed[w.CriterionID])
		if !ok {
			fe.Add("weight_"+w.CriterionID.String(), "Enter a number from 0 to 100.")
			continue
		}
		shares[i] = float64(bps)
		sum += shares[i]
	}
	if len(fe) == 0 && sum == 0 && len(active) > 0 {
		fe.Add("weights", "Give at least one criterion a weight above 0.")
	}
	if len(fe) > 0 {
		return nil, fe
	}
	bps := Distribute(shares)
	out := slices.Clone(active)
	for i := range out {
		out[i].BPS = bps[i]
	}
	return out, nil
}

// WhatIf ranks every scored account under proposed weights (from
// ProposedWeights) beside today's ranking, computing only: nothing is
// saved. Returns one page of the proposed ranking. Leaders and admins use
// it (the caller checks).
func (s *Store) WhatIf(ctx context.Context, sc db.Scope, typed map[uuid.UUID]string, page, perPage int) (WhatIfResult, error) {
	if page < 1 {
		page = 1
	}
	if perPage <= 0 || perPage > 500 {
		perPage = 50
	}
	res := WhatIfResult{Page: page}
	var cands []Candidate
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if res.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		cands, res.Extra, err = candidates(ctx, tx, sc.TenantID)
		return err
	})
	if err != nil {
		return WhatIfResult{}, fmt.Errorf("scoring: what-if: %w", err)
	}
	res.Proposed, err = ProposedWeights(res.Config.Weights, typed)
	if err != nil {
		return res, err
	}
	moves := WhatIf(cands, res.Config.Weights, res.Proposed)
	for _, m := range moves {
		switch d := m.Delta(); {
		case d > 0:
			res.Up++
		case d < 0:
			res.Down++
		}
	}
	res.Total = len(moves)
	res.Pages = max(1, (res.Total+perPage-1)/perPage)
	lo := min((page-1)*perPage, len(moves))
	hi := min(lo+perPage, len(moves))
	res.Moves = moves[lo:hi]
	return res, nil
}
