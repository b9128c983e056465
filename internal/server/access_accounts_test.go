package server_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"pareto/internal/account"
	"pareto/internal/auth"
)

// The accounts area's access rules. The fixture account has no KAM, so a
// KAM may read it but not change it (edit routes: leaders and admins).
func init() {
	form := url.Values{"version": {"1"}, "name": {"Renamed"}}
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/accounts", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts.csv", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/new", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts", Roles: leadersUp, Form: url.Values{"name": {""}}},
		accessRule{Method: "GET", Pattern: "/accounts/import", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/import", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/accounts/import/{importID}", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/import/{importID}", Roles: leadersUp, Form: url.Values{"map": {"name", "bogus"}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/edit", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}", Roles: leadersUp, Form: form},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/archive", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/restore", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/stakeholders", Roles: leadersUp, Form: url.Values{"name": {""}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/stakeholders/{stakeholderID}/edit", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/stakeholders/{stakeholderID}", Roles: leadersUp,
			Form: url.Values{"version": {"1"}, "name": {""}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/stakeholders/{stakeholderID}/delete", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/interactions", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions", Roles: leadersUp, Form: url.Values{"summary": {""}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions/{interactionID}/step", Roles: leadersUp,
			Form: url.Values{"done": {"true"}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions/{interactionID}/delete", Roles: leadersUp},
	)
	fixtureSetups = append(fixtureSetups, accountFixture)
}

// accountFixture gives tf an account with a stakeholder, an interaction
// whose next step the admin owns, and a pending CSV import.
func accountFixture(t *testing.T, a *testApp, tf *tenantFixture) {
	ctx := context.Background()
	st := account.NewStore(a.DB)
	sc := tf.scope(auth.RoleAdmin)
	f, err := account.Input{"name": "Fixture Account", "external_ref": "FIX-1", "annual_revenue": "1000"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	acct, err := st.CreateAccount(ctx, sc, auth.RoleAdmin, f)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := account.StakeholderInput{Name: "Fixture Person", Role: "champion", Strength: "strong"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := st.CreateStakeholder(ctx, sc, auth.RoleAdmin, acct.ID, sf)
	if err != nil {
		t.Fatal(err)
	}
	inf, err := account.InteractionInput{OccurredOn: time.Now().Format(time.DateOnly), Kind: "call", Summary: "Fixture call",
		NextStep: "Follow up"}.Parse(sc.UserID)
	if err != nil {
		t.Fatal(err)
	}
	in, err := st.CreateInteraction(ctx, sc, auth.RoleAdmin, acct.ID, inf)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := st.CreateImport(ctx, sc, auth.RoleAdmin, "fixture.csv", []byte("name\nImported Co\n"))
	if err != nil {
		t.Fatal(err)
	}
	tf.IDs["accountID"] = acct.ID.String()
	tf.IDs["stakeholderID"] = sh.ID.String()
	tf.IDs["interactionID"] = in.ID.String()
	tf.IDs["importID"] = imp.String()
}
