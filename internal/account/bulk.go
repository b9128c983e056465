package account

import "context"
import "fmt"
import "slices"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/webhook"

// MaxBulk is the most accounts one bulk action changes.
const MaxBulk = 5000

// Selection names the accounts a bulk action applies to: the ticked ones
// (IDs), or every active account Filter lets through (All), of which the
// list showed Seen (0 when it did not know the number).
type Selection struct {
	IDs    []uuid.UUID
	All    bool
	Filter Filter
	Seen   int
}

// BulkRefused is a bulk action refused as a whole, with what to tell the
// person; nothing was written. It unwraps to db.ErrForbidden (accounts
// the person may not change) or db.ErrConflict (the filter now lets
// through other accounts than the list showed).
type BulkRefused struct {
	Message string
	Err     error
}

func (e *BulkRefused) Error() string { return "account: bulk refused: " + e.Message }

// Unwrap gives the sentinel.
func (e *BulkRefused) Unwrap() error { return e.Err }

// BulkResult is what a bulk action did: the accounts changed, and those
// skipped because they already were as asked (by name, at most a few).
type BulkResult struct {
	Changed int
	Skipped int
	// SkippedNames are the first few skipped accounts' names.
	SkippedNames []string
}

// Skip counts a skipped account.
func (r *BulkResult) Skip(name string) {
	r.Skipped++
	if len(r.SkippedNames) < 3 {
		r.SkippedNames = append(r.SkippedNames, name)
	}
}

// LockSelection reads and locks (in id order) the active accounts of
// tenantID that sel names, inside tx. Errors: db.FieldErrors
// {"selection"} when sel names no account or more than MaxBulk;
// db.ErrNotFound when a ticked id names no active account of the tenant
// (another tenant's, or archived or gone since); *BulkRefused
// (db.ErrConflict) when the filter now lets through another number of
// accounts than the person saw.
func LockSelection(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, sel Selection) ([]Account, error) {
	q := "SELECT " + accountCols + " FROM " + accountFrom + " WHERE "
	var args []any
	ids := slices.Clone(sel.IDs)
	if sel.All {
		f := sel.Filter
		f.Archived = false
		var where string
		where, args = f.where(tenantID)
		q += where
	} else {
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		ids = slices.Compact(ids)
		switch {
		case len(ids) == 0:
			return nil, db.FieldErrors{"selection": "Tick at least one account, or choose every account matching the filter."}
		case len(ids) > MaxBulk:
			return nil, db.FieldErrors{"selection": fmt.Sprintf("Choose at most %d accounts for one action.", MaxBulk)}
		}
		q += "a.tenant_id = $1 AND a.archived_at IS NULL AND a.id = ANY($2)"
		args = []any{tenantID, ids}
	}
	rows, err := tx.Query(ctx, q+" ORDER BY a.id LIMIT "+itoa(MaxBulk+1)+" FOR UPDATE OF a", args...)
	if err != nil {
		return nil, err
	}
	accts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) { return scanAccount(r) })
	switch {
	case err != nil:
		return nil, err
	case !sel.All && len(accts) != len(ids):
		return nil, fmt.Errorf("account: %d of %d selected accounts not found: %w", len(ids)-len(accts), len(ids), db.ErrNotFound)
	case len(accts) > MaxBulk:
		return nil, db.FieldErrors{"selection": fmt.Sprintf("The filter matches more than %d accounts; narrow it, one action changes at most %d.", MaxBulk, MaxBulk)}
	case len(accts) == 0:
		return nil, db.FieldErrors{"selection": "No account matches the filter any more."}
	case sel.All && sel.Seen > 0 && len(accts) != sel.Seen:
		return nil, &BulkRefused{Err: db.ErrConflict, Message: fmt.Sprintf("The filter now matches %d accounts, not the %d the list showed: "+
			"someone changed accounts meanwhile. Nothing was changed; look at the list again and repeat the action.", len(accts), sel.Seen)}
	}
	return accts, nil
}

// MayChangeAll refuses (a *BulkRefused, db.ErrForbidden) when any of
// accts is one the member may not edit (CanEdit, the single edit's
// rule), naming the first few.
func MayChangeAll(role auth.Role, userID uuid.UUID, accts []Account) error {
	var names []string
	n := 0
	for _, a := range accts {
		if !CanEdit(role, userID, a) {
			n++
			if len(names) < 3 {
				names = append(names, a.Name)
			}
		}
	}
	if n == 0 {
		return nil
	}
	more := ""
	if n > len(names) {
		more = fmt.Sprintf(" and %d more", n-len(names))
	}
	return &BulkRefused{Err: db.ErrForbidden, Message: fmt.Sprintf("You may change only the accounts you manage; %d of the %d selected are not yours: %s%s. "+
		"Nothing was changed; untick them and try again.", n, len(accts), strings.Join(names, ", "), more)}
}

// BulkFields are the account fields a bulk action sets (form key →
// column).
var BulkFields = map[string]string{"segment": "segment", "region": "region", "industry": "industry"}

// BulkSet sets one field (a key of BulkFields) of the selected accounts to
// raw, in one transaction: one UPDATE, the kept tallies, one audit event
// and one account.updated webhook event per account changed. Accounts
// that already hold the value are skipped. The member must be allowed
// to edit every selected account (CanEdit), or nothing is written.
// Errors: db.FieldErrors ("field", "value", "selection"), and those of
// LockSelection and MayChangeAll.
func (s *Store) BulkSet(ctx context.Context, sc db.Scope, role auth.Role, sel Selection, key, raw string) (BulkResult, error) {
	col, ok := BulkFields[key]
	fd, _ := FieldByKey(key)
	if !ok {
		return BulkResult{}, db.FieldErrors{"field": "Choose segment, region or industry."}
	}
	var f Fields
	if err := fd.Set(&f, raw); err != nil {
		return BulkResult{}, db.FieldErrors{"value": err.Error()}
	}
	value := f.FormValues()[key]
	var res BulkResult
	err := s.bulk(ctx, sc, role, sel, func(tx pgx.Tx, accts []Account) (err error) {
		if key == "industry" {
			if value, err = SameCase(ctx, tx, sc.TenantID, DimIndustry, value); err != nil {
				return err
			}
		}
		var ids []uuid.UUID
		var events []audit.Event
		var hooks []webhook.Event
		for _, a := range accts {
			old := a.FormValues()[key]
			if old == value {
				res.Skip(a.Name)
				continue
			}
			ids = append(ids, a.ID)
			before, after := map[string]string{key: old}, map[string]string{key: value}
			events = append(events, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "account", EntityID: a.ID.String(), Before: before, After: after})
			hooks = append(hooks, webhook.Change(webhook.AccountUpdated, "account", a.ID, before, after))
		}
		res.Changed = len(ids)
		return BulkWrite(ctx, tx, sc.TenantID, ids, `UPDATE accounts SET `+col+` = $3, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = ANY($2)`, []any{value}, events, hooks)
	})
	return res, wrap("bulk set "+key, err)
}

// BulkArchive archives the selected accounts, like ArchiveAccount for each
// in one transaction (one audit and one account.archived event each).
// The member must be allowed to edit every one of them.
func (s *Store) BulkArchive(ctx context.Context, sc db.Scope, role auth.Role, sel Selection) (BulkResult, error) {
	var res BulkResult
	err := s.bulk(ctx, sc, role, sel, func(tx pgx.Tx, accts []Account) error {
		ids := make([]uuid.UUID, 0, len(accts))
		var events []audit.Event
		var hooks []webhook.Event
		before, after := map[string]bool{"archived": false}, map[string]bool{"archived": true}
		for _, a := range accts {
			ids = append(ids, a.ID)
			events = append(events, audit.Event{ActorID: sc.UserID, Action: "archive", Entity: "account", EntityID: a.ID.String(), Before: before, After: after})
			hooks = append(hooks, webhook.Change(webhook.AccountArchived, "account", a.ID, before, after))
		}
		res.Changed = len(ids)
		return BulkWrite(ctx, tx, sc.TenantID, ids, `UPDATE accounts SET archived_at = now(), version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = ANY($2)`, nil, events, hooks)
	})
	return res, wrap("bulk archive", err)
}

// bulk runs write on the accounts sel names, locked, in one transaction,
// when the member may change every one of them.
func (s *Store) bulk(ctx context.Context, sc db.Scope, role auth.Role, sel Selection, write func(pgx.Tx, []Account) error) error {
	return s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		accts, err := LockSelection(ctx, tx, sc.TenantID, sel)
		if err != nil {
			return err
		}
		if err := MayChangeAll(role, sc.UserID, accts); err != nil {
			return err
		}
		return write(tx, accts)
	})
}

// BulkWrite runs update (a statement on the accounts ids: $1 the tenant,
// $2 the ids, then args) keeping the tallies, then records the audit and
// webhook events, all in tx. Nothing happens for no ids.
func BulkWrite(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids []uuid.UUID, update string, args []any, events []audit.Event, hooks []webhook.Event) error {
	if len(ids) == 0 {
		return nil
	}
	err := Keep(ctx, tx, tenantID, ids, func() error {
		tag, err := tx.Exec(ctx, update, append([]any{tenantID, ids}, args...)...)
		if err == nil && tag.RowsAffected() != int64(len(ids)) {
			err = fmt.Errorf("bulk update changed %d of %d accounts", tag.RowsAffected(), len(ids))
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := audit.RecordAll(ctx, tx, tenantID, events); err != nil {
		return err
	}
	return webhook.Emit(ctx, tx, tenantID, hooks...)
}
