package mail

import "context"
import "crypto/rand"
import "encoding/hex"
import "encoding/json"
import "log/slog"
import "os"
import "path/filepath"
import "sort"
import "strings"

// Outbox keeps every message as a JSON file in a folder and writes it to
// the log: the demo's mail when no SMTP server is configured. Its page in
// the app exists only in this mode.
type Outbox struct {
	Dir string
	log *slog.Logger
}

// NewOutbox uses (and creates) dir.
func NewOutbox(dir string, log *slog.Logger) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, errf("outbox folder: %w", err)
	}
	return &Outbox{Dir: dir, log: log}, nil
}

// Send stores m and logs it, link included (demo mode only).
func (o *Outbox) Send(_ context.Context, m Message) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return errf("outbox: %w", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := m.At.UTC().Format("20060102T150405.000000000") + "-" + hex.EncodeToString(suffix) + ".json"
	tmp := filepath.Join(o.Dir, "."+name)
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return errf("outbox: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(o.Dir, name)); err != nil {
		return errf("outbox: %w", err)
	}
	o.log.Info("mail to outbox (no PARETO_SMTP_URL)", "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}

// Messages returns the stored messages, newest first, that keep says to.
func (o *Outbox) Messages(keep func(Message) bool) ([]Message, error) {
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		return nil, errf("outbox: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() > entries[j].Name() })
	var out []Message
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(o.Dir, e.Name()))
		if err != nil {
			return nil, errf("outbox: %w", err)
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			continue // not ours
		}
		if keep(m) {
			out = append(out, m)
		}
	}
	return out, nil
}
