package server_test

import "context"
import "encoding/csv"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/scoring"

// scoringSetup is a tenant with three active criteria and accounts.
type scoringSetup struct {
	a        *testApp
	tf       *tenantFixture
	criteria []scoring.Criterion
}

func newScoringSetup(t *testing.T) *scoringSetup {
	a := newTestApp(t)
	tf := a.tenantFixture("Acme")
	admin := tf.Clients[auth.RoleAdmin]
	for _, code := range []string{"revenue_potential", "existing_relationships"} {
		if res := admin.postForm("/scoring/criteria/library", url.Values{"code": {code}}); res.Status != http.StatusSeeOther {
			t.Fatalf("enable %s: %d\n%s", code, res.Status, res.Body)
		}
	}
	cfg, err := scoring.NewStore(a.DB).Config(context.Background(), tf.scope(auth.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	return &scoringSetup{a: a, tf: tf, criteria: cfg.Active()}
}

func (ss *scoringSetup) form(vs ...string) url.Values {
	f := url.Values{}
	for i, v := range vs {
		f.Set(scoring.ScoreField(ss.criteria[i].ID), v)
	}
	return f
}

func (ss *scoringSetup) breakdown(t *testing.T, id uuid.UUID) scoring.Breakdown {
	t.Helper()
	b, err := scoring.NewStore(ss.a.DB).Breakdown(context.Background(), ss.tf.scope(auth.RoleAdmin), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCriteriaPages(t *testing.T) {
	ss := newScoringSetup(t)
	admin := ss.tf.Clients[auth.RoleAdmin]
	res := admin.get("/scoring/criteria")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Existing relationships") || strings.Contains(res.Body, "Good practice is three to five") {
		t.Fatalf("criteria page %d", res.Status)
	}
	ids := []string{ss.criteria[0].ID.String(), ss.criteria[1].ID.String(), ss.criteria[2].ID.String()}
	t.Run("ErrWeightsSum", func(t *testing.T) {
		res := admin.postForm("/scoring/criteria/weights", url.Values{"mode": {"explicit"}, "criteria_version": {"4"},
			"weight_" + ids[0]: {"50"}, "weight_" + ids[1]: {"30"}, "weight_" + ids[2]: {"30"}})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "add up to 110 %") {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
	})
	t.Run("Weights", func(t *testing.T) {
		res := admin.postForm("/scoring/criteria/weights", url.Values{"mode": {"explicit"}, "criteria_version": {"4"},
			"weight_" + ids[0]: {"50"}, "weight_" + ids[1]: {"30"}, "weight_" + ids[2]: {"20"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		res = admin.postForm("/scoring/criteria/weights", url.Values{"mode": {"rank"}, "criteria_version": {"4"}})
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "50 %") {
			t.Fatalf("stale weights form: %d", res.Status)
		}
	})
	t.Run("EditAndMove", func(t *testing.T) {
		c := ss.criteria[2]
		res := admin.get("/scoring/criteria?edit=" + c.ID.String())
		if !strings.Contains(res.Body, `id="edit-criterion"`) {
			t.Fatal("no edit form")
		}
		res = admin.postForm("/scoring/criteria/"+c.ID.String(), url.Values{"name": {""}, "version": {"1"}})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Give the criterion a name.") {
			t.Fatalf("%d", res.Status)
		}
		res = admin.postForm("/scoring/criteria/"+c.ID.String(), url.Values{"name": {"Relationships"}, "rubric_10": {"Board level"},
			"version": {"1"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		res = admin.postForm("/scoring/criteria/"+c.ID.String(), url.Values{"name": {"Other"}, "version": {"1"}})
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Board level") {
			t.Fatalf("stale edit: %d", res.Status)
		}
		if res := admin.postForm("/scoring/criteria/"+c.ID.String()+"/move", url.Values{"dir": {"up"}}); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
		cfg, _ := scoring.NewStore(ss.a.DB).Config(context.Background(), ss.tf.scope(auth.RoleAdmin))
		if cfg.Weights[1].Name != "Relationships" {
			t.Fatalf("order %v", cfg.Weights)
		}
	})
	t.Run("KAMReadsOnly", func(t *testing.T) {
		res := ss.tf.Clients[auth.RoleKAM].get("/scoring/criteria")
		if res.Status != http.StatusOK || strings.Contains(res.Body, "Save weights") || !strings.Contains(res.Body, "Relationships") {
			t.Fatalf("%d", res.Status)
		}
	})
}

func TestScoresEndpoint(t *testing.T) {
	ss := newScoringSetup(t)
	a, tf := ss.a, ss.tf
	kamID := tf.Members[auth.RoleKAM].UserID
	mine := scoringAccount(t, a, tf, "Mine", 0, 0, kamID)
	theirs := scoringAccount(t, a, tf, "Theirs", 0, 0, uuid.Nil)
	other := a.tenantFixture("Other")
	foreign := scoringAccount(t, a, other, "Foreign", 0, 0, uuid.Nil)
	kam := tf.Clients[auth.RoleKAM]

	t.Run("OK", func(t *testing.T) {
		f := ss.form("8", "6", "")
		f.Set(scoring.EvidenceField(ss.criteria[0].ID), "Three product lines in use")
		f.Set("back", "/scoring/matrix?q=Mi")
		res := kam.postForm("/accounts/"+mine.String()+"/scores", f)
		if res.Status != http.StatusSeeOther || res.Location != "/scoring/matrix?q=Mi" {
			t.Fatalf("%d → %q", res.Status, res.Location)
		}
		b := ss.breakdown(t, mine)
		if b.Score.Scored != 2 || b.Cells[0].Evidence != "Three product lines in use" {
			t.Fatalf("%+v", b.Score)
		}
	})
	for _, bad := range []string{"11", "0", "6.5", "x"} {
		t.Run("ErrInvalid_"+bad, func(t *testing.T) {
			res := kam.postForm("/accounts/"+mine.String()+"/scores", ss.form("1", "1", bad))
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Enter a whole number from 1 to 10.") {
				t.Fatalf("%q: %d", bad, res.Status)
			}
			if b := ss.breakdown(t, mine); b.Cells[0].Contribution.Score != 8 || b.Score.Scored != 2 {
				t.Fatal("a refused form saved something")
			}
		})
	}
	t.Run("ErrInvalidFromMatrix", func(t *testing.T) {
		f := ss.form("", "", "12")
		f.Set("back", "/scoring/matrix")
		res := kam.postForm("/accounts/"+mine.String()+"/scores", f)
		// The refused 12 is named on its cell, which shows the saved 7 again.
		if res.Status != http.StatusUnprocessableEntity || strings.Contains(res.Body, `value="12"`) || !strings.Contains(res.Body, "“12” not saved") ||
			!strings.Contains(res.Body, `aria-invalid="true"`) || !strings.Contains(res.Body, "Scoring matrix") {
			t.Fatalf("%d", res.Status)
		}
	})
	t.Run("HTMX", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/accounts/"+mine.String()+"/scores",
			strings.NewReader(ss.form("", "", "7").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		res := kam.do(req)
		if res.Status != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(res.Body), "<td") || !strings.Contains(res.Body, "Saved") ||
			!strings.Contains(res.Body, "3/3") {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		req, _ = http.NewRequest(http.MethodPost, a.URL+"/accounts/"+mine.String()+"/scores",
			strings.NewReader(ss.form("", "", "99").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		res = kam.do(req)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Existing relationships: Enter a whole number") {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
	})
	t.Run("BackStaysHere", func(t *testing.T) {
		for _, back := range []string{"//evil.test/x", "https://evil.test", "/scoring/..//evil.test", "/login"} {
			res := kam.postForm("/accounts/"+mine.String()+"/scores", url.Values{"back": {back}})
			if res.Status != http.StatusSeeOther || res.Location != "/scoring/accounts/"+mine.String() {
				t.Errorf("back %q: %d → %q", back, res.Status, res.Location)
			}
		}
	})
	t.Run("Conflict", func(t *testing.T) {
		// Product fit is 8; a page opened before showed an empty cell.
		f := ss.form("2", "", "")
		f.Set(scoring.WasField(ss.criteria[0].ID), "")
		res := kam.postForm("/accounts/"+mine.String()+"/scores", f)
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "changed meanwhile") || !strings.Contains(res.Body, "Three product lines") {
			t.Fatalf("%d", res.Status)
		}
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/accounts/"+mine.String()+"/scores", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		res = kam.do(req)
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "changed it meanwhile (now 8)") {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		if b := ss.breakdown(t, mine); b.Cells[0].Contribution.Score != 8 {
			t.Fatal("a stale save overwrote the cell")
		}
	})
	t.Run("KAMOtherAccount", func(t *testing.T) {
		if res := kam.postForm("/accounts/"+theirs.String()+"/scores", ss.form("5", "5", "5")); res.Status != http.StatusForbidden {
			t.Fatalf("%d", res.Status)
		}
	})
	t.Run("LeaderAnyAccount", func(t *testing.T) {
		if res := tf.Clients[auth.RoleLeader].postForm("/accounts/"+theirs.String()+"/scores", ss.form("5", "5", "5")); res.Status != http.StatusSeeOther {
			t.Fatalf("%d", res.Status)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		if res := tf.Clients[auth.RoleAdmin].postForm("/accounts/"+foreign.String()+"/scores", ss.form("5", "5", "5")); res.Status != http.StatusNotFound {
			t.Fatalf("%d", res.Status)
		}
		if res := tf.Clients[auth.RoleAdmin].get("/scoring/accounts/" + foreign.String()); res.Status != http.StatusNotFound {
			t.Fatalf("%d", res.Status)
		}
	})
	t.Run("Matrix", func(t *testing.T) {
		res := kam.get("/scoring/matrix")
		if res.Status != http.StatusOK {
			t.Fatal(res.Status)
		}
		// The KAM's own row is editable, the other read-only.
		if !strings.Contains(res.Body, `form="f-`+mine.String()+`"`) || strings.Contains(res.Body, `form="f-`+theirs.String()+`"`) {
			t.Fatal("editable rows wrong")
		}
		res = kam.get("/scoring/matrix?coverage=unscored")
		if strings.Contains(res.Body, ">Mine<") || !strings.Contains(res.Body, "No accounts match") && !strings.Contains(res.Body, "1 account") {
			t.Fatalf("coverage filter")
		}
	})
	t.Run("AccountPage", func(t *testing.T) {
		res := kam.get("/scoring/accounts/" + mine.String())
		for _, want := range []string{"What carries the score", "Three product lines in use", "<progress", "Score over time", "<svg"} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("account page lacks %q", want)
			}
		}
		res = kam.get("/scoring/accounts/" + theirs.String())
		if res.Status != http.StatusOK || strings.Contains(res.Body, "Save scores") {
			t.Fatal("a KAM gets a scoring form for another KAM's account")
		}
	})
}

func TestShortlistPages(t *testing.T) {
	ss := newScoringSetup(t)
	a, tf := ss.a, ss.tf
	leader, admin := tf.Clients[auth.RoleLeader], tf.Clients[auth.RoleAdmin]
	// Fixture Account (the access-matrix fixture, 7 on product fit only) is incomplete.
	big := scoringAccount(t, a, tf, "=Big Corp", 900000, 1000000, uuid.Nil)
	grow := scoringAccount(t, a, tf, "Growth Ltd", 10000, 800000, uuid.Nil)
	small := scoringAccount(t, a, tf, "Small", 50000, 60000, uuid.Nil)
	for id, vs := range map[uuid.UUID][]string{big: {"9", "3", "9"}, grow: {"6", "10", "6"}, small: {"4", "4", "4"}} {
		if res := leader.postForm("/accounts/"+id.String()+"/scores", ss.form(vs...)); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
	}
	t.Run("Ranking", func(t *testing.T) {
		res := leader.get("/shortlist")
		if res.Status != http.StatusOK {
			t.Fatal(res.Status)
		}
		// ROC 61.11/27.78/11.11: Big 7.3, Growth 7.1, Small 4.0, then the incomplete Fixture Account.
		iBig, iGrow, iSmall, iInc := strings.Index(res.Body, "=Big Corp"), strings.Index(res.Body, "Growth Ltd"),
			strings.Index(res.Body, ">Small<"), strings.Index(res.Body, ">Fixture Account<")
		if iBig < 0 || !(iBig < iGrow && iGrow < iSmall && iSmall < iInc) {
			t.Fatalf("order %d %d %d %d", iBig, iGrow, iSmall, iInc)
		}
		for _, want := range []string{"Over-dependence risk", `hx-get="/shortlist/chart"`, `<a href="/shortlist/chart">`, "What if", "7.3"} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("shortlist lacks %q", want)
			}
		}
		// The concentration figures say how they are computed, with the
		// numbers. By hand: no key account; each active account's one
		// revenue is its annual revenue as entered (no KPI figures), but the
		// fixture account's is its recorded revenue of the last three months,
		// 1,000 + 2,000 + 3,000 = 6,000 (access_kpi_test.go), so the total is
		// 900,000 + 10,000 + 50,000 + 6,000 = 966,000; the top 10 are all
		// four, 100 %; Big Corp carries 900,000 ÷ 966,000 = 93.167… % → 93.17 %.
		_, conc, _ := strings.Cut(res.Body, `<section aria-labelledby="conc-h">`)
		conc, _, _ = strings.Cut(conc, "</section>")
		if n := strings.Count(conc, "How is this computed?"); n != 3 {
			t.Errorf("%d definitions beside the three concentration figures", n)
		}
		for _, want := range []string{"(0) ÷ the revenue of every active account (966,000) = 0 %",
			"The top 10 accounts by revenue (966,000) ÷ the revenue of every active account (966,000) = 100 %",
			"(900,000) ÷ the revenue of every active account (966,000) = 93.17 %"} {
			if !strings.Contains(conc, want) {
				t.Errorf("concentration lacks %q", want)
			}
		}
	})
	t.Run("ChartPlotsEveryPage", func(t *testing.T) {
		// Defect (issue 17): the chart plotted only the page's rows. With
		// one row a page, the chart still plots all four accounts, and a
		// filter narrows it (q=growth: Growth Ltd only).
		// The chart is its own resource (issue 19: the page's cost is its
		// rows'), which the page loads with htmx and links to without it.
		res := leader.get("/shortlist?per_page=1")
		if !strings.Contains(res.Body, `hx-get="/shortlist/chart"`) || strings.Contains(res.Body, `<circle class="point`) {
			t.Fatal("the one-row page does not load the chart of the whole filtered portfolio, or plots it itself")
		}
		res = leader.get("/shortlist/chart")
		if got := strings.Count(res.Body, `<circle class="point`); res.Status != http.StatusOK || got != 4 {
			t.Errorf("chart: %d, plots %d accounts, want all 4", res.Status, got)
		}
		if !strings.Contains(res.Body, "every account of the filtered portfolio (4 accounts)") || !strings.Contains(res.Body, `href="/shortlist"`) {
			t.Error("the chart page does not say it plots the whole filtered portfolio, or does not link back")
		}
		res = leader.get("/shortlist?per_page=1&q=growth")
		if !strings.Contains(res.Body, `hx-get="/shortlist/chart?q=growth"`) {
			t.Fatal("the filtered page does not load the filtered chart")
		}
		res = leader.get("/shortlist/chart?q=growth")
		if got := strings.Count(res.Body, `<circle class="point`); got != 1 {
			t.Errorf("filtered chart plots %d accounts, want 1", got)
		}
	})
	t.Run("ChartFragmentAndNotModified", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, leader.app.URL+"/shortlist/chart", nil)
		req.Header.Set("HX-Request", "true")
		res := leader.do(req)
		etag := res.Header.Get("ETag")
		if res.Status != http.StatusOK || strings.Contains(res.Body, "<html") || strings.Count(res.Body, `<circle class="point`) != 4 || etag == "" {
			t.Fatalf("htmx chart: %d, ETag %q, a whole page or not the 4 points:\n%s", res.Status, etag, res.Body)
		}
		req.Header.Set("If-None-Match", etag)
		if res := leader.do(req); res.Status != http.StatusNotModified || res.Body != "" {
			t.Errorf("unchanged chart revalidated: %d with %d bytes, want 304 and none", res.Status, len(res.Body))
		}
		// A score changes the chart: the old copy is not confirmed.
		if res := leader.postForm("/accounts/"+small.String()+"/scores", ss.form("10", "10", "10")); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
		if res := leader.do(req); res.Status != http.StatusOK || res.Header.Get("ETag") == etag {
			t.Errorf("changed chart revalidated: %d, ETag %q (was %q)", res.Status, res.Header.Get("ETag"), etag)
		}
		if res := leader.postForm("/accounts/"+small.String()+"/scores", ss.form("4", "4", "4")); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		res := leader.get("/shortlist.csv")
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatal(res.Status)
		}
		recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 5 || recs[1][1] != "'=Big Corp" || recs[1][3] != "7.3" || recs[1][7] != "900000.00" || recs[4][4] != "false" {
			t.Fatalf("%v", recs)
		}
		res = leader.get("/shortlist.csv?q=growth")
		if n := strings.Count(res.Body, "\n"); n != 2 {
			t.Fatalf("filtered csv has %d lines", n)
		}
	})
	t.Run("WhatIf", func(t *testing.T) {
		q := url.Values{}
		for i, v := range []string{"10", "80", "10"} {
			q.Set("weight_"+ss.criteria[i].ID.String(), v)
		}
		res := leader.get("/shortlist/whatif?" + q.Encode())
		if res.Status != http.StatusOK {
			t.Fatal(res.Status)
		}
		// Growth (10 on revenue potential) climbs to first; Big falls.
		if !strings.Contains(res.Body, "▲1") || !strings.Contains(res.Body, "▼1") || strings.Index(res.Body, "Growth Ltd") > strings.Index(res.Body, "=Big Corp") {
			t.Fatal("no rank change shown")
		}
		if strings.Contains(res.Body, "Apply these weights") {
			t.Fatal("a leader is offered to apply")
		}
		cfg, _ := scoring.NewStore(a.DB).Config(context.Background(), tf.scope(auth.RoleAdmin))
		if cfg.Settings.WeightMode != scoring.ModeRank {
			t.Fatal("a what-if saved something")
		}
		res = leader.get("/shortlist/whatif?weight_" + ss.criteria[0].ID.String() + "=abc")
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatal(res.Status)
		}
		res = admin.get("/shortlist/whatif?" + q.Encode())
		if !strings.Contains(res.Body, "Apply these weights") {
			t.Fatal("no apply for the admin")
		}
		apply := url.Values{"criteria_version": {strconv.Itoa(cfg.Settings.CriteriaVersion)}}
		for i, v := range []string{"10", "80", "10"} {
			apply.Set("weight_"+ss.criteria[i].ID.String(), v)
		}
		if res := admin.postForm("/shortlist/whatif/apply", apply); res.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		list, _ := scoring.NewStore(a.DB).Shortlist(context.Background(), tf.scope(auth.RoleLeader), scoring.Filter{})
		if list.Rows[0].Name != "Growth Ltd" {
			t.Fatalf("applied weights not in force: %v", list.Rows[0].Name)
		}
	})
	t.Run("Review", func(t *testing.T) {
		res := leader.postForm("/shortlist/reviews", url.Values{"name": {""}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatal(res.Status)
		}
		// The fixture's review is open: close it first.
		if res := leader.postForm("/shortlist/reviews/"+tf.IDs["reviewID"]+"/close", nil); res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
		res = leader.postForm("/shortlist/reviews", url.Values{"name": {"FY27 H1"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		review := res.Location
		res = leader.get(review)
		if res.Status != http.StatusOK || !strings.Contains(res.Body, "Growth Ltd") || !strings.Contains(res.Body, "Weights at the time") {
			t.Fatal(res.Status)
		}
		if res := admin.postForm("/scoring/settings", url.Values{"key_account_cap": {"1"}, "concentration_pct": {"10"}, "top_n": {"10"},
			"quadrant_score": {"6"}, "version": {"1"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("settings %d %s", res.Status, res.Body)
		}
		res = leader.postForm(review+"/decisions", url.Values{"account_id": {grow.String()}, "decision": {"key"}, "reason": {""}})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Give a reason") {
			t.Fatal(res.Status)
		}
		res = leader.postForm(review+"/decisions", url.Values{"account_id": {grow.String()}, "decision": {"key"}, "reason": {"Largest headroom"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		res = leader.postForm(review+"/decisions", url.Values{"account_id": {big.String()}, "decision": {"key"}, "reason": {"Biggest"}})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "The cap of 1 key accounts is reached") {
			t.Fatalf("cap: %d", res.Status)
		}
		if res := admin.postForm("/scoring/settings", url.Values{"key_account_cap": {"7"}, "concentration_pct": {"10"}, "top_n": {"10"},
			"quadrant_score": {"6"}, "version": {"1"}}); res.Status != http.StatusConflict || !strings.Contains(res.Body, "<td>7</td>") {
			t.Fatalf("stale settings: %d", res.Status)
		}
		if b := ss.breakdown(t, grow); b.Account.KeyStatus != "key" {
			t.Fatal(b.Account.KeyStatus)
		}
		// De-designate from the account's scoring page.
		res = leader.postForm("/accounts/"+grow.String()+"/key-status", url.Values{"reason": {""}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatal(res.Status)
		}
		res = leader.postForm("/accounts/"+grow.String()+"/key-status", url.Values{"reason": {"Strategy changed"}})
		if res.Status != http.StatusSeeOther {
			t.Fatal(res.Status)
		}
		if b := ss.breakdown(t, grow); b.Account.KeyStatus != "former" {
			t.Fatal(b.Account.KeyStatus)
		}
	})
}
