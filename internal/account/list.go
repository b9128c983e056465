package account

import "context"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/keyset"

// Filter narrows and orders the account list. Zero values mean no filter.
type Filter struct {
	Q         string // contained in name or external reference, any case
	Industry  string
	Region    string
	Segment   string
	Status    Status
	KeyStatus KeyStatus
	KAM       string      // a user id, "none" for accounts without a KAM, or ""
	IDs       []uuid.UUID // only these accounts (a bulk selection's export), when any
	Archived  bool        // list archived accounts instead of active ones
	Sort      string      // a key of SortColumns; default name
	Desc      bool
	Cursor    keyset.Cursor // where the page starts; the zero Cursor is the first page
	PerPage   int           // default 50, at most 500
}

// SortColumns are the columns the list can sort by: each a keyset order
// on stored columns, name and id breaking ties. Name, revenue and updated
// (and, over the active accounts, industry, region, status and key status,
// the filter indexes' order) are served by an index; the others sort the
// accounts the filter lets through.
var SortColumns = map[string][]keyset.Col{
	"name":              {},
	"external_ref":      {{SQL: "coalesce(a.external_ref, '')", Type: "text"}},
	"industry":          {{SQL: "a.industry", Type: "text"}},
	"region":            {{SQL: "a.region", Type: "text"}},
	"status":            {{SQL: "a.status", Type: "text"}},
	"key_status":        {{SQL: "a.key_status", Type: "text"}},
	"kam":               {{SQL: "coalesce(u.name, '')", Type: "text"}},
	"annual_revenue":    {{SQL: "a.revenue_cents", Type: "bigint"}},
	"revenue_potential": {{SQL: "a.revenue_potential", Type: "numeric"}},
	"headroom":          {{SQL: "((a.revenue_potential * 100)::bigint - a.revenue_cents)", Type: "bigint"}},
	"updated_at":        {{SQL: "a.updated_at", Type: "timestamptz"}},
}

// where builds the filter's WHERE clause and arguments ($1 is the tenant).
func (f Filter) where(tenantID uuid.UUID) (string, []any) {
	conds := []string{"a.tenant_id = $1"}
	args := []any{tenantID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if f.Archived {
		conds = append(conds, "a.archived_at IS NOT NULL")
	} else {
		conds = append(conds, "a.archived_at IS NULL")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		add("(a.name ILIKE ? OR a.external_ref ILIKE ?)", "%"+likeEscape(q)+"%")
	}
	if f.Industry != "" {
		add("a.industry = ?", f.Industry)
	}
	if f.Region != "" {
		add("a.region = ?", f.Region)
	}
	if f.Segment != "" {
		add("a.segment = ?", f.Segment)
	}
	if f.Status != "" {
		add("a.status = ?", string(f.Status))
	}
	if f.KeyStatus != "" {
		add("a.key_status = ?", string(f.KeyStatus))
	}
	if len(f.IDs) > 0 {
		add("a.id = ANY(?)", f.IDs)
	}
	switch f.KAM {
	case "":
	case "none":
		conds = append(conds, "a.kam_user_id IS NULL")
	default:
		id, err := uuid.Parse(f.KAM)
		if err != nil {
			conds = append(conds, "false")
		} else {
			add("a.kam_user_id = ?", id)
		}
	}
	return strings.Join(conds, " AND "), args
}

// order is the list's keyset order: the sort column, then the stored sort
// name and id, all in one direction.
func (f Filter) order() keyset.Order {
	cols, ok := SortColumns[f.Sort]
	if !ok {
		cols = nil
	}
	return keyset.Order{Desc: f.Desc, Cols: append(slices.Clone(cols),
		keyset.Col{SQL: "a.sort_name", Type: "text"}, keyset.Col{SQL: "a.id", Type: "uuid"})}
}

// orderBy is the list's ORDER BY (for the export, which does not page).
func (f Filter) orderBy() string {
	_, o, _ := f.order().Plan(keyset.Cursor{}, 0, &[]any{})
	return o
}

// tallied says which kept tally counts f's accounts: no search and at
// most one other filter (the archived list counts as one).
func (f Filter) tallied() (Dim, string, bool) {
	dim, value, n := DimAll, "", 0
	for d, v := range map[Dim]string{DimIndustry: f.Industry, DimRegion: f.Region, DimSegment: f.Segment,
		DimStatus: string(f.Status), DimKeyStatus: string(f.KeyStatus), DimKAM: f.KAM} {
		if v != "" {
			dim, value, n = d, v, n+1
		}
	}
	if strings.TrimSpace(f.Q) != "" || len(f.IDs) > 0 || n > 1 || (f.Archived && n > 0) {
		return "", "", false
	}
	if f.Archived {
		return DimArchived, "", true
	}
	if dim == DimKAM {
		if value == "none" {
			value = ""
		} else if id, err := uuid.Parse(value); err == nil {
			value = id.String()
		} else {
			value = "not a user" // no account has it: 0
		}
	}
	return dim, value, true
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Page is one page of the account list.
type Page struct {
	Accounts []Account
	// Total is how many accounts the filter lets through: exact when Exact
	// (the kept tallies: no filter, or one), else counted up to CountCap.
	Total   int
	Exact   bool
	Links   keyset.Links
	PerPage int
	// Sums says whether the amounts below are known (for no filter or
	// one): sums over every matching account, from the kept tallies.
	Sums             bool
	Revenue          Money
	RevenuePotential Money
}

// CountCap is where counting a filter the tallies do not keep stops.
const CountCap = 1000

// Accounts lists the scope's tenant's accounts matching f, one keyset page;
// the total and sums come from the kept tallies (or a count that stops at
// CountCap), never from a read of every account.
func (s *Store) Accounts(ctx context.Context, sc db.Scope, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 500)
	where, args := f.where(sc.TenantID)
	p := Page{PerPage: f.PerPage}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if dim, value, ok := f.tallied(); ok {
			t, err := TallyOf(ctx, tx, sc.TenantID, dim, value)
			if err != nil {
				return err
			}
			p.Total, p.Exact, p.Sums, p.Revenue, p.RevenuePotential = t.Accounts, true, true, Money(t.Revenue), Money(t.Potential)
		} else {
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM accounts a WHERE `+where+
				` ORDER BY a.sort_name, a.id LIMIT `+itoa(CountCap+1)+`) x`, args...).Scan(&p.Total); err != nil {
				return err
			}
			p.Exact, p.Total = p.Total <= CountCap, min(p.Total, CountCap)
		}
		o := f.order()
		pargs := slices.Clone(args)
		after, orderBy, limit := o.Plan(f.Cursor, f.PerPage, &pargs)
		rows, err := tx.Query(ctx, "SELECT "+accountCols+" FROM "+accountFrom+" WHERE "+where+after+" ORDER BY "+orderBy+limit, pargs...)
		if err != nil {
			return err
		}
		keys := map[uuid.UUID][]string{}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) {
			a, sortName, err := scanAccountKeyed(r)
			keys[a.ID] = append(sortKey(f.Sort, a), sortName, a.ID.String())
			return a, err
		})
		if err != nil {
			return err
		}
		p.Accounts, p.Links = keyset.Finish(list, f.Cursor, f.PerPage, func(a Account) []string { return keys[a.ID] })
		return nil
	})
	return p, wrap("list", err)
}

// sortKey is a's value of the sort column (none for name), as its cursor
// holds it.
func sortKey(sort string, a Account) []string {
	switch sort {
	case "external_ref":
		return []string{a.ExternalRef}
	case "industry":
		return []string{a.Industry}
	case "region":
		return []string{a.Region}
	case "status":
		return []string{string(a.Status)}
	case "key_status":
		return []string{string(a.KeyStatus)}
	case "kam":
		return []string{a.KAMName}
	case "annual_revenue":
		return []string{strconv.FormatInt(int64(a.Revenue), 10)}
	case "revenue_potential":
		return []string{a.RevenuePotential.Plain()}
	case "headroom":
		return []string{strconv.FormatInt(int64(a.Headroom()), 10)}
	case "updated_at":
		return []string{a.UpdatedAt.Format(time.RFC3339Nano)}
	}
	return nil
}

// EachAccount calls fn for every account matching f, in f's order, without
// paging (for the CSV export). It stops at fn's first error.
func (s *Store) EachAccount(ctx context.Context, sc db.Scope, f Filter, fn func(Account) error) error {
	where, args := f.where(sc.TenantID)
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+accountCols+" FROM "+accountFrom+" WHERE "+where+" ORDER BY "+f.orderBy(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return wrap("each", err)
}

// Facet is one value of a filter with how many active accounts have it.
type Facet struct {
	Value string
	Count int
}

// Facets are the values the list's filters offer.
type Facets struct {
	Industries []Facet
	Regions    []Facet
	Segments   []Facet
	KAMs       []KAMFacet
	Archived   int // how many accounts are archived
}

// KAMFacet is a person who is the primary KAM of some account.
type KAMFacet struct {
	UserID uuid.UUID
	Name   string
	Count  int
}

// Facets returns the distinct industries, regions, segments and KAMs of
// the tenant's active accounts, with counts, from the kept tallies.
func (s *Store) Facets(ctx context.Context, sc db.Scope) (Facets, error) {
	var out Facets
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		ts, err := Tallies(ctx, tx, sc.TenantID, DimIndustry, DimRegion, DimSegment, DimKAM, DimArchived)
		if err != nil {
			return err
		}
		for dim, dst := range map[Dim]*[]Facet{DimIndustry: &out.Industries, DimRegion: &out.Regions, DimSegment: &out.Segments} {
			for v, t := range ts[dim] {
				if v != "" {
					*dst = append(*dst, Facet{Value: v, Count: t.Accounts})
				}
			}
			slices.SortFunc(*dst, func(a, b Facet) int { return strings.Compare(a.Value, b.Value) })
		}
		var ids []uuid.UUID
		for v := range ts[DimKAM] {
			if id, err := uuid.Parse(v); err == nil {
				ids = append(ids, id)
			}
		}
		rows, _ := tx.Query(ctx, `SELECT id, name FROM users WHERE id = ANY($1) ORDER BY name, id`, ids)
		out.KAMs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (KAMFacet, error) {
			var k KAMFacet
			err := r.Scan(&k.UserID, &k.Name)
			k.Count = ts[DimKAM][k.UserID.String()].Accounts
			return k, err
		})
		out.Archived = ts[DimArchived][""].Accounts
		return err
	})
	return out, wrap("facets", err)
}

// Currency is the tenant's currency code (e.g. EUR).
func (s *Store) Currency(ctx context.Context, sc db.Scope) (string, error) {
	var c string
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT currency FROM tenants WHERE id = $1", sc.TenantID).Scan(&c)
	})
	if err != nil {
		return "", db.NotFound("account: currency", err)
	}
	return c, nil
}
