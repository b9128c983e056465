package templates

import "context"
import "net/url"
import "slices"
import "strconv"

import "github.com/google/uuid"

import "pareto/internal/scoring"

// ShortlistView is the ranked shortlist page.
type ShortlistView struct {
	List          scoring.Shortlist
	Filter        ScoringFilter
	Options       scoring.FilterOptions
	Concentration scoring.Concentration
	WhatIf        WhatIfForm
	IsAdmin       bool
	OpenReview    *scoring.Review
	// Health is the compact 2×2 of attractiveness against health (nil
	// hides it).
	Health *HealthMatrixView
}

// NewShortlistView builds the shortlist page from what the store read
// for filter f.
func NewShortlistView(pg scoring.ShortlistPage, f scoring.Filter, isAdmin bool) ShortlistView {
	return ShortlistView{List: pg.Shortlist, Filter: ScoringFilter{Filter: f, Base: "/shortlist"}, Options: pg.Options,
		Concentration: pg.Concentration,
		WhatIf:        WhatIfForm{Weights: pg.Config.Weights}, IsAdmin: isAdmin, OpenReview: pg.OpenReview}
}

// CSVLink is the export of the filtered list.
func (v ShortlistView) CSVLink() string { return v.wholeList("/shortlist.csv") }

// ListLink is the shortlist's first page under the same filter.
func (v ShortlistView) ListLink() string { return v.wholeList("/shortlist") }

// wholeList is path with the filter and sort, without the page's cursor
// and size.
func (v ShortlistView) wholeList(path string) string {
	q := v.Filter.Values("")
	q.Del("per_page")
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// ChartLink is the portfolio chart of the filtered portfolio (every page:
// the page's cursor and size are left out), its own resource.
func (v ShortlistView) ChartLink() string { return v.wholeList("/shortlist/chart") }

// ShortlistChartView is the portfolio chart as its own page (without
// JavaScript, the shortlist links to it) or fragment (htmx loads it into
// the shortlist page).
type ShortlistChartView struct {
	Chart PortfolioChart
	Back  string // the shortlist with the same filter
}

// WhatIfForm is the what-if side panel: a percentage per active criterion.
type WhatIfForm struct {
	Weights []scoring.Weight // in force
	Values  map[string]string
	Errors  map[string]string
}

// Value is the typed (or current) percentage of a criterion.
func (f WhatIfForm) Value(w scoring.Weight) string {
	if len(f.Values) > 0 { // the field's name only then: a page view has none
		if s, ok := f.Values["weight_"+w.CriterionID.String()]; ok {
			return s
		}
	}
	return scoring.FormatBPS(w.BPS)
}

// WhatIfView is a ranking under proposed weights.
type WhatIfView struct {
	Result  scoring.WhatIfResult
	Form    WhatIfForm
	IsAdmin bool
	Query   string // the proposed weights as a query, for paging
}

// PageLink links to another page of the what-if.
func (v WhatIfView) PageLink(page int) string {
	return "/shortlist/whatif?" + v.Query + "&page=" + strconv.Itoa(page)
}

// Moved formats a rank change: ▲3, ▼2 or –.
func Moved(m scoring.Move) string {
	switch d := m.Delta(); {
	case m.OldRank == 0:
		return "new"
	case d > 0:
		return "▲" + strconv.Itoa(d)
	case d < 0:
		return "▼" + strconv.Itoa(-d)
	}
	return "–"
}

// MovedClass colours a rank change.
func MovedClass(m scoring.Move) string {
	switch d := m.Delta(); {
	case d > 0:
		return "num move-up"
	case d < 0:
		return "num move-down"
	}
	return "num muted"
}

// ReviewsView lists reviews and offers to start one.
type ReviewsView struct {
	List    scoring.ReviewList
	PerPage int // as asked (0: the default)
	Name    string
	Errors  map[string]string
}

// Page links to the reviews' page at cursor token after ("" the newest).
func (v ReviewsView) Page(after string) string {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if v.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(v.PerPage))
	}
	return withQuery("/shortlist/reviews", q)
}

// ReviewView is one review.
type ReviewView struct {
	Page       scoring.ReviewPage
	Decision   string // filter
	After      string // the page's cursor token ("" for the first)
	ErrAccount uuid.UUID
	Errors     map[string]string
	Values     map[string]string // the refused decision's decision and reason
	CloseError string
}

// PageLink links to the page of the review at cursor token after ("" for
// the first).
func (v ReviewView) PageLink(after string) string {
	q := url.Values{}
	if v.Decision != "" {
		q.Set("decision", v.Decision)
	}
	if after != "" {
		q.Set("after", after)
	}
	u := "/shortlist/reviews/" + v.Page.Review.ID.String()
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// FilterLink links to the review filtered by decision.
func (v ReviewView) FilterLink(d string) string {
	w := v
	w.Decision = d
	return w.PageLink("")
}

// EntryValue is what the decision form of e shows.
func (v ReviewView) EntryValue(e scoring.ReviewEntry, field string) string {
	if e.AccountID == v.ErrAccount {
		return v.Values[field]
	}
	if field == "decision" {
		return e.Decision
	}
	if field == "reason" {
		return e.Reason
	}
	return ""
}

// EntryErrors are the refused decision's errors for e.
func (v ReviewView) EntryErrors(e scoring.ReviewEntry) map[string]string {
	if e.AccountID == v.ErrAccount {
		return v.Errors
	}
	return nil
}

// CellsOf shows an entry's frozen cells in the review's criteria order,
// e.g. "9 · 4 · –".
func (v ReviewView) CellsOf(e scoring.ReviewEntry) string {
	out := ""
	for i, w := range v.Page.Review.Weights {
		if i > 0 {
			out += " · "
		}
		if c, ok := e.Cells[w.CriterionID]; ok {
			out += strconv.Itoa(c)
		} else {
			out += "–"
		}
	}
	return out
}

// CellsTitle names the cells' criteria in order.
func (v ReviewView) CellsTitle() string {
	out := ""
	for i, w := range v.Page.Review.Weights {
		if i > 0 {
			out += " · "
		}
		out += w.Name
	}
	return out
}

// PortfolioChart plots score against growth headroom.
type PortfolioChart struct {
	W, H                     float64
	Left, Right, Top, Bottom float64
	Points                   []ChartPoint
	XLine, YLine             float64 // quadrant lines
	XTicks, YTicks           []ChartTick
	ScoreLine, HeadroomLine  string // the thresholds, as shown
	HeadroomIsMedian         bool
	Currency                 string
	Capped                   bool // the filtered portfolio has more than the plotted scoring.ChartCap accounts
}

// Scope says which accounts the chart plots.
func (c PortfolioChart) Scope() string {
	if c.Capped {
		return "the " + itoa(len(c.Points)) + " best-ranked accounts of the filtered portfolio (the chart stops there)"
	}
	return "every account of the filtered portfolio (" + plural(len(c.Points), "account", "accounts") + "), all pages"
}

// LinesNote explains the quadrant lines.
func (c PortfolioChart) LinesNote() string {
	s := "Quadrant lines at score " + c.ScoreLine + " and headroom " + c.HeadroomLine + " " + c.Currency
	if c.HeadroomIsMedian {
		s += " (the median of these accounts)"
	}
	return s + "; an admin sets them in the scoring settings."
}

// NewPortfolioChart lays out the accounts of rows, with quadrant lines at
// the settings' thresholds (headroom: the median of the rows when unset).
func NewPortfolioChart(ctx context.Context, rows []scoring.ShortRow, capped bool, st scoring.Settings) PortfolioChart {
	c := PortfolioChart{W: 720, H: 380, Left: 64, Right: 20, Top: 16, Bottom: 40, Currency: st.Currency, Capped: capped}
	if len(rows) == 0 {
		return c
	}
	hs := make([]int64, len(rows))
	for i, r := range rows {
		hs[i] = r.Headroom
	}
	slices.Sort(hs)
	line := hs[len(hs)/2]
	if len(hs)%2 == 0 {
		line = (hs[len(hs)/2-1] + hs[len(hs)/2]) / 2
	}
	c.HeadroomIsMedian = true
	if st.QuadrantHeadroom != nil {
		line, c.HeadroomIsMedian = *st.QuadrantHeadroom, false
	}
	lo, hi := min(hs[0], line, 0), max(hs[len(hs)-1], line)
	if hi == lo {
		hi = lo + 100
	}
	pw, ph := c.W-c.Left-c.Right, c.H-c.Top-c.Bottom
	x := func(h int64) float64 { return c.Left + float64(h-lo)/float64(hi-lo)*pw }
	y := func(s10 int) float64 { return c.Top + ph - (float64(max(s10, 10))-10)/90*ph }
	for _, r := range rows {
		cls := "point"
		if r.KeyStatus == "key" {
			cls += " key"
		}
		if !r.Score.Complete {
			cls += " incomplete"
		}
		c.Points = append(c.Points, ChartPoint{X: x(r.Headroom), Y: y(r.Score.Score10), Class: cls,
			Label: "#" + strconv.Itoa(r.Rank) + " " + r.Name + ": score " + ScoreText(ctx, r.Score) + ", headroom " + Money(ctx, r.Headroom) + " " + st.Currency})
	}
	c.XLine, c.YLine = x(line), y(st.QuadrantScore10)
	c.ScoreLine, c.HeadroomLine = Score10(ctx, st.QuadrantScore10), Money(ctx, line)
	for _, v := range []int{10, 55, 100} {
		c.YTicks = append(c.YTicks, ChartTick{Pos: y(v), Label: Score10(ctx, v)})
	}
	c.XTicks = append(c.XTicks, ChartTick{Pos: x(lo), Label: Money(ctx, lo)})
	if lo < 0 && hi > 0 {
		c.XTicks = append(c.XTicks, ChartTick{Pos: x(0), Label: "0"})
	}
	c.XTicks = append(c.XTicks, ChartTick{Pos: x(hi), Label: Money(ctx, hi)})
	return c
}

// RevenueBasis says what the concentration's revenue is, beside the
// numbers: recorded revenue over which 12 months for how many accounts,
// annual revenue as entered for the rest (account/revenue.go).
func RevenueBasis(c scoring.Concentration) string {
	others := c.Accounts - c.FromFigures
	if c.FromFigures == 0 || c.Through.IsZero() {
		return "Revenue is annual revenue as entered: no account has KPI figures in the last 12 complete months."
	}
	from := c.Through.AddDate(0, -11, 0)
	s := "Revenue is recorded revenue from " + from.Format("Jan 2006") + " to " + c.Through.Format("Jan 2006") + " for " +
		plural(c.FromFigures, "account", "accounts")
	if others > 0 {
		s += "; annual revenue as entered for the " + plural(others, "account", "accounts") + " without figures in those months"
	}
	return s + "."
}
