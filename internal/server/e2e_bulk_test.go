package server_test

import "context"
import "os"
import "strings"
import "testing"

import "github.com/chromedp/chromedp"

import "pareto/internal/account"

// poll waits until the expression holds.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr)(ctx, tg)
		return err
	})
}

// TestBulkAssignJourney: a leader filters the account list to Retail,
// ticks the whole page from the keyboard (Space on "tick every account
// on this page" ticks each row), unticks one row again, picks Kim as KAM
// and assigns: the list says what happened and the two ticked accounts
// are Kim's, the unticked one and the Energy account are not.
func TestBulkAssignJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey")
	}
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Bulk Journey")
	r1 := at.account(t, account.Input{"name": "Retail Alpha", "industry": "Retail"})
	r2 := at.account(t, account.Input{"name": "Retail Beta", "industry": "Retail"})
	r3 := at.account(t, account.Input{"name": "Retail Gamma", "industry": "Retail"})
	energy := at.account(t, account.Input{"name": "Energy Delta", "industry": "Energy"})

	b := newBrowser(t)
	browserSignIn(t, b, a.URL, "leader@bulkjourney.test", "nav.mainnav")
	browserVisit(t, b, a.URL+"/accounts?industry=Retail", "#bulk-form")
	browserDo(t, b, "tick the page from the keyboard, untick Retail Gamma",
		chromedp.Focus(chromedp.CSS("#select-page")),
		chromedp.KeyEvent(" "),
		poll(`document.querySelectorAll("input.select-row:checked").length === 3`),
		chromedp.Click(chromedp.CSS(`input.select-row[aria-label="Tick Retail Gamma"]`)),
		poll(`!document.getElementById("select-page").checked && document.querySelectorAll("input.select-row:checked").length === 2`),
		chromedp.SetValue(chromedp.CSS("#bulk-kam"), at.KAM.UserID.String()),
	)
	if os.Getenv("PARETO_SCREENSHOTS") != "" {
		browserScreenshot(t, b, "accounts-bulk")
	}
	browserClick(t, b, `button[name="do"][value="assign"]`, ".flash")
	if got := browserText(t, b, ".flash"); got != "2 accounts assigned to Kim Kam; 0 skipped." {
		t.Fatalf("flash %q", got)
	}
	if loc, _ := chromedp.Run(b, chromedp.Location()); !strings.HasSuffix(loc, "/accounts?industry=Retail") {
		t.Fatalf("after the action the browser is at %s, want the filtered list", loc)
	}
	for _, c := range []struct {
		acct account.Account
		kams bool
	}{{r1, true}, {r2, true}, {r3, false}, {energy, false}} {
		if got := at.get(t, c.acct.ID).KAMUserID == at.KAM.UserID; got != c.kams {
			t.Errorf("%s assigned to Kim: %v, want %v", c.acct.Name, got, c.kams)
		}
	}
	assertNoConsoleErrors(t, b)
}

// TestSavedViewJourney: a leader filters the account list to Retail (the
// list changes in place), saves the view under a name, goes back to the
// whole list and reopens the view from the bar: the filter is back.
func TestSavedViewJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey")
	}
	a := newTestApp(t)
	at := newAcctTenant(t, a, "View Journey")
	at.account(t, account.Input{"name": "Retail Alpha", "industry": "Retail"})
	at.account(t, account.Input{"name": "Energy Beta", "industry": "Energy"})

	b := newBrowser(t)
	browserSignIn(t, b, a.URL, "leader@viewjourney.test", "nav.mainnav")
	browserVisit(t, b, a.URL+"/accounts", "#accounts-table")
	browserDo(t, b, "filter to Retail in place",
		chromedp.SetValue(chromedp.CSS("#f-industry"), "Retail"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-industry").dispatchEvent(new Event("change", {bubbles: true}))`),
		poll(`location.search.indexOf("industry=Retail") >= 0 && document.querySelectorAll("#accounts-table tbody tr").length === 1`),
	)
	browserFill(t, b, [][2]string{{"#view-name", "Retail only"}})
	browserClick(t, b, `.views-save button[type="submit"]`, ".flash")
	if got := browserText(t, b, ".flash"); !strings.Contains(got, "Saved the view “Retail only”") {
		t.Fatalf("flash %q", got)
	}
	browserVisit(t, b, a.URL+"/accounts", "#accounts-table")
	if n := browserText(t, b, "#account-counts strong"); n != "2 accounts" {
		t.Fatalf("the whole list counts %q", n)
	}
	browserClick(t, b, `.views-list a`, "#accounts-table")
	if loc, _ := chromedp.Run(b, chromedp.Location()); !strings.HasSuffix(loc, "/accounts?industry=Retail") {
		t.Fatalf("the view opened %s", loc)
	}
	if got := browserText(t, b, "#accounts-table tbody"); !strings.Contains(got, "Retail Alpha") || strings.Contains(got, "Energy Beta") {
		t.Fatalf("the view lists %q", got)
	}
	if cur := browserText(t, b, `.views-list a[aria-current]`); cur != "Retail only" {
		t.Fatalf("the open view is not marked: %q", cur)
	}
	assertNoConsoleErrors(t, b)
}
