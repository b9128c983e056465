package templates

import "context"
import "strings"
import "testing"
import "time"

import "pareto/internal/kpi"
import "pareto/internal/numfmt"

// The dashboard's "how was this computed" sentences write their counts
// through the tenant's locale like every other number: 1,234 of 2,000
// customers in English, 1.234 of 2.000 in German (issue 17: one
// formatter for every page). They printed 1234 and 2000 in both.
func TestMetricSentencesCountInLocale(t *testing.T) {
	pf := kpi.Portfolio{}
	pf.Period = kpi.Period{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	pf.Summary.Retention = kpi.Retention{Cohort: 1500, Retained: 1250}
	pf.Summary.NonKeyRetention = kpi.Retention{Cohort: 2000, Retained: 1234}
	for _, c := range []struct {
		loc  numfmt.Locale
		want []string
	}{
		{numfmt.EN, []string{"1,250 are still customers", "1,250 ÷ 1,500", "1,234 of 2,000 customers kept"}},
		{numfmt.DE, []string{"1.250 are still customers", "1.250 ÷ 1.500", "1.234 of 2.000 customers kept"}},
	} {
		ctx := numfmt.WithLocale(context.Background(), c.loc)
		got := howRetention(ctx, pf) + " " + howNonKey(ctx, pf)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q missing from %q", c.loc.Name, w, got)
			}
		}
	}
}
