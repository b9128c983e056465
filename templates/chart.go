package templates

import "math"
import "strconv"
import "strings"
import "unicode/utf8"

import "pareto/internal/kpi"

// Chart geometry: pure functions that scale values into an SVG viewBox.
// The templ components in chart.templ only draw what these compute, so the
// tests can check exact coordinates for known data.

// Pt is a point in viewBox units.
type Pt struct{ X, Y float64 }

// coord formats a coordinate with at most one decimal: "339.6", "340".
// It counts in tenths as an integer rather than formatting the rounded
// float (strconv.FormatFloat's shortest form gives the same digits, at
// several times the cost: 3 % of the server's CPU on the saturated
// shortlist, whose 2×2 writes about 150 coordinates).
func coord(v float64) string {
	var buf [24]byte
	return string(appendCoord(buf[:0], v))
}

// appendCoord appends coord(v) to dst (the 2×2's dots write theirs into
// a buffer they reuse: matrixDots).
func appendCoord(dst []byte, v float64) []byte {
	t := int64(math.Round(v * 10))
	if t < 0 {
		dst = append(dst, '-')
		t = -t
	}
	dst = strconv.AppendInt(dst, t/10, 10)
	if d := t % 10; d != 0 {
		dst = append(dst, '.', byte('0'+d))
	}
	return dst
}

// Points writes pts as an SVG points attribute: "x,y x,y".
func Points(pts []Pt) string {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(coord(p.X))
		b.WriteByte(',')
		b.WriteString(coord(p.Y))
	}
	return b.String()
}

// niceStep rounds a rough tick step to 1, 2 or 5 times a power of ten.
func niceStep(rough float64) float64 {
	if rough <= 0 {
		return 1
	}
	exp := math.Floor(math.Log10(rough))
	f := rough / math.Pow(10, exp)
	var nice float64
	switch {
	case f < 1.5:
		nice = 1
	case f < 3:
		nice = 2
	case f < 7:
		nice = 5
	default:
		nice = 10
	}
	return nice * math.Pow(10, exp)
}

// NiceTicks spans lo..hi with about n evenly spaced round values; the
// first is ≤ lo and the last ≥ hi.
func NiceTicks(lo, hi float64, n int) []float64 {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else {
			lo, hi = lo-math.Abs(lo)*0.1, hi+math.Abs(hi)*0.1
		}
	}
	step := niceStep((hi - lo) / float64(max(n-1, 1)))
	start := math.Floor(lo/step) * step
	end := math.Ceil(hi/step) * step
	// Round to the step's decimals: no drift like 0.30000000000000004.
	scale := math.Pow(10, math.Max(0, 1-math.Floor(math.Log10(step))))
	var out []float64
	for i := 0; start+float64(i)*step <= end+step/2; i++ {
		out = append(out, math.Round((start+float64(i)*step)*scale)/scale)
	}
	return out
}

// Linear maps the domain [D0, D1] onto the range [R0, R1].
type Linear struct{ D0, D1, R0, R1 float64 }

// At maps v.
func (s Linear) At(v float64) float64 {
	if s.D1 == s.D0 {
		return (s.R0 + s.R1) / 2
	}
	return s.R0 + (v-s.D0)/(s.D1-s.D0)*(s.R1-s.R0)
}

// Tick is an axis label at a position.
type Tick struct {
	Pos   float64
	Label string
}

// ChartDot is one drawn value, with the text its tooltip and table show.
type ChartDot struct {
	Pt
	Label string
}

// LineChartView is a drawn line chart.
type LineChartView struct {
	ID          string // prefix for element ids (title, description)
	Title       string
	Desc        string
	Width       float64
	Height      float64
	Left, Right float64 // the plot area
	Top, Bottom float64
	Segments    []string // one polyline per run of months with values
	Dots        []ChartDot
	YTicks      []Tick
	XTicks      []Tick
	Empty       bool
}

// ViewBox is the SVG viewBox attribute.
func (c LineChartView) ViewBox() string { return "0 0 " + coord(c.Width) + " " + coord(c.Height) }

// LineOpts tune a line chart.
type LineOpts struct {
	Width, Height float64 // viewBox; 640×240 when zero
	ZeroBased     bool    // the y axis starts at zero (amounts)
	Fixed         bool    // use exactly [Lo, Hi] as the y domain (scores with a known range)
	Lo, Hi        float64
	Format        func(float64) string // tick and dot labels
}

// Line chart margins inside the viewBox, for axis labels.
const (
	lineLeft   = 64.0
	lineRight  = 16.0
	lineTop    = 12.0
	lineBottom = 32.0
)

// NewLineChart scales vals (one per label, undefined where missing) into
// a line chart. Missing values break the line; a lone value between gaps
// is still drawn as a dot.
func NewLineChart(id, title, desc string, labels []string, vals []kpi.Value, o LineOpts) LineChartView {
	if o.Width == 0 {
		o.Width, o.Height = 640, 240
	}
	if o.Format == nil {
		o.Format = func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	}
	c := LineChartView{ID: id, Title: title, Desc: desc, Width: o.Width, Height: o.Height,
		Left: lineLeft, Right: o.Width - lineRight, Top: lineTop, Bottom: o.Height - lineBottom}
	lo, hi, have := extent(vals)
	if !have {
		c.Empty = true
		lo, hi = 0, 1
	}
	if o.ZeroBased {
		lo = math.Min(lo, 0)
	}
	var ticks []float64
	if o.Fixed {
		lo, hi = o.Lo, o.Hi
		ticks = NiceTicks(lo, hi, 5)
		ticks = slicesFilter(ticks, func(t float64) bool { return t >= lo && t <= hi })
	} else {
		ticks = NiceTicks(lo, hi, 5)
		lo, hi = ticks[0], ticks[len(ticks)-1]
	}
	ys := Linear{D0: lo, D1: hi, R0: c.Bottom, R1: c.Top}
	n := len(vals)
	xs := Linear{D0: 0, D1: float64(n - 1), R0: c.Left, R1: c.Right}
	for _, t := range ticks {
		c.YTicks = append(c.YTicks, Tick{Pos: ys.At(t), Label: o.Format(t)})
	}
	c.XTicks = monthTicks(labels, xs)
	var pts []Pt
	var at []int
	c.Segments, pts, at = plot(vals, xs, ys)
	for k, p := range pts {
		i := at[k]
		label := o.Format(vals[i].V)
		if i < len(labels) {
			label = labels[i] + ": " + label
		}
		c.Dots = append(c.Dots, ChartDot{Pt: p, Label: label})
	}
	return c
}

// tickCharWidth is a generous width of one character of an x tick label
// (11px sans-serif) in viewBox units, and tickGap the room kept between two
// labels: labels are centred on their month, so two labels closer than
// their width plus the gap would overlap.
const (
	tickCharWidth = 7.0
	tickGap       = 10.0
)

// monthTicks labels every k-th month, k the smallest step at which the
// widest label fits between neighbours (and at most about six labels); the
// last month is labelled too when it keeps that distance from the label
// before it.
func monthTicks(labels []string, xs Linear) []Tick {
	n := len(labels)
	if n == 0 {
		return nil
	}
	widest := 0
	for _, l := range labels {
		widest = max(widest, utf8.RuneCountInString(l))
	}
	need := float64(widest)*tickCharWidth + tickGap
	step := math.Abs(xs.At(1) - xs.At(0))
	every := max(1, (n+5)/6)
	if step > 0 {
		every = max(every, int(math.Ceil(need/step)))
	}
	var ticks []Tick
	for i := 0; i < n; i += every {
		ticks = append(ticks, Tick{Pos: xs.At(float64(i)), Label: labels[i]})
	}
	if last := ticks[len(ticks)-1]; n > 1 && last.Label != labels[n-1] && math.Abs(xs.At(float64(n-1))-last.Pos) >= need {
		ticks = append(ticks, Tick{Pos: xs.At(float64(n - 1)), Label: labels[n-1]})
	}
	return ticks
}

// extent is the smallest and the largest defined value; ok is false when
// no value is defined.
func extent(vals []kpi.Value) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if v.OK {
			lo, hi, ok = math.Min(lo, v.V), math.Max(hi, v.V), true
		}
	}
	return lo, hi, ok
}

// plot places the i-th defined value at (xs(i), ys(value)) and joins each
// run of consecutive defined values into a polyline (a lone value makes
// no line). It returns the polylines, the points and each point's index.
func plot(vals []kpi.Value, xs, ys Linear) (segments []string, pts []Pt, at []int) {
	var run []Pt
	for i, v := range vals {
		if !v.OK {
			if len(run) > 1 {
				segments = append(segments, Points(run))
			}
			run = nil
			continue
		}
		p := Pt{xs.At(float64(i)), ys.At(v.V)}
		run = append(run, p)
		pts, at = append(pts, p), append(at, i)
	}
	if len(run) > 1 {
		segments = append(segments, Points(run))
	}
	return segments, pts, at
}

func slicesFilter(in []float64, keep func(float64) bool) []float64 {
	var out []float64
	for _, v := range in {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// SparklineView is a small trend line without axes.
type SparklineView struct {
	Title    string
	Width    float64
	Height   float64
	Segments []string
	Last     *Pt // the latest value, marked with a dot
	Empty    bool
}

// ViewBox is the SVG viewBox attribute.
func (s SparklineView) ViewBox() string { return "0 0 " + coord(s.Width) + " " + coord(s.Height) }

// Sparkline geometry: a 120×32 viewBox with 3 units of padding.
const (
	sparkW   = 120.0
	sparkH   = 32.0
	sparkPad = 3.0
)

// NewSparkline scales vals between their own minimum and maximum (a flat
// series sits in the middle).
func NewSparkline(title string, vals []kpi.Value) SparklineView {
	s := SparklineView{Title: title, Width: sparkW, Height: sparkH}
	lo, hi, have := extent(vals)
	if !have {
		s.Empty = true
		return s
	}
	xs := Linear{D0: 0, D1: float64(max(len(vals)-1, 1)), R0: sparkPad, R1: sparkW - sparkPad}
	ys := Linear{D0: lo, D1: hi, R0: sparkH - sparkPad, R1: sparkPad}
	var pts []Pt
	s.Segments, pts, _ = plot(vals, xs, ys)
	s.Last = &pts[len(pts)-1]
	return s
}

// BarView is one drawn bar.
type BarView struct {
	Label      string
	ValueLabel string
	Href       string
	Y          float64 // the bar's top
	W          float64 // the bar's length
}

// BarChartView is a horizontal bar chart, for comparisons.
type BarChartView struct {
	ID          string
	Title       string
	Desc        string
	Width       float64
	Height      float64
	LabelWidth  float64 // the bars start here
	BarHeight   float64
	Bars        []BarView
	ValueOffset float64 // value labels sit this far right of a bar's end
}

// ViewBox is the SVG viewBox attribute.
func (c BarChartView) ViewBox() string { return "0 0 " + coord(c.Width) + " " + coord(c.Height) }

// BarItem is one value to compare.
type BarItem struct {
	Label string
	Href  string
	V     float64
}

// Bar chart geometry.
const (
	barWidth      = 640.0
	barLabelWidth = 168.0
	barValueRoom  = 96.0 // right of the longest bar, for its value
	barRow        = 28.0
	barThickness  = 18.0
)

// NewBarChart draws items as horizontal bars scaled to the largest value
// (negative values are drawn as empty bars).
func NewBarChart(id, title, desc string, items []BarItem, format func(float64) string) BarChartView {
	c := BarChartView{ID: id, Title: title, Desc: desc, Width: barWidth, Height: barRow*float64(len(items)) + 4,
		LabelWidth: barLabelWidth, BarHeight: barThickness, ValueOffset: 6}
	top := 0.0
	for _, it := range items {
		top = math.Max(top, it.V)
	}
	xs := Linear{D0: 0, D1: top, R0: 0, R1: barWidth - barLabelWidth - barValueRoom}
	for i, it := range items {
		w := 0.0
		if it.V > 0 && top > 0 {
			w = xs.At(it.V)
		}
		c.Bars = append(c.Bars, BarView{Label: it.Label, ValueLabel: format(it.V), Href: it.Href,
			Y: 2 + barRow*float64(i) + (barRow-barThickness)/2, W: w})
	}
	return c
}
