package kpi_test

import "context"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"

// changeKey records what a review decision does: the account's key
// status changes from old to new and the change is kept with its time.
func (tn *tenant) changeKey(account uuid.UUID, old, new string, at time.Time) {
	tn.t.Helper()
	err := tn.d.Tx(context.Background(), tn.scope(tn.admin), func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `UPDATE accounts SET key_status = $2 WHERE id = $1`, account, new); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO key_status_changes (account_id, old_status, new_status, reason, changed_at)
			VALUES ($1, $2, $3, 'Review decision', $4)`, account, old, new, at)
		return err
	})
	if err != nil {
		tn.t.Fatal(err)
	}
}

// TestRetentionCohortFromHistory: retention used to count only the
// accounts key (or "former") now, so declining a key account that stopped
// buying took it out of the denominator and improved retention. The
// cohort is the accounts key at the period's start, from the key status
// history.
func TestRetentionCohortFromHistory(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d) // now: 15 Nov 2026; the default period is Nov 2025 – Oct 2026
	own := newTenant(t, d, s, "Own Co")
	kept1 := own.account("Kept One", "key", own.kam.UserID, "Enterprise")
	kept2 := own.account("Kept Two", "key", own.kam.UserID, "Enterprise")
	failing := own.account("Failing", "key", own.kam.UserID, "Enterprise")
	own.save(kept1, "2025-11", repeat(100, 12)...)
	own.save(kept2, "2025-11", repeat(100, 12)...)
	own.save(failing, "2025-11", repeat(100, 4)...) // stopped buying after February

	before, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// Three key accounts were customers in November 2025; two still are.
	if r := before.Summary.Retention; r.Cohort != 3 || r.Retained != 2 {
		t.Fatalf("before the decision: cohort %d, retained %d; want 3, 2", r.Cohort, r.Retained)
	}
	own.changeKey(failing, "key", "declined", time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC))
	after, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r := after.Summary.Retention; r.Cohort != 3 || r.Retained != 2 {
		t.Fatalf("declining the failing account changed retention: cohort %d, retained %d; want 3, 2", r.Cohort, r.Retained)
	}
}
