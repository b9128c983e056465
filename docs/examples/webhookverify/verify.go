// Package webhookverify checks that a webhook request came from Pareto:
// the example of docs/integrations.md ("Webhooks"), compiled and run by
// Pareto's tests against real deliveries. Copy it into your receiver.
package webhookverify

import "crypto/hmac"
import "crypto/sha256"
import "encoding/hex"
import "errors"
import "net/http"
import "strconv"
import "strings"
import "time"

// Tolerance is how far a request's Webhook-Timestamp may be from now:
// older requests are refused, so a captured request cannot be replayed
// later by someone else.
const Tolerance = 5 * time.Minute

// Verify reports whether body, received with header h, was signed by
// Pareto with secret (the endpoint's "whsec_…" secret, used as it is
// shown). It returns the Webhook-Id to deduplicate by.
func Verify(secret string, h http.Header, body []byte, now time.Time) (id string, err error) {
	id = h.Get("Webhook-Id")
	ts := h.Get("Webhook-Timestamp")
	if id == "" || ts == "" {
		return "", errors.New("missing Webhook-Id or Webhook-Timestamp")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", errors.New("bad Webhook-Timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return "", errors.New("Webhook-Timestamp too far from now")
	}
	// The signed content: the timestamp as sent, a full stop, the raw body.
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	// The header may carry several signatures separated by spaces;
	// one that matches is enough.
	for _, sig := range strings.Fields(h.Get("Webhook-Signature")) {
		hexSig, ok := strings.CutPrefix(sig, "v1=")
		if !ok {
			continue
		}
		got, err := hex.DecodeString(hexSig)
		if err == nil && hmac.Equal(got, want) {
			return id, nil
		}
	}
	return "", errors.New("no valid Webhook-Signature")
}
