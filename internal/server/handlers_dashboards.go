package server

import "fmt"
import "io"
import "maps"
import "net/http"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/numfmt"
import "pareto/internal/plan"
import "pareto/templates"

// Dashboards: the portfolio's and each KAM's KPIs, and their CSV tables.

// dashboardPageSize is how many key accounts the dashboard table lists per
// page.
const dashboardPageSize = 25

// cohortListed is how many accounts of the retention cohort the page
// lists in full; beyond it only the accounts lost are listed.
const cohortListed = 30

// dashboardFilter reads the period (period, and from and to for a custom
// range), segment and region from the query: every period has an address.
func dashboardFilter(r *http.Request) kpi.Filter {
	q := r.URL.Query()
	return kpi.Filter{Period: kpi.PeriodChoice{Key: q.Get("period"), From: q.Get("from"), To: q.Get("to")},
		Segment: strings.TrimSpace(q.Get("segment")), Region: strings.TrimSpace(q.Get("region"))}
}

// dashboardStatus is 422 when the chosen period could not be used (the
// page shows the default period with the message beside the field).
func dashboardStatus(v templates.DashboardView) int {
	if len(v.Portfolio.PeriodErrors) > 0 {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// dashboardTarget is whose dashboard a request shows.
type dashboardTarget struct {
	filter   kpi.Filter
	heading  string
	intro    string
	path     string
	showKAMs bool
}

// portfolioTarget: leaders and admins see every key account; a KAM sees
// the portfolio narrowed to their own accounts.
func portfolioTarget(r *http.Request) dashboardTarget {
	m := currentMember(r)
	t := dashboardTarget{filter: dashboardFilter(r), heading: "Portfolio dashboard", path: "/dashboards", showKAMs: true,
		intro: "Every key account: is the programme growing revenue and keeping customers happy?"}
	if m.Role == auth.RoleKAM {
		t.filter.KAMID = m.UserID
		t.heading, t.intro, t.showKAMs = "Your key accounts", "The key accounts you manage.", false
	}
	return t
}

// kamTarget is one KAM's dashboard: leaders and admins may open any KAM's,
// a KAM only their own (db.ErrForbidden); a user id that is not a member
// of the tenant is db.ErrNotFound.
func (s *Server) kamTarget(r *http.Request) (dashboardTarget, error) {
	m := currentMember(r)
	kamID, err := uuid.Parse(chi.URLParam(r, "kamID"))
	if err != nil {
		return dashboardTarget{}, fmt.Errorf("kam id: %w", db.ErrNotFound)
	}
	if m.Role == auth.RoleKAM && kamID != m.UserID {
		if _, err := s.auth.Member(r.Context(), m.TenantID, kamID); err != nil {
			return dashboardTarget{}, err
		}
		return dashboardTarget{}, fmt.Errorf("a KAM may open only their own dashboard: %w", db.ErrForbidden)
	}
	t := dashboardTarget{filter: dashboardFilter(r), path: "/dashboards/kams/" + kamID.String()}
	t.filter.KAMID = kamID
	return t, nil
}

func (s *Server) dashboardView(r *http.Request, t dashboardTarget) (templates.DashboardView, error) {
	pf, err := s.kpi.Portfolio(r.Context(), scope(r), t.filter)
	if err == nil {
		s.freshenRevenue(scope(r), pf.Summary.RevenueStale)
	}
	if err != nil {
		return templates.DashboardView{}, err
	}
	ids := make([]uuid.UUID, len(pf.Accounts))
	for i, a := range pf.Accounts {
		ids[i] = a.Account.ID
	}
	goals, err := plan.GoalCountsOf(r.Context(), s.db, scope(r), ids, time.Now())
	if err != nil {
		return templates.DashboardView{}, err
	}
	if share, ok := goals.Attained(); ok {
		pf.GoalAttainment = kpi.Some(share)
		pf.GoalsAttained, pf.GoalsCounted = goals.Achieved+goals.OnTrack, goals.Total()
	}
	if t.heading == "" {
		t.heading = "Dashboard: " + pf.KAMName
		t.intro = "The key accounts " + pf.KAMName + " manages."
	}
	m := currentMember(r)
	v := templates.DashboardView{Portfolio: pf, Heading: t.heading, Intro: t.intro, Path: t.path, ShowKAMs: t.showKAMs,
		IsAdmin: m.Role == auth.RoleAdmin, Quarters: kpi.Quarters(s.kpi.Now(), pf.Settings.FiscalYearStartMonth)}
	q := r.URL.Query()
	v.Sort, v.Desc = q.Get("sort"), q.Get("dir") != "asc"
	if !kpi.ValidSortKey(v.Sort) {
		v.Sort, v.Desc = "revenue", true
	}
	if v.Sort != "revenue" || !v.Desc { // the dashboard comes by revenue, largest first
		kpi.SortAccounts(pf.Accounts, v.Sort, v.Desc)
	}
	v.Page, _ = strconv.Atoi(q.Get("page"))
	v.Pages = max(1, (len(pf.Accounts)+dashboardPageSize-1)/dashboardPageSize)
	v.Page = min(max(v.Page, 1), v.Pages)
	v.Rows = pf.Accounts[min((v.Page-1)*dashboardPageSize, len(pf.Accounts)):min(v.Page*dashboardPageSize, len(pf.Accounts))]

	v.CohortRows = pf.Cohort
	if len(pf.Cohort) > cohortListed {
		v.CohortRows = nil
		for _, r := range pf.Cohort {
			if !r.Retained {
				v.CohortRows = append(v.CohortRows, r)
			}
		}
		v.CohortHidden = len(pf.Cohort) - len(v.CohortRows)
	}

	labels := templates.MonthLabels(pf.Period)
	money := func(x float64) string { return templates.FormatMoneyShort(r.Context(), x, pf.Currency) }
	revenue, csat, nps := make([]kpi.Value, len(pf.Months)), make([]kpi.Value, len(pf.Months)), make([]kpi.Value, len(pf.Months))
	for i, mr := range pf.Months {
		revenue[i], csat[i], nps[i] = mr.Revenue, mr.CSAT, mr.NPS
	}
	n := plural(pf.Summary.Accounts, "key account", "key accounts")
	v.Revenue = templates.NewLineChart("chart-revenue", "Revenue by month", "Monthly revenue of "+n+", "+pf.Period.Label()+
		". The values are in the table below the chart.", labels, revenue, templates.LineOpts{Width: 960, Height: 260, ZeroBased: true, Format: money})
	csatOpts := templates.LineOpts{Width: 480, Height: 220, Fixed: true, Lo: 1, Hi: 5, Format: func(x float64) string { return numfmt.From(r.Context()).FixedFloat(x, 1) }}
	if pf.Settings.CSATScale == kpi.ScalePercent {
		csatOpts.Lo, csatOpts.Hi, csatOpts.Format = 0, 100, func(x float64) string { return numfmt.From(r.Context()).Number(x, 0) + "%" }
	}
	v.CSAT = templates.NewLineChart("chart-csat", "Average CSAT by month", "Average CSAT of "+n+" per month, "+pf.Period.Label()+".",
		labels, csat, csatOpts)
	v.NPS = templates.NewLineChart("chart-nps", "Average NPS by month", "Average NPS of "+n+" per month, "+pf.Period.Label()+".",
		labels, nps, templates.LineOpts{Width: 480, Height: 220, Fixed: true, Lo: -100, Hi: 100, Format: func(x float64) string { return templates.FormatNPS(kpi.Some(x)) }})
	churn, churnLabels := make([]kpi.Value, len(pf.Churn)), make([]string, len(pf.Churn))
	for i, c := range pf.Churn {
		churn[i], churnLabels[i] = c.Rate, c.Month.Format("Jan 06")
	}
	v.Churn = templates.NewLineChart("chart-churn", "Key-account churn by month", "Share of key-account customers lost each month, the twelve months to "+
		kpi.MonthLabel(pf.Period.End)+". The values are in the table below the chart.", churnLabels, churn,
		templates.LineOpts{Width: 960, Height: 220, ZeroBased: true, Format: func(x float64) string { return templates.FormatPct(r.Context(), kpi.Some(x)) }})
	var bars []templates.BarItem
	for _, k := range pf.KAMs {
		name, href := k.Name, templates.KAMDashboardHref(k.KAMID)+"?"+v.Query().Encode()
		if k.KAMID == uuid.Nil {
			name, href = "No KAM assigned", v.Anchor("accounts")
		}
		bars = append(bars, templates.BarItem{Label: name, Href: href, V: k.Revenue})
	}
	v.KAMBars = templates.NewBarChart("chart-kams", "Revenue by key account manager",
		"Revenue of each KAM's key accounts, "+pf.Period.Label()+". The values are in the table below the chart.", bars, money)
	return v, nil
}

func (s *Server) dashboardShow(w http.ResponseWriter, r *http.Request) {
	v, err := s.dashboardView(r, portfolioTarget(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Health, err = s.dashboardHealth(r, v.Portfolio.Currency); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, dashboardStatus(v), templates.DashboardPage(s.page(r, v.Heading, "dashboards"), v))
}

func (s *Server) dashboardKAM(w http.ResponseWriter, r *http.Request) {
	_, v, err := loadThen(r, s.kamTarget, s.dashboardView)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, dashboardStatus(v), templates.DashboardPage(s.page(r, v.Heading, "dashboards"), v))
}

func (s *Server) dashboardCSV(w http.ResponseWriter, r *http.Request) {
	s.writeDashboardCSV(w, r, portfolioTarget(r), "portfolio")
}

func (s *Server) dashboardKAMCSV(w http.ResponseWriter, r *http.Request) {
	t, err := s.kamTarget(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeDashboardCSV(w, r, t, "kam")
}

func (s *Server) writeDashboardCSV(w http.ResponseWriter, r *http.Request, t dashboardTarget, name string) {
	table := r.URL.Query().Get("table")
	if table == "" {
		table = kpi.TableAccounts
	}
	if !kpi.ValidTable(table) {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "There is no such table to download.")
		return
	}
	pf, err := s.kpi.Portfolio(r.Context(), scope(r), t.filter)
	if err == nil {
		s.freshenRevenue(scope(r), pf.Summary.RevenueStale)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(pf.PeriodErrors) > 0 {
		msgs := slices.Sorted(maps.Values(pf.PeriodErrors))
		s.renderError(w, r, http.StatusUnprocessableEntity, "Bad period", "The period cannot be used: "+strings.Join(msgs, " "))
		return
	}
	var b strings.Builder
	if err := kpi.WriteCSV(&b, pf, table); err != nil {
		s.fail(w, r, err)
		return
	}
	writeCSV(w, fmt.Sprintf("pareto-%s-%s-%s.csv", name, table, kpi.FormatMonth(pf.Period.End)), b.String())
}

func writeCSV(w http.ResponseWriter, filename, body string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	_, _ = io.WriteString(w, body)
}
