package kpi

import "math"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

func month(s string) time.Time {
	m, err := ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func sameValue(got, want Value) bool {
	return got.OK == want.OK && (!got.OK || near(got.V, want.V))
}

// series builds figures of revenue per month from start; NaN marks a
// missing month.
func series(start string, revenue ...float64) []Figure {
	var out []Figure
	for i, r := range revenue {
		if math.IsNaN(r) {
			continue
		}
		out = append(out, Figure{Month: AddMonths(month(start), i), Revenue: r})
	}
	return out
}

var gap = math.NaN()

func TestGrowth(t *testing.T) {
	tests := []struct {
		name      string
		cur, prev Sum
		want      Value
	}{
		{"up 10%", Sum{1100, 1}, Sum{1000, 1}, Some(0.1)},
		{"down 25%", Sum{300, 1}, Sum{400, 1}, Some(-0.25)},
		// 10 months entered of 12: the average, not the sum, is compared,
		// so the missing months do not read as a fall.
		{"missing months", Sum{1100, 10}, Sum{1200, 12}, Some(0.1)},
		{"no previous figures", Sum{100, 1}, Sum{}, Value{}},
		{"previous zero", Sum{100, 1}, Sum{0, 3}, Value{}},
		{"no current figures", Sum{}, Sum{100, 1}, Value{}},
		{"flat", Sum{500, 5}, Sum{600, 6}, Some(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Growth(tt.cur, tt.prev); !sameValue(got, tt.want) {
				t.Errorf("Growth(%v, %v) = %+v, want %+v", tt.cur, tt.prev, got, tt.want)
			}
		})
	}
}

func TestPortfolioGrowth(t *testing.T) {
	tests := []struct {
		name      string
		cur, prev []Sum
		want      Value
	}{
		{"two accounts", []Sum{{1200, 12}, {2400, 12}}, []Sum{{1200, 12}, {1200, 12}}, Some(0.5)},
		// Account A missed two months this period: its average stays 100.
		{"missing months", []Sum{{1000, 10}, {1200, 12}}, []Sum{{1200, 12}, {1200, 12}}, Some(0)},
		// A new account adds growth; a lost one (no figures now) takes it away.
		{"new account", []Sum{{1200, 12}, {600, 6}}, []Sum{{1200, 12}, {}}, Some(1)},
		{"lost account", []Sum{{1200, 12}, {}}, []Sum{{1200, 12}, {1200, 12}}, Some(-0.5)},
		{"nothing before", []Sum{{1200, 12}}, []Sum{{}}, Value{}},
		{"no accounts", nil, nil, Value{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PortfolioGrowth(tt.cur, tt.prev); !sameValue(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNPSFromCounts(t *testing.T) {
	tests := []struct {
		name      string
		p, pa, d  int
		want      int
		wantValid bool
	}{
		{"textbook", 70, 20, 10, 60, true},
		{"all promoters", 5, 0, 0, 100, true},
		{"all detractors", 0, 0, 7, -100, true},
		{"all passives", 0, 9, 0, 0, true},
		{"rounds down", 1, 6, 0, 14, true},         // 14.29
		{"rounds up", 2, 0, 1, 33, true},           // 33.3
		{"negative half", 0, 1, 1, -50, true},      // −50
		{"negative rounding", 1, 4, 3, -25, true},  // −25
		{"one of eight", 1, 7, 0, 13, true},        // 12.5 → 13
		{"minus one of eight", 0, 7, 1, -13, true}, // −12.5 → −13
		{"no responses", 0, 0, 0, 0, false},
		{"negative count", -1, 2, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NPSFromCounts(tt.p, tt.pa, tt.d)
			if got != tt.want || ok != tt.wantValid {
				t.Errorf("NPSFromCounts(%d, %d, %d) = %d, %v; want %d, %v", tt.p, tt.pa, tt.d, got, ok, tt.want, tt.wantValid)
			}
		})
	}
}

func TestRevenueAt(t *testing.T) {
	figs := series("2025-01", 100, 200, gap, gap, 500)
	tests := []struct {
		at   string
		want Value
	}{
		{"2025-02", Some(200)},
		{"2025-03", Some(200)}, // one missing month: the latest figure within the window
		{"2025-04", Some(200)}, // two missing months: still within the window
		{"2025-05", Some(500)},
		{"2025-07", Some(500)},
		{"2025-08", Value{}}, // three months without figures: gone
		{"2024-12", Value{}}, // before any figures
	}
	for _, tt := range tests {
		m := month(tt.at)
		r := DeriveAccount(AccountSeries{Figures: figs}, Period{Start: m, End: m})
		if !sameValue(r.StartRevenue, tt.want) || !sameValue(r.EndRevenue, tt.want) {
			t.Errorf("revenue at %s = %+v / %+v, want %+v", tt.at, r.StartRevenue, r.EndRevenue, tt.want)
		}
	}
}

func TestComputeRetention(t *testing.T) {
	// keyStatus is the status at the start ("key": in the group) and at the
	// end alike, except "former": key at the start, not at the end.
	ra := func(keyStatus string, start, end Value) RetentionAccount {
		return RetentionAccount{InGroup: keyStatus == "key" || keyStatus == "former", KeyAtEnd: keyStatus == "key",
			StartRevenue: start, EndRevenue: end}
	}
	tests := []struct {
		name                     string
		accts                    []RetentionAccount
		cohort, retained, newAcc int
		accounts, revenue        Value
	}{
		{
			name: "all kept, one grew",
			accts: []RetentionAccount{
				ra("key", Some(100), Some(100)),
				ra("key", Some(100), Some(150)),
			},
			cohort: 2, retained: 2, accounts: Some(1), revenue: Some(1.25),
		},
		{
			name: "churned and new accounts",
			accts: []RetentionAccount{
				ra("key", Some(100), Some(120)),    // kept, grew
				ra("key", Some(100), Value{}),      // churned: no figures at the end
				ra("former", Some(200), Some(0)),   // left the programme and stopped buying
				ra("key", Value{}, Some(300)),      // new during the period: not in the cohort
				ra("key", Some(0), Some(50)),       // no revenue at the start: new too
				ra("candidate", Some(80), Value{}), // never in the programme
			},
			cohort: 3, retained: 1, newAcc: 2, accounts: Some(1.0 / 3), revenue: Some(120.0 / 400),
		},
		{
			name:   "empty cohort",
			accts:  []RetentionAccount{ra("key", Value{}, Some(10))},
			cohort: 0, retained: 0, newAcc: 1, accounts: Value{}, revenue: Value{},
		},
		{
			name: "former key account still buying counts as kept",
			accts: []RetentionAccount{
				ra("former", Some(100), Some(90)),
			},
			cohort: 1, retained: 1, accounts: Some(1), revenue: Some(0.9),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ComputeRetention(tt.accts)
			if r.Cohort != tt.cohort || r.Retained != tt.retained || r.New != tt.newAcc {
				t.Errorf("cohort %d retained %d new %d; want %d %d %d", r.Cohort, r.Retained, r.New, tt.cohort, tt.retained, tt.newAcc)
			}
			if !sameValue(r.Accounts, tt.accounts) || !sameValue(r.Revenue, tt.revenue) {
				t.Errorf("accounts %+v revenue %+v; want %+v %+v", r.Accounts, r.Revenue, tt.accounts, tt.revenue)
			}
		})
	}
}

func TestNewPeriod(t *testing.T) {
	anchor := month("2026-10")
	tests := []struct {
		key, fy         string
		fyStart         int
		start, end      string
		prevStart, yago string
		months          int
	}{
		{"3m", "", 1, "2026-08", "2026-10", "2026-05", "2025-08", 3},
		{"6m", "", 1, "2026-05", "2026-10", "2025-11", "2025-05", 6},
		{"12m", "", 1, "2025-11", "2026-10", "2024-11", "2024-11", 12},
		{"24m", "", 1, "2024-11", "2026-10", "2022-11", "2023-11", 24},
		{"fy", "", 1, "2026-01", "2026-10", "2025-01", "2025-01", 10},
		{"fy", "", 4, "2026-04", "2026-10", "2025-04", "2025-04", 7},
		{"fy", "", 11, "2025-11", "2026-10", "2024-11", "2024-11", 12},
		{"pfy", "", 4, "2025-04", "2026-03", "2024-04", "2024-04", 12},
		{"bogus", "", 1, "2025-11", "2026-10", "2024-11", "2024-11", 12},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+FormatMonth(time.Date(2000, time.Month(tt.fyStart), 1, 0, 0, 0, 0, time.UTC)), func(t *testing.T) {
			p := NewPeriod(tt.key, anchor, tt.fyStart)
			if FormatMonth(p.Start) != tt.start || FormatMonth(p.End) != tt.end || p.Months() != tt.months {
				t.Errorf("period %s–%s (%d months), want %s–%s (%d)", FormatMonth(p.Start), FormatMonth(p.End), p.Months(), tt.start, tt.end, tt.months)
			}
			if got := FormatMonth(p.Previous().Start); got != tt.prevStart {
				t.Errorf("previous starts %s, want %s", got, tt.prevStart)
			}
			if got := FormatMonth(p.YearAgo().Start); got != tt.yago {
				t.Errorf("year ago starts %s, want %s", got, tt.yago)
			}
		})
	}
}

func TestDeriveAccount(t *testing.T) {
	csat := func(v float64) *float64 { return &v }
	nps := func(v int) *int { return &v }
	figs := series("2025-01", 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, // 2025
		110, gap, 110, 110, 110, 110, 110, 110, 110, 110, 110, 110) // 2026, February missing
	figs[12].CSAT, figs[13].CSAT = csat(4), csat(5)
	figs[12].NPS, figs[14].NPS = nps(30), nps(-10)
	figs[12].CrossSellCount = nps(2)
	figs[13].UpsellRevenue = csat(25)
	s := AccountSeries{Account: AccountInfo{KeyStatus: "key"}, Figures: figs}
	r := DeriveAccount(s, NewPeriod("12m", month("2026-12"), 1))
	if r.Revenue.Total != 1210 || r.Revenue.N != 11 {
		t.Errorf("revenue %+v, want 1210 over 11 months", r.Revenue)
	}
	if !sameValue(r.GrowthPoP, Some(0.1)) || !sameValue(r.GrowthYoY, Some(0.1)) {
		t.Errorf("growth %+v / %+v, want +10%% (missing February does not count)", r.GrowthPoP, r.GrowthYoY)
	}
	if !sameValue(r.CSAT, Some(4.5)) || !sameValue(r.NPS, Some(10)) {
		t.Errorf("csat %+v nps %+v", r.CSAT, r.NPS)
	}
	if r.Upsell != 25 || r.CrossSells != 2 {
		t.Errorf("upsell %v cross %d", r.Upsell, r.CrossSells)
	}
	if !sameValue(r.StartRevenue, Some(110)) || !sameValue(r.EndRevenue, Some(110)) {
		t.Errorf("revenue at start %+v, at end %+v", r.StartRevenue, r.EndRevenue)
	}
	if len(r.Trend) != 12 || r.Trend[1].OK || !sameValue(r.Trend[0], Some(110)) {
		t.Errorf("trend %+v: want 12 months with February missing", r.Trend)
	}
}

func TestBuildDashboard(t *testing.T) {
	kamA, kamB := uuid.New(), uuid.New()
	acc := func(name, keyStatus string, kam uuid.UUID, figs []Figure) AccountSeries {
		return AccountSeries{Account: AccountInfo{ID: uuid.New(), Name: name, KeyStatus: keyStatus, KAMID: kam, KAMName: name + "'s KAM"}, Figures: figs}
	}
	p := NewPeriod("3m", month("2026-06"), 1)
	in := []AccountSeries{
		// previous period Jan–Mar, current Apr–Jun
		acc("Alpha", "key", kamA, series("2026-01", 100, 100, 100, 200, 200, 200)),
		acc("Beta", "key", kamA, series("2026-01", 100, 100, 100, gap, gap, gap)), // churned after March
		acc("Gamma", "key", kamB, series("2026-05", 300, 300)),                    // new in May
		acc("Delta", "former", kamB, series("2026-01", 50, 50, 50, 50, 50, 50)),   // left the programme
	}
	up := 10.0
	in[0].Figures[3].UpsellRevenue = &up
	// Delta was key until mid-May.
	h := NewKeyHistory(month("2025-06"), []KeyChange{{AccountID: in[3].Account.ID, Old: "key", New: "former", At: month("2026-05").AddDate(0, 0, 14)}})
	// The shares come from the one revenue the store keeps (every
	// account's 2,000, the key accounts' 1,200), not from the period's.
	d := BuildDashboard(in, p, Inputs{Concentration: Concentration{TotalRevenue: 2000, KeyRevenue: 1200, Largest: Largest{Name: "Gamma", Revenue: 600}}, History: h})
	sm := d.Summary
	if sm.Accounts != 3 || sm.Revenue != 600+0+600 {
		t.Fatalf("accounts %d revenue %v, want 3 and 1200", sm.Accounts, sm.Revenue)
	}
	// monthly averages: now 200 + 0 + 300 = 500; before 100 + 100 + 0 = 200
	if !sameValue(sm.GrowthPoP, Some(1.5)) {
		t.Errorf("growth %+v, want +150%%", sm.GrowthPoP)
	}
	// At the start (window Feb–Apr): Alpha 200, Beta 100 (March), Delta 50 (key on 1 April);
	// at the end (Apr–Jun): Alpha and Delta. Gamma is new.
	if r := sm.Retention; r.Cohort != 3 || r.Retained != 2 || r.New != 1 {
		t.Errorf("retention %+v, want cohort 3, retained 2, new 1", r)
	}
	if r := sm.Retention; !sameValue(r.Revenue, Some((200.0+50)/(200+100+50))) {
		t.Errorf("revenue retention %+v", r.Revenue)
	}
	if !sameValue(sm.KeyShare, Some(0.6)) || !sameValue(sm.Largest.Share, Some(0.3)) {
		t.Errorf("key share %+v largest %+v", sm.KeyShare, sm.Largest.Share)
	}
	if len(sm.Warnings) != 1 || !strings.Contains(sm.Warnings[0], "above 10.0%") {
		t.Errorf("warnings %v, want one for Gamma's 30%% (above the default 10%%)", sm.Warnings)
	}
	if w := BuildDashboard(in, p, Inputs{Concentration: Concentration{TotalRevenue: 2000, Largest: Largest{Name: "Gamma", Revenue: 600}, WarnShare: 0.35}, History: h}).Summary.Warnings; len(w) != 0 {
		t.Errorf("warnings %v under a 35%% threshold", w)
	}
	if !sameValue(sm.UpsellRate, Some(10.0/1200)) {
		t.Errorf("upsell rate %+v", sm.UpsellRate)
	}
	if len(d.Months) != 3 || d.Months[0].Accounts != 1 || !sameValue(d.Months[1].Revenue, Some(500)) || d.Months[2].Accounts != 2 {
		t.Errorf("months %+v", d.Months)
	}
	if len(d.KAMs) != 2 || d.KAMs[0].KAMID != kamA || d.KAMs[0].Revenue != 600 || d.KAMs[1].Revenue != 600 ||
		!sameValue(d.KAMs[0].Growth, Some(0)) || d.KAMs[1].Accounts != 1 {
		t.Errorf("kams %+v", d.KAMs)
	}
	if len(d.Accounts) != 3 || d.Accounts[0].Account.Name != "Alpha" {
		t.Errorf("accounts not by revenue: %v", d.Accounts)
	}
	if len(d.Cohort) != 3 || d.Cohort[0].Account.Name != "Alpha" || d.Cohort[1].Account.Name != "Beta" || d.Cohort[1].Retained {
		t.Errorf("cohort %+v", d.Cohort)
	}
}

func TestBuildDashboardEmpty(t *testing.T) {
	d := BuildDashboard(nil, NewPeriod("12m", month("2026-06"), 1), Inputs{})
	if d.Summary.Accounts != 0 || d.Summary.GrowthPoP.OK || d.Summary.KeyShare.OK || len(d.Months) != 12 || len(d.Summary.Warnings) != 0 {
		t.Errorf("empty dashboard %+v", d.Summary)
	}
}

func TestSortAccounts(t *testing.T) {
	rows := []AccountRow{
		{Account: AccountInfo{Name: "b", KAMName: "Zed"}, Revenue: Sum{Total: 5}, CSAT: Some(4)},
		{Account: AccountInfo{Name: "A"}, Revenue: Sum{Total: 9}},
		{Account: AccountInfo{Name: "c", KAMName: "Amy"}, Revenue: Sum{Total: 1}, CSAT: Some(3)},
	}
	names := func() string {
		s := ""
		for _, r := range rows {
			s += r.Account.Name
		}
		return s
	}
	for _, tt := range []struct {
		key  string
		desc bool
		want string
	}{
		{"revenue", true, "Abc"},
		{"revenue", false, "cbA"},
		{"name", false, "Abc"},
		{"kam", false, "cbA"},
		{"csat", true, "bcA"},  // missing values last
		{"csat", false, "cbA"}, // ...either way
	} {
		SortAccounts(rows, tt.key, tt.desc)
		if got := names(); got != tt.want {
			t.Errorf("sort %s desc=%v: %s, want %s", tt.key, tt.desc, got, tt.want)
		}
	}
}
