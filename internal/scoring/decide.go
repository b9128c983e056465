package scoring

// Decisions and key status: a review's decision per account, the key
// status it sets (capped, with history, audit and webhook event), closing
// a review, de-designating a key account.

import "context"
import "errors"
import "fmt"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/webhook"

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// KeyCapMessage explains a refused designation.
func KeyCapMessage(cap, count int) string {
	return fmt.Sprintf("The cap of %d key accounts is reached (%d are key now). De-designate a key account first, "+
		"or ask an admin to raise the cap in the scoring settings.", cap, count)
}

func validReason(reason string, fe db.FieldErrors) string {
	reason = strings.TrimSpace(reason)
	fe.Text("reason", reason, limits.Paragraph, "Give a reason; it is kept with the decision.", "Keep the reason to 2,000 characters.")
	return reason
}

// Decide records the decision on one account of an open review and sets
// the account's key status to match (audited). Designating beyond the
// tenant's key-account cap, a missing reason, an unknown decision, a
// closed review or an account outside the review → db.FieldErrors.
// Another tenant's review → db.ErrNotFound. Leaders and admins (the caller
// checks).
func (s *Store) Decide(ctx context.Context, sc db.Scope, reviewID, accountID uuid.UUID, decision, reason string) error {
	fe := db.FieldErrors{}
	valid := false
	for _, d := range Decisions {
		valid = valid || d == decision
	}
	if !valid {
		fe.Add("decision", "Choose designate key, watch or decline.")
	}
	reason = validReason(reason, fe)
	if len(fe) > 0 {
		return fe
	}
	now := s.Now()
	err := s.locked(ctx, sc, func(tx pgx.Tx, st Settings) error {
		name, err := openReviewName(ctx, tx, sc.TenantID, reviewID, "",
			db.FieldErrors{"decision": "This review is closed; its decisions can no longer change."})
		if err != nil {
			return err
		}
		var prev string
		err = tx.QueryRow(ctx, "SELECT coalesce(decision, '') FROM review_entries WHERE tenant_id = $1 AND review_id = $2 AND account_id = $3",
			sc.TenantID, reviewID, accountID).Scan(&prev)
		if errors.Is(err, pgx.ErrNoRows) {
			return db.FieldErrors{"account_id": "This account is not part of the review."}
		} else if err != nil {
			return err
		}
		if err := setKeyStatus(ctx, tx, sc, st, accountID, decision, reason, &reviewID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE review_entries SET decision = $4, reason = $5, decided_by = $6, decided_at = $7
			WHERE tenant_id = $1 AND review_id = $2 AND account_id = $3`,
			sc.TenantID, reviewID, accountID, decision, reason, db.Null(sc.UserID), now); err != nil {
			return err
		}
		// Deciding the account closes its open proposal, whichever review
		// it waited for.
		if _, err := tx.Exec(ctx, `UPDATE key_proposals SET state = 'decided', review_id = $3, closed_by = $4, closed_at = $5
			WHERE tenant_id = $1 AND account_id = $2 AND state = 'open'`, sc.TenantID, accountID, reviewID, db.Null(sc.UserID), now); err != nil {
			return err
		}
		// The review's kept counts (the settings row locked above orders
		// the decisions of a tenant).
		if _, err := tx.Exec(ctx, `UPDATE scoring_reviews SET decided = decided + $3, designated = designated + $4
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, reviewID, b2i(prev == ""), b2i(decision == "key")-b2i(prev == "key")); err != nil {
			return err
		}
		var before any
		if prev != "" {
			before = map[string]string{"account_id": accountID.String(), "decision": prev}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "decide", Entity: "review", EntityID: reviewID.String(),
			Before: before, After: map[string]string{"review": name, "account_id": accountID.String(), "decision": decision, "reason": reason}})
	})
	if err != nil {
		return db.Wrap("scoring: decide", err)
	}
	return nil
}

// lockKeyStatus locks an account for a change of its key status and
// reads the status and whether the account is archived; db.ErrNotFound
// when the tenant has no such account.
func lockKeyStatus(ctx context.Context, tx pgx.Tx, sc db.Scope, accountID uuid.UUID) (status string, archived bool, err error) {
	var at *time.Time
	if err := tx.QueryRow(ctx, "SELECT key_status, archived_at FROM accounts WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE",
		sc.TenantID, accountID).Scan(&status, &at); err != nil {
		return "", false, db.NotFound("account", err)
	}
	return status, at != nil, nil
}

// setKeyStatus moves an account to status with reason (history and audit),
// enforcing the key-account cap. The settings row must be locked.
func setKeyStatus(ctx context.Context, tx pgx.Tx, sc db.Scope, st Settings, accountID uuid.UUID, status, reason string,
	reviewID *uuid.UUID, now time.Time) error {
	cur, archived, err := lockKeyStatus(ctx, tx, sc, accountID)
	if err != nil {
		return err
	}
	if archived {
		return db.FieldErrors{"decision": "This account is archived; restore it first."}
	}
	if cur == status {
		return nil
	}
	if status == "key" {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM accounts WHERE tenant_id = $1 AND key_status = 'key' AND archived_at IS NULL",
			sc.TenantID).Scan(&n); err != nil {
			return err
		}
		if n >= st.KeyAccountCap {
			return db.FieldErrors{"decision": KeyCapMessage(st.KeyAccountCap, n)}
		}
	}
	if err := account.Keep(ctx, tx, sc.TenantID, []uuid.UUID{accountID}, func() error {
		_, err := tx.Exec(ctx, `UPDATE accounts SET key_status = $3, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, accountID, status)
		return err
	}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO key_status_changes (account_id, review_id, old_status, new_status, reason, changed_by, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, accountID, reviewID, cur, status, reason, db.Null(sc.UserID), now); err != nil {
		return err
	}
	after := map[string]string{"key_status": status, "reason": reason}
	if reviewID != nil {
		after["review_id"] = reviewID.String()
	}
	if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "key_status", Entity: "account", EntityID: accountID.String(),
		Before: map[string]string{"key_status": cur}, After: after}); err != nil {
		return err
	}
	return webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.KeyStatusChanged, "account", accountID,
		map[string]string{"key_status": cur}, after))
}

// openReviewName is the name of review id (lock: "" or a locking
// clause); a closed review is the error closed, another tenant's
// db.ErrNotFound.
func openReviewName(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID, lock string, closed db.FieldErrors) (string, error) {
	var name string
	var closedAt *time.Time
	if err := tx.QueryRow(ctx, "SELECT name, closed_at FROM scoring_reviews WHERE tenant_id = $1 AND id = $2"+lock,
		tenantID, id).Scan(&name, &closedAt); err != nil {
		return "", db.NotFound("review", err)
	}
	if closedAt != nil {
		return "", closed
	}
	return name, nil
}

// CloseReview closes an open review; its decisions are final and it stays
// readable as it was. Leaders and admins (the caller checks). Already
// closed → db.FieldErrors; another tenant's → db.ErrNotFound.
func (s *Store) CloseReview(ctx context.Context, sc db.Scope, id uuid.UUID) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		name, err := openReviewName(ctx, tx, sc.TenantID, id, " FOR UPDATE", db.FieldErrors{"review": "This review is closed already."})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE scoring_reviews SET closed_at = $3, closed_by = $4 WHERE tenant_id = $1 AND id = $2",
			sc.TenantID, id, s.Now(), db.Null(sc.UserID)); err != nil {
			return err
		}
		// Proposals it took up and left undecided wait for the next review.
		if _, err := tx.Exec(ctx, "UPDATE key_proposals SET review_id = NULL WHERE tenant_id = $1 AND review_id = $2 AND state = 'open'",
			sc.TenantID, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "close", Entity: "review", EntityID: id.String(),
			After: map[string]string{"name": name}}); err != nil {
			return err
		}
		return webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.ReviewClosed, "review", id, nil, map[string]string{"name": name}))
	})
	if err != nil {
		return db.Wrap("scoring: close review", err)
	}
	return nil
}

// Dedesignate ends an account's key status (it becomes a former key
// account) with a reason. Leaders and admins (the caller checks). Not a
// key account or no reason → db.FieldErrors; another tenant's account →
// db.ErrNotFound.
func (s *Store) Dedesignate(ctx context.Context, sc db.Scope, accountID uuid.UUID, reason string) error {
	fe := db.FieldErrors{}
	reason = validReason(reason, fe)
	err := s.locked(ctx, sc, func(tx pgx.Tx, st Settings) error {
		var cur string
		if err := tx.QueryRow(ctx, "SELECT key_status FROM accounts WHERE tenant_id = $1 AND id = $2",
			sc.TenantID, accountID).Scan(&cur); err != nil {
			return db.NotFound("account", err)
		}
		if cur != "key" {
			fe.Add("key_status", "This is not a key account, so there is nothing to de-designate.")
		}
		if len(fe) > 0 {
			return fe
		}
		return setKeyStatus(ctx, tx, sc, st, accountID, "former", reason, nil, s.Now())
	})
	if err != nil {
		return db.Wrap("scoring: de-designate", err)
	}
	return nil
}
