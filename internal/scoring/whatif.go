package scoring

import "context"
import "fmt"
import "slices"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// candidates reads every scored, non-archived account with all its cells,
// for the ranker (what-if and review snapshots).
func candidates(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Candidate, map[uuid.UUID]candidateExtra, error) {
	rows, _ := tx.Query(ctx, `SELECT a.id, a.name, a.revenue_cents, (a.revenue_potential * 100)::bigint,
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
