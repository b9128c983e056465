package kpi_test

import "context"
import "math"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"
import "pareto/internal/scoring"

// TestOneRevenue: the shortlist's concentration and the portfolio
// dashboard show the same revenue, the one of account/revenue.go. Before,
// the shortlist summed the accounts' annual revenue as entered and the
// dashboard the KPI figures of its period, so on the same tenant they
// disagreed (the demo showed 21.5 % against 22.3 %); here the old code
// gave 39.5 % (150,000 of 380,000 annual revenue) against 82.2 % (the
// figures of Dec 2025 – Nov 2026, the month in progress included).
func TestOneRevenue(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	tn := newTenant(t, d, s, "Own Co")
	accounts := account.NewStore(d)
	create := func(name string, annual int64) uuid.UUID {
		t.Helper()
		a, err := accounts.CreateAccount(ctx, tn.scope(tn.admin), auth.RoleAdmin,
			account.Fields{Name: name, Status: account.StatusCustomer, AnnualRevenue: account.Money(annual * 100)})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	// testNow is 15 Nov 2026: the last 12 complete months are Nov 2025 – Oct 2026.
	anvil := create("Anvil", 100_000) // key; figures every month: 12 × 10,000 = 120,000
	bolt := create("Bolt", 50_000)    // key; figures for Aug–Oct 2026 only: 3 × 5,000 = 15,000
	crate := create("Crate", 200_000) // no figures at all: annual revenue 200,000 stands in
	drum := create("Drum", 30_000)    // figures every month: 12 × 4,000 = 48,000
	tn.save(anvil, "2025-11", repeat(10_000, 12)...)
	tn.save(bolt, "2026-08", repeat(5_000, 3)...)
	tn.save(bolt, "2024-05", 99_999) // before the window: not counted
	tn.save(bolt, "2026-11", 77_777) // the month in progress: not counted
	tn.save(drum, "2025-11", repeat(4_000, 12)...)
	if err := d.Tx(ctx, tn.scope(tn.admin), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET key_status = 'key' WHERE id = ANY($1)`, []uuid.UUID{anvil, bolt}); err != nil {
			return err
		}
		return account.Recount(ctx, tx, tn.id)
	}); err != nil {
		t.Fatal(err)
	}

	// Total 120,000 + 15,000 + 200,000 + 48,000 = 383,000; key accounts
	// 135,000, a share of 35.248…% (3,525 basis points); the largest is
	// Crate with 200,000 (52.2 %), from its annual revenue.
	const total, key = 383_000.0, 135_000.0
	c, err := scoring.NewStore(d).Concentration(ctx, tn.scope(tn.leader))
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != total*100 || c.KeyRevenue != key*100 || c.KeyShareBPS() != 3525 || c.Accounts != 4 || c.FromFigures != 3 {
		t.Fatalf("shortlist concentration %+v", c)
	}
	if c.Largest.AccountID != crate || c.Largest.Revenue != 200_000*100 || c.Largest.FromFigures || c.Largest.ShareBPS != 5222 {
		t.Fatalf("shortlist largest %+v", c.Largest)
	}
	p, err := s.Portfolio(ctx, tn.scope(tn.leader), kpi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	sm := p.Summary
	if sm.TotalRevenue != total || !sm.KeyShare.OK || sm.KeyShare.V != key/total {
		t.Fatalf("dashboard total %v key share %+v", sm.TotalRevenue, sm.KeyShare)
	}
	if sm.Largest.Name != "Crate" || sm.Largest.Revenue != 200_000 {
		t.Fatalf("dashboard largest %+v", sm.Largest)
	}
	// The same figure on both pages.
	if math.Abs(sm.KeyShare.V*10000-float64(c.KeyShareBPS())) >= 0.5 {
		t.Fatalf("dashboard %.4f vs shortlist %d bps", sm.KeyShare.V, c.KeyShareBPS())
	}
	// Both say where the revenue comes from, beside the numbers.
	if !strings.Contains(sm.RevenueBasis, "Nov 2025 to Oct 2026") || !strings.Contains(sm.RevenueBasis, "for the 1 account without figures") {
		t.Fatalf("dashboard basis %q", sm.RevenueBasis)
	}

	// Deleting Drum's figures makes its annual revenue (30,000) stand in:
	// total 365,000.
	for m := kpi.AddMonths(kpi.MonthOf(testNow), -12); m.Before(kpi.MonthOf(testNow)); m = kpi.AddMonths(m, 1) {
		if err := s.DeleteFigure(ctx, tn.scope(tn.admin), auth.RoleAdmin, drum, m, 1); err != nil {
			t.Fatal(err)
		}
	}
	c, err = scoring.NewStore(d).Concentration(ctx, tn.scope(tn.leader))
	if err != nil || c.Total != 365_000*100 || c.FromFigures != 2 {
		t.Fatalf("after deleting Drum's figures: %v %+v", err, c)
	}
}

// TestRevenueWindowMovesOn: when the month changes, the kept revenue is
// for the old window until RefreshRevenue runs; then a figure that left
// the window no longer counts.
func TestRevenueWindowMovesOn(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	tn := newTenant(t, d, s, "Own Co")
	a := tn.account("Anvil", "key", uuid.Nil, "")
	tn.save(a, "2025-11", 1_000, 2_000) // Nov and Dec 2025
	acc := account.NewStore(d)
	acc.Now = s.Now
	window := func() (int64, bool) {
		t.Helper()
		var rev int64
		var stale bool
		err := d.Tx(ctx, tn.scope(tn.admin), func(tx pgx.Tx) error {
			var err error
			_, stale, err = account.RevenueWindowKept(ctx, tx, tn.id, acc.Now())
			if err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT revenue_cents FROM accounts WHERE id = $1`, a).Scan(&rev)
		})
		if err != nil {
			t.Fatal(err)
		}
		return rev, stale
	}
	if rev, stale := window(); rev != 3_000*100 || stale {
		t.Fatalf("in Nov 2026: %d stale %v, want 300000 (Nov + Dec 2025)", rev, stale)
	}
	// In December 2026 the window is Dec 2025 – Nov 2026: November 2025 left.
	acc.Now = func() time.Time { return testNow.AddDate(0, 1, 0) }
	if rev, stale := window(); rev != 3_000*100 || !stale {
		t.Fatalf("in Dec 2026 before the refresh: %d stale %v", rev, stale)
	}
	if err := acc.RefreshRevenue(ctx, tn.scope(tn.admin)); err != nil {
		t.Fatal(err)
	}
	if rev, stale := window(); rev != 2_000*100 || stale {
		t.Fatalf("in Dec 2026 after the refresh: %d stale %v, want 200000", rev, stale)
	}
}
