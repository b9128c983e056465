package server_test

import "context"
import "net/url"
import "strconv"
import "strings"
import "testing"

import "github.com/chromedp/chromedp"

import "pareto/internal/auth"
import "pareto/internal/kpi"
import "pareto/internal/plan"

// TestNumbersJourney: a leader checks the portfolio dashboard against the
// raw figures. She picks a custom range of three complete months, finds
// the revenue and its growth she computed by hand, follows goal
// attainment to the plans, opens a CSAT goal's "how is this computed?"
// and finds the percentage she expects.
func TestNumbersJourney(t *testing.T) {
	ks := newKPISetup(t)
	base := ks.a.URL

	// Mine Industries' KAM sets a CSAT goal on the 1–5 scale in the fiscal
	// year (January start, the default) of the last complete month. Its
	// CSAT figure that month is 4.0 (newKPISetup: 4.0 + (0 mod 3) ÷ 10),
	// the latest inside the plan's period, so its progress is
	// (4.0 − 3.8) ÷ (4.6 − 3.8) = 0.2 ÷ 0.8 = 25 %.
	fy := plan.PeriodOf(ks.lastMonth, 1)
	_, last := fy.Range(1)
	planPath := newPlanPath(t, ks.client(auth.RoleKAM), "/accounts/"+ks.mine.String()+"/plans", fy.String())
	goalID := newGoal(t, ks.client(auth.RoleKAM), planPath, url.Values{"title": {"Happier buyers"}, "kpi": {"csat"},
		"baseline": {"3.8"}, "target": {"4.6"}, "due_date": {last.Format("2006-01-02")}})

	ctx := newBrowser(t) // after the set-up: the browser's time limit is for the journey

	browserSignIn(t, ctx, base, "leader@acmekpi.test", "#home-portfolio-heading")
	browserDo(t, ctx, "open the portfolio dashboard",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/dashboards"]`)),
		chromedp.WaitVisible(chromedp.CSS("#months svg.chart-line polyline")),
	)

	// A custom range: the three complete months up to the last one.
	from, to := kpi.FormatMonth(kpi.AddMonths(ks.lastMonth, -2)), kpi.FormatMonth(ks.lastMonth)
	browserDo(t, ctx, "pick a custom range",
		chromedp.SetValue(chromedp.CSS("#dash-period"), kpi.CustomPeriod),
		chromedp.SetValue(chromedp.CSS("#dash-from"), from),
		chromedp.SetValue(chromedp.CSS("#dash-to"), to),
		chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`#dash-period option[value="custom"][selected]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "period=custom") || !strings.Contains(loc, "from="+from) || !strings.Contains(loc, "to="+to) {
		t.Fatalf("the range is not in the address: %q %v", loc, err)
	}
	if sub := browserText(t, ctx, ".page-header .subtitle"); strings.Contains(sub, "partial") || !strings.Contains(sub, "2 key accounts") {
		t.Errorf("subtitle %q", sub)
	}
	browserScreenshot(t, ctx, "numbers-custom-range.png")

	// By hand, from newKPISetup: Mine Industries earns 10,000 + 100 × (13 − i)
	// i months before the last complete one, Theirs Holding 5,000 a month.
	//   this range (i = 0, 1, 2): 11,300 + 11,200 + 11,100 + 3 × 5,000 = 48,600
	//   the three months before (i = 3, 4, 5): 11,000 + 10,900 + 10,800 + 15,000 = 47,700
	//   growth: 48,600 ÷ 47,700 − 1 = 900 ÷ 47,700 = 1.89 % → "+1.9%"
	//   the last month alone: 11,300 + 5,000 = 16,300
	revenue := statCard(t, ctx, "Revenue")
	for _, want := range []string{"48.6k", "+1.9% vs previous period"} {
		if !strings.Contains(revenue, want) {
			t.Errorf("revenue card lacks %q: %q", want, revenue)
		}
	}
	// Both key accounts were customers on the range's first day and bought
	// in its last month: 2 of 2 kept, 100 %.
	if r := statCard(t, ctx, "Key-account retention"); !strings.Contains(r, "100.0%") || !strings.Contains(r, "2 of 2 still customers") {
		t.Errorf("retention card %q", r)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#months tbody tr").length`)); err != nil || n != 3 {
		t.Errorf("the range's table has %d rows (%v)", n, err)
	}
	lastRow, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#months tbody tr")].map(r => r.innerText).join("\n")`))
	if err != nil || !strings.Contains(lastRow, "16,300") {
		t.Errorf("no month of 16,300 in the table (%v):\n%s", err, lastRow)
	}
	browserDo(t, ctx, "open the revenue's definition",
		chromedp.Click(chromedp.CSS(`.kpi-stats .kpi-stat:first-child details.how-computed summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.kpi-stats .kpi-stat:first-child details.how-computed[open] p`)),
	)

	// Goal attainment leads to the plans; the CSAT goal's definition shows
	// the numbers worked out above.
	browserDo(t, ctx, "follow goal attainment to the plans",
		plansClickAndLoad(`.kpi-stats a.kpi-value[href="/plans"]`),
		plansClickAndLoad(`main a[href="`+planPath+`"]`),
		chromedp.WaitVisible(chromedp.CSS(`#goal-`+goalID)),
	)
	row := browserText(t, ctx, `#goal-`+goalID)
	if !strings.Contains(row, "25%") {
		t.Errorf("the CSAT goal is not at 25 %%: %q", row)
	}
	disclosure := `#goal-` + goalID + ` details.how-computed`
	browserDo(t, ctx, "open the goal's definition",
		chromedp.Click(chromedp.CSS(disclosure+` summary`)),
		chromedp.WaitVisible(chromedp.CSS(disclosure+`[open] dl`)),
	)
	how := browserText(t, ctx, disclosure+` dl`)
	for _, want := range []string{"the figure of " + ks.lastMonth.Format("Jan 2006"), "(4 − 3.8) ÷ (4.6 − 3.8) = 25%"} {
		if !strings.Contains(how, want) {
			t.Errorf("the goal's definition lacks %q:\n%s", want, how)
		}
	}
	browserScreenshot(t, ctx, "numbers-goal-definition.png")
	assertNoConsoleErrors(t, ctx)
}

// statCard is the text of the dashboard's headline figure labelled label.
func statCard(t *testing.T, ctx context.Context, label string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const l = [...document.querySelectorAll(".kpi-stat .stat-label")].find(e => e.textContent === `+strconv.Quote(label)+`);
		return l ? l.closest(".kpi-stat").innerText : "";
	})()`))
	if err != nil || s == "" {
		t.Fatalf("no headline figure %q (%v)", label, err)
	}
	return s
}
