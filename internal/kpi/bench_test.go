package kpi_test

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"pareto/internal/db"
	"pareto/internal/db/dbtest"
	"pareto/internal/kpi"
	"pareto/internal/kpi/kpitest"
)

// BenchmarkPortfolioDashboard loads the portfolio dashboard (every query
// and every derived figure, no HTML) of a tenant with 2,000 accounts and
// 24 months of figures, beside 100 other tenants, from 16 concurrent
// clients, and reports the latency percentiles. Run it with
//
//	go test -run '^$' -bench PortfolioDashboard -benchtime 800x ./internal/kpi/
//
// (make bench). BenchmarkPortfolioDashboardHTTP in internal/server
// measures the whole page over HTTP.
func BenchmarkPortfolioDashboard(b *testing.B) {
	ctx := context.Background()
	url := dbtest.URL(b)
	d, err := db.Open(ctx, url, db.Options{MaxConns: 10})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	s := kpi.NewStore(d)
	big := newTenant(b, d, s, "Bench Big")
	start := time.Now()
	seeded, err := kpitest.Seed(ctx, url, d, kpitest.Options{Accounts: 2000, KeyEvery: 13, KAMs: 12, Months: 24,
		OtherTenants: 100, OtherAccounts: 40, BigTenantID: big.id, BigTenantOwner: big.admin.UserID})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d figures (%d key accounts) in %s", seeded.Figures, seeded.Key, time.Since(start).Round(time.Millisecond))
	sc := big.scope(big.leader)
	for _, f := range []kpi.Filter{{}, {Period: "24m"}} {
		p, err := s.Portfolio(ctx, sc, f) // warm the memo and the caches
		if err != nil {
			b.Fatal(err)
		}
		if p.Summary.Accounts != seeded.Key || !p.Summary.KeyShare.OK || !p.Summary.GrowthYoY.OK {
			b.Fatalf("portfolio %+v: %+v, want %d key accounts", f, p.Summary, seeded.Key)
		}
	}
	for _, f := range []struct {
		name   string
		filter kpi.Filter
	}{
		{"12m", kpi.Filter{}},
		{"24m", kpi.Filter{Period: "24m"}},
		{"segment", kpi.Filter{Segment: "Enterprise"}},
		{"kam", kpi.Filter{KAMID: seeded.KAMIDs[0]}},
	} {
		b.Run(f.name, func(b *testing.B) {
			runConcurrent(b, 16, func() error {
				_, err := s.Portfolio(ctx, sc, f.filter)
				return err
			})
		})
	}
}

// runConcurrent runs fn b.N times from clients goroutines and reports the
// 50th and 99th percentile latency in milliseconds.
func runConcurrent(b *testing.B, clients int, fn func() error) {
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	var all []time.Duration
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := fn(); err != nil {
				b.Error(err)
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
}
