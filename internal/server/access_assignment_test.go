package server_test

import "context"
import "net/url"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"

// Access rules of the assignment area: leaders and admins see and change
// who manages what; everyone reads an account's KAM section and their own
// accounts.
func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/kams", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/kams/suggestions", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/kams/suggestions/apply", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/kams/{kamID}", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/kams/{kamID}", Roles: leadersUp,
			Form: url.Values{"capacity": {"8"}, "regions": {"EMEA"}, "version": {"0"}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/assignment", Roles: everyone},
		// A KAM cannot assign, not even themselves to an account.
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/assignment", Roles: leadersUp,
			Form: url.Values{"kam_user_id": {"{kamID}"}, "version": {"1"}}},
		accessRule{Method: "GET", Pattern: "/my/accounts", Roles: everyone},
	)
	fixtureSetups = append(fixtureSetups, func(t *testing.T, a *testApp, tf *tenantFixture) {
		tf.IDs["kamID"] = tf.Members[auth.RoleKAM].UserID.String()
		if _, ok := tf.IDs["accountID"]; !ok {
			tf.IDs["accountID"] = asgInsertAccount(t, a, tf.scope(auth.RoleAdmin), "Fixture Key Account", "EMEA", uuid.Nil).String()
		}
	})
}

// asgInsertAccount adds a key account with plain SQL (the accounts area
// owns the real forms) and returns its id.
func asgInsertAccount(t testing.TB, a *testApp, sc db.Scope, name, region string, kam uuid.UUID) uuid.UUID {
	t.Helper()
	var kamID *uuid.UUID
	if kam != uuid.Nil {
		kamID = &kam
	}
	var id uuid.UUID
	err := a.DB.Tx(context.Background(), sc, recounted(sc.TenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `INSERT INTO accounts (name, region, industry, key_status, annual_revenue, revenue_potential, kam_user_id)
			VALUES ($1, $2, 'Manufacturing', 'key', 100000, 250000, $3) RETURNING id`, name, region, kamID).Scan(&id)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
