package assignment

import "context"
import "slices"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/keyset"

// A KAM's accounts (their profile page, "My accounts") are listed a page at
// a time, so neither page grows with the accounts a KAM manages (issue 19):
//
//   - the first page starts with every key account the KAM manages, by
//     name: at most the tenant's key accounts, walked down
//     accounts_key_status_idx;
//   - then the KAM's other accounts by name, PerKAMPage at a time from a
//     keyset cursor, walked down accounts_kam_idx (tenant_id, kam_user_id,
//     sort_name, id);
//   - the counts come from the kept tallies of the KAM (account.DimKAM).

// PerKAMPage is how many of a KAM's other (not key) accounts one page
// lists.
const PerKAMPage = 50

// KAMCounts are the kept counts of the accounts a KAM manages (not
// archived).
type KAMCounts struct {
	Accounts    int
	KeyAccounts int
}

// kamOrder is the order of a KAM's other accounts.
var kamOrder = keyset.Order{Cols: []keyset.Col{{SQL: "a.sort_name", Type: "text"}, {SQL: "a.id", Type: "uuid"}}}

// kamPage reads the page at c of the accounts kam manages. sel is the
// select list (a.sort_name is selected before it), from the FROM clause
// with its joins on accounts a; args are the query's arguments from $3 on
// ($1 is the tenant, $2 the KAM); scan reads a row's columns after the sort
// name. per <= 0 means PerKAMPage.
func kamPage[T any](ctx context.Context, tx pgx.Tx, tenantID, kam uuid.UUID, sel, from string, args []any,
	c keyset.Cursor, per int, scan func(sortName *string, r pgx.CollectableRow) (T, uuid.UUID, error),
) ([]T, keyset.Links, KAMCounts, error) {
	if per <= 0 {
		per = PerKAMPage
	}
	t, err := account.TallyOf(ctx, tx, tenantID, account.DimKAM, kam.String())
	if err != nil {
		return nil, keyset.Links{}, KAMCounts{}, err
	}
	counts := KAMCounts{Accounts: t.Accounts, KeyAccounts: t.KeyAccounts}
	type keyed struct {
		v    T
		keys []string
	}
	read := func(cond string, args []any) ([]keyed, error) {
		rows, _ := tx.Query(ctx, "SELECT a.sort_name, "+sel+" "+from+`
			WHERE a.tenant_id = $1 AND a.kam_user_id = $2 AND a.archived_at IS NULL AND `+cond, args...)
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (keyed, error) {
			var name string
			v, id, err := scan(&name, r)
			return keyed{v, []string{name, id.String()}}, err
		})
	}
	base := append([]any{tenantID, kam}, args...)
	var key []keyed
	if c.First() {
		if key, err = read("a.key_status = 'key' ORDER BY a.sort_name, a.id", base); err != nil {
			return nil, keyset.Links{}, KAMCounts{}, err
		}
	}
	pargs := slices.Clone(base)
	after, orderBy, limit := kamOrder.Plan(c, per, &pargs)
	others, err := read("a.key_status <> 'key'"+after+" ORDER BY "+orderBy+limit, pargs)
	if err != nil {
		return nil, keyset.Links{}, KAMCounts{}, err
	}
	// Positions count the other accounts only: the key ones lead the
	// first page.
	others, links := keyset.Finish(others, c, per, func(k keyed) []string { return k.keys })
	out := make([]T, 0, len(key)+len(others))
	for _, k := range append(key, others...) {
		out = append(out, k.v)
	}
	return out, links, counts, nil
}
