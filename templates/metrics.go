package templates

import "context"
import "math"
import "time"

import "pareto/internal/kpi"
import "pareto/internal/scoring"

// The "how is this computed?" texts beside each derived number of a
// dashboard: the formula, the period and the numbers that went in, so a
// reader can check the figure by hand. docs/metrics.md gives the same
// definitions with worked examples.

// monthsLabel names a run of months: "Nov 2025 – Jan 2026".
func monthsLabel(from, to time.Time) string { return kpi.Period{Start: from, End: to}.Label() }

// windowAt names the months searched for revenue "at" month m.
func windowAt(m time.Time) string {
	return monthsLabel(kpi.AddMonths(m, 1-kpi.RetentionWindow), m)
}

func firstDay(ctx context.Context, m time.Time) string { return FormatLongDate(ctx, m) }

func howGrowth(ctx context.Context, pf kpi.Portfolio) string {
	sm, cur := pf.Summary, pf.Currency
	return "The key accounts' average monthly revenue in " + pf.Period.Label() + " (" + FormatMoney(ctx, sm.MonthlyNow, cur) +
		") ÷ the same in " + pf.Previous.Label() + " (" + FormatMoney(ctx, sm.MonthlyBefore, cur) + ") − 1 = " + FormatGrowth(ctx, sm.GrowthPoP) +
		"; against " + pf.YearAgo.Label() + " (" + FormatMoney(ctx, sm.MonthlyYearAgo, cur) + "): " + FormatGrowth(ctx, sm.GrowthYoY) +
		". Each account's average counts only its months with figures, so a month nobody entered does not look like a fall; " +
		"an account without figures in a period adds nothing to it."
}

func howRetention(ctx context.Context, pf kpi.Portfolio) string {
	r := pf.Summary.Retention
	return "Of the " + pluralIn(ctx, r.Cohort, "account", "accounts") + " that were key accounts on " + firstDay(ctx, pf.Period.Start) +
		" (from the key status history) and customers then (revenue in " + windowAt(pf.Period.Start) + "), " +
		count(ctx, r.Retained) + " are still customers at " + kpi.MonthLabel(pf.Period.End) + " (revenue in " + windowAt(pf.Period.End) +
		"), whatever their key status is now: " + count(ctx, r.Retained) + " ÷ " + count(ctx, r.Cohort) + " = " + FormatPct(ctx, r.Accounts) +
		". Declining an account during the period does not take it out of the count. " +
		pluralIn(ctx, r.New, "key account", "key accounts") + " that became customers during the period are not counted."
}

func howRevenueRetention(ctx context.Context, pf kpi.Portfolio) string {
	r, cur := pf.Summary.Retention, pf.Currency
	return "The same accounts' monthly revenue at " + kpi.MonthLabel(pf.Period.End) + " (" + FormatMoney(ctx, r.EndRevenue, cur) +
		") ÷ their monthly revenue at " + kpi.MonthLabel(pf.Period.Start) + " (" + FormatMoney(ctx, r.StartRevenue, cur) + ") = " +
		FormatPct(ctx, r.Revenue) + ": accounts lost, shrinking and growing all count; new accounts do not. " +
		"An account's revenue at a month is its latest figure among that month and the two before."
}

func howNonKey(ctx context.Context, pf kpi.Portfolio) string {
	k, o := pf.Summary.Retention, pf.Summary.NonKeyRetention
	return "The same rule for every other account (not key on " + firstDay(ctx, pf.Period.Start) + "): " + count(ctx, o.Retained) + " of " +
		count(ctx, o.Cohort) + " customers kept = " + FormatPct(ctx, o.Accounts) + ", against " + FormatPct(ctx, k.Accounts) +
		" for key accounts. Key accounts kept " + advantageWords(ctx, pf.Summary.KeyAdvantage) + " (key ÷ other − 1)."
}

func advantageWords(ctx context.Context, v kpi.Value) string {
	switch {
	case !v.OK:
		return "— (not enough accounts to compare)"
	case v.V >= 0:
		return FormatGrowth(ctx, v) + " more of their customers"
	}
	return FormatGrowth(ctx, v) + " fewer of their customers"
}

func howChurn(pf kpi.Portfolio) string {
	return "For each month: of the key accounts on the first day of the month before that were customers then (revenue in that " +
		"month or the two before), the share that are customers no more at the month's end. " +
		"The twelve months to " + kpi.MonthLabel(pf.Period.End) + "."
}

func howUpsell(ctx context.Context, pf kpi.Portfolio) string {
	sm, cur := pf.Summary, pf.Currency
	return "Upsell revenue of the key accounts in " + pf.Period.Label() + " (" + FormatMoney(ctx, sm.Upsell, cur) + ") ÷ their revenue (" +
		FormatMoney(ctx, sm.Revenue, cur) + ") = " + FormatPct(ctx, sm.UpsellRate) + "."
}

func howCrossSell(ctx context.Context, pf kpi.Portfolio) string {
	sm := pf.Summary
	return "Key accounts with at least one cross-sell in " + pf.Period.Label() + " (" + count(ctx, sm.WithCrossSell) +
		") ÷ key accounts with figures in it (" + count(ctx, sm.WithFigures) + ") = " + FormatPct(ctx, sm.CrossSellRate) + "."
}

func howAttainment(ctx context.Context, pf kpi.Portfolio) string {
	return "Goals of these key accounts' open plans whose status, derived from their progress against the time elapsed, is " +
		"achieved or on track (" + count(ctx, pf.GoalsAttained) + ") ÷ all their goals (" + count(ctx, pf.GoalsCounted) + ") = " +
		FormatPct(ctx, pf.GoalAttainment) + ". A KAM's override of a status is shown on the plan, not counted here."
}

func howKeyShare(ctx context.Context, pf kpi.Portfolio) string {
	sm, cur := pf.Summary, pf.Currency
	return "The key accounts' revenue (" + FormatMoney(ctx, sm.KeyShare.V*sm.TotalRevenue, cur) + ") ÷ the revenue of every account " +
		"(key or not, in the chosen segment and region) (" + FormatMoney(ctx, sm.TotalRevenue, cur) + ") = " + FormatPct(ctx, sm.KeyShare) +
		". Revenue here is each account's one revenue, the same the shortlist uses: " + sm.RevenueBasis +
		" It does not follow the period chosen above."
}

func howLargest(ctx context.Context, pf kpi.Portfolio) string {
	sm, cur := pf.Summary, pf.Currency
	return "The single account with the most revenue (" + FormatMoney(ctx, sm.Largest.Revenue, cur) + ") ÷ the revenue of every account (" +
		FormatMoney(ctx, sm.TotalRevenue, cur) + ") = " + FormatPct(ctx, sm.Largest.Share) + ", in each account's one revenue (as the shortlist): " +
		sm.RevenueBasis + " Above the tenant's threshold (the scoring settings) a warning shows: too much revenue hangs on one account."
}

// howAccountGrowth is an account's year-over-year revenue growth.
func howAccountGrowth(ctx context.Context, d kpi.AccountKPIs) string {
	r, cur := d.Row, d.Currency
	avg := func(s kpi.Sum) string {
		m := s.Mean()
		if !m.OK {
			return "no figures"
		}
		return FormatMoney(ctx, m.V, cur) + " a month over " + pluralIn(ctx, s.N, "month", "months") + " with figures"
	}
	return "The average monthly revenue in " + d.Period.Label() + " (" + avg(r.Revenue) + ") ÷ the same in " + d.Period.YearAgo().Label() +
		" (" + avg(r.YearAgo) + ") − 1 = " + FormatGrowth(ctx, r.GrowthYoY) + ". Months without a figure are left out of the averages, " +
		"so a month nobody entered does not look like a fall."
}

func howAverages(pf kpi.Portfolio) string {
	return "The average over every key-account month with a value in " + pf.Period.Label() +
		" (months without one are left out). An NPS entered as survey counts is (promoters − detractors) ÷ responses × 100."
}

func howAvgTransaction(ctx context.Context, pf kpi.Portfolio) string {
	v, cur := pf.Summary.Volumes, pf.Currency
	return "The key accounts' revenue in the months of " + pf.Period.Label() + " that have orders (" + FormatMoney(ctx, v.Revenue, cur) +
		") ÷ those orders (" + FormatNumber(ctx, v.Orders) + ") = " + optMoney(ctx, v.AvgTransaction(), cur) +
		". Months without orders entered, or with none, are left out. Derived from the monthly orders figure, never typed."
}

func howUnitsPerOrder(ctx context.Context, pf kpi.Portfolio) string {
	v := pf.Summary.Volumes
	return "Units bought by the key accounts in the months of " + pf.Period.Label() + " that have orders and units (" +
		FormatNumber(ctx, v.Units) + ") ÷ the orders of those months (" + FormatNumber(ctx, v.UnitMonthOrders) + ") = " +
		optNumber(ctx, v.UnitsPerOrder()) + "."
}

// optNumber shows a value with at most two decimals, or "—".
func optNumber(ctx context.Context, v kpi.Value) string {
	if !v.OK {
		return dash
	}
	return FormatNumber(ctx, v.V)
}

// growthSince says from when an account's criteria metrics are followed.
func growthSince(ctx context.Context, d kpi.AccountKPIs) string {
	span := monthsLabel(d.GrowthFrom, d.GrowthTo)
	switch {
	case d.KeySince != nil && kpi.MonthOf(*d.KeySince).Equal(d.GrowthFrom):
		return "Since it became a key account on " + FormatLongDate(ctx, *d.KeySince) + ": " + span + "."
	case d.KeySince != nil:
		return "It became a key account on " + FormatLongDate(ctx, *d.KeySince) + "; the last " +
			count(ctx, kpi.GrowthMonths) + " months are shown: " + span + "."
	}
	return "The key status history does not say when it became key: since its first figures, " + span + "."
}

// metricValue shows a metric's value in its unit.
func metricValue(ctx context.Context, m kpi.Metric, v kpi.Value, d kpi.AccountKPIs) string {
	switch {
	case !v.OK:
		return dash
	case m.Money():
		return FormatMoney(ctx, v.V, d.Currency)
	case m.Percent():
		return FormatPct(ctx, v)
	case m == kpi.MetricCSAT:
		return FormatCSAT(ctx, v, d.Settings.CSATScale)
	case m == kpi.MetricNPS:
		return FormatNPS(v)
	case m == kpi.MetricAdoption:
		return FormatAdoption(ctx, v)
	}
	return FormatNumber(ctx, v.V)
}

// metricChange shows a change of a metric: money and counts with a sign,
// shares in points.
func metricChange(ctx context.Context, m kpi.Metric, v kpi.Value, d kpi.AccountKPIs) string {
	switch {
	case !v.OK:
		return dash
	case m.Percent():
		return signed(ctx, v.V*100, 1, true) + " points"
	case m == kpi.MetricAdoption:
		return signed(ctx, v.V, 1, true) + " points"
	case m.Money():
		s := FormatMoney(ctx, math.Abs(v.V), d.Currency)
		if v.V < 0 {
			return "−" + s
		}
		return "+" + s
	}
	return signed(ctx, v.V, 2, true)
}

func monthOrEmpty(v kpi.Value, m time.Time) string {
	if !v.OK {
		return ""
	}
	return kpi.MonthLabel(m)
}

func howLinked(pf kpi.Portfolio, l kpi.LinkedMovement) string {
	return l.Metric.Label() + ": " + l.Metric.Definition() + ". For each key account, its value in the first month of " +
		pf.Period.Label() + " that has one against its value in the last such month: higher is an improvement. Accounts with a " +
		"value in fewer than two months count as too few figures. The averages are over the accounts that moved."
}

// linkedValue shows a metric's value on the dashboard.
func linkedValue(ctx context.Context, pf kpi.Portfolio, m kpi.Metric, v kpi.Value) string {
	return metricValue(ctx, m, v, kpi.AccountKPIs{Currency: pf.Currency, Settings: pf.Settings})
}

// The shortlist's concentration figures: shares of every active account's
// one revenue (internal/account/revenue.go), in whole currency units.

func howConcKeyShare(ctx context.Context, c scoring.Concentration, cur string) string {
	return "The key accounts' revenue (" + Money(ctx, c.KeyRevenue) + ") ÷ the revenue of every active account (" + Money(ctx, c.Total) +
		") = " + Percent(ctx, c.KeyShareBPS()) + ", in " + cur + ". " + RevenueBasis(c)
}

func howConcTopN(ctx context.Context, c scoring.Concentration, cur string) string {
	return "The top " + count(ctx, c.TopN) + " accounts by revenue (" + Money(ctx, c.TopNRevenue) + ") ÷ the revenue of every active account (" +
		Money(ctx, c.Total) + ") = " + Percent(ctx, c.TopNShareBPS()) + ", in " + cur + ". How many is a scoring setting. " + RevenueBasis(c)
}

func howConcLargest(ctx context.Context, c scoring.Concentration, cur string) string {
	return "The single account with the most revenue (" + Money(ctx, c.Largest.Revenue) + ") ÷ the revenue of every active account (" +
		Money(ctx, c.Total) + ") = " + Percent(ctx, c.Largest.ShareBPS) + ", in " + cur + ". Above " + Percent(ctx, c.ThresholdBPS) +
		" (the scoring settings) an account is flagged as an over-dependence risk. " + RevenueBasis(c)
}
