package server_test

import "context"
import "net/url"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/health"
import "pareto/internal/importer"
import "pareto/internal/kpi"

// The health area's access rules: everyone signed in reads health, risks,
// the 2×2, profitability and reviews; who may edit the account (its KAM,
// leaders, admins) logs engagement, records profitability, holds reviews
// and changes the team; leaders and admins set the account manager;
// admins the settings.
func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/health/matrix", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/health/risks", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/health/risks.csv", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/health", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/team", Roles: everyone, KAMOwn: true,
			Form: url.Values{"user_id": {"{userID}"}, "team_role": {"finance"}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/team/{userID}/delete", Roles: everyone, KAMOwn: true},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/manager", Roles: leadersUp, Form: url.Values{"version": {"999"}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/engagements", Roles: everyone, KAMOwn: true,
			Form: url.Values{"title": {""}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/engagements/{engagementID}/delete", Roles: everyone, KAMOwn: true},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/profitability", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/profitability", Roles: everyone, KAMOwn: true,
			Form: url.Values{"version": {"0"}, "month": {""}}},
		accessRule{Method: "GET", Pattern: "/profitability/import", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/profitability/import", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/profitability/import/{profitImportID}", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/profitability/import/{profitImportID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/reviews", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/reviews", Roles: everyone, KAMOwn: true,
			Form: url.Values{"held_on": {""}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/reviews/{accountReviewID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/reviews/{accountReviewID}/report", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/review-date", Roles: everyone, KAMOwn: true,
			Form: url.Values{"version": {"0"}, "next_review_on": {""}}},
		accessRule{Method: "GET", Pattern: "/admin/health", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/health", Roles: adminOnly, Form: url.Values{"version": {"0"}}},
	)
	fixtureSetups = append(fixtureSetups, healthFixture)
}

// healthFixture gives tf's fixture account (the accounts area's, managed
// by the tenant's KAM) a logged engagement and a held review, and a
// pending profitability import.
func healthFixture(t *testing.T, a *testApp, tf *tenantFixture) {
	ctx := context.Background()
	sc := tf.scope(auth.RoleAdmin)
	acct := uuid.MustParse(tf.IDs["accountID"])
	ef, err := account.EngagementInput{Kind: "referral", OccurredOn: time.Now().Format(time.DateOnly), Title: "Fixture referral"}.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e, err := account.NewStore(a.DB).CreateEngagement(ctx, sc, auth.RoleAdmin, acct, ef)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := health.ReviewInput{HeldOn: time.Now().Format(time.DateOnly), Summary: "Fixture review"}.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reviewID, err := health.NewStore(a.DB).HoldReview(ctx, sc, auth.RoleAdmin, acct, rf)
	if err != nil {
		t.Fatal(err)
	}
	csv := "account,month,cost_to_serve\n" + acct.String() + "," + kpi.FormatMonth(kpi.AddMonths(kpi.MonthOf(time.Now()), -2)) + ",500\n"
	imp, err := importer.NewStore(a.DB).Upload(ctx, sc, auth.RoleAdmin, health.ProfitImport, "profit.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	tf.IDs["engagementID"] = e.ID.String()
	tf.IDs["accountReviewID"] = reviewID.String()
	tf.IDs["profitImportID"] = imp.String()
}
