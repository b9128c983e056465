package server_test

import "context"
import "net/url"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/scoring"

func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/scoring", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/scoring/matrix", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/scoring/criteria", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/scoring/accounts/{accountID}", Roles: everyone},
		// The fixture's account is managed by the tenant's KAM, so the KAM may score it.
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/scores", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/scoring/criteria", Roles: adminOnly, Form: url.Values{"name": {""}}},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/library", Roles: adminOnly, Form: url.Values{"code": {"solvency"}}},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/library-notice", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/weights", Roles: adminOnly, Form: url.Values{"mode": {"rank"}, "criteria_version": {"0"}}},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/{criterionID}", Roles: adminOnly,
			Form: url.Values{"name": {"Product fit"}, "version": {"0"}}},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/{criterionID}/activate", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/{criterionID}/deactivate", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/{criterionID}/move", Roles: adminOnly, Form: url.Values{"dir": {"down"}}},
		accessRule{Method: "POST", Pattern: "/scoring/criteria/{criterionID}/metric", Roles: adminOnly,
			Form: url.Values{"version": {"0"}, "metric": {"adoption"}}},
		accessRule{Method: "GET", Pattern: "/scoring/settings", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/scoring/settings", Roles: adminOnly, Form: url.Values{"version": {"0"}}},
		accessRule{Method: "GET", Pattern: "/shortlist", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/shortlist.csv", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/shortlist/chart", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/shortlist/whatif", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/shortlist/whatif/apply", Roles: adminOnly, Form: url.Values{"criteria_version": {"0"}}},
		accessRule{Method: "GET", Pattern: "/shortlist/reviews", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/shortlist/reviews", Roles: leadersUp, Form: url.Values{"name": {""}}},
		accessRule{Method: "GET", Pattern: "/shortlist/reviews/{reviewID}", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/shortlist/reviews/{reviewID}/decisions", Roles: leadersUp,
			Form: url.Values{"account_id": {"{accountID}"}, "decision": {"watch"}, "reason": {"access matrix"}}},
		accessRule{Method: "POST", Pattern: "/shortlist/reviews/{reviewID}/close", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/key-status", Roles: leadersUp, Form: url.Values{"reason": {"access matrix"}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/key-proposal", Roles: leadersUp, Form: url.Values{"reason": {"access matrix"}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/key-proposal/withdraw", Roles: leadersUp},
	)
	fixtureSetups = append(fixtureSetups, scoringFixture)
}

// scoringFixture gives the tenant an active criterion, an account managed
// by its KAM and scored, and an open review.
func scoringFixture(t *testing.T, a *testApp, tf *tenantFixture) {
	ctx := context.Background()
	s := scoring.NewStore(a.DB)
	admin := tf.scope(auth.RoleAdmin)
	c, err := s.EnableStandard(ctx, admin, "product_fit")
	if err != nil {
		t.Fatal(err)
	}
	// Score the accounts area's fixture account (the KAM's) when there is one.
	acc, err := uuid.Parse(tf.IDs["accountID"])
	if err != nil {
		acc = scoringAccount(t, a, tf, "Scored Co", 1000, 5000, tf.Members[auth.RoleKAM].UserID)
	}
	if _, err := s.SaveScores(ctx, admin, auth.RoleAdmin, acc, []scoring.CellInput{{CriterionID: c.ID, Score: "7"}}); err != nil {
		t.Fatal(err)
	}
	review, err := s.StartReview(ctx, tf.scope(auth.RoleLeader), "Fixture review")
	if err != nil {
		t.Fatal(err)
	}
	tf.IDs["accountID"] = acc.String()
	tf.IDs["criterionID"] = c.ID.String()
	tf.IDs["reviewID"] = review.String()
}

// scoringAccount inserts an account with SQL (the accounts area owns the
// account pages), managed by kam when not uuid.Nil.
func scoringAccount(t testing.TB, a *testApp, tf *tenantFixture, name string, revenue, potential int64, kam uuid.UUID) uuid.UUID {
	t.Helper()
	var kamID *uuid.UUID
	if kam != uuid.Nil {
		kamID = &kam
	}
	var id uuid.UUID
	err := a.DB.Tx(context.Background(), tf.scope(auth.RoleAdmin), recounted(tf.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `INSERT INTO accounts (name, annual_revenue, revenue_potential, kam_user_id, status,
				industry, region)
			VALUES ($1, $2, $3, $4, 'customer', 'Manufacturing', 'North') RETURNING id`, name, revenue, potential, kamID).Scan(&id)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
