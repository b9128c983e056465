package health

import "strings"
import "testing"
import "time"

import "pareto/internal/account"

func strong(c account.Contact) account.Contact {
	c.Strength = account.StrengthStrong
	return c
}

func recent(c account.Contact, n int) account.Contact {
	c.Recent = n
	return c
}

// healthy is an account that raises no warning on today: a decision maker
// and a champion contacted recently, two strong relationships, no
// overdue work.
func healthy() Inputs {
	return Inputs{Facts: account.Facts{Contacts: []account.Contact{
		strong(contact("Dee", account.RoleDecisionMaker, "2026-11-01")),
		strong(contact("Cam", account.RoleChampion, "2026-10-15")),
	}}}
}

func TestWarnings(t *testing.T) {
	st := DefaultSettings() // 60 days, 70 %, low margin 20 %
	tests := []struct {
		name   string
		in     func() Inputs
		want   []Kind
		detail string // of the first warning
	}{
		{name: "healthy", in: healthy, want: nil},

		// Single-threaded, by share of the last 90 days' interactions.
		{
			// Dee in 4 of 5 (80 % > 70 %), Cam in 1 (20 %).
			name: "one stakeholder carries the contact", want: []Kind{SingleThreaded},
			detail: "Dee took part in 4 of the 5 interactions of the last 90 days",
			in: func() Inputs {
				in := healthy()
				in.Recent = 5
				in.Contacts[0], in.Contacts[1] = recent(in.Contacts[0], 4), recent(in.Contacts[1], 1)
				return in
			},
		},
		{
			// Two interactions, both with Dee: too few to judge.
			name: "too few interactions", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Recent = 2
				in.Contacts[0] = recent(in.Contacts[0], 2)
				return in
			},
		},
		{
			// Three, all with Dee: 100 % > 70 %.
			name: "three with one person", want: []Kind{SingleThreaded},
			in: func() Inputs {
				in := healthy()
				in.Recent = 3
				in.Contacts[0] = recent(in.Contacts[0], 3)
				return in
			},
		},
		{
			// Exactly 70 % is not more than 70 %.
			name: "at the share is fine", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Recent = 10
				in.Contacts[0], in.Contacts[1] = recent(in.Contacts[0], 7), recent(in.Contacts[1], 3)
				return in
			},
		},
		{
			// Both in 4 of 5: two threads, not one.
			name: "two stakeholders over the share", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Recent = 5
				in.Contacts[0], in.Contacts[1] = recent(in.Contacts[0], 5), recent(in.Contacts[1], 4)
				return in
			},
		},
		{
			name: "only one strong relationship", want: []Kind{SingleThreaded},
			detail: "Dee is the only stakeholder with a strong relationship",
			in: func() Inputs {
				in := healthy()
				in.Contacts[1].Strength = account.StrengthNeutral
				return in
			},
		},
		{
			// The second strong one left: only Dee is strong; and Cam,
			// the champion, is gone.
			name: "strong one left", want: []Kind{SingleThreaded, ChampionGone},
			in: func() Inputs {
				in := healthy()
				in.Contacts[1] = left(in.Contacts[1], "2026-11-02")
				return in
			},
		},

		// Stale contact.
		{
			// Cam last met 2026-09-15: 66 days > 60.
			name: "stale champion", want: []Kind{StaleContact}, detail: "Cam (champion): 66 days",
			in: func() Inputs {
				in := healthy()
				in.Contacts[1].LastContact = day("2026-09-15")
				return in
			},
		},
		{
			// Exactly 60 days is still fresh.
			name: "at the threshold", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Contacts[1].LastContact = day("2026-09-21")
				return in
			},
		},
		{
			name: "never contacted", want: []Kind{StaleContact}, detail: "Cam (champion): never contacted",
			in: func() Inputs {
				in := healthy()
				in.Contacts[1].LastContact = time.Time{}
				return in
			},
		},
		{
			// A user not met for a year is not a key stakeholder.
			name: "stale user is no warning", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Contacts = append(in.Contacts, contact("Uma", account.RoleUser, "2025-11-01"))
				return in
			},
		},

		// No decision maker.
		{name: "no stakeholders", in: func() Inputs { return Inputs{} }, want: []Kind{NoDecisionMaker}},
		{
			name: "decision maker left", want: []Kind{SingleThreaded, NoDecisionMaker},
			in: func() Inputs {
				in := healthy()
				in.Contacts[0] = left(in.Contacts[0], "2026-10-01")
				return in
			},
		},

		// Champion gone.
		{
			// Two strong relationships remain (Dee, Ivy); Cam who left is
			// no longer a key contact, so not stale either.
			name: "champion left", want: []Kind{ChampionGone}, detail: "Cam left on 2026-10-01; no champion since",
			in: func() Inputs {
				in := healthy()
				in.Contacts = append(in.Contacts, strong(contact("Ivy", account.RoleInfluencer, "2026-11-05")))
				in.Contacts[1] = left(in.Contacts[1], "2026-10-01")
				in.Contacts[1].LastContact = day("2026-06-01")
				return in
			},
		},
		{
			// A new champion was mapped: the old one leaving is history.
			name: "champion replaced", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Contacts = append(in.Contacts, left(contact("Old", account.RoleChampion, "2026-05-01"), "2026-06-01"))
				return in
			},
		},

		// Overdue work.
		{
			name: "overdue actions and steps", want: []Kind{OverdueActions}, detail: "2 plan actions and 1 next step overdue",
			in: func() Inputs {
				in := healthy()
				in.OverdueActions, in.OverdueSteps = 2, 1
				return in
			},
		},
		{
			name: "review overdue", want: []Kind{ReviewOverdue}, detail: "Review was due on 2026-11-10 (10 days ago)",
			in: func() Inputs {
				in := healthy()
				in.Key, in.NextReview = true, day("2026-11-10")
				return in
			},
		},
		{
			name: "review due today is not overdue", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Key, in.NextReview = true, today
				return in
			},
		},
		{
			// Not a key account: reviews are for key accounts.
			name: "review date of another account", want: nil,
			in: func() Inputs {
				in := healthy()
				in.NextReview = day("2026-11-10")
				return in
			},
		},

		// Low margin, key accounts only.
		{
			name: "low margin", want: []Kind{LowMargin}, detail: "Gross margin 18.5 % in Oct 2026, below 20 %",
			in: func() Inputs {
				in := healthy()
				in.Key, in.Margins = true, []MonthValue{{month("2026-10"), 18.5}}
				return in
			},
		},
		{
			name: "low margin of another account", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Margins = []MonthValue{{month("2026-10"), 18.5}}
				return in
			},
		},
		{
			name: "margin at the threshold", want: nil,
			in: func() Inputs {
				in := healthy()
				in.Key, in.Margins = true, []MonthValue{{month("2026-10"), 20}}
				return in
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Warnings(tt.in(), st, today)
			var got []Kind
			for _, w := range ws {
				got = append(got, w.Kind)
			}
			if strings.Join(kindStrings(got), ",") != strings.Join(kindStrings(tt.want), ",") {
				t.Fatalf("warnings %v, want %v (%+v)", got, tt.want, ws)
			}
			if tt.detail != "" && ws[0].Detail != tt.detail {
				t.Errorf("detail %q, want %q", ws[0].Detail, tt.detail)
			}
		})
	}
}

func kindStrings(ks []Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
