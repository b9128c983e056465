package templates

import "context"
import "strconv"

import "pareto/internal/plan"

// GoalOverrideForm is the override form's state.
type GoalOverrideForm struct {
	Goal     plan.Goal
	Action   string
	Version  int
	Override string
	Reason   string
	Errors   map[string]string
}

// goalCurrentRule says where a goal's current value comes from.
func goalCurrentRule(ctx context.Context, g plan.Goal) string {
	period := FormatLongDate(ctx, g.Start) + " – " + FormatLongDate(ctx, g.End)
	switch {
	case g.FromKPI() && (g.KPI == plan.KPIRevenue || g.KPI == plan.KPIUpsellRevenue || g.KPI == plan.KPICrossSellCount):
		return FormatNumber(ctx, g.Figure.Value) + ": the sum of the twelve months to " + g.Figure.Month.Format("Jan 2006") +
			", the latest month with a figure inside the plan's period (" + period + ")."
	case g.FromKPI():
		return FormatNumber(ctx, g.Figure.Value) + ": the figure of " + g.Figure.Month.Format("Jan 2006") +
			", the latest month with one inside the plan's period (" + period + ")."
	case g.ManualProgress != nil && g.KPI == plan.KPICustom:
		return FormatNumber(ctx, *g.ManualProgress) + ", as entered (a custom measure has no monthly figures)."
	case g.ManualProgress != nil:
		return FormatNumber(ctx, *g.ManualProgress) + ", as entered: no month inside the plan's period (" + period + ") has a figure yet."
	}
	return "None yet: no figure inside the plan's period (" + period + ") and none entered. Counted as 0 % progress."
}

// goalProgressRule shows the progress formula with the goal's numbers.
func goalProgressRule(ctx context.Context, g plan.Goal) string {
	cur := g.Current()
	if cur == nil {
		return "(current − baseline) ÷ (target − baseline): unknown until there is a current value."
	}
	pct, _ := g.Progress()
	return "(current − baseline) ÷ (target − baseline) = (" + FormatNumber(ctx, *cur) + " − " + FormatNumber(ctx, g.Baseline) + ") ÷ (" +
		FormatNumber(ctx, g.Target) + " − " + FormatNumber(ctx, g.Baseline) + ") = " + FormatPercent(pct) + " (kept between 0 and 100 %)."
}

// goalExpectedRule explains the linear expectation.
func goalExpectedRule(ctx context.Context, g plan.Goal) string {
	return FormatPercent(g.Expected) + ": a straight line from 0 % on " + FormatLongDate(ctx, g.Start) + " (the plan's start) to 100 % on " +
		FormatLongDate(ctx, g.DueDate) + " (the due date)."
}

// goalStatusRule explains which band the goal falls in.
func goalStatusRule(ctx context.Context, g plan.Goal) string {
	pct, _ := g.Progress()
	tol := strconv.Itoa(g.Tolerance)
	rule := "Achieved at 100 %; overdue after the due date; otherwise on track while progress lags the expectation by at most " +
		tol + " points (the tenant's tolerance), at risk up to " + strconv.Itoa(2*g.Tolerance) + ", off track beyond."
	switch g.Derived {
	case plan.GoalAchieved, plan.GoalOverdue:
		return g.Derived.Label() + ". " + rule
	}
	lag := g.Expected - pct
	return g.Derived.Label() + ": progress " + FormatPercent(pct) + " against " + FormatPercent(g.Expected) + " expected, " +
		lagWords(ctx, lag) + ". " + rule
}

func lagWords(ctx context.Context, lag float64) string {
	if lag <= 0 {
		return "ahead by " + FormatNumber(ctx, -roundTo(lag, 1)) + " points"
	}
	return "behind by " + FormatNumber(ctx, roundTo(lag, 1)) + " points"
}

func roundTo(v float64, decimals int) float64 {
	p, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64)
	return p
}
