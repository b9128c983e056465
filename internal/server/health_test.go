package server_test

import "context"
import "fmt"
import "html"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/kpi"

// healthTenant is a tenant with an admin and a KAM who manages one key
// account, Globex, whose champion Cam was last met 100 days ago.
type healthTenant struct {
	admin, kam   *client
	adminM, kamM auth.Member
	account      uuid.UUID
	cam          uuid.UUID
}

func newHealthTenant(t *testing.T, a *testApp, org string) healthTenant {
	t.Helper()
	ctx := context.Background()
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	adminC, admin := a.signup(org, "admin@"+slug+".test")
	kamM := a.addMember(admin, "kam@"+slug+".test", "Kim KAM", auth.RoleKAM)
	ht := healthTenant{admin: adminC, kam: a.login("kam@" + slug + ".test"), adminM: admin, kamM: kamM}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	st := account.NewStore(a.DB)
	f, _ := account.Input{"name": "Globex", "status": "customer", "annual_revenue": "500000"}.Parse()
	acct, err := st.CreateAccount(ctx, sc, auth.RoleAdmin, f)
	if err != nil {
		t.Fatal(err)
	}
	ht.account = acct.ID
	err = a.DB.Tx(ctx, sc, recounted(admin.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE accounts SET key_status = 'key', kam_user_id = $2 WHERE id = $1", acct.ID, kamM.UserID)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string, role account.BuyingRole) uuid.UUID {
		sf, _ := account.StakeholderInput{Name: name, Role: string(role), Strength: "strong"}.Parse()
		s, err := st.CreateStakeholder(ctx, sc, auth.RoleAdmin, acct.ID, sf)
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	dee := add("Dee Decider", account.RoleDecisionMaker)
	ht.cam = add("Cam Champion", account.RoleChampion)
	for _, m := range []struct {
		who  uuid.UUID
		days int
	}{{dee, 5}, {ht.cam, 100}} {
		inf, _ := account.InteractionInput{OccurredOn: time.Now().AddDate(0, 0, -m.days).Format(time.DateOnly), Kind: "meeting",
			Summary: "Met", Participants: []string{m.who.String()}}.Parse(admin.UserID)
		if _, err := st.CreateInteraction(ctx, sc, auth.RoleAdmin, acct.ID, inf); err != nil {
			t.Fatal(err)
		}
	}
	return ht
}

func (ht healthTenant) path(rest string) string { return "/accounts/" + ht.account.String() + rest }

func wantPage(t *testing.T, res response, status int, wants ...string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d; body: %.600s", res.Status, status, res.Body)
	}
	for _, w := range wants {
		if !strings.Contains(res.Body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// TestDailyHealthRun: the first signed-in request of a tenant on a day
// whose last health run was before today starts the run — any page, here
// the account list, which reads no health — and the run writes the
// history row of every month since the last one: the tenant last ran
// three months ago, so Globex gets rows for the two months in between
// and this one, without any page computing them.
func TestDailyHealthRun(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	ht := newHealthTenant(t, a, "Daily Co")
	sc := db.Scope{TenantID: ht.adminM.TenantID, UserID: ht.adminM.UserID}
	this := kpi.MonthOf(time.Now())
	if err := a.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO health_runs (tenant_id, ran_on, ran_at) VALUES ($1, $2, $3)", sc.TenantID, kpi.AddMonths(this, -3), kpi.AddMonths(this, -3))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	wantPage(t, ht.kam.get("/accounts"), http.StatusOK, "Globex")
	a.Srv.WaitHealth()
	hs := health.NewStore(a.DB)
	if _, stale, err := hs.LastRun(ctx, sc); err != nil || stale {
		t.Fatalf("last run stale %v (%v) after the first request of the day", stale, err)
	}
	_, _, hist, err := hs.AccountHealth(ctx, sc, ht.account, 12)
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, p := range hist {
		months = append(months, p.Month.Format("2006-01"))
	}
	want := []string{kpi.AddMonths(this, -2).Format("2006-01"), kpi.AddMonths(this, -1).Format("2006-01"), this.Format("2006-01")}
	if strings.Join(months, " ") != strings.Join(want, " ") {
		t.Errorf("history months %v, want %v", months, want)
	}
}

func TestHealthPages(t *testing.T) {
	a := newTestApp(t)
	ht := newHealthTenant(t, a, "Health Co")

	t.Run("StaleContactClearsAfterInteraction", func(t *testing.T) {
		// The account page computes and shows the warning; the risk list
		// shows it once the account's health is kept.
		wantPage(t, ht.kam.get(ht.path("")), http.StatusOK, `id="health-warnings"`, "Stale contact", "Cam Champion (champion): 100 days")
		a.Srv.WaitHealth()
		wantPage(t, ht.kam.get("/health/risks"), http.StatusOK, "Globex", "Stale contact")
		res := ht.kam.postForm(ht.path("/interactions"), url.Values{"occurred_on": {time.Now().Format(time.DateOnly)},
			"kind": {"call"}, "summary": {"Caught up with Cam"}, "participants": {ht.cam.String()}})
		wantPage(t, res, http.StatusSeeOther)
		page := ht.kam.get(ht.path(""))
		wantPage(t, page, http.StatusOK, `id="health-warnings-none"`)
		// Kept at once by the write: the risk list is clear too.
		if body := ht.kam.get("/health/risks").Body; strings.Contains(body, "Stale contact</td>") {
			t.Error("the risk list still shows the stale contact")
		}
	})

	t.Run("Engagement", func(t *testing.T) {
		res := ht.kam.postForm(ht.path("/engagements"), url.Values{"engagement_kind": {"referral"},
			"occurred_on": {time.Now().AddDate(0, 0, 5).Format(time.DateOnly)}, "title": {""}})
		wantPage(t, res, http.StatusUnprocessableEntity, `id="title-error"`, "Log engagement that happened", `aria-invalid="true"`)
		res = ht.kam.postForm(ht.path("/engagements"), url.Values{"engagement_kind": {"referral"},
			"occurred_on": {time.Now().Format(time.DateOnly)}, "title": {"Referred us to Nordwind"}})
		wantPage(t, res, http.StatusSeeOther)
		wantPage(t, ht.kam.get(ht.path("")), http.StatusOK, "Referred us to Nordwind", "1 in the last 12 months")
	})

	t.Run("ChampionLeft", func(t *testing.T) {
		res := ht.kam.postForm(ht.path("/stakeholders/"+ht.cam.String()), url.Values{"version": {"1"}, "name": {"Cam Champion"},
			"buying_role": {"champion"}, "strength": {"strong"}, "left_on": {time.Now().AddDate(0, 0, -2).Format(time.DateOnly)}})
		wantPage(t, res, http.StatusSeeOther)
		wantPage(t, ht.kam.get(ht.path("")), http.StatusOK, "Champion gone", "Cam Champion left on")
		wantPage(t, ht.kam.get("/health/risks?kind=champion_gone"), http.StatusOK, "Globex", "Champion gone")
		csv := ht.kam.get("/health/risks.csv?kind=champion_gone")
		if csv.Status != http.StatusOK || !strings.Contains(csv.Body, "champion_gone") || strings.Count(csv.Body, "\n") != 2 {
			t.Errorf("CSV %d: %q", csv.Status, csv.Body)
		}
	})

	t.Run("Settings", func(t *testing.T) {
		form := url.Values{"version": {"0"}, "stale_days": {"60"}, "single_thread_pct": {"70"}, "risk_health": {"50"},
			"matrix_score": {"6.0"}, "matrix_health": {"60"}, "low_margin": {"20"}, "review_months": {"3"},
			"weight_coverage": {"50"}, "weight_freshness": {"30"}, "weight_plan": {"0"}, "weight_satisfaction": {"0"},
			"weight_engagement": {"10"}, "weight_margin": {"0"}}
		wantPage(t, ht.admin.postForm("/admin/health", form), http.StatusUnprocessableEntity, "The weights add up to 90 %", `id="weights-error"`)
		form.Set("weight_margin", "10")
		wantPage(t, ht.admin.postForm("/admin/health", form), http.StatusSeeOther)
		// A second save from the same stale form is a conflict.
		wantPage(t, ht.admin.postForm("/admin/health", form), http.StatusConflict)
		a.Srv.WaitHealth()
		wantPage(t, ht.kam.get(ht.path("/health")), http.StatusOK, "50 %", "How is this computed?")
	})

	t.Run("Profitability", func(t *testing.T) {
		m := kpi.FormatMonth(kpi.AddMonths(kpi.MonthOf(time.Now()), -1))
		wantPage(t, ht.kam.postForm(ht.path("/profitability"), url.Values{"version": {"0"}, "month": {m}, "cost_to_serve": {"-3"}}),
			http.StatusUnprocessableEntity, "Must not be negative.")
		wantPage(t, ht.kam.postForm(ht.path("/profitability"), url.Values{"version": {"0"}, "month": {m}, "cost_to_serve": {"12,500"},
			"gross_margin": {"14.5"}}), http.StatusSeeOther)
		// Someone else's older form: the conflict page shows both values.
		wantPage(t, ht.admin.postForm(ht.path("/profitability"), url.Values{"version": {"0"}, "month": {m}, "cost_to_serve": {"9000"}}),
			http.StatusConflict, "12500", "9000")
		wantPage(t, ht.kam.get(ht.path("/profitability")), http.StatusOK, "€12,500", "14.5 %")
		// A key account below the 20 % threshold is warned about.
		wantPage(t, ht.kam.get(ht.path("")), http.StatusOK, "Low margin", "Gross margin 14.5 %")
	})

	t.Run("Review", func(t *testing.T) {
		wantPage(t, ht.kam.postForm(ht.path("/reviews"), url.Values{"held_on": {time.Now().Format(time.DateOnly)}}),
			http.StatusUnprocessableEntity, `id="summary-error"`)
		res := ht.kam.postForm(ht.path("/reviews"), url.Values{"held_on": {time.Now().Format(time.DateOnly)},
			"summary": {"A good quarter"}, "next_steps": {"Roadmap day in March"}, "internal_notes": {"Push for the renewal price"}})
		wantPage(t, res, http.StatusSeeOther)
		review := res.Location
		wantPage(t, ht.kam.get(review), http.StatusOK, "A good quarter", "Push for the renewal price", "first review")
		report := ht.kam.get(review + "/report")
		wantPage(t, report, http.StatusOK, "progress report", "A good quarter", "Roadmap day in March")
		for _, internal := range []string{"Push for the renewal price", `id="review-profit"`, `id="review-pipeline"`} {
			if strings.Contains(report.Body, internal) {
				t.Errorf("the client's report shows %q", internal)
			}
		}
		wantPage(t, ht.kam.get(review+"/report?notes=1&cost=1"), http.StatusOK, "Push for the renewal price", `id="review-profit"`)
	})

	t.Run("Matrix", func(t *testing.T) {
		res := ht.admin.get("/health/matrix")
		wantPage(t, res, http.StatusOK, `href="/accounts/`+ht.account.String()+`"`, "Not placed")
	})

	t.Run("TeamAndMyAccounts", func(t *testing.T) {
		wantPage(t, ht.kam.postForm(ht.path("/team"), url.Values{"user_id": {""}, "team_role": {"finance"}}),
			http.StatusUnprocessableEntity, "Choose a person.")
		wantPage(t, ht.kam.postForm(ht.path("/team"), url.Values{"user_id": {ht.adminM.UserID.String()}, "team_role": {"executive_sponsor"}}),
			http.StatusSeeOther)
		wantPage(t, ht.admin.get("/my/accounts"), http.StatusOK, "Globex", "Executive sponsor")
		wantPage(t, ht.kam.get("/my/accounts"), http.StatusOK, "Globex", "Key account manager")
	})
}

// TestRiskListPager: the risk list pages like every other list (the shared
// pager): no nav when everything fits, "Next →" keeping the filter on the
// first page, and "« First" and "← Previous" on the next.
func TestRiskListPager(t *testing.T) {
	a := newTestApp(t)
	ht := newHealthTenant(t, a, "Pager Co")
	ctx := context.Background()
	sc := db.Scope{TenantID: ht.adminM.TenantID, UserID: ht.adminM.UserID}
	// 55 key accounts without stakeholders: 55 "no decision maker"
	// warnings, 50 on the first page (health.RiskPerPage) and 5 on the
	// second. Globex has its decision maker, so it has none.
	err := a.DB.Tx(ctx, sc, recounted(sc.TenantID, func(tx pgx.Tx) error {
		// Rows written out (VALUES): on Citus an INSERT … SELECT from
		// generate_series is written into the shards with COPY, which
		// row-level security refuses.
		var values []string
		for i := 1; i <= 55; i++ {
			values = append(values, fmt.Sprintf("('Account %02d', 'key')", i))
		}
		_, err := tx.Exec(ctx, `INSERT INTO accounts (name, key_status) VALUES `+strings.Join(values, ", "))
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := health.NewStore(a.DB).RefreshTenant(ctx, sc); err != nil {
		t.Fatal(err)
	}
	first := ht.kam.get("/health/risks?kind=no_decision_maker")
	wantPage(t, first, http.StatusOK, `class="pagination"`, "Account 50", `rel="next"`)
	if strings.Contains(first.Body, "Account 51") || strings.Contains(first.Body, "« First") || strings.Contains(first.Body, `rel="prev"`) {
		t.Error("the first page shows the 51st warning or a way back")
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(first.Body)
	if next == nil || !strings.Contains(next[1], "kind=no_decision_maker") || !strings.Contains(next[1], "cursor=") {
		t.Fatalf("next link %q, want the filter and a cursor", next)
	}
	second := ht.kam.get(html.UnescapeString(next[1]))
	wantPage(t, second, http.StatusOK, "Account 51", "Account 55", `rel="prev"`,
		`<a href="/health/risks?kind=no_decision_maker">« First</a>`)
	if strings.Contains(second.Body, "Account 50<") || strings.Contains(second.Body, `rel="next"`) {
		t.Error("the second page repeats the first page's warning or offers a next page")
	}
	// One page: no pager at all.
	if body := ht.kam.get("/health/risks?kind=stale_contact").Body; strings.Contains(body, `class="pagination"`) {
		t.Error("a list that fits one page shows a pager")
	}
}
