package server_test

import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/scoring"

// Adding an active criterion says how many accounts it left incomplete
// (read from the kept tallies) and links to the matrix filtered to them.
func TestAddedCriterionCountsIncomplete(t *testing.T) {
	a := newTestApp(t)
	admin, m := a.signup("Counted", "admin@counted.test")
	tf := &tenantFixture{ID: m.TenantID, Members: map[auth.Role]auth.Member{auth.RoleAdmin: m},
		Clients: map[auth.Role]*client{auth.RoleAdmin: admin}}
	for _, code := range []string{"product_fit", "revenue_potential"} {
		if res := admin.postForm("/scoring/criteria/library", url.Values{"code": {code}}); res.Status != http.StatusSeeOther {
			t.Fatalf("enable %s: %d", code, res.Status)
		}
	}
	score := func(id uuid.UUID, byName map[string]string) {
		t.Helper()
		cfg, err := scoring.NewStore(a.DB).Config(t.Context(), tf.scope(auth.RoleAdmin))
		if err != nil {
			t.Fatal(err)
		}
		f := url.Values{}
		for _, c := range cfg.Criteria {
			if v, ok := byName[c.Name]; ok {
				f.Set(scoring.ScoreField(c.ID), v)
			}
		}
		if res := admin.postForm("/accounts/"+id.String()+"/scores", f); res.Status != http.StatusSeeOther {
			t.Fatalf("score: %d\n%s", res.Status, res.Body)
		}
	}
	// By hand: Alpha and Bravo are complete (both criteria scored),
	// Charlie incomplete (one of two), Delta unscored (no cell at all).
	alpha := scoringAccount(t, a, tf, "Alpha", 0, 0, uuid.Nil)
	bravo := scoringAccount(t, a, tf, "Bravo", 0, 0, uuid.Nil)
	charlie := scoringAccount(t, a, tf, "Charlie", 0, 0, uuid.Nil)
	scoringAccount(t, a, tf, "Delta", 0, 0, uuid.Nil)
	score(alpha, map[string]string{"Product fit": "8", "Revenue potential": "6"})
	score(bravo, map[string]string{"Product fit": "5", "Revenue potential": "5"})
	score(charlie, map[string]string{"Product fit": "7"})
	const link = `href="/scoring/matrix?coverage=incomplete"`

	t.Run("Create", func(t *testing.T) {
		res := admin.postForm("/scoring/criteria", url.Values{"name": {"Innovation appetite"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.Status, res.Body)
		}
		// Alpha and Bravo were complete and lack the new criterion: 2 became
		// incomplete; with Charlie 3 are incomplete; Delta stays unscored.
		page := admin.get("/scoring/criteria")
		mustContain(t, page, "2 accounts that were complete are now incomplete until scored on it.",
			"3 accounts have an incomplete score in all.", link)
		matrix := admin.get("/scoring/matrix?coverage=incomplete")
		mustContain(t, matrix, "Alpha", "Bravo", "Charlie")
		if strings.Contains(matrix.Body, "Delta") {
			t.Error("the incomplete filter lists the unscored Delta")
		}
		if again := admin.get("/scoring/criteria"); strings.Contains(again.Body, link) {
			t.Error("the flash and its link stay after a reload")
		}
	})

	t.Run("Reactivate", func(t *testing.T) {
		cfg, err := scoring.NewStore(a.DB).Config(t.Context(), tf.scope(auth.RoleAdmin))
		if err != nil {
			t.Fatal(err)
		}
		var id uuid.UUID
		for _, c := range cfg.Criteria {
			if c.Name == "Innovation appetite" {
				id = c.ID
			}
		}
		score(alpha, map[string]string{"Innovation appetite": "4"})
		if res := admin.postForm("/scoring/criteria/"+id.String()+"/deactivate", url.Values{}); res.Status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", res.Status)
		}
		if page := admin.get("/scoring/criteria"); strings.Contains(page.Body, "now incomplete") {
			t.Error("deactivating speaks of accounts made incomplete")
		}
		// Alpha's earlier score counts again: only Bravo becomes incomplete,
		// which with Charlie makes 2.
		if res := admin.postForm("/scoring/criteria/"+id.String()+"/activate", url.Values{}); res.Status != http.StatusSeeOther {
			t.Fatalf("activate: %d", res.Status)
		}
		mustContain(t, admin.get("/scoring/criteria"), "1 account that was complete is now incomplete until scored on it.",
			"2 accounts have an incomplete score in all.", link)
	})

	t.Run("NoneAffected", func(t *testing.T) {
		other, _ := a.signup("Empty", "admin@empty.test")
		if res := other.postForm("/scoring/criteria/library", url.Values{"code": {"product_fit"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("enable: %d", res.Status)
		}
		page := other.get("/scoring/criteria")
		mustContain(t, page, "Product fit is active")
		if strings.Contains(page.Body, "incomplete") {
			t.Error("a tenant without scores hears of incomplete accounts")
		}
	})
}
