package scoring

import "context"
import "fmt"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/keyset"

// KeyStatuses are the values of accounts.key_status, in display order.
var KeyStatuses = []string{"candidate", "key", "watch", "declined", "former"}

// KeyStatusLabel names a key status for people.
func KeyStatusLabel(s string) string {
	switch s {
	case "candidate":
		return "Candidate"
	case "key":
		return "Key account"
	case "watch":
		return "Watch"
	case "declined":
		return "Declined"
	case "former":
		return "Former key"
	}
	return s
}

// CanScore says who may score an account: admins and leaders any, a key
// account manager only the accounts they manage.
func CanScore(role auth.Role, userID uuid.UUID, kamUserID *uuid.UUID) bool {
	kam := uuid.Nil
	if kamUserID != nil {
		kam = *kamUserID
	}
	return account.CanEditManagedBy(role, userID, kam)
}

// Filter narrows the matrix and the shortlist, like the account list.
// Zero values mean no filter.
type Filter struct {
	Query     string // part of the name or external reference
	Industry  string
	Region    string
	Segment   string
	KeyStatus string
	KAM       string // a user id, or "none" for unassigned
	Coverage  string // "complete", "incomplete", "unscored" (matrix only)
	Sort      string // shortlist: "rank" (default), "name", "revenue", "headroom", "potential"
	Desc      bool
	Cursor    keyset.Cursor // where the page starts (the zero Cursor: the first page)
	PerPage   int
}

func (f *Filter) normalize(defaultPer int) {
	if f.PerPage <= 0 || f.PerPage > 500 {
		f.PerPage = defaultPer
	}
	f.Query = strings.TrimSpace(f.Query)
}

// where adds f's account conditions for the accounts alias a to args and
// returns them as SQL (each starting with AND).
func (f Filter) where(a string, args *[]any) string {
	var b strings.Builder
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	if f.Query != "" {
		p := arg("%" + likeEscape(f.Query) + "%")
		fmt.Fprintf(&b, " AND (%[1]s.name ILIKE %[2]s OR %[1]s.external_ref ILIKE %[2]s)", a, p)
	}
	for col, v := range map[string]string{"industry": f.Industry, "region": f.Region, "segment": f.Segment, "key_status": f.KeyStatus} {
		if v != "" {
			fmt.Fprintf(&b, " AND %s.%s = %s", a, col, arg(v))
		}
	}
	switch f.KAM {
	case "":
	case "none":
		fmt.Fprintf(&b, " AND %s.kam_user_id IS NULL", a)
	default:
		id, err := uuid.Parse(f.KAM)
		if err != nil {
			// Matches nothing; a constant false would stop Citus from
			// planning the matrix's outer join.
			fmt.Fprintf(&b, " AND %s.id IS NULL", a)
		} else {
			fmt.Fprintf(&b, " AND %s.kam_user_id = %s", a, arg(id))
		}
	}
	return b.String()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FilterOptions are the values the filters offer.
type FilterOptions struct {
	Industries []string
	Regions    []string
	Segments   []string
	KAMs       []Person
}

// Person is a member shown by name.
type Person struct {
	ID   uuid.UUID
	Name string
}

// FilterOptions lists the distinct industries, regions and segments of the
// tenant's accounts and its key account managers.
func (s *Store) FilterOptions(ctx context.Context, sc db.Scope) (FilterOptions, error) {
	return db.Read(ctx, s.DB, sc, "scoring: filter options", filterOptions)
}

func filterOptions(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (FilterOptions, error) {
	var r db.Reads
	o := queueFilterOptions(&r, tenantID, nil)
	if err := r.Send(ctx, tx); err != nil {
		return FilterOptions{}, err
	}
	return o.result(), nil
}

// optionReads are filterOptions' reads, queued: the values the active
// accounts have, from the kept tallies (those the caller queued when it
// gives them, else a read of their own), and the KAMs.
type optionReads struct {
	tallies *map[account.Dim]map[string]account.Tally
	kams    *[]Person
}

// optionDims are the tally dimensions the filter choices list.
var optionDims = []account.Dim{account.DimIndustry, account.DimRegion, account.DimSegment}

func queueFilterOptions(r *db.Reads, tenantID uuid.UUID, tallies *map[account.Dim]map[string]account.Tally) *optionReads {
	q := &optionReads{tallies: tallies}
	if q.tallies == nil {
		q.tallies = account.QueueTallies(r, tenantID, optionDims...)
	}
	q.kams = queueKAMs(r, tenantID)
	return q
}

// kamsPart names the tenant's KAMs for db.Kept.
const kamsPart = "scoring.kams"

// queueKAMs queues the read of the tenant's active KAMs, by name.
func queueKAMs(r *db.Reads, tenantID uuid.UUID) *[]Person {
	out := new([]Person)
	r.Query(func(rows pgx.Rows) error {
		kams, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Person, error) {
			var p Person
			return p, r.Scan(&p.ID, &p.Name)
		})
		*out = slices.Clip(kams)
		return err
	}, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = $1 AND m.role = 'kam' AND m.active ORDER BY lower(u.name), u.id`, tenantID)
	return out
}

func (q *optionReads) result() FilterOptions {
	o := FilterOptions{KAMs: *q.kams}
	ts := *q.tallies
	for dim, dst := range map[account.Dim]*[]string{account.DimIndustry: &o.Industries, account.DimRegion: &o.Regions,
		account.DimSegment: &o.Segments} {
		for v := range ts[dim] {
			if v != "" {
				*dst = append(*dst, v)
			}
		}
		slices.Sort(*dst)
	}
	return o
}

// Cell is one scored cell of the matrix.
type Cell struct {
	Score    int
	Evidence string
}

// MatrixRow is one account of the matrix.
type MatrixRow struct {
	AccountID uuid.UUID
	Name      string
	KAMUserID *uuid.UUID
	KAMName   string
	KeyStatus string
	Cells     map[uuid.UUID]Cell
	Score     Score
}

// Matrix is one page of the scoring matrix.
type Matrix struct {
	Config Config
	Rows   []MatrixRow
	// Total is how many accounts the filter lets through: exact when Exact
	// (kept tallies: no filter or one), else counted up to countCap.
	Total int
	Exact bool
	Links keyset.Links
}

// Matrix lists one page of accounts (by name, or by f's sort: see
// matrixSegments) with their cells over the active criteria. Everyone in the tenant may read it. The complete and
// incomplete filters list from the ranking (account_rankings_name_idx,
// account_rankings_incomplete_idx), the others from the accounts' name
// indexes; pages are keyset pages by name.
func (s *Store) Matrix(ctx context.Context, sc db.Scope, f Filter) (Matrix, error) {
	f.normalize(50)
	var m Matrix
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if m.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		fargs := []any{sc.TenantID}
		from := `accounts a LEFT JOIN users u ON u.id = a.kam_user_id`
		base := ` WHERE a.tenant_id = $1 AND a.archived_at IS NULL`
		order := keyset.Order{Cols: []keyset.Col{{SQL: "a.sort_name", Type: "text"}, {SQL: "a.id", Type: "uuid"}}}
		switch f.Coverage {
		case "complete", "incomplete":
			from = `account_rankings r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
				LEFT JOIN users u ON u.id = a.kam_user_id`
			base = ` WHERE r.tenant_id = $1 AND NOT r.archived AND ` + map[string]string{"complete": "r.complete", "incomplete": "NOT r.complete"}[f.Coverage]
			order = keyset.Order{Cols: []keyset.Col{{SQL: "r.sort_name", Type: "text"}, {SQL: "r.account_id", Type: "uuid"}}}
		case "unscored":
			// An anti-join, not a sub-select in the WHERE: Citus plans a
			// join of co-located tables, not a sub-select beside the outer
			// join to users.
			from = `accounts a LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
				LEFT JOIN users u ON u.id = a.kam_user_id`
			base += ` AND r.account_id IS NULL`
		}
		cond := f.where("a", &fargs)
		filter := base + cond
		if segs := f.matrixSegments(m.Config, slices.Clip(fargs)); segs != nil {
			if m.Rows, m.Links, err = sortedMatrixPage(ctx, tx, segs, cond, f.Cursor, f.PerPage); err != nil {
				return err
			}
			return m.finish(ctx, tx, sc.TenantID, f, from+filter+" ORDER BY "+order.Cols[0].SQL+", "+order.Cols[1].SQL, fargs)
		}
		args := slices.Clone(fargs)
		where, orderBy, limit := order.Plan(f.Cursor, f.PerPage, &args)
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, a.kam_user_id, coalesce(u.name, ''), a.key_status, `+
			order.Cols[0].SQL+` FROM `+from+filter+where+` ORDER BY `+orderBy+limit, args...)
		var sortNames = map[uuid.UUID]string{}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MatrixRow, error) {
			x := MatrixRow{Cells: map[uuid.UUID]Cell{}}
			var sortName string
			err := r.Scan(&x.AccountID, &x.Name, &x.KAMUserID, &x.KAMName, &x.KeyStatus, &sortName)
			sortNames[x.AccountID] = sortName
			return x, err
		})
		if err != nil {
			return err
		}
		m.Rows, m.Links = keyset.Finish(list, f.Cursor, f.PerPage, func(x MatrixRow) []string {
			return []string{sortNames[x.AccountID], x.AccountID.String()}
		})
		return m.finish(ctx, tx, sc.TenantID, f, from+filter+" ORDER BY "+order.Cols[0].SQL+", "+order.Cols[1].SQL, fargs)
	})
	if err != nil {
		return Matrix{}, fmt.Errorf("scoring: matrix: %w", err)
	}
	return m, nil
}

// covered is the count of the kept tally t that f's coverage lets
// through: the complete or the incomplete ones, else unscored for
// "unscored" and all for no coverage filter (what all and unscored count
// is the list's: every account for the matrix, the ranked for the
// shortlist).
func (f Filter) covered(t account.Tally, all, unscored int) int {
	switch f.Coverage {
	case "complete":
		return t.Complete
	case "incomplete":
		return t.Incomplete()
	case "unscored":
		return unscored
	}
	return all
}

// finish counts the accounts f lets through (query: FROM … ORDER BY of
// the name-ordered list) and fills the page's cells.
func (m *Matrix) finish(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, query string, args []any) error {
	var err error
	if m.Total, m.Exact, err = f.matrixTotal(ctx, tx, tenantID, query, args); err != nil {
		return err
	}
	return fillCells(ctx, tx, tenantID, m.Rows, m.Config.Weights)
}

// matrixTotal is how many accounts f lets through: from the kept tallies
// for no filter or one, else counted up to countCap (query: FROM … ORDER BY
// of the list).
func (f Filter) matrixTotal(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, query string, args []any) (int, bool, error) {
	if dim, value, ok := f.tallied(); ok {
		t, err := account.TallyOf(ctx, tx, tenantID, dim, value)
		return f.covered(t, t.Accounts, t.Accounts-t.Ranked), true, err
	}
	var total int
	// In the list's order, so the walk stops at countCap on its index.
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+query+` LIMIT `+strconv.Itoa(countCap+1)+`) x`, args...).Scan(&total)
	return min(total, countCap), total <= countCap, err
}

// tallied says which kept tally counts f's accounts: f filters by at most
// one account field (and coverage, which the tally's ranked and complete
// counts give) and has no search.
func (f Filter) tallied() (account.Dim, string, bool) {
	dim, value, n := account.DimAll, "", 0
	for d, v := range map[account.Dim]string{account.DimIndustry: f.Industry, account.DimRegion: f.Region,
		account.DimSegment: f.Segment, account.DimKeyStatus: f.KeyStatus, account.DimKAM: f.KAM} {
		if v != "" {
			dim, value, n = d, v, n+1
		}
	}
	if f.Query != "" || n > 1 {
		return "", "", false
	}
	if dim == account.DimKAM {
		if value == "none" {
			value = ""
		} else if id, err := uuid.Parse(value); err == nil {
			value = id.String()
		} else {
			value = "not a KAM" // no account has it: a count of 0
		}
	}
	return dim, value, true
}

func fillCells(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, rs []MatrixRow, ws []Weight) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(rs))
	byID := make(map[uuid.UUID]*MatrixRow, len(rs))
	for i := range rs {
		ids[i] = rs[i].AccountID
		byID[rs[i].AccountID] = &rs[i]
	}
	rows, _ := tx.Query(ctx, `SELECT account_id, criterion_id, score, evidence FROM account_scores
		WHERE tenant_id = $1 AND account_id = ANY($2)`, tenantID, ids)
	var acc, crit uuid.UUID
	var c Cell
	_, err := pgx.ForEachRow(rows, []any{&acc, &crit, &c.Score, &c.Evidence}, func() error {
		byID[acc].Cells[crit] = c
		return nil
	})
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Score = ComputeScore(cellScores(rs[i].Cells), ws)
	}
	return nil
}

func cellScores(cs map[uuid.UUID]Cell) Cells {
	out := make(Cells, len(cs))
	for k, v := range cs {
		out[k] = v.Score
	}
	return out
}

// clearCell removes an account's score on crit, keeping the clearing in
// the history (a change from old to no score).
func clearCell(ctx context.Context, tx pgx.Tx, sc db.Scope, accountID uuid.UUID, crit Criterion, old Cell, now time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM account_scores WHERE tenant_id = $1 AND account_id = $2 AND criterion_id = $3",
		sc.TenantID, accountID, crit.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO score_changes (account_id, criterion_id, old_score, new_score, evidence, changed_by, changed_at)
		VALUES ($1, $2, $3, NULL, '', $4, $5)`, accountID, crit.ID, old.Score, db.Null(sc.UserID), now)
	return err
}
