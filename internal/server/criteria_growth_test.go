package server_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "strconv"
import "strings"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/kpi"
import "pareto/internal/scoring"

// Growth measured by the criteria that chose the account: orders and
// units arrive by the KPI import, an admin links criteria to metrics, the
// account page follows them since the account became key and the
// dashboard shows how key accounts moved.
func TestGrowthOnSelectionCriteria(t *testing.T) {
	ks := newKPISetup(t)
	ctx := context.Background()
	admin := ks.client(auth.RoleAdmin)
	sc := ks.tf.scope(auth.RoleAdmin)
	fit, err := scoring.NewStore(ks.a.DB).EnableStandard(ctx, sc, "avg_transaction_size")
	if err != nil {
		t.Fatal(err)
	}
	// Mine became key three months before last month.
	since := kpi.AddMonths(ks.lastMonth, -3)
	if err := ks.a.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO key_status_changes (account_id, old_status, new_status, reason, changed_at)
			VALUES ($1, 'candidate', 'key', 'Review', $2)`, ks.mine, since.AddDate(0, 0, 4))
		return err
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("ImportOrdersAndUnits", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("account,month,revenue,orders,units\n")
		for i := 0; i < 4; i++ { // from `since` to last month: 10 orders, then 8, 6, 5; revenue as the setup saved it
			m := kpi.AddMonths(since, i)
			ago := kpi.MonthsBetween(m, ks.lastMonth) - 1
			rev := 10_000 + 100*(13-ago)
			b.WriteString("Mine Industries," + kpi.FormatMonth(m) + "," + strconv.Itoa(rev) + "," + []string{"10", "8", "6", "5"}[i] + ",100\n")
		}
		res := admin.postMultipart("/kpis/import", "file", "orders.csv", []byte(b.String()))
		mustContain(t, res, "Import 4 rows", `id="count-update">4<`)
		commit := regexp.MustCompile(`action="(/kpis/import/[0-9a-f-]{36})"`).FindStringSubmatch(res.Body)
		if commit == nil {
			t.Fatalf("no commit form:\n%s", res.Body)
		}
		if got := admin.postForm(commit[1], url.Values{}); got.Status != http.StatusSeeOther {
			t.Fatalf("commit: %d\n%s", got.Status, got.Body)
		}
		grid := admin.get("/accounts/" + ks.mine.String() + "/kpis")
		mustContain(t, grid, `name="orders"`, `value="10"`, `name="units"`)
	})

	t.Run("LinkCriterion", func(t *testing.T) {
		page := admin.get("/scoring/criteria")
		mustContain(t, page, "How growth is measured", "the method's pairing")
		path := "/scoring/criteria/" + fit.ID.String() + "/metric"
		if res := admin.postForm(path, url.Values{"version": {"0"}, "metric": {"happiness"}}); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown metric: %d", res.Status)
		}
		if res := admin.postForm(path, url.Values{"version": {"0"}, "metric": {"avg_transaction"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("link: %d\n%s", res.Status, res.Body)
		}
		if res := admin.postForm(path, url.Values{"version": {"0"}, "metric": {"orders"}}); res.Status != http.StatusConflict {
			t.Fatalf("stale link: %d", res.Status)
		}
		if res := ks.client(auth.RoleLeader).postForm(path, url.Values{"version": {"1"}, "metric": {"orders"}}); res.Status != http.StatusForbidden {
			t.Fatalf("a leader linked a metric: %d", res.Status)
		}
	})

	t.Run("AccountPage", func(t *testing.T) {
		page := ks.client(auth.RoleKAM).get("/accounts/" + ks.mine.String())
		mustContain(t, page, "Growth on the criteria that chose this account", "Since it became a key account on",
			"Average transaction size")
		// Then: 11,000 ÷ 10 orders = 1,100 (three months before last month);
		// latest: 11,300 ÷ 5 = 2,260 (last month).
		mustContain(t, page, "1,100", "2,260")
	})

	t.Run("Dashboard", func(t *testing.T) {
		res := ks.client(auth.RoleLeader).get("/dashboards?period=6m")
		mustContain(t, res, "Growth on the selection criteria", "Average transaction size", "Units per order")
	})
}

// The notice about library criteria rewritten by migration shows on the
// criteria page until an admin dismisses it.
func TestLibraryNoticeOnCriteriaPage(t *testing.T) {
	ks := newKPISetup(t)
	ctx := context.Background()
	sc := ks.tf.scope(auth.RoleAdmin)
	c, err := scoring.NewStore(ks.a.DB).EnableStandard(ctx, sc, "cultural_fit")
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.a.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE scoring_criteria SET library_notice = 'Rewritten to follow the method.' WHERE id = $1`, c.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	leader, admin := ks.client(auth.RoleLeader), ks.client(auth.RoleAdmin)
	mustContain(t, leader.get("/scoring/criteria"), "Standard criteria rewritten to follow the method", "Rewritten to follow the method.")
	if res := leader.postForm("/scoring/criteria/library-notice", url.Values{}); res.Status != http.StatusForbidden {
		t.Fatalf("a leader dismissed the notice: %d", res.Status)
	}
	if res := admin.postForm("/scoring/criteria/library-notice", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", res.Status)
	}
	if strings.Contains(admin.get("/scoring/criteria").Body, "Standard criteria rewritten") {
		t.Error("the notice stays after dismissal")
	}
}
