package health

import "fmt"
import "strings"
import "time"

import "pareto/internal/account"
import "pareto/internal/kpi"
import "pareto/internal/numfmt"

// Kind is a sort of relationship warning, in display order.
//
//	SingleThreaded  "single_threaded"   "Single-threaded"
//		"Of at least three interactions in the last 90 days, one stakeholder took part in more than the tenant's share (default 70 %) and no other stakeholder did; or only one current stakeholder has a strong relationship with us."
//	StaleContact    "stale_contact"     "Stale contact"
//		"A key stakeholder (a current stakeholder in a decision role) was not contacted within the stale-contact threshold (default 60 days)."
//	NoDecisionMaker "no_decision_maker" "No decision maker mapped"
//		"No current stakeholder is mapped as decision maker."
//	ChampionGone    "champion_gone"     "Champion gone"
//		"A champion left the company and no current stakeholder is a champion."
//	OverdueActions  "overdue_actions"   "Overdue actions"
//		"Plan actions or interaction next steps are past their due date and not done."
//	ReviewOverdue   "review_overdue"    "Review overdue"
//		"A key account's next review date has passed."
//	LowMargin       "low_margin"        "Low margin"
//		"A key account's latest gross margin is below the tenant's threshold."
//
//enumgen:values Kinds
//enumgen:text Rule says when the warning is raised.
type Kind string

// Warning is one relationship warning of an account.
type Warning struct {
	Kind   Kind   `json:"kind"`
	Detail string `json:"detail"`
}

// RecentDays is the window of the single-threaded rule's interactions.
const RecentDays = 90

// MinThreadInteractions is how many recent interactions (with someone of
// the account taking part) the share rule needs: one or two meetings say
// nothing about how the contact is spread.
const MinThreadInteractions = 3

// Warnings are the relationship warnings of an account on today, in
// Kinds order.
func Warnings(in Inputs, st Settings, today time.Time) []Warning {
	today = dateOf(today)
	var out []Warning
	add := func(k Kind, format string, args ...any) {
		out = append(out, Warning{Kind: k, Detail: fmt.Sprintf(format, args...)})
	}
	if d, ok := singleThreaded(in, st); ok {
		add(SingleThreaded, "%s", d)
	}
	var stale []string
	for _, c := range keyContacts(in.Contacts) {
		if !c.Role.Decides() {
			continue // only decision roles: without them "no decision maker" says it
		}
		switch {
		case c.LastContact.IsZero():
			stale = append(stale, c.Name+" ("+strings.ToLower(c.Role.Label())+"): never contacted")
		case days(c.LastContact, today) > st.StaleDays:
			stale = append(stale, fmt.Sprintf("%s (%s): %d days", c.Name, strings.ToLower(c.Role.Label()), days(c.LastContact, today)))
		}
	}
	if len(stale) > 0 {
		add(StaleContact, "%s", strings.Join(stale, "; "))
	}
	var dm, champion bool
	var gone []string
	for _, c := range in.Contacts {
		switch {
		case c.Left() && c.Role == account.RoleChampion:
			gone = append(gone, c.Name+" left on "+c.LeftOn.Format(time.DateOnly))
		case c.Left():
		case c.Role == account.RoleDecisionMaker:
			dm = true
		case c.Role == account.RoleChampion:
			champion = true
		}
	}
	if !dm {
		add(NoDecisionMaker, "Nobody at the account is mapped as decision maker")
	}
	if len(gone) > 0 && !champion {
		add(ChampionGone, "%s; no champion since", strings.Join(gone, "; "))
	}
	if in.OverdueActions > 0 || in.OverdueSteps > 0 {
		var parts []string
		if in.OverdueActions > 0 {
			parts = append(parts, plural(in.OverdueActions, "plan action", "plan actions"))
		}
		if in.OverdueSteps > 0 {
			parts = append(parts, plural(in.OverdueSteps, "next step", "next steps"))
		}
		add(OverdueActions, "%s overdue", strings.Join(parts, " and "))
	}
	if in.Key && !in.NextReview.IsZero() && in.NextReview.Before(today) {
		add(ReviewOverdue, "Review was due on %s (%d days ago)", in.NextReview.Format(time.DateOnly), days(in.NextReview, today))
	}
	if in.Key && len(in.Margins) > 0 {
		last := in.Margins[len(in.Margins)-1]
		if !last.Month.Before(kpi.AddMonths(kpi.MonthOf(today), -6)) && last.Value < float64(st.LowMarginBPS)/100 {
			add(LowMargin, "Gross margin %s %% in %s, below %s %%", numfmt.EN.Decimal(last.Value, 1), kpi.MonthLabel(last.Month),
				numfmt.EN.Percent(int64(st.LowMarginBPS)))
		}
	}
	return out
}

// singleThreaded applies the single-threaded rule: it returns what it
// found and whether the warning holds.
func singleThreaded(in Inputs, st Settings) (string, bool) {
	if in.Recent >= MinThreadInteractions {
		var top account.Contact
		over := 0
		for _, c := range in.Contacts {
			if c.Recent*100 > st.SingleThreadPct*in.Recent {
				over++
				top = c
			}
		}
		if over == 1 {
			return fmt.Sprintf("%s took part in %d of the %d interactions of the last %d days", top.Name, top.Recent, in.Recent,
				RecentDays), true
		}
	}
	strong := 0
	var only string
	for _, c := range in.Contacts {
		if !c.Left() && c.Strength == account.StrengthStrong {
			strong++
			only = c.Name
		}
	}
	if strong == 1 && len(in.Contacts) > 0 {
		return only + " is the only stakeholder with a strong relationship", true
	}
	return "", false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
