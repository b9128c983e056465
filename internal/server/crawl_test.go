package server_test

import "context"
import "fmt"
import "net/url"
import "os"
import "path/filepath"
import "regexp"
import "sort"
import "strconv"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/chromedp/chromedp"

import "pareto/internal/db/dbtest"
import "pareto/internal/demo"

// The crawl: every page reachable from the navigation, as each role, at a
// desktop (1366×900) and a phone (375×812) width, must show
//   - no horizontal page scroll (scrollWidth ≤ innerWidth),
//   - no content hidden in a nested vertical scroll box,
//   - zero serious or critical axe-core violations,
//   - no console errors (newBrowser fails the test on any).
// axe-core comes from npm (package.json pins it, `make test` runs npm ci
// when node_modules lacks it) and is injected by the test, never served.
// With PARETO_SCREENSHOTS=dir every page is saved there at both widths.

type crawlWidth struct {
	name          string
	width, height int64
	mobile        bool
}

var crawlWidths = []crawlWidth{
	{"desktop", 1366, 900, false},
	{"phone", 375, 812, true},
}

// axeSource is axe.min.js from node_modules, found from the package folder
// upwards.
var axeSource = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
		if b, err := os.ReadFile(p); err == nil {
			return string(b), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("node_modules/axe-core/axe.min.js not found above the test folder: run `npm ci` in the repository (make test does)")
		}
		dir = parent
	}
})

// pageCheck is what the in-page probe reports.
type pageCheck struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Wide        []string `json:"wide"`   // elements sticking out to the right
	Nested      []string `json:"nested"` // vertical scroll boxes with hidden content
	Axe         []string `json:"axe"`    // serious and critical violations
}

// crawlProbe measures the page and runs axe; axe must be loaded.
const crawlProbe = `(async () => {
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.classList.length) s += "." + [...el.classList].join(".");
    return s;
  };
  const out = { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide: [], nested: [], axe: [] };
  if (out.scrollWidth > out.innerWidth) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && r.width > 0 && !el.closest(".table-scroll, .relmap")) {
        out.wide.push(name(el) + " right=" + Math.round(r.right));
        if (out.wide.length >= 5) break;
      }
    }
  }
  for (const el of document.body.querySelectorAll("*")) {
    const cs = getComputedStyle(el);
    if ((cs.overflowY === "auto" || cs.overflowY === "scroll") && el.scrollHeight > el.clientHeight + 2 && el.clientHeight > 0) {
      out.nested.push(name(el) + " shows " + el.clientHeight + " of " + el.scrollHeight + "px");
    }
  }
  // Every rule at the first width; at the next ones only the rules whose
  // outcome a narrower layout can change (axe over a whole page is slow on
  // this shared machine).
  const opts = FULL ? { resultTypes: ["violations"] } :
    { resultTypes: ["violations"], runOnly: { type: "rule", values: ["scrollable-region-focusable", "nested-interactive", "meta-viewport", "label", "button-name", "link-name", "aria-hidden-focus"] } };
  const res = await axe.run(document, opts);
  for (const v of res.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
    const why = (v.nodes[0].failureSummary || "").replace(/\s+/g, " ").slice(0, 220);
    out.axe.push(v.impact + " " + v.id + " (" + v.nodes.length + "): " + v.help + " — " + where + " — " + why);
  }
  return out;
})()`

// crawlLinks lists the same-origin links of the navigation and the page.
const crawlLinks = `[...document.querySelectorAll("header a[href], main a[href]")]
  .map((a) => new URL(a.getAttribute("href"), location.href).href).filter((h) => h.startsWith(location.origin))`

var uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// crawlKey is a link's route: ids collapsed, query dropped, so the crawl
// visits each kind of page once.
func crawlKey(u *url.URL) string { return uuidRe.ReplaceAllString(u.Path, "{id}") }

// crawlSkip says which links are not pages to check: downloads (CSV, the
// API's JSON documents), printouts that mirror a checked page, and the way
// out.
func crawlSkip(u *url.URL) bool {
	p := u.Path
	return strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".json") || strings.HasPrefix(p, "/static/") || p == "/logout" ||
		strings.HasSuffix(p, "/print")
}

func TestBrowserCrawlEveryPage(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if dbtest.Citus() {
		// Layout and accessibility do not depend on the database, and the
		// crawl is the longest browser test: `make test` runs it, the Citus
		// suite (database behaviour) does not.
		t.Skip("the crawl checks pages, not SQL: run by make test, not on Citus")
	}
	axeJS, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t)
	if err := demo.Seed(context.Background(), app.DB); err != nil {
		t.Fatal(err)
	}
	shared := &crawlClaims{seen: map[string]bool{}}
	for _, who := range []struct{ role, email string }{
		{"admin", demo.AdminEmail},
		{"leader", "leader@acme.test"},
		{"kam", "kam1@acme.test"},
	} {
		t.Run(who.role, func(t *testing.T) {
			t.Parallel()
			crawlAs(t, app, who.role, who.email, axeJS, shared)
		})
	}
}

// crawlMaxPages bounds one role's crawl (kinds of page, not links).
const crawlMaxPages = 80

// crawlClaims shares the pages below the navigation between the roles:
// the navigation's own pages (which differ by role) are checked for every
// role, a page reached from them (one account, one plan) by the first
// role that finds it.
type crawlClaims struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *crawlClaims) claim(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[key] {
		return false
	}
	c.seen[key] = true
	return true
}

func crawlAs(t *testing.T, app *testApp, role, email, axeJS string, shared *crawlClaims) {
	ctx := newBrowserFor(t, 14*time.Minute)
	browserDo(t, ctx, "sign in as "+email,
		chromedp.Navigate(app.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("nav.mainnav")),
	)
	checkMobileMenu(t, ctx, role)
	base, _ := url.Parse(app.URL)
	seen := map[string]bool{}
	queue := []string{app.URL + "/"}
	seen["/"] = true
	var visited []string
	for len(queue) > 0 && len(visited) < crawlMaxPages {
		page := queue[0]
		queue = queue[1:]
		visited = append(visited, page)
		links := crawlPage(t, ctx, role, page, axeJS)
		navPage := len(visited) == 1
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || u.Host != base.Host || crawlSkip(u) {
				continue
			}
			k := crawlKey(u)
			if seen[k] {
				continue
			}
			seen[k] = true
			if !navPage && !shared.claim(k) {
				continue // another role checks it
			}
			u.Fragment = ""
			queue = append(queue, u.String())
		}
	}
	if len(queue) > 0 {
		t.Errorf("%s: crawl stopped at %d kinds of page with %d unvisited; raise crawlMaxPages", role, len(visited), len(queue))
	}
	sort.Strings(visited)
	t.Logf("%s: %d pages checked at both widths", role, len(visited))
}

// crawlPage opens page, checks it at every width and returns its links.
func crawlPage(t *testing.T, ctx context.Context, role, page, axeJS string) []string {
	t.Helper()
	pu, _ := url.Parse(page)
	path := pu.RequestURI()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(crawlWidths[0].width, crawlWidths[0].height), chromedp.Navigate(page),
		chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Errorf("%s %s: open: %v", role, path, err)
		return nil
	}
	// Content the page loads after itself (the shortlist's chart, hx-trigger
	// "load") must have arrived and settled: axe measured the old element
	// fading out (.htmx-swapping, opacity 0.6) as a contrast failure.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.querySelector('[hx-trigger~="load"], .htmx-request, .htmx-swapping, .htmx-settling')`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("%s %s: what the page loads after itself did not arrive: %v", role, path, err)
	}
	time.Sleep(250 * time.Millisecond) // htmx's transitions (0.15–0.2 s) end
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeJS)); err != nil {
		t.Fatalf("%s %s: load axe: %v", role, path, err)
	}
	for i, w := range crawlWidths {
		opts := []chromedp.EmulateViewportOption{}
		if w.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height, opts...)); err != nil {
			t.Fatalf("%s %s: %s viewport: %v", role, path, w.name, err)
		}
		probe := strings.Replace(crawlProbe, "FULL", strconv.FormatBool(i == 0), 1)
		c, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](probe, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Errorf("%s %s at %s: probe: %v", role, path, w.name, err)
			continue
		}
		if c.ScrollWidth > c.InnerWidth {
			t.Errorf("%s %s at %s: page scrolls sideways (scrollWidth %d > %d): %s", role, path, w.name, c.ScrollWidth, c.InnerWidth, strings.Join(c.Wide, "; "))
		}
		for _, n := range c.Nested {
			t.Errorf("%s %s at %s: content hidden in a nested scroll box: %s", role, path, w.name, n)
		}
		for _, v := range c.Axe {
			t.Errorf("%s %s at %s: axe: %s", role, path, w.name, v)
		}
		if dir := os.Getenv("PARETO_SCREENSHOTS"); dir != "" {
			name := role + "_" + w.name + strings.NewReplacer("/", "_", "{id}", "id").Replace(crawlKey(pu))
			browserScreenshot(t, ctx, name)
		}
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](crawlLinks))
	if err != nil {
		t.Errorf("%s %s: links: %v", role, path, err)
	}
	return links
}

// checkMobileMenu: below 700px the navigation folds behind the Menu button
// (defect of issue 17: a phone had no navigation), which opens it.
func checkMobileMenu(t *testing.T, ctx context.Context, role string) {
	t.Helper()
	shown := func() bool {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("nav.mainnav")).display !== "none"`))
		if err != nil {
			t.Fatalf("%s: menu: %v", role, err)
		}
		return v
	}
	browserDo(t, ctx, "phone width", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	if shown() {
		t.Errorf("%s: at 375px the navigation is not folded behind the Menu button", role)
	}
	browserDo(t, ctx, "open the menu", chromedp.Click(chromedp.CSS("button.nav-toggle")))
	if !shown() || browserValueAttr(t, ctx, "button.nav-toggle", "aria-expanded") != "true" {
		t.Errorf("%s: the Menu button does not open the navigation", role)
	}
	browserDo(t, ctx, "desktop width", chromedp.EmulateViewport(1366, 900))
	if !shown() {
		t.Errorf("%s: at 1366px the navigation is hidden", role)
	}
}

// browserValueAttr is attribute name of the first element sel matches.
func browserValueAttr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).getAttribute(`+strconv.Quote(name)+`) || ""`))
	if err != nil {
		t.Fatalf("browser: attribute %s of %s: %v", name, sel, err)
	}
	return v
}
