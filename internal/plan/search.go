package plan

import "context"
import "regexp"
import "strconv"
import "strings"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/textsearch"

// yearWord is a word that names a fiscal year ("fy2027", "2027", "27").
var yearWord = regexp.MustCompile(`^(fy)?[0-9]{2,4}$`)

// SearchResult is what the global search finds among plans and products.
type SearchResult struct {
	Plans, Products         []textsearch.Hit
	MorePlans, MoreProducts bool
}

// Search finds the scope's tenant's plans whose account's name starts
// with q's text (words that name a fiscal year, "2027" or "fy2027", match
// the plan's period instead: "acme 2027"), and products whose name or
// description contains every word. Every member reads every plan and the
// catalogue. Plans read at most textsearch.Candidates accounts from
// accounts_sort_name_idx; the catalogue is small.
func Search(ctx context.Context, d *db.DB, s db.Scope, q textsearch.Query) (SearchResult, error) {
	var res SearchResult
	if q.Empty() {
		return res, nil
	}
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var err error
		if res.Plans, res.MorePlans, err = searchPlans(ctx, tx, s, q); err != nil {
			return err
		}
		res.Products, res.MoreProducts, err = searchProducts(ctx, tx, s, q)
		return err
	})
	return res, wrap("search", err)
}

func searchPlans(ctx context.Context, tx pgx.Tx, s db.Scope, q textsearch.Query) ([]textsearch.Hit, bool, error) {
	var names, years []string
	for _, w := range q.Words {
		if yearWord.MatchString(w) {
			years = append(years, w)
		} else {
			names = append(names, w)
		}
	}
	name := textsearch.Parse(strings.Join(names, " "))
	if name.Empty() {
		return nil, false, nil
	}
	args := []any{s.TenantID}
	rows, _ := tx.Query(ctx, `SELECT p.id, p.account_id, a.name || ' — ' || p.period, p.status, p.status = 'closed'
		FROM (SELECT a.tenant_id, a.id, a.name FROM accounts a WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND `+
		name.Prefix("a.sort_name", &args)+` ORDER BY a.sort_name, a.id LIMIT `+strconv.Itoa(textsearch.Candidates)+`) a
		JOIN goal_plans p ON p.tenant_id = a.tenant_id AND p.account_id = a.id
		WHERE `+q.WhereWords(years, "p.period ILIKE ?", &args)+` LIMIT `+strconv.Itoa(textsearch.Candidates), args...)
	return q.Collect(rows, func(r pgx.CollectableRow, h *textsearch.Hit) error {
		var status Status
		err := r.Scan(&h.ID, &h.AccountID, &h.Title, &status, &h.Inactive)
		h.Detail = status.Label()
		return err
	})
}

func searchProducts(ctx context.Context, tx pgx.Tx, s db.Scope, q textsearch.Query) ([]textsearch.Hit, bool, error) {
	args := []any{s.TenantID}
	// (name || ' ' || description) is products_search_trgm_idx's
	// expression; the catalogue is small, so short words are fine too.
	where := q.Where("(name || ' ' || description) ILIKE ?", &args)
	rows, _ := tx.Query(ctx, `SELECT id, name, description, NOT active FROM products
		WHERE tenant_id = $1 AND `+where+" LIMIT "+strconv.Itoa(textsearch.Candidates), args...)
	return q.Collect(rows, func(r pgx.CollectableRow, h *textsearch.Hit) error {
		return r.Scan(&h.ID, &h.Title, &h.Detail, &h.Inactive)
	})
}
