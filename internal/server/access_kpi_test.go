package server_test

import "context"
import "net/url"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/importer"
import "pareto/internal/kpi"

func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/dashboards", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/dashboards.csv", Roles: everyone},
		// A KAM may open only their own dashboard; the fixture's kamID is the KAM's.
		accessRule{Method: "GET", Pattern: "/dashboards/kams/{kamID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/dashboards/kams/{kamID}.csv", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/kpis", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/kpis.csv", Roles: everyone},
		// The fixture account is managed by the tenant's KAM, so every role may edit it.
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/kpis", Roles: everyone,
			Form: url.Values{"month": {"2025-01"}, "version": {"0"}, "revenue": {"1000"}, "action": {"save"}}},
		accessRule{Method: "GET", Pattern: "/kpis/import", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/kpis/import", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/kpis/import/{kpiImportID}", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/kpis/import/{kpiImportID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/kpis/settings", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/kpis/settings", Roles: adminOnly,
			Form: url.Values{"version": {"0"}, "csat_scale": {"5"}, "fiscal_year_start_month": {"4"}}},
	)
	fixtureSetups = append(fixtureSetups, func(t *testing.T, a *testApp, tf *tenantFixture) {
		ctx := context.Background()
		kam := tf.Members[auth.RoleKAM]
		// Reuse the accounts area's fixture account when there is one (its
		// other records belong to it); the KPI rules need it managed by the
		// tenant's KAM, so an unassigned one is given to them.
		var id uuid.UUID
		if existing, ok := tf.IDs["accountID"]; ok {
			id = uuid.MustParse(existing)
			err := a.DB.Tx(ctx, tf.scope(auth.RoleAdmin), recounted(tf.ID, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE accounts SET kam_user_id = $2 WHERE id = $1 AND kam_user_id IS NULL`, id, kam.UserID)
				return err
			}))
			if err != nil {
				t.Fatal(err)
			}
		} else {
			id = kpiTestAccount(t, a, tf.scope(auth.RoleAdmin), "KPI Fixture "+tf.ID.String()[:8], "key", kam.UserID)
		}
		now := kpi.MonthOf(time.Now())
		for i := range 3 {
			f := kpi.Figure{Month: kpi.AddMonths(now, -1-i), Revenue: float64(1000 * (i + 1))}
			if _, err := a.Srv.KPI().SaveFigure(ctx, tf.scope(auth.RoleAdmin), auth.RoleAdmin, id, f, 0); err != nil {
				t.Fatal(err)
			}
		}
		csv := "account,month,revenue\n" + id.String() + "," + kpi.FormatMonth(kpi.AddMonths(now, -6)) + ",500\n"
		importID, err := importer.NewStore(a.DB).Upload(ctx, tf.scope(auth.RoleAdmin), auth.RoleAdmin, kpi.FigureImport, "fixture.csv", []byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		tf.IDs["accountID"] = id.String()
		tf.IDs["kamID"] = kam.UserID.String()
		tf.IDs["kpiImportID"] = importID.String()
	})
}

// kpiTestAccount inserts a customer account with plain SQL (the accounts
// area owns the accounts store) and returns its id. kamID may be uuid.Nil.
func kpiTestAccount(t testing.TB, a *testApp, sc db.Scope, name, keyStatus string, kamID uuid.UUID) uuid.UUID {
	t.Helper()
	var kam *uuid.UUID
	if kamID != uuid.Nil {
		kam = &kamID
	}
	var id uuid.UUID
	err := a.DB.Tx(context.Background(), sc, recounted(sc.TenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `INSERT INTO accounts (name, status, key_status, kam_user_id, segment, region)
			VALUES ($1, 'customer', $2, $3, 'Enterprise', 'North') RETURNING id`, name, keyStatus, kam).Scan(&id)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
