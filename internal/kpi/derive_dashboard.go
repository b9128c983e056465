package kpi

import "slices"
import "strconv"
import "time"

import "github.com/google/uuid"

import "pareto/internal/scoring"

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
