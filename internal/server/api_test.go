package server_test

import "bytes"
import "context"
import "encoding/json"
import "io"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"
import "github.com/pb33f/libopenapi"
import validator "github.com/pb33f/libopenapi-validator"

import "pareto/internal/api"
import "pareto/internal/auth"
import "pareto/internal/db"

// The API's tests: every response any of them gets is validated against
// the OpenAPI document (api.Document) with libopenapi-validator, so the
// document cannot drift from what the API answers.

var (
	openAPIOnce      sync.Once
	openAPIValidator validator.Validator
	openAPIErr       error
	openAPIMu        sync.Mutex // the validator is not documented as safe for concurrent use
)

func docValidator(t testing.TB) validator.Validator {
	t.Helper()
	openAPIOnce.Do(func() {
		doc, err := libopenapi.NewDocument(api.Document)
		if err != nil {
			openAPIErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			openAPIErr = errs[0]
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				t.Errorf("openapi.json: %s: %s", e.Message, e.Reason)
			}
		}
		openAPIValidator = v
	})
	if openAPIErr != nil {
		t.Fatalf("openapi.json: %v", openAPIErr)
	}
	return openAPIValidator
}

// apiClient calls the API with a token (none: anonymous).
type apiClient struct {
	t     testing.TB
	app   *testApp
	token string
}

func (a *testApp) apiClient(token string) *apiClient { return &apiClient{t: a.t, app: a, token: token} }

type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r apiResponse) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem+json body.
func (r apiResponse) problem(t testing.TB) api.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d: content type %q, want application/problem+json: %s", r.Status, ct, r.Body)
	}
	var p api.Problem
	r.JSON(t, &p)
	return p
}

// fieldError is the message p has for field (of item index, or -1 for
// none), or "".
func fieldError(p api.Problem, index int, field string) string {
	for _, e := range p.Errors {
		if e.Field == field && ((e.Index == nil && index < 0) || (e.Index != nil && *e.Index == index)) {
			return e.Message
		}
	}
	return ""
}

// call sends method path (under /api/v1) with body (JSON-encoded unless
// a string or nil) and headers, and checks the response against the
// OpenAPI document.
func (c *apiClient) call(method, path string, body any, headers ...string) apiResponse {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, _ := http.NewRequest(method, c.app.URL+"/api/v1"+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	out := apiResponse{Status: res.StatusCode, Header: res.Header, Body: b}
	checkAgainstDocument(c.t, req, res, b)
	return out
}

// checkAgainstDocument validates one response against the document.
func checkAgainstDocument(t testing.TB, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	v := docValidator(t)
	res.Body = io.NopCloser(bytes.NewReader(body))
	vreq := req.Clone(context.Background())
	vreq.URL.Path = strings.TrimPrefix(vreq.URL.Path, "/api/v1")
	openAPIMu.Lock()
	ok, errs := v.ValidateHttpResponse(vreq, res)
	openAPIMu.Unlock()
	if !ok {
		for _, e := range errs {
			t.Errorf("%s %s → %d does not match openapi.json: %s: %s %v\n%s", req.Method, req.URL.Path, res.StatusCode, e.Message, e.Reason,
				e.SchemaValidationErrors, body)
		}
	}
}

// apiToken makes a token for member m of tf's tenant (the store does
// not check who may; the admin page does).
func apiToken(t testing.TB, a *testApp, sc db.Scope, scope auth.TokenScope, expires time.Time) (string, auth.Token) {
	t.Helper()
	secret, tok, err := a.Srv.Auth().CreateToken(context.Background(), sc, auth.TokenInput{Name: "Test " + string(scope), Scope: scope, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/api/docs", Public: true},
		accessRule{Method: "GET", Pattern: "/api/v1/openapi.json", Public: true},
		accessRule{Method: "GET", Pattern: "/admin/tokens", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/tokens", Roles: adminOnly}, // an empty form: 422
		accessRule{Method: "POST", Pattern: "/admin/tokens/{tokenID}/revoke", Roles: adminOnly},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts", API: true},
		accessRule{Method: "POST", Pattern: "/api/v1/accounts", API: true, Roles: leadersUp, JSON: `{"name": "Matrix Co"}`},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts/{accountID}", API: true},
		accessRule{Method: "PATCH", Pattern: "/api/v1/accounts/{accountID}", API: true, KAMOwn: true, JSON: `{"notes": "Matrix"}`},
		accessRule{Method: "POST", Pattern: "/api/v1/accounts/{accountID}/archive", API: true, KAMOwn: true},
		accessRule{Method: "PUT", Pattern: "/api/v1/accounts/by-ref/{ref}", API: true, Roles: leadersUp, ByRef: true, JSON: `{"name": "Matrix Ref"}`},
		accessRule{Method: "POST", Pattern: "/api/v1/accounts/bulk", API: true, Roles: leadersUp,
			JSON: `{"items": [{"external_ref": "MX-1", "name": "Matrix Bulk"}]}`},
		// Every member may send figures; the rows say whose (a 422 here).
		accessRule{Method: "POST", Pattern: "/api/v1/kpi-figures/bulk", API: true,
			JSON: `{"items": [{"account": "nobody", "month": "2026-01", "revenue": 1}]}`},
		accessRule{Method: "GET", Pattern: "/api/v1/shortlist", API: true, Roles: leadersUp},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts/{accountID}/stakeholders", API: true},
		accessRule{Method: "POST", Pattern: "/api/v1/accounts/{accountID}/stakeholders", API: true, KAMOwn: true,
			JSON: `{"name": "Matrix Person", "buying_role": "user"}`},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts/{accountID}/stakeholders/{stakeholderID}", API: true},
		accessRule{Method: "PATCH", Pattern: "/api/v1/accounts/{accountID}/stakeholders/{stakeholderID}", API: true, KAMOwn: true,
			JSON: `{"notes": "Matrix"}`},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts/{accountID}/interactions", API: true},
		accessRule{Method: "POST", Pattern: "/api/v1/accounts/{accountID}/interactions", API: true, KAMOwn: true,
			JSON: `{"occurred_on": "2026-01-05", "kind": "call", "summary": "Matrix call"}`},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts/{accountID}/interactions/{interactionID}", API: true},
		accessRule{Method: "PATCH", Pattern: "/api/v1/accounts/{accountID}/interactions/{interactionID}", API: true, KAMOwn: true,
			JSON: `{"next_step_done": true}`},
		accessRule{Method: "GET", Pattern: "/api/v1/accounts/{accountID}/scores", API: true},
		// If-Match "1" is no scores ETag: the roles that may score get 412.
		accessRule{Method: "PATCH", Pattern: "/api/v1/accounts/{accountID}/scores", API: true, KAMOwn: true,
			JSON: `{"cells": [{"criterion_id": "{criterionID}", "score": 7}]}`},
		accessRule{Method: "GET", Pattern: "/api/v1/plans", API: true},
		accessRule{Method: "GET", Pattern: "/api/v1/plans/{planID}", API: true},
		accessRule{Method: "GET", Pattern: "/api/v1/key-status-changes", API: true},
	)
	fixtureSetups = append(fixtureSetups, func(t *testing.T, a *testApp, tf *tenantFixture) {
		_, tok := apiToken(t, a, tf.scope(auth.RoleAdmin), auth.TokenRead, time.Time{})
		tf.IDs["tokenID"] = tok.ID.String()
		tf.IDs["ref"] = "REF-" + tf.ID.String()[:8]
		id, _ := uuid.Parse(tf.IDs["accountID"])
		if err := a.DB.Tx(context.Background(), tf.scope(auth.RoleAdmin), func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), "UPDATE accounts SET external_ref = $2 WHERE id = $1", id, tf.IDs["ref"])
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAPIAccessMatrix walks every API rule: anonymous and bad tokens get
// 401, a read-only token writing 403, each role's token the rule's
// answer, and another tenant's record 404.
func TestAPIAccessMatrix(t *testing.T) {
	a := newTestApp(t)
	own := a.tenantFixture("Own Co")
	other := a.tenantFixture("Other Co")
	admin := own.scope(auth.RoleAdmin)
	readToken, _ := apiToken(t, a, admin, auth.TokenRead, time.Time{})
	revoked, revokedTok := apiToken(t, a, admin, auth.TokenWrite, time.Time{})
	if err := a.Srv.Auth().RevokeToken(context.Background(), admin, revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	expired, _ := apiToken(t, a, admin, auth.TokenWrite, time.Now().Add(time.Second))
	tokens := map[auth.Role]string{}
	for _, role := range auth.Roles {
		tokens[role], _ = apiToken(t, a, own.scope(role), auth.TokenWrite, time.Time{})
	}
	time.Sleep(1100 * time.Millisecond) // the expiring token expires
	otherAdmin := a.apiClient(mustToken(t, a, other.scope(auth.RoleAdmin)))

	for _, rule := range accessRules {
		if !rule.API {
			continue
		}
		t.Run(rule.Method+" "+rule.Pattern, func(t *testing.T) {
			path := strings.TrimPrefix(fill(t, rule.Pattern, own), "/api/v1")
			var body any
			if rule.JSON != "" {
				body = fill(t, rule.JSON, own)
			}
			for name, token := range map[string]string{"Anonymous": "", "Revoked": revoked, "Expired": expired, "Garbage": "pareto_" + own.ID.String() + ".nope"} {
				if res := a.apiClient(token).call(rule.Method, path, body, "If-Match", `"1"`); res.Status != http.StatusUnauthorized {
					t.Errorf("%s: got %d, want 401", name, res.Status)
				}
			}
			res := a.apiClient(readToken).call(rule.Method, path, body, "If-Match", `"1"`)
			if write := rule.Method != http.MethodGet; write && res.Status != http.StatusForbidden {
				t.Errorf("read-only token: got %d, want 403", res.Status)
			} else if !write && res.Status != http.StatusOK {
				t.Errorf("read-only token reading: got %d, want 200", res.Status)
			}
			for _, role := range auth.Roles {
				res := a.apiClient(tokens[role]).call(rule.Method, path, body, "If-Match", `"1"`)
				switch {
				case rule.allows(role) && (res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden ||
					res.Status == http.StatusNotFound || res.Status >= 500):
					t.Errorf("%s: got %d, want access: %s", role, res.Status, res.Body)
				case !rule.allows(role) && res.Status != http.StatusForbidden:
					t.Errorf("%s: got %d, want 403", role, res.Status)
				}
				if rule.KAMOwn && role == auth.RoleKAM {
					notMine := strings.Replace(path, own.IDs["accountID"], own.IDs["accountID.notmine"], 1)
					// A nested record (a stakeholder of the KAM's own account)
					// does not belong to the other account: 404 denies too.
					nested := strings.Count(rule.Pattern, "{") > 1
					if res := a.apiClient(tokens[role]).call(rule.Method, notMine, body, "If-Match", `"1"`); res.Status != http.StatusForbidden &&
						!(nested && res.Status == http.StatusNotFound) {
						t.Errorf("kam on another KAM's account: got %d, want 403", res.Status)
					}
				}
			}
			if strings.Contains(rule.Pattern, "{") && !rule.ByRef {
				otherPath := strings.TrimPrefix(fill(t, rule.Pattern, other), "/api/v1")
				if res := a.apiClient(tokens[auth.RoleAdmin]).call(rule.Method, otherPath, body, "If-Match", `"1"`); res.Status != http.StatusNotFound {
					t.Errorf("other tenant's record: got %d, want 404", res.Status)
				}
			}
			if rule.ByRef {
				// The other tenant's reference creates an account here and
				// leaves theirs alone.
				otherPath := strings.TrimPrefix(fill(t, rule.Pattern, other), "/api/v1")
				a.apiClient(tokens[auth.RoleAdmin]).call(rule.Method, otherPath, body)
				res := otherAdmin.call(http.MethodGet, "/accounts/"+other.IDs["accountID"], nil)
				var acc struct{ Name string }
				res.JSON(t, &acc)
				if acc.Name == "Matrix Ref" {
					t.Error("a reference upsert changed another tenant's account")
				}
			}
		})
	}
}

func mustToken(t testing.TB, a *testApp, sc db.Scope) string {
	s, _ := apiToken(t, a, sc, auth.TokenWrite, time.Time{})
	return s
}

// TestAPIDocumentNamesEveryRoute: the document describes exactly the
// routes the router serves under /api/v1.
func TestAPIDocumentNamesEveryRoute(t *testing.T) {
	a := newTestApp(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.Document, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for p, item := range doc.Paths {
		for m := range item {
			if m != "parameters" {
				documented[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	served := map[string]bool{}
	_ = chi.Walk(a.Srv.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if rest, ok := strings.CutPrefix(route, "/api/v1"); ok && method != http.MethodHead {
			served[method+" "+rest] = true
		}
		return nil
	})
	for k := range served {
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("openapi.json names %s, which the router does not serve", k)
		}
	}
	docValidator(t)
}

// TestAdminTokensPage: an admin creates a token on the page, sees it once,
// the database keeps only its hash, the API takes it, and revoking it on
// the page stops it at once.
func TestAdminTokensPage(t *testing.T) {
	a := newTestApp(t)
	admin, m := a.signup("Token Co", "admin@tokenco.test")
	res := admin.postForm("/admin/tokens", url.Values{"name": {""}, "scope": {"admin"}, "expires_at": {"2001-01-01"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Name the token") ||
		!strings.Contains(res.Body, "Choose read only or read and write.") || !strings.Contains(res.Body, "Choose a date in the future") {
		t.Fatalf("invalid form: %d", res.Status)
	}
	res = admin.postForm("/admin/tokens", url.Values{"name": {"Salesforce sync"}, "scope": {"write"}})
	secret := regexp.MustCompile(`pareto_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`).FindString(res.Body)
	if res.Status != http.StatusOK || secret == "" {
		t.Fatalf("create: %d, no secret on the page", res.Status)
	}
	if strings.Contains(admin.get("/admin/tokens").Body, secret) {
		t.Error("the token list shows the secret again")
	}
	var stored []byte
	var id uuid.UUID
	if err := a.DB.Tx(context.Background(), db.Scope{TenantID: m.TenantID}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT id, token_hash FROM api_tokens").Scan(&id, &stored)
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored), secret) || len(stored) != 32 {
		t.Error("the token is not stored as a SHA-256 hash")
	}
	c := a.apiClient(secret)
	apiWant(t, c.call("GET", "/accounts", nil), http.StatusOK)
	if !strings.Contains(admin.get("/admin/tokens").Body, "Salesforce sync") {
		t.Error("the token is not listed")
	}
	res = admin.postForm("/admin/tokens/"+id.String()+"/revoke", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	apiWant(t, c.call("GET", "/accounts", nil), http.StatusUnauthorized)
	if body := admin.get("/admin/audit").Body; !strings.Contains(body, "api_token") {
		t.Error("token creation and revocation are not in the audit log")
	}
	if res := a.client().get("/api/docs"); res.Status != http.StatusOK || !strings.Contains(res.Body, "/api/v1/accounts/bulk") {
		t.Errorf("reference page: %d", res.Status)
	}
}
