package server_test

import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "pareto/internal/auth"

var reviewRowName = regexp.MustCompile(`<td><a href="/shortlist/reviews/[^"]+">([^<]+)</a></td>`)

// TestReviewsPaginate pages the reviews newest first with newer/older
// links that work without JavaScript (issue 17).
func TestReviewsPaginate(t *testing.T) {
	a := newTestApp(t)
	tf := a.tenantFixture("Paged")
	other := a.tenantFixture("Other Paged")
	leader := tf.Clients[auth.RoleLeader]
	// The fixture's review is open: close it, then start and close two more.
	close := func(id string) {
		t.Helper()
		if res := leader.postForm("/shortlist/reviews/"+id+"/close", nil); res.Status != http.StatusSeeOther {
			t.Fatalf("close: %d\n%s", res.Status, res.Body)
		}
	}
	close(tf.IDs["reviewID"])
	for _, name := range []string{"FY27 H1", "FY27 H2"} {
		res := leader.postForm("/shortlist/reviews", url.Values{"name": {name}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("start %s: %d\n%s", name, res.Status, res.Body)
		}
		close(strings.TrimPrefix(res.Location, "/shortlist/reviews/"))
	}
	names := func(body string) string {
		var out []string
		for _, m := range reviewRowName.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, ", ")
	}
	res := leader.get("/shortlist/reviews?per_page=2")
	if got := names(res.Body); res.Status != http.StatusOK || got != "FY27 H2, FY27 H1" {
		t.Fatalf("newest page: %d %q", res.Status, got)
	}
	if !strings.Contains(res.Body, `rel="next">Older →</a>`) || !strings.Contains(res.Body, `<span class="disabled">← Newer</span>`) {
		t.Fatal("the newest page has no older link, or a newer one")
	}
	res = leader.get(nextLink(t, res.Body))
	if got := names(res.Body); got != "Fixture review" {
		t.Fatalf("older page: %q", got)
	}
	if !strings.Contains(res.Body, `<a href="/shortlist/reviews?per_page=2" rel="prev">← Newer</a>`) ||
		!strings.Contains(res.Body, `<span class="disabled">Older →</span>`) {
		t.Fatal("the oldest page has no newer link back to the newest, or an older one")
	}
	// Every review on the default page; another tenant sees its own only.
	if got := names(leader.get("/shortlist/reviews").Body); got != "FY27 H2, FY27 H1, Fixture review" {
		t.Fatalf("all: %q", got)
	}
	if got := names(other.Clients[auth.RoleLeader].get("/shortlist/reviews?per_page=2").Body); got != "Fixture review" {
		t.Fatalf("other tenant: %q", got)
	}
}
