package templates

import "context"
import "reflect"
import "testing"
import "time"

import "pareto/internal/health"
import "pareto/internal/numfmt"
import "pareto/internal/scoring"

func tickLabels[T Tick | ChartTick](ts []T) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		switch t := any(t).(type) {
		case Tick:
			out[i] = t.Label
		case ChartTick:
			out[i] = t.Label
		}
	}
	return out
}

// Chart ticks and labels follow the tenant's locale: a score of 10 is
// written 5.5 in English and 5,5 in German, on the 2×2's axis and
// threshold line and on an account's score history.
func TestChartTicksInLocale(t *testing.T) {
	st := health.Settings{MatrixScore10: 55, MatrixHealth: 60}
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	series := []scoring.SeriesPoint{{At: at, Score: scoring.Score{Score10: 73, Scored: 3, Total: 3, Complete: true}},
		{At: at.AddDate(0, 1, 0), Score: scoring.Score{Score10: 81, Scored: 3, Total: 3, Complete: true}}}
	for _, tc := range []struct {
		loc            numfmt.Locale
		matrix, series []string
		line           string
	}{
		{numfmt.EN, []string{"1.0", "4.0", "7.0", "10.0"}, []string{"1.0", "5.5", "10.0"}, "5.5"},
		{numfmt.DE, []string{"1,0", "4,0", "7,0", "10,0"}, []string{"1,0", "5,5", "10,0"}, "5,5"},
	} {
		ctx := numfmt.WithLocale(context.Background(), tc.loc)
		m := NewMatrixChart(ctx, nil, st)
		if got := tickLabels(m.XTicks); !reflect.DeepEqual(got, tc.matrix) || m.ScoreLine != tc.line {
			t.Errorf("%s: 2×2 score ticks %q, line %q; want %q, %q", tc.loc.Name, got, m.ScoreLine, tc.matrix, tc.line)
		}
		s := NewSeriesChart(ctx, series)
		if got := tickLabels(s.YTicks); !reflect.DeepEqual(got, tc.series) {
			t.Errorf("%s: score history ticks %q, want %q", tc.loc.Name, got, tc.series)
		}
	}
	if got := Score10(numfmt.WithLocale(context.Background(), numfmt.DE), 0); got != "–" {
		t.Errorf("no score: %q", got)
	}
}
