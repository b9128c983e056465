package assignment_test

import "errors"
import "strings"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// TestBulkAssignCapacity: Ann has capacity 2 and one key account already
// (1 free slot). A bulk assignment of two key accounts and a candidate
// would take her to 3 of 2: refused, nothing written. Without one of the
// key accounts (1 key + 1 candidate → 2 of 2) it goes through, and her
// own account in the selection is skipped, not counted again.
func TestBulkAssignCapacity(t *testing.T) {
	f := newFixture(t, dbtest.New(t), "Bulk Cap")
	f.setCapacity(f.ann, "2")
	own := f.account(acc{name: "Own", kam: f.ann.UserID})
	k1 := f.account(acc{name: "Key One"})
	k2 := f.account(acc{name: "Key Two"})
	cand := f.account(acc{name: "Cand", keyStatus: "candidate"})

	sel := account.Selection{IDs: []uuid.UUID{own, k1, k2, cand}}
	_, _, err := f.s.BulkAssign(ctx, f.scope(f.leader), sel, f.ann.UserID.String())
	var fe db.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["kam_user_id"], "Ann KAM has 1 free slots for key accounts (1 of 2 used); the selection holds 2 key accounts") {
		t.Fatalf("over capacity: %v", err)
	}
	if v := f.version(k1); v != 1 {
		t.Fatalf("refused bulk assignment wrote (version %d)", v)
	}
	if _, _, err := f.s.BulkAssign(ctx, f.scope(f.ann), sel, f.ann.UserID.String()); !errors.Is(err, db.ErrForbidden) {
		t.Fatalf("a KAM assigns in bulk: %v", err)
	}

	sel.IDs = []uuid.UUID{own, k1, cand}
	name, res, err := f.s.BulkAssign(ctx, f.scope(f.leader), sel, f.ann.UserID.String())
	if err != nil || name != "Ann KAM" || res.Changed != 2 || res.Skipped != 1 || res.SkippedNames[0] != "Own" {
		t.Fatalf("bulk assign: %q %+v %v", name, res, err)
	}
	if v := f.version(k1); v != 2 {
		t.Fatalf("Key One at version %d, want 2", v)
	}
}
