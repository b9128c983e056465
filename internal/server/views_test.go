package server_test

import "context"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "pareto/internal/views"

// TestSavedViews through the router: saving the account list's filters
// opens them and lists the view on the list pages' bar; a duplicate, an
// empty or an over-long name and an unknown filter answer 422 with the
// message beside the field; renames and deletes touch only the person's
// own views (a colleague's and another tenant's answer 404); a stale
// rename answers 409.
func TestSavedViews(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Views Co")
	other := newAcctTenant(t, a, "Other Views Co")
	save := func(c *client, page, name, query string) response {
		return c.postForm("/views", url.Values{"page": {page}, "name": {name}, "query": {query}})
	}

	res := save(at.LeaderC, "accounts", "Retail by revenue", "industry=Retail&sort=annual_revenue&dir=desc&q=")
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location != "/accounts?dir=desc&industry=Retail&sort=annual_revenue" {
		t.Fatalf("opened %q", res.Location)
	}
	page := at.LeaderC.get("/accounts?industry=Energy")
	if !strings.Contains(page.Body, "Saved the view “Retail by revenue”") ||
		!strings.Contains(page.Body, `<a href="/accounts?dir=desc&amp;industry=Retail&amp;sort=annual_revenue">Retail by revenue</a>`) ||
		!strings.Contains(page.Body, `name="query" value="industry=Energy"`) {
		t.Fatalf("the list's bar does not show the view and the current filters:\n%s", page.Body)
	}
	// Another person of the tenant does not see it.
	if kam := at.KAMC.get("/accounts"); strings.Contains(kam.Body, "Retail by revenue") {
		t.Fatal("a colleague sees my view")
	}
	for _, c := range []struct {
		name, page, query, field, want string
	}{
		{"Duplicate", "accounts", "industry=Other", "name", "You already have a view named “Retail by revenue” on this page"},
		{"", "accounts", "industry=Other", "name", "Give the view a name."},
		{strings.Repeat("v", 61), "accounts", "", "name", "Use at most 60 characters."},
		{"Unknown filter", "accounts", "industry=Retail&evil=1", "query", "This page has no filter “evil”"},
		{"Unknown page", "admin", "", "query", "This page keeps no saved views."},
	} {
		name := c.name
		if name == "Duplicate" {
			name = "Retail by revenue"
		}
		res := save(at.LeaderC, c.page, name, c.query)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, c.want) || !strings.Contains(res.Body, `id="`+c.field+`-error"`) {
			t.Fatalf("%s: no message %q beside %s:\n%s", c.name, c.want, c.field, res.Body)
		}
	}
	// The same name on another list page is fine.
	wantStatus(t, save(at.LeaderC, "matrix", "Retail by revenue", "industry=Retail&coverage=incomplete"), http.StatusSeeOther)
	if m := at.LeaderC.get("/scoring/matrix"); !strings.Contains(m.Body, `href="/scoring/matrix?coverage=incomplete&amp;industry=Retail"`) {
		t.Fatalf("the matrix's bar lacks its view:\n%s", m.Body)
	}

	mine, err := views.NewStore(a.DB).Views(context.Background(), at.scopeAdmin, "")
	if err != nil || len(mine) != 0 {
		t.Fatalf("the admin has views %v (%v): the leader's must not be theirs", mine, err)
	}
	list, err := views.NewStore(a.DB).Views(context.Background(), scopeOf(at.Leader), "accounts")
	if err != nil || len(list) != 1 {
		t.Fatalf("leader's views %v, %v", list, err)
	}
	v := list[0]
	id := v.ID.String()
	// A colleague and another tenant: 404, nothing changed.
	for _, c := range []*client{at.KAMC, at.AdminC, other.LeaderC} {
		wantStatus(t, c.postForm("/views/rename", url.Values{"view_id": {id}, "version": {"1"}, "name": {"Mine"}}), http.StatusNotFound)
		wantStatus(t, c.postForm("/views/delete", url.Values{"view_id": {id}}), http.StatusNotFound)
	}
	wantStatus(t, at.LeaderC.postForm("/views/rename", url.Values{"view_id": {id}, "version": {"1"}, "name": {""}}), http.StatusUnprocessableEntity)
	res = at.LeaderC.postForm("/views/rename", url.Values{"view_id": {id}, "version": {"1"}, "name": {"Retail, biggest first"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantStatus(t, at.LeaderC.postForm("/views/rename", url.Values{"view_id": {id}, "version": {"1"}, "name": {"Stale"}}), http.StatusConflict)
	if page := at.LeaderC.get("/views"); !strings.Contains(page.Body, "Retail, biggest first") || !strings.Contains(page.Body, "Scoring matrix") {
		t.Fatalf("views page:\n%s", page.Body)
	}
	wantStatus(t, at.LeaderC.postForm("/views/delete", url.Values{"view_id": {id}}), http.StatusSeeOther)
	if page := at.LeaderC.get("/accounts"); !strings.Contains(page.Body, "Deleted the view") || strings.Contains(page.Body, ">Retail, biggest first</a>") {
		t.Fatal("deleted view still in the bar")
	}
}
