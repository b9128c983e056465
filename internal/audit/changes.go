package audit

import "context"
import "encoding/json"
import "maps"
import "slices"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

// Change is one field an event changed: its stored JSON values before and
// after (decoded: nil, bool, float64, string, or a list or object shown
// as it is). Field is the key in the stored object, "parent · child" one
// level down (a criterion's score), or "" when the event stored a single
// value.
type Change struct {
	Field         string
	Before, After any
}

// Changes are the fields that differ between an event's before and after
// (a creation lists what it set, a deletion what it removed), by field.
func (e Entry) Changes() []Change {
	before, after := decode(e.Before), decode(e.After)
	bm, bok := before.(map[string]any)
	am, aok := after.(map[string]any)
	if !(bok || before == nil) || !(aok || after == nil) || (before == nil && after == nil) {
		if same(before, after) {
			return nil
		}
		return []Change{{Before: before, After: after}}
	}
	bf, af := flatten(bm), flatten(am)
	keys := slices.Sorted(maps.Keys(bf))
	for k := range af {
		if _, ok := bf[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Change
	for _, k := range keys {
		if !same(bf[k], af[k]) {
			out = append(out, Change{Field: k, Before: bf[k], After: af[k]})
		}
	}
	return out
}

func decode(s string) any {
	if s == "" {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	return v
}

// flatten lifts one level of nested objects into "parent · child" keys.
func flatten(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			for sk, sv := range sub {
				out[k+" · "+sk] = sv
			}
			continue
		}
		out[k] = v
	}
	return out
}

func same(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// nameTables name the records an event can be about, by id: one query
// each for the ids of a page (a record's id is a uuid, so it is in one
// table at most). People are the tenant's members.
var nameTables = []string{
	`SELECT id::text, name FROM accounts WHERE tenant_id = $1 AND id = ANY($2)`,
	`SELECT u.id::text, u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 AND m.user_id = ANY($2)`,
	`SELECT p.id::text, a.name || ' · ' || p.period FROM goal_plans p JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
		WHERE p.tenant_id = $1 AND p.id = ANY($2)`,
	`SELECT id::text, name FROM stakeholders WHERE tenant_id = $1 AND id = ANY($2)`,
	`SELECT id::text, name FROM scoring_criteria WHERE tenant_id = $1 AND id = ANY($2)`,
	`SELECT id::text, name FROM products WHERE tenant_id = $1 AND id = ANY($2)`,
	`SELECT r.id::text, a.name || ' · ' || r.held_on::text FROM account_reviews r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
		WHERE r.tenant_id = $1 AND r.id = ANY($2)`,
}

// names looks up the names of the records the page's entries are about
// and of the people their changes mention (a KAM, a manager): a batch of
// primary-key probes per page, not a query per row.
func names(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, entries []Entry) (map[string]string, error) {
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	add := func(s string) {
		if id, err := uuid.Parse(s); err == nil && len(s) == 36 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range entries {
		if acc, _, ok := strings.Cut(e.EntityID, "/"); ok {
			add(acc) // "<account id>/<month>", named below
		}
		add(e.EntityID)
		for _, c := range e.Changes() {
			for _, v := range []any{c.Before, c.After} {
				if s, ok := v.(string); ok {
					add(s)
				}
			}
		}
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	for _, q := range nameTables {
		rows, _ := tx.Query(ctx, q, tenantID, ids)
		var id, name string
		if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
			out[id] = name
			return nil
		}); err != nil {
			return nil, err
		}
	}
	// A record of one month of an account (profitability) has the id
	// "<account id>/<month>": it is named after the account and the month.
	for _, e := range entries {
		if acc, month, ok := strings.Cut(e.EntityID, "/"); ok && out[acc] != "" {
			out[e.EntityID] = out[acc] + " · " + month
		}
	}
	return out, nil
}
