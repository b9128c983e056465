package server_test

import "context"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/assignment"
import "pareto/internal/auth"
import "pareto/internal/db"

// asgTeam is a tenant with an admin, a leader and two KAMs, each signed in.
type asgTeam struct {
	a                           *testApp
	admin, leader, ann, bob     *client
	adminM, leaderM, annM, bobM auth.Member
	tenantID                    uuid.UUID
	accounts                    map[string]uuid.UUID
}

func asgNewTeam(t *testing.T, a *testApp, org string) *asgTeam {
	t.Helper()
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	admin, adminM := a.signup(org, "admin@"+slug+".test")
	tm := &asgTeam{a: a, admin: admin, adminM: adminM, tenantID: adminM.TenantID, accounts: map[string]uuid.UUID{}}
	tm.leaderM = a.addMember(adminM, "lena@"+slug+".test", "Lena Leader", auth.RoleLeader)
	tm.annM = a.addMember(adminM, "ann@"+slug+".test", "Ann KAM", auth.RoleKAM)
	tm.bobM = a.addMember(adminM, "bob@"+slug+".test", "Bob KAM", auth.RoleKAM)
	tm.leader = a.login("lena@" + slug + ".test")
	tm.ann = a.login("ann@" + slug + ".test")
	tm.bob = a.login("bob@" + slug + ".test")
	return tm
}

func (tm *asgTeam) account(t *testing.T, name, region string, kam uuid.UUID) uuid.UUID {
	t.Helper()
	id := asgInsertAccount(t, tm.a, tm.adminScope(), name, region, kam)
	tm.accounts[name] = id
	return id
}

func (tm *asgTeam) adminScope() db.Scope {
	return db.Scope{TenantID: tm.tenantID, UserID: tm.adminM.UserID}
}

func (tm *asgTeam) kamOf(t *testing.T, id uuid.UUID) uuid.UUID {
	t.Helper()
	var k *uuid.UUID
	if err := tm.a.DB.Tx(context.Background(), tm.adminScope(), func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT kam_user_id FROM accounts WHERE id = $1", id).Scan(&k)
	}); err != nil {
		t.Fatal(err)
	}
	if k == nil {
		return uuid.Nil
	}
	return *k
}

func asgWant(t *testing.T, res response, status int, contains ...string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d\n%s", res.Status, status, asgSnippet(res.Body))
	}
	for _, s := range contains {
		if !strings.Contains(res.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func asgSnippet(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

func TestAssignmentPages(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	acc := tm.account(t, "Bosch", "EMEA", uuid.Nil)
	path := "/accounts/" + acc.String() + "/assignment"

	t.Run("WorkloadListsKAMsAndUnassigned", func(t *testing.T) {
		res := tm.leader.get("/kams")
		asgWant(t, res, http.StatusOK, "Ann KAM", "Bob KAM", "Unassigned key accounts (1)", "Bosch", "0 of 8", "Avg score")
	})
	t.Run("EditProfile", func(t *testing.T) {
		kam := "/kams/" + tm.annM.UserID.String()
		asgWant(t, tm.leader.get(kam), http.StatusOK, "Capacity and expertise", `value="8"`)
		res := tm.leader.postForm(kam, url.Values{"capacity": {"1"}, "regions": {"EMEA, DACH"}, "industries": {"Manufacturing"}, "version": {"0"}})
		asgWant(t, res, http.StatusSeeOther)
		asgWant(t, tm.leader.get(kam), http.StatusOK, "Saved the profile of Ann KAM", `value="EMEA, DACH"`)
		t.Run("ErrInvalid", func(t *testing.T) {
			res := tm.leader.postForm(kam, url.Values{"capacity": {"lots"}, "version": {"1"}})
			asgWant(t, res, http.StatusUnprocessableEntity, `id="capacity-error"`, `value="lots"`)
		})
		t.Run("ErrStale", func(t *testing.T) {
			res := tm.admin.postForm(kam, url.Values{"capacity": {"5"}, "regions": {"APAC"}, "version": {"0"}})
			asgWant(t, res, http.StatusConflict, "Saved by them", "EMEA, DACH", "APAC", `name="version" value="1"`)
		})
		t.Run("ErrKAMCannotEditProfile", func(t *testing.T) {
			res := tm.ann.postForm(kam, url.Values{"capacity": {"200"}, "version": {"1"}})
			asgWant(t, res, http.StatusForbidden)
		})
		t.Run("ErrNotAKAM", func(t *testing.T) {
			asgWant(t, tm.leader.get("/kams/"+tm.leaderM.UserID.String()), http.StatusNotFound)
			asgWant(t, tm.leader.get("/kams/not-a-uuid"), http.StatusNotFound)
		})
	})
	t.Run("SectionSuggestsAndShowsForm", func(t *testing.T) {
		asgWant(t, tm.leader.get(path), http.StatusOK, "Suggested", "Ann KAM", "Region EMEA and industry Manufacturing match; 0 of 1 slots used",
			`name="kam_user_id"`, "No KAM changes yet")
	})
	t.Run("ErrKAMCannotAssign", func(t *testing.T) {
		res := tm.ann.postForm(path, url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"1"}})
		asgWant(t, res, http.StatusForbidden)
		if tm.kamOf(t, acc) != uuid.Nil {
			t.Fatal("a KAM assigned an account")
		}
		// The KAM reads the section without the form.
		res = tm.ann.get(path)
		asgWant(t, res, http.StatusOK, "No KAM assigned")
		if strings.Contains(res.Body, `name="kam_user_id"`) {
			t.Error("a KAM sees the assign form")
		}
	})
	t.Run("ErrNotAKAMFieldError", func(t *testing.T) {
		res := tm.leader.postForm(path, url.Values{"kam_user_id": {tm.leaderM.UserID.String()}, "version": {"1"}})
		asgWant(t, res, http.StatusUnprocessableEntity, `id="kam_user_id-error"`, "is not a key account manager")
	})
	t.Run("AssignThenHistory", func(t *testing.T) {
		res := tm.leader.postForm(path, url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"1"}, "reason": {"Speaks German"}})
		asgWant(t, res, http.StatusSeeOther)
		if res.Location != path {
			t.Fatalf("redirect to %q", res.Location)
		}
		asgWant(t, tm.leader.get(path), http.StatusOK, "Ann KAM now manages Bosch.", "Speaks German", "Lena Leader", "Reassign")
		if tm.kamOf(t, acc) != tm.annM.UserID {
			t.Fatal("not assigned")
		}
	})
	t.Run("ErrOverCapacityNeedsOverride", func(t *testing.T) {
		other := tm.account(t, "Siemens", "EMEA", uuid.Nil)
		p := "/accounts/" + other.String() + "/assignment"
		res := tm.leader.postForm(p, url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"1"}})
		asgWant(t, res, http.StatusUnprocessableEntity, `id="override-error"`, "1 of 1 key accounts")
		res = tm.leader.postForm(p, url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"1"}, "override": {"true"}})
		asgWant(t, res, http.StatusUnprocessableEntity, `id="reason-error"`)
		res = tm.leader.postForm(p, url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"1"}, "override": {"true"},
			"reason": {"Only Ann knows them"}, "return_to": {"/kams"}})
		asgWant(t, res, http.StatusSeeOther)
		if res.Location != "/kams" {
			t.Fatalf("redirect to %q", res.Location)
		}
		res = tm.leader.get("/kams")
		asgWant(t, res, http.StatusOK, "is now over capacity", `class="over-capacity"`, "Over capacity", "2 of 1")
	})
	t.Run("ErrStaleShowsBothValues", func(t *testing.T) {
		res := tm.admin.postForm(path, url.Values{"kam_user_id": {tm.bobM.UserID.String()}, "version": {"1"}})
		asgWant(t, res, http.StatusConflict, "Someone changed this account", "Ann KAM", "Bob KAM", `name="version" value="2"`)
		if tm.kamOf(t, acc) != tm.annM.UserID {
			t.Fatal("a stale assignment wrote")
		}
	})
	t.Run("RedirectOnlyLocal", func(t *testing.T) {
		res := tm.admin.postForm(path, url.Values{"kam_user_id": {tm.bobM.UserID.String()}, "version": {"2"}, "return_to": {"//evil.test/x"}})
		asgWant(t, res, http.StatusSeeOther)
		if res.Location != path {
			t.Fatalf("redirect to %q", res.Location)
		}
		asgWant(t, tm.admin.get(path), http.StatusOK, "Bosch moved from Ann KAM to Bob KAM.")
		// A tab after the slash: browsers drop it and go to evil.test. The
		// old assignment-only check let it through (issue 13, hole 3).
		res = tm.admin.postForm(path, url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"3"}, "override": {"true"},
			"reason": {"test"}, "return_to": {"/\t/evil.test/x"}})
		asgWant(t, res, http.StatusSeeOther)
		if res.Location != path {
			t.Fatalf("redirect to %q", res.Location)
		}
		// Back to Bob, as the subtests below expect.
		asgWant(t, tm.admin.postForm(path, url.Values{"kam_user_id": {tm.bobM.UserID.String()}, "version": {"4"}}), http.StatusSeeOther)
	})
	t.Run("MyAccounts", func(t *testing.T) {
		asgWant(t, tm.bob.get("/my/accounts"), http.StatusOK, "Bosch", "My open next steps")
		res := tm.ann.get("/my/accounts")
		asgWant(t, res, http.StatusOK, "Siemens")
		if strings.Contains(res.Body, "Bosch") {
			t.Error("Ann still sees the account moved to Bob")
		}
		asgWant(t, tm.leader.get("/my/accounts"), http.StatusOK, "You are on no account yet")
	})
	t.Run("DeactivatingAKAMAsksForReassignment", func(t *testing.T) {
		res := tm.admin.postForm("/admin/users/"+tm.annM.UserID.String(), url.Values{"role": {"kam"}, "version": {"1"}})
		asgWant(t, res, http.StatusSeeOther)
		asgWant(t, tm.admin.get("/admin/users"), http.StatusOK, "Ann KAM still manages 1 account", `href="/kams"`, "1 account still names")
		res = tm.leader.get("/kams")
		asgWant(t, res, http.StatusOK, "Needs reassignment: accounts of deactivated KAMs (1)", "Siemens", "KAM deactivated")
		asgWant(t, tm.leader.get("/kams/suggestions"), http.StatusOK, "Siemens", "was Ann KAM")
	})
}

func TestSuggestionsApply(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	store := assignment.NewStore(a.DB)
	for _, m := range []auth.Member{tm.annM, tm.bobM} {
		if _, err := store.UpdateProfile(context.Background(), tm.adminScope(), m.UserID, assignment.ProfileInput{Capacity: "2"}, 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"A", "B", "C"} {
		tm.account(t, n, "", uuid.Nil)
	}
	items := func() url.Values {
		plan, err := store.Suggestions(context.Background(), tm.adminScope())
		if err != nil {
			t.Fatal(err)
		}
		v := url.Values{}
		for _, it := range plan.Items {
			v.Add("item", assignment.PlanItem{AccountID: it.AccountID, KAMUserID: it.KAMUserID, Version: it.Version}.String())
		}
		return v
	}

	asgWant(t, tm.leader.get("/kams/suggestions"), http.StatusOK, "Assign all suggested (3)", "No region or industry match")
	t.Run("ErrNothingTicked", func(t *testing.T) {
		asgWant(t, tm.leader.postForm("/kams/suggestions/apply", nil), http.StatusUnprocessableEntity, "Tick at least one")
	})
	t.Run("ErrDamaged", func(t *testing.T) {
		asgWant(t, tm.leader.postForm("/kams/suggestions/apply", url.Values{"item": {"x:y:z"}}), http.StatusUnprocessableEntity, "damaged")
	})
	t.Run("ErrStaleWritesNothing", func(t *testing.T) {
		v := items()
		// Someone assigns A meanwhile.
		if _, err := store.Assign(context.Background(), tm.adminScope(), assignment.AssignInput{AccountID: tm.accounts["A"],
			KAMUserID: tm.bobM.UserID.String(), Version: 1}); err != nil {
			t.Fatal(err)
		}
		res := tm.leader.postForm("/kams/suggestions/apply", v)
		asgWant(t, res, http.StatusConflict, "Nothing was assigned", "A was changed by someone else", "Assign all suggested (2)")
		if tm.kamOf(t, tm.accounts["B"]) != uuid.Nil || tm.kamOf(t, tm.accounts["C"]) != uuid.Nil {
			t.Fatal("a refused batch wrote")
		}
	})
	t.Run("OK", func(t *testing.T) {
		res := tm.leader.postForm("/kams/suggestions/apply", items())
		asgWant(t, res, http.StatusSeeOther)
		asgWant(t, tm.leader.get("/kams"), http.StatusOK, "Assigned 2 key accounts as suggested.")
		if tm.kamOf(t, tm.accounts["B"]) == uuid.Nil || tm.kamOf(t, tm.accounts["C"]) == uuid.Nil {
			t.Fatal("batch not written")
		}
		asgWant(t, tm.leader.get("/kams/suggestions"), http.StatusOK, "Every key account has a KAM")
	})
}

// TestKAMCannotEditAnotherKAMsAccount checks the accounts area's rule
// "a KAM edits the accounts assigned to them" through its edit route:
// assignment decides who the KAM is.
func TestKAMCannotEditAnotherKAMsAccount(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	acc := tm.account(t, "Bosch", "EMEA", tm.annM.UserID)
	form := url.Values{"name": {"Bosch AG"}, "region": {"EMEA"}, "industry": {"Manufacturing"}, "status": {"customer"},
		"key_status": {"key"}, "version": {"1"}}
	if res := tm.bob.postForm("/accounts/"+acc.String(), form); res.Status != http.StatusForbidden {
		t.Fatalf("Bob edited Ann's account: %d", res.Status)
	}
	if res := tm.ann.postForm("/accounts/"+acc.String(), form); res.Status != http.StatusSeeOther {
		t.Fatalf("Ann may not edit her own account: %d\n%s", res.Status, res.Body)
	}
}
