package assignment

import "context"
import "fmt"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/webhook"

// BulkReason is the history's reason of an assignment made from the
// account list's bulk actions.
const BulkReason = "Bulk assignment from the account list"

// BulkAssign makes kamUserID (as typed in the form) the primary KAM of
// every account sel names, all or nothing, in one transaction: one UPDATE,
// the kept tallies, one history row, one audit event and one
// account.updated webhook event per account. Accounts the KAM already
// manages are skipped. There is no capacity override in bulk: when the
// selection's key accounts would take the KAM over capacity, nothing is
// written.
//
// Only active leaders and admins may assign (db.ErrForbidden). Returns
// db.FieldErrors ("kam_user_id": not an active KAM, or no room; and
// LockSelection's "selection"), and LockSelection's errors.
func (s *Store) BulkAssign(ctx context.Context, sc db.Scope, sel account.Selection, kamUserID string) (name string, res account.BulkResult, err error) {
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := requireLeader(ctx, tx, sc); err != nil {
			return err
		}
		fe := db.FieldErrors{}
		kamID, kam, err := chooseKAM(ctx, tx, sc.TenantID, kamUserID, fe)
		if err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		name = kam.Name
		accts, err := account.LockSelection(ctx, tx, sc.TenantID, sel)
		if err != nil {
			return err
		}
		var ids []uuid.UUID
		var history [][]any
		var events []audit.Event
		var hooks []webhook.Event
		keys := 0
		to := assignState{KAMUserID: &kamID, Reason: BulkReason}
		for _, a := range accts {
			if a.KAMUserID == kamID {
				res.Skip(a.Name)
				continue
			}
			if a.KeyStatus == account.KeyKey {
				keys++
			}
			var from *uuid.UUID
			if a.KAMUserID != uuid.Nil {
				from = &a.KAMUserID
			}
			ids = append(ids, a.ID)
			history = append(history, []any{sc.TenantID, a.ID, from, kamID, actor(sc), BulkReason, false})
			events = append(events, audit.Event{ActorID: sc.UserID, Action: "assign_kam", Entity: "account", EntityID: a.ID.String(),
				Before: assignState{KAMUserID: from}, After: to})
			hooks = append(hooks, webhook.Change(webhook.AccountUpdated, "account", a.ID,
				map[string]*uuid.UUID{"kam_user_id": from}, map[string]uuid.UUID{"kam_user_id": kamID}))
		}
		if keys > 0 && kam.Load+keys > kam.Capacity {
			return db.FieldErrors{"kam_user_id": fmt.Sprintf("%s has %d free slots for key accounts (%d of %d used); the selection holds %d key accounts. "+
				"Nothing was assigned: choose fewer key accounts or someone else, or assign over capacity one account at a time, with a reason.",
				kam.Name, max(kam.Capacity-kam.Load, 0), kam.Load, kam.Capacity, keys)}
		}
		res.Changed = len(ids)
		if err := account.BulkWrite(ctx, tx, sc.TenantID, ids, `UPDATE accounts SET kam_user_id = $3, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = ANY($2)`, []any{kamID}, events, hooks); err != nil {
			return err
		}
		_, err = db.InsertRows(ctx, tx, "account_assignments", []string{"tenant_id", "account_id", "from_user_id", "to_user_id",
			"assigned_by", "reason", "over_capacity_override"}, history, "")
		return err
	})
	if err != nil {
		return "", account.BulkResult{}, db.Wrap("assignment: bulk assign", err)
	}
	return name, res, nil
}
