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
import "pareto/internal/mail/mailtest"
import "pareto/internal/notify"
import "pareto/internal/server"

var notificationIDRe = regexp.MustCompile(`name="notification_id" value="([0-9a-f-]{36})"`)

// TestNotificationsPage: assigning a KAM and joining a team notify the
// person at the write; the bell counts them in its accessible name; the
// list opens one (read, then its record); nobody else can mark it.
func TestNotificationsPage(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	other := asgNewTeam(t, a, "Globex")
	acc := tm.account(t, "Bosch", "EMEA", uuid.Nil)

	t.Run("Empty", func(t *testing.T) {
		home := tm.ann.get("/")
		asgWant(t, home, http.StatusOK, `aria-label="Notifications, none unread"`)
		asgWant(t, tm.ann.get("/notifications"), http.StatusOK, "No notifications yet")
	})

	res := tm.leader.postForm("/accounts/"+acc.String()+"/assignment", url.Values{"kam_user_id": {tm.annM.UserID.String()}, "version": {"1"}})
	asgWant(t, res, http.StatusSeeOther)
	res = tm.leader.postForm("/accounts/"+acc.String()+"/team", url.Values{"user_id": {tm.bobM.UserID.String()}, "team_role": {"finance"}})
	asgWant(t, res, http.StatusSeeOther)
	// The leader adding themself is told nothing.
	asgWant(t, tm.leader.postForm("/accounts/"+acc.String()+"/team", url.Values{"user_id": {tm.leaderM.UserID.String()}, "team_role": {"executive_sponsor"}}),
		http.StatusSeeOther)

	var annsID string
	t.Run("BellAndList", func(t *testing.T) {
		// Ann, now Bosch's KAM, is told of it, and (the keeper's refresh
		// after the write) of its warning: nobody is mapped as decision
		// maker. Two unread.
		asgWant(t, tm.ann.get("/"), http.StatusOK, `aria-label="Notifications, 2 unread"`, `<span class="bell-count" aria-hidden="true">2</span>`)
		list := tm.ann.get("/notifications")
		asgWant(t, list, http.StatusOK, "Bosch was assigned to you", "Accounts assigned to you",
			"Bosch: No decision maker mapped", "Relationship warnings", "Mark all as read")
		i := strings.Index(list.Body, "Bosch was assigned to you")
		m := notificationIDRe.FindAllStringSubmatch(list.Body[:i], -1)
		if m == nil {
			t.Fatalf("no notification id in\n%s", list.Body)
		}
		annsID = m[len(m)-1][1]
		asgWant(t, tm.bob.get("/notifications"), http.StatusOK, "You were added to the team of Bosch (finance)")
		asgWant(t, tm.leader.get("/notifications"), http.StatusOK, "No notifications yet")
	})

	t.Run("OthersGet404", func(t *testing.T) {
		for name, c := range map[string]*client{"same tenant": tm.bob, "other tenant": other.ann} {
			if res := c.postForm("/notifications/read", url.Values{"notification_id": {annsID}}); res.Status != http.StatusNotFound {
				t.Errorf("%s marking Ann's notification: %d, want 404", name, res.Status)
			}
		}
		if res := tm.ann.postForm("/notifications/read", url.Values{"notification_id": {"nope"}}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("a malformed id: %d, want 422", res.Status)
		}
		asgWant(t, tm.ann.get("/"), http.StatusOK, `aria-label="Notifications, 2 unread"`)
	})

	t.Run("OpenMarksRead", func(t *testing.T) {
		res := tm.ann.postForm("/notifications/read", url.Values{"notification_id": {annsID}})
		if res.Status != http.StatusSeeOther || res.Location != "/accounts/"+acc.String() {
			t.Fatalf("open: %d → %q, want 303 → the account", res.Status, res.Location)
		}
		asgWant(t, tm.ann.get("/"), http.StatusOK, `aria-label="Notifications, 1 unread"`)
		unread := tm.ann.get("/notifications?unread=1")
		asgWant(t, unread, http.StatusOK, "Bosch: No decision maker mapped")
		if strings.Contains(unread.Body, "Bosch was assigned to you") {
			t.Error("the opened notification is still in the unread list")
		}
		asgWant(t, tm.ann.get("/notifications"), http.StatusOK, "Bosch was assigned to you")
	})

	t.Run("ReadAll", func(t *testing.T) {
		res := tm.bob.postForm("/notifications/read-all", nil)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("read all: %d", res.Status)
		}
		asgWant(t, tm.bob.get("/notifications"), http.StatusOK, "1 notification marked as read.", `aria-label="Notifications, none unread"`)
	})
}

// TestDigestEmail: the tenant's run sends each person with unread
// notifications one digest a week through SMTP, listing them by kind with
// links; none to who opted out; none again the same week.
func TestDigestEmail(t *testing.T) {
	base := newTestApp(t)
	smtpd := mailtest.Start(t)
	a := serveOnConfig(t, base.DB, server.Config{BaseURL: "https://pareto.example.com", Mail: mustSMTP(t, smtpd)})
	_, ada := base.signup("Acme", "ada@acme.test") // the sign-up mail goes to base's outbox
	kim := a.addMember(ada, "kim@acme.test", "Kim KAM", auth.RoleKAM)
	lee := a.addMember(ada, "lee@acme.test", "Lee KAM", auth.RoleKAM)
	kc, lc := a.login("kim@acme.test"), a.login("lee@acme.test")
	a.Srv.WaitHealth() // the day's run the sign-ins started: nothing unread then

	res := lc.postForm("/me/notifications", url.Values{}) // the box unticked: off
	asgWant(t, res, http.StatusSeeOther)
	asgWant(t, lc.get("/me/notifications"), http.StatusOK, "You will get no digest email.", `name="digest" value="on">`)
	asgWant(t, kc.get("/me/notifications"), http.StatusOK, `name="digest" value="on" checked>`)

	acct := uuid.New()
	err := a.DB.Tx(context.Background(), db.Scope{TenantID: ada.TenantID}, func(tx pgx.Tx) error {
		_, err := notify.AddTx(context.Background(), tx, ada.TenantID, time.Now(),
			notify.Item{UserID: kim.UserID, Kind: notify.ActionOverdue, RecordID: acct, Period: "2026-12-01",
				Title: "Bosch: action “Call the CFO” is overdue", Link: "/plans/" + acct.String()},
			notify.Item{UserID: kim.UserID, Kind: notify.Risk, RecordID: acct, Period: "stale_contact@2026-12-01",
				Title: "Bosch: Stale contact — Cam", Link: "/accounts/" + acct.String() + "/health"},
			notify.Item{UserID: lee.UserID, Kind: notify.Risk, RecordID: acct, Period: "stale_contact@2026-12-01",
				Title: "Bosch: Stale contact — Cam", Link: "/accounts/" + acct.String() + "/health"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	a.Srv.RunTenant(ada.TenantID)
	a.Srv.WaitHealth()
	got := smtpd.WaitFor(t, "kim@acme.test", "Your Pareto week: 2 unread notifications", 20*time.Second)
	for _, want := range []string{"Hello Kim KAM,", "Overdue actions (1)", "- Bosch: action “Call the CFO” is overdue",
		"https://pareto.example.com/plans/" + acct.String(), "Relationship warnings (1)", "https://pareto.example.com/me/notifications"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, got.Text)
		}
	}
	if strings.Index(got.Text, "Overdue actions") > strings.Index(got.Text, "Relationship warnings") {
		t.Errorf("groups out of order:\n%s", got.Text)
	}

	// The same week again; then a reset mail through the same queue: when
	// it has arrived, anything queued before it has too.
	a.Srv.RunTenant(ada.TenantID)
	a.Srv.WaitHealth()
	if _, err := http.PostForm(a.URL+"/password/forgot", url.Values{"email": {"kim@acme.test"}}); err != nil {
		t.Fatal(err)
	}
	smtpd.WaitFor(t, "kim@acme.test", "Reset your Pareto password", 20*time.Second)
	if n := smtpd.Count("kim@acme.test"); n != 2 {
		t.Errorf("Kim got %d emails, want the digest and the reset only (no second digest this week)", n)
	}
	if n := smtpd.Count("lee@acme.test"); n != 0 {
		t.Errorf("Lee (opted out) got %d emails", n)
	}
	if n := smtpd.Count("ada@acme.test"); n != 0 {
		t.Errorf("Ada (nothing unread) got %d emails", n)
	}
}
