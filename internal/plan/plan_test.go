package plan_test

import "math"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/kpi"
import "pareto/internal/plan"

func ptr(f float64) *float64 { return &f }

func TestProgress(t *testing.T) {
	tests := []struct {
		name                     string
		baseline, target, latest float64
		noLatest                 bool
		want                     float64
		wantKnown                bool
	}{
		{name: "IncreaseHalfway", baseline: 100, target: 200, latest: 150, want: 50, wantKnown: true},
		{name: "IncreaseAtBaseline", baseline: 100, target: 200, latest: 100, want: 0, wantKnown: true},
		{name: "IncreaseReached", baseline: 100, target: 200, latest: 200, want: 100, wantKnown: true},
		{name: "IncreaseBeyondClamped", baseline: 100, target: 200, latest: 260, want: 100, wantKnown: true},
		{name: "IncreaseBelowBaselineClamped", baseline: 100, target: 200, latest: 80, want: 0, wantKnown: true},
		{name: "DecreaseQuarter", baseline: 40, target: 20, latest: 35, want: 25, wantKnown: true},
		{name: "DecreaseReached", baseline: 40, target: 20, latest: 10, want: 100, wantKnown: true},
		{name: "DecreaseWrongWayClamped", baseline: 40, target: 20, latest: 50, want: 0, wantKnown: true},
		{name: "NegativeNPS", baseline: -20, target: 30, latest: 5, want: 50, wantKnown: true},
		{name: "NoLatestValue", baseline: 1, target: 2, noLatest: true, want: 0, wantKnown: false},
		{name: "EqualTargetAndBaseline", baseline: 5, target: 5, latest: 5, want: 0, wantKnown: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var latest *float64
			if !tt.noLatest {
				latest = ptr(tt.latest)
			}
			got, known := plan.Progress(tt.baseline, tt.target, latest)
			if math.Abs(got-tt.want) > 1e-9 || known != tt.wantKnown {
				t.Fatalf("Progress(%v, %v, %v) = %v, %v; want %v, %v", tt.baseline, tt.target, tt.latest, got, known, tt.want, tt.wantKnown)
			}
		})
	}
}

func TestGoalCurrentPrefersKPIFigure(t *testing.T) {
	g := plan.Goal{GoalInput: plan.GoalInput{Baseline: 0, Target: 100, ManualProgress: ptr(10)}}
	if p, _ := g.Progress(); p != 10 {
		t.Fatalf("manual progress: got %v, want 10", p)
	}
	g.Figure = &plan.Figure{Value: 80, Month: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}
	if p, _ := g.Progress(); p != 80 || !g.FromKPI() {
		t.Fatalf("with a KPI figure: got %v, want 80", p)
	}
	g = plan.Goal{GoalInput: plan.GoalInput{Baseline: 0, Target: 100}}
	if _, known := g.Progress(); known {
		t.Fatal("no value at all: progress should be unknown")
	}
}

func TestDirectionOf(t *testing.T) {
	if d, ok := plan.DirectionOf(1, 2); !ok || d != plan.Increase {
		t.Error("target above baseline should increase")
	}
	if d, ok := plan.DirectionOf(2, 1); !ok || d != plan.Decrease {
		t.Error("target below baseline should decrease")
	}
	if _, ok := plan.DirectionOf(2, 2); ok {
		t.Error("equal target and baseline should be invalid")
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestPeriods(t *testing.T) {
	t.Run("Parse", func(t *testing.T) {
		for in, want := range map[string]int{"FY2027": 2027, " fy2030 ": 2030} {
			p, err := plan.ParsePeriod(in)
			if err != nil || p.Year != want {
				t.Errorf("ParsePeriod(%q) = %v, %v", in, p, err)
			}
		}
		for _, in := range []string{"", "2027", "FY27", "FY1999", "FY2101", "FYabcd", "FY20277"} {
			if _, err := plan.ParsePeriod(in); err == nil {
				t.Errorf("ParsePeriod(%q) should fail", in)
			}
		}
	})
	t.Run("RangeJanuaryStart", func(t *testing.T) {
		first, last := plan.Period{Year: 2027}.Range(1)
		if !first.Equal(date(2027, 1, 1)) || !last.Equal(date(2027, 12, 31)) {
			t.Fatalf("got %v – %v", first, last)
		}
	})
	t.Run("RangeAprilStart", func(t *testing.T) {
		first, last := plan.Period{Year: 2027}.Range(4)
		if !first.Equal(date(2026, 4, 1)) || !last.Equal(date(2027, 3, 31)) {
			t.Fatalf("got %v – %v", first, last)
		}
	})
	t.Run("PeriodOf", func(t *testing.T) {
		cases := []struct {
			day   time.Time
			start int
			want  string
		}{
			{date(2026, 11, 22), 1, "FY2026"},
			{date(2026, 11, 22), 4, "FY2027"},
			{date(2026, 3, 31), 4, "FY2026"},
			{date(2026, 4, 1), 4, "FY2027"},
			{date(2026, 9, 30), 10, "FY2026"},
			{date(2026, 10, 1), 10, "FY2027"},
		}
		for _, c := range cases {
			if got := plan.PeriodOf(c.day, c.start).String(); got != c.want {
				t.Errorf("PeriodOf(%s, %d) = %s, want %s", c.day.Format(time.DateOnly), c.start, got, c.want)
			}
			p, _ := plan.ParsePeriod(c.want)
			if !p.Contains(c.day, c.start) {
				t.Errorf("%s should contain %s (start %d)", c.want, c.day.Format(time.DateOnly), c.start)
			}
		}
	})
}

func validGoal() plan.GoalInput {
	return plan.GoalInput{Title: "Grow revenue", KPI: plan.KPIRevenue, Baseline: 1_000_000, Target: 1_200_000,
		DueDate: date(2027, 12, 31)}
}

func TestGoalInputValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*plan.GoalInput)
		field  string // "" = valid
	}{
		{"OK", func(*plan.GoalInput) {}, ""},
		{"OKDecreasing", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPINPS, 10, -5 }, ""},
		{"ErrTitleRequired", func(g *plan.GoalInput) { g.Title = "" }, "title"},
		{"ErrUnknownKPI", func(g *plan.GoalInput) { g.KPI = "happiness" }, "kpi"},
		{"ErrCustomNeedsName", func(g *plan.GoalInput) { g.KPI = plan.KPICustom }, "custom_measure"},
		{"ErrTargetEqualsBaseline", func(g *plan.GoalInput) { g.Target = g.Baseline }, "target"},
		{"ErrNegativeRevenue", func(g *plan.GoalInput) { g.Baseline = -1 }, "baseline"},
		{"ErrNPSOutOfRange", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPINPS, 10, 150 }, "target"},
		{"ErrAdoptionOver100", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPIAdoption, 50, 120 }, "target"},
		{"ErrCrossSellFraction", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPICrossSellCount, 1, 2.5 }, "target"},
		{"ErrCurrentOutOfRange", func(g *plan.GoalInput) {
			g.KPI, g.Baseline, g.Target, g.ManualProgress = plan.KPICSAT, 3, 4, ptr(5.5)
		}, "manual_progress"},
		{"OKCSATOnFive", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPICSAT, 3.8, 4.5 }, ""},
		{"ErrCSATBelowOneOnFive", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPICSAT, 0.5, 4 }, "baseline"},
		{"ErrCSATPercentOnFive", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPICSAT, 60, 80 }, "baseline"},
		{"OKCSATOnPercent", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target, g.Title = plan.KPICSAT, 60, 80, "percent" }, ""},
		{"ErrCSATOver100OnPercent", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target, g.Title = plan.KPICSAT, 60, 101, "percent" }, "target"},
		{"OKNPSNegative", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPINPS, -100, 0 }, ""},
		{"ErrNPSBelowMinus100", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPINPS, -101, 0 }, "baseline"},
		{"ErrAdoptionNegative", func(g *plan.GoalInput) { g.KPI, g.Baseline, g.Target = plan.KPIAdoption, -1, 50 }, "baseline"},
		{"ErrDueDateRequired", func(g *plan.GoalInput) { g.DueDate = time.Time{} }, "due_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validGoal()
			tt.modify(&in)
			scale := kpi.ScaleFive // the default
			if in.Title == "percent" {
				scale = kpi.ScalePercent
			}
			fe := in.Validate(scale)
			if tt.field == "" {
				if len(fe) > 0 {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if _, ok := fe[tt.field]; !ok {
				t.Fatalf("want an error on %s, got %v", tt.field, fe)
			}
		})
	}
}

func TestCellInputValidate(t *testing.T) {
	t.Run("OpportunityNeedsValue", func(t *testing.T) {
		in := plan.CellInput{State: plan.CellOpportunity}
		if fe := in.Validate(); fe["estimated_value"] == "" {
			t.Fatalf("got %v", fe)
		}
	})
	t.Run("ErrNegativeValue", func(t *testing.T) {
		in := plan.CellInput{State: plan.CellOpportunity, EstimatedValue: ptr(-1)}
		if fe := in.Validate(); fe["estimated_value"] == "" {
			t.Fatalf("got %v", fe)
		}
	})
	t.Run("OwnedDropsValue", func(t *testing.T) {
		close := date(2027, 1, 1)
		in := plan.CellInput{State: plan.CellOwned, EstimatedValue: ptr(5), ExpectedClose: &close}
		if fe := in.Validate(); len(fe) > 0 || in.EstimatedValue != nil || in.ExpectedClose != nil {
			t.Fatalf("got %v, %+v", fe, in)
		}
	})
	t.Run("ErrUnknownState", func(t *testing.T) {
		in := plan.CellInput{State: "maybe"}
		if fe := in.Validate(); fe["state"] == "" {
			t.Fatalf("got %v", fe)
		}
	})
}

func TestTotals(t *testing.T) {
	p1, p2 := plan.Product{ID: uuid.New(), Name: "A"}, plan.Product{ID: uuid.New(), Name: "B"}
	opp := func(v float64) plan.Cell { return plan.Cell{State: plan.CellOpportunity, EstimatedValue: ptr(v)} }
	rows := []plan.GridRow{
		{AccountName: "X", Cells: []plan.Cell{opp(100), {State: plan.CellOwned}}},
		{AccountName: "Y", Cells: []plan.Cell{opp(50.5), opp(10)}},
		{AccountName: "Z", Cells: []plan.Cell{{State: plan.CellNotFit}, {}}},
	}
	totals, value, open := plan.Totals([]plan.Product{p1, p2}, rows)
	if value != 160.5 || open != 3 {
		t.Fatalf("portfolio: %v in %d opportunities, want 160.5 in 3", value, open)
	}
	a, b := totals[0], totals[1]
	if a.OpenValue != 150.5 || a.Opportunities != 2 || a.NotFit != 1 || a.Owned != 0 {
		t.Errorf("product A: %+v", a)
	}
	if b.OpenValue != 10 || b.Opportunities != 1 || b.Owned != 1 || b.Unassessed != 1 {
		t.Errorf("product B: %+v", b)
	}
}

func FuzzProgress(f *testing.F) {
	f.Add(100.0, 200.0, 150.0)
	f.Add(40.0, 20.0, 35.0)
	f.Add(0.0, 0.0, 0.0)
	f.Add(math.MaxFloat64, -math.MaxFloat64, 1.0)
	f.Fuzz(func(t *testing.T, baseline, target, latest float64) {
		p, known := plan.Progress(baseline, target, &latest)
		if math.IsNaN(p) || p < 0 || p > 100 {
			t.Fatalf("Progress(%v, %v, %v) = %v, outside 0..100", baseline, target, latest, p)
		}
		if !known && p != 0 {
			t.Fatalf("unknown progress should be 0, got %v", p)
		}
	})
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"FY2027", "fy2000", "FY2101", "", "FY-001", "FY２０２７"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := plan.ParsePeriod(s)
		if err != nil {
			return
		}
		again, err := plan.ParsePeriod(p.String())
		if err != nil || again != p {
			t.Fatalf("%q → %v does not round-trip: %v %v", s, p, again, err)
		}
		first, last := p.Range(int(p.Year%12) + 1)
		if !last.After(first) || last.Sub(first) > 366*24*time.Hour {
			t.Fatalf("%v: bad range %v – %v", p, first, last)
		}
	})
}
