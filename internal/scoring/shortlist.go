package scoring

import "context"
import "fmt"
import "slices"
import "strconv"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/keyset"

// ShortRow is one ranked account of the shortlist.
type ShortRow struct {
	Rank      int // in the whole tenant's ranking, whatever the filter
	AccountID uuid.UUID
	Name      string
	Score     Score
	// Revenue is the account's revenue (account/revenue.go: recorded KPI
	// revenue over the last 12 complete months, else annual revenue as
	// entered, which RevenueFromFigures false says), cents.
	Revenue            int64
	RevenueFromFigures bool
	RevenuePotential   int64 // cents
	Headroom           int64 // cents: potential - revenue
	KeyStatus          string
	KAMName            string

	rankKey1 int // the row's sort keys, for its cursor
	rankKey2 int64
	sortName string
}

// Shortlist is one page of the ranking.
type Shortlist struct {
	Config Config
	Rows   []ShortRow
	// Total is how many scored accounts the filter lets through: exact
	// when Exact (from the kept tallies, for no filter or one), else a
	// count that stopped at countCap (shown as "1,000+").
	Total int
	Exact bool
	Links keyset.Links
}

// Pages is how many pages of per rows the list has, 0 when not exact.
func (l Shortlist) Pages(per int) int {
	if !l.Exact {
		return 0
	}
	return max(1, (l.Total+per-1)/per)
}

// Sort orders of the shortlist, each on stored columns with an index
// (keyset pages). Rank order — complete accounts first, then score and
// headroom, both descending, then name and id — is ascending on the
// ranking's rank_key1, rank_key2, sort_name, account_id.
var (
	rankOrder = keyset.Order{Cols: []keyset.Col{{SQL: "r.rank_key1", Type: "integer"}, {SQL: "r.rank_key2", Type: "bigint"},
		{SQL: "r.sort_name", Type: "text"}, {SQL: "r.account_id", Type: "uuid"}}}
	shortlistSorts = map[string]keyset.Order{
		"name":      {Cols: []keyset.Col{{SQL: "r.sort_name", Type: "text"}, {SQL: "r.account_id", Type: "uuid"}}},
		"revenue":   {Cols: []keyset.Col{{SQL: "a.revenue_cents", Type: "bigint"}, {SQL: "a.id", Type: "uuid"}}},
		"potential": {Cols: []keyset.Col{{SQL: "a.revenue_potential", Type: "numeric"}, {SQL: "a.id", Type: "uuid"}}},
		"headroom":  {Cols: []keyset.Col{{SQL: "r.headroom", Type: "bigint"}, {SQL: "r.account_id", Type: "uuid"}}},
	}
)

// order is f's sort order, and whether it is plain rank order (where a
// row's rank is its position).
func (f Filter) order() (keyset.Order, bool) {
	o, ok := shortlistSorts[f.Sort]
	if !ok {
		o = rankOrder
	}
	o.Desc = f.Desc
	return o, !ok && !f.Desc
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
	return db.Read(ctx, s.DB, sc, "scoring: shortlist", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Shortlist, error) {
		cfg, err := readConfig(ctx, tx, tenantID)
		if err != nil {
			return Shortlist{}, err
		}
		return shortlistPage(ctx, tx, tenantID, cfg, f)
	})
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

// ChartCap bounds the accounts the shortlist's portfolio chart plots (the
// best-ranked of the filtered portfolio), so the chart's cost does not
// grow with the tenant's portfolio.
const ChartCap = 2000

// Chart is the filtered portfolio the shortlist's chart plots: every page
// of it, in rank order, up to ChartCap rows (Capped says more matched).
type Chart struct {
	Rows   []ShortRow
	Capped bool
	Config Config
}

// ShortlistChart reads the chart's accounts for filter f. It is its own
// read (the chart is its own resource, GET /shortlist/chart, which the
// shortlist page loads): the page's cost stays that of its 50 rows.
func (s *Store) ShortlistChart(ctx context.Context, sc db.Scope, f Filter) (Chart, error) {
	var out Chart
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if out.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		out.Rows, err = shortlistRows(ctx, tx, sc.TenantID, out.Config, f, ChartCap+1)
		return err
	})
	if err != nil {
		return Chart{}, fmt.Errorf("scoring: shortlist chart: %w", err)
	}
	if len(out.Rows) > ChartCap {
		out.Rows, out.Capped = out.Rows[:ChartCap], true
	}
	return out, nil
}

// ShortlistPage reads the shortlist page in one transaction, the settings
// once; every figure it shows is kept (account.Tally), none is summed over
// the tenant's accounts.
func (s *Store) ShortlistPage(ctx context.Context, sc db.Scope, f Filter) (ShortlistPage, error) {
	f.normalize(50)
	var out ShortlistPage
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) (err error) {
		// One round trip: the configuration first (the reads after it
		// see it when their scans run), the tallies read once for the
		// concentration, the total and the filter choices.
		// Every read but the page's rows is the same for every reader
		// of the tenant until a write: kept in memory under the
		// tenant's data version (db.Kept), read only when it moved.
		var r db.Reads
		tid, now := sc.TenantID, s.Now()
		cfg := db.Kept(ctx, s.DB, sc, &r, configPart, func(r *db.Reads) *Config { return queueConfig(r, tid) })
		dims := append([]account.Dim{account.DimAll}, optionDims...)
		if dim, _, ok := f.tallied(); ok && !slices.Contains(dims, dim) {
			dims = append(dims, dim)
		}
		tallies := db.Kept(ctx, s.DB, sc, &r, account.TalliesPart(dims), func(r *db.Reads) *map[account.Dim]map[string]account.Tally {
			return account.QueueTallies(r, tid, dims...)
		})
		page := queueShortlistPage(&r, tid, cfg, f, tallies)
		conc := &concentrationReads{st: &cfg.Settings, tallies: tallies, parts: db.Kept(ctx, s.DB, sc, &r, concentrationPart(now),
			func(r *db.Reads) *concentrationParts { return queueConcentrationParts(r, tid, now) })}
		opts := &optionReads{tallies: tallies, kams: db.Kept(ctx, s.DB, sc, &r, kamsPart, func(r *db.Reads) *[]Person { return queueKAMs(r, tid) })}
		review := db.Kept(ctx, s.DB, sc, &r, openReviewPart, func(r *db.Reads) **Review { return queueOpenReview(r, tid) })
		if err := r.Send(ctx, tx); err != nil {
			return err
		}
		out.Concentration, out.Options, out.OpenReview = conc.result(), opts.result(), *review
		out.Shortlist, err = page.finish(ctx, tx)
		return err
	})
	if err != nil {
		return ShortlistPage{}, fmt.Errorf("scoring: shortlist page: %w", err)
	}
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
		rows, err = shortlistRows(ctx, tx, sc.TenantID, cfg, f, 0)
		return err
	})
	if err != nil {
		return nil, Config{}, fmt.Errorf("scoring: shortlist export: %w", err)
	}
	return rows, cfg, nil
}

// shortlistRows lists the scored accounts f lets through in the order of
// f, every page, with their ranks; limit > 0 keeps the first limit rows.
func shortlistRows(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, cfg Config, f Filter, limit int) ([]ShortRow, error) {
	if len(cfg.Weights) == 0 {
		return nil, nil
	}
	o, plain := f.order()
	args := []any{tenantID}
	where := f.rankingWhere(&args)
	_, orderBy, _ := o.Plan(keyset.Cursor{}, 0, &args)
	q := `SELECT ` + shortlistCols + ` FROM ` + shortlistFrom + ` WHERE r.tenant_id = $1 AND NOT r.archived` + where +
		` ORDER BY ` + orderBy
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	r, _ := tx.Query(ctx, q, args...)
	rows, err := collectShortRows(r, len(cfg.Weights), limit)
	if err != nil {
		return nil, err
	}
	if plain && where == "" {
		for i := range rows {
			rows[i].Rank = i + 1
		}
		return rows, nil
	}
	return rows, globalRanks(ctx, tx, tenantID, rows)
}

// shortlistCols are a ShortRow and its sort keys (rank_key1, rank_key2,
// sort_name), all from the ranking row: it keeps the account's name, key
// status, KAM, revenue (and whether from figures) and headroom, so the
// potential is headroom + revenue (migrations 00032, 00033).
const shortlistCols = `r.account_id, r.name, r.score10, r.scored, r.complete, r.revenue_cents, r.from_figures,
	r.headroom + r.revenue_cents, r.headroom, r.key_status, coalesce(u.name, ''),
	r.rank_key1, r.rank_key2, r.sort_name`

// shortlistFrom is the ranking with its account and KAM. Every ranking row
// has its account (a foreign key), and the account's key is unique, so
// the LEFT JOIN changes no row: PostgreSQL leaves it out of the plan when
// neither the filter nor the sort names a column of a — the first page
// reads the ranking rows alone (51 index probes fewer; issue 19).
const shortlistFrom = `account_rankings r LEFT JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
	LEFT JOIN users u ON u.id = r.kam_user_id`

// collectShortRows reads the rows of a shortlistCols query (sizeHint of
// them expected; 0: unknown). One row and one list of scan targets serve
// every row: pgx.CollectRows with a scan function allocated both anew for
// each row, an eighth of what a shortlist page allocated.
func collectShortRows(rows pgx.Rows, criteria, sizeHint int) ([]ShortRow, error) {
	defer rows.Close()
	out := make([]ShortRow, 0, max(sizeHint, 0))
	var x ShortRow
	var s10, scored int16
	dest := []any{&x.AccountID, &x.Name, &s10, &scored, &x.Score.Complete, &x.Revenue, &x.RevenueFromFigures,
		&x.RevenuePotential, &x.Headroom, &x.KeyStatus, &x.KAMName, &x.rankKey1, &x.rankKey2, &x.sortName}
	for rows.Next() {
		x = ShortRow{}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		x.Score.Score10, x.Score.Scored, x.Score.Total = int(s10), int(scored), criteria
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// sortKeys are a row's keys in sort order sort (see shortlistSorts).
func (x ShortRow) sortKeys(sort string) []string {
	id := x.AccountID.String()
	switch sort {
	case "name":
		return []string{x.sortName, id}
	case "revenue":
		return []string{strconv.FormatInt(x.Revenue, 10), id}
	case "potential":
		return []string{account.Money(x.RevenuePotential).Plain(), id}
	case "headroom":
		return []string{strconv.FormatInt(x.Headroom, 10), id}
	}
	return []string{strconv.Itoa(x.rankKey1), strconv.FormatInt(x.rankKey2, 10), x.sortName, id}
}

// rankingWhere is f's conditions on the ranking r and its account a (each
// starting with AND). Key status, segment and KAM are the ranking row's
// copies, so the account_rankings_*_idx indexes serve them in rank order;
// coverage is a range of rank_key1 (incomplete accounts have it ≥ 500).
func (f Filter) rankingWhere(args *[]any) string {
	g := f
	g.KeyStatus, g.Segment, g.KAM = "", "", ""
	where := g.where("a", args)
	var b strings.Builder
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	if f.KeyStatus != "" {
		b.WriteString(" AND r.key_status = " + arg(f.KeyStatus))
	}
	if f.Segment != "" {
		b.WriteString(" AND r.segment = " + arg(f.Segment))
	}
	switch f.KAM {
	case "":
	case "none":
		b.WriteString(" AND r.kam_user_id IS NULL")
	default:
		if id, err := uuid.Parse(f.KAM); err != nil {
			b.WriteString(" AND false")
		} else {
			b.WriteString(" AND r.kam_user_id = " + arg(id))
		}
	}
	switch f.Coverage {
	case "complete":
		b.WriteString(" AND r.rank_key1 < 500")
	case "incomplete":
		b.WriteString(" AND r.rank_key1 >= 500")
	case "unscored":
		b.WriteString(" AND false") // the shortlist lists scored accounts only
	}
	return where + b.String()
}

// countCap is where counting a filter the tallies do not keep stops: the
// page then says "1,000+".
const countCap = 1000

// shortlistPage reads one page of f under cfg with its total and links.
func shortlistPage(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, cfg Config, f Filter) (Shortlist, error) {
	var r db.Reads
	q := queueShortlistPage(&r, tenantID, &cfg, f, nil)
	if err := r.Send(ctx, tx); err != nil {
		return Shortlist{Config: cfg}, err
	}
	return q.finish(ctx, tx)
}

// pageReads are shortlistPage's reads, queued: the page's rows and, for
// its total, the kept tally of f's one filter (from the caller's tallies
// when it queued them, with that dimension among them).
type pageReads struct {
	tenantID uuid.UUID
	cfg      *Config // filled by the time the reads' scans run
	f        Filter
	plain    bool
	filter   string // f's conditions, with fargs
	fargs    []any
	list     []ShortRow
	tallies  *map[account.Dim]map[string]account.Tally
}

// queueShortlistPage queues the page's reads. cfg may be filled only when
// r is sent (queued before them in r): the rows are read whatever the
// weights, and finish ignores them when there are none (no account is
// ranked then).
func queueShortlistPage(r *db.Reads, tenantID uuid.UUID, cfg *Config, f Filter, tallies *map[account.Dim]map[string]account.Tally) *pageReads {
	// The tenant is a literal (db.TenantLiteral), not $1: with a
	// parameter PostgreSQL planned the first page's read again on every
	// execution at 200,000 accounts (0.56 ms of planning for a 0.5 ms
	// read); the unfiltered first page has no parameter left and is
	// planned once. Filters and the cursor are parameters from $1.
	q := &pageReads{tenantID: tenantID, cfg: cfg, f: f, tallies: tallies, fargs: []any{}}
	var o keyset.Order
	o, q.plain = f.order()
	q.filter = f.rankingWhere(&q.fargs)
	args := slices.Clone(q.fargs)
	where, orderBy, limit := o.Plan(f.Cursor, f.PerPage, &args)
	r.Query(func(rows pgx.Rows) (err error) {
		q.list, err = collectShortRows(rows, len(cfg.Weights), f.PerPage+1)
		return err
	}, `SELECT `+shortlistCols+` FROM `+shortlistFrom+`
		WHERE r.tenant_id = `+db.TenantLiteral(tenantID)+` AND NOT r.archived`+q.filter+where+` ORDER BY `+orderBy+limit, args...)
	if dim, _, ok := f.tallied(); ok && q.tallies == nil {
		q.tallies = account.QueueTallies(r, tenantID, dim)
	}
	return q
}

// finish makes the page once the reads were sent: its links, ranks and
// total (reading more only for a filtered or re-sorted page's ranks and
// for the total of several filters at once).
func (q *pageReads) finish(ctx context.Context, tx pgx.Tx) (Shortlist, error) {
	out := Shortlist{Config: *q.cfg}
	if len(q.cfg.Weights) == 0 {
		out.Exact = true
		return out, nil
	}
	f := q.f
	out.Rows, out.Links = keyset.Finish(q.list, f.Cursor, f.PerPage, func(x ShortRow) []string { return x.sortKeys(f.Sort) })
	if q.plain && q.filter == "" && out.Links.First > 0 {
		for i := range out.Rows {
			out.Rows[i].Rank = out.Links.First + i
		}
	} else if err := globalRanks(ctx, tx, q.tenantID, out.Rows); err != nil {
		return out, err
	}
	var err error
	out.Total, out.Exact, err = f.total(ctx, tx, q.tenantID, q.filter, q.fargs, q.tallies)
	return out, err
}

// total is how many scored accounts f lets through: from the kept
// tallies when f filters by at most one field (exact; tallies holds that
// field's), else counted up to countCap (filter and args are f's
// conditions).
func (f Filter) total(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, filter string, args []any,
	tallies *map[account.Dim]map[string]account.Tally) (int, bool, error) {
	if dim, value, ok := f.tallied(); ok {
		t := (*tallies)[dim][value]
		return f.covered(t, t.Ranked, 0), true, nil
	}
	var total int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+shortlistFrom+`
		WHERE r.tenant_id = `+db.TenantLiteral(tenantID)+` AND NOT r.archived`+filter+`
		ORDER BY r.rank_key1, r.rank_key2, r.sort_name, r.account_id LIMIT `+strconv.Itoa(countCap+1)+`) x`, args...).Scan(&total)
	return min(total, countCap), total <= countCap, err
}

// globalRanks sets each row's place in the whole tenant's ranking: the
// ranked accounts whose rank key comes before the row's (from the kept
// rank histogram) plus those with the same rank key ahead of it (an
// index-only count among equals).
func globalRanks(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, rows []ShortRow) error {
	if len(rows) == 0 {
		return nil
	}
	k1s, k2s, names, ids := make([]int32, len(rows)), make([]int64, len(rows)), make([]string, len(rows)), make([]uuid.UUID, len(rows))
	for i, x := range rows {
		k1s[i], k2s[i], names[i], ids[i] = int32(x.rankKey1), x.rankKey2, x.sortName, x.AccountID
	}
	var r db.Reads
	hist := account.QueueTallies(&r, tenantID, account.DimRank)
	var equalAhead []int
	r.Query(func(rows pgx.Rows) (err error) {
		equalAhead, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	}, `SELECT (SELECT count(*) FROM account_rankings r WHERE r.tenant_id = $1 AND NOT r.archived
			AND r.rank_key1 = x.k1 AND (r.rank_key2, r.sort_name, r.account_id) < (x.k2, x.name, x.id))
		FROM unnest($2::int[], $3::bigint[], $4::text[], $5::uuid[]) WITH ORDINALITY AS x (k1, k2, name, id, i) ORDER BY x.i`,
		tenantID, k1s, k2s, names, ids)
	if err := r.Send(ctx, tx); err != nil {
		return err
	}
	for i := range rows {
		ahead := equalAhead[i]
		for k, t := range (*hist)[account.DimRank] {
			if n, err := strconv.Atoi(k); err == nil && n < rows[i].rankKey1 {
				ahead += t.Accounts
			}
		}
		rows[i].Rank = ahead + 1
	}
	return nil
}
