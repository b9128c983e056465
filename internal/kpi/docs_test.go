package kpi

import "math"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/metricsdoc"

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

func docNumber(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Fatalf("fixture number %q: %v", s, err)
	}
	return v
}

func TestDocsRetention(t *testing.T) {
	var in []AccountSeries
	var changes []KeyChange
	want := map[string][2]string{}
	for _, r := range docFixture(t, "retention") {
		a := AccountSeries{Account: AccountInfo{ID: uuid.New(), Name: r[0], KeyStatus: r[1]}}
		var revenue []float64
		for _, v := range strings.Fields(r[3]) {
			if v == "–" {
				revenue = append(revenue, gap)
			} else {
				revenue = append(revenue, docNumber(t, v))
			}
		}
		a.Figures = series("2025-11", revenue...)
		if r[2] != "–" { // "key → declined 2026-04-08"
			f := strings.Fields(r[2])
			at, err := time.Parse(time.DateOnly, f[3])
			if err != nil {
				t.Fatal(err)
			}
			changes = append(changes, KeyChange{AccountID: a.Account.ID, Old: f[0], New: f[2], At: at})
		}
		in = append(in, a)
		want[r[0]] = [2]string{r[4], r[5]}
	}
	d := BuildDashboard(in, Period{Start: month("2026-01"), End: month("2026-06")}, Inputs{History: NewKeyHistory(month("2025-06"), changes)})
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	inCohort := map[string]AccountRow{}
	for _, r := range d.Cohort {
		inCohort[r.Account.Name] = r
	}
	for name, w := range want {
		r, ok := inCohort[name]
		if yes(ok) != w[0] || (ok && yes(r.Retained) != w[1]) {
			t.Errorf("%s: in cohort %v, retained %v; docs say %v", name, ok, r.Retained, w)
		}
	}
	tot := docFixture(t, "retention-totals")[0]
	rt := d.Summary.Retention
	if strconv.Itoa(rt.Cohort) != tot[0] || strconv.Itoa(rt.Retained) != tot[1] || strconv.Itoa(rt.New) != tot[2] ||
		math.Abs(rt.Accounts.V*100-docNumber(t, tot[3])) > 0.05 || math.Abs(rt.Revenue.V*100-docNumber(t, tot[4])) > 0.05 {
		t.Errorf("retention %+v; docs say %v", rt, tot)
	}
}

func TestDocsVolumes(t *testing.T) {
	var v Volumes
	for _, r := range docFixture(t, "volumes") {
		f := Figure{Revenue: docNumber(t, r[1])}
		if r[2] != "–" {
			n := int(docNumber(t, r[2]))
			f.Orders = &n
		}
		if r[3] != "–" {
			n := int(docNumber(t, r[3]))
			f.Units = &n
		}
		v.Add(f)
	}
	tot := docFixture(t, "volumes-totals")[0]
	if math.Abs(v.AvgTransaction().V-docNumber(t, tot[0])) > 0.005 || math.Abs(v.UnitsPerOrder().V-docNumber(t, tot[1])) > 0.005 {
		t.Errorf("average transaction %v, units per order %v; docs say %v", v.AvgTransaction(), v.UnitsPerOrder(), tot)
	}
}
