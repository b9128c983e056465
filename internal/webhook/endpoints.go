package webhook

import "context"
import "errors"
import "fmt"
import "net"
import "net/netip"
import "net/url"
import "slices"
import "strings"
import "time"
import "unicode"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

// Store manages a tenant's endpoints and reads its delivery log. Every
// method is for admins (the caller checks the role) and runs inside the
// scope's tenant.
type Store struct {
	DB  *db.DB
	Key *Key
	// AllowHTTPLocalhost lets endpoints use plain http to localhost,
	// 127.0.0.1 or ::1 (development: the --webhooks-allow-http-localhost
	// flag). Otherwise every endpoint is https.
	AllowHTTPLocalhost bool
}

// Endpoint is a registered receiver, as admins see it (never its secret).
type Endpoint struct {
	ID          uuid.UUID
	URL         string
	Description string
	Events      []string
	Enabled     bool
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EndpointInput is an endpoint as an admin describes it.
type EndpointInput struct {
	URL         string
	Description string
	Events      []string
	Enabled     bool
}

// state is what the audit log keeps of an endpoint.
func (in EndpointInput) state() map[string]any {
	return map[string]any{"url": in.URL, "description": in.Description, "events": in.Events, "enabled": in.Enabled}
}

// Validate checks in; allowHTTP is Store.AllowHTTPLocalhost.
func (in *EndpointInput) Validate(allowHTTP bool) db.FieldErrors {
	in.URL = strings.TrimSpace(in.URL)
	in.Description = strings.TrimSpace(in.Description)
	fe := db.FieldErrors{}
	if msg := checkURL(in.URL, allowHTTP); msg != "" {
		fe.Add("url", msg)
	}
	switch {
	case utf8.RuneCountInString(in.Description) > 200:
		fe.Add("description", "Use at most 200 characters.")
	case strings.ContainsFunc(in.Description, unicode.IsControl):
		fe.Add("description", "Use plain text without control characters.")
	}
	var events []string
	for _, e := range in.Events {
		if !KnownType(e) {
			fe.Add("events", "Choose events from the list.")
		} else if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	in.Events = events
	if len(in.Events) == 0 {
		fe.Add("events", "Choose at least one event to send.")
	}
	return fe
}

// checkURL says what is wrong with an endpoint URL ("" when nothing).
func checkURL(raw string, allowHTTP bool) string {
	if raw == "" {
		return "Enter the URL that receives the events, e.g. https://crm.example.com/hooks/pareto."
	}
	if len(raw) > 2000 {
		return "Use at most 2,000 characters."
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "Enter a full URL, e.g. https://crm.example.com/hooks/pareto."
	}
	if u.User != nil {
		return "Leave user names and passwords out of the URL: requests are signed instead."
	}
	if u.Fragment != "" {
		return "Leave out the #fragment: it is never sent."
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowHTTP || !localHost(u.Hostname()) {
			return "Use an https URL: events carry your customers' data."
		}
	default:
		return "Use an https URL."
	}
	host := u.Hostname()
	if localHost(host) {
		if !allowHTTP {
			return "This address is on the server itself; use the receiver's public address."
		}
		return ""
	}
	if ip, err := netip.ParseAddr(host); err == nil && !publicAddr(ip) {
		return "This is a private or reserved address; use the receiver's public address."
	}
	return ""
}

// localHost reports whether host names the machine itself.
func localHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// publicAddr reports whether ip may be reached by a delivery: not the
// machine itself, the private networks, link-local (cloud metadata),
// shared (carrier NAT), multicast or unspecified addresses.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// hostIP is the IP in a dialled address "host:port".
func hostIP(address string) (netip.Addr, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return netip.Addr{}, err
	}
	return netip.ParseAddr(host)
}

const endpointCols = `id, url, description, events, enabled, version, created_at, updated_at`

func scanEndpoint(r pgx.Row) (Endpoint, error) {
	var e Endpoint
	err := r.Scan(&e.ID, &e.URL, &e.Description, &e.Events, &e.Enabled, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	return e, err
}

// Endpoints lists the tenant's endpoints, oldest first.
func (s *Store) Endpoints(ctx context.Context, sc db.Scope) ([]Endpoint, error) {
	return db.Read(ctx, s.DB, sc, "webhook: endpoints", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Endpoint, error) {
		rows, _ := tx.Query(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Endpoint, error) { return scanEndpoint(r) })
	})
}

// Endpoint reads one endpoint; db.ErrNotFound for another tenant's.
func (s *Store) Endpoint(ctx context.Context, sc db.Scope, id uuid.UUID) (Endpoint, error) {
	return db.Read(ctx, s.DB, sc, "webhook: endpoint", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Endpoint, error) {
		return getEndpoint(ctx, tx, tenantID, id, false)
	})
}

func getEndpoint(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID, lock bool) (Endpoint, error) {
	return db.One(ctx, tx, "endpoint", scanEndpoint, lock, " FOR UPDATE",
		`SELECT `+endpointCols+` FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, tenantID, id)
}

// CreateEndpoint registers an endpoint and returns its signing secret,
// which is shown once. db.FieldErrors for a bad URL, description or
// events.
func (s *Store) CreateEndpoint(ctx context.Context, sc db.Scope, in EndpointInput) (string, Endpoint, error) {
	if fe := in.Validate(s.AllowHTTPLocalhost); len(fe) > 0 {
		return "", Endpoint{}, fe
	}
	secret := newSecret()
	id := uuid.New()
	var e Endpoint
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if e, err = scanEndpoint(tx.QueryRow(ctx, `INSERT INTO webhook_endpoints (tenant_id, id, url, description, events, enabled, secret_sealed)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+endpointCols,
			sc.TenantID, id, in.URL, in.Description, in.Events, in.Enabled, s.Key.seal(sc.TenantID, id, secret))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_tenants (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING`, sc.TenantID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "webhook_endpoint",
			EntityID: id.String(), After: in.state()})
	})
	if err != nil {
		return "", Endpoint{}, fmt.Errorf("webhook: create endpoint: %w", err)
	}
	return secret, e, nil
}

// UpdateEndpoint saves in over endpoint id at version: db.ErrNotFound,
// db.ErrConflict when the version is stale, db.FieldErrors.
func (s *Store) UpdateEndpoint(ctx context.Context, sc db.Scope, id uuid.UUID, in EndpointInput, version int) error {
	if fe := in.Validate(s.AllowHTTPLocalhost); len(fe) > 0 {
		return fe
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := getEndpoint(ctx, tx, sc.TenantID, id, true)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("endpoint %s changed: %w", id, db.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET url = $3, description = $4, events = $5, enabled = $6,
				version = version + 1, updated_at = $7 WHERE tenant_id = $1 AND id = $2`,
			sc.TenantID, id, in.URL, in.Description, in.Events, in.Enabled, time.Now()); err != nil {
			return err
		}
		was := EndpointInput{URL: cur.URL, Description: cur.Description, Events: cur.Events, Enabled: cur.Enabled}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "webhook_endpoint",
			EntityID: id.String(), Before: was.state(), After: in.state()})
	})
	if err != nil && !errors.As(err, new(db.FieldErrors)) {
		return fmt.Errorf("webhook: update endpoint: %w", err)
	}
	return err
}

// DeleteEndpoint removes an endpoint with its deliveries.
func (s *Store) DeleteEndpoint(ctx context.Context, sc db.Scope, id uuid.UUID) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := getEndpoint(ctx, tx, sc.TenantID, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id); err != nil {
			return err
		}
		was := EndpointInput{URL: cur.URL, Description: cur.Description, Events: cur.Events, Enabled: cur.Enabled}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "delete", Entity: "webhook_endpoint",
			EntityID: id.String(), Before: was.state()})
	})
	if err != nil {
		return fmt.Errorf("webhook: delete endpoint: %w", err)
	}
	return nil
}

// RotateSecret gives an endpoint a new signing secret (returned, shown
// once); the old one stops at once.
func (s *Store) RotateSecret(ctx context.Context, sc db.Scope, id uuid.UUID) (string, error) {
	secret := newSecret()
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := getEndpoint(ctx, tx, sc.TenantID, id, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET secret_sealed = $3, version = version + 1, updated_at = $4
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, s.Key.seal(sc.TenantID, id, secret), time.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "rotate_secret", Entity: "webhook_endpoint",
			EntityID: id.String()})
	})
	if err != nil {
		return "", fmt.Errorf("webhook: rotate secret: %w", err)
	}
	return secret, nil
}
