package server_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/account"

// TestStakeholderImport drives the stakeholder import through the router:
// upload, mapping, preview, commit, re-import, a KAM's rows for an account
// that is not theirs, and another tenant's upload.
func TestStakeholderImport(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	mine := at.account(t, account.Input{"name": "Globex", "external_ref": "G-1"})
	theirs := at.account(t, account.Input{"name": "Initech", "external_ref": "I-1"})
	at.assign(t, mine.ID, at.KAM.UserID)
	at.assign(t, theirs.ID, at.Leader.UserID)
	upload := func(c *client, data string) string {
		t.Helper()
		res := c.postMultipart("/stakeholders/import", "file", "people.csv", []byte(data))
		wantStatus(t, res, http.StatusSeeOther)
		m := regexp.MustCompile(`^/stakeholders/import/([0-9a-f-]{36})$`).FindStringSubmatch(res.Location)
		if m == nil {
			t.Fatalf("location %q", res.Location)
		}
		return res.Location
	}
	// A CRM export: its own header names, one column Pareto does not use.
	people := "Company;Full Name;Job Title;E-mail;Role;Relationship;Owner\n" +
		"G-1;Ada Lovelace;CTO;ada@globex.example.com;Decision maker;strong;x\n" +
		"globex;Grace Hopper;Engineer;;champion;;x\n"
	mapping := url.Values{"map": {"account", "name", "title", "email", "buying_role", "strength", ""}}
	stakeholders := func() map[string]account.Stakeholder {
		sts, err := account.NewStore(a.DB).Stakeholders(context.Background(), at.scopeAdmin, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]account.Stakeholder{}
		for _, st := range sts {
			out[st.Name] = st
		}
		return out
	}

	t.Run("KAMOtherAccount", func(t *testing.T) {
		// One row for the KAM's account, one for the leader's: nothing is
		// written.
		path := upload(at.KAMC, people+"I-1;Someone Else;;;;;x\n")
		res := at.KAMC.postForm(path, mapping)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		mustContain(t, res, "You do not manage this account, so you cannot import its stakeholders.", "1 row has problems")
		if n := len(stakeholders()); n != 0 {
			t.Fatalf("a refused import wrote %d stakeholders", n)
		}
	})
	t.Run("OK", func(t *testing.T) {
		path := upload(at.KAMC, people)
		page := at.KAMC.get(path)
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page, `<option value="account" selected`, `<option value="email" selected`, `<option value="buying_role" selected`)
		preview := at.KAMC.get(path + "?" + mapping.Encode())
		wantStatus(t, preview, http.StatusOK)
		mustContain(t, preview, `id="count-create">2<`, "Ada Lovelace · Globex", "Import 2 changes")
		res := at.KAMC.postForm(path, mapping)
		wantStatus(t, res, http.StatusSeeOther)
		mustContain(t, at.KAMC.get("/accounts"), "Stakeholders imported: 2 added, 0 updated, 0 unchanged.")
		sts := stakeholders()
		ada, grace := sts["Ada Lovelace"], sts["Grace Hopper"]
		if ada.Title != "CTO" || ada.Email != "ada@globex.example.com" || ada.Role != account.RoleDecisionMaker || ada.Strength != account.StrengthStrong ||
			grace.Role != account.RoleChampion || grace.Strength != account.StrengthNone {
			t.Fatalf("stakeholders %+v", sts)
		}
		mustContain(t, at.KAMC.get("/accounts/"+mine.ID.String()), "Ada Lovelace", "Grace Hopper")
	})
	t.Run("Reimport", func(t *testing.T) {
		// The same file changes nothing; a new title for Ada (matched by
		// email, though her name is spelled differently) updates her.
		path := upload(at.LeaderC, people)
		mustContain(t, at.LeaderC.get(path+"?"+mapping.Encode()), `id="count-unchanged">2<`, "importing changes nothing")
		before := stakeholders()["Ada Lovelace"]
		path = upload(at.LeaderC, strings.Replace(people, "Ada Lovelace;CTO", "ada lovelace;Chief Technology Officer", 1))
		wantStatus(t, at.LeaderC.postForm(path, mapping), http.StatusSeeOther)
		sts := stakeholders()
		ada := sts["ada lovelace"]
		if len(sts) != 2 || ada.ID != before.ID || ada.Title != "Chief Technology Officer" || ada.Version != before.Version+1 {
			t.Fatalf("after update %+v", sts)
		}
	})
	t.Run("BadRows", func(t *testing.T) {
		path := upload(at.AdminC, "account,name,email,buying_role\nG-1,,x@y.example.com,user\nNowhere,Bob,,user\nG-1,Eve,not-an-email,boss\n")
		res := at.AdminC.get(path + "?" + url.Values{"map": {"account", "name", "email", "buying_role"}}.Encode())
		mustContain(t, res, "3 rows have problems", "Enter a name.", "No such account.", "Enter a valid email address",
			"Use decision maker, economic buyer, champion, executive sponsor, influencer, user or blocker.")
		if strings.Contains(res.Body, `id="import-commit"`) {
			t.Error("a commit button for a file with problems")
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newAcctTenant(t, a, "Other")
		path := upload(at.AdminC, people)
		wantStatus(t, other.AdminC.get(path), http.StatusNotFound)
		wantStatus(t, other.AdminC.postForm(path, mapping), http.StatusNotFound)
	})
	t.Run("ErrFile", func(t *testing.T) {
		res := at.KAMC.postMultipart("/stakeholders/import", "file", "x.csv", []byte("name\n"))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		mustContain(t, res, "no rows of data")
	})
}

// selectedMapping reads the mapping step's guess: the selected field of
// each column's select ("" for ignored).
func selectedMapping(t *testing.T, res response) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<select id="map-\d+" name="map">(.*?)</select>`).FindAllStringSubmatch(res.Body, -1) {
		sel := regexp.MustCompile(`<option value="([^"]*)" selected`).FindStringSubmatch(m[1])
		if sel == nil {
			out = append(out, "")
		} else {
			out = append(out, sel[1])
		}
	}
	if len(out) == 0 {
		t.Fatalf("no mapping on the page:\n%s", res.Body)
	}
	return out
}

// TestCRMPresetImports drives the account and stakeholder imports with
// Salesforce and HubSpot standard exports (their standard fields' labels
// as the header): the export is detected, its columns mapped, the CRM's
// record id kept as the account's external reference and used by the
// contact export to name the account; the picker chooses another preset;
// an unknown one answers 422.
func TestCRMPresetImports(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	ctx := context.Background()
	upload := func(path, data string) string {
		t.Helper()
		res := at.AdminC.postMultipart(path, "file", "export.csv", []byte(data))
		wantStatus(t, res, http.StatusSeeOther)
		return res.Location
	}
	// commitGuess commits an upload under the guessed mapping and checks
	// the guess.
	commitGuess := func(path, detected string, want []string) {
		t.Helper()
		page := at.AdminC.get(path)
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page, `id="preset-detected"`, "Recognised as a "+detected+" export")
		got := selectedMapping(t, page)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("guessed %q, want %q", got, want)
		}
		wantStatus(t, at.AdminC.postForm(path, url.Values{"map": got}), http.StatusSeeOther)
	}
	accountByRef := func(ref string) (name, industry, country string, revenue int64) {
		t.Helper()
		if err := a.DB.Tx(ctx, at.scopeAdmin, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT name, industry, country, (annual_revenue * 100)::bigint FROM accounts
				WHERE tenant_id = $1 AND external_ref = $2`, at.scopeAdmin.TenantID, ref).Scan(&name, &industry, &country, &revenue)
		}); err != nil {
			t.Fatalf("account %s: %v", ref, err)
		}
		return
	}

	t.Run("SalesforceAccounts", func(t *testing.T) {
		// A Salesforce account report: Account ID (the CRM's id) and
		// Account Number both present, the ID is the reference; Type and
		// Account Owner belong to the export but fill nothing.
		path := upload("/accounts/import", "Account ID,Account Name,Account Number,Type,Industry,Annual Revenue,Billing Country,Account Owner,Description\n"+
			"001Dn00000AbCdEIAV,Globex Corporation,CD-451,Customer - Direct,Manufacturing,1500000.00,Germany,Jane Roe,Key distributor\n"+
			"001Dn00000AbCdFIAV,Initech,CD-452,Prospect,Technology,,United States,Jane Roe,\n")
		commitGuess(path, "Salesforce", []string{"external_ref", "name", "", "", "industry", "annual_revenue", "country", "", "notes"})
		name, industry, country, revenue := accountByRef("001Dn00000AbCdEIAV")
		if name != "Globex Corporation" || industry != "Manufacturing" || country != "Germany" || revenue != 150_000_000 {
			t.Fatalf("Globex %q %q %q %d", name, industry, country, revenue)
		}
		if name, _, country, _ := accountByRef("001Dn00000AbCdFIAV"); name != "Initech" || country != "United States" {
			t.Fatalf("Initech %q %q", name, country)
		}
	})
	t.Run("HubSpotCompanies", func(t *testing.T) {
		path := upload("/accounts/import", "Record ID,Company name,Company Domain Name,Industry,Annual Revenue,Country/Region,State/Region,Lifecycle Stage,Company owner\n"+
			"9876543210,Umbrella Corp,umbrella.example.com,Pharmaceuticals,2500000,France,Île-de-France,Customer,John Doe\n")
		commitGuess(path, "HubSpot", []string{"external_ref", "name", "", "industry", "annual_revenue", "country", "", "", ""})
		if name, industry, country, revenue := accountByRef("9876543210"); name != "Umbrella Corp" || industry != "Pharmaceuticals" ||
			country != "France" || revenue != 250_000_000 {
			t.Fatalf("Umbrella %q %q %q %d", name, industry, country, revenue)
		}
	})
	people := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		if err := a.DB.Tx(ctx, at.scopeAdmin, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT s.name, a.name || ' / ' || s.title || ' / ' || coalesce(s.email, '') || ' / ' || coalesce(s.phone, '')
				FROM stakeholders s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id WHERE s.tenant_id = $1`, at.scopeAdmin.TenantID)
			var k, v string
			_, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error { out[k] = v; return nil })
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("SalesforceContacts", func(t *testing.T) {
		// The contact names its account by the CRM's Account ID, which the
		// account import kept as the external reference; First and Last
		// Name make the name.
		path := upload("/stakeholders/import", "Contact ID,First Name,Last Name,Title,Email,Phone,Account Name,Account ID,Contact Owner\n"+
			"003Dn00000XyZaBIAV,Ada,Lovelace,CTO,ada@globex.example.com,+49 30 1234567,Globex Corporation,001Dn00000AbCdEIAV,Jane Roe\n")
		commitGuess(path, "Salesforce", []string{"", "first_name", "last_name", "title", "email", "phone", "", "account", ""})
		if got := people()["Ada Lovelace"]; got != "Globex Corporation / CTO / ada@globex.example.com / +49 30 1234567" {
			t.Fatalf("Ada: %q", got)
		}
	})
	t.Run("HubSpotContacts", func(t *testing.T) {
		path := upload("/stakeholders/import", "Record ID,First Name,Last Name,Email,Job Title,Phone Number,Associated Company,Contact owner,Lifecycle Stage\n"+
			"51,Grace,Hopper,grace@umbrella.example.com,VP Engineering,+33 1 23 45 67 89,Umbrella Corp,John Doe,Customer\n")
		commitGuess(path, "HubSpot", []string{"", "first_name", "last_name", "email", "title", "phone", "account", "", ""})
		if got := people()["Grace Hopper"]; got != "Umbrella Corp / VP Engineering / grace@umbrella.example.com / +33 1 23 45 67 89" {
			t.Fatalf("Grace: %q", got)
		}
	})
	t.Run("Picker", func(t *testing.T) {
		// Two phone columns: HubSpot's (detected, and remembered from the
		// commit above) prefers Phone Number, Salesforce's Mobile.
		path := upload("/stakeholders/import", "First Name,Last Name,Mobile,Phone Number,Associated Company\n"+
			"Alan,Turing,+44 7700 900123,+44 20 7946 0000,Globex Corporation\n")
		if got := strings.Join(selectedMapping(t, at.AdminC.get(path)), ","); got != "first_name,last_name,,phone,account" {
			t.Errorf("detected %q", got)
		}
		page := at.AdminC.get(path + "?preset=salesforce")
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page, `<option value="salesforce" selected`)
		if strings.Contains(page.Body, `id="preset-detected"`) {
			t.Error("a picked preset is shown as detected")
		}
		// Salesforce's names first (Mobile), then the remembered choices
		// (Associated Company).
		if got := strings.Join(selectedMapping(t, page), ","); got != "first_name,last_name,phone,,account" {
			t.Errorf("with Salesforce's names %q", got)
		}
		bad := at.AdminC.get(path + "?preset=pipedrive")
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		mustContain(t, bad, `id="preset-error"`, "Choose one of the listed exports.", `aria-invalid="true"`)
		if got := strings.Join(selectedMapping(t, bad), ","); got != "first_name,last_name,,phone,account" {
			t.Errorf("the detected guess beside the error %q", got)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newAcctTenant(t, a, "Other")
		path := upload("/accounts/import", "Account ID,Account Name,Industry\n001X,Foo,Retail\n")
		wantStatus(t, other.AdminC.get(path+"?preset=salesforce"), http.StatusNotFound)
	})
}
