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
// BEGIN with the tenant context, the member with their tenants and
// locale and the tenant's data version in one batch (db.Reads.SendIn);
// the page's reads in one batch — the rows, carrying the reads queued
// ahead (db.Prefetch: the header's count of unread notifications, the
// saved views of the page) and the COMMIT (db.LastReads).
//
// Statements (each counted, also those of one simple-protocol string):
// 9 on PostgreSQL when the tenant's parts are kept (db.Kept, the tenant's
// data version unchanged since the last view): the session 1; BEGIN, the
// tenant context (one set_config statement), the member and the version
// 4; the rows, the unread count, the saved views and COMMIT 4. On Citus
// the tenant context is three SET LOCALs (they reach the workers): 11.
// Cold (the first view after a write) 5 more, 14 and 16: the kept parts
// read again — the scoring settings with the criteria, the kept tallies
// once, the revenue window and the largest accounts, the KAMs, the open
// review, the 2×2 with its settings — 6 statements, the small one-row
// reads among them in one with the unread count (db.Reads.One), which
// then has no statement of its own.
func TestShortlistRoundTrips(t *testing.T) {
	ss := newScoringSetup(t)
	a, leader := ss.a, ss.tf.Clients[auth.RoleLeader]
	var ids []string
	for _, name := range []string{"Big Corp", "Small"} {
		id := scoringAccount(t, a, ss.tf, name, 100000, 200000, ss.tf.Members[auth.RoleKAM].UserID)
		if res := leader.postForm("/accounts/"+id.String()+"/scores", ss.form("7", "5")); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
		ids = append(ids, id.String())
	}
	leader.get("/shortlist") // statements prepared, the tenant's daily run started
	count := func(path string, most, statements int) {
		t.Helper()
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
	const most = 3
	warm, cold := 9, 14
	if dbtest.Citus() {
		warm, cold = 11, 16
	}
	for _, path := range []string{"/shortlist", "/shortlist?segment=Enterprise"} {
		a.Trips.Settle(t)
		leader.get(path) // the tenant's parts kept
		count(path, most, warm)
	}
	// A write moves the tenant's data version: the next view reads the
	// parts again (cold), the one after is warm again. The admin writes
	// (the leader's session then has no flash to clear on the next GET).
	if res := ss.tf.Clients[auth.RoleAdmin].postForm("/accounts/"+ids[1]+"/scores", ss.form("9", "9")); res.Status != http.StatusSeeOther {
		t.Fatal(res.Status)
	}
	a.Trips.Settle(t)
	count("/shortlist", most, cold)
	count("/shortlist", most, warm)
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
