package server_test

import "context"
import "net/url"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/plan"

// Plans: everyone signed in reads; changing a plan needs the account's KAM
// (the fixture's account belongs to the tenant's KAM), a leader or an admin,
// which the plan package decides per account; the catalogue and the
// fiscal-year setting are admin-only.
func init() {
	goalForm := url.Values{"title": {"Matrix goal"}, "kpi": {"revenue"}, "baseline": {"100"}, "target": {"200"},
		"due_date": {"2030-06-30"}, "status": {"on_track"}}
	goalEdit := url.Values{"version": {"1"}, "title": {"Matrix goal, edited"}, "kpi": {"nps"}, "baseline": {"10"}, "target": {"20"},
		"due_date": {"2030-06-30"}, "status": {"at_risk"}}
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/plans", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/plans/whitespace", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/plans/whitespace.csv", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/plans/{planID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/plans/{planID}/edit", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/plans/{planID}", Roles: everyone,
			Form: url.Values{"version": {"1"}, "period": {"FY2030"}, "status": {"active"}, "why": {"Matrix"}}},
		accessRule{Method: "POST", Pattern: "/plans/{planID}/goals", Roles: everyone, Form: goalForm},
		accessRule{Method: "GET", Pattern: "/plans/{planID}/goals/{goalID}/edit", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/plans/{planID}/goals/{goalID}", Roles: everyone, Form: goalEdit},
		accessRule{Method: "POST", Pattern: "/plans/{planID}/goals/{goalID}/status", Roles: everyone,
			Form: url.Values{"version": {"1"}, "override": {"at_risk"}, "override_reason": {"Matrix says so"}}},
		accessRule{Method: "POST", Pattern: "/plans/{planID}/actions", Roles: everyone,
			Form: url.Values{"description": {"Matrix action"}, "owner_user_id": {"{userID}"}, "due_date": {"2030-03-01"}}},
		accessRule{Method: "GET", Pattern: "/plans/{planID}/actions/{actionID}/edit", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/plans/{planID}/actions/{actionID}", Roles: everyone,
			Form: url.Values{"op": {"done"}, "done": {"1"}, "version": {"1"}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/plans", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/plans/new", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/plans", Roles: everyone,
			Form: url.Values{"period": {"FY2031"}, "status": {"draft"}, "why": {"Matrix"}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/whitespace/{productID}", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/whitespace/{productID}", Roles: everyone,
			Form: url.Values{"state": {"owned"}, "version": {"0"}}},
		accessRule{Method: "GET", Pattern: "/admin/products", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/products", Roles: adminOnly, Form: url.Values{"name": {"Matrix product"}}},
		accessRule{Method: "POST", Pattern: "/admin/products/{productID}", Roles: adminOnly,
			Form: url.Values{"version": {"1"}, "name": {"Matrix product, renamed"}, "active": {"true"}}},
		accessRule{Method: "GET", Pattern: "/admin/plan-settings", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/plan-settings", Roles: adminOnly,
			Form: url.Values{"version": {"0"}, "fiscal_year_start_month": {"4"}, "goal_tolerance": {"10"}}},
	)
	fixtureSetups = append(fixtureSetups, plansFixture)
}

// plansFixture gives tf a key account of its KAM (the accounts area's
// fixture account when it registered one), a plan with a goal and an
// action, and a product.
func plansFixture(t *testing.T, a *testApp, tf *tenantFixture) {
	ctx := context.Background()
	admin := tf.Members[auth.RoleAdmin]
	kam := tf.Members[auth.RoleKAM].UserID
	sc := db.Scope{TenantID: tf.ID, UserID: admin.UserID}
	accountID, _ := uuid.Parse(tf.IDs["accountID"])
	err := a.DB.Tx(ctx, sc, recounted(tf.ID, func(tx pgx.Tx) error {
		if accountID != uuid.Nil {
			_, err := tx.Exec(ctx, "UPDATE accounts SET kam_user_id = coalesce(kam_user_id, $2) WHERE tenant_id = $1 AND id = $3",
				tf.ID, kam, accountID)
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO accounts (name, key_status, status, kam_user_id) VALUES ('Plan fixture', 'key', 'customer', $1)
			RETURNING id`, kam).Scan(&accountID)
	}))
	if err != nil {
		t.Fatal(err)
	}
	actor := plan.Actor{Scope: sc, Role: auth.RoleAdmin}
	planID, err := plan.CreatePlan(ctx, a.DB, actor, accountID, plan.PlanInput{Period: "FY2030", Why: "Fixture"}, false)
	if err != nil {
		t.Fatal(err)
	}
	goalID, err := plan.CreateGoal(ctx, a.DB, actor, planID, plan.GoalInput{Title: "Fixture goal", KPI: plan.KPIRevenue,
		Baseline: 1, Target: 2, DueDate: plansDay(t, "2030-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	actionID, err := plan.CreateAction(ctx, a.DB, actor, planID, plan.ActionInput{GoalID: &goalID, Description: "Fixture action",
		OwnerID: kam, DueDate: plansDay(t, "2030-03-01")})
	if err != nil {
		t.Fatal(err)
	}
	productID, err := plan.CreateProduct(ctx, a.DB, sc, plan.ProductInput{Name: "Fixture product", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	tf.IDs["accountID"] = accountID.String()
	tf.IDs["planID"] = planID.String()
	tf.IDs["goalID"] = goalID.String()
	tf.IDs["actionID"] = actionID.String()
	tf.IDs["productID"] = productID.String()
}

func plansDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
