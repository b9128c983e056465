package mail_test

import "context"
import "io"
import "log/slog"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/mail"
import "pareto/internal/mail/mailtest"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSMTPDelivers sends through go-mail to a real SMTP server in the test.
func TestSMTPDelivers(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.NewSMTP(srv.URL(), "Pareto <noreply@x.test>")
	if err != nil {
		t.Fatal(err)
	}
	q := mail.NewQueue(s, quiet())
	link := "https://pareto.test/password/reset/abc_DEF-123=="
	q.Enqueue(mail.Message{To: "ada@acme.test", Subject: "Reset your Pareto password", Text: mail.Render("Hello Ada,", "", link)})
	got := srv.WaitFor(t, "ada@acme.test", "Reset your", 10*time.Second)
	if !strings.Contains(got.Text, link) || got.From != "noreply@pareto.test" {
		t.Fatalf("got from %q:\n%s", got.From, got.Text)
	}
	q.Close()
}

func TestNewSMTPErrBadURL(t *testing.T) {
	for _, u := range []string{"", "http://x", "smtp://", "smtp://h:port"} {
		if _, err := mail.NewSMTP(u, "a@b.test"); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	_, err := mail.NewSMTP("smtp://user:secret@h:nope", "a@b.test")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v must not show the password", err)
	}
}

func TestOutbox(t *testing.T) {
	o, err := mail.NewOutbox(t.TempDir(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	tenant := uuid.New()
	for i, to := range []string{"a@x.test", "b@x.test"} {
		m := mail.Message{To: to, Subject: "S", Text: "T", At: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)}
		if i == 1 {
			m.Tenant = tenant
		}
		if err := o.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	all, err := o.Messages(func(mail.Message) bool { return true })
	if err != nil || len(all) != 2 || all[0].To != "b@x.test" {
		t.Fatalf("newest first: %+v %v", all, err)
	}
	mine, _ := o.Messages(func(m mail.Message) bool { return m.Tenant == tenant })
	if len(mine) != 1 || mine[0].To != "b@x.test" {
		t.Fatalf("filtered: %+v", mine)
	}
}
