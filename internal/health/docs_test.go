package health

import "strconv"
import "testing"

import "pareto/internal/account"
import "pareto/internal/kpi"
import "pareto/internal/metricsdoc"

// TestDocsWorkedExample computes the worked example of docs/health.md
// ("Globex on 20 November 2026") from its inputs as the page states them
// and compares every figure with the page's fixture table: each
// component's value, weight, effective weight and contribution, and the
// score. If the page and the code disagree, this fails.
func TestDocsWorkedExample(t *testing.T) {
	rows, err := metricsdoc.TableIn("health.md", "health-score")
	if err != nil {
		t.Fatal(err)
	}
	today := day("2026-11-20")
	contact := func(name string, role account.BuyingRole, lastMet string) account.Contact {
		return account.Contact{Name: name, Role: role, Strength: account.StrengthNeutral, LastContact: day(lastMet)}
	}
	csat, nps := 4.2, 30
	in := Inputs{
		Key: true,
		Facts: account.Facts{Contacts: []account.Contact{
			contact("Dee", account.RoleDecisionMaker, "2026-10-31"), // 20 days
			contact("Cam", account.RoleChampion, "2026-08-22"),      // 90 days
			contact("Eve", account.RoleEconomicBuyer, "2026-06-23"), // 150 days
		}},
		CSAT: &csat, CSATMonth: month("2026-10"), CSATScale: kpi.ScaleFive,
		NPS: &nps, NPSMonth: month("2026-09"),
		EngagementInUse: true, Engagements: 2,
		Margins: []MonthValue{{month("2026-02"), 26}, {month("2026-03"), 26}, {month("2026-04"), 26},
			{month("2026-05"), 24}, {month("2026-06"), 24}, {month("2026-07"), 24}},
	}
	b := Compute(in, DefaultSettings(), today)
	num := func(s string) float64 {
		t.Helper()
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("fixture cell %q: %v", s, err)
		}
		return v
	}
	if len(rows) != len(Components)+1 {
		t.Fatalf("fixture has %d rows, want %d components and the score", len(rows), len(Components))
	}
	sum := 0.0
	for _, r := range rows[:len(Components)] {
		p, ok := b.Part(Component(r[0]))
		if !ok {
			t.Fatalf("no component %q", r[0])
		}
		switch {
		case r[1] == "missing":
			if !p.Missing() {
				t.Errorf("%s: value %v, the page says missing", r[0], *p.Value)
			}
		case p.Missing():
			t.Errorf("%s: missing, the page says %s (%s)", r[0], r[1], p.Detail)
		case !near(*p.Value, num(r[1])):
			t.Errorf("%s: value %v, the page says %s (%s)", r[0], *p.Value, r[1], p.Detail)
		}
		if p.Weight != int(num(r[2])) || !near(p.Effective, num(r[3])) || !near(p.Contribution, num(r[4])) {
			t.Errorf("%s: weight %d effective %v contribution %v, the page says %s, %s, %s", r[0], p.Weight, p.Effective,
				p.Contribution, r[2], r[3], r[4])
		}
		sum += p.Contribution
	}
	last := rows[len(rows)-1]
	if b.Score == nil || *b.Score != int(num(last[1])) || !near(sum, num(last[4])) {
		t.Errorf("score %v (sum %v), the page says %s (%s)", b.Score, sum, last[1], last[4])
	}
}
