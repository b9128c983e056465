// Package views keeps the saved views of the list pages: a person's own
// filters and sort of one page (the accounts, the shortlist, the matrix,
// the risk list…) stored under a name as the page's query. Each view
// belongs to one person in one tenant: row-level security shows a person
// only their own (the policy checks the tenant and the person), and every
// query names both again. It knows nothing of HTTP: the caller says which
// query parameters a page knows.
package views

import "context"
import "fmt"
import "net/url"
import "slices"
import "strings"
import "time"
import "unicode"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/limits"

// Limits of what a view holds.
const (
	MaxName     = 60   // characters of a name
	MaxQuery    = 2000 // bytes of a stored query
	MaxValue    = limits.Label
	MaxPerPage  = 30 // views of one person on one page
	uniqueConst = "saved_views_name_key"
)

// View is one saved view.
type View struct {
	ID        uuid.UUID
	Page      string // the page's key, e.g. "accounts"
	Name      string
	Query     string // the page's query, encoded (sorted keys), without paging
	Version   int
	UpdatedAt time.Time
}

// Store reads and writes saved views.
type Store struct{ DB *db.DB }

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d} }

// CleanName trims and checks a view's name: 1 to MaxName characters of
// plain text. The message says what is wrong.
func CleanName(raw string) (string, string) {
	name := strings.TrimSpace(raw)
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return "", "Use plain text without control characters."
	case n == 0:
		return "", "Give the view a name."
	case n > MaxName:
		return "", fmt.Sprintf("Use at most %d characters.", MaxName)
	}
	return name, ""
}

// CleanQuery reads a page's query as typed (raw, a URL query string) and
// keeps what the page knows: each parameter must be one of known (paging
// parameters are not: a view starts at the first page) and each value at
// most MaxValue characters, else db.FieldErrors{"query"}. Empty values
// are dropped; the result is encoded with sorted keys.
func CleanQuery(raw string, known []string) (string, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", db.FieldErrors{"query": "This page's filters could not be read; open the page again and save from there."}
	}
	out := url.Values{}
	for k, vs := range q {
		if !slices.Contains(known, k) {
			return "", db.FieldErrors{"query": "This page has no filter “" + k + "”; open the page again and save from there."}
		}
		for _, v := range vs {
			if utf8.RuneCountInString(v) > MaxValue || !utf8.ValidString(v) {
				return "", db.FieldErrors{"query": "The filter “" + k + "” is too long to keep."}
			}
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	enc := out.Encode()
	if len(enc) > MaxQuery {
		return "", db.FieldErrors{"query": "These filters are too long to keep."}
	}
	return enc, nil
}

const cols = `id, page, name, query, version, updated_at`

func scan(r pgx.CollectableRow) (View, error) {
	var v View
	return v, r.Scan(&v.ID, &v.Page, &v.Name, &v.Query, &v.Version, &v.UpdatedAt)
}

// Views lists the scope's person's views of page ("" for every page), by
// page and name.
func (s *Store) Views(ctx context.Context, sc db.Scope, page string) ([]View, error) {
	return db.ReadQueued(ctx, s.DB, sc, "views: list", func(r *db.Reads) *[]View { return queueViews(r, sc, page) })
}

// ViewsLater is Views queued ahead (db.Prefetch) to go with the request's
// next batch; the function it returns gives them then (and reads them on
// its own if they did not go).
func (s *Store) ViewsLater(ctx context.Context, sc db.Scope, page string) func(context.Context) ([]View, error) {
	return db.Later(ctx, s.DB, sc, "views: list", func(r *db.Reads) *[]View { return queueViews(r, sc, page) })
}

func queueViews(r *db.Reads, sc db.Scope, page string) *[]View {
	out := new([]View)
	r.Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, scan)
		return err
	}, `SELECT `+cols+` FROM saved_views WHERE tenant_id = $1 AND user_id = $2 AND ($3 = '' OR page = $3)
			ORDER BY page, lower(name), id`, sc.TenantID, sc.UserID, page)
	return out
}

// Create saves query (already cleaned, see CleanQuery) of page under name
// for the scope's person. Errors: db.FieldErrors{"name"} for a bad name,
// one the person already gave a view of that page, or past MaxPerPage.
func (s *Store) Create(ctx context.Context, sc db.Scope, page, name, query string) (View, error) {
	name, msg := CleanName(name)
	if msg != "" {
		return View{}, db.FieldErrors{"name": msg}
	}
	var v View
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM saved_views WHERE tenant_id = $1 AND user_id = $2 AND page = $3`,
			sc.TenantID, sc.UserID, page).Scan(&n); err != nil {
			return err
		}
		if n >= MaxPerPage {
			return db.FieldErrors{"name": fmt.Sprintf("You have %d views of this page, the most it keeps; delete one first.", n)}
		}
		rows, _ := tx.Query(ctx, `INSERT INTO saved_views (tenant_id, user_id, page, name, query) VALUES ($1, $2, $3, $4, $5)
			RETURNING `+cols, sc.TenantID, sc.UserID, page, name, query)
		var err error
		v, err = pgx.CollectExactlyOneRow(rows, scan)
		if db.IsUniqueViolation(err, uniqueConst) {
			return taken(name)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, sc, "create", v.ID, nil, v)
	})
	return v, db.Wrap("views: create", err)
}

// record writes a change of a view to the audit log.
func record(ctx context.Context, tx pgx.Tx, sc db.Scope, action string, id uuid.UUID, before, after any) error {
	return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: action, Entity: "saved_view", EntityID: id.String(),
		Before: auditState(before), After: auditState(after)})
}

// auditState is what the log keeps of a view: its page, name and query.
func auditState(x any) any {
	if v, ok := x.(View); ok {
		return map[string]string{"page": v.Page, "name": v.Name, "query": v.Query}
	}
	return x
}

func taken(name string) db.FieldErrors {
	return db.FieldErrors{"name": "You already have a view named “" + name + "” on this page; choose another name."}
}

// Rename renames the person's view id at version. Errors: db.ErrNotFound
// (another person's or tenant's view too), db.ErrConflict for a stale
// version, db.FieldErrors{"name"}.
func (s *Store) Rename(ctx context.Context, sc db.Scope, id uuid.UUID, name string, version int) (View, error) {
	name, msg := CleanName(name)
	if msg != "" {
		return View{}, db.FieldErrors{"name": msg}
	}
	var v View
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := get(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("view %s at version %d, form had %d: %w", id, cur.Version, version, db.ErrConflict)
		}
		rows, _ := tx.Query(ctx, `UPDATE saved_views SET name = $4, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND user_id = $2 AND id = $3 RETURNING `+cols, sc.TenantID, sc.UserID, id, name)
		v, err = pgx.CollectExactlyOneRow(rows, scan)
		if db.IsUniqueViolation(err, uniqueConst) {
			return taken(name)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, sc, "update", id, map[string]string{"name": cur.Name}, map[string]string{"name": v.Name})
	})
	return v, db.Wrap("views: rename", err)
}

// Delete removes the person's view id (db.ErrNotFound when there is none
// of theirs).
func (s *Store) Delete(ctx context.Context, sc db.Scope, id uuid.UUID) (View, error) {
	var v View
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if v, err = get(ctx, tx, sc, id); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `DELETE FROM saved_views WHERE tenant_id = $1 AND user_id = $2 AND id = $3`, sc.TenantID, sc.UserID, id); err != nil {
			return err
		}
		return record(ctx, tx, sc, "delete", id, v, nil)
	})
	return v, db.Wrap("views: delete", err)
}

// View returns the person's view id.
func (s *Store) View(ctx context.Context, sc db.Scope, id uuid.UUID) (View, error) {
	var v View
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		v, err = get(ctx, tx, sc, id)
		return err
	})
	return v, db.Wrap("views: get", err)
}

func get(ctx context.Context, tx pgx.Tx, sc db.Scope, id uuid.UUID) (View, error) {
	rows, _ := tx.Query(ctx, `SELECT `+cols+` FROM saved_views WHERE tenant_id = $1 AND user_id = $2 AND id = $3 FOR UPDATE`,
		sc.TenantID, sc.UserID, id)
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if err != nil {
		return View{}, db.NotFound("view", err)
	}
	return v, nil
}
