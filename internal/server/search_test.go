package server_test

import "context"
import "net/http"
import "regexp"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"

// hitTitles lists a search page's hits in one group, in order.
func hitTitles(t *testing.T, body, group string) []string {
	t.Helper()
	i := strings.Index(body, `id="`+group+`"`)
	if i < 0 {
		return nil
	}
	sec := body[i:]
	sec = sec[:strings.Index(sec, "</section>")]
	var out []string
	for _, m := range regexp.MustCompile(`<li><a href="([^"]*)">([^<]*)</a>`).FindAllStringSubmatch(sec, -1) {
		out = append(out, m[2]+" "+m[1])
	}
	return out
}

func TestGlobalSearch(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Searchers")
	other := newAcctTenant(t, a, "Elsewhere")
	ctx := context.Background()
	acme := at.account(t, account.Input{"name": "Acme", "industry": "Retail"})
	corp := at.account(t, account.Input{"name": "Acme Corp", "external_ref": "AC-1"})
	big := at.account(t, account.Input{"name": "Big Acme Ltd"})
	globex := at.account(t, account.Input{"name": "Globex"})
	hp := at.account(t, account.Input{"name": "HP"})
	at.account(t, account.Input{"name": "Initech", "external_ref": "ACME-77"})
	other.account(t, account.Input{"name": "Acme Elsewhere"})
	if _, err := account.NewStore(a.DB).ArchiveAccount(ctx, at.scopeAdmin, auth.RoleAdmin, big.ID); err != nil {
		t.Fatal(err)
	}
	var planID string
	err := a.DB.Tx(ctx, at.scopeAdmin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO stakeholders (account_id, name, title, email) VALUES
			($1, 'Wile Coyote', 'Buyer', 'wile@acme.test'), ($1, 'Road Runner', '', 'beep@globex.test')`, globex.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO products (name, description) VALUES ('Anvil Pro', 'Acme grade'), ('Rocket', '')`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO goal_plans (account_id, period) VALUES ($1, 'FY2027') RETURNING id`, corp.ID).Scan(&planID)
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("GroupedRankedIsolated", func(t *testing.T) {
		res := at.KAMC.get("/search?q=ACME")
		wantStatus(t, res, http.StatusOK)
		// Names starting with "acme", any case: the exact name first, then
		// the rest by name. Not "Big Acme Ltd" (archived, and the word is
		// not at the start), not Initech (only its reference has ACME),
		// never the other tenant's "Acme Elsewhere".
		got := hitTitles(t, res.Body, "search-accounts")
		if len(got) != 2 || got[0] != "Acme /accounts/"+acme.ID.String() || got[1] != "Acme Corp /accounts/"+corp.ID.String() {
			t.Errorf("accounts %q", got)
		}
		if strings.Contains(res.Body, "Elsewhere") || strings.Contains(res.Body, big.ID.String()) {
			t.Error("another tenant's or an archived account found")
		}
		if got := hitTitles(t, res.Body, "search-plans"); len(got) != 1 || got[0] != "Acme Corp — FY2027 /plans/"+planID {
			t.Errorf("plans %q", got)
		}
		// Products match any word anywhere: "Acme grade" describes Anvil
		// Pro. A KAM's link goes to the whitespace grid (the catalogue is
		// the admin's).
		if got := hitTitles(t, res.Body, "search-products"); len(got) != 1 || got[0] != "Anvil Pro /plans/whitespace" {
			t.Errorf("products %q", got)
		}
		if got := hitTitles(t, at.AdminC.get("/search?q=anvil").Body, "search-products"); len(got) != 1 || got[0] != "Anvil Pro /admin/products" {
			t.Errorf("admin's products %q", got)
		}
		if got := hitTitles(t, at.KAMC.get("/search?q=wile+c").Body, "search-stakeholders"); len(got) != 1 ||
			got[0] != "Wile Coyote /accounts/"+globex.ID.String()+"#stakeholders" {
			t.Errorf("stakeholders %q", got)
		}
	})
	t.Run("Years", func(t *testing.T) {
		// A year word matches the plan's period; the rest the account's name.
		if got := hitTitles(t, at.LeaderC.get("/search?q=acme+2027").Body, "search-plans"); len(got) != 1 {
			t.Errorf("plans for acme 2027 %q", got)
		}
		if got := hitTitles(t, at.LeaderC.get("/search?q=acme+fy2026").Body, "search-plans"); len(got) != 0 {
			t.Errorf("plans for acme fy2026 %q", got)
		}
	})
	t.Run("ShortAndBounded", func(t *testing.T) {
		res := at.KAMC.get("/search?q=hp")
		if got := hitTitles(t, res.Body, "search-accounts"); len(got) != 1 || got[0] != "HP /accounts/"+hp.ID.String() {
			t.Errorf("hp %q", got)
		}
		// Ten accounts start with "a" (Acme, Acme Corp + 8 more): 8 shown,
		// with a link to the list filtered by the text.
		for i := range 8 {
			at.account(t, account.Input{"name": "Alpha " + string(rune('A'+i))})
		}
		res = at.KAMC.get("/search?q=a")
		if got := hitTitles(t, res.Body, "search-accounts"); len(got) != 8 || !strings.Contains(res.Body, `href="/accounts?q=a"`) {
			t.Errorf("a: %d shown %q", len(got), got)
		}
	})
	t.Run("EmptyAndHostile", func(t *testing.T) {
		res := at.KAMC.get("/search")
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "Type the start of a name") {
			t.Error("no hint on the empty search page")
		}
		// LIKE wildcards are matched literally; markup is escaped.
		res = at.KAMC.get("/search?q=%25%25%25+%3Cscript%3E")
		wantStatus(t, res, http.StatusOK)
		if strings.Contains(res.Body, "<script>") || !strings.Contains(res.Body, `id="search-nothing"`) {
			t.Error("wildcards matched everything or markup was not escaped")
		}
		res = at.KAMC.get("/search?q=" + strings.Repeat("x", 5000))
		wantStatus(t, res, http.StatusOK)
	})
	t.Run("EveryPageHasTheField", func(t *testing.T) {
		for _, path := range []string{"/", "/accounts", "/accounts/" + acme.ID.String(), "/plans"} {
			body := at.KAMC.get(path).Body
			if !strings.Contains(body, `id="global-search"`) || !strings.Contains(body, `action="/search"`) {
				t.Errorf("%s has no search field", path)
			}
		}
	})
}
