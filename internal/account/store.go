package account

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/audit"
	"pareto/internal/auth"
	"pareto/internal/db"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Store reads and writes accounts, stakeholders and interactions. Every
// method works inside one tenant-scoped transaction; every write records
// an audit event in that transaction.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// ConflictError says an edit was based on an old version. Current is the
// record as saved by someone else; errors.Is(err, db.ErrConflict) holds.
type ConflictError struct{ Current Account }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("account %s changed (now version %d)", e.Current.ID, e.Current.Version)
}

// Unwrap makes the error a db.ErrConflict.
func (e *ConflictError) Unwrap() error { return db.ErrConflict }

// wrap adds context to err but passes db.FieldErrors through unwrapped,
// so handlers can show them beside fields.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return fmt.Errorf("account: %s: %w", what, err)
}

const accountCols = `a.id, a.name, coalesce(a.external_ref, ''), a.industry, a.region, a.country, a.segment, a.status,
	a.customer_since, (a.annual_revenue * 100)::bigint, (a.revenue_potential * 100)::bigint, a.notes, a.key_status,
	a.kam_user_id, coalesce(u.name, ''), a.archived_at, a.version, a.created_at, a.updated_at`

const accountFrom = `accounts a LEFT JOIN users u ON u.id = a.kam_user_id`

func scanAccount(row pgx.Row) (Account, error) {
	var a Account
	var since, archived *time.Time
	var kam *uuid.UUID
	err := row.Scan(&a.ID, &a.Name, &a.ExternalRef, &a.Industry, &a.Region, &a.Country, &a.Segment, &a.Status,
		&since, &a.AnnualRevenue, &a.RevenuePotential, &a.Notes, &a.KeyStatus,
		&kam, &a.KAMName, &archived, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	if since != nil {
		a.CustomerSince = time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, time.UTC)
	}
	if archived != nil {
		a.ArchivedAt = *archived
	}
	if kam != nil {
		a.KAMUserID = *kam
	}
	return a, err
}

func getAccount(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID, lock bool) (Account, error) {
	q := "SELECT " + accountCols + " FROM " + accountFrom + " WHERE a.tenant_id = $1 AND a.id = $2"
	if lock {
		q += " FOR UPDATE OF a"
	}
	a, err := scanAccount(tx.QueryRow(ctx, q, tenantID, id))
	if err != nil {
		return Account{}, db.NotFound("account", err)
	}
	return a, nil
}

// Account returns one account of the scope's tenant, archived or not.
// Returns db.ErrNotFound when there is none (including another tenant's).
func (s *Store) Account(ctx context.Context, sc db.Scope, id uuid.UUID) (Account, error) {
	var a Account
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		a, err = getAccount(ctx, tx, sc.TenantID, id, false)
		return err
	})
	return a, wrap("get", err)
}

// nullable turns "" into NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func refTaken(err error) bool { return db.IsUniqueViolation(err, "accounts_external_ref_key") }

const refTakenMsg = "Another account already uses this reference."

// CreateAccount adds an account. Only admins and leaders may (see
// CanCreate; db.ErrForbidden otherwise). Returns db.FieldErrors when the
// external reference is already used.
func (s *Store) CreateAccount(ctx context.Context, sc db.Scope, role auth.Role, f Fields) (Account, error) {
	if !CanCreate(role) {
		return Account{}, fmt.Errorf("account: create as %s: %w", role, db.ErrForbidden)
	}
	var a Account
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var id uuid.UUID
		err := tx.QueryRow(ctx, `INSERT INTO accounts (name, external_ref, industry, region, country, segment, status,
				customer_since, annual_revenue, revenue_potential, notes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint / 100.0, $10::bigint / 100.0, $11) RETURNING id`,
			f.Name, nullable(f.ExternalRef), f.Industry, f.Region, f.Country, f.Segment, f.Status,
			nullDate(f.CustomerSince), int64(f.AnnualRevenue), int64(f.RevenuePotential), f.Notes).Scan(&id)
		if refTaken(err) {
			return db.FieldErrors{"external_ref": refTakenMsg}
		}
		if err != nil {
			return err
		}
		if a, err = getAccount(ctx, tx, sc.TenantID, id, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "account",
			EntityID: id.String(), After: f.auditFields()})
	})
	return a, wrap("create", err)
}

// UpdateAccount saves f over account id when version is still current.
// Errors: db.ErrNotFound; db.ErrForbidden unless CanEdit; *ConflictError
// (a db.ErrConflict) carrying the current record when the version is
// stale; db.FieldErrors when the external reference is taken. Saving
// unchanged values changes nothing (no new version, no audit event).
func (s *Store) UpdateAccount(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID, f Fields, version int) (Account, error) {
	var a Account
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := getAccount(ctx, tx, sc.TenantID, id, true)
		if err != nil {
			return err
		}
		if !CanEdit(role, sc.UserID, cur) {
			return fmt.Errorf("edit account %s as %s: %w", id, role, db.ErrForbidden)
		}
		if cur.Version != version {
			return &ConflictError{Current: cur}
		}
		if cur.Fields.Same(f) {
			a = cur
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE accounts SET name = $3, external_ref = $4, industry = $5, region = $6, country = $7,
				segment = $8, status = $9, customer_since = $10, annual_revenue = $11::bigint / 100.0,
				revenue_potential = $12::bigint / 100.0, notes = $13, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`,
			sc.TenantID, id, f.Name, nullable(f.ExternalRef), f.Industry, f.Region, f.Country, f.Segment, f.Status,
			nullDate(f.CustomerSince), int64(f.AnnualRevenue), int64(f.RevenuePotential), f.Notes)
		if refTaken(err) {
			return db.FieldErrors{"external_ref": refTakenMsg}
		}
		if err != nil {
			return err
		}
		before, after := diff(cur.Fields, f)
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "account",
			EntityID: id.String(), Before: before, After: after}); err != nil {
			return err
		}
		a, err = getAccount(ctx, tx, sc.TenantID, id, false)
		return err
	})
	var ce *ConflictError
	if errors.As(err, &ce) {
		return Account{}, err
	}
	return a, wrap("update", err)
}

// ArchiveAccount hides an account from the list (a soft delete);
// RestoreAccount brings it back. Both need CanEdit (db.ErrForbidden) and
// do nothing when the account is already in that state.
func (s *Store) ArchiveAccount(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID) (Account, error) {
	return s.setArchived(ctx, sc, role, id, true)
}

// RestoreAccount undoes ArchiveAccount.
func (s *Store) RestoreAccount(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID) (Account, error) {
	return s.setArchived(ctx, sc, role, id, false)
}

func (s *Store) setArchived(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID, archive bool) (Account, error) {
	var a Account
	action := map[bool]string{true: "archive", false: "restore"}[archive]
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := getAccount(ctx, tx, sc.TenantID, id, true)
		if err != nil {
			return err
		}
		if !CanEdit(role, sc.UserID, cur) {
			return fmt.Errorf("%s account %s as %s: %w", action, id, role, db.ErrForbidden)
		}
		if cur.Archived() == archive {
			a = cur
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET archived_at = `+db.NowOrNull(archive)+`,
				version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: action, Entity: "account",
			EntityID: id.String(), Before: map[string]bool{"archived": !archive}, After: map[string]bool{"archived": archive}}); err != nil {
			return err
		}
		a, err = getAccount(ctx, tx, sc.TenantID, id, false)
		return err
	})
	return a, wrap(action, err)
}

// Filter narrows and orders the account list. Zero values mean no filter.
type Filter struct {
	Q         string // contained in name or external reference, any case
	Industry  string
	Region    string
	Segment   string
	Status    Status
	KeyStatus KeyStatus
	KAM       string // a user id, "none" for accounts without a KAM, or ""
	Archived  bool   // list archived accounts instead of active ones
	Sort      string // a key of SortColumns; default name
	Desc      bool
	Page      int // 1-based
	PerPage   int // default 50, at most 500
}

// SortColumns are the columns the list can sort by.
var SortColumns = map[string]string{
	"name":              "lower(a.name)",
	"external_ref":      "a.external_ref",
	"industry":          "a.industry",
	"region":            "a.region",
	"status":            "a.status",
	"key_status":        "a.key_status",
	"kam":               "u.name",
	"annual_revenue":    "a.annual_revenue",
	"revenue_potential": "a.revenue_potential",
	"headroom":          "(a.revenue_potential - a.annual_revenue)",
	"updated_at":        "a.updated_at",
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

func (f Filter) orderBy() string {
	col, ok := SortColumns[f.Sort]
	if !ok {
		col = SortColumns["name"]
	}
	// Default NULLS placement and a.id in the same direction, so the
	// (tenant_id, column, id) indexes serve the ORDER BY ... LIMIT; a.id
	// last makes the order total, so pages never overlap or skip.
	if f.Desc {
		return col + " DESC, a.id DESC"
	}
	return col + " ASC, a.id ASC"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Page is one page of the account list with counts over the whole filter.
type Page struct {
	Accounts         []Account
	Total            int
	Page             int
	Pages            int
	PerPage          int
	AnnualRevenue    Money // sums over every matching account
	RevenuePotential Money
}

// Accounts lists the scope's tenant's accounts matching f, one page.
func (s *Store) Accounts(ctx context.Context, sc db.Scope, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 500)
	f.Page = max(f.Page, 1)
	where, args := f.where(sc.TenantID)
	p := Page{Page: f.Page, PerPage: f.PerPage}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var rev, pot int64
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(a.annual_revenue) * 100, 0)::bigint,
				coalesce(sum(a.revenue_potential) * 100, 0)::bigint FROM accounts a WHERE `+where, args...).
			Scan(&p.Total, &rev, &pot); err != nil {
			return err
		}
		p.AnnualRevenue, p.RevenuePotential = Money(rev), Money(pot)
		p.Pages = max(1, (p.Total+f.PerPage-1)/f.PerPage)
		rows, err := tx.Query(ctx, "SELECT "+accountCols+" FROM "+accountFrom+" WHERE "+where+
			" ORDER BY "+f.orderBy()+fmt.Sprintf(" LIMIT %d OFFSET %d", f.PerPage, (f.Page-1)*f.PerPage), args...)
		if err != nil {
			return err
		}
		p.Accounts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) { return scanAccount(r) })
		return err
	})
	return p, wrap("list", err)
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
// the tenant's active accounts, with counts.
func (s *Store) Facets(ctx context.Context, sc db.Scope) (Facets, error) {
	var out Facets
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		for col, dst := range map[string]*[]Facet{"industry": &out.Industries, "region": &out.Regions, "segment": &out.Segments} {
			rows, _ := tx.Query(ctx, `SELECT `+col+`, count(*) FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL
				AND `+col+` <> '' GROUP BY 1 ORDER BY 1`, sc.TenantID)
			var err error
			*dst, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Facet, error) {
				var f Facet
				return f, r.Scan(&f.Value, &f.Count)
			})
			if err != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT u.id, u.name, count(*) FROM accounts a JOIN users u ON u.id = a.kam_user_id
			WHERE a.tenant_id = $1 AND a.archived_at IS NULL GROUP BY u.id, u.name ORDER BY u.name, u.id`, sc.TenantID)
		var err error
		out.KAMs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (KAMFacet, error) {
			var k KAMFacet
			return k, r.Scan(&k.UserID, &k.Name, &k.Count)
		})
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT count(*) FROM accounts WHERE tenant_id = $1 AND archived_at IS NOT NULL", sc.TenantID).Scan(&out.Archived)
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
