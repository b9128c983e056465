package templates

import "context"
import "math"
import "net/url"
import "strconv"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/health"
import "pareto/internal/kpi"
import "pareto/internal/numfmt"
import "pareto/internal/scoring"

// Views of the health area: the account page's sections, the breakdown
// page, the settings, the 2×2 and the risk list.

// AccountHealthSections are the account page's health, team, engagement,
// profitability and review sections.
type AccountHealthSections struct {
	AccountID      uuid.UUID
	AccountVersion int
	Currency       string
	IsKey          bool
	CanEdit        bool
	Today          time.Time
	Health         health.Breakdown
	History        []health.HistoryPoint

	KAMName          string
	ManagerID        uuid.UUID
	ManagerName      string
	Team             []account.TeamMember
	CanChangeTeam    bool
	CanAssignManager bool
	Members          []auth.Member // active members, for the team and manager choices
	TeamForm         TeamFormView

	Engagements     []account.Engagement
	EngagementTotal int
	EngagementForm  EngagementFormView
	OpenForm        string // "engagement" or "team" when re-shown with errors

	Profit  health.AccountProfit
	Reviews health.Schedule
}

// TeamFormView is the add-a-team-member form.
type TeamFormView struct {
	UserID, Role string
	Errors       map[string]string
}

// EngagementFormView is the engagement form.
type EngagementFormView struct {
	Values account.EngagementInput
	Errors map[string]string
}

// HealthSpark is the score's history as a sparkline.
func (v AccountHealthSections) HealthSpark() SparklineView { return healthSpark(v.History) }

func healthSpark(h []health.HistoryPoint) SparklineView {
	vals := make([]kpi.Value, len(h))
	for i, p := range h {
		if p.Score != nil {
			vals[i] = kpi.Some(float64(*p.Score))
		}
	}
	return NewSparkline("Health score by month", vals)
}

// MarginSpark is the gross margin's trend as a sparkline.
func (v AccountHealthSections) MarginSpark() SparklineView {
	vals := make([]kpi.Value, len(v.Profit.Months))
	for i, m := range v.Profit.Months {
		if m.Profit != nil && m.Profit.GrossMargin != nil {
			vals[i] = kpi.Some(*m.Profit.GrossMargin)
		}
	}
	return NewSparkline("Gross margin by month", vals)
}

// HealthScoreText is a score out of 100, or "—".
func HealthScoreText(s *int) string {
	if s == nil {
		return dash
	}
	return strconv.Itoa(*s)
}

// HealthClass colours a health score: good from 70, weak below 40.
func HealthClass(s *int) string {
	switch {
	case s == nil:
		return "health health-none"
	case *s >= 70:
		return "health health-good"
	case *s >= 40:
		return "health health-fair"
	}
	return "health health-poor"
}

// partValue is a component's value, or "missing".
func partValue(ctx context.Context, p health.Part) string {
	if p.Value == nil {
		return "missing"
	}
	return loc(ctx).Decimal(*p.Value, 0)
}

// points writes a share of 100 with one decimal: "21.3".
func points(ctx context.Context, v float64) string { return loc(ctx).Decimal(v, 1) }

// HealthPageView is an account's health breakdown page.
type HealthPageView struct {
	Account  account.Account
	Health   health.Breakdown
	Kept     *health.Kept // as last kept, when it differs from now
	History  []health.HistoryPoint
	Chart    LineChartView
	Settings health.Settings
	IsAdmin  bool
}

// NewHealthHistoryChart draws the score's monthly history.
func NewHealthHistoryChart(ctx context.Context, h []health.HistoryPoint) LineChartView {
	labels := make([]string, len(h))
	vals := make([]kpi.Value, len(h))
	for i, p := range h {
		labels[i] = kpi.MonthLabel(p.Month)
		if p.Score != nil {
			vals[i] = kpi.Some(float64(*p.Score))
		}
	}
	return NewLineChart("health-history", "Health score by month", "The account's health score at the end of each month (the current month: today).",
		labels, vals, LineOpts{Fixed: true, Lo: 0, Hi: 100, Format: func(v float64) string { return loc(ctx).Number(v, 0) }})
}

// HealthSettingsView is the health settings form.
type HealthSettingsView struct {
	Values map[string]string
	Errors map[string]string
	Saved  health.Settings
}

// HealthSettingsValues are st as the form shows them.
func HealthSettingsValues(st health.Settings) map[string]string {
	v := map[string]string{
		"stale_days": itoa(st.StaleDays), "single_thread_pct": itoa(st.SingleThreadPct), "risk_health": itoa(st.RiskHealth),
		"matrix_score": scoring.FormatScore10(st.MatrixScore10), "matrix_health": itoa(st.MatrixHealth),
		"low_margin": numfmt.EN.Percent(int64(st.LowMarginBPS)), "review_months": itoa(st.ReviewMonths),
	}
	for _, c := range health.Components {
		v["weight_"+string(c)] = itoa(st.Weights[c])
	}
	return v
}

// HealthMatrixView is the 2×2 page (or its compact form on other pages).
type HealthMatrixView struct {
	Matrix  health.Matrix
	Chart   MatrixChart
	Compact bool   // on the shortlist and the dashboard: chart and a link
	Back    string // the page the compact chart sits on
}

// Unplaced are the points the chart cannot show (no score or no health).
func (v HealthMatrixView) Unplaced() []health.MatrixPoint {
	var out []health.MatrixPoint
	for _, p := range v.Matrix.Points {
		if !p.Placed() {
			out = append(out, p)
		}
	}
	return out
}

// InQuadrant are the placed points of q.
func (v HealthMatrixView) InQuadrant(q health.Quadrant) []health.MatrixPoint {
	var out []health.MatrixPoint
	for _, p := range v.Matrix.Points {
		if p.Placed() && p.Quadrant == q {
			out = append(out, p)
		}
	}
	return out
}

// CandidatesLink toggles the candidates.
func (v HealthMatrixView) CandidatesLink() string {
	if v.Matrix.Filter.Candidates {
		return "/health/matrix"
	}
	return "/health/matrix?candidates=1"
}

// MatrixDot is one drawn account of the 2×2: the link to the account,
// its classes and its tooltip are written from P (matrixDots).
type MatrixDot struct {
	Pt
	P *health.MatrixPoint
	// Label is drawn beside the dot when it fits without touching
	// another label or dot (LabelOK); the table lists every account.
	Label   string
	LabelOK bool
	LX, LY  float64
	Anchor  string // text-anchor
}

// MatrixChart is the 2×2 laid out.
type MatrixChart struct {
	W, H                     float64
	Left, Right, Top, Bottom float64
	XLine, YLine             float64
	Dots                     []MatrixDot
	XTicks, YTicks           []Tick
	ScoreLine, HealthLine    string
}

// ViewBox is the SVG viewBox attribute.
func (c MatrixChart) ViewBox() string { return "0 0 " + coord(c.W) + " " + coord(c.H) }

// Matrix geometry and label metrics: labels are about 6.2 units per
// character at the chart's 11-unit font.
const (
	matrixW       = 720.0
	matrixH       = 460.0
	labelCharW    = 6.2
	labelHeight   = 12.0
	labelMaxChars = 22
	dotRadius     = 5.0
)

type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// NewMatrixChart lays out the placed points: selection score (1–10)
// across, health (0–100) up, lines at the tenant's thresholds. Each dot
// gets its name beside it where the name fits without overlapping a dot
// or a label already placed (right, left, above, below, in that order);
// the others keep their name in the dot's title and in the table.
func NewMatrixChart(ctx context.Context, points []health.MatrixPoint, st health.Settings) MatrixChart {
	c := MatrixChart{W: matrixW, H: matrixH, Left: 48, Right: 16, Top: 16, Bottom: 40}
	pw, ph := c.W-c.Left-c.Right, c.H-c.Top-c.Bottom
	x := func(s10 int) float64 { return c.Left + (float64(max(10, min(100, s10)))-10)/90*pw }
	y := func(h int) float64 { return c.Top + ph - float64(max(0, min(100, h)))/100*ph }
	c.XLine, c.YLine = x(st.MatrixScore10), y(st.MatrixHealth)
	c.ScoreLine, c.HealthLine = Score10(ctx, st.MatrixScore10), itoa(st.MatrixHealth)
	for _, s := range []int{10, 40, 70, 100} {
		c.XTicks = append(c.XTicks, Tick{Pos: x(s), Label: Score10(ctx, s)})
	}
	for _, h := range []int{0, 25, 50, 75, 100} {
		c.YTicks = append(c.YTicks, Tick{Pos: y(h), Label: itoa(h)})
	}
	// Sized once: a dot and at most one label per point.
	taken := make([]box, 0, 2*len(points))
	c.Dots = make([]MatrixDot, 0, len(points))
	names := make([]string, 0, len(points)) // of the placed points, in Dots order
	for i := range points {
		p := &points[i]
		if !p.Placed() {
			continue
		}
		names = append(names, p.Name)
		d := MatrixDot{Pt: Pt{x(*p.Score10), y(*p.Health)}, P: p}
		taken = append(taken, box{d.X - dotRadius, d.Y - dotRadius, d.X + dotRadius, d.Y + dotRadius})
		c.Dots = append(c.Dots, d)
	}
	plot := box{c.Left, c.Top, c.W - c.Right, c.H - c.Bottom}
	for i := range c.Dots {
		d := &c.Dots[i]
		d.Label = names[i]
		chars := utf8.RuneCountInString(d.Label)
		if chars > labelMaxChars {
			d.Label = string(append([]rune(d.Label)[:labelMaxChars-1], '…'))
			chars = labelMaxChars
		}
		w := float64(chars) * labelCharW
		for _, try := range []struct {
			x0, y0 float64
			anchor string
			tx, ty float64
		}{
			{d.X + 8, d.Y - labelHeight/2, "start", d.X + 8, d.Y + 4},
			{d.X - 8 - w, d.Y - labelHeight/2, "end", d.X - 8, d.Y + 4},
			{d.X - w/2, d.Y - 8 - labelHeight, "middle", d.X, d.Y - 10},
			{d.X - w/2, d.Y + 8, "middle", d.X, d.Y + 18},
		} {
			b := box{try.x0, try.y0, try.x0 + w, try.y0 + labelHeight}
			if b.x0 < plot.x0 || b.x1 > plot.x1 || b.y0 < plot.y0 || b.y1 > plot.y1 || collides(b, taken) {
				continue
			}
			taken = append(taken, b)
			d.LabelOK, d.LX, d.LY, d.Anchor = true, try.tx, try.ty, try.anchor
			break
		}
	}
	return c
}

func collides(b box, taken []box) bool {
	for _, t := range taken {
		if b.overlaps(t) {
			return true
		}
	}
	return false
}

// Labelled counts the dots whose name is drawn.
func (c MatrixChart) Labelled() int {
	n := 0
	for _, d := range c.Dots {
		if d.LabelOK {
			n++
		}
	}
	return n
}

// matrixScore writes a point's selection score.
func matrixScore(ctx context.Context, p health.MatrixPoint) string {
	if p.Score10 == nil {
		return dash
	}
	s := Score10(ctx, *p.Score10)
	if !p.Complete {
		s += " (incomplete)"
	}
	return s
}

// RiskListView is the portfolio risk list.
type RiskListView struct {
	Page      health.RiskPage
	Filter    health.RiskFilter
	KAMs      []auth.Member
	AtRisk    health.RevenueAtRisk
	Currency  string
	Settings  health.Settings
	RanOn     time.Time // the daily run the list is from (zero: not yet)
	Computing bool      // a run is under way
}

// query is the filter as URL parameters.
func (v RiskListView) query() url.Values {
	q := url.Values{}
	if v.Filter.Kind != "" {
		q.Set("kind", string(v.Filter.Kind))
	}
	if v.Filter.KAMID != uuid.Nil {
		q.Set("kam", v.Filter.KAMID.String())
	}
	if v.Filter.Key != "" {
		q.Set("key", v.Filter.Key)
	}
	return q
}

// CSVLink exports the filtered list.
func (v RiskListView) CSVLink() string { return withQuery("/health/risks.csv", v.query()) }

// PageLink is the list at cursor c.
func (v RiskListView) PageLink(c string) string {
	q := v.query()
	if c != "" {
		q.Set("cursor", c)
	}
	return withQuery("/health/risks", q)
}

// RiskShare is revenue at risk as a percentage of key revenue.
func RiskShare(ctx context.Context, r health.RevenueAtRisk) string {
	s, ok := r.Share()
	if !ok {
		return dash
	}
	return loc(ctx).Decimal(s*100, 1) + " %"
}

// marginText is a gross margin in percent, or "—".
func marginText(ctx context.Context, v float64, ok bool) string {
	if !ok {
		return dash
	}
	return loc(ctx).Decimal(v, 1) + " %"
}

// optMargin is an optional gross margin.
func optMargin(ctx context.Context, p *float64) string {
	if p == nil {
		return dash
	}
	return marginText(ctx, *p, true)
}

// roundPct rounds a 0–100 value for a meter.
func roundPct(v float64) string { return strconv.Itoa(int(math.Round(v))) }

// contribution is a month's revenue − cost to serve, or "—".
func contribution(ctx context.Context, m health.ProfitMonth, currency string) string {
	c, ok := m.Contribution()
	if !ok {
		return dash
	}
	return FormatMoney(ctx, c, currency)
}

// progressText is a goal's progress in percent, or "—".
func progressText(ctx context.Context, p *float64) string {
	if p == nil {
		return dash
	}
	return loc(ctx).Decimal(*p, 0) + " %"
}

// changeClass marks a change better or worse.
func changeClass(c health.Change) string {
	switch {
	case c.Better > 0:
		return "change-better"
	case c.Better < 0:
		return "change-worse"
	}
	return ""
}

// ClientChanges are the changes a client's report shows: the
// client-facing ones, and the internal parts ticked in.
func ClientChanges(cs []health.Change, pipeline, cost bool) []health.Change {
	var out []health.Change
	for _, c := range cs {
		if c.Internal == "" || (c.Internal == "pipeline" && pipeline) || (c.Internal == "cost" && cost) {
			out = append(out, c)
		}
	}
	return out
}

// profitMarginSpark is the key accounts' (or the others') monthly margin.
func profitMarginSpark(p health.PortfolioProfit, key bool) SparklineView {
	vals := make([]kpi.Value, len(p.Months))
	for i, m := range p.Months {
		t := m.Other
		if key {
			t = m.Key
		}
		if v, ok := t.Margin(); ok {
			vals[i] = kpi.Some(v)
		}
	}
	return NewSparkline("Gross margin by month", vals)
}

// CredibilityCode is the library code of the "Referrals and credibility"
// criterion.
const CredibilityCode = "referrals_credibility"

// IsCredibility reports whether c is the "Referrals and credibility"
// criterion (by its library code, or a custom criterion named so).
func IsCredibility(c scoring.Criterion) bool {
	return c.Code == CredibilityCode || strings.HasPrefix(strings.ToLower(c.Name), "referrals")
}
