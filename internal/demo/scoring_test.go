package demo

import "context"
import "fmt"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/keyset"
import "pareto/internal/scoring"

func TestSeedScoring(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	admin0, _, err := seedPeople(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	// No accounts yet: the criteria are set up, nothing is scored.
	if err := seedScoring(ctx, d, db.Scope{TenantID: admin0.TenantID, UserID: admin0.UserID}); err != nil {
		t.Fatal(err)
	}
	admin, err := auth.NewStore(d).Login(ctx, AdminEmail, Password, "test")
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	store := scoring.NewStore(d)
	cfg, err := store.Config(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Weights) != 5 {
		t.Fatalf("want 5 active criteria, got %d", len(cfg.Weights))
	}

	// The accounts seed is another area's: stand in for it with SQL, with
	// some accounts managed by a KAM.
	err = d.Tx(ctx, sc, func(tx pgx.Tx) error {
		var kam uuid.UUID
		if err := tx.QueryRow(ctx, "SELECT id FROM users WHERE email = 'kam1@acme.test'").Scan(&kam); err != nil {
			return err
		}
		for i := range 24 {
			_, err := tx.Exec(ctx, `INSERT INTO accounts (name, annual_revenue, revenue_potential, status, kam_user_id)
				VALUES ($1, $2, $3, 'customer', CASE WHEN $4 THEN $5::uuid END)`,
				fmt.Sprintf("Demo %02d", i), 100000*(i+1), 150000*(i+2), i%2 == 0, kam)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedScoring(ctx, d, sc); err != nil {
		t.Fatal(err)
	}
	m, err := store.Matrix(ctx, sc, scoring.Filter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	incomplete := 0
	for _, r := range m.Rows {
		if r.Score.Scored == 0 {
			t.Errorf("%s is not scored", r.Name)
		}
		if !r.Score.Complete {
			incomplete++
		}
	}
	if incomplete == 0 || incomplete > 5 {
		t.Errorf("want a few incomplete accounts, got %d", incomplete)
	}
	list, err := store.Reviews(ctx, sc, keyset.Cursor{}, 0)
	rs := list.Reviews
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[1].Name != ReviewName || rs[1].Open() || rs[1].Designated == 0 || rs[0].Name != MidYearReviewName || rs[0].Open() {
		t.Fatalf("reviews %+v", rs)
	}
}
