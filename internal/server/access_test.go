package server_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/go-chi/chi/v5"

import "pareto/internal/auth"

// accessRule says who may use one route. Every route the router registers
// must have exactly one rule, so a new route cannot be forgotten.
type accessRule struct {
	Method  string
	Pattern string
	// Public routes are open to anonymous visitors.
	Public bool
	// Roles may use the route; nil means every signed-in role.
	Roles []auth.Role
	// KAMOwn: KAMs may use the route only on accounts assigned to them;
	// the matrix also tries the tenant's account that is not theirs
	// (tf.IDs["accountID.notmine"]) and expects 403.
	KAMOwn bool
	// Form is posted to POST routes (a harmless or invalid form is fine:
	// the matrix checks authorization, not the action).
	Form url.Values
	// API routes (/api/v1) authenticate with tokens: TestAPIAccessMatrix
	// checks them (anonymous → 401, read-only token writing → 403, revoked
	// or expired token → 401), sending JSON as the body of writes.
	API  bool
	JSON string
	// ByRef routes name a record by the tenant's own reference, not an
	// id: another tenant's reference names nothing of theirs.
	ByRef bool
}

var (
	everyone    []auth.Role
	adminOnly   = []auth.Role{auth.RoleAdmin}
	leadersUp   = []auth.Role{auth.RoleAdmin, auth.RoleLeader}
	accessRules = []accessRule{
		{Method: "GET", Pattern: "/healthz", Public: true},
		{Method: "GET", Pattern: "/static/*", Public: true},
		{Method: "GET", Pattern: "/signup", Public: true},
		{Method: "POST", Pattern: "/signup", Public: true},
		{Method: "GET", Pattern: "/login", Public: true},
		{Method: "POST", Pattern: "/login", Public: true},
		{Method: "POST", Pattern: "/logout", Public: true},
		{Method: "GET", Pattern: "/invites/{token}", Public: true},
		{Method: "POST", Pattern: "/invites/{token}", Public: true},
		// Answers a signed-out visitor with 303 /login itself.
		{Method: "POST", Pattern: "/invites/{token}/join", Public: true},
		{Method: "GET", Pattern: "/signup/{token}", Public: true},
		{Method: "POST", Pattern: "/signup/{token}", Public: true},
		{Method: "GET", Pattern: "/password/forgot", Public: true},
		{Method: "POST", Pattern: "/password/forgot", Public: true},
		{Method: "GET", Pattern: "/password/reset/{token}", Public: true},
		{Method: "POST", Pattern: "/password/reset/{token}", Public: true},
		{Method: "POST", Pattern: "/password/strength", Public: true},
		{Method: "GET", Pattern: "/me/password", Roles: everyone},
		{Method: "POST", Pattern: "/me/password", Roles: everyone}, // an empty form: 422
		{Method: "GET", Pattern: "/me/sessions", Roles: everyone},
		{Method: "POST", Pattern: "/me/sessions/revoke", Roles: everyone, Form: url.Values{"session_id": {"not-a-session"}}},
		// Without confirm=yes it answers 422, so the matrix's clients stay
		// signed in.
		{Method: "POST", Pattern: "/me/sessions/revoke-all", Roles: everyone},
		{Method: "GET", Pattern: "/", Roles: everyone},
		{Method: "POST", Pattern: "/tenant", Roles: everyone, Form: url.Values{"tenant_id": {"{tenantID}"}}},
		{Method: "GET", Pattern: "/admin/users", Roles: adminOnly},
		{Method: "POST", Pattern: "/admin/invites", Roles: adminOnly},
		{Method: "POST", Pattern: "/admin/invites/{inviteID}/revoke", Roles: adminOnly},
		{Method: "GET", Pattern: "/admin/outbox", Roles: adminOnly}, // exists in outbox mode, as in tests
		{Method: "POST", Pattern: "/admin/users/{userID}", Roles: adminOnly, Form: url.Values{"version": {"1"}, "role": {"kam"}, "active": {"true"}}},
		{Method: "GET", Pattern: "/admin/audit", Roles: adminOnly},
		{Method: "GET", Pattern: "/admin/settings", Roles: adminOnly},
		{Method: "POST", Pattern: "/admin/settings", Roles: adminOnly, Form: url.Values{"version": {"1"}, "locale": {"en"}}},
	}
)

func init() {
	fixtureSetups = append(fixtureSetups, func(t *testing.T, a *testApp, tf *tenantFixture) {
		tf.IDs["userID"] = tf.Members[auth.RoleKAM].UserID.String()
		tf.IDs["token"] = "not-a-token"
		tf.IDs["tenantID"] = tf.ID.String()
		_, inv, err := a.Srv.Auth().CreateInvite(context.Background(), tf.scope(auth.RoleAdmin), "invitee@"+tf.ID.String()+".test", auth.RoleKAM)
		if err != nil {
			t.Fatal(err)
		}
		tf.IDs["inviteID"] = inv.ID.String()
	})
}

var paramRe = regexp.MustCompile(`\{(\w+)\}`)

// fill puts tf's record ids into a route pattern.
func fill(t *testing.T, pattern string, tf *tenantFixture) string {
	if pattern == "/static/*" {
		return "/static/app.css"
	}
	return paramRe.ReplaceAllStringFunc(pattern, func(m string) string {
		name := m[1 : len(m)-1]
		id, ok := tf.IDs[name]
		if !ok {
			t.Fatalf("no fixture id for {%s} in %s: register one in fixtureSetups", name, pattern)
		}
		return id
	})
}

func (r accessRule) allows(role auth.Role) bool {
	if r.Public || r.Roles == nil {
		return true
	}
	for _, x := range r.Roles {
		if x == role {
			return true
		}
	}
	return false
}

func (c *client) request(method, path string, form url.Values) response {
	if method == http.MethodGet {
		return c.get(path)
	}
	return c.postForm(path, form)
}

// fillForm puts tf's record ids into form values written as {name}.
func fillForm(t *testing.T, form url.Values, tf *tenantFixture) url.Values {
	out := url.Values{}
	for k, vs := range form {
		for _, v := range vs {
			out.Add(k, fill(t, v, tf))
		}
	}
	return out
}

func TestAccessMatrix(t *testing.T) {
	a := newTestApp(t)
	own := a.tenantFixture("Own Co")
	other := a.tenantFixture("Other Co")

	rules := map[string]accessRule{}
	for _, r := range accessRules {
		rules[r.Method+" "+r.Pattern] = r
	}
	routes := map[string]bool{}
	err := chi.Walk(a.Srv.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(route, "/")
		if route == "" {
			route = "/"
		}
		if method == http.MethodHead {
			return nil
		}
		routes[method+" "+route] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range routes {
		if _, ok := rules[key]; !ok {
			t.Errorf("route %s has no access rule: add one to the access matrix", key)
		}
	}
	for key := range rules {
		if !routes[key] {
			t.Errorf("access rule %s names no route", key)
		}
	}

	for _, rule := range accessRules {
		if rule.Public || rule.API {
			continue
		}
		t.Run(rule.Method+" "+rule.Pattern, func(t *testing.T) {
			path := fill(t, rule.Pattern, own)
			form := fillForm(t, rule.Form, own)
			t.Run("Anonymous", func(t *testing.T) {
				res := a.client().request(rule.Method, path, form)
				if res.Status != http.StatusSeeOther || res.Location != "/login" {
					t.Fatalf("anonymous %s %s: got %d → %q, want 303 → /login", rule.Method, path, res.Status, res.Location)
				}
			})
			for _, role := range auth.Roles {
				t.Run(string(role), func(t *testing.T) {
					res := own.Clients[role].request(rule.Method, path, form)
					assertSecurityHeaders(t, res)
					if rule.allows(role) {
						if res.Status == http.StatusForbidden || res.Status == http.StatusNotFound || res.Status >= 500 ||
							res.Location == "/login" {
							t.Fatalf("%s %s %s: got %d, want access", role, rule.Method, path, res.Status)
						}
					} else if res.Status != http.StatusForbidden {
						t.Fatalf("%s %s %s: got %d, want 403", role, rule.Method, path, res.Status)
					}
				})
				if rule.KAMOwn && role == auth.RoleKAM {
					t.Run("kam/NotOwnAccount", func(t *testing.T) {
						notMine := strings.Replace(path, own.IDs["accountID"], own.IDs["accountID.notmine"], 1)
						res := own.Clients[role].request(rule.Method, notMine, form)
						// A nested record (a stakeholder of the KAM's own account)
						// does not belong to the other account: 404 denies too.
						nested := strings.Count(rule.Pattern, "{") > 1
						if res.Status != http.StatusForbidden && !(nested && res.Status == http.StatusNotFound) {
							t.Fatalf("kam %s %s (another KAM's account): got %d, want 403", rule.Method, notMine, res.Status)
						}
					})
				}
				if rule.allows(role) && strings.Contains(rule.Pattern, "{") {
					t.Run(string(role)+"/OtherTenant", func(t *testing.T) {
						otherPath := fill(t, rule.Pattern, other)
						res := own.Clients[role].request(rule.Method, otherPath, fillForm(t, rule.Form, other))
						if res.Status != http.StatusNotFound {
							t.Fatalf("%s %s %s (other tenant's record): got %d, want 404", role, rule.Method, otherPath, res.Status)
						}
					})
				}
			}
		})
	}
}

// assertSecurityHeaders checks what every response must carry.
func assertSecurityHeaders(t *testing.T, res response) {
	t.Helper()
	h := res.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("security headers missing: %v", h)
	}
}
