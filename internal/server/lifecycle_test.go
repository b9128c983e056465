package server_test

import "context"
import "errors"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "net/url"
import "strings"
import "sync"
import "testing"
import "time"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/mail"
import "pareto/internal/mail/mailtest"
import "pareto/internal/server"

const newPassword = "quiet-meadow-lantern-42"

// TestPasswordResetByEmail: forgot → mail → link → new password → every
// old session dead → sign in with the new one; the link works once.
func TestPasswordResetByEmail(t *testing.T) {
	a := newTestApp(t)
	old, _ := a.signup("Acme", "ada@acme.test")
	other := a.login("ada@acme.test")

	anon := a.client()
	res := anon.postForm("/password/forgot", url.Values{"email": {"ADA@acme.test"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Check your email") {
		t.Fatalf("forgot: %d", res.Status)
	}
	link := a.mailLink("ada@acme.test", "Reset your Pareto password", "/password/reset/")
	if res := anon.get(link); res.Status != http.StatusOK || !strings.Contains(res.Body, "Choose a new password") {
		t.Fatalf("reset page: %d", res.Status)
	}
	// Weak: 422 with the meter's reading beside the field.
	res = anon.postForm(link, url.Values{"password": {"password1234"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="password-error"`) || !strings.Contains(res.Body, "Strength: Very weak") {
		t.Fatalf("weak password: %d", res.Status)
	}
	res = anon.postForm(link, url.Values{"password": {newPassword}})
	if res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("reset: %d %q", res.Status, res.Location)
	}
	for i, c := range []*client{old, other} {
		if res := c.get("/"); res.Status != http.StatusSeeOther || res.Location != "/login" {
			t.Fatalf("session %d still alive after the reset: %d", i, res.Status)
		}
	}
	if res := a.client().postForm("/login", url.Values{"email": {"ada@acme.test"}, "password": {testPassword}}); res.Status != http.StatusUnauthorized {
		t.Fatalf("old password: %d", res.Status)
	}
	if res := a.client().postForm("/login", url.Values{"email": {"ada@acme.test"}, "password": {newPassword}}); res.Status != http.StatusSeeOther {
		t.Fatalf("new password: %d", res.Status)
	}
	if res := anon.postForm(link, url.Values{"password": {"another-fresh-passphrase-7"}}); res.Status != http.StatusNotFound {
		t.Fatalf("second use of the link: %d, want 404", res.Status)
	}
}

// TestForgotDoesNotTell: an unknown email gets the same page and no mail
// (issue 13, hole 6).
func TestForgotDoesNotTell(t *testing.T) {
	a := newTestApp(t)
	a.signup("Acme", "ada@acme.test")
	known := a.client().postForm("/password/forgot", url.Values{"email": {"ada@acme.test"}})
	unknown := a.client().postForm("/password/forgot", url.Values{"email": {"bob@acme.test"}})
	if known.Status != unknown.Status || strings.ReplaceAll(known.Body, "ada@", "x@") != strings.ReplaceAll(unknown.Body, "bob@", "x@") {
		t.Fatalf("answers differ: %d vs %d", known.Status, unknown.Status)
	}
	a.mail("ada@acme.test", "Reset")
	time.Sleep(100 * time.Millisecond) // the queue had time to deliver one
	if msgs, _ := a.Srv.Outbox().Messages(func(m mail.Message) bool { return m.To == "bob@acme.test" }); len(msgs) != 0 {
		t.Fatal("mail went to an address without an account")
	}
}

// TestPasswordChange: the current password is required; the other
// sessions end, this one stays (with a new token).
func TestPasswordChange(t *testing.T) {
	a := newTestApp(t)
	c, _ := a.signup("Acme", "ada@acme.test")
	other := a.login("ada@acme.test")
	res := c.postForm("/me/password", url.Values{"current_password": {"wrong-one-entirely"}, "password": {newPassword}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="current_password-error"`) {
		t.Fatalf("wrong current: %d", res.Status)
	}
	res = c.postForm("/me/password", url.Values{"current_password": {testPassword}, "password": {"acme-acme-acme-2026"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "organisation") {
		t.Fatalf("password built from the tenant name: %d", res.Status)
	}
	before := c.cookie()
	res = c.postForm("/me/password", url.Values{"current_password": {testPassword}, "password": {newPassword}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", res.Status, res.Body)
	}
	if c.cookie() == before {
		t.Error("the session token was not renewed")
	}
	if res := c.get("/"); res.Status != http.StatusOK {
		t.Fatalf("this session ended: %d", res.Status)
	}
	if res := other.get("/"); res.Status != http.StatusSeeOther {
		t.Fatalf("the other session is alive: %d", res.Status)
	}
}

// TestSessionsPage: the person's sessions with device, IP and last seen;
// revoking one ends it; another person's session id does nothing; "sign
// out everywhere" ends this one too.
func TestSessionsPage(t *testing.T) {
	a := newTestApp(t)
	c, admin := a.signup("Acme", "ada@acme.test")
	phone := a.client()
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/login", strings.NewReader(url.Values{"email": {"ada@acme.test"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")
	if res := phone.do(req); res.Status != http.StatusSeeOther {
		t.Fatalf("phone login %d", res.Status)
	}
	kim := a.addMember(admin, "kim@acme.test", "Kim", auth.RoleKAM)
	kc := a.login("kim@acme.test")

	page := c.get("/me/sessions")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Safari on iPhone") || !strings.Contains(page.Body, "This device") ||
		!strings.Contains(page.Body, "127.0.0.1") || strings.Count(page.Body, `name="session_id"`) != 1 {
		t.Fatalf("sessions page: %d\n%s", page.Status, page.Body)
	}
	ids := sessionIDs(page.Body)
	// Kim cannot end Ada's session.
	kc.postForm("/me/sessions/revoke", url.Values{"session_id": {ids[0]}})
	if res := phone.get("/"); res.Status != http.StatusOK {
		t.Fatalf("another person revoked Ada's phone: %d", res.Status)
	}
	if res := c.postForm("/me/sessions/revoke", url.Values{"session_id": {ids[0]}}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	if res := phone.get("/"); res.Location != "/login" {
		t.Fatalf("revoked phone session still served: %d", res.Status)
	}
	if res := c.postForm("/me/sessions/revoke-all", url.Values{"confirm": {"yes"}}); res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("sign out everywhere: %d %q", res.Status, res.Location)
	}
	if res := c.get("/"); res.Location != "/login" {
		t.Fatal("this session survived signing out everywhere")
	}
	if res := kc.get("/"); res.Status != http.StatusOK {
		t.Fatalf("Kim was signed out too: %d", res.Status)
	}
	_ = kim
}

func sessionIDs(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `name="session_id" value="`)[1:] {
		out = append(out, part[:strings.Index(part, `"`)])
	}
	return out
}

// TestInviteNeverTakesAnExistingPassword: the takeover of hole 1. An
// attacker signs up a tenant, invites the victim's email and opens the
// link: the page asks no password of an existing account, a create-account
// post changes nothing, and the victim's password still works. Before the
// fix the invite page checked the victim's password with no throttle.
func TestInviteNeverTakesAnExistingPassword(t *testing.T) {
	a := newTestApp(t)
	_, victim := a.signup("Victim Co", "vic@victim.test")
	_, attacker := a.signup("Evil Co", "eve@evil.test")
	token, _, err := a.Srv.Auth().CreateInvite(context.Background(), scopeOf(attacker), "vic@victim.test", auth.RoleKAM)
	if err != nil {
		t.Fatal(err)
	}
	eve := a.client()
	page := eve.get("/invites/" + token)
	if page.Status != http.StatusOK || strings.Contains(page.Body, "current-password") {
		t.Fatalf("invite page %d asks for an existing password", page.Status)
	}
	for _, guess := range []string{testPassword, "wrong-guess-number-1"} {
		res := eve.postForm("/invites/"+token, url.Values{"name": {"Eve"}, "password": {guess}})
		if res.Status == http.StatusSeeOther || res.Status >= 500 {
			t.Fatalf("posting %q to the invite: %d", guess, res.Status)
		}
	}
	if eve.get("/").Status == http.StatusOK {
		t.Fatal("the attacker got a session")
	}
	if _, err := a.Srv.Auth().Member(context.Background(), attacker.TenantID, victim.UserID); err == nil {
		t.Fatal("the victim was added to the attacker's tenant")
	}
	a.login("vic@victim.test")
	// The same page for an email without an account, apart from the names.
	token2, _, _ := a.Srv.Auth().CreateInvite(context.Background(), scopeOf(attacker), "nobody@victim.test", auth.RoleKAM)
	other := a.client().get("/invites/" + token2)
	norm := func(s, email, tok string) string {
		return strings.NewReplacer(email, "E", tok, "T").Replace(s)
	}
	if norm(page.Body, "vic@victim.test", token) != norm(other.Body, "nobody@victim.test", token2) {
		t.Fatal("the invite page differs for an email with an account")
	}
}

// TestInviteJoinAfterSignIn: an existing person signs in, then joins with
// one button; a deactivated member is not reactivated and an existing
// member's role is not changed by an invitation (hole 2).
func TestInviteJoinAfterSignIn(t *testing.T) {
	a := newTestApp(t)
	_, acme := a.signup("Acme", "ada@acme.test")
	gc, globex := a.signup("Globex", "gus@globex.test")
	token, _, err := a.Srv.Auth().CreateInvite(context.Background(), scopeOf(globex), "ada@acme.test", auth.RoleLeader)
	if err != nil {
		t.Fatal(err)
	}
	token2, _, err := a.Srv.Auth().CreateInvite(context.Background(), scopeOf(globex), "ada@acme.test", auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	ada := a.client()
	ada.get("/invites/" + token) // signed out: the page remembers itself
	res := ada.postForm("/login", url.Values{"email": {"ada@acme.test"}, "password": {testPassword}})
	if res.Location != "/invites/"+token {
		t.Fatalf("after sign-in: %q, want back to the invitation", res.Location)
	}
	if page := ada.get(res.Location); !strings.Contains(page.Body, "Join Globex as Leader?") {
		t.Fatalf("signed-in invite page:\n%s", page.Body)
	}
	if res := gc.postForm("/invites/"+token+"/join", nil); res.Status != http.StatusConflict {
		t.Fatalf("someone else joining with Ada's invitation: %d, want 409", res.Status)
	}
	if res := ada.postForm("/invites/"+token+"/join", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("join: %d", res.Status)
	}
	if m, err := a.Srv.Auth().Member(context.Background(), globex.TenantID, acme.UserID); err != nil || m.Role != auth.RoleLeader {
		t.Fatalf("membership %+v %v", m, err)
	}
	// A second invitation (made before she joined, as admin) neither
	// changes her role nor, once she is deactivated, reactivates her.
	if _, err := a.Srv.Auth().JoinInvite(context.Background(), token2, acme.UserID); !errors.Is(err, auth.ErrAlreadyMember) {
		t.Fatalf("second invitation while a member: %v, want ErrAlreadyMember", err)
	}
	if _, err := a.Srv.Auth().UpdateMember(context.Background(), scopeOf(globex), acme.UserID, auth.RoleLeader, false, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Srv.Auth().JoinInvite(context.Background(), token2, acme.UserID); !errors.Is(err, auth.ErrMembershipEnded) {
		t.Fatalf("invitation of a deactivated member: %v, want ErrMembershipEnded", err)
	}
	if m, _ := a.Srv.Auth().Member(context.Background(), globex.TenantID, acme.UserID); m.Active || m.Role != auth.RoleLeader {
		t.Fatalf("membership changed: %+v", m)
	}
}

// TestInviteRevokeAndRace: a revoked invitation's link is dead; two
// accepts of one invitation at once: one wins, the other gets a clear
// message, never a 500 (hole 2).
func TestInviteRevokeAndRace(t *testing.T) {
	a := newTestApp(t)
	ac, admin := a.signup("Acme", "ada@acme.test")
	token, inv, err := a.Srv.Auth().CreateInvite(context.Background(), scopeOf(admin), "kim@acme.test", auth.RoleKAM)
	if err != nil {
		t.Fatal(err)
	}
	page := ac.get("/admin/users")
	if !strings.Contains(page.Body, "kim@acme.test") || !strings.Contains(page.Body, "Admin of Acme") {
		t.Fatal("pending invitation not listed with who sent it")
	}
	if res := ac.postForm("/admin/invites/"+inv.ID.String()+"/revoke", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke %d", res.Status)
	}
	if res := a.client().get("/invites/" + token); res.Status != http.StatusNotFound {
		t.Fatalf("revoked link: %d", res.Status)
	}
	if res := ac.get("/admin/audit?entity=invite"); !strings.Contains(res.Body, ">Revoke invite<") {
		t.Fatal("revocation not audited")
	}

	token, _, _ = a.Srv.Auth().CreateInvite(context.Background(), scopeOf(admin), "lee@acme.test", auth.RoleKAM)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = a.client().postForm("/invites/"+token, url.Values{"name": {"Lee"}, "password": {testPassword}}).Status
		})
	}
	wg.Wait()
	won, lost := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict, http.StatusNotFound:
			lost++
		default:
			t.Fatalf("an accept got %d", st)
		}
	}
	if won != 1 || lost != 1 {
		t.Fatalf("statuses %v: want one winner and one clear refusal", statuses)
	}
}

// TestOutboxPage: only in outbox mode, only the tenant's own mail.
func TestOutboxPage(t *testing.T) {
	a := newTestApp(t)
	ac, acme := a.signup("Acme", "ada@acme.test")
	_, globex := a.signup("Globex", "gus@globex.test")
	ac.postForm("/admin/invites", url.Values{"email": {"kim@acme.test"}, "role": {"kam"}})
	a.Srv.Auth().CreateInvite(context.Background(), scopeOf(globex), "secret@globex.test", auth.RoleKAM)
	a.mail("kim@acme.test", "invited you")
	page := ac.get("/admin/outbox")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "kim@acme.test") || strings.Contains(page.Body, "gus@globex.test") {
		t.Fatalf("outbox page %d:\n%s", page.Status, page.Body)
	}
	_ = acme
	smtp := serveOnConfig(t, a.DB, server.Config{BaseURL: "http://pareto.test", Mail: mustSMTP(t, mailtest.Start(t))})
	if res := smtp.login("ada@acme.test").get("/admin/outbox"); res.Status != http.StatusNotFound {
		t.Fatalf("outbox page with SMTP configured: %d, want 404", res.Status)
	}
}

// TestResetMailOverSMTP: with PARETO_SMTP_URL the reset mail is a real
// email, received by an SMTP server, its link on PARETO_BASE_URL.
func TestResetMailOverSMTP(t *testing.T) {
	a := newTestApp(t)
	a.signup("Acme", "ada@acme.test")
	smtpd := mailtest.Start(t)
	srv := server.New(server.Config{BaseURL: "https://pareto.example.com", Mail: mustSMTP(t, smtpd)}, a.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(srv)
	defer func() { ts.Close(); srv.Stop() }()
	if _, err := http.PostForm(ts.URL+"/password/forgot", url.Values{"email": {"ada@acme.test"}}); err != nil {
		t.Fatal(err)
	}
	got := smtpd.WaitFor(t, "ada@acme.test", "Reset your Pareto password", 10*time.Second)
	if !strings.Contains(got.Text, "https://pareto.example.com/password/reset/") {
		t.Fatalf("mail text:\n%s", got.Text)
	}
}

func mustSMTP(t *testing.T, srv *mailtest.Server) mail.Sender {
	s, err := mail.NewSMTP(srv.URL(), "Pareto <noreply@pareto.test>")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func scopeOf(m auth.Member) db.Scope { return db.Scope{TenantID: m.TenantID, UserID: m.UserID} }
