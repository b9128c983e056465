// Package health says whether each account relationship is healthy, beside
// the selection score that says whether the account is attractive: the
// health score and its breakdown, the relationship warnings, the 2×2 of
// attractiveness against health, profitability, and periodic account
// reviews with their client progress report. It knows nothing of HTTP.
//
// The score and the warnings are pure functions of an account's Inputs
// (score.go, warnings.go), so every rule is tested on hand-made inputs.
// The store (keep.go) reads the inputs of many accounts at once, computes,
// and keeps the result (account_health, account_risks) and its monthly
// history (health_history): pages read what is kept and never recompute a
// portfolio. Writes that change an account's inputs refresh that account;
// the clock's part (contacts going stale, dates passing) is caught up once
// a day per tenant (RefreshTenant).
//
// Permission rules, stated on each method: everyone signed in reads
// health, risks, profitability and reviews; who may edit an account
// (account.CanEdit) records its profitability and holds its reviews; only
// admins change the settings.
package health

import "math"
import "time"

// Component is one part of the health score.
//
//	Coverage     "coverage"     "Stakeholder coverage"
//		"Share of the four decision roles (decision maker, economic buyer, champion, executive sponsor) held by a stakeholder who is still at the company."
//	Freshness    "freshness"    "Contact freshness"
//		"Each key stakeholder (a current stakeholder in a decision role; all current stakeholders when none is) scores 100 when last contacted within the stale-contact threshold, falling in a straight line to 0 at twice the threshold; the value is their mean. Missing without stakeholders."
//	PlanProgress "plan"         "Plan progress"
//		"Share of the goals of open plans whose derived status is achieved or on track. Missing without goals."
//	Satisfaction "satisfaction" "Satisfaction"
//		"Mean of the latest CSAT (1–5 scale: (CSAT − 1) ÷ 4; percent scale as it is) and the latest NPS ((NPS + 100) ÷ 2) of the last 12 months. Missing without either."
//	Engagement   "engagement"   "Engagement"
//		"25 points per non-monetary engagement (referral, case study, reference, beta test, joint project, event) in the last 12 months, at most 100. Missing while the tenant has logged no engagement at all."
//	MarginTrend  "margin"       "Margin trend"
//		"Average gross margin of the latest three months with a margin against the three before: 100 while it holds or rises, 10 points off per point lost; at most 40 while the latest average is below the low-margin threshold. Missing without margins in both windows or when the latest is more than six months old."
//
//enumgen:values Components
//enumgen:text Rule says how the component's value (0–100) is computed; the breakdown shows it beside the value.
type Component string

// Weights are the admin's weight of each component, in percent; they sum
// to 100 (Settings.Validate).
type Weights map[Component]int

// Part is one component of an account's score.
type Part struct {
	Component Component `json:"component"`
	// Value is 0–100; nil when the input is missing (then the part is
	// excluded and the other weights renormalised).
	Value *float64 `json:"value"`
	// Weight is the admin's weight; Effective the weight after
	// renormalisation over the parts that have a value (percent, 0 for a
	// missing part).
	Weight    int     `json:"weight"`
	Effective float64 `json:"effective"`
	// Contribution is Value × Effective ÷ 100: the points it adds.
	Contribution float64 `json:"contribution"`
	// Detail says what the value is made of for this account.
	Detail string `json:"detail"`
}

// Missing reports whether the part had no input.
func (p Part) Missing() bool { return p.Value == nil }

// Breakdown is an account's health as computed on a day.
type Breakdown struct {
	// Score is 0–100, nil when every weighted part is missing.
	Score    *int      `json:"score"`
	Parts    []Part    `json:"parts"`
	Warnings []Warning `json:"warnings"`
	AsOf     time.Time `json:"as_of"`
}

// Part returns the breakdown's part of component c.
func (b Breakdown) Part(c Component) (Part, bool) {
	for _, p := range b.Parts {
		if p.Component == c {
			return p, true
		}
	}
	return Part{}, false
}

// Combine weighs the parts' values (each Part's Value and Detail filled
// in; Weight taken from w) into the score: the weighted mean over the
// parts that have a value, so the weights of missing parts are shared out
// among the others in proportion (renormalised), never counted as zero.
// The score is rounded half up to a whole number; with no weight left
// (every weighted part missing) it is nil.
func Combine(parts []Part, w Weights) ([]Part, *int) {
	total := 0
	for i := range parts {
		parts[i].Weight = w[parts[i].Component]
		if parts[i].Value != nil {
			total += parts[i].Weight
		}
	}
	if total == 0 {
		for i := range parts {
			parts[i].Effective, parts[i].Contribution = 0, 0
		}
		return parts, nil
	}
	sum := 0.0
	for i := range parts {
		p := &parts[i]
		p.Effective, p.Contribution = 0, 0
		if p.Value == nil {
			continue
		}
		p.Effective = float64(p.Weight) * 100 / float64(total)
		p.Contribution = *p.Value * float64(p.Weight) / float64(total)
		sum += p.Contribution
	}
	score := int(math.Floor(sum + 0.5 + 1e-9))
	score = max(0, min(100, score))
	return parts, &score
}

// Compute is an account's breakdown on today from its inputs under the
// tenant's settings: each component's value (components.go), combined
// with the settings' weights (Combine), and the relationship warnings
// (warnings.go).
func Compute(in Inputs, st Settings, today time.Time) Breakdown {
	today = dateOf(today)
	parts := []Part{coverage(in), freshness(in, st, today), planProgress(in), satisfaction(in, today),
		engagement(in), marginTrend(in, st, today)}
	parts, score := Combine(parts, st.Weights)
	return Breakdown{Score: score, Parts: parts, Warnings: Warnings(in, st, today), AsOf: today}
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// days is the whole days from a to b.
func days(a, b time.Time) int { return int(dateOf(b).Sub(dateOf(a)).Hours() / 24) }

func value(v float64) *float64 {
	v = max(0, min(100, v))
	return &v
}
