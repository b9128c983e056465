package server_test

import "html"
import "net/http"
import "regexp"
import "strings"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/scoring"

var matrixRowName = regexp.MustCompile(`<th scope="row">\s*<a href="/scoring/accounts/[^"]+">([^<]+)</a>`)

// matrixOrder is the accounts of a matrix page, in order.
func matrixOrder(t *testing.T, c *client, path string) (string, response) {
	t.Helper()
	res := c.get(path)
	if res.Status != http.StatusOK {
		t.Fatalf("%s: %d\n%s", path, res.Status, res.Body)
	}
	var names []string
	for _, m := range matrixRowName.FindAllStringSubmatch(res.Body, -1) {
		names = append(names, html.UnescapeString(m[1]))
	}
	return strings.Join(names, " | "), res
}

// TestMatrixSortPages sorts the matrix by clicking its headers: a
// criterion, the total and the coverage, each way, page by page, with
// sort marks and aria-sort on the header (issue 17).
func TestMatrixSortPages(t *testing.T) {
	ss := newScoringSetup(t)
	a, tf := ss.a, ss.tf
	leader := tf.Clients[auth.RoleLeader]
	// Criteria in position order: product fit (the fixture's), revenue
	// potential, existing relationships; rank weights 61.11/27.78/11.11 %.
	if ss.criteria[0].Code != "product_fit" {
		t.Fatalf("first criterion %s", ss.criteria[0].Code)
	}
	big := scoringAccount(t, a, tf, "=Big Corp", 900000, 1000000, uuid.Nil)
	grow := scoringAccount(t, a, tf, "Growth Ltd", 10000, 800000, uuid.Nil)
	small := scoringAccount(t, a, tf, "Small", 50000, 60000, uuid.Nil)
	scoringAccount(t, a, tf, "Unscored Co", 0, 0, uuid.Nil)
	// The fixture also has "Not the KAM's", unscored.
	// The fixture's "Fixture Account" has product fit 7 only.
	for id, vs := range map[uuid.UUID][]string{big: {"9", "3", "9"}, grow: {"6", "10", "6"}, small: {"4", "4", "4"}} {
		if res := leader.postForm("/accounts/"+id.String()+"/scores", ss.form(vs...)); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
	}
	pf, rp := scoring.CriterionSort(ss.criteria[0].ID), scoring.CriterionSort(ss.criteria[1].ID)
	const all = "=Big Corp | Fixture Account | Growth Ltd | Not the KAM's | Small | Unscored Co"
	if got, _ := matrixOrder(t, leader, "/scoring/matrix"); got != all {
		t.Fatalf("by name: %s", got)
	}
	for _, c := range []struct{ query, want string }{
		// Product fit, highest first: 9, 7, 6, 4; the account without a cell last.
		{"sort=" + pf + "&desc=1", "=Big Corp | Fixture Account | Growth Ltd | Small | Not the KAM's | Unscored Co"},
		// Revenue potential, lowest first: 3, 4, 10; then the two without, by name.
		{"sort=" + rp, "=Big Corp | Small | Growth Ltd | Fixture Account | Not the KAM's | Unscored Co"},
		// Totals: Big .6111×9 + .2778×3 + .1111×9 = 7.33 → 7.3; Growth
		// .6111×6 + .2778×10 + .1111×6 = 7.11 → 7.1; Fixture 7.0 (one
		// cell); Small 4.0.
		{"sort=score&desc=1", "=Big Corp | Growth Ltd | Fixture Account | Small | Not the KAM's | Unscored Co"},
		{"sort=score", "Small | Fixture Account | Growth Ltd | =Big Corp | Not the KAM's | Unscored Co"},
		// Coverage, most first: 3/3 (by name, reversed), 1/3, then none.
		{"sort=coverage&desc=1", "Small | Growth Ltd | =Big Corp | Fixture Account | Not the KAM's | Unscored Co"},
		// With a filter: the incomplete accounts by product fit.
		{"sort=" + pf + "&coverage=incomplete", "Fixture Account"},
		// Anything else sorts by name.
		{"sort=" + scoring.CriterionSort(uuid.New()), all},
		{"sort=bogus", all},
	} {
		got, _ := matrixOrder(t, leader, "/scoring/matrix?"+c.query)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.query, got, c.want)
		}
		// Two a page, following the next links: the same order.
		path, pages := "/scoring/matrix?per_page=2&"+c.query, []string{}
		for i := 0; path != ""; i++ {
			got, res := matrixOrder(t, leader, path)
			pages = append(pages, got)
			path = ""
			if strings.Contains(res.Body, `rel="next"`) && i < 5 {
				path = nextLink(t, res.Body)
			}
		}
		if got := strings.Join(pages, " | "); got != c.want {
			t.Errorf("%s by pages: got %s, want %s", c.query, got, c.want)
		}
	}

	t.Run("Headers", func(t *testing.T) {
		_, res := matrixOrder(t, leader, "/scoring/matrix?sort="+pf+"&desc=1")
		// The sorted header is marked descending and links to ascending; the
		// others link to their first direction (numbers highest first).
		for _, want := range []string{
			`aria-sort="descending"><a href="/scoring/matrix?sort=` + pf + `" class="sorted-desc">Product fit</a>`,
			`aria-sort="none"><a href="/scoring/matrix?desc=1&amp;sort=` + rp + `" class="">Revenue potential</a>`,
			`<a href="/scoring/matrix?desc=1&amp;sort=score" class="">Score</a>`,
			`<a href="/scoring/matrix?desc=1&amp;sort=coverage" class="small ">Coverage</a>`,
			`<th scope="col" aria-sort="none"><a href="/scoring/matrix" class="">Account</a>`,
		} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("matrix lacks %s", want)
			}
		}
		_, res = matrixOrder(t, leader, "/scoring/matrix")
		if !strings.Contains(res.Body, `aria-sort="ascending"><a href="/scoring/matrix?desc=1&amp;sort=name" class="sorted-asc">Account</a>`) {
			t.Error("the default name order is not marked, or its link does not reverse it")
		}
	})
}
