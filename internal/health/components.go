package health

import "fmt"
import "strings"
import "time"

import "pareto/internal/account"
import "pareto/internal/kpi"
import "pareto/internal/numfmt"
import "pareto/internal/plan"

// Inputs are what an account's health is computed from, as of a day.
type Inputs struct {
	// Key reports whether the account is a key account (the low-margin
	// and review warnings are about key accounts).
	Key bool
	account.Facts
	Goals plan.GoalCounts // of its open plans, by derived status
	// OverdueActions is the open plan actions due before the day.
	OverdueActions int
	// CSAT and NPS are the latest figures of the last 12 months (nil
	// when none), with their months; CSATScale is the tenant's scale.
	CSAT      *float64
	CSATMonth time.Time
	CSATScale string
	NPS       *int
	NPSMonth  time.Time
	// EngagementInUse reports whether the tenant logs engagement at all;
	// Engagements is the account's in the last 12 months.
	EngagementInUse bool
	Engagements     int
	// Margins are the account's gross margins (percent) by month, oldest
	// first, for at least the last twelve months.
	Margins []MonthValue
	// NextReview is the key account's next review date (zero: none).
	NextReview time.Time
}

// MonthValue is a monthly figure.
type MonthValue struct {
	Month time.Time
	Value float64
}

// keyContacts are the stakeholders whose contact matters: the current
// ones in a decision role, or every current one when none is.
func keyContacts(cs []account.Contact) []account.Contact {
	var deciders, current []account.Contact
	for _, c := range cs {
		if c.Left() {
			continue
		}
		current = append(current, c)
		if c.Role.Decides() {
			deciders = append(deciders, c)
		}
	}
	if len(deciders) > 0 {
		return deciders
	}
	return current
}

func coverage(in Inputs) Part {
	held := map[account.BuyingRole]bool{}
	for _, c := range in.Contacts {
		if !c.Left() {
			held[c.Role] = true
		}
	}
	var missing []string
	n := 0
	for _, r := range account.DecisionRoles {
		if held[r] {
			n++
		} else {
			missing = append(missing, strings.ToLower(r.Label()))
		}
	}
	d := fmt.Sprintf("%d of %d decision roles mapped", n, len(account.DecisionRoles))
	if len(missing) > 0 {
		d += " (no " + strings.Join(missing, ", no ") + ")"
	}
	return Part{Component: Coverage, Value: value(float64(n) * 100 / float64(len(account.DecisionRoles))), Detail: d}
}

// contactScore is one key stakeholder's freshness: 100 within staleDays
// of today, 0 from twice that (or never contacted), a straight line
// between.
func contactScore(last, today time.Time, staleDays int) float64 {
	if last.IsZero() {
		return 0
	}
	d := days(last, today)
	switch {
	case d <= staleDays:
		return 100
	case d >= 2*staleDays:
		return 0
	}
	return float64(2*staleDays-d) * 100 / float64(staleDays)
}

func freshness(in Inputs, st Settings, today time.Time) Part {
	keys := keyContacts(in.Contacts)
	p := Part{Component: Freshness}
	if len(keys) == 0 {
		p.Detail = "No current stakeholders"
		return p
	}
	sum, fresh := 0.0, 0
	for _, c := range keys {
		s := contactScore(c.LastContact, today, st.StaleDays)
		sum += s
		if s == 100 {
			fresh++
		}
	}
	p.Value = value(sum / float64(len(keys)))
	p.Detail = fmt.Sprintf("%d of %d key stakeholders contacted within %d days", fresh, len(keys), st.StaleDays)
	return p
}

func planProgress(in Inputs) Part {
	p := Part{Component: PlanProgress}
	share, ok := in.Goals.Attained()
	if !ok {
		p.Detail = "No goals in an open plan"
		return p
	}
	p.Value = value(share * 100)
	p.Detail = fmt.Sprintf("%d of %d goals achieved or on track", in.Goals.Achieved+in.Goals.OnTrack, in.Goals.Total())
	return p
}

// CSATPoints puts a CSAT on 0–100: a 1–5 average rating as (CSAT − 1) ÷ 4,
// a percentage as it is.
func CSATPoints(csat float64, scale string) float64 {
	if scale == kpi.ScalePercent {
		return csat
	}
	return (csat - 1) * 100 / 4
}

// NPSPoints puts an NPS (−100…100) on 0–100.
func NPSPoints(nps int) float64 { return float64(nps+100) / 2 }

func satisfaction(in Inputs, today time.Time) Part {
	p := Part{Component: Satisfaction}
	var vals []float64
	var said []string
	if in.CSAT != nil {
		vals = append(vals, CSATPoints(*in.CSAT, in.CSATScale))
		said = append(said, "CSAT "+numfmt.EN.Decimal(*in.CSAT, 2)+" ("+kpi.MonthLabel(in.CSATMonth)+")")
	}
	if in.NPS != nil {
		vals = append(vals, NPSPoints(*in.NPS))
		said = append(said, fmt.Sprintf("NPS %d (%s)", *in.NPS, kpi.MonthLabel(in.NPSMonth)))
	}
	if len(vals) == 0 {
		p.Detail = "No CSAT or NPS in the last 12 months"
		return p
	}
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	p.Value = value(sum / float64(len(vals)))
	p.Detail = strings.Join(said, ", ")
	return p
}

// EngagementPoints is the points per engagement in the last 12 months.
const EngagementPoints = 25

func engagement(in Inputs) Part {
	p := Part{Component: Engagement}
	if !in.EngagementInUse {
		p.Detail = "Not in use: no engagement logged in this tenant yet"
		return p
	}
	p.Value = value(float64(in.Engagements * EngagementPoints))
	p.Detail = fmt.Sprintf("%d in the last 12 months", in.Engagements)
	return p
}

// MarginWindows are the account's average gross margin over the latest
// three months with a margin (ending at the latest such month) and over
// the three months before; ok false when either window has none or the
// latest month is more than six months before today's.
func MarginWindows(ms []MonthValue, today time.Time) (latest time.Time, recent, earlier float64, ok bool) {
	if len(ms) == 0 {
		return time.Time{}, 0, 0, false
	}
	latest = ms[len(ms)-1].Month
	if latest.Before(kpi.AddMonths(kpi.MonthOf(today), -6)) {
		return latest, 0, 0, false
	}
	var rs, es []float64
	for _, m := range ms {
		switch {
		case !m.Month.Before(kpi.AddMonths(latest, -2)) && !m.Month.After(latest):
			rs = append(rs, m.Value)
		case !m.Month.Before(kpi.AddMonths(latest, -5)) && m.Month.Before(kpi.AddMonths(latest, -2)):
			es = append(es, m.Value)
		}
	}
	if len(rs) == 0 || len(es) == 0 {
		return latest, 0, 0, false
	}
	return latest, mean(rs), mean(es), true
}

func mean(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

// MarginCap is the most the margin trend scores while the latest margin
// is below the tenant's low-margin threshold.
const MarginCap = 40

func marginTrend(in Inputs, st Settings, today time.Time) Part {
	p := Part{Component: MarginTrend}
	_, recent, earlier, ok := MarginWindows(in.Margins, today)
	if !ok {
		p.Detail = "Not enough recent gross margins (three months and the three before)"
		return p
	}
	delta := recent - earlier
	v := 100.0
	if delta < 0 {
		v = 100 + 10*delta
	}
	low := recent < float64(st.LowMarginBPS)/100
	if low {
		v = min(v, MarginCap)
	}
	p.Value = value(v)
	p.Detail = fmt.Sprintf("%s %% against %s %% (%s points)", numfmt.EN.Decimal(recent, 1), numfmt.EN.Decimal(earlier, 1),
		signed(delta))
	if low {
		p.Detail += ", below the low-margin threshold"
	}
	return p
}

func signed(v float64) string {
	if v >= 0 {
		return "+" + numfmt.EN.Decimal(v, 1)
	}
	return "−" + numfmt.EN.Decimal(-v, 1)
}
