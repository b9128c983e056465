package server_test

import "context"
import "net/url"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/importer"

// The accounts area's access rules. The fixture account is assigned to the
// tenant's KAM, who may change it; a second account is not theirs, and
// the matrix checks they may only read that one (KAMOwn).
func init() {
	form := url.Values{"version": {"1"}, "name": {"Renamed"}}
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/accounts", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts.csv", Roles: everyone},
		// Bulk actions: every member; a KAM only on accounts they manage
		// (the fixture's is theirs; bulk_test.go tries the others).
		accessRule{Method: "POST", Pattern: "/accounts.csv", Roles: everyone, Form: url.Values{"id": {"{accountID}"}}},
		accessRule{Method: "POST", Pattern: "/accounts/bulk", Roles: everyone,
			Form: url.Values{"do": {"set"}, "field": {"segment"}, "value": {"SMB"}, "id": {"{accountID}"}}},
		accessRule{Method: "GET", Pattern: "/accounts/new", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts", Roles: leadersUp, Form: url.Values{"name": {""}}},
		accessRule{Method: "GET", Pattern: "/accounts/import", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/import", Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/accounts/import/{importID}", Roles: leadersUp},
		accessRule{Method: "POST", Pattern: "/accounts/import/{importID}", Roles: leadersUp, Form: url.Values{"map": {"name", "bogus"}}},
		// Stakeholder imports: every member; a KAM's rows may only name
		// their own accounts (the fixture's is theirs).
		accessRule{Method: "GET", Pattern: "/stakeholders/import", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/stakeholders/import", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/stakeholders/import/{stakeholderImportID}", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/stakeholders/import/{stakeholderImportID}", Roles: everyone,
			Form: url.Values{"map": {"account", "name", "email"}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}", Roles: everyone},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/edit", Roles: everyone, KAMOwn: true},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}", Roles: everyone, KAMOwn: true, Form: form},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/archive", Roles: everyone, KAMOwn: true},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/restore", Roles: everyone, KAMOwn: true},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/stakeholders", Roles: everyone, KAMOwn: true, Form: url.Values{"name": {""}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/stakeholders/{stakeholderID}/edit", Roles: everyone, KAMOwn: true},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/stakeholders/{stakeholderID}", Roles: everyone, KAMOwn: true,
			Form: url.Values{"version": {"1"}, "name": {""}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/stakeholders/{stakeholderID}/delete", Roles: everyone, KAMOwn: true},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/interactions", Roles: everyone},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions", Roles: everyone, KAMOwn: true, Form: url.Values{"summary": {""}}},
		accessRule{Method: "GET", Pattern: "/accounts/{accountID}/interactions/{interactionID}/edit", Roles: everyone, KAMOwn: true},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions/{interactionID}", Roles: everyone, KAMOwn: true,
			Form: url.Values{"version": {"1"}, "summary": {""}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions/{interactionID}/step", Roles: everyone, KAMOwn: true,
			Form: url.Values{"done": {"true"}}},
		accessRule{Method: "POST", Pattern: "/accounts/{accountID}/interactions/{interactionID}/delete", Roles: everyone, KAMOwn: true},
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
	imports := importer.NewStore(a.DB)
	imp, err := imports.Upload(ctx, sc, auth.RoleAdmin, account.Import, "fixture.csv", []byte("name\nImported Co\n"))
	if err != nil {
		t.Fatal(err)
	}
	stImp, err := imports.Upload(ctx, sc, auth.RoleAdmin, account.StakeholderImport, "people.csv",
		[]byte("account,name,email\nFIX-1,Imported Person,person@fixture.example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	kam := tf.Members[auth.RoleKAM].UserID
	var notMine string
	err = a.DB.Tx(ctx, sc, recounted(tf.ID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE accounts SET kam_user_id = $2 WHERE tenant_id = $1 AND id = $3", tf.ID, kam, acct.ID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "INSERT INTO accounts (name, external_ref) VALUES ('Not the KAM''s', 'FIX-2') RETURNING id::text").Scan(&notMine)
	}))
	if err != nil {
		t.Fatal(err)
	}
	tf.IDs["accountID.notmine"] = notMine
	tf.IDs["accountID"] = acct.ID.String()
	tf.IDs["stakeholderID"] = sh.ID.String()
	tf.IDs["interactionID"] = in.ID.String()
	tf.IDs["importID"] = imp.String()
	tf.IDs["stakeholderImportID"] = stImp.String()
}

func init() {
	accessRules = append(accessRules, accessRule{Method: "GET", Pattern: "/search", Roles: everyone})
}
