package kpi_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
	"pareto/internal/db/dbtest"
	"pareto/internal/kpi"
	"pareto/internal/kpi/kpitest"
)

func TestExplainDashboard(t *testing.T) {
	if os.Getenv("KPI_EXPLAIN") == "" {
		t.Skip("KPI_EXPLAIN not set")
	}
	ctx := context.Background()
	url := dbtest.URL(t)
	d, _ := db.Open(ctx, url, db.Options{MaxConns: 10})
	defer d.Close()
	s := kpi.NewStore(d)
	big := newTenant(t, d, s, "Bench Big")
	if _, err := kpitest.Seed(ctx, url, d, kpitest.Options{Accounts: 2000, KeyEvery: 13, KAMs: 12, Months: 24, OtherTenants: 100, OtherAccounts: 40, BigTenantID: big.id, BigTenantOwner: big.admin.UserID}); err != nil {
		t.Fatal(err)
	}
	qs := []string{os.Getenv("KPI_EXPLAIN")}
	for _, q := range qs {
		for rep := 0; rep < 5; rep++ {
			err := d.Tx(ctx, big.scope(big.leader), func(tx pgx.Tx) error {
				t0 := time.Now()
				rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q, big.id)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var s string
					rows.Scan(&s)
					if rep == 4 {
						t.Log(s)
					}
				}
				if rep == 4 {
					t.Log(time.Since(t0))
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}
