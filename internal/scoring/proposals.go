package scoring

import "context"
import "errors"
import "fmt"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/limits"

// Proposal is an account proposed as a key candidate outside a review.
// It waits for the next review started, which lists the account marked
// with who proposed it and when (scored or not); it closes when that
// review decides the account, or when withdrawn before a review takes it
// up. A review closed without deciding it hands it on to the next one.
type Proposal struct {
	ID         uuid.UUID
	AccountID  uuid.UUID
	Reason     string
	ProposedBy string // the proposer's name
	ProposedAt time.Time
	ReviewID   *uuid.UUID // the review that took it up; nil while it waits
	ReviewName string
}

// Waiting reports whether no review has taken the proposal up yet: only
// then can it be withdrawn.
func (p Proposal) Waiting() bool { return p.ReviewID == nil }

// Propose proposes the account as a key candidate for the next review,
// with an optional reason (audited). Leaders and admins (the caller
// checks). A key or archived account, an open proposal for it already or
// an over-long reason → db.FieldErrors; another tenant's account →
// db.ErrNotFound.
func (s *Store) Propose(ctx context.Context, sc db.Scope, accountID uuid.UUID, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > limits.Paragraph {
		return db.FieldErrors{"reason": "Keep the reason to 2,000 characters."}
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		status, archived, err := lockKeyStatus(ctx, tx, sc, accountID)
		if err != nil {
			return err
		}
		switch {
		case archived:
			return db.FieldErrors{"proposal": "This account is archived; restore it before proposing it."}
		case status == "key":
			return db.FieldErrors{"proposal": "This account is a key account already."}
		}
		var id uuid.UUID
		err = tx.QueryRow(ctx, `INSERT INTO key_proposals (account_id, reason, proposed_by, proposed_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, accountID, reason, db.Null(sc.UserID), s.Now()).Scan(&id)
		if db.IsUniqueViolation(err, "key_proposals_open_key") {
			return db.FieldErrors{"proposal": "This account is proposed already; withdraw that proposal to make another."}
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "propose_key", Entity: "account", EntityID: accountID.String(),
			After: map[string]string{"proposal_id": id.String(), "reason": reason}})
	})
	if err != nil {
		return db.Wrap("scoring: propose key candidate", err)
	}
	return nil
}

// WithdrawProposal withdraws the account's open proposal before a review
// takes it up (audited). Leaders and admins (the caller checks). No open
// proposal, or one a review has taken up → db.FieldErrors; another
// tenant's account → db.ErrNotFound.
func (s *Store) WithdrawProposal(ctx context.Context, sc db.Scope, accountID uuid.UUID) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2", sc.TenantID, accountID).
			Scan(new(uuid.UUID)); err != nil {
			return db.NotFound("account", err)
		}
		p, err := openProposal(ctx, tx, sc.TenantID, accountID)
		switch {
		case err != nil:
			return err
		case p == nil:
			return db.FieldErrors{"proposal": "There is no open proposal for this account."}
		case !p.Waiting():
			return db.FieldErrors{"proposal": "The review “" + p.ReviewName + "” has taken this proposal up; decide the account there."}
		}
		// Only while still open and waiting: a review starting meanwhile
		// takes it up first.
		tag, err := tx.Exec(ctx, `UPDATE key_proposals SET state = 'withdrawn', closed_by = $3, closed_at = $4
			WHERE tenant_id = $1 AND id = $2 AND state = 'open' AND review_id IS NULL`, sc.TenantID, p.ID, db.Null(sc.UserID), s.Now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return db.FieldErrors{"proposal": "A review took this proposal up meanwhile; decide the account there."}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "withdraw_key_proposal", Entity: "account",
			EntityID: accountID.String(), Before: map[string]string{"proposal_id": p.ID.String(), "reason": p.Reason}})
	})
	if err != nil {
		return db.Wrap("scoring: withdraw key proposal", err)
	}
	return nil
}

// OpenProposal is the account's open proposal, or nil when there is none.
func (s *Store) OpenProposal(ctx context.Context, sc db.Scope, accountID uuid.UUID) (*Proposal, error) {
	return db.Read(ctx, s.DB, sc, "scoring: open key proposal", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (*Proposal, error) {
		return openProposal(ctx, tx, tenantID, accountID)
	})
}

func openProposal(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID) (*Proposal, error) {
	q := `SELECT p.id, p.account_id, p.reason, coalesce(u.name, ''), p.proposed_at, p.review_id, coalesce(r.name, '')
		FROM key_proposals p LEFT JOIN users u ON u.id = p.proposed_by
		LEFT JOIN scoring_reviews r ON r.tenant_id = p.tenant_id AND r.id = p.review_id
		WHERE p.tenant_id = $1 AND p.account_id = $2 AND p.state = 'open'`
	var p Proposal
	err := tx.QueryRow(ctx, q, tenantID, accountID).Scan(&p.ID, &p.AccountID, &p.Reason, &p.ProposedBy, &p.ProposedAt,
		&p.ReviewID, &p.ReviewName)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil // nothing proposed: not an error
	}
	if err != nil {
		return nil, fmt.Errorf("key proposal: %w", err)
	}
	return &p, nil
}

// proposedEntry is a waiting proposal as a review takes it up, with what
// the review's entry freezes of its account.
type proposedEntry struct {
	Proposal
	Name  string
	Extra candidateExtra
}

// waitingProposals lists the proposals no review has taken up, of active
// accounts, oldest first.
func waitingProposals(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]proposedEntry, error) {
	rows, _ := tx.Query(ctx, `SELECT p.id, p.account_id, p.reason, coalesce(u.name, ''), p.proposed_at,
			a.name, a.revenue_cents, (a.revenue_potential * 100)::bigint, a.key_status, coalesce(k.name, '')
		FROM key_proposals p JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
		LEFT JOIN users u ON u.id = p.proposed_by LEFT JOIN users k ON k.id = a.kam_user_id
		WHERE p.tenant_id = $1 AND p.state = 'open' AND p.review_id IS NULL AND a.archived_at IS NULL
		ORDER BY p.proposed_at, p.id`, tenantID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (proposedEntry, error) {
		var e proposedEntry
		err := r.Scan(&e.ID, &e.AccountID, &e.Reason, &e.ProposedBy, &e.ProposedAt, &e.Name, &e.Extra.Revenue,
			&e.Extra.Potential, &e.Extra.KeyStatus, &e.Extra.KAMName)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("waiting key proposals: %w", err)
	}
	return out, nil
}
