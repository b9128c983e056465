package mail

import "context"
import "net/mail"
import "net/url"
import "strconv"

import gomail "github.com/wneessen/go-mail"

// SMTP sends through an SMTP server.
type SMTP struct {
	client *gomail.Client
	from   string
}

// NewSMTP reads PARETO_SMTP_URL:
//
//	smtp://user:pass@host:587?from=Pareto%20%3Cnoreply@example.com%3E   STARTTLS required
//	smtps://user:pass@host:465                                        TLS from the start
//	smtp://host:25?tls=none                                           no TLS (a local relay, tests)
//
// tls=opportunistic uses STARTTLS when offered. defaultFrom applies when
// the URL has no from.
func NewSMTP(rawURL, defaultFrom string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, errf("PARETO_SMTP_URL %q: want smtp://[user:pass@]host[:port] or smtps://…", redact(rawURL))
	}
	q := u.Query()
	opts := []gomail.Option{gomail.WithTimeout(20e9)}
	port := 587
	switch {
	case u.Scheme == "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	case q.Get("tls") == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case q.Get("tls") == "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, errf("PARETO_SMTP_URL: bad port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	c, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, errf("smtp client: %w", err)
	}
	from := q.Get("from")
	if from == "" {
		from = defaultFrom
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, errf("from address %q: %w", from, err)
	}
	return &SMTP{client: c, from: from}, nil
}

// DefaultFrom is the sender when PARETO_SMTP_URL names none: noreply at
// the public URL's host.
func DefaultFrom(baseURL string) string {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "Pareto <noreply@" + host + ">"
}

// redact hides a URL's password for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return errf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return errf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return errf("send to %s: %w", m.To, err)
	}
	return nil
}
