package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pareto/internal/auth"
	"pareto/internal/db"
	"pareto/internal/db/dbtest"
	"pareto/internal/kpi/kpitest"
	"pareto/internal/server"
)

// BenchmarkPortfolioDashboardHTTP is the performance check: the
// whole portfolio dashboard page (session, queries, derivations, charts,
// HTML) for a leader of a tenant with 2,000 accounts and 24 months of
// figures, beside 100 other tenants, from 16 concurrent clients over HTTP.
// It reports the 50th and 99th percentile latency. Run it with
//
//	go test -run '^$' -bench PortfolioDashboardHTTP -benchtime 800x ./internal/server/
//
// (make bench).
func BenchmarkPortfolioDashboardHTTP(b *testing.B) {
	ctx := context.Background()
	url := dbtest.URL(b)
	d, err := db.Open(ctx, url, db.Options{MaxConns: 10}) // the server's default pool
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Close)
	srv := server.New(server.Config{BaseURL: "http://pareto.test"}, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(srv)
	b.Cleanup(func() { ts.Close(); srv.Stop() })
	a := &testApp{t: b, DB: d, Srv: srv, URL: ts.URL}
	_, admin := a.signup("Bench Big", "admin@benchbig.test")
	a.addMember(admin, "leader@benchbig.test", "Lena Leader", auth.RoleLeader)
	leader := a.login("leader@benchbig.test")
	seeded, err := kpitest.Seed(ctx, url, d, kpitest.Options{Accounts: 2000, KeyEvery: 13, KAMs: 12, Months: 24,
		OtherTenants: 100, OtherAccounts: 40, BigTenantID: admin.TenantID, BigTenantOwner: admin.UserID})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d figures, %d key accounts", seeded.Figures, seeded.Key)
	for _, path := range []string{"/dashboards", "/dashboards?period=24m", "/dashboards?segment=Enterprise", "/"} {
		res := leader.get(path)
		if res.Status != http.StatusOK || !strings.Contains(res.Body, "Revenue by month") && path != "/" {
			b.Fatalf("GET %s: %d\n%.2000s", path, res.Status, res.Body)
		}
	}
	for _, path := range []string{"/dashboards", "/dashboards?period=24m", "/dashboards?segment=Enterprise", "/"} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			var mu sync.Mutex
			var all []time.Duration
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
					res, err := leader.http.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("GET %s: %d", path, res.StatusCode)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			if len(all) == 0 {
				return
			}
			slices.Sort(all)
			pct := func(p float64) float64 {
				return float64(all[min(len(all)-1, int(float64(len(all))*p))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}
