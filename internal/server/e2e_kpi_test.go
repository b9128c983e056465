package server_test

import "strings"
import "testing"

import "github.com/chromedp/chromedp"

// TestKPIJourney: a leader opens the portfolio dashboard, changes the
// period, drills into a KAM and then into one of their accounts.
func TestKPIJourney(t *testing.T) {
	ks := newKPISetup(t)
	ctx := newBrowser(t) // after the set-up: the browser's time limit is for the journey
	base := ks.a.URL

	browserSignIn(t, ctx, base, "leader@acmekpi.test", "#home-portfolio-heading")
	browserScreenshot(t, ctx, "kpi-home-leader.png")
	browserDo(t, ctx, "open the portfolio dashboard",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/dashboards"]`)),
		chromedp.WaitVisible(chromedp.CSS("#months svg.chart-line polyline")),
	)
	if h := browserText(t, ctx, "h1"); h != "Portfolio dashboard" {
		t.Fatalf("heading %q", h)
	}
	before := browserText(t, ctx, ".page-header .subtitle")
	browserScreenshot(t, ctx, "kpi-portfolio.png")

	// Change the period: the select submits its form (app.js); without
	// JavaScript the Apply button does the same.
	browserDo(t, ctx, "change the period",
		chromedp.SetValue(chromedp.CSS("#dash-period"), "3m"),
		chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`#dash-period option[value="3m"][selected]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "period=3m") {
		t.Fatalf("location after changing the period: %q %v", loc, err)
	}
	after := browserText(t, ctx, ".page-header .subtitle")
	if after == before || !strings.Contains(after, "–") {
		t.Errorf("subtitle did not change with the period: %q → %q", before, after)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#months tbody tr").length`)); err != nil || n != 3 {
		t.Errorf("3-month table has %d rows (%v)", n, err)
	}

	browserDo(t, ctx, "drill into a KAM",
		chromedp.Click(chromedp.CSS(`#kams tbody a[href^="/dashboards/kams/`+ks.otherKAM.UserID.String()+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#accounts")),
	)
	if h := browserText(t, ctx, "h1"); h != "Dashboard: Second KAM" {
		t.Fatalf("KAM heading %q", h)
	}
	if sel := browserValue(t, ctx, `#dash-period`); sel != "3m" {
		t.Errorf("the KAM dashboard lost the period: %q", sel)
	}
	browserScreenshot(t, ctx, "kpi-kam.png")

	browserDo(t, ctx, "drill into an account",
		chromedp.Click(chromedp.CSS(`#accounts tbody th a`)),
		chromedp.WaitVisible(chromedp.CSS("#kpis-heading")),
	)
	if h := browserText(t, ctx, "h1"); h != "Theirs Holding: KPIs" {
		t.Fatalf("account heading %q", h)
	}
	browserDo(t, ctx, "see the trend and the grid",
		chromedp.WaitVisible(chromedp.CSS("#kpis svg.sparkline polyline")),
		chromedp.WaitVisible(chromedp.CSS("#grid table.kpi-grid")),
	)
	browserScreenshot(t, ctx, "kpi-account.png")
}
