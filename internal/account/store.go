package account

import "context"
import "errors"
import "fmt"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/webhook"

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
func wrap(what string, err error) error { return db.Wrap("account: "+what, err) }

const accountCols = `a.id, a.name, coalesce(a.external_ref, ''), a.industry, a.region, a.country, a.segment, a.status,
	a.customer_since, (a.annual_revenue * 100)::bigint, (a.revenue_potential * 100)::bigint, a.notes, a.key_status,
	a.kam_user_id, coalesce(u.name, ''), a.manager_user_id, coalesce(mu.name, ''), a.archived_at, a.version, a.created_at,
	a.updated_at, a.revenue_cents, a.revenue_recorded IS NOT NULL, a.sort_name`

const accountFrom = `accounts a LEFT JOIN users u ON u.id = a.kam_user_id LEFT JOIN users mu ON mu.id = a.manager_user_id`

func scanAccount(row pgx.Row) (Account, error) {
	a, _, err := scanAccountKeyed(row)
	return a, err
}

// scanAccountKeyed scans an account and its stored sort name.
func scanAccountKeyed(row pgx.Row) (Account, string, error) {
	var a Account
	var since, archived *time.Time
	var kam, manager *uuid.UUID
	var sortName string
	err := row.Scan(&a.ID, &a.Name, &a.ExternalRef, &a.Industry, &a.Region, &a.Country, &a.Segment, &a.Status,
		&since, &a.AnnualRevenue, &a.RevenuePotential, &a.Notes, &a.KeyStatus,
		&kam, &a.KAMName, &manager, &a.ManagerName, &archived, &a.Version, &a.CreatedAt, &a.UpdatedAt, &a.Revenue,
		&a.RevenueFromFigures, &sortName)
	if manager != nil {
		a.ManagerUserID = *manager
	}
	if since != nil {
		a.CustomerSince = time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, time.UTC)
	}
	if archived != nil {
		a.ArchivedAt = *archived
	}
	if kam != nil {
		a.KAMUserID = *kam
	}
	return a, sortName, err
}

// newestOf reads the rows of an account in table (interactions,
// engagements: alias in sel, the SELECT … FROM … of a row that scan
// reads), newest first (occurred_on, then created_at), at most limit (0:
// all), and how many there are in all. db.ErrNotFound when the tenant
// has no such account.
func newestOf[T any](ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID, table, alias, sel string, limit int,
	scan func(pgx.Row) (T, error)) ([]T, int, error) {
	if _, err := getAccount(ctx, tx, tenantID, accountID, false); err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE tenant_id = $1 AND account_id = $2",
		tenantID, accountID).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := sel + " WHERE " + alias + ".tenant_id = $1 AND " + alias + ".account_id = $2 ORDER BY " +
		alias + ".occurred_on DESC, " + alias + ".created_at DESC, " + alias + ".id"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, _ := tx.Query(ctx, q, tenantID, accountID)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	return list, total, err
}

func getAccount(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID, lock bool) (Account, error) {
	return db.One(ctx, tx, "account", scanAccount, lock, " FOR UPDATE OF a",
		"SELECT "+accountCols+" FROM "+accountFrom+" WHERE a.tenant_id = $1 AND a.id = $2", tenantID, id)
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
		held, err := Hold(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if f.Industry, err = SameCase(ctx, tx, sc.TenantID, DimIndustry, f.Industry); err != nil {
			return err
		}
		var id uuid.UUID
		err = tx.QueryRow(ctx, `INSERT INTO accounts (name, external_ref, industry, region, country, segment, status,
				customer_since, annual_revenue, revenue_potential, notes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint / 100.0, $10::bigint / 100.0, $11) RETURNING id`,
			f.Name, db.Null(f.ExternalRef), f.Industry, f.Region, f.Country, f.Segment, f.Status,
			db.NullTime(f.CustomerSince), int64(f.AnnualRevenue), int64(f.RevenuePotential), f.Notes).Scan(&id)
		if refTaken(err) {
			return db.FieldErrors{"external_ref": refTakenMsg}
		}
		if err != nil {
			return err
		}
		if err := held.Settle(ctx, tx, id); err != nil {
			return err
		}
		if a, err = getAccount(ctx, tx, sc.TenantID, id, false); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "account",
			EntityID: id.String(), After: f.auditFields()}); err != nil {
			return err
		}
		return webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.AccountCreated, "account", id, nil, f.auditFields()))
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
		if !strings.EqualFold(cur.Industry, f.Industry) {
			if f.Industry, err = SameCase(ctx, tx, sc.TenantID, DimIndustry, f.Industry); err != nil {
				return err
			}
		}
		if cur.Fields.Same(f) {
			a = cur
			return nil
		}
		err = Keep(ctx, tx, sc.TenantID, []uuid.UUID{id}, func() error {
			_, err := tx.Exec(ctx, `UPDATE accounts SET name = $3, external_ref = $4, industry = $5, region = $6, country = $7,
					segment = $8, status = $9, customer_since = $10, annual_revenue = $11::bigint / 100.0,
					revenue_potential = $12::bigint / 100.0, notes = $13, version = version + 1, updated_at = now()
				WHERE tenant_id = $1 AND id = $2`,
				sc.TenantID, id, f.Name, db.Null(f.ExternalRef), f.Industry, f.Region, f.Country, f.Segment, f.Status,
				db.NullTime(f.CustomerSince), int64(f.AnnualRevenue), int64(f.RevenuePotential), f.Notes)
			return err
		})
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
		if err := webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.AccountUpdated, "account", id, before, after)); err != nil {
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
		if err := Keep(ctx, tx, sc.TenantID, []uuid.UUID{id}, func() error {
			_, err := tx.Exec(ctx, `UPDATE accounts SET archived_at = `+db.NowOrNull(archive)+`,
				version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id)
			return err
		}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: action, Entity: "account",
			EntityID: id.String(), Before: map[string]bool{"archived": !archive}, After: map[string]bool{"archived": archive}}); err != nil {
			return err
		}
		typ := map[bool]string{true: webhook.AccountArchived, false: webhook.AccountUpdated}[archive]
		if err := webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(typ, "account", id,
			map[string]bool{"archived": !archive}, map[string]bool{"archived": archive})); err != nil {
			return err
		}
		a, err = getAccount(ctx, tx, sc.TenantID, id, false)
		return err
	})
	return a, wrap(action, err)
}
