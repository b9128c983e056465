package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"pareto/internal/assignment"
)

// asgBrowser starts a headless Chromium for one test and returns its
// context (one tab); everything stops when the test ends.
func asgBrowser(t *testing.T) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "pareto-chrome")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 1000),
		chromedp.UserDataDir(dir),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(dir)
	})
	// Start the browser without a deadline (a deadline on the first run
	// would bound the whole browser's life).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// asgStep runs browser steps with a deadline and fails the test on error.
func asgStep(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func asgText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// TestJourneyLeaderBalancesKAMs: a leader sees four key accounts without a
// KAM, reviews the suggestions (region first, never beyond capacity) and
// assigns them all in one go, leaving both KAMs evenly loaded.
func TestJourneyLeaderBalancesKAMs(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey")
	}
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	store := assignment.NewStore(a.DB)
	ctx := context.Background()
	for m, in := range map[uuid.UUID]assignment.ProfileInput{
		tm.annM.UserID: {Capacity: "3", Regions: "EMEA", Industries: "Manufacturing"},
		tm.bobM.UserID: {Capacity: "3", Regions: "Americas"},
	} {
		if _, err := store.UpdateProfile(ctx, tm.adminScope(), m, in, 0); err != nil {
			t.Fatal(err)
		}
	}
	tm.account(t, "Bosch", "EMEA", tm.annM.UserID)
	tm.account(t, "Siemens", "EMEA", tm.annM.UserID)
	for _, n := range []struct{ name, region string }{{"Ford", "Americas"}, {"Nestle", "EMEA"}, {"Tesla", "Americas"}, {"Volvo", "EMEA"}} {
		tm.account(t, n.name, n.region, uuid.Nil)
	}

	b := asgBrowser(t)
	asgStep(t, b, "sign in",
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "lena@acme.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), testPassword),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav a[href="/kams"]`)),
	)
	asgStep(t, b, "open the KAMs page",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/kams"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#unassigned-h`)),
	)
	if h := asgText(t, b, "#unassigned-h"); !strings.Contains(h, "(4)") {
		t.Fatalf("unassigned heading %q", h)
	}
	if load := asgText(t, b, "table.kam-load tbody"); !strings.Contains(load, "2 of 3") || !strings.Contains(load, "0 of 3") {
		t.Fatalf("loads before: %q", load)
	}
	asgStep(t, b, "open the suggestions",
		chromedp.Click(chromedp.CSS(`#unassigned-h + a`)),
		chromedp.WaitVisible(chromedp.CSS(`#assign-all`)),
	)
	plan := asgText(t, b, "table.suggestions tbody")
	for _, want := range []string{
		"Region EMEA and industry Manufacturing match; 2 of 3 slots used", // Nestle → Ann, her last slot
		"Region Americas matches; 0 of 3 slots used",                      // Ford → Bob
		"No region or industry match; 2 of 3 slots used",                  // Volvo → Bob: Ann is full
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("suggestions lack %q:\n%s", want, plan)
		}
	}
	if btn := asgText(t, b, "#assign-all"); !strings.Contains(btn, "(4)") {
		t.Fatalf("button %q", btn)
	}
	asgStep(t, b, "assign all suggested",
		chromedp.Click(chromedp.CSS(`#assign-all`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
	)
	if msg := asgText(t, b, ".flash-success"); !strings.Contains(msg, "Assigned 4 key accounts as suggested.") {
		t.Fatalf("flash %q", msg)
	}
	load := asgText(t, b, "table.kam-load tbody")
	if strings.Count(load, "3 of 3") != 2 {
		t.Fatalf("loads after: %q", load)
	}
	shot, err := chromedp.Run(b, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "kams-balanced.png"), shot, 0o600); err != nil {
		t.Fatal(err)
	}

	w, err := store.Workload(ctx, tm.adminScope())
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Unassigned) != 0 {
		t.Fatalf("still unassigned: %+v", w.Unassigned)
	}
	for _, k := range w.KAMs {
		if k.KeyAccounts != 3 {
			t.Errorf("%s has %d key accounts, want 3", k.Name, k.KeyAccounts)
		}
	}
}
