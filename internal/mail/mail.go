// Package mail sends the app's email: password resets, invitations,
// signup confirmations. Two real senders: SMTP (PARETO_SMTP_URL) through
// go-mail, and, when SMTP is not configured, a file outbox that the demo's
// admins read in the app and that also goes to the log. A Queue sends in
// the background, so a request answers as fast whether or not it sends
// mail (no enumeration by timing).
package mail

import "context"
import "fmt"
import "log/slog"
import "sync"
import "time"

import "github.com/google/uuid"

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Text    string
	// Tenant, when the mail concerns one (an invitation), lets that
	// tenant's admins see it in the demo outbox.
	Tenant uuid.UUID
	At     time.Time
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Queue sends messages from a background goroutine, retrying a failed
// delivery three times (1 s, 4 s, 16 s apart). Enqueue never blocks on the
// network: a request's answer does not depend on the mail server.
type Queue struct {
	to   Sender
	log  *slog.Logger
	ch   chan Message
	wg   sync.WaitGroup
	stop chan struct{}
	once sync.Once
}

// NewQueue starts a queue of up to 1,000 waiting messages in front of to.
func NewQueue(to Sender, log *slog.Logger) *Queue {
	q := &Queue{to: to, log: log, ch: make(chan Message, 1000), stop: make(chan struct{})}
	q.wg.Add(1)
	go q.run()
	return q
}

// Enqueue hands m to the queue. A full queue drops the message with an
// error in the log (the caller's answer must not change).
func (q *Queue) Enqueue(m Message) {
	if m.At.IsZero() {
		m.At = time.Now()
	}
	select {
	case q.ch <- m:
	default:
		q.log.Error("mail queue full: message dropped", "to", m.To, "subject", m.Subject)
	}
}

func (q *Queue) run() {
	defer q.wg.Done()
	for {
		select {
		case m := <-q.ch:
			q.deliver(m)
		case <-q.stop:
			for {
				select {
				case m := <-q.ch:
					q.deliver(m)
				default:
					return
				}
			}
		}
	}
}

func (q *Queue) deliver(m Message) {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := q.to.Send(ctx, m)
		cancel()
		if err == nil {
			q.log.Info("mail sent", "to", m.To, "subject", m.Subject)
			return
		}
		if attempt == 4 {
			q.log.Error("mail not delivered", "to", m.To, "subject", m.Subject, "err", err)
			return
		}
		q.log.Warn("mail delivery failed; retrying", "to", m.To, "attempt", attempt, "err", err)
		select {
		case <-time.After(wait):
		case <-q.stop:
		}
		wait *= 4
	}
}

// Close delivers what is queued, then stops.
func (q *Queue) Close() {
	q.once.Do(func() { close(q.stop) })
	q.wg.Wait()
}

// Render fills a message body: lines joined, with the link on its own line.
func Render(lines ...string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

// errf wraps with the package's context.
func errf(format string, a ...any) error { return fmt.Errorf("mail: "+format, a...) }
