package main

import "context"
import "fmt"
import "math/rand/v2"
import "os"
import "runtime"
import "strconv"
import "strings"
import "time"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/bench"
import "pareto/internal/db"
import "pareto/internal/importer"

// importRun is one measured import of n new accounts into an empty
// tenant, then the same file again (every row unchanged).
type importRun struct {
	rows    int
	mib     float64
	upload  time.Duration // read, check and store the file
	preview time.Duration // read, map and plan every row (writes nothing)
	commit  time.Duration // plan again and write, one transaction
	again   time.Duration // commit of the same file: all unchanged
	alloc   float64       // MiB allocated by the bench process during the commit
	// CPU time the commit took in PostgreSQL (its one backend) and in
	// this process: what it costs on an idle machine, whatever else runs.
	dbCPU, goCPU time.Duration
}

func (r importRun) total() time.Duration { return r.upload + r.preview + r.commit }

func rowsPerSecond(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// runImports measures the account import (the whole pipeline: upload,
// preview, commit) for each of cfg.importSizes: `make bench-import`.
func runImports(ctx context.Context, cfg config, outFile string, keep bool) error {
	started := time.Now()
	_, dbURL, d, stopDB, err := startDB(ctx, keep)
	if err != nil {
		return err
	}
	defer stopDB()
	users := auth.NewStore(d)
	// One connection, so its server process's CPU time is the import's.
	one, err := db.Open(ctx, dbURL, db.Options{MaxConns: 1, StatementTimeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	defer one.Close()
	var backend int
	if err := one.Pool.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return err
	}
	store := importer.NewStore(one)
	// The web upload stops at 10 MiB (about 90,000 rows of this file);
	// the pipeline itself has no such limit, and the larger files measure
	// it.
	kind := *account.Import
	kind.MaxBytes, kind.MaxRows = 64<<20, 1_000_000
	rng := rand.New(rand.NewPCG(2026, 12))
	var runs []importRun
	for i, n := range cfg.importSizes {
		m, err := users.Signup(ctx, auth.SignupInput{OrgName: fmt.Sprintf("Import bench %d", i+1), Name: "Admin",
			Email: fmt.Sprintf("admin%d@importbench.example.com", i+1), Password: benchPassword})
		if err != nil {
			return err
		}
		sc := db.Scope{TenantID: m.TenantID, UserID: m.UserID}
		progress("import: %s accounts", thousands(n))
		r, err := measureImport(ctx, store, &kind, sc, accountsCSV("Import", n, rng), backend)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	var report strings.Builder
	fmt.Fprintf(&report, "Pareto import benchmark, %s: account import into an empty tenant, private PostgreSQL\n\n",
		time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&report, "load average at the start: %s\n\n", bench.LoadAverage())
	fmt.Fprintf(&report, "%9s %7s %8s %8s %8s %8s %10s %10s %9s %9s %9s %8s\n", "rows", "MiB", "upload", "preview", "commit", "total",
		"rows/s", "rows/s", "again", "commit", "commit", "alloc")
	fmt.Fprintf(&report, "%9s %7s %8s %8s %8s %8s %10s %10s %9s %9s %9s %8s\n", "", "", "", "", "", "", "(commit)", "(total)", "(same)",
		"CPU (db)", "CPU (Go)", "MiB")
	for _, r := range runs {
		fmt.Fprintf(&report, "%9s %7.1f %8s %8s %8s %8s %10s %10s %9s %9s %9s %8.0f\n", thousands(r.rows), r.mib, secs(r.upload),
			secs(r.preview), secs(r.commit), secs(r.total()), thousands(int(rowsPerSecond(r.rows, r.commit))),
			thousands(int(rowsPerSecond(r.rows, r.total()))), secs(r.again), secs(r.dbCPU), secs(r.goCPU), r.alloc)
	}
	const target = 10_000
	for _, r := range runs {
		fmt.Fprintf(&report, "\n%s rows: commit %s rows/s (target ≥ %s) %s; upload + preview + commit %s rows/s; the commit's CPU %s rows per CPU second",
			thousands(r.rows), thousands(int(rowsPerSecond(r.rows, r.commit))), thousands(target),
			verdict(rowsPerSecond(r.rows, r.commit) >= target), thousands(int(rowsPerSecond(r.rows, r.total()))),
			thousands(int(rowsPerSecond(r.rows, r.dbCPU+r.goCPU))))
	}
	fmt.Fprintf(&report, "\n\ntotal run time %v\n", time.Since(started).Round(time.Second))
	fmt.Print(report.String())
	if err := os.WriteFile(outFile, []byte(report.String()), 0o644); err != nil {
		return err
	}
	progress("results written to %s", outFile)
	return nil
}

// measureImport runs one file through the pipeline as an admin would:
// upload, preview of the guessed mapping, commit; then the same file
// again.
func measureImport(ctx context.Context, s *importer.Store, k *importer.Kind, sc db.Scope, data []byte, backend int) (importRun, error) {
	r := importRun{mib: float64(len(data)) / (1 << 20)}
	start := time.Now()
	id, err := s.Upload(ctx, sc, auth.RoleAdmin, k, "bench.csv", data)
	if err != nil {
		return r, fmt.Errorf("upload: %w", err)
	}
	r.upload = time.Since(start)
	start = time.Now()
	f, err := s.File(ctx, sc, k, id)
	if err != nil {
		return r, err
	}
	m, err := s.Guess(ctx, sc, k, f)
	if err != nil {
		return r, err
	}
	pv, err := s.Preview(ctx, sc, auth.RoleAdmin, k, id, m)
	if err != nil {
		return r, err
	}
	if !pv.OK() || pv.Creates != len(f.Records) {
		return r, fmt.Errorf("preview: %d creates of %d rows, problems %v, %d row errors", pv.Creates, len(f.Records), pv.Problems, len(pv.Errors))
	}
	r.rows = len(f.Records)
	r.preview = time.Since(start)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	dbStart, goStart := processCPU(backend), processCPU(os.Getpid())
	start = time.Now()
	if _, err := s.Commit(ctx, sc, auth.RoleAdmin, k, id, m); err != nil {
		return r, fmt.Errorf("commit: %w", err)
	}
	r.commit = time.Since(start)
	r.dbCPU, r.goCPU = processCPU(backend)-dbStart, processCPU(os.Getpid())-goStart
	runtime.ReadMemStats(&after)
	r.alloc = float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
	again, err := s.Upload(ctx, sc, auth.RoleAdmin, k, "bench.csv", data)
	if err != nil {
		return r, err
	}
	start = time.Now()
	pv, err = s.Commit(ctx, sc, auth.RoleAdmin, k, again, m)
	if err != nil || pv.Unchanged != r.rows {
		return r, fmt.Errorf("commit again: %v (%d unchanged of %d)", err, pv.Unchanged, r.rows)
	}
	r.again = time.Since(start)
	return r, nil
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// processCPU is the user and system CPU time process pid has used; 0
// when it cannot be read (procStat).
func processCPU(pid int) time.Duration {
	d, _, _ := procStat(strconv.Itoa(pid))
	return d
}
