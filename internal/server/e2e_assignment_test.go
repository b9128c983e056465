package server_test

import "context"
import "os"
import "path/filepath"
import "strings"
import "testing"

import "github.com/chromedp/chromedp"
import "github.com/google/uuid"

import "pareto/internal/assignment"

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

	b := newBrowser(t)
	browserDo(t, b, "sign in",
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "lena@acme.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), testPassword),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav a[href="/kams"]`)),
	)
	browserDo(t, b, "open the KAMs page",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/kams"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#unassigned-h`)),
	)
	if h := browserText(t, b, "#unassigned-h"); !strings.Contains(h, "(4)") {
		t.Fatalf("unassigned heading %q", h)
	}
	if load := browserText(t, b, "table.kam-load tbody"); !strings.Contains(load, "2 of 3") || !strings.Contains(load, "0 of 3") {
		t.Fatalf("loads before: %q", load)
	}
	browserDo(t, b, "open the suggestions",
		chromedp.Click(chromedp.CSS(`#unassigned-h + a`)),
		chromedp.WaitVisible(chromedp.CSS(`#assign-all`)),
	)
	plan := browserText(t, b, "table.suggestions tbody")
	for _, want := range []string{
		"Region EMEA and industry Manufacturing match; 2 of 3 slots used", // Nestle → Ann, her last slot
		"Region Americas matches; 0 of 3 slots used",                      // Ford → Bob
		"No region or industry match; 2 of 3 slots used",                  // Volvo → Bob: Ann is full
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("suggestions lack %q:\n%s", want, plan)
		}
	}
	if btn := browserText(t, b, "#assign-all"); !strings.Contains(btn, "(4)") {
		t.Fatalf("button %q", btn)
	}
	browserDo(t, b, "assign all suggested",
		chromedp.Click(chromedp.CSS(`#assign-all`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
	)
	if msg := browserText(t, b, ".flash-success"); !strings.Contains(msg, "Assigned 4 key accounts as suggested.") {
		t.Fatalf("flash %q", msg)
	}
	load := browserText(t, b, "table.kam-load tbody")
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
