package health

import "math"
import "testing"
import "time"

import "pareto/internal/account"
import "pareto/internal/kpi"
import "pareto/internal/plan"

var today = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func month(s string) time.Time {
	m, err := kpi.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

func f(v float64) *float64 { return &v }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCombine(t *testing.T) {
	w := DefaultSettings().Weights // 20 20 20 15 10 15
	all := func(vs ...*float64) []Part {
		out := make([]Part, len(Components))
		for i, c := range Components {
			out[i] = Part{Component: c, Value: vs[i]}
		}
		return out
	}
	tests := []struct {
		name    string
		parts   []Part
		weights Weights
		want    *int
		// effective weight of the first part, and its contribution
		eff0, con0 float64
	}{
		{
			// 0.20·80 + 0.20·50 + 0.20·100 + 0.15·60 + 0.10·25 + 0.15·100
			// = 16 + 10 + 20 + 9 + 2.5 + 15 = 72.5 → 73 (half up).
			name: "every part", parts: all(f(80), f(50), f(100), f(60), f(25), f(100)), weights: w,
			want: ptr(73), eff0: 20, con0: 16,
		},
		{
			// Engagement (10) and margin (15) missing: 75 of weight left.
			// Coverage's effective weight 20/75 = 26.67 %, contribution
			// 80·20/75 = 21.33; score (16 + 10 + 20 + 9) / 0.75 = 55/0.75
			// = 73.33 → 73.
			name: "missing parts renormalised", parts: all(f(80), f(50), f(100), f(60), nil, nil), weights: w,
			want: ptr(73), eff0: 100 * 20.0 / 75, con0: 80 * 20.0 / 75,
		},
		{
			// A missing part is never a zero: counting engagement as 0
			// would give 55 + 0 = 55 of 85 → 64.7; renormalised it is 73.
			name: "missing is not zero", parts: all(f(80), f(50), f(100), f(60), nil, nil), weights: w, want: ptr(73),
			eff0: 100 * 20.0 / 75, con0: 80 * 20.0 / 75,
		},
		{
			name: "all missing", parts: all(nil, nil, nil, nil, nil, nil), weights: w, want: nil,
		},
		{
			// Only zero-weight parts have values: no weight to share.
			name: "only unweighted parts", parts: all(f(100), nil, nil, nil, nil, nil),
			weights: Weights{Coverage: 0, Freshness: 100}, want: nil,
		},
		{
			// Coverage alone: 100 % of the weight, score = its value.
			name: "one part left", parts: all(f(25), nil, nil, nil, nil, nil), weights: w, want: ptr(25), eff0: 100, con0: 25,
		},
		{
			// 0.5·0 + 0.5·1 = 0.5 → rounds half up to 1.
			name: "rounding half up", parts: all(f(0), f(1), nil, nil, nil, nil), weights: Weights{Coverage: 50, Freshness: 50},
			want: ptr(1), eff0: 50, con0: 0,
		},
		{
			name: "all zero", parts: all(f(0), f(0), f(0), f(0), f(0), f(0)), weights: w, want: ptr(0), eff0: 20,
		},
		{
			name: "all full", parts: all(f(100), f(100), f(100), f(100), f(100), f(100)), weights: w, want: ptr(100),
			eff0: 20, con0: 20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, got := Combine(tt.parts, tt.weights)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Fatalf("score %v, want %v", deref(got), deref(tt.want))
			}
			if !near(parts[0].Effective, tt.eff0) || !near(parts[0].Contribution, tt.con0) {
				t.Errorf("coverage effective %v contribution %v, want %v %v", parts[0].Effective, parts[0].Contribution, tt.eff0, tt.con0)
			}
			sum, eff := 0.0, 0.0
			for _, p := range parts {
				if p.Missing() && (p.Effective != 0 || p.Contribution != 0) {
					t.Errorf("%s is missing but weighs %v", p.Component, p.Effective)
				}
				sum += p.Contribution
				eff += p.Effective
			}
			if got != nil && (math.Abs(sum-float64(*got)) > 0.5 || !near(eff, 100)) {
				t.Errorf("contributions sum to %v (score %d), effective weights to %v", sum, *got, eff)
			}
		})
	}
}

func ptr(n int) *int { return &n }

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func contact(name string, role account.BuyingRole, last string) account.Contact {
	c := account.Contact{Name: name, Role: role, Strength: account.StrengthNeutral}
	if last != "" {
		c.LastContact = day(last)
	}
	return c
}

func left(c account.Contact, on string) account.Contact {
	c.LeftOn = day(on)
	return c
}

func TestComponents(t *testing.T) {
	st := DefaultSettings() // stale after 60 days, low margin 20 %
	tests := []struct {
		name   string
		in     Inputs
		comp   Component
		want   *float64
		detail string
	}{
		// Coverage: four decision roles.
		{name: "coverage none", in: Inputs{}, comp: Coverage, want: f(0), detail: "0 of 4 decision roles mapped (no decision maker, no economic buyer, no champion, no executive sponsor)"},
		{name: "coverage two of four", comp: Coverage, want: f(50), detail: "2 of 4 decision roles mapped (no economic buyer, no executive sponsor)",
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("A", account.RoleDecisionMaker, ""),
				contact("B", account.RoleChampion, ""), contact("C", account.RoleUser, "")}}}},
		{name: "coverage ignores who left", comp: Coverage, want: f(25),
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("A", account.RoleDecisionMaker, ""),
				left(contact("B", account.RoleChampion, ""), "2026-10-01")}}}},
		{name: "coverage all", comp: Coverage, want: f(100),
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("A", account.RoleDecisionMaker, ""),
				contact("B", account.RoleChampion, ""), contact("C", account.RoleEconomicBuyer, ""),
				contact("D", account.RoleExecutiveSponsor, "")}}}},

		// Freshness: 100 within 60 days, 0 from 120, linear between.
		{name: "freshness without stakeholders", comp: Freshness, want: nil, in: Inputs{}},
		{name: "freshness only people who left", comp: Freshness, want: nil,
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{left(contact("A", account.RoleDecisionMaker, "2026-11-01"), "2026-11-10")}}}},
		{
			// Decision maker 20 days ago → 100; champion 90 days ago →
			// (120 − 90)·100/60 = 50; the user (not a decision role) is
			// not a key stakeholder. Mean (100 + 50)/2 = 75.
			name: "freshness decision roles", comp: Freshness, want: f(75), detail: "1 of 2 key stakeholders contacted within 60 days",
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("A", account.RoleDecisionMaker, "2026-10-31"),
				contact("B", account.RoleChampion, "2026-08-22"), contact("C", account.RoleUser, "")}}},
		},
		{
			// No decision role: every current stakeholder counts. Never
			// contacted → 0, exactly 60 days → 100: mean 50.
			name: "freshness falls back to everyone", comp: Freshness, want: f(50),
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("A", account.RoleUser, ""),
				contact("B", account.RoleInfluencer, "2026-09-21")}}},
		},
		{
			// Exactly 120 days → 0.
			name: "freshness at twice the threshold", comp: Freshness, want: f(0),
			in: Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("A", account.RoleDecisionMaker, "2026-07-23")}}},
		},

		// Plan progress: achieved or on track over all goals.
		{name: "plan without goals", comp: PlanProgress, want: nil, in: Inputs{}},
		{
			// 1 achieved + 2 on track of 5 → 60.
			name: "plan progress", comp: PlanProgress, want: f(60), detail: "3 of 5 goals achieved or on track",
			in: Inputs{Goals: plan.GoalCounts{Achieved: 1, OnTrack: 2, AtRisk: 1, Overdue: 1}},
		},

		// Satisfaction: CSAT and NPS on 0–100, mean of those present.
		{name: "satisfaction missing", comp: Satisfaction, want: nil, in: Inputs{}},
		{
			// CSAT 4.2 on 1–5: (4.2 − 1)/4 = 80; NPS 30: 65. Mean 72.5.
			name: "satisfaction both", comp: Satisfaction, want: f(72.5), detail: "CSAT 4.2 (Oct 2026), NPS 30 (Sep 2026)",
			in: Inputs{CSAT: f(4.2), CSATMonth: month("2026-10"), CSATScale: kpi.ScaleFive, NPS: ptr(30), NPSMonth: month("2026-09")},
		},
		{
			// Percent scale: 88 % is 88.
			name: "satisfaction percent scale", comp: Satisfaction, want: f(88),
			in: Inputs{CSAT: f(88), CSATMonth: month("2026-10"), CSATScale: kpi.ScalePercent},
		},
		{
			// NPS −100 → 0.
			name: "satisfaction worst NPS", comp: Satisfaction, want: f(0), in: Inputs{NPS: ptr(-100), NPSMonth: month("2026-10")},
		},

		// Engagement: 25 a piece, at most 100; missing when unused.
		{name: "engagement unused", comp: Engagement, want: nil, in: Inputs{Engagements: 3}},
		{name: "engagement none", comp: Engagement, want: f(0), in: Inputs{EngagementInUse: true}},
		{name: "engagement two", comp: Engagement, want: f(50), in: Inputs{EngagementInUse: true, Engagements: 2}},
		{name: "engagement capped", comp: Engagement, want: f(100), in: Inputs{EngagementInUse: true, Engagements: 7}},

		// Margin trend.
		{name: "margin none", comp: MarginTrend, want: nil, in: Inputs{}},
		{
			// Only three months: no earlier window.
			name: "margin one window", comp: MarginTrend, want: nil,
			in: Inputs{Margins: []MonthValue{{month("2026-08"), 30}, {month("2026-09"), 30}, {month("2026-10"), 30}}},
		},
		{
			// Latest Apr 2026 is more than six months before Nov 2026.
			name: "margin stale", comp: MarginTrend, want: nil,
			in: Inputs{Margins: []MonthValue{{month("2025-11"), 30}, {month("2026-02"), 30}, {month("2026-04"), 30}}},
		},
		{
			// Recent (Aug–Oct) 30, 31, 32 → 31; earlier (May–Jul) 30 →
			// 30. Rising: 100.
			name: "margin rising", comp: MarginTrend, want: f(100),
			in: Inputs{Margins: []MonthValue{{month("2026-05"), 30}, {month("2026-08"), 30}, {month("2026-09"), 31}, {month("2026-10"), 32}}},
		},
		{
			// Recent 25, earlier (27 + 29)/2 = 28: −3 points → 70.
			name: "margin falling", comp: MarginTrend, want: f(70), detail: "25 % against 28 % (−3 points)",
			in: Inputs{Margins: []MonthValue{{month("2026-06"), 27}, {month("2026-07"), 29}, {month("2026-10"), 25}}},
		},
		{
			// Recent 18 (below 20 %), earlier 18: holding → 100, capped 40.
			name: "margin low but holding", comp: MarginTrend, want: f(40),
			in: Inputs{Margins: []MonthValue{{month("2026-06"), 18}, {month("2026-09"), 18}}},
		},
		{
			// −15 points: 100 − 150 → 0, never negative.
			name: "margin collapsing", comp: MarginTrend, want: f(0),
			in: Inputs{Margins: []MonthValue{{month("2026-06"), 40}, {month("2026-09"), 25}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Compute(tt.in, st, today)
			p, ok := b.Part(tt.comp)
			if !ok {
				t.Fatalf("no part %s", tt.comp)
			}
			switch {
			case tt.want == nil && p.Value != nil:
				t.Fatalf("value %v, want missing", *p.Value)
			case tt.want != nil && (p.Value == nil || !near(*p.Value, *tt.want)):
				t.Fatalf("value %v, want %v (%s)", p.Value, *tt.want, p.Detail)
			}
			if tt.detail != "" && p.Detail != tt.detail {
				t.Errorf("detail %q, want %q", p.Detail, tt.detail)
			}
		})
	}
}

func TestComputeScore(t *testing.T) {
	// A whole account: coverage 2/4 = 50; freshness: decision maker 10
	// days ago 100, champion 100 days ago (120 − 100)/60·100 = 33.33 →
	// 66.67; plan 3 of 4 = 75; satisfaction NPS 40 → 70; engagement
	// unused (missing); margin missing. Weights 20 20 20 15 – –: 75 of
	// weight left. Score = (20·50 + 20·66.67 + 20·75 + 15·70)/75
	// = (1000 + 1333.3 + 1500 + 1050)/75 = 4883.3/75 = 65.11 → 65.
	in := Inputs{Facts: account.Facts{Contacts: []account.Contact{contact("Dee", account.RoleDecisionMaker, "2026-11-10"),
		contact("Cam", account.RoleChampion, "2026-08-12")}},
		Goals: plan.GoalCounts{Achieved: 1, OnTrack: 2, OffTrack: 1}, NPS: ptr(40), NPSMonth: month("2026-10")}
	b := Compute(in, DefaultSettings(), today)
	if b.Score == nil || *b.Score != 65 {
		t.Fatalf("score %v, want 65", deref(b.Score))
	}
	if p, _ := b.Part(Engagement); !p.Missing() || p.Effective != 0 {
		t.Errorf("engagement %+v, want missing", p)
	}
	if p, _ := b.Part(Freshness); !near(p.Effective, 100*20.0/75) {
		t.Errorf("freshness effective %v, want 26.67", p.Effective)
	}
}
