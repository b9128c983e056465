package server_test

import "net/http"
import "strings"
import "testing"

import "pareto/internal/auth"

// TestShortlistRoundTrips: a GET of the shortlist's first page costs a
// fixed, small number of round trips to the database (issue 19: the
// saturated shortlist was 4× slower than the bare handler, mostly
// round trips — 18 of them, measured with pg_stat_statements on the
// bench's 2,000-account tenant). Now: the session; BEGIN with the tenant
// context; the member with their tenants and locale; the scoring
// settings with the criteria; the page's reads in one batch (rows, the
// kept tallies once, the revenue window, the largest accounts, the KAMs,
// the open review); the 2×2 with its settings; the header's count of
// unread notifications (on every page since the notifications landed);
// the person's saved views of the page (the bar under the header, on the
// list pages since saved views landed); COMMIT.
func TestShortlistRoundTrips(t *testing.T) {
	ss := newScoringSetup(t)
	a, leader := ss.a, ss.tf.Clients[auth.RoleLeader]
	for _, name := range []string{"Big Corp", "Small"} {
		id := scoringAccount(t, a, ss.tf, name, 100000, 200000, ss.tf.Members[auth.RoleKAM].UserID)
		if res := leader.postForm("/accounts/"+id.String()+"/scores", ss.form("7", "5")); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
	}
	leader.get("/shortlist") // statements prepared, the tenant's daily run started
	const most = 9
	for _, path := range []string{"/shortlist", "/shortlist?segment=Enterprise"} {
		a.Trips.settle(t)
		if res := leader.get(path); res.Status != http.StatusOK || !strings.Contains(res.Body, "Big Corp") && path == "/shortlist" {
			t.Fatalf("GET %s: %d", path, res.Status)
		}
		if n, sqls := a.Trips.counted(); n > most {
			t.Errorf("GET %s: %d round trips to the database, want at most %d:\n%s", path, n, most, strings.Join(sqls, "\n"))
		}
	}
}
