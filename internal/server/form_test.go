package server_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/plan"

// TestFormKit drives the form kit through the router: field errors beside
// their fields (422) with the first invalid field focused, over-long text
// refused before the database, the conflict page of a stale save (409),
// and amounts read alike in every amount field.
func TestFormKit(t *testing.T) {
	w := newPlansWorld(t)
	ctx := context.Background()
	sc := db.Scope{TenantID: w.adminM.TenantID, UserID: w.adminM.UserID}
	year := time.Now().Year()
	res := w.kam.postForm("/accounts/"+w.acct.String()+"/plans", url.Values{"period": {plan.Period{Year: year}.String()}, "status": {"active"}})
	m := plansIDRe.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create plan: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	planPath, planID := "/plans/"+m[1], uuid.MustParse(m[1])
	due := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	goal := func(title, baseline, target string) url.Values {
		return url.Values{"title": {title}, "kpi": {"revenue"}, "baseline": {baseline}, "target": {target}, "due_date": {due}, "status": {"on_track"}}
	}

	t.Run("ErrorBesideField", func(t *testing.T) {
		res := w.kam.postForm(planPath+"/goals", goal("Grow revenue", "a lot", "more"))
		plansWant(t, res, http.StatusUnprocessableEntity,
			`<p class="error" id="baseline-error">Enter a number, e.g. 1250000 or 4.5.</p>`,
			`<p class="error" id="target-error">Enter a number, e.g. 1250000 or 4.5.</p>`,
			`value="a lot"`, `value="Grow revenue"`)
		// The baseline is the first invalid field: it is marked, described
		// by its message and focused; the target is marked, not focused.
		for _, re := range []string{
			`<input id="goal-baseline"[^>]* aria-describedby="baseline-error"`,
			`<input id="goal-baseline"[^>]* aria-invalid="true"`,
			`<input id="goal-baseline"[^>]* autofocus`,
			`<input id="goal-target"[^>]* aria-describedby="goal-target-hint target-error"`,
		} {
			if !regexp.MustCompile(re).MatchString(res.Body) {
				t.Errorf("no match for %s", re)
			}
		}
		if n := strings.Count(res.Body, " autofocus"); n != 1 {
			t.Errorf("%d fields take the focus, want 1", n)
		}
		if g := goalsOf(t, w, sc, planID); len(g) != 0 {
			t.Errorf("refused goal written: %+v", g)
		}
	})

	t.Run("ErrTooLong", func(t *testing.T) {
		// 100 characters is the limit of a product's name (limits.Label);
		// "é" is one character of two bytes.
		res := w.admin.postForm("/admin/products", url.Values{"name": {strings.Repeat("é", 101)}})
		plansWant(t, res, http.StatusUnprocessableEntity, `<p class="error" id="name-error">Use at most 100 characters.</p>`)
		res = w.admin.postForm("/admin/products", url.Values{"name": {strings.Repeat("é", 100)}})
		plansWant(t, res, http.StatusSeeOther)
		ps, err := plan.Products(ctx, w.a.DB, sc, false)
		if err != nil || len(ps) != 2 {
			t.Fatalf("products %v %v, want Analytics and the 100-character one", ps, err)
		}
		// A goal's title takes 200 (limits.Name).
		res = w.kam.postForm(planPath+"/goals", goal(strings.Repeat("x", 201), "1", "2"))
		plansWant(t, res, http.StatusUnprocessableEntity, `id="title-error">Use at most 200 characters.`)
		if g := goalsOf(t, w, sc, planID); len(g) != 0 {
			t.Errorf("refused goal written: %+v", g)
		}
	})

	t.Run("ErrConflictShowsBoth", func(t *testing.T) {
		path := "/admin/products/" + w.product.String()
		plansWant(t, w.admin.postForm(path, url.Values{"version": {"1"}, "name": {"Analytics Pro"}, "active": {"true"}}), http.StatusSeeOther)
		res := w.admin.postForm(path, url.Values{"version": {"1"}, "name": {"Analytics Max"}, "active": {"true"}})
		plansWant(t, res, http.StatusConflict, `class="conflict-table"`, "Saved by someone else (current)", "Yours (not saved)",
			"<td>Analytics Pro</td><td>Analytics Max</td>")
		if p, err := plan.ProductByID(ctx, w.a.DB, sc, w.product); err != nil || p.Name != "Analytics Pro" {
			t.Errorf("after the stale save: %+v %v", p, err)
		}
		if res := w.admin.postForm(path, url.Values{"name": {"No version"}}); res.Status != http.StatusBadRequest {
			t.Errorf("no version: %d", res.Status)
		}
	})

	// 120,000 typed five ways (English and German writing) is 120000.00
	// in every amount field, whichever locale the tenant chose; and a
	// page then shows it in that locale: 120,000 (en), 120.000 (de).
	t.Run("AmountsAlike", func(t *testing.T) {
		typed := []string{"120,000", "120000", "120 000.00", "120.000", "120.000,00"}
		month := kpi.MonthOf(time.Now())
		cell := "/accounts/" + w.acct.String() + "/whitespace/" + w.product.String()
		for li, loc := range []string{"en", "de"} {
			st, err := auth.NewStore(w.a.DB).TenantSettingsOf(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			plansWant(t, w.admin.postForm("/admin/settings", url.Values{"locale": {loc}, "version": {strconv.Itoa(st.Version)}}), http.StatusSeeOther)
			for i, s := range typed {
				res := w.kam.postForm(planPath+"/goals", goal(loc+" goal "+strconv.Itoa(i), s, "240000"))
				plansWant(t, res, http.StatusSeeOther)
			}
			for i, s := range typed {
				// Each save first clears the cell, so the next one changes it.
				for _, state := range []string{"not_fit", "opportunity"} {
					c, err := plan.CellByID(ctx, w.a.DB, sc, w.acct, w.product)
					if err != nil {
						t.Fatal(err)
					}
					res := w.kam.postForm(cell, url.Values{"state": {state}, "estimated_value": {s}, "version": {strconv.Itoa(c.Version)}})
					plansWant(t, res, http.StatusSeeOther)
				}
				c, err := plan.CellByID(ctx, w.a.DB, sc, w.acct, w.product)
				if err != nil || c.EstimatedValue == nil || *c.EstimatedValue != 120000 {
					t.Errorf("%s: estimated value typed %q: %+v %v", loc, s, c.EstimatedValue, err)
				}
				m := kpi.AddMonths(month, -(li*len(typed) + i))
				res := w.kam.postForm("/accounts/"+w.acct.String()+"/kpis", url.Values{"month": {kpi.FormatMonth(m)}, "version": {"0"},
					"revenue": {s}, "action": {"save"}})
				plansWant(t, res, http.StatusSeeOther)
				if rev := figureRevenue(t, w, sc, m); rev != 120000 {
					t.Errorf("%s: KPI revenue typed %q: %v, want 120000", loc, s, rev)
				}
			}
			for _, g := range goalsOf(t, w, sc, planID) {
				if g.Baseline != 120000 {
					t.Errorf("%s: goal %s baseline %v, want 120000", loc, g.Title, g.Baseline)
				}
			}
			// The plan page shows the baselines in the tenant's locale, and
			// a bad amount's message gives an example written that way.
			page := w.kam.get(planPath)
			want, not := map[string][2]string{"en": {"120,000", "120.000"}, "de": {"120.000", "120,000"}}[loc][0],
				map[string][2]string{"en": {"120,000", "120.000"}, "de": {"120.000", "120,000"}}[loc][1]
			if !strings.Contains(page.Body, ">"+want) || strings.Contains(page.Body, ">"+not+"<") {
				t.Errorf("%s: plan page does not show the baseline as %s", loc, want)
			}
			example := map[string]string{"en": "4.5", "de": "4,5"}[loc]
			plansWant(t, w.kam.postForm(planPath+"/goals", goal("Bad", "lots", "240000")), http.StatusUnprocessableEntity,
				"Enter a number, e.g. 1250000 or "+example+".")
		}
	})
}

func goalsOf(t *testing.T, w *plansWorld, sc db.Scope, planID uuid.UUID) []plan.Goal {
	t.Helper()
	det, err := plan.PlanByID(context.Background(), w.a.DB, sc, planID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return det.Goals
}

func figureRevenue(t *testing.T, w *plansWorld, sc db.Scope, month time.Time) float64 {
	t.Helper()
	var rev float64
	err := w.a.DB.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT revenue FROM kpi_figures WHERE tenant_id = $1 AND account_id = $2 AND month = $3",
			sc.TenantID, w.acct, month).Scan(&rev)
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev
}
