package server_test

import "bytes"
import "context"
import "fmt"
import "mime/multipart"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"

// acctTenant is a tenant with a signed-in admin, leader and KAM.
type acctTenant struct {
	Admin, Leader, KAM    auth.Member
	AdminC, LeaderC, KAMC *client
	scopeAdmin            db.Scope
	app                   *testApp
}

func newAcctTenant(t *testing.T, a *testApp, org string) *acctTenant {
	t.Helper()
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	adminC, admin := a.signup(org, "admin@"+slug+".test")
	at := &acctTenant{Admin: admin, AdminC: adminC, app: a, scopeAdmin: db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}}
	at.Leader = a.addMember(admin, "leader@"+slug+".test", "Lee Leader", auth.RoleLeader)
	at.KAM = a.addMember(admin, "kam@"+slug+".test", "Kim Kam", auth.RoleKAM)
	at.LeaderC = a.login("leader@" + slug + ".test")
	at.KAMC = a.login("kam@" + slug + ".test")
	if at.KAMC.cookie() == "" {
		t.Fatal("signed-in client has no session cookie")
	}
	return at
}

func (at *acctTenant) account(t *testing.T, in account.Input) account.Account {
	t.Helper()
	f, err := in.Parse()
	if err != nil {
		t.Fatal(err)
	}
	a, err := account.NewStore(at.app.DB).CreateAccount(context.Background(), at.scopeAdmin, auth.RoleAdmin, f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (at *acctTenant) assign(t *testing.T, accountID, userID uuid.UUID) {
	t.Helper()
	err := at.app.DB.Tx(context.Background(), at.scopeAdmin, recounted(at.scopeAdmin.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE accounts SET kam_user_id = $1 WHERE id = $2", userID, accountID)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
}

func (at *acctTenant) get(t *testing.T, id uuid.UUID) account.Account {
	t.Helper()
	a, err := account.NewStore(at.app.DB).Account(context.Background(), at.scopeAdmin, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func wantStatus(t *testing.T, res response, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d\n%s", res.Status, status, res.Body)
	}
}

func (c *client) postMultipart(path, field, filename string, data []byte) response {
	c.t.Helper()
	body, ctype := multipartBody(field, filename, data)
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, body)
	req.Header.Set("Content-Type", ctype)
	return c.do(req)
}

// multipartBody encodes one file field as a multipart form.
func multipartBody(field, filename string, data []byte) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, filename)
	fw.Write(data)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func accountForm(name string) url.Values {
	return url.Values{"name": {name}, "external_ref": {""}, "industry": {"Chemicals"}, "region": {"EMEA"}, "country": {"Germany"},
		"segment": {"Enterprise"}, "status": {"customer"}, "customer_since": {"2020-01-31"}, "annual_revenue": {"1,250,000.50"},
		"revenue_potential": {"3000000"}, "notes": {""}}
}

func TestAccountCreateHandler(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")

	t.Run("OK", func(t *testing.T) {
		res := at.LeaderC.postForm("/accounts", accountForm("Globex"))
		wantStatus(t, res, http.StatusSeeOther)
		if !regexp.MustCompile(`^/accounts/[0-9a-f-]{36}$`).MatchString(res.Location) {
			t.Fatalf("location %q", res.Location)
		}
		page := at.LeaderC.get(res.Location)
		wantStatus(t, page, http.StatusOK)
		for _, want := range []string{"Globex", "EUR 1,250,000.50", "EUR 3,000,000", "EUR 1,749,999.50", "Created Globex."} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("account page lacks %q", want)
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		f := accountForm("")
		f.Set("annual_revenue", "-3")
		f.Set("customer_since", "yesterday")
		res := at.AdminC.postForm("/accounts", f)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		for _, id := range []string{`id="name-error"`, `id="annual_revenue-error"`, `id="customer_since-error"`} {
			if !strings.Contains(res.Body, id) {
				t.Errorf("no message %s beside the field", id)
			}
		}
		if !strings.Contains(res.Body, `value="yesterday"`) {
			t.Error("the typed value is not kept")
		}
	})
	t.Run("KAMForbidden", func(t *testing.T) {
		wantStatus(t, at.KAMC.postForm("/accounts", accountForm("Mine")), http.StatusForbidden)
	})
}

func TestAccountUpdateHandler(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	acct := at.account(t, account.Input{"name": "Globex", "annual_revenue": "100"})
	path := "/accounts/" + acct.ID.String()

	t.Run("VersionConflict", func(t *testing.T) {
		// Two editors open version 1.
		for _, c := range []*client{at.AdminC, at.LeaderC} {
			res := c.get(path + "/edit")
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(res.Body, `name="version" value="1"`) {
				t.Fatal("edit form lacks the version")
			}
		}
		first := accountForm("Globex by first")
		first.Set("version", "1")
		wantStatus(t, at.AdminC.postForm(path, first), http.StatusSeeOther)

		second := accountForm("Globex by second")
		second.Set("version", "1")
		res := at.LeaderC.postForm(path, second)
		wantStatus(t, res, http.StatusConflict)
		for _, want := range []string{"Globex by first", "Globex by second", `name="version" value="2"`, "Save my values over theirs"} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("conflict page lacks %q", want)
			}
		}
		if got := at.get(t, acct.ID); got.Name != "Globex by first" || got.Version != 2 {
			t.Fatalf("database has %q v%d, want the first editor's values", got.Name, got.Version)
		}
		// Re-applying from the conflict page (current version) saves.
		second.Set("version", "2")
		wantStatus(t, at.LeaderC.postForm(path, second), http.StatusSeeOther)
		if got := at.get(t, acct.ID); got.Name != "Globex by second" {
			t.Fatalf("re-apply: %q", got.Name)
		}
	})
	t.Run("MissingVersion", func(t *testing.T) {
		wantStatus(t, at.AdminC.postForm(path, accountForm("X")), http.StatusBadRequest)
	})
	t.Run("InvalidKeepsVersion", func(t *testing.T) {
		f := accountForm("")
		f.Set("version", "3")
		res := at.AdminC.postForm(path, f)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, `name="version" value="3"`) {
			t.Fatal("re-rendered form lost the version")
		}
	})
	t.Run("KAMOnlyWhenAssigned", func(t *testing.T) {
		wantStatus(t, at.KAMC.get(path), http.StatusOK)
		wantStatus(t, at.KAMC.get(path+"/edit"), http.StatusForbidden)
		if strings.Contains(at.KAMC.get(path).Body, "Edit account") {
			t.Error("an unassigned KAM is offered the edit button")
		}
		at.assign(t, acct.ID, at.KAM.UserID)
		wantStatus(t, at.KAMC.get(path+"/edit"), http.StatusOK)
		f := accountForm("Globex by KAM")
		f.Set("version", fmt.Sprint(at.get(t, acct.ID).Version))
		wantStatus(t, at.KAMC.postForm(path, f), http.StatusSeeOther)
	})
	t.Run("ArchiveRestore", func(t *testing.T) {
		wantStatus(t, at.AdminC.postForm(path+"/archive", nil), http.StatusSeeOther)
		if !strings.Contains(at.AdminC.get(path).Body, "This account was archived") {
			t.Fatal("account page does not say it is archived")
		}
		if strings.Contains(at.AdminC.get("/accounts").Body, "Globex by KAM") {
			t.Fatal("archived account listed")
		}
		if !strings.Contains(at.AdminC.get("/accounts?archived=1").Body, "Globex by KAM") {
			t.Fatal("archived account not in the archive view")
		}
		wantStatus(t, at.AdminC.postForm(path+"/restore", nil), http.StatusSeeOther)
		if !strings.Contains(at.AdminC.get("/accounts").Body, "Globex by KAM") {
			t.Fatal("restored account not listed")
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newAcctTenant(t, a, "Other")
		wantStatus(t, other.AdminC.get(path), http.StatusNotFound)
		f := accountForm("Hijacked")
		f.Set("version", "9")
		wantStatus(t, other.AdminC.postForm(path, f), http.StatusNotFound)
		wantStatus(t, other.AdminC.get("/accounts/not-a-uuid"), http.StatusNotFound)
	})
}

func TestAccountListHandler(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	t.Run("EmptyState", func(t *testing.T) {
		res := at.AdminC.get("/accounts")
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "No accounts yet") || !strings.Contains(res.Body, `href="/accounts/import"`) {
			t.Fatal("no empty state telling how to start")
		}
		if strings.Contains(at.KAMC.get("/accounts").Body, `href="/accounts/new"`) {
			t.Fatal("a KAM is offered to add accounts")
		}
	})
	for i := range 60 {
		at.account(t, account.Input{"name": fmt.Sprintf("Firm %02d", i), "industry": []string{"Retail", "Energy"}[i%2],
			"annual_revenue": fmt.Sprint(i * 100)})
	}
	t.Run("FilterSortPage", func(t *testing.T) {
		res := at.KAMC.get("/accounts?industry=Energy&sort=annual_revenue&dir=desc")
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "30 accounts") {
			t.Fatal("count of the filtered view missing")
		}
		first := strings.Index(res.Body, "Firm 59")
		second := strings.Index(res.Body, "Firm 57")
		if first < 0 || second < 0 || first > second {
			t.Fatal("not sorted by revenue, descending")
		}
		if strings.Contains(res.Body, "Firm 58") {
			t.Fatal("filter ignored")
		}
		// The sort links keep the filter, so the view can be bookmarked.
		if !strings.Contains(res.Body, `href="/accounts?industry=Energy&amp;sort=name"`) {
			t.Error("sort link does not carry the filter")
		}
		page1 := at.AdminC.get("/accounts")
		page2 := at.AdminC.get(nextLink(t, page1.Body))
		if !strings.Contains(page2.Body, "Firm 59") || strings.Contains(page2.Body, "Firm 00<") || !strings.Contains(page2.Body, "showing 51–60") ||
			strings.Contains(page2.Body, `rel="next"`) || !strings.Contains(page2.Body, `rel="prev"`) {
			t.Fatal("page 2 wrong")
		}
		wantStatus(t, at.AdminC.get("/accounts?after=junk&sort=bogus&status=nope&per_page=7"), http.StatusOK)
	})
	t.Run("ExportFilteredView", func(t *testing.T) {
		res := at.KAMC.get("/accounts.csv?industry=Retail")
		wantStatus(t, res, http.StatusOK)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("headers %v", res.Header)
		}
		if lines := strings.Count(res.Body, "\n"); lines != 31 {
			t.Fatalf("%d lines, want a header and 30 rows", lines)
		}
	})
}

func TestAccountXSS(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	const evil = `<script>alert("x")</script>`
	acct := at.account(t, account.Input{"name": evil, "industry": evil, "notes": evil, "external_ref": "=cmd|' /C calc'!A0"})
	sf, _ := account.StakeholderInput{Name: evil, Title: evil, Role: "decision_maker", Strength: "weak"}.Parse()
	if _, err := account.NewStore(a.DB).CreateStakeholder(context.Background(), at.scopeAdmin, auth.RoleAdmin, acct.ID, sf); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/accounts", "/accounts/" + acct.ID.String(), "/accounts/" + acct.ID.String() + "/edit"} {
		res := at.AdminC.get(path)
		wantStatus(t, res, http.StatusOK)
		if strings.Contains(res.Body, "<script>alert") {
			t.Errorf("%s: raw script tag in the page", path)
		}
		if !strings.Contains(res.Body, "&lt;script&gt;") {
			t.Errorf("%s: the name is not shown as text", path)
		}
	}
	page := at.AdminC.get("/accounts/" + acct.ID.String())
	// The relationship map by its class: other charts (health, sparklines)
	// may come first on the page, depending on what the account has.
	start := strings.Index(page.Body, `<svg class="relmap-svg"`)
	if start < 0 {
		t.Fatal("no relationship map on the account page")
	}
	svg := page.Body[start:]
	svg = svg[:strings.Index(svg, "</svg>")]
	if !strings.Contains(svg, "&lt;script&gt;") || strings.Contains(svg, "<script") {
		t.Error("the relationship map does not escape names")
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	csv := at.AdminC.get("/accounts.csv")
	if !strings.Contains(csv.Body, `"'=cmd|' /C calc'!A0"`) && !strings.Contains(csv.Body, `'=cmd|' /C calc'!A0`) {
		t.Errorf("formula not escaped in CSV:\n%s", csv.Body)
	}
}

func TestStakeholderAndInteractionHandlers(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	acct := at.account(t, account.Input{"name": "Globex"})
	path := "/accounts/" + acct.ID.String()

	res := at.AdminC.postForm(path+"/stakeholders", url.Values{"name": {"Carla"}, "title": {"CEO"}, "buying_role": {"decision_maker"}, "strength": {"weak"}})
	wantStatus(t, res, http.StatusSeeOther)
	page := at.AdminC.get(path)
	for _, want := range []string{"Carla", "has only a weak relationship", "No champion"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	res = at.AdminC.postForm(path+"/stakeholders", url.Values{"name": {""}, "email": {"bad"}, "buying_role": {"champion"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Body, `id="name-error"`) || !strings.Contains(res.Body, `id="email-error"`) || !strings.Contains(res.Body, "<details class=\"add-form\" open") {
		t.Error("invalid stakeholder: messages or open form missing")
	}
	sts, _ := account.NewStore(a.DB).Stakeholders(context.Background(), at.scopeAdmin, acct.ID)
	stPath := path + "/stakeholders/" + sts[0].ID.String()
	wantStatus(t, at.AdminC.get(stPath+"/edit"), http.StatusOK)
	wantStatus(t, at.AdminC.postForm(stPath, url.Values{"version": {"1"}, "name": {"Carla C"}, "buying_role": {"decision_maker"}, "strength": {"strong"}}), http.StatusSeeOther)
	wantStatus(t, at.AdminC.postForm(stPath, url.Values{"version": {"1"}, "name": {"Stale"}, "buying_role": {"user"}, "strength": {"strong"}}), http.StatusConflict)

	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	res = at.AdminC.postForm(path+"/interactions", url.Values{"occurred_on": {yesterday}, "kind": {"meeting"}, "summary": {"Met the CEO"},
		"participants": {sts[0].ID.String()}, "next_step": {"Send offer"}, "next_step_due": {"2020-01-01"}, "next_step_owner": {at.KAM.UserID.String()}})
	wantStatus(t, res, http.StatusSeeOther)
	home := at.KAMC.get("/")
	if !strings.Contains(home.Body, "Send offer") || !strings.Contains(home.Body, "Globex") {
		t.Fatal("the KAM's dashboard does not list the overdue next step")
	}
	if strings.Contains(at.LeaderC.get("/").Body, "Send offer") {
		t.Fatal("someone else's next step on the leader's dashboard")
	}
	res = at.AdminC.postForm(path+"/interactions", url.Values{"occurred_on": {""}, "kind": {"meeting"}, "summary": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Body, `id="summary-error"`) {
		t.Error("no message beside the summary")
	}
	is, _, _ := account.NewStore(a.DB).Interactions(context.Background(), at.scopeAdmin, acct.ID, 0)
	// The KAM owns the step, so may tick it off without edit rights.
	wantStatus(t, at.KAMC.postForm(path+"/interactions/"+is[0].ID.String()+"/step", url.Values{"done": {"true"}, "back": {"home"}}), http.StatusSeeOther)
	if strings.Contains(at.KAMC.get("/").Body, "Send offer") {
		t.Fatal("a done step is still overdue")
	}
	timeline := at.KAMC.get(path + "/interactions")
	wantStatus(t, timeline, http.StatusOK)
	if !strings.Contains(timeline.Body, "Met the CEO") {
		t.Fatal("timeline lacks the interaction")
	}
	// Editing (issue 17): the form shows what was logged; a change is
	// saved with its version and audited field by field; a blank summary
	// is refused beside the field with nothing written; a stale version
	// is a conflict. The done next step stays done while its text stays.
	iPath := path + "/interactions/" + is[0].ID.String()
	edit := at.AdminC.get(iPath + "/edit")
	wantStatus(t, edit, http.StatusOK)
	for _, want := range []string{">Met the CEO</textarea>", `value="Send offer"`, `name="version" value="2"`} {
		if !strings.Contains(edit.Body, want) {
			t.Errorf("edit form lacks %q", want)
		}
	}
	changed := url.Values{"version": {"2"}, "occurred_on": {yesterday}, "kind": {"call"}, "summary": {"Called the CEO"},
		"next_step": {"Send offer"}, "next_step_due": {"2020-01-01"}, "next_step_owner": {at.KAM.UserID.String()}}
	blank := url.Values{"version": {"2"}, "occurred_on": {yesterday}, "kind": {"call"}, "summary": {""}}
	res = at.AdminC.postForm(iPath, blank)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Body, `id="summary-error"`) || !strings.Contains(res.Body, `aria-invalid="true"`) {
		t.Error("blank summary: no message beside the field")
	}
	wantStatus(t, at.AdminC.postForm(iPath, changed), http.StatusSeeOther)
	got, err := account.NewStore(a.DB).Interaction(context.Background(), at.scopeAdmin, acct.ID, is[0].ID)
	if err != nil || got.Kind != account.KindCall || got.Summary != "Called the CEO" || len(got.People) != 0 || got.Version != 3 ||
		got.NextStepDoneAt.IsZero() {
		t.Errorf("after the edit: %+v %v", got, err)
	}
	res = at.AdminC.postForm(iPath, changed) // version 2 again: stale
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "Called the CEO") {
		t.Error("the conflict page does not show the saved summary")
	}
	var before, after string
	if err := a.DB.Tx(context.Background(), at.scopeAdmin, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT before->>'summary', after->>'summary' FROM audit_events
			WHERE tenant_id = $1 AND entity = 'interaction' AND entity_id = $2 AND action = 'update'`, at.scopeAdmin.TenantID, is[0].ID.String()).Scan(&before, &after)
	}); err != nil || before != "Met the CEO" || after != "Called the CEO" {
		t.Errorf("audit of the edit: %q → %q, %v", before, after, err)
	}
	wantStatus(t, at.KAMC.get(iPath+"/edit"), http.StatusForbidden)
	wantStatus(t, at.KAMC.postForm(path+"/interactions/"+is[0].ID.String()+"/delete", nil), http.StatusForbidden)
	wantStatus(t, at.AdminC.postForm(path+"/interactions/"+is[0].ID.String()+"/delete", nil), http.StatusSeeOther)
	wantStatus(t, at.AdminC.postForm(stPath+"/delete", nil), http.StatusSeeOther)
}

func TestImportHandlers(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Acme")
	good := "\ufeffname;external_ref;annual_revenue\nGlobex;G-1;1.000,50\nInitech;I-1;2000\n"

	importID := func(res response) string {
		t.Helper()
		wantStatus(t, res, http.StatusSeeOther)
		m := regexp.MustCompile(`^/accounts/import/([0-9a-f-]{36})$`).FindStringSubmatch(res.Location)
		if m == nil {
			t.Fatalf("location %q", res.Location)
		}
		return m[1]
	}
	t.Run("OK", func(t *testing.T) {
		id := importID(at.LeaderC.postMultipart("/accounts/import", "file", "accounts.csv", []byte(good)))
		mapping := at.LeaderC.get("/accounts/import/" + id)
		wantStatus(t, mapping, http.StatusOK)
		if !strings.Contains(mapping.Body, `<option value="external_ref" selected`) {
			t.Fatal("mapping not guessed")
		}
		q := url.Values{"map": {"name", "external_ref", "annual_revenue"}}
		preview := at.LeaderC.get("/accounts/import/" + id + "?" + q.Encode())
		wantStatus(t, preview, http.StatusOK)
		if !strings.Contains(preview.Body, `id="count-create">2<`) || !strings.Contains(preview.Body, "Import 2 changes") {
			t.Fatal("preview does not say 2 creations")
		}
		res := at.LeaderC.postForm("/accounts/import/"+id, q)
		wantStatus(t, res, http.StatusSeeOther)
		list := at.LeaderC.get("/accounts")
		if !strings.Contains(list.Body, "Import done: 2 created") || !strings.Contains(list.Body, "Initech") {
			t.Fatal("accounts not imported")
		}
		// Re-import: nothing to do.
		id = importID(at.LeaderC.postMultipart("/accounts/import", "file", "accounts.csv", []byte(good)))
		preview = at.LeaderC.get("/accounts/import/" + id + "?" + q.Encode())
		if !strings.Contains(preview.Body, `id="count-unchanged">2<`) || !strings.Contains(preview.Body, "importing changes nothing") {
			t.Fatal("re-import preview")
		}
	})
	t.Run("BadRows", func(t *testing.T) {
		id := importID(at.AdminC.postMultipart("/accounts/import", "file", "bad.csv", []byte("name,annual_revenue\nOK Co,5\n,7\nNeg,-1\n")))
		q := url.Values{"map": {"name", "annual_revenue"}}
		preview := at.AdminC.get("/accounts/import/" + id + "?" + q.Encode())
		if !strings.Contains(preview.Body, "2 problems") || strings.Contains(preview.Body, "id=\"import-commit\"") {
			t.Fatal("preview of bad rows")
		}
		res := at.AdminC.postForm("/accounts/import/"+id, q)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if strings.Contains(at.AdminC.get("/accounts").Body, "OK Co") {
			t.Fatal("a bad import wrote rows")
		}
	})
	t.Run("LargeButAllowed", func(t *testing.T) {
		// 2 MiB: over the 1 MiB limit of ordinary forms, under 10 MiB.
		var b strings.Builder
		b.WriteString("name,external_ref,notes\n")
		for i := 0; b.Len() < 2<<20; i++ {
			fmt.Fprintf(&b, "Firm %d,R-%d,%s\n", i, i, strings.Repeat("x", 200))
		}
		importID(at.AdminC.postMultipart("/accounts/import", "file", "big.csv", []byte(b.String())))
	})
	t.Run("TooLarge", func(t *testing.T) {
		res := at.AdminC.postMultipart("/accounts/import", "file", "huge.csv", bytes.Repeat([]byte("a,b\n"), 3<<20))
		wantStatus(t, res, http.StatusRequestEntityTooLarge)
		if !strings.Contains(res.Body, "larger than 10 MiB") {
			t.Fatal("no message")
		}
	})
	t.Run("NotCSV", func(t *testing.T) {
		res := at.AdminC.postMultipart("/accounts/import", "file", "x.csv", []byte("name\nM\x01ller\n"))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, "control characters") {
			t.Fatal("no message about the file's content")
		}
	})
	t.Run("Windows1252", func(t *testing.T) {
		// Excel's "CSV" on a German Windows: semicolons, ü as 0xFC.
		id := importID(at.AdminC.postMultipart("/accounts/import", "file", "excel.csv", []byte("Name;Industry\nM\xfcller Stahl;Metalle\n")))
		q := url.Values{"map": {"name", "industry"}}
		preview := at.AdminC.get("/accounts/import/" + id + "?" + q.Encode())
		wantStatus(t, preview, http.StatusOK)
		if !strings.Contains(preview.Body, "read as Windows-1252") || !strings.Contains(preview.Body, "Müller Stahl") {
			t.Fatal("the file's encoding not recognised")
		}
		wantStatus(t, at.AdminC.postForm("/accounts/import/"+id, q), http.StatusSeeOther)
		if !strings.Contains(at.AdminC.get("/accounts?q=M%C3%BCller").Body, "Müller Stahl") {
			t.Fatal("not imported")
		}
	})
	t.Run("KAMForbidden", func(t *testing.T) {
		wantStatus(t, at.KAMC.postMultipart("/accounts/import", "file", "a.csv", []byte(good)), http.StatusForbidden)
	})
}
