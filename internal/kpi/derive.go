package kpi

import "math"
import "slices"
import "time"

import "github.com/google/uuid"

// This file holds every derived KPI as a pure function over figures the
// store has gathered: no database, no clock. The rules written in the
// comments are the ones the dashboard page states to its readers.

// Value is a derived figure that may be undefined (no data, or a division
// by zero); templates show undefined values as "—".
type Value struct {
	V  float64
	OK bool
}

// Some is a defined Value.
func Some(v float64) Value { return Value{V: v, OK: true} }

// Sum is a total over the months that have a value, with their count.
type Sum struct {
	Total float64
	N     int
}

// Add adds one value.
func (s *Sum) Add(v float64) { s.Total += v; s.N++ }

// Merge adds another sum.
func (s *Sum) Merge(o Sum) { s.Total += o.Total; s.N += o.N }

// Mean is the average of the values, undefined when there are none.
func (s Sum) Mean() Value {
	if s.N == 0 {
		return Value{}
	}
	return Some(s.Total / float64(s.N))
}

// Ratio is num ÷ den, undefined when den is zero.
func Ratio(num, den float64) Value {
	if den == 0 {
		return Value{}
	}
	return Some(num / den)
}

// Growth is the relative change from prev to cur, comparing the average
// monthly value of each (over the months that have figures): a month
// nobody entered is left out of the average rather than counted as zero,
// so it does not look like a fall. Undefined when prev has no figures or
// averages zero.
func Growth(cur, prev Sum) Value {
	c, p := cur.Mean(), prev.Mean()
	if !c.OK || !p.OK || p.V == 0 {
		return Value{}
	}
	return Some(c.V/p.V - 1)
}

// PortfolioGrowth is the growth of a group of accounts: the sum of the
// accounts' average monthly revenue in cur over the same in prev. An
// account's missing months do not count as zero; an account with no
// figures at all in a period adds zero to it (a new account adds growth, a
// lost one takes it away).
func PortfolioGrowth(cur, prev []Sum) Value {
	c, p := SumOfMeans(cur), SumOfMeans(prev)
	if p == 0 {
		return Value{}
	}
	return Some(c/p - 1)
}

// SumOfMeans is a group's average monthly revenue: the sum of its
// accounts' averages over their months with figures (an account without
// any adds nothing).
func SumOfMeans(sums []Sum) float64 {
	var t float64
	for _, s := range sums {
		if m := s.Mean(); m.OK {
			t += m.V
		}
	}
	return t
}

// NPSFromCounts is the Net Promoter Score of a survey: the percentage of
// promoters minus the percentage of detractors, rounded to the nearest
// integer (halves away from zero), −100..100. False when nobody answered
// or a count is negative.
func NPSFromCounts(promoters, passives, detractors int) (int, bool) {
	if promoters < 0 || passives < 0 || detractors < 0 {
		return 0, false
	}
	n := promoters + passives + detractors
	if n == 0 {
		return 0, false
	}
	return int(math.Round(float64(promoters-detractors) * 100 / float64(n))), true
}

// Figure is one account's figures for one month. Optional figures are nil
// when not entered. NPS is the score as entered or as computed from the
// survey counts when those were given.
type Figure struct {
	AccountID      uuid.UUID
	Month          time.Time
	Revenue        float64
	CSAT           *float64
	NPS            *int
	Promoters      *int
	Passives       *int
	Detractors     *int
	AdoptionPct    *float64
	UpsellRevenue  *float64
	CrossSellCount *int
	Orders         *int // orders placed in the month
	Units          *int // units bought in the month
	Version        int
	UpdatedByName  string
	UpdatedAt      time.Time

	index int // monthIndex(Month) once known (0: not yet), for the hot loops
}

// monthIndex of the figure's month, remembered when the store loaded it.
func (f *Figure) monthIndex() int {
	if f.index != 0 {
		return f.index
	}
	return monthIndex(f.Month)
}

// AccountInfo is what dashboards show of an account.
type AccountInfo struct {
	ID        uuid.UUID
	Name      string
	KeyStatus string // candidate, key, declined, watch, former
	Status    string // prospect, customer, former
	Segment   string
	Region    string
	KAMID     uuid.UUID // uuid.Nil when nobody is assigned
	KAMName   string
	Archived  bool
	// Revenue is the account's one revenue (account/revenue.go: recorded
	// revenue over the last 12 complete months, else annual revenue as
	// entered, which RevenueFromFigures false says): what shares of revenue
	// are computed from, whatever the dashboard's period.
	Revenue            float64
	RevenueFromFigures bool
	// RevenuePotential is the account's yearly revenue potential (the
	// accounts area's figure), for revenue against potential.
	RevenuePotential float64
}

// AccountSeries is one account with its figures, oldest month first.
type AccountSeries struct {
	Account AccountInfo
	Figures []Figure
}

func revenueOf(f Figure) (float64, bool) { return f.Revenue, true }
func csatOf(f Figure) (float64, bool)    { return floatOf(f.CSAT) }
func adoptionOf(f Figure) (float64, bool) {
	return floatOf(f.AdoptionPct)
}
func upsellOf(f Figure) (float64, bool) { return floatOf(f.UpsellRevenue) }
func npsOf(f Figure) (float64, bool) {
	if f.NPS == nil {
		return 0, false
	}
	return float64(*f.NPS), true
}
func crossSellOf(f Figure) (float64, bool) {
	if f.CrossSellCount == nil {
		return 0, false
	}
	return float64(*f.CrossSellCount), true
}

func floatOf(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// RetentionWindow is how many months, ending at a period's first or last
// month, are searched for an account's revenue at that end of the period:
// one or two missing months do not turn a customer into a lost one.
const RetentionWindow = 3

// An account's revenue "at" a month (the start or end of a period) is the
// figure of the latest month with one among that month and the
// RetentionWindow−1 months before it; undefined when there is none (see
// revenueAt).

// Volumes are orders and units over some months, with the revenue and
// units of the months that have orders (the months the ratios can use).
type Volumes struct {
	Orders          float64 // orders, over the months with orders above zero
	Revenue         float64 // revenue of those months
	UnitMonthOrders float64 // orders of the months that also have units
	Units           float64 // units of those months
}

// Add counts one month's figures: a month counts when its orders are
// above zero (zero orders give no transaction to average).
func (v *Volumes) Add(f Figure) {
	if f.Orders == nil || *f.Orders <= 0 {
		return
	}
	v.Orders += float64(*f.Orders)
	v.Revenue += f.Revenue
	if f.Units != nil {
		v.UnitMonthOrders += float64(*f.Orders)
		v.Units += float64(*f.Units)
	}
}

// Merge adds other volumes.
func (v *Volumes) Merge(o Volumes) {
	v.Orders += o.Orders
	v.Revenue += o.Revenue
	v.UnitMonthOrders += o.UnitMonthOrders
	v.Units += o.Units
}

// AvgTransaction is the average transaction size: revenue ÷ orders over
// the months with orders; undefined without any.
func (v Volumes) AvgTransaction() Value { return Ratio(v.Revenue, v.Orders) }

// UnitsPerOrder is units ÷ orders over the months with both; undefined
// without any.
func (v Volumes) UnitsPerOrder() Value { return Ratio(v.Units, v.UnitMonthOrders) }

// AccountRow is one account's derived figures over a period.
type AccountRow struct {
	Account      AccountInfo
	Revenue      Sum // revenue in the period; N is the months with figures
	PrevRevenue  Sum // the previous period
	YearAgo      Sum // the same months a year earlier
	GrowthPoP    Value
	GrowthYoY    Value
	CSAT         Value // average over the period's months with a CSAT
	NPS          Value // average over the period's months with an NPS
	Adoption     Value // average adoption/usage rate, percent
	Upsell       float64
	CrossSells   int
	Volumes      Volumes // orders and units, for average transaction size and units per order
	StartRevenue Value
	EndRevenue   Value
	KeyAtStart   bool // key on the period's first day (key status history)
	InCohort     bool // in the key-account retention cohort (BuildDashboard)
	Retained     bool
	Trend        []Value // revenue per month of the period, for sparklines
	csat, nps    Sum
	adoption     Sum
	upsell       Sum
}

// Share of the account's revenue (the one revenue, not the period's) in
// total.
func (r AccountRow) Share(total float64) Value { return Ratio(r.Account.Revenue, total) }

// monthIndex numbers months consecutively (year×12 + month−1), so that
// the hot loops compare integers instead of dates.
func monthIndex(t time.Time) int {
	y, m, _ := t.Date()
	return y*12 + int(m) - 1
}

// DeriveAccount computes one account's row for period p, in one pass over
// its figures (oldest first).
func DeriveAccount(s AccountSeries, p Period) AccountRow {
	cs, ce := monthIndex(p.Start), monthIndex(p.End)
	prev, yago := p.Previous(), p.YearAgo()
	ps, pe := monthIndex(prev.Start), monthIndex(prev.End)
	ys, ye := monthIndex(yago.Start), monthIndex(yago.End)
	r := AccountRow{Account: s.Account, Trend: make([]Value, max(ce-cs+1, 0))}
	var cross Sum
	for _, f := range s.Figures {
		i := f.monthIndex()
		// Revenue at the first and last month: the latest figure in the window wins.
		if i > cs-RetentionWindow && i <= cs {
			r.StartRevenue = Some(f.Revenue)
		}
		if i > ce-RetentionWindow && i <= ce {
			r.EndRevenue = Some(f.Revenue)
		}
		if i >= ps && i <= pe {
			r.PrevRevenue.Add(f.Revenue)
		}
		if i >= ys && i <= ye {
			r.YearAgo.Add(f.Revenue)
		}
		if i < cs || i > ce {
			continue
		}
		r.Revenue.Add(f.Revenue)
		r.Trend[i-cs] = Some(f.Revenue)
		if v, ok := csatOf(f); ok {
			r.csat.Add(v)
		}
		if v, ok := npsOf(f); ok {
			r.nps.Add(v)
		}
		if v, ok := adoptionOf(f); ok {
			r.adoption.Add(v)
		}
		if v, ok := upsellOf(f); ok {
			r.upsell.Add(v)
		}
		if v, ok := crossSellOf(f); ok {
			cross.Add(v)
		}
		r.Volumes.Add(f)
	}
	r.GrowthPoP = Growth(r.Revenue, r.PrevRevenue)
	r.GrowthYoY = Growth(r.Revenue, r.YearAgo)
	r.CSAT, r.NPS, r.Adoption = r.csat.Mean(), r.nps.Mean(), r.adoption.Mean()
	r.Upsell = r.upsell.Total
	r.CrossSells = int(cross.Total)
	return r
}

// sortRows orders rows stably by cmp, moving each (large) row once.
func sortRows(rows []AccountRow, cmp func(a, b *AccountRow) int) {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp(&rows[a], &rows[b]) })
	sorted := make([]AccountRow, len(rows))
	for i, j := range idx {
		sorted[i] = rows[j]
	}
	copy(rows, sorted)
}
