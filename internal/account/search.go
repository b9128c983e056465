package account

import "context"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/textsearch"

// SearchResult is what the global search finds among accounts and their
// stakeholders.
type SearchResult struct {
	Accounts, Stakeholders         []textsearch.Hit
	MoreAccounts, MoreStakeholders bool
}

// Search finds the scope's tenant's active accounts and stakeholders whose
// name starts with q's text (any case). Every member may read every
// account, so a KAM finds what the account list shows them. Each kind
// reads at most textsearch.Candidates rows of its (tenant_id, sort_name)
// index (accounts_sort_name_idx, stakeholders_sort_name_idx), however
// large the portfolio.
func (s *Store) Search(ctx context.Context, sc db.Scope, q textsearch.Query) (SearchResult, error) {
	var res SearchResult
	if q.Empty() {
		return res, nil
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		args := []any{sc.TenantID}
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, concat_ws(' · ', a.external_ref, nullif(a.industry, ''), nullif(a.region, ''))
			FROM accounts a WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND `+q.Prefix("a.sort_name", &args)+`
			ORDER BY a.sort_name, a.id LIMIT `+itoa(textsearch.Candidates), args...)
		var err error
		res.Accounts, res.MoreAccounts, err = q.Collect(rows, func(r pgx.CollectableRow, h *textsearch.Hit) error {
			err := r.Scan(&h.ID, &h.Title, &h.Detail)
			h.AccountID = h.ID
			return err
		})
		if err != nil {
			return err
		}
		args = []any{sc.TenantID}
		rows, _ = tx.Query(ctx, `SELECT s.id, s.account_id, s.name, concat_ws(' · ', nullif(s.title, ''), a.name), a.archived_at IS NOT NULL
			FROM stakeholders s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id
			WHERE s.tenant_id = $1 AND `+q.Prefix("s.sort_name", &args)+`
			ORDER BY s.sort_name, s.id LIMIT `+itoa(textsearch.Candidates), args...)
		res.Stakeholders, res.MoreStakeholders, err = q.Collect(rows, func(r pgx.CollectableRow, h *textsearch.Hit) error {
			return r.Scan(&h.ID, &h.AccountID, &h.Title, &h.Detail, &h.Inactive)
		})
		return err
	})
	return res, wrap("search", err)
}
