package server_test

import "context"
import "net/http"
import "strings"
import "testing"
import "time"

import "pareto/internal/auth"
import "pareto/internal/kpi"

// The dashboards' period selector: relative periods end at the last
// complete month, quarters and custom ranges may reach into the month
// under way (marked partial), every period has an address, and a custom
// range that cannot be used is refused beside its field.
func TestDashboardPeriodSelector(t *testing.T) {
	ks := newKPISetup(t) // 14 months of figures up to last month
	leader := ks.client(auth.RoleLeader)
	sc := ks.tf.scope(auth.RoleAdmin)
	this := kpi.MonthOf(time.Now())
	// A figure for the month under way: the default period ignores it.
	if _, err := ks.a.Srv.KPI().SaveFigure(context.Background(), sc, auth.RoleAdmin, ks.mine, kpi.Figure{Month: this, Revenue: 1}, 0); err != nil {
		t.Fatal(err)
	}
	def := kpi.NewPeriod("12m", ks.lastMonth, 1)
	res := leader.get("/dashboards")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	mustContain(t, res, def.Label(), `<option value="12m" selected>`, "Custom range…", `name="from"`,
		`<option value="`+kpi.QuarterOf(ks.lastMonth, 1).Key()+`"`, `href="/dashboards.csv?period=12m`)
	if strings.Contains(res.Body, "partial") {
		t.Error("the default period shows a partial month")
	}

	from, to := kpi.AddMonths(this, -2), this
	custom := "/dashboards?period=custom&from=" + kpi.FormatMonth(from) + "&to=" + kpi.FormatMonth(to)
	res = leader.get(custom)
	if res.Status != http.StatusOK {
		t.Fatalf("custom: status %d", res.Status)
	}
	mustContain(t, res, kpi.Period{Start: from, End: to}.Label(), "partial", `value="`+kpi.FormatMonth(from)+`"`,
		// Sorting, paging and downloads keep the range.
		"period=custom&amp;sort=", "from="+kpi.FormatMonth(from), "/dashboards.csv?from="+kpi.FormatMonth(from))

	res = leader.get("/dashboards?period=custom&from=" + kpi.FormatMonth(to) + "&to=" + kpi.FormatMonth(from))
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reversed range: status %d", res.Status)
	}
	mustContain(t, res, `id="to-error"`, "must not be before the first", def.Label())
	if got := leader.get("/dashboards.csv?period=custom&from=garbage&to=2026-01"); got.Status != http.StatusUnprocessableEntity {
		t.Fatalf("csv with a bad range: %d", got.Status)
	}
	csv := leader.get("/dashboards.csv?table=months&period=custom&from=" + kpi.FormatMonth(from) + "&to=" + kpi.FormatMonth(to))
	if csv.Status != http.StatusOK || !strings.Contains(csv.Body, kpi.FormatMonth(this)) {
		t.Fatalf("csv of the range: %d\n%s", csv.Status, csv.Body)
	}
}

// The portfolio dashboard shows retention of key and other accounts side
// by side, the monthly churn trend, and a "how is this computed?" beside
// every derived number.
func TestDashboardRetentionAndDefinitions(t *testing.T) {
	ks := newKPISetup(t)
	res := ks.client(auth.RoleLeader).get("/dashboards")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	mustContain(t, res, "Other accounts&#39; retention", "Key-account churn by month", `id="chart-churn-title"`,
		"Customers kept,", "Other accounts</th>", "Churn by month, as a table")
	for _, label := range []string{"Revenue", "Key-account retention", "Revenue retention", "Upsell rate", "Cross-sell rate",
		"Key accounts&#39; share of revenue", "Largest single account"} {
		_, after, ok := strings.Cut(res.Body, `<span class="stat-label">`+label+`</span>`)
		card, _, _ := strings.Cut(after, `<div class="card kpi-stat">`)
		if !ok || !strings.Contains(card, "How is this computed?") {
			t.Errorf("%s has no definition beside it", label)
		}
	}
	// A KAM's dashboard compares no other accounts.
	kamRes := ks.client(auth.RoleKAM).get("/dashboards")
	if strings.Contains(kamRes.Body, "Other accounts&#39; retention") {
		t.Error("a KAM's dashboard compares other accounts")
	}
}
