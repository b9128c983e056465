package server_test

import "net/http"
import "net/http/httptest"
import "regexp"
import "strings"
import "testing"
import "time"

import "github.com/chromedp/chromedp"

import "pareto/internal/mail/mailtest"
import "pareto/internal/server"

// TestBrowserPasswordResetJourney: forgot password → the email arrives at
// a real SMTP server → follow its link → choose a new password (the meter
// judges it as one types) → every old session is dead → sign in with the
// new password.
func TestBrowserPasswordResetJourney(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.signup("Acme", "ada@acme.test")
	old := a.login("ada@acme.test") // a session on another device

	// This server mails through SMTP, and its links use its own address
	// (PARETO_BASE_URL), so the browser can follow them.
	smtpd := mailtest.Start(t)
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv := server.New(server.Config{BaseURL: base, Mail: mustSMTP(t, smtpd)}, a.DB, quietLog())
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(func() { ts.Close(); srv.Stop() })

	laptop := newBrowser(t)
	browserVisit(t, laptop, base+"/login", loginForm)
	browserFill(t, laptop, [][2]string{{"#email", "ada@acme.test"}, {"#password", testPassword}})
	browserClick(t, laptop, loginForm+" button[type=submit]", dashboardHeading)

	ctx := newBrowser(t)
	browserVisit(t, ctx, base+"/login", loginForm)
	browserClick(t, ctx, `a[href="/password/forgot"]`, `form[action="/password/forgot"]`)
	browserFill(t, ctx, [][2]string{{"#email", "ada@acme.test"}})
	// Wait for the answer page's own element: the form's page has a
	// "main h1" too, which a wait for it could find before the answer
	// arrives on a loaded machine.
	browserClick(t, ctx, `form[action="/password/forgot"] button[type=submit]`, "#mail-sent")
	if got := browserText(t, ctx, "main h1"); got != "Check your email" {
		t.Fatalf("after asking: %q; the page says:\n%s", got, browserText(t, ctx, "main"))
	}

	msg := smtpd.WaitFor(t, "ada@acme.test", "Reset your Pareto password", 15*time.Second)
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/password/reset/\S+`).FindString(msg.Text)
	if link == "" {
		t.Fatalf("no reset link on %s in the mail:\n%s", base, msg.Text)
	}
	browserVisit(t, ctx, link, "#password")
	// The meter reads as one types (htmx), before any submit.
	browserFill(t, ctx, [][2]string{{"#password", "password1234"}})
	browserDo(t, ctx, "wait for the meter", chromedp.WaitVisible(chromedp.CSS("#password-meter meter")))
	if got := browserText(t, ctx, "#password-meter"); !strings.Contains(got, "Very weak") {
		t.Errorf("meter for password1234 = %q", got)
	}
	browserDo(t, ctx, "type the new password", chromedp.SetValue(chromedp.CSS("#password"), newPassword))
	if got := browserValue(t, ctx, "#password"); got != newPassword {
		t.Fatalf("password field holds %q", got)
	}
	browserClick(t, ctx, `form[action^="/password/reset/"] button[type=submit]`, loginForm)
	if got := browserText(t, ctx, ".flash"); !strings.Contains(got, "every device was signed out") {
		t.Errorf("flash after the reset = %q", got)
	}

	// Old sessions are dead: the laptop's and the other device's.
	browserVisit(t, laptop, base+"/", loginForm)
	if res := old.get("/"); res.Status != http.StatusSeeOther || res.Location != "/login" {
		t.Fatalf("old session after the reset: %d", res.Status)
	}

	browserFill(t, ctx, [][2]string{{"#email", "ada@acme.test"}, {"#password", newPassword}})
	browserClick(t, ctx, loginForm+" button[type=submit]", dashboardHeading)
	if got := browserText(t, ctx, dashboardHeading); got != "Welcome, Admin of Acme" {
		t.Errorf("dashboard after signing in with the new password: %q", got)
	}
	assertNoConsoleErrors(t, ctx)
	assertNoConsoleErrors(t, laptop)
}
