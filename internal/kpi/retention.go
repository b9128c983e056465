package kpi

import "slices"
import "time"

import "github.com/google/uuid"

// Retention counts customers kept, pure over figures the store gathered
// and the key status history (key_status_changes). docs/metrics.md states
// the rules with worked examples; the tests use the same examples.

// KeyChange is one change of an account's key status.
type KeyChange struct {
	AccountID uuid.UUID
	Old, New  string
	At        time.Time
}

// KeyHistory is the changes of key status since a moment, by account,
// oldest first.
type KeyHistory struct {
	Since     time.Time
	byAccount map[uuid.UUID][]KeyChange
}

// NewKeyHistory holds changes, none of them before since.
func NewKeyHistory(since time.Time, changes []KeyChange) KeyHistory {
	h := KeyHistory{Since: since, byAccount: map[uuid.UUID][]KeyChange{}}
	for _, c := range changes {
		h.byAccount[c.AccountID] = append(h.byAccount[c.AccountID], c)
	}
	for _, cs := range h.byAccount {
		slices.SortStableFunc(cs, func(a, b KeyChange) int { return a.At.Compare(b.At) })
	}
	return h
}

// StatusAt is the key status an account whose status is current now had
// at instant t (no earlier than Since): the status its first change at or
// after t changed from; with no change since t, current.
func (h KeyHistory) StatusAt(id uuid.UUID, current string, t time.Time) string {
	for _, c := range h.byAccount[id] {
		if !c.At.Before(t) {
			return c.Old
		}
	}
	return current
}

// WasKey lists the accounts that were key before or after one of their
// changes: the accounts key at some moment since Since, beside those key
// now.
func (h KeyHistory) WasKey() []uuid.UUID {
	var out []uuid.UUID
	for id, cs := range h.byAccount {
		for _, c := range cs {
			if c.Old == "key" || c.New == "key" {
				out = append(out, id)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// RetentionAccount is one account's part in a retention figure.
type RetentionAccount struct {
	InGroup      bool  // in the group counted at the period's start (key accounts: key on its first day)
	KeyAtEnd     bool  // key just after the period (for counting new key accounts)
	StartRevenue Value // revenue at the period's first month (see RetentionWindow)
	EndRevenue   Value // revenue at the period's last month
}

// InCohort reports whether the account is in the cohort: in the group at
// the period's start and a customer then (revenue above zero at the
// period's first month).
func (a RetentionAccount) InCohort() bool {
	return a.InGroup && a.StartRevenue.OK && a.StartRevenue.V > 0
}

// Retained reports whether a cohort account is still a customer at the
// end of the period (revenue above zero at its last month), whatever its
// key status has become.
func (a RetentionAccount) Retained() bool {
	return a.InCohort() && a.EndRevenue.OK && a.EndRevenue.V > 0
}

// Retention is customer retention of a group of accounts over a period.
type Retention struct {
	Cohort       int     // accounts in the group and customers at the start
	Retained     int     // of those, customers at the end
	New          int     // key at the end and customers then, but not in the cohort
	StartRevenue float64 // the cohort's monthly revenue at the start
	EndRevenue   float64 // the same accounts' monthly revenue at the end
	Accounts     Value   // Retained ÷ Cohort
	Revenue      Value   // EndRevenue ÷ StartRevenue (net revenue retention: churn, contraction and expansion; new accounts excluded)
}

// Churn is 1 − account retention (undefined with an empty cohort).
func (r Retention) Churn() Value {
	if !r.Accounts.OK {
		return Value{}
	}
	return Some(1 - r.Accounts.V)
}

// ComputeRetention derives account and revenue retention. Accounts that
// joined during the period (no revenue at the start) are counted as New
// when key at the end, and left out of both ratios.
func ComputeRetention(accts []RetentionAccount) Retention {
	var r Retention
	for _, a := range accts {
		switch {
		case a.InCohort():
			r.Cohort++
			r.StartRevenue += a.StartRevenue.V
			if a.Retained() {
				r.Retained++
			}
			if a.EndRevenue.OK {
				r.EndRevenue += a.EndRevenue.V
			}
		case a.KeyAtEnd && a.EndRevenue.OK && a.EndRevenue.V > 0:
			r.New++
		}
	}
	r.Accounts = Ratio(float64(r.Retained), float64(r.Cohort))
	r.Revenue = Ratio(r.EndRevenue, r.StartRevenue)
	return r
}

// KeyAdvantage is how much better key accounts were kept than the others:
// key retention ÷ non-key retention − 1 (0.5: key accounts kept 50 % more
// of their customers). Undefined when either is.
func KeyAdvantage(key, nonKey Retention) Value {
	if !key.Accounts.OK || !nonKey.Accounts.OK {
		return Value{}
	}
	return Ratio(key.Accounts.V-nonKey.Accounts.V, nonKey.Accounts.V)
}

// ChurnMonths is how many months the churn trend shows.
const ChurnMonths = 12

// ChurnMonth is key-account churn in one month: of the accounts key on
// the first day of the month before and customers then, those that are
// customers no more at the month's end (RetentionWindow rule).
type ChurnMonth struct {
	Month   time.Time
	Cohort  int
	Churned int
	Rate    Value // Churned ÷ Cohort
}

// ChurnTrend is monthly key-account churn for the ChurnMonths months
// ending at end: for month m, the retention of the one-step period from
// m−1 to m (see ComputeRetention) with the key accounts of m−1's first
// day.
func ChurnTrend(series []AccountSeries, h KeyHistory, end time.Time) []ChurnMonth {
	out := make([]ChurnMonth, ChurnMonths)
	for i := range out {
		m := AddMonths(MonthOf(end), i+1-ChurnMonths)
		step := Period{Start: AddMonths(m, -1), End: m}
		accts := make([]RetentionAccount, 0, len(series))
		for _, s := range series {
			accts = append(accts, RetentionAccount{
				InGroup:      h.StatusAt(s.Account.ID, s.Account.KeyStatus, step.Start) == "key",
				StartRevenue: revenueAt(s.Figures, monthIndex(step.Start)),
				EndRevenue:   revenueAt(s.Figures, monthIndex(step.End)),
			})
		}
		r := ComputeRetention(accts)
		out[i] = ChurnMonth{Month: m, Cohort: r.Cohort, Churned: r.Cohort - r.Retained, Rate: r.Churn()}
	}
	return out
}

// revenueAt is an account's revenue "at" month index i: the figure of the
// latest month with one among i and the RetentionWindow−1 months before
// it (figures oldest first); undefined when there is none.
func revenueAt(figs []Figure, i int) Value {
	var v Value
	for k := range figs {
		j := figs[k].monthIndex()
		if j > i {
			break
		}
		if j > i-RetentionWindow {
			v = Some(figs[k].Revenue)
		}
	}
	return v
}

// OtherAccounts is what the dashboard knows of the accounts outside the
// key-account programme, for retention side by side: every account's
// revenue at the period's first and last month (RetentionWindow rule), by
// account, and which accounts the dashboard's filter covers (nil: all).
// All, when set, is the retention of every account of Start and End (all
// in the group), kept with them (memo.go), so that the unfiltered
// dashboard's figure is All less the key accounts, not a walk of every
// account on each view (issue 19).
type OtherAccounts struct {
	Start, End map[uuid.UUID]float64
	In         map[uuid.UUID]bool
	All        *Retention
}

// nonKeyRetention is the retention of the accounts not key on the
// period's first day (keyAtStart) that the filter covers.
func (o OtherAccounts) nonKeyRetention(keyAtStart map[uuid.UUID]bool) Retention {
	if o.All == nil || o.In != nil {
		return retentionOf(o.Start, o.End, func(id uuid.UUID) bool { return !keyAtStart[id] && (o.In == nil || o.In[id]) })
	}
	// Every account's parts less the key accounts': ComputeRetention's
	// sums, the other way round.
	r := *o.All
	for id := range keyAtStart {
		start, ok := o.Start[id]
		if !ok || start <= 0 {
			continue
		}
		r.Cohort--
		r.StartRevenue -= start
		if end, ok := o.End[id]; ok {
			r.EndRevenue -= end
			if end > 0 {
				r.Retained--
			}
		}
	}
	if r.Cohort == 0 {
		r.StartRevenue, r.EndRevenue = 0, 0
	}
	r.Accounts = Ratio(float64(r.Retained), float64(r.Cohort))
	r.Revenue = Ratio(r.EndRevenue, r.StartRevenue)
	return r
}

// retentionOf is the retention of the accounts of start that in lets
// through, all in the group, from their revenue at the period's first
// (start) and last (end) month.
func retentionOf(start, end map[uuid.UUID]float64, in func(uuid.UUID) bool) Retention {
	var accts []RetentionAccount
	for id, v := range start {
		if !in(id) {
			continue
		}
		a := RetentionAccount{InGroup: true, StartRevenue: Some(v)}
		if e, ok := end[id]; ok {
			a.EndRevenue = Some(e)
		}
		accts = append(accts, a)
	}
	return ComputeRetention(accts)
}
