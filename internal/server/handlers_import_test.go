package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"pareto/internal/account"
)

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
