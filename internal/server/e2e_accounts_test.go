package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"pareto/internal/account"
	"pareto/internal/auth"
	"pareto/internal/db"
)

// acctBrowser starts a headless Chromium for the accounts journeys and
// returns a context to run actions in; it stops when t ends.
func acctBrowser(t *testing.T) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "pareto-chromium")
	if err != nil {
		t.Fatal(err)
	}
	exec := "/usr/bin/chromium"
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		exec = p
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exec), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// Start the browser now, without a timeout (a timeout on the first
	// run would bound the browser's whole life).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// acctDo runs steps with a time limit, failing the test with what.
func acctDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		acctScreenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", what, err)
	}
}

// acctText returns the text of the first element matching css.
func acctText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// acctScreenshot saves a full-page PNG into the test's temp folder.
func acctScreenshot(t *testing.T, ctx context.Context, name string) {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(t.TempDir(), name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", p)
}

// TestAccountJourney: a KAM signs in, opens their account, adds a
// stakeholder and an interaction, and edits the account.
func TestAccountJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey")
	}
	a := newTestApp(t)
	_, admin := a.signup("Journey Co", "admin@journey.test")
	kam := a.addMember(admin, "kam@journey.test", "Kim Kam", auth.RoleKAM)
	ctx := context.Background()
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	f, err := account.Input{"name": `Globex <script>alert("x")</script>`, "external_ref": "G-1", "industry": "Chemicals",
		"annual_revenue": "1000000", "revenue_potential": "4000000", "status": "customer"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	acct, err := account.NewStore(a.DB).CreateAccount(ctx, sc, auth.RoleAdmin, f)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := account.Input{"name": "Initech", "industry": "Software"}.Parse()
	if _, err := account.NewStore(a.DB).CreateAccount(ctx, sc, auth.RoleAdmin, other); err != nil {
		t.Fatal(err)
	}
	// Until the assignment area lands, make the KAM the primary KAM directly.
	if err := a.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE accounts SET kam_user_id = $1 WHERE id = $2", kam.UserID, acct.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	b := acctBrowser(t)
	acctDo(t, b, "sign in",
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), "kam@journey.test"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#overdue-steps")),
	)
	acctDo(t, b, "search the list as you type",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/accounts"]`)),
		chromedp.WaitVisible(chromedp.CSS("#accounts-table")),
		chromedp.SendKeys(chromedp.CSS("#f-q"), "glob"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`!document.querySelector("#accounts-table").textContent.includes("Initech")`)(ctx, t)
			return err
		}),
	)
	if loc, _ := chromedp.Run(b, chromedp.Location()); !strings.Contains(loc, "q=glob") {
		t.Fatalf("the URL does not reflect the search: %s", loc)
	}
	acctDo(t, b, "open the account from the list",
		chromedp.Click(chromedp.CSS("#accounts-table tbody a")),
		chromedp.WaitVisible(chromedp.CSS("#account-name")),
	)
	if got := acctText(t, b, "#account-name"); got != `Globex <script>alert("x")</script>` {
		t.Fatalf("account name shows as %q, want the literal text", got)
	}
	if w := acctText(t, b, "#relationship-warnings"); !strings.Contains(w, "No stakeholders") {
		t.Fatalf("warnings %q", w)
	}

	acctDo(t, b, "add a stakeholder",
		chromedp.Click(chromedp.CSS("#stakeholders summary")),
		chromedp.SendKeys(chromedp.CSS("#st-name"), "Carla Champion"),
		chromedp.SendKeys(chromedp.CSS("#st-title"), "Head of Operations"),
		chromedp.SetValue(chromedp.CSS("#st-role"), "champion"),
		chromedp.SetValue(chromedp.CSS("#st-strength"), "strong"),
		chromedp.Click(chromedp.CSS("#stakeholder-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#stakeholder-table")),
	)
	if got := acctText(t, b, "#stakeholder-table"); !strings.Contains(got, "Carla Champion") || !strings.Contains(got, "Champion") {
		t.Fatalf("stakeholder table %q", got)
	}
	if got := acctText(t, b, "#relationship-map"); !strings.Contains(got, "Carla Champion") {
		t.Fatalf("relationship map %q", got)
	}
	if w := acctText(t, b, "#relationship-warnings"); !strings.Contains(w, "No decision maker") || strings.Contains(w, "No champion") {
		t.Fatalf("warnings after adding a champion %q", w)
	}

	acctDo(t, b, "log an interaction",
		chromedp.Click(chromedp.CSS("#interactions summary")),
		chromedp.SetValue(chromedp.CSS("#in-kind"), "call"),
		chromedp.Click(chromedp.CSS(`#interaction-form input[name=participants]`)),
		chromedp.SendKeys(chromedp.CSS("#in-summary"), "Discussed the pilot results."),
		chromedp.SendKeys(chromedp.CSS("#in-next"), "Send the offer"),
		chromedp.Click(chromedp.CSS("#interaction-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#timeline")),
	)
	if got := acctText(t, b, "#timeline"); !strings.Contains(got, "Discussed the pilot results.") ||
		!strings.Contains(got, "Carla Champion") || !strings.Contains(got, "Send the offer") {
		t.Fatalf("timeline %q", got)
	}

	acctDo(t, b, "edit the account",
		chromedp.Click(chromedp.CSS(`a[href$="/edit"].btn`)),
		chromedp.WaitVisible(chromedp.CSS("#account-form")),
		chromedp.SetValue(chromedp.CSS("#annual_revenue"), "2,500,000"),
		chromedp.Click(chromedp.CSS("#account-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#annual-revenue")),
	)
	if got := acctText(t, b, "#annual-revenue"); !strings.Contains(got, "2,500,000") {
		t.Fatalf("annual revenue shows %q after the edit", got)
	}
	if got := acctText(t, b, ".flash"); !strings.Contains(got, "Saved") {
		t.Fatalf("flash %q", got)
	}
	acctScreenshot(t, b, "account-journey")
}
