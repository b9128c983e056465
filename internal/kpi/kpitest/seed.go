// Package kpitest holds what the KPI benchmarks share: a large data set
// (one big tenant and many small ones, loaded with COPY) and a runner that
// measures latency percentiles under concurrent clients.
package kpitest

import "context"
import "fmt"
import "math/rand/v2"
import "runtime"
import "slices"
import "sync"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/kpi"

// Options size the data set.
type Options struct {
	Accounts       int // accounts of the big tenant
	KeyEvery       int // every n-th account is a key account
	KAMs           int // KAMs of the big tenant
	Months         int // months of figures, ending last month
	OtherTenants   int
	OtherAccounts  int // accounts of each other tenant
	BigTenantID    uuid.UUID
	BigTenantOwner uuid.UUID // a member of the big tenant, for scopes
}

// Seeded is what was created.
type Seeded struct {
	KAMIDs  []uuid.UUID
	Key     int
	Figures int
}

// Seed fills the database at ownerURL (a connection as the login role,
// which must be able to COPY into tables under forced row-level security:
// a superuser, like the private test cluster's) with o's data set. The
// big tenant must exist (o.BigTenantID); the other tenants and every
// user are created here. Every tenant's figures version is bumped
// through the store, as for any bulk load.
func Seed(ctx context.Context, ownerURL string, d *db.DB, o Options) (Seeded, error) {
	var out Seeded
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return out, err
	}
	defer conn.Close(ctx)
	rng := rand.New(rand.NewPCG(42, 2026))
	last := kpi.AddMonths(kpi.MonthOf(time.Now()), -1)
	first := kpi.AddMonths(last, 1-o.Months)

	// KAM users of the big tenant.
	var bigName string
	if err := conn.QueryRow(ctx, "SELECT name FROM tenants WHERE id = $1", o.BigTenantID).Scan(&bigName); err != nil {
		return out, fmt.Errorf("kpitest: big tenant: %w", err)
	}
	var users, members [][]any
	for i := range o.KAMs {
		id := uuid.New()
		out.KAMIDs = append(out.KAMIDs, id)
		users = append(users, []any{id, fmt.Sprintf("bench-kam-%d-%s@bench.test", i, id.String()[:8]), fmt.Sprintf("Bench KAM %02d", i), "x"})
		members = append(members, []any{o.BigTenantID, id, "kam", bigName})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "name", "password_hash"}, pgx.CopyFromRows(users)); err != nil {
		return out, fmt.Errorf("kpitest: users: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"memberships"}, []string{"tenant_id", "user_id", "role", "tenant_name"}, pgx.CopyFromRows(members)); err != nil {
		return out, fmt.Errorf("kpitest: memberships: %w", err)
	}

	tenants := []uuid.UUID{o.BigTenantID}
	var tenantRows [][]any
	for i := range o.OtherTenants {
		id := uuid.New()
		tenants = append(tenants, id)
		tenantRows = append(tenantRows, []any{id, fmt.Sprintf("Bench Other %03d", i)})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"tenants"}, []string{"id", "name"}, pgx.CopyFromRows(tenantRows)); err != nil {
		return out, fmt.Errorf("kpitest: tenants: %w", err)
	}

	segments := []string{"Enterprise", "Mid-market", "Public sector", "SMB"}
	regions := []string{"North", "South", "West"}
	var accounts, figures [][]any
	for ti, tenant := range tenants {
		n := o.OtherAccounts
		if ti == 0 {
			n = o.Accounts
		}
		for i := range n {
			id := uuid.New()
			keyStatus, kam := "candidate", any(nil)
			key := ti == 0 && i%o.KeyEvery == 0
			if key {
				keyStatus = "key"
				kam = out.KAMIDs[(i/o.KeyEvery)%len(out.KAMIDs)]
				out.Key++
			}
			accounts = append(accounts, []any{tenant, id, fmt.Sprintf("Account %04d", i), "customer", keyStatus, kam,
				segments[i%len(segments)], regions[i%len(regions)]})
			base := 5_000 + rng.Float64()*95_000
			if key {
				base *= 8
			}
			growth := 1 + (rng.Float64()-0.3)*0.03
			for m := range o.Months {
				rev := float64(int(base*100)) / 100
				row := []any{tenant, id, kpi.AddMonths(first, m), rev, nil, nil, nil, nil}
				if key {
					row[4] = float64(int((3.2+rng.Float64()*1.7)*100)) / 100
					row[5] = rng.IntN(90) - 20
					row[6] = float64(int((40+rng.Float64()*55)*10)) / 10
					row[7] = float64(int(rev * rng.Float64() * 0.1))
				}
				figures = append(figures, row)
				base *= growth
			}
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"accounts"},
		[]string{"tenant_id", "id", "name", "status", "key_status", "kam_user_id", "segment", "region"}, pgx.CopyFromRows(accounts)); err != nil {
		return out, fmt.Errorf("kpitest: accounts: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"kpi_figures"},
		[]string{"tenant_id", "account_id", "month", "revenue", "csat", "nps", "adoption_pct", "upsell_revenue"}, pgx.CopyFromRows(figures)); err != nil {
		return out, fmt.Errorf("kpitest: figures: %w", err)
	}
	out.Figures = len(figures)
	s := kpi.NewStore(d)
	for _, tenant := range tenants {
		owner := uuid.Nil
		if tenant == o.BigTenantID {
			owner = o.BigTenantOwner
		}
		if err := s.FiguresChanged(ctx, db.Scope{TenantID: tenant, UserID: owner}); err != nil {
			return out, err
		}
	}
	// What autovacuum would have done by the time anybody looks.
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return out, fmt.Errorf("kpitest: vacuum: %w", err)
	}
	return out, nil
}

// RunConcurrent runs fn b.N times from clients goroutines and reports the
// 50th and 99th percentile latency in milliseconds (p50-ms, p99-ms).
func RunConcurrent(b *testing.B, clients int, fn func() error) {
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
