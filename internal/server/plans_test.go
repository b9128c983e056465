package server_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/plan"

// plansWorld is one tenant with an admin, a leader and two KAMs, a key
// account for each KAM and a product; plus a second tenant.
type plansWorld struct {
	a                      *testApp
	admin, leader, kam, k2 *client
	adminM, kamM, k2M      auth.Member
	acct, acct2, product   uuid.UUID
	otherAdmin             *client
}

func newPlansWorld(t *testing.T) *plansWorld {
	t.Helper()
	a := newTestApp(t)
	w := &plansWorld{a: a}
	w.admin, w.adminM = a.signup("Acme", "ada@acme.test")
	a.addMember(w.adminM, "lena@acme.test", "Lena Leader", auth.RoleLeader)
	w.kamM = a.addMember(w.adminM, "karl@acme.test", "Karl Meyer", auth.RoleKAM)
	w.k2M = a.addMember(w.adminM, "kira@acme.test", "Kira Santos", auth.RoleKAM)
	w.leader, w.kam, w.k2 = a.login("lena@acme.test"), a.login("karl@acme.test"), a.login("kira@acme.test")
	w.acct = plansAccount(t, a, w.adminM, "Globex", w.kamM.UserID)
	w.acct2 = plansAccount(t, a, w.adminM, "Initech", w.k2M.UserID)
	var err error
	w.product, err = plan.CreateProduct(context.Background(), a.DB, db.Scope{TenantID: w.adminM.TenantID, UserID: w.adminM.UserID},
		plan.ProductInput{Name: "Analytics", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	w.otherAdmin, _ = a.signup("Other", "olga@other.test")
	return w
}

func plansAccount(t *testing.T, a *testApp, admin auth.Member, name string, kam uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := a.DB.Tx(context.Background(), db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, recounted(admin.TenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `INSERT INTO accounts (name, key_status, status, kam_user_id)
			VALUES ($1, 'key', 'customer', $2) RETURNING id`, name, kam).Scan(&id)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func plansHTMX(c *client, path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

var plansIDRe = regexp.MustCompile(`^/plans/([0-9a-f-]{36})`)

func plansWant(t *testing.T, res response, status int, contains ...string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d\n%s", res.Status, status, res.Body)
	}
	for _, s := range contains {
		if !strings.Contains(res.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestPlanJourneyOverHTTP(t *testing.T) {
	w := newPlansWorld(t)
	year := time.Now().Year()
	period := plan.Period{Year: year}.String()
	acctPlans := "/accounts/" + w.acct.String() + "/plans"

	plansWant(t, w.kam.get(acctPlans), http.StatusOK, "has no plan for "+period, "Create plan")
	plansWant(t, w.kam.get(acctPlans+"/new"), http.StatusOK, `value="`+period+`"`)
	plansWant(t, w.k2.get(acctPlans+"/new"), http.StatusForbidden)

	res := w.kam.postForm(acctPlans, url.Values{"period": {"27"}, "status": {"draft"}, "why": {"Partner"}})
	plansWant(t, res, http.StatusUnprocessableEntity, `id="period-error"`, "Partner")

	res = w.kam.postForm(acctPlans, url.Values{"period": {period}, "status": {"active"}, "why": {"Become their logistics partner"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	m := plansIDRe.FindStringSubmatch(res.Location)
	if m == nil {
		t.Fatalf("create redirected to %q", res.Location)
	}
	planPath := "/plans/" + m[1]
	plansWant(t, w.kam.postForm(acctPlans, url.Values{"period": {period}, "status": {"draft"}}), http.StatusUnprocessableEntity, "already has a plan")

	goal := url.Values{"title": {"Grow revenue"}, "kpi": {"revenue"}, "baseline": {"1000000"}, "target": {"1000000"},
		"manual_progress": {"1050000"}, "due_date": {time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}, "status": {"on_track"}}

	t.Run("GoalValidation", func(t *testing.T) {
		res := w.kam.postForm(planPath+"/goals", goal)
		plansWant(t, res, http.StatusUnprocessableEntity, `id="target-error"`, `value="Grow revenue"`)
		bad := url.Values{}
		for k, v := range goal {
			bad[k] = v
		}
		bad.Set("baseline", "a lot")
		bad.Set("due_date", time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
		plansWant(t, w.kam.postForm(planPath+"/goals", bad), http.StatusUnprocessableEntity, `id="baseline-error"`)
		bad.Set("baseline", "1000000")
		bad.Set("target", "1200000")
		plansWant(t, w.kam.postForm(planPath+"/goals", bad), http.StatusUnprocessableEntity, `id="due_date-error"`)
	})
	goal.Set("target", "1200000")
	res = w.kam.postForm(planPath+"/goals", goal)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("goal: %d\n%s", res.Status, res.Body)
	}
	page := w.kam.get(planPath)
	plansWant(t, page, http.StatusOK, "plan-print", "Become their logistics partner", "Grow revenue", `value="25"`, "25%", "Edit plan")

	t.Run("ActionAndToggle", func(t *testing.T) {
		act := url.Values{"description": {"Quarterly business review"}, "owner_user_id": {w.k2M.UserID.String()},
			"due_date": {time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}}
		plansWant(t, w.kam.postForm(planPath+"/actions", url.Values{"description": {""}, "due_date": {"soon"}}),
			http.StatusUnprocessableEntity, `id="description-error"`, `id="due_date-error"`)
		res := w.kam.postForm(planPath+"/actions", act)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("action: %d\n%s", res.Status, res.Body)
		}
		actionID := strings.TrimPrefix(res.Location[strings.Index(res.Location, "#"):], "#action-")
		actionPath := planPath + "/actions/" + actionID

		if time.Now().YearDay() > 1 {
			plansWant(t, w.k2.get("/plans"), http.StatusOK, "My overdue actions", "Quarterly business review", "Mark done")
		}
		// Kira owns the action but not the plan: she may tick it, with htmx.
		res = plansHTMX(w.k2, actionPath, url.Values{"op": {"done"}, "done": {"1"}, "version": {"1"}})
		plansWant(t, res, http.StatusOK, "is-done", "Reopen: Quarterly business review")
		if strings.Contains(res.Body, "<html") {
			t.Error("htmx got a whole page, want the item")
		}
		// A stale toggle: 409, and htmx is told to reload.
		res = plansHTMX(w.kam, actionPath, url.Values{"op": {"done"}, "done": {"0"}, "version": {"1"}})
		plansWant(t, res, http.StatusConflict)
		if res.Header.Get("HX-Refresh") != "true" {
			t.Error("no HX-Refresh on a stale htmx toggle")
		}
		// Without JavaScript: a plain form, back to the plan.
		res = w.kam.postForm(actionPath, url.Values{"op": {"done"}, "done": {"0"}, "version": {"2"}, "back": {planPath + "#action-" + actionID}})
		if res.Status != http.StatusSeeOther || res.Location != planPath+"#action-"+actionID {
			t.Fatalf("plain toggle: %d → %q", res.Status, res.Location)
		}
		res = w.kam.postForm(actionPath, url.Values{"op": {"done"}, "done": {"1"}, "version": {"3"}, "back": {"https://evil.test/"}})
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/") {
			t.Fatalf("an off-site back was followed: %q", res.Location)
		}
		// Kira may not edit what she does not plan.
		plansWant(t, w.k2.postForm(actionPath, url.Values{"version": {"4"}, "description": {"x"}, "owner_user_id": {w.k2M.UserID.String()},
			"due_date": {act.Get("due_date")}}), http.StatusForbidden)
		plansWant(t, w.k2.get(actionPath+"/edit"), http.StatusForbidden)
		plansWant(t, w.kam.get(actionPath+"/edit"), http.StatusOK, "Quarterly business review", "Remove action")
	})

	t.Run("PlanEditConflict", func(t *testing.T) {
		plansWant(t, w.kam.get(planPath+"/edit"), http.StatusOK, `name="version" value="1"`)
		res := w.leader.postForm(planPath, url.Values{"version": {"1"}, "period": {period}, "status": {"active"}, "why": {"Leader's purpose"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("leader save: %d\n%s", res.Status, res.Body)
		}
		res = w.kam.postForm(planPath, url.Values{"version": {"1"}, "period": {period}, "status": {"active"}, "why": {"KAM's purpose"}})
		plansWant(t, res, http.StatusConflict, "conflict-table", "Leader&#39;s purpose", "KAM&#39;s purpose")
		plansWant(t, w.kam.postForm(planPath, url.Values{"version": {"2"}, "period": {"FY1"}, "status": {"active"}}),
			http.StatusUnprocessableEntity, `id="period-error"`)
	})

	t.Run("ReadersAndOtherTenants", func(t *testing.T) {
		res := w.k2.get(planPath)
		plansWant(t, res, http.StatusOK, "Grow revenue")
		if strings.Contains(res.Body, "Edit plan") || strings.Contains(res.Body, "Add a goal") {
			t.Error("a KAM of another account sees edit controls")
		}
		plansWant(t, w.k2.postForm(planPath+"/goals", goal), http.StatusForbidden)
		plansWant(t, w.otherAdmin.get(planPath), http.StatusNotFound)
		plansWant(t, w.otherAdmin.get(acctPlans), http.StatusNotFound)
		plansWant(t, w.kam.get("/plans/not-a-uuid"), http.StatusNotFound)
	})

	t.Run("List", func(t *testing.T) {
		// The goal is at 25 % (1.05M of 1.0M → 1.2M), due on 31 Dec: its
		// status depends on how much of the year has gone.
		st := plan.DeriveStatus(25, true, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC), time.Now(), 10)
		plansWant(t, w.leader.get("/plans"), http.StatusOK, "Globex", "Karl Meyer", period, "1 "+strings.ToLower(st.Label()),
			"Key accounts without a "+period+" plan", "Initech")
		res := w.leader.get("/plans?status=closed")
		plansWant(t, res, http.StatusOK, "0 plans")
		res = w.leader.get("/plans?kam=" + w.k2M.UserID.String())
		plansWant(t, res, http.StatusOK, "0 plans")
		plansWant(t, w.leader.get("/plans?sort=overdue&desc=1&page=9"), http.StatusOK)
		plansWant(t, w.leader.get(acctPlans), http.StatusOK, "Goal plan", "Grow revenue", "All plans", "Open the "+period+" plan")
	})

	t.Run("Whitespace", func(t *testing.T) {
		cell := "/accounts/" + w.acct.String() + "/whitespace/" + w.product.String()
		res := w.kam.postForm(cell, url.Values{"state": {"opportunity"}, "estimated_value": {""}, "version": {"0"}})
		plansWant(t, res, http.StatusUnprocessableEntity, `id="estimated_value-error"`)
		res = w.kam.postForm(cell, url.Values{"state": {"opportunity"}, "estimated_value": {"250000"},
			"expected_close": {"2027-06-30"}, "version": {"0"}, "back": {planPath + "#whitespace"}})
		if res.Status != http.StatusSeeOther || res.Location != planPath+"#whitespace" {
			t.Fatalf("set cell: %d → %q\n%s", res.Status, res.Location, res.Body)
		}
		plansWant(t, w.kam.postForm(cell, url.Values{"state": {"owned"}, "version": {"0"}}), http.StatusConflict, "conflict-table")
		plansWant(t, w.k2.postForm(cell, url.Values{"state": {"owned"}, "version": {"1"}}), http.StatusForbidden)
		plansWant(t, w.otherAdmin.postForm(cell, url.Values{"state": {"owned"}, "version": {"1"}}), http.StatusNotFound)
		plansWant(t, w.leader.get("/plans/whitespace"), http.StatusOK, "250,000", "Open opportunity value by product", `role="img"`)
		res = w.leader.get("/plans/whitespace.csv")
		plansWant(t, res, http.StatusOK, "Globex,Karl Meyer,Analytics,opportunity,250000.00,2027-06-30")
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("content type %q", res.Header.Get("Content-Type"))
		}
		plansWant(t, w.kam.get(planPath), http.StatusOK, `value="250000"`)
	})
}

func TestPlanAdminPages(t *testing.T) {
	w := newPlansWorld(t)
	plansWant(t, w.admin.get("/admin/products"), http.StatusOK, "Analytics", "Add a product")
	res := w.admin.postForm("/admin/products", url.Values{"name": {"Premium support"}, "description": {"24/7"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create product: %d", res.Status)
	}
	plansWant(t, w.admin.postForm("/admin/products", url.Values{"name": {"analytics"}}), http.StatusUnprocessableEntity, "exists already")
	path := "/admin/products/" + w.product.String()
	res = w.admin.postForm(path, url.Values{"version": {"1"}, "name": {"Analytics platform"}, "active": {"true"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", res.Status)
	}
	plansWant(t, w.admin.postForm(path, url.Values{"version": {"1"}, "name": {"Analytics"}, "active": {"true"}}),
		http.StatusConflict, "Analytics platform")
	plansWant(t, w.admin.postForm(path, url.Values{"version": {"2"}, "name": {""}}), http.StatusUnprocessableEntity, `id="name-error"`)
	plansWant(t, w.kam.get("/admin/products"), http.StatusForbidden)

	plansWant(t, w.admin.get("/admin/plan-settings"), http.StatusOK, "Fiscal year starts in")
	plansWant(t, w.admin.postForm("/admin/plan-settings", url.Values{"version": {"0"}, "fiscal_year_start_month": {"4"}, "goal_tolerance": {"0"}}),
		http.StatusUnprocessableEntity, `id="goal_tolerance-error"`)
	res = w.admin.postForm("/admin/plan-settings", url.Values{"version": {"0"}, "fiscal_year_start_month": {"4"}, "goal_tolerance": {"15"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.Status)
	}
	plansWant(t, w.admin.get("/admin/plan-settings"), http.StatusOK, `value="15"`)
	plansWant(t, w.admin.postForm("/admin/plan-settings", url.Values{"version": {"0"}, "fiscal_year_start_month": {"7"}, "goal_tolerance": {"10"}}),
		http.StatusConflict, "April", "July")
	plansWant(t, w.admin.postForm("/admin/plan-settings", url.Values{"version": {"1"}, "fiscal_year_start_month": {"13"}, "goal_tolerance": {"10"}}),
		http.StatusUnprocessableEntity)
	res = w.kam.postForm("/accounts/"+w.acct.String()+"/plans", url.Values{"period": {"FY2030"}, "status": {"draft"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("plan: %d", res.Status)
	}
	plansWant(t, w.kam.get(res.Location), http.StatusOK, "1 Apr 2029 – 31 Mar 2030")
}
