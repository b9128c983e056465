package templates

import "net/url"
import "strconv"
import "time"

import "github.com/google/uuid"

import "pareto/internal/kpi"

// DashboardView is the portfolio or one KAM's dashboard.
type DashboardView struct {
	Portfolio kpi.Portfolio
	Heading   string
	Intro     string
	Path      string // the page's path, for the filter form, sorting and CSV links
	ShowKAMs  bool   // the per-KAM comparison (the whole portfolio, for leaders and admins)
	IsAdmin   bool
	Sort      string
	Desc      bool
	Page      int
	Pages     int
	Rows      []kpi.AccountRow // this page of Portfolio.Accounts
	// CohortRows are the retention cohort's rows listed on the page: all
	// of them in a small portfolio, else the accounts lost (the CSV has
	// every row); CohortHidden counts the others.
	CohortRows   []kpi.AccountRow
	CohortHidden int
	Revenue      LineChartView
	CSAT         LineChartView
	NPS          LineChartView
	KAMBars      BarChartView
	Churn        LineChartView
	// Quarters are the fiscal quarters the period selector offers.
	Quarters []kpi.Quarter
	// Health is the health area's part (profitability, revenue at risk,
	// the 2×2); nil hides it.
	Health *DashboardHealthView
}

// Query is the filter as URL query values (without sorting and paging).
func (v DashboardView) Query() url.Values {
	q := url.Values{}
	f := v.Portfolio.Filter
	if f.Period.Key != "" {
		q.Set("period", f.Period.Key)
	}
	if f.Period.Key == kpi.CustomPeriod {
		q.Set("from", f.Period.From)
		q.Set("to", f.Period.To)
	}
	if f.Segment != "" {
		q.Set("segment", f.Segment)
	}
	if f.Region != "" {
		q.Set("region", f.Region)
	}
	return q
}

// href builds a link to this dashboard with the filter, plus extra.
func (v DashboardView) href(extra url.Values, fragment string) string {
	q := v.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	s := v.Path
	if e := q.Encode(); e != "" {
		s += "?" + e
	}
	if fragment != "" {
		s += "#" + fragment
	}
	return s
}

// SortHref links to the accounts table sorted by key (toggling the
// direction when it is the current sort).
func (v DashboardView) SortHref(key string) string {
	desc := key != "name" && key != "kam"
	if v.Sort == key {
		desc = !v.Desc
	}
	dir := "asc"
	if desc {
		dir = "desc"
	}
	return v.href(url.Values{"sort": {key}, "dir": {dir}}, "accounts")
}

// SortClass marks the current sort column.
func (v DashboardView) SortClass(key string) string {
	return sortClass(v.Sort == key, v.Desc)
}

// PageHref links to a page of the accounts table.
func (v DashboardView) PageHref(page int) string {
	dir := "asc"
	if v.Desc {
		dir = "desc"
	}
	return v.href(url.Values{"sort": {v.Sort}, "dir": {dir}, "page": {strconv.Itoa(page)}}, "accounts")
}

// CSVHref links to the CSV of one table.
func (v DashboardView) CSVHref(table string) string {
	q := v.Query()
	q.Set("table", table)
	return v.Path + ".csv?" + q.Encode()
}

// Anchor links to a section of this page, keeping the filter.
func (v DashboardView) Anchor(fragment string) string { return v.href(nil, fragment) }

// AccountKPIHref is an account's KPI page.
func AccountKPIHref(id uuid.UUID) string { return "/accounts/" + id.String() + "/kpis" }

// KAMDashboardHref is one KAM's dashboard.
func KAMDashboardHref(id uuid.UUID) string { return "/dashboards/kams/" + id.String() }

// MonthLabels labels the months of a period; a month not complete yet
// is marked with an asterisk.
func MonthLabels(p kpi.Period) []string {
	out := make([]string, p.Months())
	for i := range out {
		m := kpi.AddMonths(p.Start, i)
		out[i] = m.Format("Jan 06")
		if p.Partial(m) {
			out[i] += "*"
		}
	}
	return out
}

// AccountKPIView is the KPI section of an account page: sparklines and
// the latest figures.
type AccountKPIView struct {
	Data      kpi.AccountKPIs
	Period    kpi.Period // the 12 months the sparklines show
	Revenue   SparklineView
	CSAT      SparklineView
	NPS       SparklineView
	Adoption  SparklineView
	CanEdit   bool
	ShowLinks bool // link to the KPI page (on the account page itself)
}

// GridRow is one month of the account page's month grid.
type GridRow struct {
	Month   time.Time
	Figure  *kpi.Figure // stored figures, nil when none
	Input   kpi.FigureInput
	Version int
	Errors  map[string]string
}

// FormID is the id of the row's form (the inputs refer to it).
func (g GridRow) FormID() string { return "kpi-" + kpi.FormatMonth(g.Month) }

// InputID is the id of one of the row's inputs.
func (g GridRow) InputID(field string) string { return g.FormID() + "-" + field }

// FigureConflict is a stale save: what is stored now beside what was typed.
type FigureConflict struct {
	Month    time.Time
	Current  *kpi.Figure // nil: the month's figures were deleted meanwhile
	Yours    kpi.FigureInput
	Deleting bool // you asked to delete the month's figures
}

// ConflictLine is one field of a conflict table.
type ConflictLine struct {
	Label, Theirs, Yours string
}

// Lines lists the fields side by side.
func (c FigureConflict) Lines() []ConflictLine {
	var t kpi.FigureInput
	if c.Current != nil {
		t = c.Current.Input()
	}
	y := c.Yours
	if c.Deleting {
		y = kpi.FigureInput{Revenue: "(delete)"}
	}
	return []ConflictLine{
		{"Revenue", t.Revenue, y.Revenue}, {"CSAT", t.CSAT, y.CSAT}, {"NPS", t.NPS, y.NPS},
		{"Promoters", t.Promoters, y.Promoters}, {"Passives", t.Passives, y.Passives}, {"Detractors", t.Detractors, y.Detractors},
		{"Adoption %", t.Adoption, y.Adoption}, {"Upsell revenue", t.Upsell, y.Upsell}, {"Cross-sells", t.CrossSells, y.CrossSells},
		{"Orders", t.Orders, y.Orders}, {"Units", t.Units, y.Units},
	}
}

// AccountKPIPageView is the account's KPI page with the month grid.
type AccountKPIPageView struct {
	Section  AccountKPIView
	Grid     []GridRow // newest month first
	To       time.Time // the grid's last month
	Earlier  string    // link to earlier months
	Later    string    // link to later months, "" at this month
	Conflict *FigureConflict
}

// KPISettingsView is the KPI settings form.
type KPISettingsView struct {
	Settings kpi.Settings
	Form     kpi.SettingsInput
	Errors   map[string]string
}

// MonthNames are the months for the fiscal year select.
var MonthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December"}

// PeriodSelector is the dashboard's period selector as chosen.
func (v DashboardView) PeriodSelector() PeriodSelector {
	return PeriodSelector{Choice: v.Portfolio.Filter.Period, Quarters: v.Quarters, FYStart: v.Portfolio.Settings.FiscalYearStartMonth,
		Errors: v.Portfolio.PeriodErrors}
}

// key is the selector's value: the default when none was chosen.
func (p PeriodSelector) key() string {
	if p.Choice.Key == "" {
		return kpi.DefaultPeriod
	}
	return p.Choice.Key
}
