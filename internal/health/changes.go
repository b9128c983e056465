package health

import "fmt"
import "strconv"
import "strings"

import "pareto/internal/numfmt"
import "pareto/internal/plan"

// Change is one thing that moved between two reviews.
type Change struct {
	Label         string
	Before, After string
	// Better is +1 when the move is good for the relationship, −1 when
	// bad, 0 when neither (or it depends).
	Better int
	// Internal changes stay out of the client's progress report unless
	// their part is ticked in: "cost" (contribution, margin) or
	// "pipeline"; "" for the client-facing ones.
	Internal string
}

// Changes lists what changed from the previous review's snapshot to
// this one's: the health score and each component, revenue, CSAT and NPS,
// each goal's status, the risks raised and resolved, and (internal) the
// contribution, margin and pipeline. Unchanged things are left out.
func Changes(prev, cur Snapshot) []Change {
	var out []Change
	add := func(label, before, after string, better int, internal string) {
		if before != after {
			out = append(out, Change{Label: label, Before: before, After: after, Better: better, Internal: internal})
		}
	}
	add("Health score", optInt(prev.Health.Score), optInt(cur.Health.Score), cmpInt(prev.Health.Score, cur.Health.Score), "")
	for _, c := range Components {
		p, _ := prev.Health.Part(c)
		q, _ := cur.Health.Part(c)
		add(c.Label(), optDecimal(p.Value, 0, "", "missing"), optDecimal(q.Value, 0, "", "missing"), cmpFloat(p.Value, q.Value), "")
	}
	pr, cr := prev.Revenue(), cur.Revenue()
	add(fmt.Sprintf("Revenue, last %d months", SnapshotMonths), numfmt.EN.Amount(int64(pr*100)), numfmt.EN.Amount(int64(cr*100)),
		cmpFloat(&pr, &cr), "")
	add("Latest CSAT", optDecimal(prev.LatestCSAT(), 2, "", "—"), optDecimal(cur.LatestCSAT(), 2, "", "—"), cmpFloat(prev.LatestCSAT(), cur.LatestCSAT()), "")
	add("Latest NPS", optInt(prev.LatestNPS()), optInt(cur.LatestNPS()), cmpInt(prev.LatestNPS(), cur.LatestNPS()), "")

	was := map[string]string{}
	for _, g := range prev.Goals {
		was[g.Title] = g.Status
	}
	for _, g := range cur.Goals {
		before, ok := was[g.Title]
		if !ok {
			add("Goal “"+g.Title+"”", "—", statusText(g.Status), 0, "")
			continue
		}
		add("Goal “"+g.Title+"”", statusText(before), statusText(g.Status), statusRank(g.Status)-statusRank(before), "")
		delete(was, g.Title)
	}
	for _, g := range prev.Goals {
		if st, gone := was[g.Title]; gone {
			add("Goal “"+g.Title+"”", statusText(st), "no longer in the plan", 0, "")
		}
	}

	had := map[Kind]bool{}
	for _, w := range prev.Health.Warnings {
		had[w.Kind] = true
	}
	for _, w := range cur.Health.Warnings {
		if !had[w.Kind] {
			add("Risk: "+w.Kind.Label(), "—", "raised: "+w.Detail, -1, "")
		}
		delete(had, w.Kind)
	}
	for _, w := range prev.Health.Warnings {
		if had[w.Kind] {
			add("Risk: "+w.Kind.Label(), w.Detail, "resolved", 1, "")
		}
	}

	pc, cc := prev.Profit.Contribution, cur.Profit.Contribution
	add("Contribution (revenue − cost to serve)", numfmt.EN.Amount(int64(pc*100)), numfmt.EN.Amount(int64(cc*100)), cmpFloat(&pc, &cc), "cost")
	add("Gross margin", optDecimal(prev.Profit.Margin, 1, " %", "—"), optDecimal(cur.Profit.Margin, 1, " %", "—"), cmpFloat(prev.Profit.Margin, cur.Profit.Margin), "cost")
	pp, cp := pipeline(prev), pipeline(cur)
	add("Open pipeline", numfmt.EN.Amount(int64(pp*100)), numfmt.EN.Amount(int64(cp*100)), cmpFloat(&pp, &cp), "pipeline")
	return out
}

func pipeline(s Snapshot) float64 {
	t := 0.0
	for _, o := range s.Pipeline {
		t += o.Value
	}
	return t
}

// optInt is *v, or a dash when v is nil.
func optInt(v *int) string {
	if v == nil {
		return "—"
	}
	return strconv.Itoa(*v)
}

// optDecimal is *v with places decimals and then suffix, or none when v
// is nil.
func optDecimal(v *float64, places int, suffix, none string) string {
	if v == nil {
		return none
	}
	return numfmt.EN.Decimal(*v, places) + suffix
}

func statusText(s string) string { return strings.ToLower(plan.GoalStatus(s).Label()) }

// statusRank orders goal statuses from worst to best.
func statusRank(s string) int {
	switch plan.GoalStatus(s) {
	case plan.GoalAchieved:
		return 4
	case plan.GoalOnTrack:
		return 3
	case plan.GoalAtRisk:
		return 2
	case plan.GoalOffTrack:
		return 1
	}
	return 0
}

func cmpFloat(a, b *float64) int {
	switch {
	case a == nil || b == nil || *a == *b:
		return 0
	case *b > *a:
		return 1
	}
	return -1
}

func cmpInt(a, b *int) int {
	if a == nil || b == nil {
		return 0
	}
	x, y := float64(*a), float64(*b)
	return cmpFloat(&x, &y)
}
