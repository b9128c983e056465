package server_test

import "context"
import "os"
import "path/filepath"
import "strconv"
import "testing"
import "time"

import "github.com/chromedp/cdproto/emulation"
import "github.com/chromedp/cdproto/page"
import "github.com/chromedp/chromedp"
import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/plan"

// plansClickAndLoad clicks sel and waits for the page it leads to.
func plansClickAndLoad(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))(ctx, t)
		return chromedp.Void{}, err
	}
}

// plansWaitJS waits until a JavaScript condition holds.
func plansWaitJS(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(15*time.Second))
}

// TestPlanBrowserJourney: a KAM writes a plan with two goals and three
// actions, ticks one off (htmx), marks a whitespace opportunity, and the
// page prints without navigation or forms.
func TestPlanBrowserJourney(t *testing.T) {
	ctx := newBrowser(t)
	a := newTestApp(t)
	_, admin := a.signup("Acme", "ada@acme.test")
	kam := a.addMember(admin, "karl@acme.test", "Karl Meyer", auth.RoleKAM)
	acct := plansAccount(t, a, admin, "Globex", kam.UserID)
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	product, err := plan.CreateProduct(context.Background(), a.DB, sc, plan.ProductInput{Name: "Analytics", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	day := func(m time.Month, d int) string {
		return time.Date(year, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}

	browserDo(t, ctx, "sign in",
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "karl@acme.test"),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		plansClickAndLoad(`main button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`header.topbar`)),
	)
	browserDo(t, ctx, "create the plan",
		chromedp.Navigate(a.URL+"/accounts/"+acct.String()+"/plans"),
		plansClickAndLoad(`.account-plan a.btn`),
		chromedp.WaitVisible(chromedp.CSS(`#plan-why`)),
		chromedp.SendKeys(chromedp.CSS(`#plan-why`), "Become Globex's partner for cold-chain logistics."),
		chromedp.SetValue(chromedp.CSS(`#plan-status`), "active"),
		plansClickAndLoad(`main form.stacked button.btn`),
		chromedp.WaitVisible(chromedp.CSS(`.plan-print`)),
	)
	goals := []struct{ title, kpi, baseline, target, current, due string }{
		{"Grow revenue with the logistics division", "revenue", "1000000", "1200000", "1050000", day(12, 31)},
		{"Lift NPS among operations managers", "nps", "10", "30", "20", day(9, 30)},
	}
	for i, g := range goals {
		browserDo(t, ctx, "add goal "+g.title,
			chromedp.Click(chromedp.CSS(`section[aria-labelledby="what-heading"] details.plan-form > summary`)),
			chromedp.WaitVisible(chromedp.CSS(`#goal-title`)),
			chromedp.SendKeys(chromedp.CSS(`#goal-title`), g.title),
			chromedp.SetValue(chromedp.CSS(`#goal-kpi`), g.kpi),
			chromedp.SendKeys(chromedp.CSS(`#goal-baseline`), g.baseline),
			chromedp.SendKeys(chromedp.CSS(`#goal-target`), g.target),
			chromedp.SendKeys(chromedp.CSS(`#goal-current`), g.current),
			chromedp.SetValue(chromedp.CSS(`#goal-due`), g.due),
			plansClickAndLoad(`form.goal-form button.btn`),
			plansWaitJS(`document.querySelectorAll('.goals-table tbody tr').length === `+strconv.Itoa(i+1)),
		)
	}
	det := plansOnlyPlan(t, a, sc, acct)
	actions := []struct{ desc, goal, due string }{
		{"Quarterly business review with the CFO", det.Goals[0].ID.String(), day(3, 31)},
		{"Run an NPS follow-up workshop", det.Goals[1].ID.String(), day(6, 30)},
		{"Share the plan with Globex's procurement", "", day(2, 15)},
	}
	for i, act := range actions {
		browserDo(t, ctx, "add action "+act.desc,
			chromedp.Click(chromedp.CSS(`section[aria-labelledby="how-heading"] details.plan-form > summary`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-description`)),
			chromedp.SendKeys(chromedp.CSS(`#action-description`), act.desc),
			chromedp.SetValue(chromedp.CSS(`#action-goal`), act.goal),
			chromedp.SetValue(chromedp.CSS(`#action-due`), act.due),
			plansClickAndLoad(`form.action-form button.btn`),
			plansWaitJS(`document.querySelectorAll('.action-item').length === `+strconv.Itoa(i+1)),
		)
	}
	browserDo(t, ctx, "tick one action off",
		chromedp.Click(chromedp.CSS(`.action-list .check-btn`)),
		plansWaitJS(`document.querySelectorAll('.action-item.is-done').length === 1`),
	)
	cell := "#cell-" + product.String()
	browserDo(t, ctx, "mark a whitespace opportunity",
		chromedp.SetValue(chromedp.CSS(cell+"-state"), "opportunity"),
		chromedp.SendKeys(chromedp.CSS(cell+"-value"), "250000"),
		chromedp.SetValue(chromedp.CSS(cell+"-close"), day(11, 30)),
		plansClickAndLoad(`form`+cell+` button`),
		plansWaitJS(`document.querySelector('.ws-account tr.ws-opportunity') !== null`),
	)

	screen, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	navHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('header.topbar')).display === 'none'`))
	if err != nil {
		t.Fatal(err)
	}
	formsHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`[...document.querySelectorAll('.plan-print form, details.plan-form')].every(e => getComputedStyle(e).display === 'none')`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !navHidden || !formsHidden {
		t.Errorf("print view: navigation hidden %v, forms hidden %v", navHidden, formsHidden)
	}
	// PARETO_SCREENSHOTS=dir keeps the screenshots for a look.
	dir := os.Getenv("PARETO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	shots := map[string][]byte{"plan-screen.png": screen, "plan-print.png": shot}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"plans.png": "/plans", "whitespace.png": "/plans/whitespace",
		"account-plans.png": "/accounts/" + acct.String() + "/plans"} {
		browserDo(t, ctx, "visit "+path, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if shots[name], err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
			t.Fatal(err)
		}
	}
	for name, img := range shots {
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	det = plansOnlyPlan(t, a, sc, acct)
	if det.Status != plan.StatusActive || det.Why != "Become Globex's partner for cold-chain logistics." || len(det.Goals) != 2 || len(det.Actions) != 3 {
		t.Fatalf("plan: status %s, %d goals, %d actions", det.Status, len(det.Goals), len(det.Actions))
	}
	done := 0
	for _, act := range det.Actions {
		if act.Done() {
			done++
		}
		if act.OwnerID != kam.UserID {
			t.Errorf("action %q owned by %s, want the KAM", act.Description, act.OwnerName)
		}
	}
	if done != 1 {
		t.Errorf("%d actions done, want 1", done)
	}
	if pct, _ := det.Goals[1].Progress(); pct != 50 {
		t.Errorf("NPS goal progress %v, want 50", pct)
	}
	c, err := plan.CellByID(context.Background(), a.DB, sc, acct, product)
	if err != nil || c.State != plan.CellOpportunity || c.OpenValue() != 250000 || c.ExpectedClose == nil {
		t.Fatalf("whitespace cell %+v %v", c.Cell, err)
	}
}

func plansOnlyPlan(t *testing.T, a *testApp, sc db.Scope, acct uuid.UUID) plan.Detail {
	t.Helper()
	page, err := plan.Plans(context.Background(), a.DB, sc, plan.ListFilter{AccountID: acct})
	if err != nil || len(page.Plans) != 1 {
		t.Fatalf("plans of the account: %+v %v", page.Plans, err)
	}
	det, err := plan.PlanByID(context.Background(), a.DB, sc, page.Plans[0].ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return det
}
