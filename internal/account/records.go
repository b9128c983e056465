package account

import "context"
import "fmt"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"

// childRecord says how a kind of record kept under an account (its
// stakeholders, its interactions) is read, locked, removed and audited:
// what the two stores share, in one place.
type childRecord[T any] struct {
	entity  string // audit entity, and the word in errors
	table   string
	get     func(ctx context.Context, tx pgx.Tx, tenantID, accountID, id uuid.UUID, lock bool) (T, error)
	version func(T) int
	audit   func(T) any // the record as the audit log keeps it
	// unlink, when set, clears what refers to the record before it goes.
	unlink func(ctx context.Context, tx pgx.Tx, tenantID, accountID, id uuid.UUID) error
}

// one reads record id of accountID (db.ErrNotFound).
func (k childRecord[T]) one(ctx context.Context, d *db.DB, sc db.Scope, accountID, id uuid.UUID) (T, error) {
	var out T
	err := d.Tx(ctx, sc, func(tx pgx.Tx) (err error) {
		out, err = k.get(ctx, tx, sc.TenantID, accountID, id, false)
		return err
	})
	return out, wrap(k.entity, err)
}

// locked reads record id of accountID for a change at version, locked:
// db.ErrNotFound, or db.ErrConflict when someone saved it since.
func (k childRecord[T]) locked(ctx context.Context, tx pgx.Tx, tenantID, accountID, id uuid.UUID, version int) (T, error) {
	cur, err := k.get(ctx, tx, tenantID, accountID, id, true)
	if err != nil {
		return cur, err
	}
	if v := k.version(cur); v != version {
		return cur, fmt.Errorf("%s %s is at version %d, not %d: %w", k.entity, id, v, version, db.ErrConflict)
	}
	return cur, nil
}

// remove deletes record id of accountID, audited. Needs CanEdit on the
// account (db.ErrForbidden); db.ErrNotFound when it is gone already.
func (k childRecord[T]) remove(ctx context.Context, d *db.DB, sc db.Scope, role auth.Role, accountID, id uuid.UUID) error {
	err := editTx(ctx, d, sc, role, accountID, func(tx pgx.Tx) error {
		cur, err := k.get(ctx, tx, sc.TenantID, accountID, id, true)
		if err != nil {
			return err
		}
		if k.unlink != nil {
			if err := k.unlink(ctx, tx, sc.TenantID, accountID, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM "+k.table+" WHERE tenant_id = $1 AND account_id = $2 AND id = $3",
			sc.TenantID, accountID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "delete", Entity: k.entity,
			EntityID: id.String(), Before: k.audit(cur)})
	})
	return wrap("delete "+k.entity, err)
}

var (
	stakeholders = childRecord[Stakeholder]{entity: "stakeholder", table: "stakeholders", get: getStakeholder,
		version: func(st Stakeholder) int { return st.Version },
		audit:   func(st Stakeholder) any { return st.audit() }, unlink: unlinkReports}
	interactions = childRecord[Interaction]{entity: "interaction", table: "interactions", get: getInteraction,
		version: func(i Interaction) int { return i.Version },
		audit:   func(i Interaction) any { return i.InteractionFields.audit() }}
)

// unlinkReports makes the people reporting to stakeholder id report to
// nobody. The foreign key cannot do it on Citus
// (migrations/00013_citus_compatible.sql).
func unlinkReports(ctx context.Context, tx pgx.Tx, tenantID, accountID, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE stakeholders SET reports_to_id = NULL, version = version + 1, updated_at = now()
		WHERE tenant_id = $1 AND account_id = $2 AND reports_to_id = $3`, tenantID, accountID, id)
	return err
}
