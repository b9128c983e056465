package scoring

import "context"
import "fmt"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/keyset"

// KeyChangeRow is one change of an account's key status, with the
// account it was about.
type KeyChangeRow struct {
	ID          int64
	AccountID   uuid.UUID
	AccountName string
	KeyChange
}

// KeyChangePage is one keyset page of key status changes.
type KeyChangePage struct {
	Changes []KeyChangeRow
	Links   keyset.Links
}

var keyChangeOrder = keyset.Order{Desc: true, Cols: []keyset.Col{{SQL: "k.changed_at", Type: "timestamptz"}, {SQL: "k.id", Type: "bigint"}}}

// KeyChanges lists the tenant's key status changes, newest first, per a
// page from c; of one account when accountID is not uuid.Nil (an account
// of another tenant or none → db.ErrNotFound). Everyone in the tenant may
// read them, as on an account's score page.
func (s *Store) KeyChanges(ctx context.Context, sc db.Scope, accountID uuid.UUID, c keyset.Cursor, per int) (KeyChangePage, error) {
	var p KeyChangePage
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		args := []any{sc.TenantID}
		where := "k.tenant_id = $1"
		if accountID != uuid.Nil {
			if _, err := readAccount(ctx, tx, sc.TenantID, accountID); err != nil {
				return err
			}
			args = append(args, accountID)
			where += " AND k.account_id = $2"
		}
		after, orderBy, limit := keyChangeOrder.Plan(c, per, &args)
		rows, _ := tx.Query(ctx, `SELECT k.id, k.account_id, a.name, k.changed_at, coalesce(u.name, 'system'), k.old_status,
				k.new_status, k.reason, k.review_id, coalesce(r.name, '')
			FROM key_status_changes k JOIN accounts a ON a.tenant_id = k.tenant_id AND a.id = k.account_id
			LEFT JOIN users u ON u.id = k.changed_by
			LEFT JOIN scoring_reviews r ON r.tenant_id = k.tenant_id AND r.id = k.review_id
			WHERE `+where+after+" ORDER BY "+orderBy+limit, args...)
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (KeyChangeRow, error) {
			var k KeyChangeRow
			return k, r.Scan(&k.ID, &k.AccountID, &k.AccountName, &k.At, &k.By, &k.Old, &k.New, &k.Reason, &k.ReviewID, &k.ReviewName)
		})
		if err != nil {
			return err
		}
		p.Changes, p.Links = keyset.Finish(list, c, per, func(k KeyChangeRow) []string {
			return []string{k.At.Format(time.RFC3339Nano), strconv.FormatInt(k.ID, 10)}
		})
		return nil
	})
	if err != nil {
		return KeyChangePage{}, fmt.Errorf("scoring: key changes: %w", err)
	}
	return p, nil
}
