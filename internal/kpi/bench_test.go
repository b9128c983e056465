package kpi_test

import "context"
import "testing"
import "time"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"
import "pareto/internal/kpi/kpitest"

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
	for _, f := range []kpi.Filter{{}, {Period: kpi.PeriodChoice{Key: "24m"}}} {
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
		{"24m", kpi.Filter{Period: kpi.PeriodChoice{Key: "24m"}}},
		{"segment", kpi.Filter{Segment: "Enterprise"}},
		{"kam", kpi.Filter{KAMID: seeded.KAMIDs[0]}},
	} {
		b.Run(f.name, func(b *testing.B) {
			kpitest.RunConcurrent(b, 16, func() error {
				_, err := s.Portfolio(ctx, sc, f.filter)
				return err
			})
		})
	}
}
