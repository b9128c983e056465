package kpi

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"pareto/internal/scoring"
)

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

// MonthRow is the key accounts' figures for one month of the period.
type MonthRow struct {
	Month      time.Time
	Partial    bool  // the month was under way: its figures may still grow
	Accounts   int   // key accounts with a figure this month
	Revenue    Value // undefined when no key account has a figure
	Upsell     float64
	CrossSells int
	CSAT       Value
	NPS        Value
	Adoption   Value
}

// KAMRow compares one key account manager's accounts.
type KAMRow struct {
	KAMID    uuid.UUID // uuid.Nil: key accounts nobody manages
	Name     string
	Accounts int
	Revenue  float64
	Share    Value // of the portfolio's revenue
	Growth   Value // period over period, PortfolioGrowth of their accounts
	CSAT     Value
	NPS      Value
}

// Largest is the account with the most revenue (the one revenue).
type Largest struct {
	AccountID uuid.UUID
	Name      string
	Revenue   float64
	Share     Value // of the total revenue
}

// Concentration is what the dashboard knows of revenue beyond its key
// accounts, in the one revenue of account/revenue.go (the same figures as
// the shortlist's): every account's revenue (the denominator of the
// shares), the key accounts' and the largest single account.
type Concentration struct {
	TotalRevenue float64
	KeyRevenue   float64
	Largest      Largest
	// Basis says what the revenue is (months, accounts without figures),
	// for the note beside the shares; Stale that the month has moved on
	// since it was kept (see scoring.Concentration).
	Basis string
	Stale bool
	// WarnShare is the share of total revenue above which one account is
	// flagged as an over-dependence risk: the tenant's setting in the
	// scoring area (0 means its default).
	WarnShare float64
}

// warnShare is c.WarnShare, or the scoring area's default when unset.
func (c Concentration) warnShare() float64 {
	if c.WarnShare > 0 {
		return c.WarnShare
	}
	return BPSShare(scoring.DefaultSettings().ConcentrationBPS)
}

// BPSShare turns basis points into a share (1000 → 0.1).
func BPSShare(bps int) float64 { return float64(bps) / 10000 }

// Summary is the dashboard's headline.
type Summary struct {
	Accounts  int // key accounts on the dashboard
	Revenue   float64
	GrowthPoP Value
	GrowthYoY Value
	Retention Retention // key accounts: the accounts key on the period's first day
	// NonKeyRetention is the same rule for the accounts that were not key
	// on the period's first day (the whole portfolio's dashboard only);
	// KeyAdvantage compares the two.
	NonKeyRetention Retention
	KeyAdvantage    Value
	CSAT            Value
	NPS             Value
	Adoption        Value
	Upsell          float64
	UpsellRate      Value // upsell revenue ÷ revenue
	CrossSells      int
	CrossSellRate   Value   // key accounts with at least one cross-sell ÷ key accounts with figures
	Volumes         Volumes // the key accounts' orders and units (AvgTransaction, UnitsPerOrder)
	// The parts of the growth and cross-sell figures, for their
	// definitions: the key accounts' average monthly revenue in the
	// period, the period before and a year earlier (SumOfMeans); the key
	// accounts with figures in the period, and those with a cross-sell.
	MonthlyNow, MonthlyBefore, MonthlyYearAgo float64
	WithFigures, WithCrossSell                int
	TotalRevenue                              float64 // every account's revenue (the one revenue, last 12 complete months)
	KeyShare                                  Value   // key accounts' revenue ÷ every account's revenue
	Largest                                   Largest
	RevenueBasis                              string // what TotalRevenue, KeyShare and Largest are computed from
	RevenueStale                              bool   // the revenue window has moved on since it was kept
	Warnings                                  []string
}

// Dashboard is everything a portfolio, KAM or account dashboard shows.
type Dashboard struct {
	Period   Period
	Previous Period
	YearAgo  Period
	Summary  Summary
	Months   []MonthRow
	Accounts []AccountRow // key accounts (not archived), by revenue, largest first
	Cohort   []AccountRow // the retention cohort (accounts key on the period's first day and customers then), in the order of the series
	KAMs     []KAMRow     // by revenue, largest first
	Churn    []ChurnMonth // monthly key-account churn, the ChurnMonths months to the period's end
	// NonKey says whether Summary.NonKeyRetention was worked out.
	NonKey bool
	// Linked is how the key accounts moved on the metric of each active
	// criterion an admin linked to one, in importance order.
	Linked []LinkedMovement
}

// Inputs are what a dashboard knows beyond the programme's figures.
type Inputs struct {
	// Concentration is every account's revenue in the period.
	Concentration Concentration
	// History is the key status history the series' accounts are read
	// against (the store loads it from the first day the dashboard needs).
	History KeyHistory
	// Others are the accounts outside the programme, on the whole
	// portfolio's dashboard (nil elsewhere).
	Others *OtherAccounts
	// Links are the active criteria with the metrics linked to them.
	Links []CriterionMetric
}

// BuildDashboard derives a dashboard for period p from the series of the
// programme's accounts (every account key now, formerly, or at any moment
// the key status history covers; the store gives them by name) and in.
func BuildDashboard(series []AccountSeries, p Period, in Inputs) Dashboard {
	c, h, others := in.Concentration, in.History, in.Others
	d := Dashboard{Period: p, Previous: p.Previous(), YearAgo: p.YearAgo(),
		Accounts: make([]AccountRow, 0, len(series)), Cohort: make([]AccountRow, 0, len(series))}
	var retention []RetentionAccount
	var cur, prev, yago []Sum
	var csat, nps, adoption Sum
	withFigures, withCrossSell := 0, 0
	d.Months = make([]MonthRow, p.Months())
	monthCSAT := make([]Sum, len(d.Months))
	monthNPS := make([]Sum, len(d.Months))
	monthAdoption := make([]Sum, len(d.Months))
	for i := range d.Months {
		d.Months[i].Month = AddMonths(p.Start, i)
		d.Months[i].Partial = p.Partial(d.Months[i].Month)
	}
	start := monthIndex(p.Start)
	kams := map[uuid.UUID]*kamAcc{}
	var kamOrder []uuid.UUID
	keyAtStart := map[uuid.UUID]bool{}
	after := AddMonths(p.End, 1)
	for _, s := range series {
		row := DeriveAccount(s, p)
		row.KeyAtStart = h.StatusAt(s.Account.ID, s.Account.KeyStatus, p.Start) == "key"
		ra := RetentionAccount{InGroup: row.KeyAtStart, KeyAtEnd: h.StatusAt(s.Account.ID, s.Account.KeyStatus, after) == "key",
			StartRevenue: row.StartRevenue, EndRevenue: row.EndRevenue}
		row.InCohort, row.Retained = ra.InCohort(), ra.Retained()
		retention = append(retention, ra)
		keyAtStart[s.Account.ID] = row.KeyAtStart
		if row.InCohort {
			d.Cohort = append(d.Cohort, row)
		}
		if s.Account.KeyStatus != "key" || s.Account.Archived {
			continue
		}
		d.Accounts = append(d.Accounts, row)
		sm := &d.Summary
		sm.Accounts++
		sm.Revenue += row.Revenue.Total
		sm.Upsell += row.Upsell
		sm.CrossSells += row.CrossSells
		sm.Volumes.Merge(row.Volumes)
		cur, prev, yago = append(cur, row.Revenue), append(prev, row.PrevRevenue), append(yago, row.YearAgo)
		csat.Merge(row.csat)
		nps.Merge(row.nps)
		adoption.Merge(row.adoption)
		if row.Revenue.N > 0 {
			withFigures++
			if row.CrossSells > 0 {
				withCrossSell++
			}
		}
		for _, f := range s.Figures {
			i := f.monthIndex() - start
			if i < 0 || i >= len(d.Months) {
				continue
			}
			m := &d.Months[i]
			m.Accounts++
			m.Revenue = Some(m.Revenue.V + f.Revenue)
			if v, ok := upsellOf(f); ok {
				m.Upsell += v
			}
			if v, ok := crossSellOf(f); ok {
				m.CrossSells += int(v)
			}
			if v, ok := csatOf(f); ok {
				monthCSAT[i].Add(v)
			}
			if v, ok := npsOf(f); ok {
				monthNPS[i].Add(v)
			}
			if v, ok := adoptionOf(f); ok {
				monthAdoption[i].Add(v)
			}
		}
		k := kams[s.Account.KAMID]
		if k == nil {
			k = &kamAcc{row: KAMRow{KAMID: s.Account.KAMID, Name: s.Account.KAMName}}
			kams[s.Account.KAMID] = k
			kamOrder = append(kamOrder, s.Account.KAMID)
		}
		k.add(row)
	}
	for i := range d.Months {
		d.Months[i].CSAT, d.Months[i].NPS, d.Months[i].Adoption = monthCSAT[i].Mean(), monthNPS[i].Mean(), monthAdoption[i].Mean()
	}
	sm := &d.Summary
	sm.GrowthPoP = PortfolioGrowth(cur, prev)
	sm.GrowthYoY = PortfolioGrowth(cur, yago)
	sm.MonthlyNow, sm.MonthlyBefore, sm.MonthlyYearAgo = SumOfMeans(cur), SumOfMeans(prev), SumOfMeans(yago)
	sm.WithFigures, sm.WithCrossSell = withFigures, withCrossSell
	sm.Retention = ComputeRetention(retention)
	d.Churn = ChurnTrend(series, h, p.End)
	if others != nil {
		d.NonKey = true
		sm.NonKeyRetention = others.nonKeyRetention(keyAtStart)
		sm.KeyAdvantage = KeyAdvantage(sm.Retention, sm.NonKeyRetention)
	}
	sm.CSAT, sm.NPS, sm.Adoption = csat.Mean(), nps.Mean(), adoption.Mean()
	sm.UpsellRate = Ratio(sm.Upsell, sm.Revenue)
	sm.CrossSellRate = Ratio(float64(withCrossSell), float64(withFigures))
	sm.TotalRevenue, sm.RevenueBasis, sm.RevenueStale = c.TotalRevenue, c.Basis, c.Stale
	sm.KeyShare = Ratio(c.KeyRevenue, c.TotalRevenue)
	sm.Largest = c.Largest
	sm.Largest.Share = Ratio(c.Largest.Revenue, c.TotalRevenue)
	if warn := c.warnShare(); sm.Largest.Share.OK && sm.Largest.Share.V > warn {
		sm.Warnings = append(sm.Warnings, sm.Largest.Name+" alone brings "+formatPercent(sm.Largest.Share.V)+
			" of all revenue: a dependence risk (above "+formatPercent(warn)+").")
	}
	for _, id := range kamOrder {
		k := kams[id]
		k.row.Share = Ratio(k.row.Revenue, sm.Revenue)
		k.row.Growth = PortfolioGrowth(k.cur, k.prev)
		k.row.CSAT, k.row.NPS = k.csat.Mean(), k.nps.Mean()
		d.KAMs = append(d.KAMs, k.row)
	}
	slices.SortStableFunc(d.KAMs, func(a, b KAMRow) int { return cmpDesc(a.Revenue, b.Revenue) })
	sortRows(d.Accounts, func(a, b *AccountRow) int { return cmpDesc(a.Revenue.Total, b.Revenue.Total) })
	d.Linked = linkedMovements(d.Accounts, series, p, in.Links)
	return d
}

type kamAcc struct {
	row       KAMRow
	cur, prev []Sum
	csat, nps Sum
}

func (k *kamAcc) add(r AccountRow) {
	k.row.Accounts++
	k.row.Revenue += r.Revenue.Total
	k.cur, k.prev = append(k.cur, r.Revenue), append(k.prev, r.PrevRevenue)
	k.csat.Merge(r.csat)
	k.nps.Merge(r.nps)
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func formatPercent(v float64) string {
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}
