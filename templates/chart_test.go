package templates

import "context"
import "reflect"
import "strings"
import "testing"
import "time"

import "pareto/internal/kpi"
import "pareto/internal/numfmt"

func vals(vs ...float64) []kpi.Value {
	out := make([]kpi.Value, len(vs))
	for i, v := range vs {
		if v >= 0 {
			out[i] = kpi.Some(v)
		}
	}
	return out
}

func TestNiceTicks(t *testing.T) {
	for _, tt := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 100, []float64{0, 20, 40, 60, 80, 100}},
		{0, 93, []float64{0, 20, 40, 60, 80, 100}},
		{15200, 19100, []float64{15000, 16000, 17000, 18000, 19000, 20000}},
		{0.1, 0.3, []float64{0.1, 0.15, 0.2, 0.25, 0.3}},
		{-100, 100, []float64{-100, -50, 0, 50, 100}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{50, 50, []float64{44, 46, 48, 50, 52, 54, 56}},
	} {
		if got := NiceTicks(tt.lo, tt.hi, 5); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NiceTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
		}
	}
}

func TestLineChartPoints(t *testing.T) {
	// 640×240: the plot spans x 64..624 and y 208 (bottom) .. 12 (top).
	c := NewLineChart("c", "T", "D", []string{"a", "b", "c"}, vals(0, 50, 100), LineOpts{ZeroBased: true})
	if len(c.Segments) != 1 || c.Segments[0] != "64,208 344,110 624,12" {
		t.Errorf("segments %q", c.Segments)
	}
	if len(c.YTicks) != 6 || c.YTicks[0].Pos != 208 || c.YTicks[5].Pos != 12 || c.YTicks[5].Label != "100" {
		t.Errorf("y ticks %+v", c.YTicks)
	}
	if len(c.Dots) != 3 || c.Dots[1].Label != "b: 50" {
		t.Errorf("dots %+v", c.Dots)
	}
	// A missing month breaks the line; a lone value stays a dot.
	c = NewLineChart("c", "T", "D", []string{"1", "2", "3", "4", "5"}, vals(10, 20, -1, 40, -1), LineOpts{ZeroBased: true})
	if !reflect.DeepEqual(c.Segments, []string{"64,159 204,110"}) || len(c.Dots) != 3 || c.Dots[2].Pt != (Pt{484, 12}) {
		t.Errorf("gaps: segments %q dots %+v", c.Segments, c.Dots)
	}
	// A fixed domain (NPS) keeps its range whatever the data.
	c = NewLineChart("c", "T", "D", []string{"a", "b"}, vals(0, 50), LineOpts{Fixed: true, Lo: -100, Hi: 100, Width: 480, Height: 220})
	if c.Segments[0] != "64,100 464,56" || len(c.YTicks) != 5 {
		t.Errorf("fixed: %q ticks %+v", c.Segments, c.YTicks)
	}
	if c = NewLineChart("c", "T", "D", []string{"a"}, vals(-1), LineOpts{}); !c.Empty || len(c.Segments) != 0 {
		t.Errorf("no data: %+v", c)
	}
}

func TestSparklinePoints(t *testing.T) {
	// 120×32 with 3 units of padding: x 3..117, y 29 (min) .. 3 (max).
	s := NewSparkline("s", vals(1, 3, 2))
	if !reflect.DeepEqual(s.Segments, []string{"3,29 60,3 117,16"}) || *s.Last != (Pt{117, 16}) {
		t.Errorf("sparkline %q last %+v", s.Segments, s.Last)
	}
	if s := NewSparkline("flat", vals(5, 5)); s.Segments[0] != "3,16 117,16" {
		t.Errorf("flat %q", s.Segments)
	}
	if s := NewSparkline("none", vals(-1, -1)); !s.Empty {
		t.Error("empty sparkline")
	}
}

func TestBarChart(t *testing.T) {
	c := NewBarChart("b", "T", "D", []BarItem{{"A", "/a", 200}, {"B", "/b", 50}, {"C", "/c", -5}}, func(v float64) string { return "v" })
	// Bars start at 168 and the longest is 640 − 168 − 96 = 376 long.
	if c.Bars[0].W != 376 || c.Bars[1].W != 94 || c.Bars[2].W != 0 || c.Bars[1].Y != 35 || c.Height != 88 {
		t.Errorf("bars %+v height %v", c.Bars, c.Height)
	}
}

func TestChartsRender(t *testing.T) {
	var b strings.Builder
	c := NewLineChart("rev", "Revenue by month", "Monthly revenue", []string{"a", "b", "c"}, vals(0, 50, 100), LineOpts{ZeroBased: true})
	if err := LineChart(c).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="rev-title rev-desc"`, `<title id="rev-title">Revenue by month</title>`,
		`<polyline class="line" points="64,208 344,110 624,12">`, `<circle class="point" cx="344" cy="110" r="3.5"><title>b: 50</title>`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("line chart lacks %s\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := BarChart(NewBarChart("k", "By KAM", "D", []BarItem{{"Ann", "/dashboards/kams/1", 10}}, func(float64) string { return "€10" })).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="/dashboards/kams/1">`, `width="376"`, `<title>Ann: €10</title>`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("bar chart lacks %s\n%s", want, b.String())
		}
	}
}

func TestFormats(t *testing.T) {
	en, de := t.Context(), numfmt.WithLocale(t.Context(), numfmt.DE)
	for _, tt := range []struct{ got, want string }{
		{FormatMoney(en, 1234567.6, "EUR"), "€1,234,568"},
		{FormatMoney(en, -1500, "USD"), "−$1,500"},
		{FormatMoney(en, 12, "CHF"), "12 CHF"},
		{FormatMoneyShort(en, 1234567, "EUR"), "€1.23M"},
		{FormatMoneyShort(en, 45600, "GBP"), "£45.6k"},
		{FormatMoneyShort(en, 950, "EUR"), "€950"},
		{FormatGrowth(en, kpi.Some(0.1234)), "+12.3%"},
		{FormatGrowth(en, kpi.Some(-0.04)), "−4.0%"},
		{FormatGrowth(en, kpi.Some(-0.00001)), "0.0%"},
		{FormatGrowth(en, kpi.Value{}), "—"},
		{FormatPct(en, kpi.Some(0.5)), "50.0%"},
		{FormatNPS(kpi.Some(32)), "+32"},
		{FormatNPS(kpi.Some(-5)), "−5"},
		{FormatNPS(kpi.Some(0)), "0"},
		{FormatCSAT(en, kpi.Some(4.256), kpi.ScaleFive), "4.26 / 5"},
		{FormatCSAT(en, kpi.Some(87.5), kpi.ScalePercent), "87.5%"},
		// The same figures in German: "." groups, "," is the decimal point.
		{FormatMoney(de, 1234567.6, "EUR"), "€1.234.568"},
		{FormatMoney(de, -1500, "USD"), "−$1.500"},
		{FormatMoneyShort(de, 1234567, "EUR"), "€1,23M"},
		{FormatGrowth(de, kpi.Some(0.1234)), "+12,3%"},
		{FormatGrowth(de, kpi.Some(-0.00001)), "0,0%"},
		{FormatCSAT(de, kpi.Some(4.256), kpi.ScaleFive), "4,26 / 5"},
		{FormatNumber(de, 1250000.5), "1.250.000,5"},
		{Money(de, 123456789), "1.234.568"},
		{Percent(de, 1250), "12,5 %"},
		{FormatDate(de, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)), "31.12.2026"},
		{FormatDate(en, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)), "2026-12-31"},
		{FormatTime(de, time.Date(2026, 12, 31, 9, 5, 0, 0, time.UTC)), "31.12.2026 09:05 UTC"},
		{formNumber(de, 4.5), "4,5"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Defect (issue 17): month labels overlapped (twelve months put "Nov 2026"
// and "Dec 2026" 51 units apart, narrower than the labels). Every pair of
// neighbouring labels must now be at least the widest label plus the gap
// apart: "Jan 2026" is 8 characters, 8×7+10 = 66 units.
func TestLineChartMonthLabelsDoNotOverlap(t *testing.T) {
	for _, n := range []int{2, 6, 7, 12, 13, 24, 36} {
		labels := make([]string, n)
		vs := make([]float64, n)
		for i := range labels {
			labels[i] = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[i%12] + " 2026"
			vs[i] = float64(i)
		}
		for _, width := range []float64{0, 320} {
			c := NewLineChart("c", "T", "D", labels, vals(vs...), LineOpts{Width: width, Height: 200})
			if len(c.XTicks) < 2 {
				t.Errorf("%d months, width %v: %d labels, want at least the first and another", n, width, len(c.XTicks))
				continue
			}
			for i := 1; i < len(c.XTicks); i++ {
				if d := c.XTicks[i].Pos - c.XTicks[i-1].Pos; d < 66 {
					t.Errorf("%d months, width %v: labels %q and %q only %.0f apart", n, width, c.XTicks[i-1].Label, c.XTicks[i].Label, d)
				}
			}
		}
	}
}
