package server_test

import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"
import "time"

import "pareto/internal/auth"

var auditRow = regexp.MustCompile(`(?s)<tr>\s*<td>.*?</tr>`)

// auditRows are the rows of an audit log page.
func auditRows(t *testing.T, c *client, query string) []string {
	t.Helper()
	res := c.get("/admin/audit" + query)
	if res.Status != http.StatusOK {
		t.Fatalf("%s: %d\n%s", query, res.Status, res.Body)
	}
	_, body, _ := strings.Cut(res.Body, "<tbody>")
	return auditRow.FindAllString(body, -1)
}

// TestAuditLog reads the audit log as people do (issue 17): names, not
// ids; the fields an edit changed, before → after, in the tenant's number
// format; filters by record, record name, person and date, each narrowing
// to rows counted by hand; another tenant's events never shown.
func TestAuditLog(t *testing.T) {
	a := newTestApp(t)
	tf := a.tenantFixture("Audited")
	other := a.tenantFixture("Other Audited")
	admin, leader := tf.Clients[auth.RoleAdmin], tf.Clients[auth.RoleLeader]
	adminName, leaderName := tf.Members[auth.RoleAdmin].Name, tf.Members[auth.RoleLeader].Name

	// The admin creates an account; the leader changes its revenue and
	// region and leaves the rest.
	f := accountForm("Audit Target")
	f.Set("annual_revenue", "1000")
	f.Set("region", "")
	res := admin.postForm("/accounts", f)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	id := strings.TrimPrefix(res.Location, "/accounts/")
	f.Set("annual_revenue", "120,000")
	f.Set("region", "North")
	f.Set("version", "1")
	if res := leader.postForm("/accounts/"+id, f); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.Status, res.Body)
	}

	rows := auditRows(t, admin, "?record="+id)
	if len(rows) != 2 {
		t.Fatalf("the account's history has %d events, want 2 (created, edited)", len(rows))
	}
	edit, create := rows[0], rows[1]
	// Names, not ids: who, and which record (a link to its history).
	for _, want := range []string{">" + leaderName + "</td>", ">Update</td>", "Account", `?record=` + id + `" title="This record's history">Audit Target</a>`} {
		if !strings.Contains(edit, want) {
			t.Errorf("the edit's row lacks %q:\n%s", want, edit)
		}
	}
	if !strings.Contains(create, ">"+adminName+"</td>") || strings.Contains(edit, id+"</a>") {
		t.Error("the creator's name is not shown, or the record shows as an id")
	}
	// The two fields the edit changed, before → after, and nothing else.
	for _, want := range []string{
		`<span class="change-field">Annual revenue</span> <del>1,000.00</del>`, `<ins>120,000.00</ins>`,
		`<span class="change-field">Region</span> <del>—</del>`, `<ins>North</ins>`,
	} {
		if !strings.Contains(edit, want) {
			t.Errorf("the edit's changes lack %q:\n%s", want, edit)
		}
	}
	if n := strings.Count(edit, `class="change-field"`); n != 2 {
		t.Errorf("the edit lists %d changed fields, want 2", n)
	}
	if !strings.Contains(create, `<span class="change-field">Name</span> <ins>Audit Target</ins>`) {
		t.Errorf("the creation does not list what it set:\n%s", create)
	}

	// Filters, each kept in the URL: by record and person (one each), by
	// name (the account's two), by date (today: both; from tomorrow or to
	// yesterday: none).
	today := time.Now().UTC()
	for _, c := range []struct {
		query string
		want  int
	}{
		{"?record=" + id + "&actor=" + tf.Members[auth.RoleLeader].UserID.String(), 1},
		{"?record=" + id + "&actor=" + tf.Members[auth.RoleAdmin].UserID.String(), 1},
		{"?q=audit+targ", 2},
		{"?q=" + url.QueryEscape("Audit Target") + "&entity=account&action=update", 1},
		{"?q=zzzq", 0},
		{"?record=" + id + "&since=" + today.Format(time.DateOnly) + "&until=" + today.Format(time.DateOnly), 2},
		{"?record=" + id + "&since=" + today.AddDate(0, 0, 1).Format(time.DateOnly), 0},
		{"?record=" + id + "&until=" + today.AddDate(0, 0, -1).Format(time.DateOnly), 0},
	} {
		if got := len(auditRows(t, admin, c.query)); got != c.want {
			t.Errorf("%s: %d events, want %d", c.query, got, c.want)
		}
	}
	// The pages' links keep the filter.
	if body := admin.get("/admin/audit?q=audit&actor=" + tf.Members[auth.RoleLeader].UserID.String()).Body; !strings.Contains(body, `value="audit"`) ||
		!strings.Contains(body, `<option value="`+tf.Members[auth.RoleLeader].UserID.String()+`" selected>`) {
		t.Error("the filter form does not show the filter in force")
	}
	// A person as the record: the membership events name the member.
	members := strings.Join(auditRows(t, admin, "?entity=membership"), "")
	if !strings.Contains(members, `title="This record's history">`+leaderName+`</a>`) {
		t.Errorf("membership events do not name the member:\n%s", members)
	}
	// Another tenant: neither the record's events nor its name.
	if got := len(auditRows(t, other.Clients[auth.RoleAdmin], "?record="+id)); got != 0 {
		t.Errorf("another tenant sees %d of our events", got)
	}
	if body := other.Clients[auth.RoleAdmin].get("/admin/audit?q=audit").Body; strings.Contains(body, "Audit Target") {
		t.Error("another tenant finds our account by name")
	}
}
