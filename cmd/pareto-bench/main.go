// Command pareto-bench seeds a large data set into a private PostgreSQL,
// drives open-loop HTTP load against a real `pareto serve`, and prints
// latency percentiles beside the performance budgets (`make bench`).
package main

import "bufio"
import "context"
import "flag"
import "fmt"
import "io"
import "net"
import "net/http"
import "net/url"
import "os"
import "os/exec"
import "os/signal"
import "path/filepath"
import "runtime"
import "strconv"
import "strings"
import "syscall"
import "time"

import "pareto/internal/bench"
import "pareto/internal/db"

// config is the size of the run; --quick shrinks everything for a smoke run.
type config struct {
	tenants      int
	bigAccounts  int
	kpiAccounts  int
	months       int
	importRows   int
	importSizes  []int // --import: the files measured
	scenarioTime time.Duration
	rate         float64
	workers      int
	quick        bool
}

func main() {
	quick := flag.Bool("quick", false, "small data and short runs, for a CI smoke test")
	out := flag.String("out", "bench-results.txt", "file to write the results table to")
	keep := flag.Bool("keep", false, "keep the benchmark's PostgreSQL data folder")
	imports := flag.Bool("import", false, "measure the import pipeline's rows/s (50,000 and 200,000 accounts) instead of the HTTP load")
	scale := flag.Bool("scale", false, "measure page cost against portfolio size instead (make bench-scale)")
	sizes := flag.String("sizes", envOr("SIZES", "2000,20000,200000"), "with --scale: tenant sizes in accounts (env SIZES)")
	dataDir := flag.String("data-dir", ".pareto-bench", "with --scale: folder of the PostgreSQL cluster kept between runs")
	satTime := flag.Duration("sat-time", 10*time.Second, "with --scale: length of each saturated run")
	pairs := flag.Int("pairs", 3, "with --scale: interleaved app/bare saturated run pairs per size")
	pprofDir := flag.String("pprof-dir", "", "with --scale: write the server's CPU, allocation and heap profiles of each size's first saturated app run, and its shortlist page, into this folder")
	satOnly := flag.Bool("saturated-only", false, "with --scale: only the saturated shortlist pairs (no pages one at a time, no sign-ins)")
	flag.Parse()
	cfg := config{tenants: 100, bigAccounts: 20_000, kpiAccounts: 2_000, months: 24, importRows: 50_000,
		scenarioTime: 10 * time.Second, rate: 40, workers: 16}
	if *quick {
		cfg = config{tenants: 5, bigAccounts: 500, kpiAccounts: 100, months: 24, importRows: 2_000,
			scenarioTime: 2 * time.Second, rate: 40, workers: 16, quick: true}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *scale {
		sz, err := parseSizes(*sizes)
		if err == nil {
			err = runScale(ctx, scaleConfig{sizes: sz, dataDir: *dataDir, runs: 15, pairs: max(*pairs, 1), satTime: *satTime, clients: 8,
				saturatedOnly: *satOnly, pprofDir: *pprofDir}, *out)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "pareto-bench:", err)
			os.Exit(1)
		}
		return
	}
	run := run
	if *imports {
		cfg.importSizes = []int{50_000, 200_000}
		if *quick {
			cfg.importSizes = []int{2_000, 10_000}
		}
		run = runImports
	}
	if err := run(ctx, cfg, *out, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "pareto-bench:", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, cfg config, outFile string, keep bool) error {
	started := time.Now()
	dir, dbURL, d, stopDB, err := startDB(ctx, keep)
	if err != nil {
		return err
	}
	defer stopDB()

	data, timings, err := seed(ctx, d, dbURL, cfg)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	srv, err := startServe(ctx, dir, dbURL, "")
	if err != nil {
		return err
	}
	defer srv.stop()
	base := srv.base

	sessions, err := signIn(base, data.logins)
	if err != nil {
		return err
	}
	scenarios, budgets := scenarios(base, data, sessions)
	client := bench.Client(cfg.workers)
	startLoad := bench.LoadAverage()
	var results []bench.Result
	var loads strings.Builder // the machine's load average before each scenario
	for _, s := range scenarios {
		// Warm up: fill caches and the connection pool, untimed.
		rate := rateFor(s.Name, cfg.rate)
		bench.Run(ctx, s, client, rate, cfg.scenarioTime/5, cfg.workers)
		load := bench.LoadAverage()
		fmt.Fprintf(&loads, "  %-40s %s\n", s.Name, load)
		progress("load: %s (%.0f req/s for %v, %d clients; load average %s)", s.Name, rate, cfg.scenarioTime, cfg.workers, load)
		results = append(results, bench.Run(ctx, s, client, rate, cfg.scenarioTime, cfg.workers))
	}
	progress("api: bulk upsert of 10,000 accounts (10 × 1,000)")
	bulkTook, err := apiBulkUpsert(ctx, d, base, data.small[len(data.small)-1].admin)
	if err != nil {
		return err
	}
	progress("api: bulk upsert of 10,000 accounts took %.2f s", bulkTook.Seconds())
	peak, err := peakRSS(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}

	bare, err := bareShortlist(ctx, dbURL, data, cfg, client)
	if err != nil {
		return err
	}

	var report strings.Builder
	fmt.Fprintf(&report, "Pareto benchmark, %s, %s mode\n", time.Now().UTC().Format(time.RFC3339), map[bool]string{true: "quick", false: "full"}[cfg.quick])
	fmt.Fprintf(&report, "data: %d tenants; big tenant %d accounts, %d criteria, %d months of KPIs for %d accounts\n",
		cfg.tenants, cfg.bigAccounts, data.criteria, cfg.months, cfg.kpiAccounts)
	fmt.Fprintf(&report, "load: open loop, %.0f req/s per scenario for %v, %d concurrent clients, %d signed-in sessions\n\n",
		cfg.rate, cfg.scenarioTime, cfg.workers, len(sessions))
	fmt.Fprintf(&report, "machine: %d CPUs, load average (1/5/15 min) %s at the start of the load, %s at the end\n",
		runtime.NumCPU(), startLoad, bench.LoadAverage())
	fmt.Fprintf(&report, "(login at %.0f req/s: each sign-in is an argon2id hash by design)\n\n", rateFor("login", cfg.rate))
	report.WriteString(bench.Table(append(results, bare), budgets))
	report.WriteString("\nload average (1/5/15 min) before each scenario:\n" + loads.String())
	memBudget := int64(150 << 20)
	fmt.Fprintf(&report, "\nserver peak memory (VmHWM): %.1f MiB  budget ≤ 150 MiB %s\n", float64(peak)/(1<<20), verdict(peak <= memBudget))
	if sl := find(results, "shortlist first page"); sl != nil && bare.P50 > 0 {
		fmt.Fprintf(&report, "\nframework cost: shortlist via the full stack p50 %s vs bare net/http handler p50 %s (ratio %.2f)\n",
			ms(sl.P50), ms(bare.P50), float64(sl.P50)/float64(bare.P50))
		fmt.Fprintf(&report, "                                      p99 %s vs %s (ratio %.2f)\n", ms(sl.P99), ms(bare.P99), float64(sl.P99)/float64(bare.P99))
	}
	fmt.Fprintf(&report, "\nAPI bulk upsert of 10,000 new accounts (10 POST /api/v1/accounts/bulk of 1,000, one after another): %.2f s  budget < %.0f s %s\n",
		bulkTook.Seconds(), apiBulkBudget.Seconds(), verdict(bulkTook < apiBulkBudget))
	report.WriteString("\ntimed operations:\n")
	for _, t := range timings {
		fmt.Fprintf(&report, "  %-44s %8s  %s\n", t.name, ms(t.took), t.note)
	}
	fmt.Fprintf(&report, "\ntotal run time %v\n", time.Since(started).Round(time.Second))
	fmt.Print(report.String())
	if err := os.WriteFile(outFile, []byte(report.String()), 0o644); err != nil {
		return err
	}
	progress("results written to %s", outFile)
	// Budgets are reported, not enforced (latency depends on the machine);
	// failed requests mean something is broken, so they fail the run.
	for _, r := range results {
		if r.Errors > 0 {
			return fmt.Errorf("%s: %d of %d requests failed", r.Name, r.Errors, r.Sent)
		}
	}
	return nil
}

// startDB starts a private PostgreSQL in a new folder, migrates it and
// opens a pool; stop closes everything (and removes the folder unless
// keep).
func startDB(ctx context.Context, keep bool) (dir, dbURL string, d *db.DB, stop func(), err error) {
	dir, err = os.MkdirTemp("", "pareto-bench")
	if err != nil {
		return "", "", nil, nil, err
	}
	var cleanup []func()
	stop = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	if !keep {
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
	}
	fail := func(err error) (string, string, *db.DB, func(), error) {
		stop()
		return "", "", nil, nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fail(err)
	}
	progress("starting a private PostgreSQL in %s", dir)
	cluster, err := db.StartLocal(ctx, filepath.Join(dir, "pg"), db.LocalOptions{})
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, func() { cluster.Stop() })
	if err := cluster.EnsureDatabase(ctx, "pareto"); err != nil {
		return fail(err)
	}
	dbURL = cluster.URL("pareto")
	if err := db.MigrateUp(ctx, dbURL); err != nil {
		return fail(err)
	}
	d, err = db.Open(ctx, dbURL, db.Options{MaxConns: 8, StatementTimeout: 5 * time.Minute})
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, d.Close)
	return dir, dbURL, d, stop, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func find(rs []bench.Result, name string) *bench.Result {
	for i := range rs {
		if rs[i].Name == name {
			return &rs[i]
		}
	}
	return nil
}

// serving is a "pareto serve" process the benchmark started.
type serving struct {
	base string // its URL
	cmd  *exec.Cmd
}

// stop interrupts the server and waits for it to end.
func (v serving) stop() { _ = v.cmd.Process.Signal(os.Interrupt); _ = v.cmd.Wait() }

// startServe builds pareto into dir and starts "pareto serve" on a free
// port against dbURL (its log in dir/serve.log); it answers once the
// server is healthy. With pprofAddr it also serves its profiles there.
func startServe(ctx context.Context, dir, dbURL, pprofAddr string) (serving, error) {
	progress("building and starting pareto serve")
	bin := filepath.Join(dir, "pareto")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pareto").CombinedOutput(); err != nil {
		return serving{}, fmt.Errorf("build: %v\n%s", err, out)
	}
	addr, err := freeAddr()
	if err != nil {
		return serving{}, err
	}
	srv := exec.Command(bin, "serve", "--addr", addr, "--database-url", dbURL, "--db-max-conns", "16", "--pprof-addr", pprofAddr)
	srv.Env = append(os.Environ(), "PARETO_LOG_FORMAT=json")
	logFile, _ := os.Create(filepath.Join(dir, "serve.log"))
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		return serving{}, err
	}
	v := serving{base: "http://" + addr, cmd: srv}
	if err := waitHealthy(ctx, v.base); err != nil {
		v.stop()
		return serving{}, err
	}
	return v, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("pareto serve not healthy after 30s")
}

// signIn logs each email in and returns its session cookie header.
func signIn(base string, logins []string) (map[string]string, error) {
	c := bench.Client(1)
	out := map[string]string{}
	for _, email := range logins {
		res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {benchPassword}})
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("login %s: %d", email, res.StatusCode)
		}
		for _, ck := range res.Cookies() {
			if ck.Name == "pareto_session" {
				out[email] = ck.Name + "=" + ck.Value
			}
		}
	}
	return out, nil
}

// peakRSS reads the process's high-water resident memory.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}
