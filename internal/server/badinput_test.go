package server_test

import "net/http"
import "net/url"
import "strings"
import "testing"

import "pareto/internal/auth"

// garbageForms are the kinds of bad input every form decoder must answer
// with a 4xx (or a redirect for idempotent actions), never a 5xx.
func garbageForms(base url.Values) map[string]url.Values {
	fields := []string{"name", "external_ref", "annual_revenue", "revenue_potential", "customer_since", "status", "version",
		"role", "email", "password", "kam_user_id", "score", "weight", "target", "baseline", "due_date", "month", "revenue",
		"nps", "csat", "estimated_value", "expected_close", "capacity", "reason", "period", "tenant_id", "map"}
	with := func(v string) url.Values {
		f := url.Values{}
		for k, vs := range base {
			f[k] = vs
		}
		for _, k := range fields {
			f.Set(k, v)
		}
		return f
	}
	return map[string]url.Values{
		"Empty":          {},
		"InvalidUTF8":    with("\xff\xfe\xfd"),
		"WrongTypes":     with("not-a-number"),
		"NegativeMoney":  with("-1000000"),
		"HugeNumber":     with("99999999999999999999999999999999"),
		"DateOutOfRange": with("2026-13-45"),
		"FarFutureDate":  with("99999-01-01"),
		"NullByte":       with("a\x00b"),
		"LongField":      with(strings.Repeat("x", 300_000)),
	}
}

func TestEveryPostRouteRejectsBadInputWithout5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("sends many requests")
	}
	a := newTestApp(t)
	own := a.tenantFixture("Own Co")
	for _, rule := range accessRules {
		if rule.Method != http.MethodPost || rule.Pattern == "/logout" {
			continue
		}
		role := auth.RoleAdmin
		if !rule.Public && !rule.allows(role) {
			role = rule.Roles[0]
		}
		c := own.Clients[role]
		if rule.Public {
			c = a.client()
		}
		path := fill(t, rule.Pattern, own)
		t.Run(rule.Pattern, func(t *testing.T) {
			for name, form := range garbageForms(fillForm(t, rule.Form, own)) {
				res := c.postForm(path, form)
				if res.Status >= 500 {
					t.Errorf("%s: %s got %d", name, path, res.Status)
				}
			}
			for name, ctype := range map[string]string{
				"MalformedMultipart": "multipart/form-data; boundary=xyz",
				"NoBoundary":         "multipart/form-data",
				"JSON":               "application/json",
			} {
				req, _ := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader("--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n{{{"))
				req.Header.Set("Content-Type", ctype)
				if res := c.do(req); res.Status >= 500 {
					t.Errorf("%s: %s got %d", name, path, res.Status)
				}
			}
		})
	}
}
