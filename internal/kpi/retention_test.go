package kpi

import "math"
import "math/rand/v2"
import "testing"
import "time"

import "github.com/google/uuid"

func TestKeyHistoryStatusAt(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	at := func(s string, day int) time.Time { return month(s).AddDate(0, 0, day-1) }
	h := NewKeyHistory(month("2025-01"), []KeyChange{
		// a: key from 10 Mar 2025, declined on 15 Jun 2025 (given out of order).
		{AccountID: a, Old: "key", New: "declined", At: at("2025-06", 15)},
		{AccountID: a, Old: "candidate", New: "key", At: at("2025-03", 10)},
	})
	tests := []struct {
		id      uuid.UUID
		current string
		t       time.Time
		want    string
	}{
		{a, "declined", at("2025-02", 1), "candidate"},
		{a, "declined", at("2025-03", 10), "candidate"}, // a change at the very instant has not happened yet
		{a, "declined", at("2025-04", 1), "key"},
		{a, "declined", at("2025-07", 1), "declined"},
		{b, "key", at("2025-02", 1), "key"}, // no change: the current status
	}
	for _, tt := range tests {
		if got := h.StatusAt(tt.id, tt.current, tt.t); got != tt.want {
			t.Errorf("status at %s = %s, want %s", tt.t.Format(time.DateOnly), got, tt.want)
		}
	}
	if ids := h.WasKey(); len(ids) != 1 || ids[0] != a {
		t.Errorf("was key %v", ids)
	}
}

// The worked example of docs/metrics.md ("Key-account retention" and
// "Retention of key and other accounts"): the period Jan – Jun 2026.
func TestRetentionWorkedExample(t *testing.T) {
	acc := func(name, status string, figs []Figure) AccountSeries {
		return AccountSeries{Account: AccountInfo{ID: uuid.New(), Name: name, KeyStatus: status}, Figures: figs}
	}
	in := []AccountSeries{
		acc("Anvil", "key", series("2025-11", 100, 100, 100, 100, 100, 100, 100, 120)), // kept and grew
		acc("Bolt", "declined", series("2025-11", 80, 80, 80, 80, gap, gap, gap, gap)), // declined in April, stopped buying in February
		acc("Crane", "key", series("2025-11", 50, 50, 50, 50, 50, 50, 50, 50)),         // kept
		acc("Drill", "key", series("2026-03", 40, 40, 40, 40)),                         // new: no revenue at the start
		acc("Easel", "candidate", series("2025-11", 30, 30, 30, 30, 30, 30, 30, 30)),   // key until March, still buying
	}
	h := NewKeyHistory(month("2025-06"), []KeyChange{
		{AccountID: in[1].Account.ID, Old: "key", New: "declined", At: month("2026-04").AddDate(0, 0, 7)},
		{AccountID: in[4].Account.ID, Old: "key", New: "candidate", At: month("2026-03").AddDate(0, 0, 2)},
	})
	p := Period{Key: CustomPeriod, Start: month("2026-01"), End: month("2026-06")}
	// The other accounts of the portfolio: revenue at January (Nov–Jan) and June (Apr–Jun).
	x, y, z := uuid.New(), uuid.New(), uuid.New()
	others := &OtherAccounts{
		Start: map[uuid.UUID]float64{in[0].Account.ID: 100, in[1].Account.ID: 80, in[2].Account.ID: 50, in[4].Account.ID: 30, x: 10, y: 20, z: 0},
		End:   map[uuid.UUID]float64{in[0].Account.ID: 120, in[2].Account.ID: 50, in[3].Account.ID: 40, in[4].Account.ID: 30, x: 10},
	}
	d := BuildDashboard(in, p, Inputs{History: h, Others: others})
	r := d.Summary.Retention
	// Key on 1 Jan and customers then: Anvil (100), Bolt (80), Crane (50), Easel (30) — 4.
	// Customers at June's end: Anvil (120), Crane (50), Easel (30); Bolt's last figure was February — 3.
	// Account retention 3 ÷ 4 = 75 %; revenue retention (120 + 0 + 50 + 30) ÷ (100 + 80 + 50 + 30) = 200 ÷ 260.
	// Drill is new (key at the end, no revenue at the start).
	if r.Cohort != 4 || r.Retained != 3 || r.New != 1 || !sameValue(r.Accounts, Some(0.75)) || !sameValue(r.Revenue, Some(200.0/260)) {
		t.Errorf("key retention %+v", r)
	}
	// Not key on 1 Jan, customers then: x (10), y (20); z had 0. Still customers in June: x — 1 ÷ 2 = 50 %.
	nk := d.Summary.NonKeyRetention
	if nk.Cohort != 2 || nk.Retained != 1 || !sameValue(nk.Accounts, Some(0.5)) {
		t.Errorf("non-key retention %+v", nk)
	}
	// Key accounts kept 75 ÷ 50 − 1 = 50 % more of their customers.
	if !sameValue(d.Summary.KeyAdvantage, Some(0.5)) {
		t.Errorf("key advantage %+v", d.Summary.KeyAdvantage)
	}
	// The programme's list shows the accounts key now; the cohort keeps Bolt and Easel.
	if len(d.Accounts) != 3 || len(d.Cohort) != 4 {
		t.Errorf("accounts %d, cohort %d", len(d.Accounts), len(d.Cohort))
	}
	// Churn in June 2026 (the trend's last month): key on 1 May and customers in May
	// (Mar–May): Anvil, Crane, Drill (Bolt was declined in April, Easel in March) — 3;
	// none stopped: 0 %. Churn in May: key on 1 Apr: Anvil, Bolt (80 in Feb, within
	// Feb–Apr), Crane, Drill; at May (Mar–May) Bolt has nothing: 1 of 4 = 25 %.
	if len(d.Churn) != ChurnMonths {
		t.Fatalf("churn months %d", len(d.Churn))
	}
	june, may := d.Churn[ChurnMonths-1], d.Churn[ChurnMonths-2]
	if !june.Month.Equal(month("2026-06")) || june.Cohort != 3 || june.Churned != 0 || !sameValue(june.Rate, Some(0)) {
		t.Errorf("june %+v", june)
	}
	if may.Cohort != 4 || may.Churned != 1 || !sameValue(may.Rate, Some(0.25)) {
		t.Errorf("may %+v", may)
	}
}

// Retention, churn and their ratios stay within 0…1 whatever the figures
// and the history.
func TestRetentionRatesWithinBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	statuses := []string{"key", "declined", "watch", "candidate", "former"}
	for range 200 {
		var in []AccountSeries
		var changes []KeyChange
		start := month("2025-01")
		others := &OtherAccounts{Start: map[uuid.UUID]float64{}, End: map[uuid.UUID]float64{}}
		for range 1 + rng.IntN(12) {
			rev := make([]float64, 30)
			for i := range rev {
				switch rng.IntN(4) {
				case 0:
					rev[i] = gap
				case 1:
					rev[i] = 0
				default:
					rev[i] = float64(rng.IntN(1000))
				}
			}
			a := AccountSeries{Account: AccountInfo{ID: uuid.New(), KeyStatus: statuses[rng.IntN(len(statuses))]}, Figures: series("2024-10", rev...)}
			for range rng.IntN(3) {
				changes = append(changes, KeyChange{AccountID: a.Account.ID, Old: statuses[rng.IntN(len(statuses))],
					New: statuses[rng.IntN(len(statuses))], At: start.AddDate(0, 0, rng.IntN(700))})
			}
			in = append(in, a)
			others.Start[uuid.New()], others.End[uuid.New()] = float64(rng.IntN(3)), float64(rng.IntN(3))
		}
		p := NewPeriod([]string{"3m", "6m", "12m"}[rng.IntN(3)], month("2026-12"), 1)
		d := BuildDashboard(in, p, Inputs{History: NewKeyHistory(start, changes), Others: others})
		for _, v := range []Value{d.Summary.Retention.Accounts, d.Summary.NonKeyRetention.Accounts, d.Summary.Retention.Churn()} {
			if v.OK && (v.V < 0 || v.V > 1) {
				t.Fatalf("a rate outside 0…1: %v", v.V)
			}
		}
		for _, c := range d.Churn {
			if c.Rate.OK && (c.Rate.V < 0 || c.Rate.V > 1) || c.Churned > c.Cohort {
				t.Fatalf("churn %+v", c)
			}
		}
		if r := d.Summary.Retention; r.Retained > r.Cohort || r.Cohort > len(in) {
			t.Fatalf("retention %+v of %d accounts", r, len(in))
		}
	}
}

// The worked example of docs/metrics.md ("Average transaction size" and
// "Units per order").
func TestVolumes(t *testing.T) {
	n := func(v int) *int { return &v }
	figs := []Figure{
		{Revenue: 10_000, Orders: n(4), Units: n(100)}, // 2,500 an order, 25 units an order
		{Revenue: 6_000, Orders: n(2)},                 // no units: counts for the transaction size only
		{Revenue: 3_000, Orders: n(0), Units: n(10)},   // no orders: left out of both
		{Revenue: 9_000},                               // no orders entered: left out
	}
	var v Volumes
	for _, f := range figs {
		v.Add(f)
	}
	// (10,000 + 6,000) ÷ (4 + 2) = 2,666.67; units 100 ÷ 4 orders = 25.
	if !sameValue(v.AvgTransaction(), Some(16_000.0/6)) || !sameValue(v.UnitsPerOrder(), Some(25)) {
		t.Errorf("avg transaction %+v, units per order %+v", v.AvgTransaction(), v.UnitsPerOrder())
	}
	if (Volumes{}).AvgTransaction().OK || (Volumes{}).UnitsPerOrder().OK {
		t.Error("no orders gives no averages")
	}
	// Through a dashboard: the key accounts' months summed before dividing.
	a := AccountSeries{Account: AccountInfo{ID: uuid.New(), KeyStatus: "key"}, Figures: series("2026-01", 10_000, 6_000)}
	b := AccountSeries{Account: AccountInfo{ID: uuid.New(), KeyStatus: "key"}, Figures: series("2026-01", 2_000)}
	a.Figures[0].Orders, a.Figures[0].Units = n(4), n(100)
	a.Figures[1].Orders = n(2)
	b.Figures[0].Orders, b.Figures[0].Units = n(1), n(30)
	d := BuildDashboard([]AccountSeries{a, b}, Period{Start: month("2026-01"), End: month("2026-02")}, Inputs{})
	// (10,000 + 6,000 + 2,000) ÷ (4 + 2 + 1) = 2,571.43; (100 + 30) ÷ (4 + 1) = 26.
	if !sameValue(d.Summary.Volumes.AvgTransaction(), Some(18_000.0/7)) || !sameValue(d.Summary.Volumes.UnitsPerOrder(), Some(26)) {
		t.Errorf("dashboard volumes %+v", d.Summary.Volumes)
	}
}

// The unfiltered dashboard's non-key retention is every account's less the
// key accounts' parts (OtherAccounts.All, issue 19): the same figure as
// the walk over every non-key account, on random portfolios with accounts
// that joined, left, shrank to zero, and key accounts with and without
// revenue.
func TestNonKeyRetentionFromAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 14))
	for round := range 200 {
		start, end, key := map[uuid.UUID]float64{}, map[uuid.UUID]float64{}, map[uuid.UUID]bool{}
		for range rng.IntN(40) {
			id := uuid.New()
			switch rng.IntN(5) {
			case 0: // joined during the period
				end[id] = float64(rng.IntN(1000))
			case 1: // left
				start[id] = float64(1 + rng.IntN(1000))
			case 2: // zero at the start
				start[id], end[id] = 0, float64(rng.IntN(1000))
			default:
				start[id], end[id] = float64(1+rng.IntN(100000))/100, float64(rng.IntN(100000))/100
			}
			if rng.IntN(4) == 0 {
				key[id] = true
			}
		}
		for range rng.IntN(3) {
			key[uuid.New()] = true // key, but no revenue at all
		}
		all := retentionOf(start, end, func(uuid.UUID) bool { return true })
		got := OtherAccounts{Start: start, End: end, All: &all}.nonKeyRetention(key)
		want := OtherAccounts{Start: start, End: end}.nonKeyRetention(key)
		if got.Cohort != want.Cohort || got.Retained != want.Retained || got.Accounts != want.Accounts ||
			math.Abs(got.StartRevenue-want.StartRevenue) > 1e-6 || math.Abs(got.EndRevenue-want.EndRevenue) > 1e-6 ||
			got.Revenue.OK != want.Revenue.OK || math.Abs(got.Revenue.V-want.Revenue.V) > 1e-9 {
			t.Fatalf("round %d: from All %+v, walked %+v", round, got, want)
		}
	}
}
