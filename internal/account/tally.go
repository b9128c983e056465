package account

import "context"
import "errors"
import "fmt"
import "maps"
import "slices"
import "strconv"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// Kept tallies (table account_tallies): the counts and sums of a tenant's
// accounts that pages show — the shortlist's total and revenue
// concentration, the home summary, the account list's facets and totals,
// the KAM loads — kept per tenant and per value of each filter by the
// writes that change them, in the same transaction, so that no page sums
// over every account (issue 19).
//
// Every write of the columns a tally depends on (an account's industry,
// region, segment, status, key status, KAM, archive flag, revenue,
// annual revenue, potential, or its ranking row) goes through Hold/Settle
// (a few accounts: the difference of their standing before and after) or
// Recount (bulk writes: everything again, O(accounts), like the write).
// The property test in tally_test.go checks random write sequences against
// a recount after each.

// Dim is a dimension of the tallies.
type Dim string

// The dimensions. DimAll (value "") is every active account; DimArchived
// (value "") the archived ones; the others the active accounts with one
// value of an account field (DimKAM: the KAM's user id, "" for none).
const (
	DimAll       Dim = "all"
	DimArchived  Dim = "archived"
	DimIndustry  Dim = "industry"
	DimRegion    Dim = "region"
	DimSegment   Dim = "segment"
	DimStatus    Dim = "status"
	DimKeyStatus Dim = "key_status"
	DimKAM       Dim = "kam"
	// DimRank (value: the ranking's rank_key1) counts the ranked active
	// accounts per rank key, so an account's place in the ranking is the
	// sum of the keys before its own plus its place among equals.
	DimRank Dim = "rank"
)

// Tally is the kept figures of a set of accounts. Amounts in cents.
type Tally struct {
	Accounts    int
	Ranked      int // with a ranking row (some score cell)
	Complete    int // with a complete score
	KeyAccounts int
	FromFigures int // whose revenue is recorded KPI revenue, not annual revenue
	Revenue     int64
	KeyRevenue  int64
	Annual      int64 // annual revenue as entered
	Potential   int64
	Headroom    int64 // sum over accounts of max(potential - revenue, 0)
}

// Incomplete is the ranked accounts without a complete score.
func (t Tally) Incomplete() int { return t.Ranked - t.Complete }

func (t *Tally) add(o Tally, sign int) {
	t.Accounts += sign * o.Accounts
	t.Ranked += sign * o.Ranked
	t.Complete += sign * o.Complete
	t.KeyAccounts += sign * o.KeyAccounts
	t.FromFigures += sign * o.FromFigures
	s := int64(sign)
	t.Revenue += s * o.Revenue
	t.KeyRevenue += s * o.KeyRevenue
	t.Annual += s * o.Annual
	t.Potential += s * o.Potential
	t.Headroom += s * o.Headroom
}

// standing is what one account contributes to the tallies.
type standing struct {
	ID                                                uuid.UUID
	Industry, Region, Segment, Status, KeyStatus, KAM string
	Archived, Ranked, Complete, FromFigures           bool
	RankKey1                                          int
	Revenue, Annual, Potential                        int64
}

type tallyKey struct {
	Dim   Dim
	Value string
}

// tally is the standing's contribution to each of its rows.
func (s standing) tally() Tally {
	t := Tally{Accounts: 1, Revenue: s.Revenue, Annual: s.Annual, Potential: s.Potential,
		Headroom: max(s.Potential-s.Revenue, 0)}
	if s.Ranked {
		t.Ranked = 1
	}
	if s.Complete {
		t.Complete = 1
	}
	if s.KeyStatus == string(KeyKey) {
		t.KeyAccounts, t.KeyRevenue = 1, s.Revenue
	}
	if s.FromFigures {
		t.FromFigures = 1
	}
	return t
}

// keys are the tally rows the standing counts in.
func (s standing) keys() []tallyKey {
	if s.Archived {
		return []tallyKey{{DimArchived, ""}}
	}
	keys := []tallyKey{{DimAll, ""}, {DimIndustry, s.Industry}, {DimRegion, s.Region}, {DimSegment, s.Segment},
		{DimStatus, s.Status}, {DimKeyStatus, s.KeyStatus}, {DimKAM, s.KAM}}
	if s.Ranked {
		keys = append(keys, tallyKey{DimRank, strconv.Itoa(s.RankKey1)})
	}
	return keys
}

type tallyDelta struct {
	tallyKey
	Tally
}

// deltas is what changes in the tallies when the accounts go from before
// to after (an account missing from before is new; missing from after,
// gone), without the rows that do not change, in key order.
func deltas(before, after []standing) []tallyDelta {
	sum := map[tallyKey]*Tally{}
	apply := func(ss []standing, sign int) {
		for _, s := range ss {
			t := s.tally()
			for _, k := range s.keys() {
				if sum[k] == nil {
					sum[k] = &Tally{}
				}
				sum[k].add(t, sign)
			}
		}
	}
	apply(before, -1)
	apply(after, 1)
	var out []tallyDelta
	for k, t := range sum {
		if *t != (Tally{}) {
			out = append(out, tallyDelta{k, *t})
		}
	}
	slices.SortFunc(out, func(a, b tallyDelta) int {
		if c := strings.Compare(string(a.Dim), string(b.Dim)); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

// standings reads (and locks, so concurrent writers of the same accounts
// take turns) the tally standing of the accounts ids.
func standings(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids []uuid.UUID) ([]standing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := tx.Query(ctx, `SELECT a.id, a.industry, a.region, a.segment, a.status, a.key_status,
			coalesce(a.kam_user_id::text, ''), a.archived_at IS NOT NULL, r.account_id IS NOT NULL, coalesce(r.complete, false),
			coalesce(r.rank_key1, 0), a.revenue_recorded IS NOT NULL, a.revenue_cents, (a.annual_revenue * 100)::bigint,
			(a.revenue_potential * 100)::bigint
		FROM accounts a LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
		WHERE a.tenant_id = $1 AND a.id = ANY($2)
		ORDER BY a.id FOR NO KEY UPDATE OF a`, tenantID, ids)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (standing, error) {
		var s standing
		err := r.Scan(&s.ID, &s.Industry, &s.Region, &s.Segment, &s.Status, &s.KeyStatus, &s.KAM, &s.Archived,
			&s.Ranked, &s.Complete, &s.RankKey1, &s.FromFigures, &s.Revenue, &s.Annual, &s.Potential)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("account: tally standings: %w", err)
	}
	return out, nil
}

// Held is the standing of some accounts before a write; Settle changes
// the tallies by what the write changed.
type Held struct {
	tenantID uuid.UUID
	ids      []uuid.UUID
	before   []standing
}

// Hold locks the accounts ids and notes their standing before a write
// in tx that changes them (their fields, ranking or recorded revenue).
// Call Settle after the write, in the same transaction.
func Hold(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids ...uuid.UUID) (*Held, error) {
	before, err := standings(ctx, tx, tenantID, ids)
	if err != nil {
		return nil, err
	}
	return &Held{tenantID: tenantID, ids: ids, before: before}, nil
}

// Settle reads the held accounts (and created, accounts the write
// created) again and adds the difference to the tallies.
func (h *Held) Settle(ctx context.Context, tx pgx.Tx, created ...uuid.UUID) error {
	after, err := standings(ctx, tx, h.tenantID, append(slices.Clone(h.ids), created...))
	if err != nil {
		return err
	}
	return applyDeltas(ctx, tx, h.tenantID, deltas(h.before, after))
}

// Keep is Hold, write, Settle: for a write of the accounts ids.
func Keep(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids []uuid.UUID, write func() error) error {
	h, err := Hold(ctx, tx, tenantID, ids...)
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	return h.Settle(ctx, tx)
}

const tallyCols = `accounts, ranked, complete, key_accounts, from_figures, revenue, key_revenue, annual_revenue, potential, headroom`

// tallyReadCols are tallyCols as read: the sums (numeric columns) as
// float8, which PostgreSQL converts cheaply and pgx reads as it is; read
// as numeric, pgx decoded each through a big integer (several per cent
// of the shortlist's CPU; issue 19). collectTallies reads float64s either
// way.
const tallyReadCols = `accounts, ranked, complete, key_accounts, from_figures, revenue::float8, key_revenue::float8,
	annual_revenue::float8, potential::float8, headroom::float8`

// applyDeltas adds ds to the tallies in one statement (rows in key
// order, so concurrent writers lock them in the same order).
func applyDeltas(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ds []tallyDelta) error {
	if len(ds) == 0 {
		return nil
	}
	var sb strings.Builder
	args := []any{tenantID}
	sb.WriteString("INSERT INTO account_tallies (tenant_id, dim, value, " + tallyCols + ") VALUES ")
	for i, d := range ds {
		if i > 0 {
			sb.WriteString(", ")
		}
		n := len(args)
		sb.WriteString("($1")
		for j := 1; j <= 12; j++ {
			sb.WriteString(", $" + strconv.Itoa(n+j))
		}
		sb.WriteString(")")
		args = append(args, string(d.Dim), d.Value, d.Accounts, d.Ranked, d.Complete, d.KeyAccounts, d.FromFigures,
			d.Revenue, d.KeyRevenue, d.Annual, d.Potential, d.Headroom)
	}
	sb.WriteString(" ON CONFLICT (tenant_id, dim, value) DO UPDATE SET ")
	for i, c := range strings.Split(tallyCols, ", ") {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c + " = account_tallies." + c + " + EXCLUDED." + c)
	}
	if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("account: keep tallies: %w", err)
	}
	return nil
}

// recountSQL computes every tally row of tenant $1 from its accounts.
const recountSQL = `SELECT d.dim, d.value, count(*)::int, count(r.account_id)::int, (count(*) FILTER (WHERE r.complete))::int,
	(count(*) FILTER (WHERE a.key_status = 'key'))::int, (count(*) FILTER (WHERE a.revenue_recorded IS NOT NULL))::int,
	sum(a.revenue_cents), coalesce(sum(a.revenue_cents) FILTER (WHERE a.key_status = 'key'), 0),
	sum((a.annual_revenue * 100)::bigint), sum((a.revenue_potential * 100)::bigint),
	sum(greatest((a.revenue_potential * 100)::bigint - a.revenue_cents, 0))
FROM accounts a
LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
CROSS JOIN LATERAL (VALUES
	(CASE WHEN a.archived_at IS NULL THEN 'all' ELSE 'archived' END, ''),
	('industry', a.industry), ('region', a.region), ('segment', a.segment), ('status', a.status),
	('key_status', a.key_status), ('kam', coalesce(a.kam_user_id::text, '')), ('rank', r.rank_key1::text)) AS d (dim, value)
WHERE a.tenant_id = $1 AND (a.archived_at IS NULL OR d.dim = 'archived') AND (d.dim <> 'rank' OR r.account_id IS NOT NULL)
GROUP BY d.dim, d.value`

// Recount recomputes the tenant's tallies from its accounts, for bulk
// writes (imports, a re-rank of every account, seeds and fixtures that
// write accounts in SQL): O(accounts), like the write itself.
//
// The counts are read, then written with db.InsertRows: an INSERT … SELECT
// of them (grouped by dimension, not by tenant) would be written into the
// shards with COPY on Citus, which row-level security refuses.
func Recount(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) error {
	counted, err := Counted(ctx, tx, tenantID)
	if err != nil {
		return fmt.Errorf("account: recount: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM account_tallies WHERE tenant_id = $1", tenantID); err != nil {
		return fmt.Errorf("account: recount: %w", err)
	}
	var rows [][]any
	for _, dim := range slices.Sorted(maps.Keys(counted)) {
		for _, value := range slices.Sorted(maps.Keys(counted[dim])) {
			t := counted[dim][value]
			rows = append(rows, []any{tenantID, string(dim), value, t.Accounts, t.Ranked, t.Complete, t.KeyAccounts,
				t.FromFigures, t.Revenue, t.KeyRevenue, t.Annual, t.Potential, t.Headroom})
		}
	}
	cols := append([]string{"tenant_id", "dim", "value"}, strings.Split(tallyCols, ", ")...)
	if _, err := db.InsertRows(ctx, tx, "account_tallies", cols, rows, ""); err != nil {
		return fmt.Errorf("account: recount: %w", err)
	}
	return nil
}

// Counted recomputes the tallies without keeping them (for tests and
// checks): every row, keyed by dimension and value.
func Counted(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (map[Dim]map[string]Tally, error) {
	rows, _ := tx.Query(ctx, recountSQL, tenantID)
	return collectTallies(rows)
}

// Tallies reads the tenant's kept tallies of the dimensions dims (every
// dimension when none), keyed by dimension and value; values no active
// account has any more are left out. A dimension without rows maps to an
// empty map.
func Tallies(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, dims ...Dim) (map[Dim]map[string]Tally, error) {
	out, err := db.ReadNow(ctx, tx, func(r *db.Reads) *map[Dim]map[string]Tally { return QueueTallies(r, tenantID, dims...) })
	if err != nil {
		return nil, fmt.Errorf("account: tallies: %w", err)
	}
	return out, nil
}

// TalliesPart names the kept tallies of dims for db.Kept.
func TalliesPart(dims []Dim) string {
	names := make([]string, len(dims))
	for i, d := range dims {
		names[i] = string(d)
	}
	return "account.tallies " + strings.Join(names, ",")
}

// QueueTallies is Tallies queued in r: the map is filled when r is sent.
func QueueTallies(r *db.Reads, tenantID uuid.UUID, dims ...Dim) *map[Dim]map[string]Tally {
	names := make([]string, len(dims))
	for i, d := range dims {
		names[i] = "'" + strings.ReplaceAll(string(d), "'", "''") + "'"
	}
	out := new(map[Dim]map[string]Tally)
	// No parameters: the tenant and the dimensions (names from this
	// package) written out, so PostgreSQL plans the statement once, not on
	// every execution as it did with "tenant_id = $1 AND dim = ANY($2)"
	// (a custom plan each time, measured on the shortlist; see
	// db.TenantLiteral).
	q := `SELECT dim, value, ` + tallyReadCols + ` FROM account_tallies WHERE tenant_id = ` + db.TenantLiteral(tenantID) + ` AND accounts > 0`
	if len(dims) > 0 {
		q += ` AND dim IN (` + strings.Join(names, ", ") + `)`
	}
	r.Query(func(rows pgx.Rows) error {
		m, err := collectTallies(rows)
		for _, d := range dims {
			if m[d] == nil {
				m[d] = map[string]Tally{}
			}
		}
		*out = m
		return err
	}, q)
	return out
}

// TallyOf is the kept tally of one dimension value (zero when no account
// has it).
func TallyOf(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, dim Dim, value string) (Tally, error) {
	rows, _ := tx.Query(ctx, `SELECT dim, value, `+tallyReadCols+` FROM account_tallies
		WHERE tenant_id = $1 AND dim = $2 AND value = $3`, tenantID, string(dim), value)
	out, err := collectTallies(rows)
	if err != nil {
		return Tally{}, fmt.Errorf("account: tally: %w", err)
	}
	return out[dim][value], nil
}

func collectTallies(rows pgx.Rows) (map[Dim]map[string]Tally, error) {
	out := map[Dim]map[string]Tally{}
	var dim, value string
	var t Tally
	var rev, keyRev, annual, pot, head float64
	_, err := pgx.ForEachRow(rows, []any{&dim, &value, &t.Accounts, &t.Ranked, &t.Complete, &t.KeyAccounts, &t.FromFigures,
		&rev, &keyRev, &annual, &pot, &head}, func() error {
		t.Revenue, t.KeyRevenue, t.Annual, t.Potential, t.Headroom = int64(rev), int64(keyRev), int64(annual), int64(pot), int64(head)
		if out[Dim(dim)] == nil {
			out[Dim(dim)] = map[string]Tally{}
		}
		out[Dim(dim)][value] = t
		return nil
	})
	return out, err
}

// SameCase is the spelling the tenant's accounts already use for value in
// dimension dim when it differs from value only in letter case (the most
// used one), else value: "manufacturing" typed where "Manufacturing"
// exists is stored as "Manufacturing", so filters list each value once.
func SameCase(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, dim Dim, value string) (string, error) {
	if value == "" {
		return value, nil
	}
	var have string
	err := tx.QueryRow(ctx, `SELECT value FROM account_tallies
		WHERE tenant_id = $1 AND dim = $2 AND lower(value) = lower($3) AND accounts > 0
		ORDER BY accounts DESC, value LIMIT 1`, tenantID, string(dim), value).Scan(&have)
	if errors.Is(err, pgx.ErrNoRows) {
		return value, nil
	}
	if err != nil {
		return "", fmt.Errorf("account: same case %s: %w", dim, err)
	}
	return have, nil
}

// caseCanon maps values that differ only in letter case to the first
// spelling seen (an import's rows and the accounts it meets).
type caseCanon map[string]string

func (c caseCanon) of(v string) string {
	if v == "" {
		return v
	}
	k := strings.ToLower(v)
	if x, ok := c[k]; ok {
		return x
	}
	c[k] = v
	return v
}
