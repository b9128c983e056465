package main

import "context"
import "fmt"
import "net/http"
import "net/url"
import "os"
import "path/filepath"
import "regexp"
import "runtime"
import "strconv"
import "strings"
import "time"

import "pareto/internal/bench"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/scoring"

// scaleConfig is a `make bench-scale` run.
type scaleConfig struct {
	sizes   []int
	dataDir string        // the reused PostgreSQL cluster and seed markers
	runs    int           // timed requests per page (median)
	pairs   int           // interleaved app/bare saturated runs per size
	satTime time.Duration // each saturated run
	clients int           // closed-loop clients
	// saturatedOnly skips the pages one at a time and the sign-ins: the
	// saturated shortlist pairs alone (--saturated-only).
	saturatedOnly bool
	// pprofDir: when set, the server serves its profiles (on pprofAddr)
	// and the first saturated app run of each size writes
	// cpu-<size>.pprof, allocs-<size>.pprof and heap-<size>.pprof there,
	// with the page it served (shortlist-<size>.html).
	pprofDir, pprofAddr string
}

// pageCase is one page measured one request at a time.
type pageCase struct {
	label string // the path as printed
	get   func(st scaleTenant) string
	// follow: after GETting the path, follow its rel="next" link this
	// many times and measure that page instead (page 40 of a list).
	follow int
	post   bool // a score save instead of a GET
}

var scalePages = []pageCase{
	{label: "/", get: func(scaleTenant) string { return "/" }},
	{label: "/accounts", get: func(scaleTenant) string { return "/accounts" }},
	{label: "/accounts?page=40", get: func(scaleTenant) string { return "/accounts" }, follow: 39},
	{label: "/scoring/matrix", get: func(scaleTenant) string { return "/scoring/matrix" }},
	{label: "/admin/audit", get: func(scaleTenant) string { return "/admin/audit" }},
	{label: "/kams", get: func(scaleTenant) string { return "/kams" }},
	{label: "/shortlist", get: func(scaleTenant) string { return "/shortlist" }},
	{label: "/accounts/:id", get: func(st scaleTenant) string { return "/accounts/" + st.keyAccount.String() }},
	{label: "/dashboards", get: func(scaleTenant) string { return "/dashboards" }},
	{label: "/plans", get: func(scaleTenant) string { return "/plans" }},
	{label: "POST /accounts/:id/scores", post: true},
}

// scaleResult is what one size measured.
type scaleResult struct {
	size            int
	reused          bool
	pages           []float64 // p50 ms, in scalePages order
	appRPS, bareRPS []float64 // per pair
	ratios          []float64
	appP50          []float64 // ms, per pair
	loadAtPairs     []string
	rowsCheck       string
	appCPU, bareCPU []string // CPU per request of each process, per pair
}

func runScale(ctx context.Context, cfg scaleConfig, outFile string) error {
	started := time.Now()
	fmt.Printf("bench-scale %s, load average %s (1/5/15 min), %d CPUs\n", time.Now().UTC().Format(time.RFC3339),
		bench.LoadAverage(), runtime.NumCPU())
	if err := os.MkdirAll(cfg.dataDir, 0o755); err != nil {
		return err
	}
	dir, err := filepath.Abs(cfg.dataDir)
	if err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	progress("starting the bench-scale PostgreSQL in %s (kept between runs)", dir)
	cluster, err := db.StartLocal(ctx, filepath.Join(dir, "pg"), db.LocalOptions{})
	if err != nil {
		return err
	}
	defer cluster.Stop()
	if err := cluster.EnsureDatabase(ctx, "pareto"); err != nil {
		return err
	}
	dbURL := cluster.URL("pareto")
	if err := db.MigrateUp(ctx, dbURL); err != nil {
		return err
	}
	d, err := db.Open(ctx, dbURL, db.Options{MaxConns: 4, StatementTimeout: 30 * time.Minute})
	if err != nil {
		return err
	}
	defer d.Close()
	var tenants []scaleTenant
	results := make([]scaleResult, len(cfg.sizes))
	for i, n := range cfg.sizes {
		st, reused, err := ensureScaleTenant(ctx, d, dbURL, dir, n)
		if err != nil {
			return err
		}
		tenants = append(tenants, st)
		results[i] = scaleResult{size: n, reused: reused}
		if err := dailyHealthRun(ctx, d, st); err != nil {
			return err
		}
	}

	if cfg.pprofDir != "" {
		if cfg.pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		if err := os.MkdirAll(cfg.pprofDir, 0o755); err != nil {
			return err
		}
	}
	srv, err := startServe(ctx, dir, dbURL, cfg.pprofAddr)
	if err != nil {
		return err
	}
	defer srv.stop()
	base := srv.base
	client := bench.Client(cfg.clients)
	for i, st := range tenants {
		r := &results[i]
		sessions, err := signIn(base, []string{st.adminEmail})
		if err != nil {
			return err
		}
		cookie := sessions[st.adminEmail]
		meter := newCPUMeter(srv.cmd.Process.Pid, filepath.Join(dir, "pg", "data"))
		if cfg.saturatedOnly {
			if err := saturateShortlist(ctx, cfg, client, base, cookie, dbURL, st, r, meter); err != nil {
				return fmt.Errorf("scale %d: %w", st.size, err)
			}
			continue
		}
		progress("scale %d: pages one request at a time (median of %d)", st.size, cfg.runs)
		for _, pc := range scalePages {
			p50, err := measurePage(ctx, client, base, cookie, st, pc, cfg.runs)
			if err != nil {
				return fmt.Errorf("scale %d: %s: %w", st.size, pc.label, err)
			}
			r.pages = append(r.pages, p50)
		}
		if err := saturateShortlist(ctx, cfg, client, base, cookie, dbURL, st, r, meter); err != nil {
			return fmt.Errorf("scale %d: %w", st.size, err)
		}
	}
	if cfg.saturatedOnly {
		report := saturatedReport(cfg, results) + fmt.Sprintf("load average at the end %s; total run time %v\n",
			bench.LoadAverage(), time.Since(started).Round(time.Second))
		fmt.Print(report)
		return nil
	}
	logins, err := measureLogins(ctx, client, base, tenants)
	if err != nil {
		return err
	}
	peak, err := peakRSS(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	report := scaleReport(cfg, results, logins, peak, time.Since(started))
	fmt.Print(report)
	if outFile != "" {
		if err := os.WriteFile(outFile, []byte(report), 0o644); err != nil {
			return err
		}
		progress("results written to %s", outFile)
	}
	return nil
}

// dailyHealthRun runs the tenant's daily health run now, untimed, when it
// has not run today: the server would otherwise start it in the background
// on the first page that shows health, and at 200,000 accounts its writes
// (minutes of them) would run beside the measured requests.
func dailyHealthRun(ctx context.Context, d *db.DB, st scaleTenant) error {
	hs := health.NewStore(d)
	sc := db.Scope{TenantID: st.tenant}
	_, stale, err := hs.LastRun(ctx, sc)
	if err != nil || !stale {
		return err
	}
	progress("scale %d: the tenant's daily health run (untimed, before the measurements)", st.size)
	t0 := time.Now()
	if err := hs.RefreshTenant(ctx, sc); err != nil {
		return fmt.Errorf("scale %d: health run: %w", st.size, err)
	}
	progress("scale %d: health run took %v", st.size, time.Since(t0).Round(time.Second))
	return nil
}

// measurePage requests pc runs times, one at a time after two untimed
// warm-ups, and returns the median in milliseconds.
func measurePage(ctx context.Context, c *http.Client, base, cookie string, st scaleTenant, pc pageCase, runs int) (float64, error) {
	var req func(i int) bench.Request
	if pc.post {
		req = func(i int) bench.Request {
			acct := st.accounts[(i*101)%len(st.accounts)]
			crit := st.criterionIDs[i%len(st.criterionIDs)]
			form := url.Values{scoring.ScoreField(crit): {strconv.Itoa(scoreValue(i, len(st.accounts)))}}
			return bench.PostForm(base+"/accounts/"+acct.String()+"/scores", cookie, form.Encode())
		}
	} else {
		u := base + pc.get(st)
		for range pc.follow {
			body, err := fetch(ctx, c, u, cookie)
			if err != nil {
				return 0, err
			}
			next := nextLinkRe.FindStringSubmatch(body)
			if next == nil {
				return 0, fmt.Errorf("no rel=next link on %s", u)
			}
			u = base + htmlUnescape(next[1])
		}
		req = func(int) bench.Request { return bench.Get(u, cookie) }
	}
	var ms []float64
	for i := range runs + 2 {
		t0 := time.Now()
		status, err := req(i)(ctx, c)
		took := time.Since(t0)
		if err != nil {
			return 0, err
		}
		if status != http.StatusOK && status != http.StatusSeeOther {
			return 0, fmt.Errorf("status %d", status)
		}
		if i >= 2 {
			ms = append(ms, float64(took.Microseconds())/1000)
		}
	}
	return bench.Median(ms), nil
}

var nextLinkRe = regexp.MustCompile(`<a href="([^"]+)" rel="next"`)

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// saturateShortlist checks that the app and the bare handler serve the
// same rows, then runs pairs of closed-loop runs (app, then bare) on the
// shortlist's first page.
func saturateShortlist(ctx context.Context, cfg scaleConfig, client *http.Client, base, cookie, dbURL string, st scaleTenant, r *scaleResult,
	meter cpuMeter) error {
	bare, err := startBare(ctx, dbURL, st.tenant)
	if err != nil {
		return err
	}
	defer bare.Close()
	if err := sameShortlist(ctx, client, base+"/shortlist", cookie, bare.URL, min(50, st.size)); err != nil {
		return err
	}
	appPage, err := fetch(ctx, client, base+"/shortlist", cookie)
	if err != nil {
		return err
	}
	barePage, err := fetch(ctx, client, bare.URL, "")
	if err != nil {
		return err
	}
	r.rowsCheck = fmt.Sprintf("same 50 rows; page %d bytes (bare %d)", len(appPage), len(barePage))
	if cfg.pprofDir != "" {
		if err := os.WriteFile(filepath.Join(cfg.pprofDir, fmt.Sprintf("shortlist-%d.html", st.size)), []byte(appPage), 0o644); err != nil {
			return err
		}
	}
	ok := func(s int) bool { return s == http.StatusOK }
	app := bench.Scenario{Name: "shortlist app", OK: ok, Next: func(int) bench.Request { return bench.Get(base+"/shortlist", cookie) }}
	bs := bench.Scenario{Name: "shortlist bare", OK: ok, Next: func(int) bench.Request { return bench.Get(bare.URL, "") }}
	// Untimed warm-up of both.
	bench.Saturate(ctx, app, client, cfg.clients, time.Second)
	bench.Saturate(ctx, bs, client, cfg.clients, time.Second)
	for p := range cfg.pairs {
		load := bench.LoadAverage()
		progress("scale %d: saturated pair %d/%d (load average %s)", st.size, p+1, cfg.pairs, load)
		var profiled chan error
		if p == 0 && cfg.pprofDir != "" {
			profiled = make(chan error, 1)
			go func() { profiled <- saveProfiles(ctx, cfg.pprofAddr, cfg.pprofDir, st.size, cfg.satTime) }()
		}
		c0 := meter.read()
		a := bench.Saturate(ctx, app, client, cfg.clients, cfg.satTime)
		c1 := meter.read()
		if profiled != nil {
			if err := <-profiled; err != nil {
				return err
			}
		}
		b := bench.Saturate(ctx, bs, client, cfg.clients, cfg.satTime)
		c2 := meter.read()
		r.appCPU = append(r.appCPU, c1.sub(c0).perRequest(a.Sent))
		r.bareCPU = append(r.bareCPU, c2.sub(c1).perRequest(b.Sent))
		if a.Errors > 0 || b.Errors > 0 {
			return fmt.Errorf("saturated shortlist: %d app errors, %d bare errors", a.Errors, b.Errors)
		}
		r.loadAtPairs = append(r.loadAtPairs, load)
		r.appRPS = append(r.appRPS, a.Throughput)
		r.bareRPS = append(r.bareRPS, b.Throughput)
		r.ratios = append(r.ratios, a.Throughput/b.Throughput)
		r.appP50 = append(r.appP50, float64(a.P50.Microseconds())/1000)
	}
	return nil
}

// loginResult is the sign-in measurements: a burst of concurrent sign-ins
// (each an argon2id hash, bounded by the server's hasher) and sign-ins at
// a steady rate.
type loginResult struct {
	burst              int
	burstOK, burstBusy int
	burstP50, burstMax time.Duration
	rate               bench.Result
	ratePerSec         float64
}

// measureLogins signs in 20 people at once, then 5 a second for 10 s,
// cycling over the scale tenants' people.
func measureLogins(ctx context.Context, c *http.Client, base string, tenants []scaleTenant) (loginResult, error) {
	var emails []string
	for _, st := range tenants {
		d := scaleDomain(st.size)
		emails = append(emails, "admin@"+d, "leader@"+d)
		for i := range 4 {
			emails = append(emails, fmt.Sprintf("kam%d@%s", i+1, d))
		}
	}
	login := func(i int) bench.Request {
		form := url.Values{"email": {emails[i%len(emails)]}, "password": {benchPassword}}
		return bench.PostForm(base+"/login", "", form.Encode())
	}
	r := loginResult{burst: 20, ratePerSec: 5}
	progress("logins: a burst of %d at once, then %.0f a second", r.burst, r.ratePerSec)
	type one struct {
		status int
		took   time.Duration
	}
	out := make(chan one, r.burst)
	for i := range r.burst {
		go func() {
			t0 := time.Now()
			st, err := login(i)(ctx, c)
			if err != nil {
				st = 0
			}
			out <- one{st, time.Since(t0)}
		}()
	}
	var lat []float64
	for range r.burst {
		o := <-out
		switch o.status {
		case http.StatusSeeOther:
			r.burstOK++
		case http.StatusServiceUnavailable:
			r.burstBusy++
		}
		lat = append(lat, float64(o.took))
		r.burstMax = max(r.burstMax, o.took)
	}
	r.burstP50 = time.Duration(bench.Median(lat))
	if r.burstOK+r.burstBusy != r.burst {
		return r, fmt.Errorf("login burst: %d signed in, %d refused as busy, of %d", r.burstOK, r.burstBusy, r.burst)
	}
	s := bench.Scenario{Name: "login", Next: login, OK: func(st int) bool { return st == http.StatusSeeOther }}
	r.rate = bench.Run(ctx, s, c, r.ratePerSec, 10*time.Second, 16)
	return r, nil
}

func scaleReport(cfg scaleConfig, results []scaleResult, logins loginResult, peak int64, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nbench-scale: pages one request at a time (median of %d, after 2 warm-ups), p50 in ms\n", cfg.runs)
	fmt.Fprintf(&b, "%-28s", "page")
	for _, r := range results {
		fmt.Fprintf(&b, " %10s", thousands(r.size))
	}
	if len(results) > 1 {
		fmt.Fprintf(&b, " %8s", "growth")
	}
	b.WriteString("\n")
	for i, pc := range scalePages {
		fmt.Fprintf(&b, "%-28s", pc.label)
		for _, r := range results {
			fmt.Fprintf(&b, " %10.1f", r.pages[i])
		}
		if len(results) > 1 {
			first, last := results[0].pages[i], results[len(results)-1].pages[i]
			fmt.Fprintf(&b, " %7.2f×  ≤ 2× %s", last/first, verdict(last <= 2*first))
		}
		b.WriteString("\n")
	}
	b.WriteString(saturatedReport(cfg, results))
	if len(results) > 1 {
		first, last := bench.Median(results[0].appP50), bench.Median(results[len(results)-1].appP50)
		fmt.Fprintf(&b, "  app p50 at %s accounts %.1f ms vs %.1f ms at %s: %.2f×  ≤ 1.5× %s\n", thousands(results[len(results)-1].size),
			last, first, thousands(results[0].size), last/first, verdict(last <= 1.5*first))
	}
	fmt.Fprintf(&b, "\nsign-ins: a burst of %d at once: %d signed in, %d refused as busy (503), p50 %s, slowest %s\n",
		logins.burst, logins.burstOK, logins.burstBusy, ms(logins.burstP50), ms(logins.burstMax))
	fmt.Fprintf(&b, "sign-ins at %.0f/s for 10 s: %d sent, %d failed, p50 %s, p99 %s  budget p50 ≤ 300ms (quiet machine) %s\n",
		logins.ratePerSec, logins.rate.Sent, logins.rate.Errors, ms(logins.rate.P50), ms(logins.rate.P99),
		verdict(logins.rate.P50 <= 300*time.Millisecond && logins.rate.Errors == 0))
	fmt.Fprintf(&b, "\nserver peak memory (VmHWM) through the whole run, sign-ins included: %.1f MiB  budget ≤ 150 MiB %s\n",
		float64(peak)/(1<<20), verdict(peak <= 150<<20))
	fmt.Fprintf(&b, "load average at the end %s; total run time %v\n\n", bench.LoadAverage(), took.Round(time.Second))
	b.WriteString(shortlistScaleLines(results))
	for i, pc := range scalePages {
		for _, r := range results {
			fmt.Fprintf(&b, "page-scale path=%s accounts=%d p50_ms=%.1f\n", strings.ReplaceAll(pc.label, " ", ":"), r.size, r.pages[i])
		}
	}
	return b.String()
}

// saturatedReport is the saturated shortlist's pairs, each with the CPU
// per request of the server, PostgreSQL and the bench process (client and,
// in the bare run, the bare handler), from /proc.
func saturatedReport(cfg scaleConfig, results []scaleResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nshortlist first page, closed loop (%d clients, %v per run, app and bare interleaved, %d pairs)\n",
		cfg.clients, cfg.satTime, cfg.pairs)
	for _, r := range results {
		for p := range r.appRPS {
			fmt.Fprintf(&b, "  accounts=%-7d pair %d  load %-15s app %7.1f req/s (p50 %6.1f ms)  bare %7.1f req/s  ratio %.2f\n",
				r.size, p+1, r.loadAtPairs[p], r.appRPS[p], r.appP50[p], r.bareRPS[p], r.ratios[p])
			fmt.Fprintf(&b, "  %-16s CPU per request: app run %s; bare run %s\n", "", r.appCPU[p], r.bareCPU[p])
		}
		fmt.Fprintf(&b, "  accounts=%-7d %s; tenant %s; median ratio %.2f  ≥ 0.5 %s\n", r.size, r.rowsCheck,
			map[bool]string{true: "reused", false: "seeded now"}[r.reused], bench.Median(r.ratios), verdict(bench.Median(r.ratios) >= 0.5))
	}
	if cfg.saturatedOnly {
		b.WriteString(shortlistScaleLines(results))
	}
	return b.String()
}

// shortlistScaleLines are the shortlist-scale lines, one per size.
func shortlistScaleLines(results []scaleResult) string {
	var b strings.Builder
	for _, r := range results {
		fmt.Fprintf(&b, "shortlist-scale accounts=%d app_rps=%.0f bare_rps=%.0f ratio=%.2f app_p50_ms=%.1f\n",
			r.size, bench.Median(r.appRPS), bench.Median(r.bareRPS), bench.Median(r.ratios), bench.Median(r.appP50))
	}
	return b.String()
}
