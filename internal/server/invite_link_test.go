package server_test

import "html"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

var inviteFieldRe = regexp.MustCompile(`<input id="invite-link"[^>]*value="([^"]+)"`)

// The invitation's link is shown once, right after it is created, in a
// read-only field with a Copy button; a reload no longer shows it (the
// token is stored hashed), and the link shown is the one mailed, which
// opens the invitation.
func TestInviteLinkShownOnce(t *testing.T) {
	a := newTestApp(t)
	admin, _ := a.signup("Linkers", "admin@linkers.test")
	res := admin.postForm("/admin/invites", url.Values{"email": {"new@linkers.test"}, "role": {"kam"}})
	if res.Status != http.StatusSeeOther || res.Location != "/admin/users" {
		t.Fatalf("invite: %d → %q\n%s", res.Status, res.Location, res.Body)
	}
	page := admin.get("/admin/users")
	mustContain(t, page, "Invitation link for new@linkers.test", "readonly", `id="invite-link-copy"`, `data-copy="invite-link"`,
		`id="invite-link-status"`, `role="status"`, "It is shown only now", "hashed")
	m := inviteFieldRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no invitation link field:\n%s", page.Body)
	}
	link := html.UnescapeString(m[1])
	mailed := a.mailLink("new@linkers.test", "invited you to Linkers", "/invites/")
	if !strings.HasSuffix(link, mailed) || !strings.HasPrefix(link, "http") {
		t.Errorf("field holds %q, the mail links %q", link, mailed)
	}
	if again := admin.get("/admin/users"); strings.Contains(again.Body, `id="invite-link"`) || strings.Contains(again.Body, mailed) {
		t.Error("the invitation link is shown again after a reload")
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if res := a.client().get(u.Path); res.Status != http.StatusOK || !strings.Contains(res.Body, "Join Linkers") {
		t.Errorf("the link shown does not open the invitation: %d", res.Status)
	}
	// A refused invitation shows no link.
	if res := admin.postForm("/admin/invites", url.Values{"email": {"not an email"}, "role": {"kam"}}); res.Status != http.StatusUnprocessableEntity ||
		strings.Contains(res.Body, `id="invite-link"`) {
		t.Errorf("a refused invitation: %d", res.Status)
	}
}
