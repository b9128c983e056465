package scoring

import "context"
import "slices"
import "strconv"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/keyset"

// The matrix's sorts besides the name (Filter.Sort): by total ("score"),
// by coverage ("coverage": how many active criteria have a cell) or by one
// active criterion (CriterionSort). Each lists in two segments: first the
// accounts with a value to sort by, in (value, name, id) order — ascending,
// or the exact reverse when Desc — then the accounts without one, by name
// (in either direction: blanks last). Each segment is a keyset walk down an
// index (see migration 00030), so a page reads its own rows, not the
// portfolio.
const (
	SortScore    = "score"
	SortCoverage = "coverage"
)

// CriterionSort is the Filter.Sort value that sorts the matrix by a
// criterion's scores.
func CriterionSort(id uuid.UUID) string { return "c-" + id.String() }

// sortCriterion is the criterion a "c-<id>" sort names.
func sortCriterion(sort string) (uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(sort, "c-")
	if !ok {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(rest)
	return id, err == nil
}

// ValidMatrixSort reports whether s names a sort of the matrix besides
// the name (the handler keeps only those; an unknown criterion sorts by
// name).
func ValidMatrixSort(s string) bool {
	_, crit := sortCriterion(s)
	return s == SortScore || s == SortCoverage || crit
}

// matrixSegment is one part of a sorted matrix: its FROM, its conditions
// (each starting with AND), their arguments and its order.
type matrixSegment struct {
	from, where string
	args        []any
	order       keyset.Order
}

const matrixUsers = ` LEFT JOIN users u ON u.id = a.kam_user_id`

// matrixSegments are the segments of f's sort, or nil when the matrix
// lists by name (the default, an unknown or inactive criterion, or only
// unscored accounts, which have nothing else to sort by). args are the
// arguments of f's conditions on the accounts (the tenant first); each
// segment's arguments start with them.
func (f Filter) matrixSegments(cfg Config, args []any) []matrixSegment {
	if f.Coverage == "unscored" {
		return nil
	}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	complete := map[string]string{"complete": " AND r.complete", "incomplete": " AND NOT r.complete"}[f.Coverage]
	unscored := matrixSegment{order: keyset.Order{Cols: []keyset.Col{{SQL: "a.sort_name", Type: "text"}, {SQL: "a.id", Type: "uuid"}}}}
	ranked := `account_rankings r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id` + matrixUsers
	switch f.Sort {
	case SortScore, SortCoverage:
		col := map[string]string{SortScore: "r.score10", SortCoverage: "r.scored"}[f.Sort]
		segs := []matrixSegment{{from: ranked, where: ` AND r.tenant_id = $1 AND NOT r.archived` + complete, args: args,
			order: keyset.Order{Desc: f.Desc, Cols: []keyset.Col{{SQL: col, Type: "smallint"}, {SQL: "r.sort_name", Type: "text"}, {SQL: "r.account_id", Type: "uuid"}}}}}
		if f.Coverage == "" {
			unscored.from = `accounts a LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id` + matrixUsers
			unscored.where = ` AND a.tenant_id = $1 AND a.archived_at IS NULL AND r.account_id IS NULL`
			unscored.args = args
			segs = append(segs, unscored)
		}
		return segs
	}
	id, ok := sortCriterion(f.Sort)
	if c, found := cfg.Criterion(id); !ok || !found || !c.Active {
		return nil
	}
	p := arg(id)
	from := `account_scores s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id`
	if complete != "" {
		from += ` JOIN account_rankings r ON r.tenant_id = s.tenant_id AND r.account_id = s.account_id`
	}
	segs := []matrixSegment{{from: from + matrixUsers, args: args,
		where: ` AND s.tenant_id = $1 AND s.criterion_id = ` + p + ` AND a.archived_at IS NULL` + complete,
		order: keyset.Order{Desc: f.Desc, Cols: []keyset.Col{{SQL: "s.score", Type: "smallint"}, {SQL: "s.sort_name", Type: "text"}, {SQL: "s.account_id", Type: "uuid"}}}}}
	// Without a cell on the criterion: an anti-join (a complete account has
	// every active criterion's cell, so none when only those are listed).
	switch f.Coverage {
	case "":
		unscored.from = `accounts a LEFT JOIN account_scores s ON s.tenant_id = a.tenant_id AND s.account_id = a.id AND s.criterion_id = ` + p + matrixUsers
	case "incomplete":
		unscored.from = `accounts a JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
			LEFT JOIN account_scores s ON s.tenant_id = a.tenant_id AND s.account_id = a.id AND s.criterion_id = ` + p + matrixUsers
	default:
		return segs
	}
	unscored.where = ` AND a.tenant_id = $1 AND a.archived_at IS NULL AND s.account_id IS NULL` + complete
	unscored.args = args
	return append(segs, unscored)
}

// query is the SQL and arguments of s's keyset page at sub (per rows and
// one more); filter is f's conditions on the account a.
func (s matrixSegment) query(filter string, sub keyset.Cursor, per int) (string, []any) {
	args := slices.Clone(s.args)
	where, orderBy, limit := s.order.Plan(sub, per, &args)
	keys := make([]string, len(s.order.Cols))
	for i, col := range s.order.Cols {
		keys[i] = col.SQL + "::text"
	}
	return `SELECT a.id, a.name, a.kam_user_id, coalesce(u.name, ''), a.key_status, ` + strings.Join(keys, ", ") +
		` FROM ` + s.from + ` WHERE true` + s.where + filter + where + ` ORDER BY ` + orderBy + limit, args
}

// sortedRow is a matrix row with its cursor keys (segment first).
type sortedRow struct {
	row  MatrixRow
	keys []string
}

// sortedMatrixPage reads the page of the segments at c: from the
// cursor's segment on (back: towards the first), each segment's keyset
// walk taking what the page still needs. filter is f's conditions on the
// account a. The cursor's first key is its segment; a cursor that fits no
// segment is the first page.
func sortedMatrixPage(ctx context.Context, tx pgx.Tx, segs []matrixSegment, filter string,
	c keyset.Cursor, per int) ([]MatrixRow, keyset.Links, error) {
	seg, sub := 0, keyset.Cursor{}
	if !c.First() {
		n, err := strconv.Atoi(c.Keys[0])
		if err != nil || n < 0 || n >= len(segs) || len(c.Keys)-1 != len(segs[n].order.Cols) {
			c = keyset.Cursor{}
		} else {
			seg, sub = n, keyset.Cursor{Keys: c.Keys[1:], Back: c.Back}
		}
	}
	var list []sortedRow
	for n := seg; n >= 0 && n < len(segs) && len(list) <= per; {
		s := segs[n]
		q, args := s.query(filter, sub, per-len(list))
		rows, _ := tx.Query(ctx, q, args...)
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sortedRow, error) {
			x := sortedRow{row: MatrixRow{Cells: map[uuid.UUID]Cell{}}, keys: make([]string, len(s.order.Cols)+1)}
			dst := []any{&x.row.AccountID, &x.row.Name, &x.row.KAMUserID, &x.row.KAMName, &x.row.KeyStatus}
			for i := range s.order.Cols {
				dst = append(dst, &x.keys[i+1])
			}
			x.keys[0] = strconv.Itoa(n)
			return x, r.Scan(dst...)
		})
		if err != nil {
			return nil, keyset.Links{}, err
		}
		list = append(list, got...)
		sub = keyset.Cursor{Back: c.Back} // the next segment from its start (back: its end)
		if c.Back {
			n--
		} else {
			n++
		}
	}
	page, links := keyset.Finish(list, c, per, func(x sortedRow) []string { return x.keys })
	out := make([]MatrixRow, len(page))
	for i, x := range page {
		out[i] = x.row
	}
	return out, links, nil
}
