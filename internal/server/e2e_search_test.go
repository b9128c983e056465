package server_test

import "context"
import "strings"
import "testing"

import "github.com/chromedp/cdproto/cdp"
import "github.com/chromedp/cdproto/input"
import "github.com/chromedp/chromedp"
import "github.com/chromedp/chromedp/kb"

import "pareto/internal/account"

// pressSlash presses "/" as a keyboard does: one keyDown that carries the
// text, so a page that cancels the keydown keeps the slash out of any
// field (chromedp.KeyEvent sends the text in a separate char event that
// no keydown handler can cancel).
var pressSlash = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "/", Code: "Slash", Text: "/", WindowsVirtualKeyCode: 191}
	if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, down); err != nil {
		return err
	}
	up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191}
	_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, up)
	return err
})

// TestSearchJourney: a KAM presses "/" on the account list, types a name
// into the header's search, presses Enter and opens the account found;
// "/" typed inside a field stays in the field.
func TestSearchJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey")
	}
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Seek Co")
	acme := at.account(t, account.Input{"name": "Acme Rockets", "industry": "Aerospace"})
	at.account(t, account.Input{"name": "Globex"})

	b := newBrowser(t)
	browserSignIn(t, b, a.URL, "kam@seekco.test", "#overdue-steps")
	browserVisit(t, b, a.URL+"/accounts", "#accounts-table")
	browserDo(t, b, `"/" in the list's filter types a slash`,
		chromedp.Click(chromedp.CSS("#f-q")),
		chromedp.KeyEvent("a"),
		pressSlash,
	)
	if v := browserValue(t, b, "#f-q"); !strings.HasSuffix(v, "a/") {
		t.Fatalf("the filter holds %q: the slash was taken from it", v)
	}
	browserVisit(t, b, a.URL+"/accounts", "#accounts-table")
	browserDo(t, b, `"/" focuses the search`,
		chromedp.Click(chromedp.CSS("h1")),
		pressSlash,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.activeElement && document.activeElement.id === "global-search"`)(ctx, tg)
			return err
		}),
		chromedp.KeyEvent("acme r"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#search-accounts")),
	)
	if v := browserValue(t, b, "#search-page-q"); v != "acme r" {
		t.Fatalf("the results page's field holds %q (the slash was typed into it?)", v)
	}
	if got := browserText(t, b, "#search-accounts"); !strings.Contains(got, "Acme Rockets") || strings.Contains(got, "Globex") {
		t.Fatalf("results %q", got)
	}
	browserClick(t, b, "#search-accounts a", "#account-name")
	if loc, _ := chromedp.Run(b, chromedp.Location()); !strings.HasSuffix(loc, "/accounts/"+acme.ID.String()) {
		t.Fatalf("opened %s", loc)
	}
	assertNoConsoleErrors(t, b)
}
