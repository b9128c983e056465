// Package mailtest runs a real SMTP server (emersion/go-smtp) inside a
// test, on a random local port, and keeps what it receives.
package mailtest

import "bytes"
import "io"
import "mime/quotedprintable"
import "net"
import "net/mail"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/emersion/go-smtp"

// Received is one message as the server got it.
type Received struct {
	From    string
	To      []string
	Subject string
	Text    string // the decoded body
}

// Server is an SMTP server for one test.
type Server struct {
	Addr string
	mu   sync.Mutex
	msgs []Received
	cond *sync.Cond
}

// Start serves SMTP on 127.0.0.1 until t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String()}
	s.cond = sync.NewCond(&s.mu)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }))
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the PARETO_SMTP_URL that reaches this server (no TLS, no auth).
func (s *Server) URL() string {
	return "smtp://" + s.Addr + "?tls=none&from=Pareto%20%3Cnoreply%40pareto.test%3E"
}

// WaitFor returns the first message to addr whose subject contains
// subject, waiting up to timeout for it to arrive.
func (s *Server) WaitFor(t testing.TB, addr, subject string, timeout time.Duration) Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	go func() { // wake the waiter at the deadline
		time.Sleep(timeout)
		s.cond.Broadcast()
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for _, m := range s.msgs {
			for _, to := range m.To {
				if strings.EqualFold(to, addr) && strings.Contains(m.Subject, subject) {
					return m
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: no message to %s about %q within %s (got %d messages)", addr, subject, timeout, len(s.msgs))
		}
		s.cond.Wait()
	}
}

// Count is how many messages arrived for addr.
func (s *Server) Count(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				n++
			}
		}
	}
	return n
}

type session struct {
	srv  *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	subject, _ := new(mimeDecoder).decode(m.Header.Get("Subject"))
	x.srv.mu.Lock()
	x.srv.msgs = append(x.srv.msgs, Received{From: x.from, To: x.to, Subject: subject, Text: string(text)})
	x.srv.mu.Unlock()
	x.srv.cond.Broadcast()
	return nil
}
