package auth

import "context"
import "crypto/rand"
import "crypto/subtle"
import "encoding/base64"
import "errors"
import "fmt"
import "runtime"
import "strings"
import "sync/atomic"
import "time"

import "golang.org/x/crypto/argon2"

import "pareto/internal/limits"

// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16

	MinPasswordLen = 12
	MaxPasswordLen = limits.Password
)

// Hasher runs argon2id under a semaphore sized to the CPUs: each hash
// holds 19 MiB and a full core for its duration, so more at once only
// thrash and grow memory. Callers beyond the slots wait in a bounded queue
// for at most MaxWait, then get ErrBusy (the server answers 503 with
// Retry-After), so a burst of logins can neither exhaust memory nor pile up
// without end.
type Hasher struct {
	slots   chan struct{}
	queue   chan struct{}
	MaxWait time.Duration

	running, peak atomic.Int64
}

// ErrBusy says every hashing slot stayed busy past the queue's deadline.
var ErrBusy = errors.New("auth: too many sign-ins at once")

// NewHasher returns a hasher running at most slots hashes at once, with
// at most queue callers waiting up to maxWait each. Zero slots refuse every
// hash with ErrBusy (tests use it to see the refusal).
func NewHasher(slots, queue int, maxWait time.Duration) *Hasher {
	slots, queue = max(slots, 0), max(queue, 0)
	return &Hasher{slots: make(chan struct{}, slots), queue: make(chan struct{}, queue+max(slots, 1)), MaxWait: maxWait}
}

// DefaultHasher has one slot per CPU, 64 waiting, 5 s of patience.
var DefaultHasher = NewHasher(runtime.NumCPU(), 64, 5*time.Second)

// Peak is the most hashes that ran at once since the hasher was made.
func (h *Hasher) Peak() int { return int(h.peak.Load()) }

// Slots is how many hashes may run at once.
func (h *Hasher) Slots() int { return cap(h.slots) }

func (h *Hasher) run(ctx context.Context, fn func()) error {
	select {
	case h.queue <- struct{}{}:
	default:
		return ErrBusy // the queue itself is full: refuse at once
	}
	defer func() { <-h.queue }()
	wait := time.NewTimer(h.MaxWait)
	defer wait.Stop()
	select {
	case h.slots <- struct{}{}:
	case <-wait.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("auth: waiting to hash: %w", ctx.Err())
	}
	defer func() { <-h.slots }()
	n := h.running.Add(1)
	for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
	}
	defer h.running.Add(-1)
	fn()
	return nil
}

// Hash returns an argon2id hash of pw in the PHC string format.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	var key []byte
	if err := h.run(ctx, func() { key = argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen) }); err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches hash, in constant time.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || mem > 4*argonMemory || t > 10 || p == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false, errBadHash
	}
	var got []byte
	if err := h.run(ctx, func() { got = argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want))) }); err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// HashPassword hashes with DefaultHasher (seeding and tests).
func HashPassword(pw string) (string, error) { return DefaultHasher.Hash(context.Background(), pw) }

// VerifyPassword verifies with DefaultHasher.
func VerifyPassword(hash, pw string) (bool, error) {
	return DefaultHasher.Verify(context.Background(), hash, pw)
}

var errBadHash = errors.New("auth: malformed password hash")

// dummyHash is verified against when the email is unknown, so a login
// takes as long whether or not the account exists.
var dummyHash = func() string {
	h, err := HashPassword("not-a-real-password-just-timing")
	if err != nil {
		panic(err)
	}
	return h
}()
