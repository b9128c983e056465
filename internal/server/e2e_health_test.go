package server_test

import "context"
import "strings"
import "testing"
import "time"

import "github.com/chromedp/chromedp"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/scoring"

// TestHealthJourney: an admin sets the health weights and the 2×2's
// lines; the KAM sees Globex's stale-contact warning, logs a meeting with
// the stale stakeholder and sees it clear, records a referral, holds a
// review and prints its progress report (internal notes left out until
// ticked in); a leader opens the 2×2 and clicks through to Globex in the
// "repair" quadrant.
func TestHealthJourney(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t)
	ht := newHealthTenant(t, a, "Acme Journey")
	a.addMember(ht.adminM, "leader@acmejourney.test", "Lena Leader", auth.RoleLeader)
	bg := context.Background()
	sc := db.Scope{TenantID: ht.adminM.TenantID, UserID: ht.adminM.UserID}
	// Globex is attractive: a selection score of 9 on one criterion.
	ss := scoring.NewStore(a.DB)
	c, err := ss.EnableStandard(bg, sc, "product_fit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss.SaveScores(bg, sc, auth.RoleAdmin, ht.account, []scoring.CellInput{{CriterionID: c.ID, Score: "9"}}); err != nil {
		t.Fatal(err)
	}
	if err := health.NewStore(a.DB).RefreshTenant(bg, sc); err != nil {
		t.Fatal(err)
	}
	base := a.URL
	healthSubmit := func(t *testing.T, ctx context.Context, sel, next string) {
		t.Helper()
		browserDo(t, ctx, "click "+sel+", then wait for "+next, plansClickAndLoad(sel), chromedp.WaitVisible(chromedp.CSS(next)))
	}
	signOut := func() { healthSubmit(t, ctx, signOutButton, loginForm) }

	// The admin weighs the components and moves the 2×2's health line up
	// to 95, so Globex (decision maker and champion of four roles mapped:
	// coverage 50) falls below it.
	browserSignIn(t, ctx, base, "admin@acmejourney.test", "nav.mainnav")
	browserVisit(t, ctx, base+"/admin/health", "#health-settings")
	browserFill(t, ctx, [][2]string{{"#w-coverage", "30"}, {"#w-freshness", "30"}, {"#w-plan", "10"},
		{"#w-satisfaction", "10"}, {"#w-engagement", "10"}, {"#w-margin", "10"}, {"#hs-matrix_health", "95"}})
	healthSubmit(t, ctx, `#health-settings button[type=submit]`, ".flash")
	if got := browserText(t, ctx, ".flash"); !strings.Contains(got, "Saved the health settings") {
		t.Fatalf("flash after saving the settings: %q", got)
	}
	if got := browserValue(t, ctx, "#w-coverage"); got != "30" {
		t.Errorf("coverage weight reads %q after saving, want 30", got)
	}
	signOut()

	// The KAM: Cam was last met 100 days ago (threshold 60): stale.
	browserSignIn(t, ctx, base, "kam@acmejourney.test", "nav.mainnav")
	browserVisit(t, ctx, base+ht.path(""), "#health")
	if got := browserText(t, ctx, "#health-warnings"); !strings.Contains(got, "Cam Champion") {
		t.Fatalf("warnings before the meeting: %q, want Cam Champion stale", got)
	}
	today := time.Now().Format(time.DateOnly)
	browserDo(t, ctx, "log a meeting with Cam",
		chromedp.Click(chromedp.CSS("#interactions details.add-form > summary")),
		chromedp.WaitVisible(chromedp.CSS("#in-summary")),
		chromedp.SetValue(chromedp.CSS("#in-date"), today),
		chromedp.SetValue(chromedp.CSS("#in-kind"), "meeting"),
		chromedp.Click(chromedp.CSS(`#interaction-form input[name=participants][value="`+ht.cam.String()+`"]`)),
		chromedp.SendKeys(chromedp.CSS("#in-summary"), "Lunch with Cam: renewal on track."),
	)
	healthSubmit(t, ctx, `#interaction-form button[type=submit]`, "#health")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#health-warnings li[data-kind="stale_contact"]').length`)); err != nil || n != 0 {
		t.Errorf("stale contact warnings after the meeting: %d (%v); warnings: %q", n, err, browserText(t, ctx, "#health"))
	}

	browserDo(t, ctx, "record a referral",
		chromedp.Click(chromedp.CSS("#engagement details.add-form > summary")),
		chromedp.WaitVisible(chromedp.CSS("#eng-title")),
		chromedp.SetValue(chromedp.CSS("#eng-kind"), "referral"),
		chromedp.SetValue(chromedp.CSS("#eng-date"), today),
		chromedp.SendKeys(chromedp.CSS("#eng-title"), "Referred us to Initech"),
	)
	healthSubmit(t, ctx, `#engagement-form button[type=submit]`, "#engagement-list")
	if got := browserText(t, ctx, "#engagement-list"); !strings.Contains(got, "Referred us to Initech") {
		t.Errorf("engagement log reads %q", got)
	}

	// A quarterly review, then its printable progress report.
	browserVisit(t, ctx, base+ht.path("/reviews"), "#review-form")
	browserDo(t, ctx, "hold the review",
		chromedp.SetValue(chromedp.CSS("#rv-date"), today),
		chromedp.SendKeys(chromedp.CSS("#rv-summary"), "Renewal on track; adoption growing."),
		chromedp.SendKeys(chromedp.CSS("#rv-steps"), "Joint roadmap workshop in January."),
		chromedp.SendKeys(chromedp.CSS("#rv-notes"), "Price pressure from a competitor."),
	)
	healthSubmit(t, ctx, `#review-form button[type=submit]`, "#changes")
	healthSubmit(t, ctx, `a[href$="/report"]`, "#report")
	if got := browserText(t, ctx, "#report"); !strings.Contains(got, "Joint roadmap workshop") || strings.Contains(got, "Price pressure") {
		t.Errorf("report without internal notes reads %q", got)
	}
	browserDo(t, ctx, "tick in the internal notes",
		chromedp.Click(chromedp.CSS(`#report-options input[name=notes]`)),
	)
	healthSubmit(t, ctx, `#report-options button[type=submit]`, "#report")
	if got := browserText(t, ctx, "#report"); !strings.Contains(got, "Price pressure") {
		t.Errorf("report with internal notes ticked reads %q", got)
	}
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { let p = false; window.print = () => { p = true };
		document.querySelector("[data-print]").click(); return p })()`))
	if err != nil || !printed {
		t.Errorf("the Print button did not print (%v)", err)
	}
	browserScreenshot(t, ctx, "health-report.png")
	signOut()

	// The leader: Globex sits in "repair" (score 9 ≥ 6.0, health < 95).
	browserSignIn(t, ctx, base, "leader@acmejourney.test", "nav.mainnav")
	browserVisit(t, ctx, base+"/health/matrix", "#matrix svg")
	browserScreenshot(t, ctx, "health-matrix.png")
	healthSubmit(t, ctx, `#matrix a.dot.quadrant-repair`, "#health")
	if got := browserText(t, ctx, "h1"); !strings.Contains(got, "Globex") {
		t.Errorf("the repair point led to %q, want Globex", got)
	}
	assertNoConsoleErrors(t, ctx)
}
