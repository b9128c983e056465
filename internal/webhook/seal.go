package webhook

import "crypto/aes"
import "crypto/cipher"
import "crypto/hmac"
import "crypto/rand"
import "crypto/sha256"
import "encoding/base64"
import "encoding/hex"
import "errors"
import "fmt"
import "os"
import "path/filepath"
import "strconv"
import "strings"

import "github.com/google/uuid"

// Key is the server's webhook key: it seals endpoints' signing secrets at
// rest (AES-256-GCM), so a copy of the database alone does not let anyone
// sign as Pareto. Losing it makes the secrets unreadable: rotate every
// endpoint's secret then.
type Key struct{ aead cipher.AEAD }

// KeySize is the length of a webhook key in bytes.
const KeySize = 32

// NewKey makes a Key from KeySize bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("webhook: key: want %d bytes, have %d", KeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	return &Key{aead: aead}, nil
}

// RandomKey makes a new random key (tests, and LoadKey's first run).
func RandomKey() *Key {
	raw := make([]byte, KeySize)
	_, _ = rand.Read(raw)
	k, _ := NewKey(raw)
	return k
}

// ParseKey reads a key written as base64 (standard or URL alphabet).
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil {
			return NewKey(raw)
		}
	}
	return nil, errors.New("webhook: key: not base64")
}

// LoadKey reads the key from file, making a new random one there (mode
// 0600) when the file does not exist yet.
func LoadKey(file string) (*Key, error) {
	b, err := os.ReadFile(file)
	if err == nil {
		return ParseKey(string(b))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("webhook: key: %w", err)
	}
	return NewKey(raw)
}

// seal encrypts an endpoint's secret, bound to its tenant and id (a
// sealed secret copied to another row does not open).
func (k *Key) seal(tenantID, endpointID uuid.UUID, secret string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, []byte(secret), aad(tenantID, endpointID))
}

// open decrypts what seal made.
func (k *Key) open(tenantID, endpointID uuid.UUID, sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("webhook: secret: too short")
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], aad(tenantID, endpointID))
	if err != nil {
		return "", fmt.Errorf("webhook: secret: cannot open (another server key?): %w", err)
	}
	return string(plain), nil
}

func aad(tenantID, endpointID uuid.UUID) []byte {
	return append(tenantID[:len(tenantID):len(tenantID)], endpointID[:]...)
}

// secretPrefix marks Pareto's webhook signing secrets.
const secretPrefix = "whsec_"

func newSecret() string {
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	return secretPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// Sign is the Webhook-Signature header value for a body sent at
// timestamp (Unix seconds) with secret: "v1=" and the lowercase hex
// HMAC-SHA256, keyed with the secret's bytes as shown to the admin, of
// the timestamp in decimal, a full stop, and the body.
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}
