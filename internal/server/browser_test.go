package server_test

import "bytes"
import "context"
import "net/url"
import "os"
import "path/filepath"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/chromedp/cdproto/log"
import "github.com/chromedp/cdproto/runtime"
import "github.com/chromedp/chromedp"

// Browser journeys drive the system Chromium through the real server.
// They skip only under -short; a missing Chromium fails them, so CI cannot
// pass by accident on a machine without a browser.

// browserTimeout bounds one test's whole browser session. Generous: the
// password reset journey keeps one browser open for over 60 s when eight
// of them run at once on the shared 2-core machine (load 40).
const browserTimeout = 3 * time.Minute

// consoleLog collects what the page reported as broken: uncaught
// exceptions, console.error calls and browser log entries of level error
// (CSP violations, failed loads).
type consoleLog struct {
	mu     sync.Mutex
	errors []string
	// expected counts the errors containing each key: errors a test causes
	// on purpose (expectConsoleError), kept out of errors.
	expected map[string]int
}

func (c *consoleLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for want := range c.expected {
		if strings.Contains(s, want) {
			c.expected[want]++
			return
		}
	}
	c.errors = append(c.errors, s)
}

// expect makes errors containing want expected from now on and returns
// how many were seen so far.
func (c *consoleLog) expect(want string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expected == nil {
		c.expected = map[string]int{}
	}
	if _, ok := c.expected[want]; !ok {
		c.expected[want] = 0
		kept := c.errors[:0]
		for _, e := range c.errors {
			if strings.Contains(e, want) {
				c.expected[want]++
			} else {
				kept = append(kept, e)
			}
		}
		c.errors = kept
	}
	return c.expected[want]
}

// take returns the errors seen so far and forgets them.
func (c *consoleLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	errs := c.errors
	c.errors = nil
	return errs
}

type consoleKey struct{}

// chromiumPaths are where the browser is looked for when CHROMIUM_PATH is
// not set; scripts/ensure-chromium.sh accepts the same ones.
var chromiumPaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// findChromium returns CHROMIUM_PATH when set (even if wrong, so the
// failure names it), else the first of chromiumPaths that exists, else "".
func findChromium() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	for _, p := range chromiumPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns
// its context. The browser stops, and the profile is removed, when t ends;
// t fails if the page reported any error that the test did not take with
// takeConsoleErrors.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, browserTimeout)
}

// newBrowserFor is newBrowser with a longer bound, for the crawl.
func newBrowserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	execPath := findChromium()
	if execPath == "" {
		t.Fatalf("browser test: no Chromium found (CHROMIUM_PATH=%q, then %s); install it (Debian: apt-get install chromium, or `make chromium` as root) or set CHROMIUM_PATH",
			os.Getenv("CHROMIUM_PATH"), strings.Join(chromiumPaths, ", "))
	}
	profile, err := os.MkdirTemp("", "pareto-chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	}
	// The timeout lives on the allocator: it bounds the test and stops the
	// browser with it.
	base, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, append(chromedp.DefaultExecAllocatorOptions[:], opts...)...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	console := &consoleLog{}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
		if err := os.RemoveAll(profile); err != nil {
			t.Logf("remove browser profile: %v", err)
		}
		if errs := console.take(); len(errs) > 0 {
			t.Errorf("the page reported errors:\n  %s", strings.Join(errs, "\n  "))
		}
	})
	// Start the browser and listen before the first page loads.
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			console.add("exception: " + msg + " at " + d.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					if a.Description != "" {
						parts = append(parts, a.Description)
					} else {
						parts = append(parts, string(a.Value))
					}
				}
				console.add("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				console.add("log (" + string(ev.Entry.Source) + "): " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatalf("start Chromium %s: %v", execPath, err)
	}
	return context.WithValue(ctx, consoleKey{}, console)
}

// takeConsoleErrors returns the errors the page reported so far, and
// forgets them.
func takeConsoleErrors(ctx context.Context) []string {
	return ctx.Value(consoleKey{}).(*consoleLog).take()
}

// expectConsoleError waits (up to five seconds) until the page has
// reported an error containing want — the browser logs a refused request
// a moment after the page shows its answer — and fails t on any other
// error reported by then. Errors containing want stay expected for the
// rest of the test: a refused request may be logged twice (seen on the
// Citus cluster, where answers come later).
func expectConsoleError(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	c := ctx.Value(consoleKey{}).(*consoleLog)
	deadline := time.Now().Add(5 * time.Second)
	for c.expect(want) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if c.expect(want) == 0 {
		t.Errorf("the page reported no error containing %q", want)
	}
	for _, e := range c.take() {
		t.Errorf("unexpected page error: %s", e)
	}
}

// assertNoConsoleErrors fails t if the page reported an error: a CSP
// violation, a script error, a failed load.
func assertNoConsoleErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	if errs := takeConsoleErrors(ctx); len(errs) > 0 {
		t.Errorf("the page reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

// browserDo runs browser steps, failing t with what was being done.
func browserDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}

// browserVisit opens url and waits until sel is visible.
func browserVisit(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	browserDo(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// browserSignIn signs email in with the test password at base and waits
// until next (something only the home page has) is visible.
func browserSignIn(t *testing.T, ctx context.Context, base, email, next string) {
	t.Helper()
	browserDo(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(next)),
	)
}

// browserFill types each value into the field its CSS selector names.
func browserFill(t *testing.T, ctx context.Context, fields [][2]string) {
	t.Helper()
	for _, f := range fields {
		browserDo(t, ctx, "fill "+f[0], chromedp.WaitVisible(chromedp.CSS(f[0])), chromedp.Clear(chromedp.CSS(f[0])), chromedp.SendKeys(chromedp.CSS(f[0]), f[1]))
	}
}

// browserClick clicks the element sel and waits until next is visible:
// next must be something only the following page has.
func browserClick(t *testing.T, ctx context.Context, sel, next string) {
	t.Helper()
	browserDo(t, ctx, "click "+sel+", then wait for "+next, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(next)))
}

// browserText returns the visible text of the first element sel matches.
func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	// A node found just before the page replaced it ("No node with given id
	// found", seen on a loaded Citus run) is looked up again, a few times.
	var s string
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err == nil {
			return strings.TrimSpace(s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("browser: text of %s: %v", sel, err)
	return ""
}

// browserValue returns the value of the form field sel.
func browserValue(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("browser: value of %s: %v", sel, err)
	}
	return s
}

// assertHTMX checks that htmx loaded (the CSP allows it) and is 2.x.
func assertHTMX(t *testing.T, ctx context.Context) {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof htmx === "undefined" ? "" : htmx.version`))
	if err != nil {
		t.Fatalf("browser: read htmx.version: %v", err)
	}
	if !strings.HasPrefix(v, "2.") {
		t.Errorf("htmx.version = %q, want 2.x loaded", v)
	}
}

// The selectors below are things only one page has.
const (
	dashboardHeading = "body.app .page-header h1"
	loginForm        = `form[action="/login"]`
	signOutButton    = `form[action="/logout"] button`
)

func TestBrowserSignupLoginDashboard(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t)
	const (
		email    = "ada@lovelace.test"
		password = "analytical-engine-1843"
	)

	// Sign up through the form.
	browserVisit(t, ctx, app.URL+"/signup", "#org_name")
	browserFill(t, ctx, [][2]string{
		{"#org_name", "Lovelace Engines"},
		{"#name", "Ada Lovelace"},
		{"#email", email},
		{"#password", password},
	})
	browserClick(t, ctx, `form[action="/signup"] button[type=submit]`, "#mail-sent")
	if got := browserText(t, ctx, "h1"); got != "Check your email" {
		t.Fatalf("after signup: heading %q, want Check your email", got)
	}
	// The confirmation mail's link creates the organisation.
	browserVisit(t, ctx, app.URL+app.mailLink(email, "Confirm your email", "/signup/"), `form[action^="/signup/"] button`)
	browserClick(t, ctx, `form[action^="/signup/"] button[type=submit]`, dashboardHeading)
	if got, want := browserText(t, ctx, dashboardHeading), "Welcome, Ada Lovelace"; got != want {
		t.Errorf("dashboard heading after signup = %q, want %q", got, want)
	}
	if got := browserText(t, ctx, ".flash"); !strings.Contains(got, "Your organisation is ready") {
		t.Errorf("flash after signup = %q", got)
	}
	assertHTMX(t, ctx)

	// Sign out, then in again.
	browserClick(t, ctx, signOutButton, loginForm)
	if got := browserText(t, ctx, ".flash"); !strings.Contains(got, "signed out") {
		t.Errorf("flash after sign out = %q", got)
	}
	// Signed out means signed out: the dashboard sends us back to sign in.
	browserVisit(t, ctx, app.URL+"/", loginForm)
	browserFill(t, ctx, [][2]string{{"#email", email}, {"#password", password}})
	browserClick(t, ctx, loginForm+" button[type=submit]", dashboardHeading)
	if got, want := browserText(t, ctx, dashboardHeading), "Welcome, Ada Lovelace"; got != want {
		t.Errorf("dashboard heading after sign in = %q, want %q", got, want)
	}
	if got := browserText(t, ctx, ".page-header .subtitle"); !strings.Contains(got, "Lovelace Engines") {
		t.Errorf("dashboard subtitle = %q, want the organisation name", got)
	}
	health, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#setup-health")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(health), " "); !strings.Contains(got, "1 active member: 1 admin") {
		t.Errorf("setup health reads %q, want the one admin counted", got)
	}
	assertHTMX(t, ctx)

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(t.TempDir(), "dashboard.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("screenshot %s: empty or missing (%v)", path, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot is not a PNG")
	}

	assertNoConsoleErrors(t, ctx)
}

func TestBrowserAdminInvitesUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := newBrowser(t)

	browserVisit(t, admin, app.URL+"/signup", "#org_name")
	browserFill(t, admin, [][2]string{
		{"#org_name", "Babbage Works"},
		{"#name", "Charles Babbage"},
		{"#email", "charles@babbage.test"},
		{"#password", "difference-engine-1822"},
	})
	browserClick(t, admin, `form[action="/signup"] button[type=submit]`, "#mail-sent")
	browserVisit(t, admin, app.URL+app.mailLink("charles@babbage.test", "Confirm your email", "/signup/"), `form[action^="/signup/"] button`)
	browserClick(t, admin, `form[action^="/signup/"] button[type=submit]`, dashboardHeading)

	// Admin → People, invite a KAM.
	browserClick(t, admin, `nav.mainnav a[href="/admin/users"]`, "#invite-email")
	if got := browserText(t, admin, "h1"); got != "People" {
		t.Errorf("admin page heading = %q, want People", got)
	}
	browserFill(t, admin, [][2]string{{"#invite-email", "grace@babbage.test"}})
	browserDo(t, admin, "choose the KAM role", chromedp.SetValue(chromedp.CSS("#invite-role"), "kam"))
	browserClick(t, admin, `form[action="/admin/invites"] button[type=submit]`, ".flash")
	if got := browserText(t, admin, ".flash"); !strings.Contains(got, "Invitation sent to grace@babbage.test") {
		t.Errorf("flash after inviting = %q", got)
	}
	// The invitation is a mail; the page shows its link this once, in a
	// read-only field with a Copy button that says it copied.
	invitePath := app.mailLink("grace@babbage.test", "invited you to Babbage Works", "/invites/")
	link := browserValue(t, admin, "#invite-link")
	if !strings.HasSuffix(link, invitePath) {
		t.Errorf("the link field holds %q, the mail links %q", link, invitePath)
	}
	browserDo(t, admin, "copy the link", chromedp.Click(chromedp.CSS("#invite-link-copy")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.getElementById("invite-link-status").textContent !== ""`)(ctx, tg)
			return err
		}))
	// Headless Chromium may refuse the clipboard API; the fallback then
	// copies the selection, or selects the link and says how to copy it.
	if got := browserText(t, admin, "#invite-link-status"); got != "Copied" && !strings.HasPrefix(got, "Selected: press Ctrl+C") {
		t.Errorf("copy status = %q", got)
	}
	if got := browserText(t, admin, "table.data"); !strings.Contains(got, "Charles Babbage") {
		t.Errorf("members table lacks the admin: %q", got)
	}
	assertNoConsoleErrors(t, admin)

	// The invitee opens the link shown in a browser of their own. The test
	// server is configured with another base URL, so keep only the link's
	// path.
	shown, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	kam := newBrowser(t)
	browserVisit(t, kam, app.URL+shown.Path, "#name")
	if got := browserText(t, kam, "h1"); got != "Join Babbage Works" {
		t.Errorf("invite page heading = %q", got)
	}
	if got := browserText(t, kam, ".subtitle"); !strings.Contains(got, "Key account manager") && !strings.Contains(got, "grace@babbage.test") {
		t.Errorf("invite page subtitle = %q, want the role and email", got)
	}
	browserFill(t, kam, [][2]string{{"#name", "Grace Hopper"}, {"#password", "compiler-a0-1952"}})
	browserClick(t, kam, `form[action^="/invites/"]:not([action$="/join"]) button[type=submit]`, dashboardHeading)
	if got, want := browserText(t, kam, dashboardHeading), "Welcome, Grace Hopper"; got != want {
		t.Errorf("dashboard heading of the new KAM = %q, want %q", got, want)
	}
	nav := browserText(t, kam, "nav.mainnav")
	if strings.Contains(nav, "Admin") {
		t.Errorf("a KAM's navigation shows Admin: %q", nav)
	}
	for _, want := range []string{"Dashboard", "Accounts"} {
		if !strings.Contains(nav, want) {
			t.Errorf("a KAM's navigation lacks %s: %q", want, nav)
		}
	}
	if got := browserText(t, kam, ".user-menu .badge"); got != "kam" {
		t.Errorf("role badge = %q, want kam", got)
	}
	assertHTMX(t, kam)
	assertNoConsoleErrors(t, kam)

	// The admin sees the new member once the page is reloaded; the link is
	// not shown again.
	browserVisit(t, admin, app.URL+"/admin/users", "#invite-email")
	if again, err := chromedp.Run(admin, chromedp.Evaluate[bool](`document.getElementById("invite-link") !== null`)); err != nil || again {
		t.Errorf("the invitation link is shown after a reload (%v)", err)
	}
	if got := browserText(t, admin, "table.data"); !strings.Contains(got, "Grace Hopper") {
		t.Errorf("members table lacks the new KAM: %q", got)
	}
	assertNoConsoleErrors(t, admin)
}

// TestBrowserReportsCSPViolations proves the console listener works: an
// inline style breaks the policy, and the helper must see it. Without this
// the journeys' "no errors" checks could pass by listening to nothing.
func TestBrowserReportsCSPViolations(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t)
	browserVisit(t, ctx, app.URL+"/login", loginForm)
	assertNoConsoleErrors(t, ctx)
	browserDo(t, ctx, "add an inline style and throw",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.createElement("style");
			s.textContent = "body { color: red }";
			document.head.appendChild(s);
			setTimeout(() => { throw new Error("boom from the test") }, 0);
		})()`))
	deadline := time.Now().Add(5 * time.Second)
	var errs []string
	for time.Now().Before(deadline) {
		errs = append(errs, takeConsoleErrors(ctx)...)
		joined := strings.Join(errs, "\n")
		if strings.Contains(joined, "Content Security Policy") && strings.Contains(joined, "boom from the test") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("the listener missed the CSP violation or the exception; saw:\n  %s", strings.Join(errs, "\n  "))
}

// browserScreenshot saves a full-page PNG into $PARETO_SCREENSHOTS, or the
// test's temp folder, and logs where.
func browserScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("PARETO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, strings.TrimSuffix(name, ".png")+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}
