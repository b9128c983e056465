package server_test

import "net/http"
import "strings"
import "testing"

import "pareto/internal/auth"
import "pareto/internal/db/dbtest"

// TestShortlistRoundTrips: a GET of the shortlist's first page costs a
// fixed, small number of round trips to the database (issue 19: the
// saturated shortlist was 4× slower than the bare handler, mostly
// round trips — 18 of them, measured with pg_stat_statements on the
// bench's 2,000-account tenant, then 9, then 5). Now 3: the session;
// BEGIN with the tenant context and the member with their tenants and
// locale in one batch (db.Reads.SendIn); the page's reads in one batch —
// the scoring settings with the criteria first, the rows, the kept
// tallies once, the revenue window, the largest accounts, the KAMs, the
// open review — carrying the reads queued ahead (db.Prefetch: the
// header's count of unread notifications, the saved views of the page,
// the 2×2 with its settings) and the COMMIT (db.LastReads). And 13
// statements on PostgreSQL, 15 on Citus (each counted, also those of one
// simple-protocol string), not 19: the batch's small one-row reads (the
// scoring settings, the revenue window, the open review, the count of
// unread notifications, the health settings) are one statement
// (db.Reads.One), and the tenant context is one set_config statement
// after the BEGIN (on Citus three SET LOCALs, which reach the workers).
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
	const most = 3
	statements := 13
	if dbtest.Citus() {
		statements = 15
	}
	for _, path := range []string{"/shortlist", "/shortlist?segment=Enterprise"} {
		a.Trips.Settle(t)
		if res := leader.get(path); res.Status != http.StatusOK || !strings.Contains(res.Body, "Big Corp") && path == "/shortlist" {
			t.Fatalf("GET %s: %d", path, res.Status)
		}
		n, sqls := a.Trips.Counted()
		if n > most {
			t.Errorf("GET %s: %d round trips to the database, want at most %d:\n%s", path, n, most, strings.Join(sqls, "\n"))
		}
		if st := countStatements(sqls); st > statements {
			t.Errorf("GET %s: %d statements, want at most %d:\n%s", path, st, statements, strings.Join(sqls, "\n"))
		}
	}
}

// countStatements counts the SQL statements of what dbtest.RoundTrips saw: a
// batch's marker none, a simple-protocol string one per ";"-separated
// statement.
func countStatements(sqls []string) int {
	n := 0
	for _, sql := range sqls {
		if sql = strings.TrimSpace(sql); sql != "-- batch:" {
			n += strings.Count(strings.TrimSuffix(sql, ";"), ";") + 1
		}
	}
	return n
}
