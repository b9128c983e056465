package server_test

import "bytes"
import "context"
import "mime/multipart"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/kpi"

// kpiSetup is a tenant with two key accounts (one the KAM's), 14 months
// of figures each, and a candidate account.
type kpiSetup struct {
	a         *testApp
	tf        *tenantFixture
	mine      uuid.UUID // key, managed by the tenant's KAM
	theirs    uuid.UUID // key, managed by a second KAM
	prospect  uuid.UUID
	otherKAM  auth.Member
	lastMonth time.Time
}

func newKPISetup(t *testing.T) *kpiSetup {
	t.Helper()
	a := newTestApp(t)
	tf := a.tenantFixture("Acme KPI")
	ks := &kpiSetup{a: a, tf: tf, lastMonth: kpi.AddMonths(kpi.MonthOf(time.Now()), -1)}
	ks.otherKAM = a.addMember(tf.Members[auth.RoleAdmin], "kam2@acmekpi.test", "Second KAM", auth.RoleKAM)
	sc := tf.scope(auth.RoleAdmin)
	ks.mine = kpiTestAccount(t, a, sc, "Mine Industries", "key", tf.Members[auth.RoleKAM].UserID)
	ks.theirs = kpiTestAccount(t, a, sc, "Theirs Holding", "key", ks.otherKAM.UserID)
	ks.prospect = kpiTestAccount(t, a, sc, "Prospect Ltd", "candidate", uuid.Nil)
	ctx := context.Background()
	for i := range 14 {
		m := kpi.AddMonths(ks.lastMonth, -i)
		csat, nps := 4.0+float64(i%3)/10, 20+i
		for _, f := range []kpi.Figure{
			{Month: m, Revenue: 10_000 + float64(100*(13-i)), CSAT: &csat, NPS: &nps},
			{Month: m, Revenue: 5_000},
		} {
			id := ks.mine
			if f.Revenue == 5_000 {
				id = ks.theirs
			}
			if _, err := a.Srv.KPI().SaveFigure(ctx, sc, auth.RoleAdmin, id, f, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Srv.KPI().SaveFigure(ctx, sc, auth.RoleAdmin, ks.prospect, kpi.Figure{Month: m, Revenue: 1_000}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return ks
}

func (ks *kpiSetup) client(role auth.Role) *client { return ks.tf.Clients[role] }

func mustContain(t *testing.T, res response, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(res.Body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestDashboardPages(t *testing.T) {
	ks := newKPISetup(t)
	leader := ks.client(auth.RoleLeader)

	t.Run("Portfolio", func(t *testing.T) {
		res := leader.get("/dashboards")
		if res.Status != http.StatusOK {
			t.Fatalf("status %d", res.Status)
		}
		// Two key accounts: these two (the access-matrix fixture account is a candidate).
		mustContain(t, res, "Portfolio dashboard", "Mine Industries", "Theirs Holding", "2 key accounts",
			`<svg class="chart chart-line"`, "<title id=\"chart-revenue-title\">Revenue by month</title>", "Revenue by key account manager",
			"available when goal plans exist", "Second KAM", `href="/dashboards/kams/`+ks.otherKAM.UserID.String())
		if strings.Contains(res.Body, "Prospect Ltd") && !strings.Contains(res.Body, "Largest") {
			t.Error("a candidate account is listed as a key account")
		}
		mustContain(t, res, "Key accounts&#39; share of revenue")
	})
	t.Run("Filters", func(t *testing.T) {
		res := leader.get("/dashboards?period=3m&segment=Enterprise&region=Nowhere&sort=name&dir=asc")
		if res.Status != http.StatusOK {
			t.Fatalf("status %d", res.Status)
		}
		mustContain(t, res, "0 key accounts", "No key accounts match this selection", `<option value="3m" selected>`)
		res = leader.get("/dashboards?period=bogus&page=99&sort=bogus")
		if res.Status != http.StatusOK {
			t.Fatalf("bad query values: %d", res.Status)
		}
	})
	t.Run("KAMSeesOwn", func(t *testing.T) {
		res := ks.client(auth.RoleKAM).get("/dashboards")
		if res.Status != http.StatusOK || !strings.Contains(res.Body, "Mine Industries") || strings.Contains(res.Body, "Theirs Holding") {
			t.Fatalf("KAM portfolio: %d; shows other KAM's account: %v", res.Status, strings.Contains(res.Body, "Theirs Holding"))
		}
		own := ks.client(auth.RoleKAM).get("/dashboards/kams/" + ks.tf.Members[auth.RoleKAM].UserID.String())
		if own.Status != http.StatusOK {
			t.Errorf("own KAM dashboard: %d", own.Status)
		}
		if res := ks.client(auth.RoleKAM).get("/dashboards/kams/" + ks.otherKAM.UserID.String()); res.Status != http.StatusForbidden {
			t.Errorf("another KAM's dashboard: %d, want 403", res.Status)
		}
		if res := ks.client(auth.RoleKAM).get("/dashboards/kams/" + ks.otherKAM.UserID.String() + ".csv"); res.Status != http.StatusForbidden {
			t.Errorf("another KAM's CSV: %d, want 403", res.Status)
		}
	})
	t.Run("KAMDashboard", func(t *testing.T) {
		res := leader.get("/dashboards/kams/" + ks.otherKAM.UserID.String() + "?period=6m")
		if res.Status != http.StatusOK {
			t.Fatalf("status %d", res.Status)
		}
		mustContain(t, res, "Dashboard: Second KAM", "Theirs Holding", "Largest of these accounts")
		if strings.Contains(res.Body, "Mine Industries") {
			t.Error("another KAM's account on the KAM dashboard")
		}
		for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
			if res := leader.get("/dashboards/kams/" + id); res.Status != http.StatusNotFound {
				t.Errorf("unknown KAM %s: %d", id, res.Status)
			}
		}
	})
	t.Run("CSV", func(t *testing.T) {
		res := leader.get("/dashboards.csv?period=12m")
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv: %d %v", res.Status, res.Header)
		}
		lines := strings.Split(strings.TrimSpace(res.Body), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "account,kam,") || !strings.HasPrefix(lines[1], "Mine Industries,") {
			t.Errorf("accounts csv:\n%s", res.Body)
		}
		res = leader.get("/dashboards.csv?table=months&period=3m")
		if lines := strings.Split(strings.TrimSpace(res.Body), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "month,") {
			t.Errorf("months csv:\n%s", res.Body)
		}
		for _, table := range []string{"kams", "retention"} {
			if res := leader.get("/dashboards.csv?table=" + table); res.Status != http.StatusOK {
				t.Errorf("%s: %d", table, res.Status)
			}
		}
		if res := leader.get("/dashboards.csv?table=secrets"); res.Status != http.StatusBadRequest {
			t.Errorf("unknown table: %d", res.Status)
		}
		res = leader.get("/accounts/" + ks.mine.String() + "/kpis.csv")
		if lines := strings.Split(strings.TrimSpace(res.Body), "\n"); len(lines) != 15 || lines[0] != strings.Join(kpi.ImportHeader, ",") {
			t.Errorf("account csv:\n%s", res.Body)
		}
	})
}

func TestAccountKPIPage(t *testing.T) {
	ks := newKPISetup(t)
	path := "/accounts/" + ks.mine.String() + "/kpis"
	kamClient := ks.client(auth.RoleKAM)
	month := kpi.FormatMonth(kpi.MonthOf(time.Now()))

	t.Run("Show", func(t *testing.T) {
		res := kamClient.get(path)
		if res.Status != http.StatusOK {
			t.Fatalf("status %d", res.Status)
		}
		mustContain(t, res, "Mine Industries: KPIs", `id="kpis"`, `class="chart sparkline"`, "Monthly figures",
			`name="revenue"`, `form="kpi-`+month+`-form"`)
		// The year-over-year growth says how it is computed. By hand: the
		// twelve months to the last complete one earn 11,300 down to 10,200
		// (10,000 + 100 × (13 − i)), on average (11,300 + 10,200) ÷ 2 =
		// 10,750 a month; a year earlier only i = 12, 13 have figures,
		// 10,100 and 10,000, on average 10,050; 10,750 ÷ 10,050 − 1 = 6.97 %.
		_, yoy, _ := strings.Cut(res.Body, "year over year")
		yoy, _, _ = strings.Cut(yoy, "</details>")
		for _, want := range []string{"How is this computed?", "10,750", "12 months with figures", "10,050", "2 months with figures", "+7.0%"} {
			if !strings.Contains(yoy, want) {
				t.Errorf("the year-over-year definition lacks %q:\n%s", want, yoy)
			}
		}
		// The other KAM reads the page but gets no inputs.
		res = ks.a.login("kam2@acmekpi.test").get(path)
		if res.Status != http.StatusOK || strings.Contains(res.Body, `name="revenue"`) {
			t.Errorf("read-only view: %d, inputs shown: %v", res.Status, strings.Contains(res.Body, `name="revenue"`))
		}
		if res := kamClient.get("/accounts/" + uuid.NewString() + "/kpis"); res.Status != http.StatusNotFound {
			t.Errorf("unknown account: %d", res.Status)
		}
	})
	t.Run("Save", func(t *testing.T) {
		res := kamClient.postForm(path, url.Values{"month": {month}, "version": {"0"}, "revenue": {"12,345.50"},
			"promoters": {"8"}, "passives": {"1"}, "detractors": {"1"}, "action": {"save"}})
		if res.Status != http.StatusSeeOther || !strings.HasSuffix(res.Location, "#kpi-"+month) {
			t.Fatalf("save: %d → %q\n%s", res.Status, res.Location, res.Body)
		}
		res = kamClient.get(path)
		mustContain(t, res, "Saved the figures of", `value="12345.5"`, "+70")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		res := kamClient.postForm(path, url.Values{"month": {month}, "version": {"1"}, "revenue": {"-5"}, "csat": {"9"}, "action": {"save"}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.Status)
		}
		mustContain(t, res, "Must not be negative.", "Enter an average rating from 1 to 5", `value="-5"`, `aria-invalid="true"`)
		if res := kamClient.postForm(path, url.Values{"month": {"garbage"}, "version": {"x"}}); res.Status != http.StatusBadRequest {
			t.Errorf("garbled form: %d", res.Status)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		// The leader saves version 1 first; the KAM's save of version 1 is stale.
		leader := ks.client(auth.RoleLeader)
		if res := leader.postForm(path, url.Values{"month": {month}, "version": {"1"}, "revenue": {"20000"}, "action": {"save"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("leader save: %d", res.Status)
		}
		res := kamClient.postForm(path, url.Values{"month": {month}, "version": {"1"}, "revenue": {"30000"}, "action": {"save"}})
		if res.Status != http.StatusConflict {
			t.Fatalf("stale save: %d", res.Status)
		}
		mustContain(t, res, "was changed by someone else", `class="conflict-table"`, "<td>20000</td>", "<td>30000</td>",
			`name="version" value="2"`)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		res := kamClient.postForm("/accounts/"+ks.theirs.String()+"/kpis", url.Values{"month": {month}, "version": {"0"}, "revenue": {"1"}, "action": {"save"}})
		if res.Status != http.StatusForbidden {
			t.Fatalf("KAM on another KAM's account: %d", res.Status)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		res := kamClient.postForm(path, url.Values{"month": {month}, "version": {"2"}, "action": {"delete"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.Status)
		}
		if res := kamClient.postForm(path, url.Values{"month": {month}, "version": {"2"}, "action": {"delete"}}); res.Status != http.StatusConflict {
			t.Errorf("second delete: %d", res.Status)
		}
		// A delete of figures someone changed meanwhile is refused with both versions shown.
		if res := kamClient.postForm(path, url.Values{"month": {month}, "version": {"0"}, "revenue": {"7"}, "action": {"save"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("save again: %d", res.Status)
		}
		res = kamClient.postForm(path, url.Values{"month": {month}, "version": {"5"}, "action": {"delete"}})
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Nothing was deleted") || !strings.Contains(res.Body, "(delete)") {
			t.Errorf("stale delete: %d", res.Status)
		}
	})
	t.Run("OlderMonths", func(t *testing.T) {
		old := kpi.FormatMonth(kpi.AddMonths(kpi.MonthOf(time.Now()), -30))
		res := kamClient.postForm(path, url.Values{"month": {old}, "version": {"0"}, "revenue": {"1"}, "action": {"save"}})
		if res.Status != http.StatusSeeOther || !strings.Contains(res.Location, "?to="+old) {
			t.Fatalf("old month: %d → %q", res.Status, res.Location)
		}
		res = kamClient.get(path + "?to=" + old)
		mustContain(t, res, `id="kpi-`+old+`"`, "Later months")
	})
}

// upload posts a CSV file to the import form.
func (c *client) upload(path, filename string, data []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", filename)
	_, _ = part.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

var importIDRe = regexp.MustCompile(`action="/kpis/import/([0-9a-f-]{36})"`)

func TestKPIImport(t *testing.T) {
	ks := newKPISetup(t)
	leader := ks.client(auth.RoleLeader)
	m := kpi.FormatMonth(kpi.MonthOf(time.Now()))

	t.Run("OK", func(t *testing.T) {
		csv := "account,month,revenue,csat,nps\nMine Industries," + m + ",111,4.1,12\nTHEIRS HOLDING," + m + ",222,,\n"
		res := leader.upload("/kpis/import", "figures.csv", []byte(csv))
		if res.Status != http.StatusOK {
			t.Fatalf("upload: %d\n%s", res.Status, res.Body)
		}
		mustContain(t, res, "Check figures.csv", "Import 2 rows")
		id := importIDRe.FindStringSubmatch(res.Body)
		if id == nil {
			t.Fatal("no commit form")
		}
		if res := leader.get("/kpis/import/" + id[1]); res.Status != http.StatusOK {
			t.Errorf("preview again: %d", res.Status)
		}
		res = leader.postForm("/kpis/import/"+id[1], nil)
		if res.Status != http.StatusSeeOther || res.Location != "/dashboards" {
			t.Fatalf("commit: %d %q", res.Status, res.Location)
		}
		mustContain(t, leader.get("/dashboards"), "Imported 2 rows from figures.csv")
		if res := leader.postForm("/kpis/import/"+id[1], nil); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("second commit: %d", res.Status)
		}
	})
	t.Run("ErrRows", func(t *testing.T) {
		csv := "account,month,revenue\nMine Industries," + m + ",-1\nNobody,2026-01,5\nMine Industries,2099-01,5\n"
		res := ks.client(auth.RoleKAM).upload("/kpis/import", "bad.csv", []byte(csv))
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.Status)
		}
		mustContain(t, res, "3 rows have problems", "No such account.", "Must not be negative.")
		if importIDRe.MatchString(res.Body) {
			t.Error("a commit button for a file with problems")
		}
	})
	t.Run("ErrFile", func(t *testing.T) {
		res := leader.upload("/kpis/import", "x.csv", []byte("name;colour\nA;red\n"))
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Unknown column") {
			t.Errorf("bad header: %d", res.Status)
		}
		res = leader.upload("/kpis/import", "empty.csv", nil)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Choose a CSV file.") {
			t.Errorf("empty: %d", res.Status)
		}
		if res := leader.postForm("/kpis/import", url.Values{"x": {"y"}}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("not multipart: %d", res.Status)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := bytes.Repeat([]byte("Mine Industries,2026-01,1\n"), (kpi.FigureImport.MaxMiB()<<20/26)+50_000)
		res := leader.upload("/kpis/import", "big.csv", append([]byte("account,month,revenue\n"), big...))
		if res.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("over 10 MiB: %d", res.Status)
		}
		// Between the signed-in group's 1 MiB and 10 MiB the import accepts it.
		mid := bytes.Repeat([]byte("Mine Industries,2026-01,1\n"), 60_000)
		if res := leader.upload("/kpis/import", "mid.csv", append([]byte("account,month,revenue\n"), mid...)); res.Status == http.StatusRequestEntityTooLarge {
			t.Errorf("1.5 MiB refused: %d", res.Status)
		}
	})
}

func TestKPISettings(t *testing.T) {
	ks := newKPISetup(t)
	admin := ks.client(auth.RoleAdmin)
	res := admin.get("/kpis/settings")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `name="version" value="0"`) {
		t.Fatalf("show: %d", res.Status)
	}
	res = admin.postForm("/kpis/settings", url.Values{"version": {"0"}, "csat_scale": {"5"}, "fiscal_year_start_month": {"13"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Choose the month your fiscal year starts in.") {
		t.Errorf("bad month: %d", res.Status)
	}
	res = admin.postForm("/kpis/settings", url.Values{"version": {"0"}, "csat_scale": {"percent"}, "fiscal_year_start_month": {"4"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "CSAT figures are stored") {
		t.Errorf("scale change with figures: %d", res.Status)
	}
	res = admin.postForm("/kpis/settings", url.Values{"version": {"0"}, "csat_scale": {"5"}, "fiscal_year_start_month": {"4"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", res.Status)
	}
	if res := admin.postForm("/kpis/settings", url.Values{"version": {"0"}, "csat_scale": {"5"}, "fiscal_year_start_month": {"7"}}); res.Status != http.StatusConflict {
		t.Errorf("stale: %d", res.Status)
	}
	// The fiscal-year period follows the setting.
	res = admin.get("/dashboards?period=fy")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Apr ") {
		t.Errorf("fiscal year period: %d", res.Status)
	}
}

func TestHomeDashboard(t *testing.T) {
	ks := newKPISetup(t)
	res := ks.client(auth.RoleKAM).get("/")
	if res.Status != http.StatusOK {
		t.Fatalf("kam: %d", res.Status)
	}
	mustContain(t, res, "Your key accounts", "Mine Industries", "Overdue next steps", "Goals at risk and overdue actions",
		"No goal at risk and no action overdue.")
	if strings.Contains(res.Body, "Theirs Holding") || strings.Contains(res.Body, "Setup health") {
		t.Error("KAM home shows another KAM's account or the setup health")
	}
	res = ks.client(auth.RoleLeader).get("/")
	mustContain(t, res, "Key account portfolio", "Shortlist", "1 account ranked", "Review in progress", "Fixture review")
	if strings.Contains(res.Body, "Setup health") {
		t.Error("leader sees setup health")
	}
	res = ks.client(auth.RoleAdmin).get("/")
	mustContain(t, res, "Setup health", "active members", "1 active selection criterion", "not fully scored", "KPI settings not reviewed yet")
}
