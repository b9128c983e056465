package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// kpiBrowser starts a headless Chromium for one test (skipped under
// -short) and returns a context to run actions in.
func kpiBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser journey skipped in -short mode")
	}
	dir, err := os.MkdirTemp("", "pareto-kpi-chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// kpiStep runs browser actions with a timeout, failing the test with what
// the step was for.
func kpiStep(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func kpiText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.TextContent(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

func kpiScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("KPI_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestKPIJourney: a leader opens the portfolio dashboard, changes the
// period, drills into a KAM and then into one of their accounts.
func TestKPIJourney(t *testing.T) {
	ctx := kpiBrowser(t)
	ks := newKPISetup(t)
	base := ks.a.URL

	kpiStep(t, ctx, "sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "leader@acmekpi.test"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#home-portfolio-heading")),
	)
	kpiScreenshot(t, ctx, "kpi-home-leader.png")
	kpiStep(t, ctx, "open the portfolio dashboard",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/dashboards"]`)),
		chromedp.WaitVisible(chromedp.CSS("#months svg.chart-line polyline")),
	)
	if h := kpiText(t, ctx, "h1"); h != "Portfolio dashboard" {
		t.Fatalf("heading %q", h)
	}
	before := kpiText(t, ctx, ".page-header .subtitle")
	kpiScreenshot(t, ctx, "kpi-portfolio.png")

	// Change the period: the select submits its form (app.js); without
	// JavaScript the Apply button does the same.
	kpiStep(t, ctx, "change the period",
		chromedp.SetValue(chromedp.CSS("#dash-period"), "3m"),
		chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`#dash-period option[value="3m"][selected]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "period=3m") {
		t.Fatalf("location after changing the period: %q %v", loc, err)
	}
	after := kpiText(t, ctx, ".page-header .subtitle")
	if after == before || !strings.Contains(after, "–") {
		t.Errorf("subtitle did not change with the period: %q → %q", before, after)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#months tbody tr").length`)); err != nil || n != 3 {
		t.Errorf("3-month table has %d rows (%v)", n, err)
	}

	kpiStep(t, ctx, "drill into a KAM",
		chromedp.Click(chromedp.CSS(`#kams tbody a[href^="/dashboards/kams/`+ks.otherKAM.UserID.String()+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#accounts")),
	)
	if h := kpiText(t, ctx, "h1"); h != "Dashboard: Second KAM" {
		t.Fatalf("KAM heading %q", h)
	}
	if sel := kpiText(t, ctx, `#dash-period option[selected]`); sel != "Last 3 months" {
		t.Errorf("the KAM dashboard lost the period: %q", sel)
	}
	kpiScreenshot(t, ctx, "kpi-kam.png")

	kpiStep(t, ctx, "drill into an account",
		chromedp.Click(chromedp.CSS(`#accounts tbody th a`)),
		chromedp.WaitVisible(chromedp.CSS("#kpis-heading")),
	)
	if h := kpiText(t, ctx, "h1"); h != "Theirs Holding: KPIs" {
		t.Fatalf("account heading %q", h)
	}
	kpiStep(t, ctx, "see the trend and the grid",
		chromedp.WaitVisible(chromedp.CSS("#kpis svg.sparkline polyline")),
		chromedp.WaitVisible(chromedp.CSS("#grid table.kpi-grid")),
	)
	kpiScreenshot(t, ctx, "kpi-account.png")
}
