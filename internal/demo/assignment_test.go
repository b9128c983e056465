package demo

import "context"
import "fmt"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/assignment"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

// demoTenant seeds the demo and returns the admin's scope.
func demoTenant(t *testing.T, d *db.DB) db.Scope {
	t.Helper()
	ctx := context.Background()
	if _, _, err := seedPeople(ctx, d); err != nil {
		t.Fatal(err)
	}
	admin, err := auth.NewStore(d).Login(ctx, AdminEmail, Password, "test")
	if err != nil {
		t.Fatal(err)
	}
	return db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
}

func TestSeedAssignment(t *testing.T) {
	ctx := context.Background()
	t.Run("NoAccountsNoChange", func(t *testing.T) {
		d := dbtest.New(t)
		sc := demoTenant(t, d)
		w, err := assignment.NewStore(d).Workload(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range w.KAMs {
			if k.Version != 0 {
				t.Fatalf("profile saved without accounts: %+v", k)
			}
		}
	})
	run := func(t *testing.T) map[string]string {
		d := dbtest.New(t)
		sc := demoTenant(t, d)
		// What the accounts area's demo seed provides, in short.
		err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
			var rows [][]any
			for i := 1; i <= 30; i++ {
				status := "candidate"
				if i <= 14 {
					status = "key"
				}
				rows = append(rows, []any{sc.TenantID, fmt.Sprintf("Account %d", i), []string{"EMEA", "Americas", "APAC"}[i%3],
					[]string{"Manufacturing", "Retail"}[i%2], status, 1000 * i})
			}
			_, err := db.InsertRows(ctx, tx, "accounts", []string{"tenant_id", "name", "region", "industry", "key_status", "annual_revenue"}, rows, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := seedAssignment(ctx, d, sc); err != nil {
			t.Fatal(err)
		}
		w, err := assignment.NewStore(d).Workload(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Unassigned) != 0 || len(w.NeedsReassignment) != 0 {
			t.Fatalf("key accounts without a KAM: %+v", w.Unassigned)
		}
		near, total := 0, 0
		for _, k := range w.KAMs {
			total += k.KeyAccounts
			if k.KeyAccounts == k.Capacity-1 {
				near++
			}
			if k.Over() {
				t.Errorf("%s over capacity", k.Name)
			}
			if len(k.Regions) == 0 {
				t.Errorf("%s has no regions", k.Name)
			}
		}
		if total != 14 || near == 0 {
			t.Fatalf("%d key accounts assigned, %d KAMs near capacity: %+v", total, near, w.KAMs)
		}
		out := map[string]string{}
		err = d.Tx(ctx, sc, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT a.name, u.email FROM accounts a JOIN users u ON u.id = a.kam_user_id`)
			var name, email string
			_, err := pgx.ForEachRow(rows, []any{&name, &email}, func() error { out[name] = email; return nil })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var handovers int
		if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM account_assignments WHERE reason LIKE 'Handover:%'").Scan(&handovers)
		}); err != nil || handovers != 1 {
			t.Fatalf("%d handovers, %v", handovers, err)
		}
		return out
	}
	t.Run("EveryKeyAccountHasAKAMAndOneIsNearCapacity", func(t *testing.T) {
		a, b := run(t), run(t)
		for name, kam := range a {
			if b[name] != kam {
				t.Fatalf("not deterministic: %s → %s, then %s", name, kam, b[name])
			}
		}
	})
}
