package server_test

import "context"
import "fmt"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi/kpitest"
import "pareto/internal/server"

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
			kpitest.RunConcurrent(b, 16, func() error {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
				res, err := leader.http.Do(req)
				if err != nil {
					return err
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					return fmt.Errorf("GET %s: %d", path, res.StatusCode)
				}
				return nil
			})
		})
	}
}
