package plan_test

import "math"
import "strconv"
import "testing"
import "time"

import "pareto/internal/metricsdoc"
import "pareto/internal/plan"

// The worked examples of docs/metrics.md are fixtures: the page people
// read and the code agree.

func docFixture(t *testing.T, name string) [][]string {
	t.Helper()
	rows, err := metricsdoc.Table(name)
	if err != nil || len(rows) == 0 {
		t.Fatalf("fixture %s: %v (%d rows)", name, err, len(rows))
	}
	return rows
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("fixture number %q: %v", s, err)
	}
	return v
}

func TestDocsGoalProgress(t *testing.T) {
	for _, r := range docFixture(t, "goal-progress") {
		cur := number(t, r[2])
		got, known := plan.Progress(number(t, r[0]), number(t, r[1]), &cur)
		if want := number(t, r[3]); !known || math.Abs(got-want) > 0.05 {
			t.Errorf("%v: progress %.2f, docs say %v", r, got, want)
		}
	}
}

func TestDocsGoalStatus(t *testing.T) {
	start, due := date(2027, 1, 1), date(2027, 12, 31)
	for _, r := range docFixture(t, "goal-status") {
		today, err := time.Parse(time.DateOnly, r[2])
		if err != nil {
			t.Fatal(err)
		}
		progress, known := 0.0, r[1] != "–"
		if known {
			progress = number(t, r[1])
		}
		tol, _ := strconv.Atoi(r[3])
		if got, want := plan.ExpectedProgress(start, due, today), number(t, r[4]); math.Abs(got-want) > 0.05 {
			t.Errorf("%s: expected %.2f, docs say %v", r[0], got, want)
		}
		if got := plan.DeriveStatus(progress, known, start, due, today, tol); got.Label() != r[5] {
			t.Errorf("%s: %s, docs say %s", r[0], got.Label(), r[5])
		}
	}
}
