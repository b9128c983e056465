package server_test

import "context"
import "fmt"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/api"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/server"

type apiAccount struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	ExternalRef      *string `json:"external_ref"`
	Industry         string  `json:"industry"`
	Status           string  `json:"status"`
	AnnualRevenue    float64 `json:"annual_revenue"`
	RevenuePotential float64 `json:"revenue_potential"`
	Notes            string  `json:"notes"`
	Archived         bool    `json:"archived"`
	Version          int     `json:"version"`
}

// apiAdmin signs a tenant up and returns a read-write token's client for
// its admin.
func apiAdmin(t *testing.T, a *testApp, org string) (*apiClient, auth.Member) {
	t.Helper()
	_, admin := a.signup(org, "admin@"+strings.ToLower(strings.ReplaceAll(org, " ", ""))+".test")
	token, _ := apiToken(t, a, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, auth.TokenWrite, time.Time{})
	return a.apiClient(token), admin
}

func apiWant(t *testing.T, res apiResponse, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
}

func TestAPIAccountLifecycle(t *testing.T) {
	a := newTestApp(t)
	c, admin := apiAdmin(t, a, "Api Co")

	t.Run("ErrInvalid", func(t *testing.T) {
		res := c.call("POST", "/accounts", map[string]any{"name": "", "annual_revenue": -5, "status": "gone", "colour": "red"})
		apiWant(t, res, http.StatusUnprocessableEntity)
		p := res.problem(t)
		for field, want := range map[string]string{"name": "Enter a name.", "annual_revenue": "Enter an amount of zero or more.",
			"status": "Choose prospect, customer or former.", "colour": "Unknown or read-only field."} {
			if got := fieldError(p, -1, field); got != want {
				t.Errorf("%s: %q, want %q", field, got, want)
			}
		}
		apiWant(t, c.call("POST", "/accounts", "{not json"), http.StatusBadRequest)
		res = c.call("POST", "/accounts", strings.Repeat(" ", 1<<20+1))
		apiWant(t, res, http.StatusRequestEntityTooLarge)
	})

	res := c.call("POST", "/accounts", map[string]any{"name": "Siemens", "external_ref": "SF-001", "industry": "Industrial",
		"status": "customer", "annual_revenue": "1250000.50", "revenue_potential": 2000000})
	apiWant(t, res, http.StatusCreated)
	var acc apiAccount
	res.JSON(t, &acc)
	if acc.Name != "Siemens" || *acc.ExternalRef != "SF-001" || acc.AnnualRevenue != 1250000.50 || acc.Version != 1 || res.Header.Get("ETag") != `"1"` {
		t.Fatalf("created %+v, ETag %q", acc, res.Header.Get("ETag"))
	}
	if loc := res.Header.Get("Location"); loc != "/api/v1/accounts/"+acc.ID {
		t.Errorf("Location %q", loc)
	}

	t.Run("DuplicateRef", func(t *testing.T) {
		res := c.call("POST", "/accounts", map[string]any{"name": "Other", "external_ref": "SF-001"})
		apiWant(t, res, http.StatusUnprocessableEntity)
		if msg := fieldError(res.problem(t), -1, "external_ref"); msg == "" {
			t.Error("no external_ref error")
		}
	})

	get := c.call("GET", "/accounts/"+acc.ID, nil)
	apiWant(t, get, http.StatusOK)
	if get.Header.Get("ETag") != `"1"` {
		t.Errorf("ETag %q", get.Header.Get("ETag"))
	}

	t.Run("Update", func(t *testing.T) {
		apiWant(t, c.call("PATCH", "/accounts/"+acc.ID, map[string]any{"notes": "x"}), http.StatusPreconditionRequired)
		res := c.call("PATCH", "/accounts/"+acc.ID, map[string]any{"notes": "Met in March", "annual_revenue": 1300000}, "If-Match", `"1"`)
		apiWant(t, res, http.StatusOK)
		var up apiAccount
		res.JSON(t, &up)
		// Fields the body leaves out stay: industry, status, potential.
		if up.Notes != "Met in March" || up.AnnualRevenue != 1300000 || up.Industry != "Industrial" || up.Status != "customer" ||
			up.RevenuePotential != 2000000 || up.Version != 2 || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("updated %+v", up)
		}
		// The same edit on the version read before: 412, nothing written.
		stale := c.call("PATCH", "/accounts/"+acc.ID, map[string]any{"notes": "Overwrite"}, "If-Match", `"1"`)
		apiWant(t, stale, http.StatusPreconditionFailed)
		if stale.Header.Get("ETag") != `"2"` {
			t.Errorf("412 ETag %q, want the current \"2\"", stale.Header.Get("ETag"))
		}
		var now apiAccount
		c.call("GET", "/accounts/"+acc.ID, nil).JSON(t, &now)
		if now.Notes != "Met in March" {
			t.Errorf("a stale update overwrote notes: %q", now.Notes)
		}
		apiWant(t, c.call("PATCH", "/accounts/"+acc.ID, map[string]any{"name": ""}, "If-Match", `"2"`), http.StatusUnprocessableEntity)
		apiWant(t, c.call("PATCH", "/accounts/"+acc.ID, map[string]any{"name": "x"}, "If-Match", `abc`), http.StatusUnprocessableEntity)
		apiWant(t, c.call("PATCH", "/accounts/00000000-0000-0000-0000-000000000001", map[string]any{}, "If-Match", `"1"`), http.StatusNotFound)
	})

	t.Run("List", func(t *testing.T) {
		for i := range 5 {
			apiWant(t, c.call("POST", "/accounts", map[string]any{"name": fmt.Sprintf("Acct %02d", i), "industry": "Retail"}), http.StatusCreated)
		}
		var page struct {
			Data       []apiAccount `json:"data"`
			NextCursor *string      `json:"next_cursor"`
		}
		var names []string
		cursor := ""
		for range 4 {
			c.call("GET", "/accounts?industry=Retail&limit=2&cursor="+cursor, nil).JSON(t, &page)
			for _, x := range page.Data {
				names = append(names, x.Name)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		if got := strings.Join(names, ","); got != "Acct 00,Acct 01,Acct 02,Acct 03,Acct 04" {
			t.Errorf("pages: %s", got)
		}
		res := c.call("GET", "/accounts?status=gone&limit=0&order=sideways", nil)
		apiWant(t, res, http.StatusUnprocessableEntity)
		p := res.problem(t)
		for _, f := range []string{"status", "limit", "order"} {
			if fieldError(p, -1, f) == "" {
				t.Errorf("no error for %s", f)
			}
		}
		c.call("GET", "/accounts?q=siem", nil).JSON(t, &page)
		if len(page.Data) != 1 || page.Data[0].Name != "Siemens" {
			t.Errorf("q=siem: %+v", page.Data)
		}
	})

	t.Run("Archive", func(t *testing.T) {
		apiWant(t, c.call("POST", "/accounts/"+acc.ID+"/archive", nil, "If-Match", `"1"`), http.StatusPreconditionFailed)
		res := c.call("POST", "/accounts/"+acc.ID+"/archive", nil, "If-Match", `"2"`)
		apiWant(t, res, http.StatusOK)
		var ar apiAccount
		res.JSON(t, &ar)
		if !ar.Archived {
			t.Error("not archived")
		}
		var page struct{ Data []apiAccount }
		c.call("GET", "/accounts?archived=true", nil).JSON(t, &page)
		if len(page.Data) != 1 || page.Data[0].ID != acc.ID {
			t.Errorf("archived list: %+v", page.Data)
		}
	})

	t.Run("Audit", func(t *testing.T) {
		var n int
		if err := a.DB.Tx(context.Background(), db.Scope{TenantID: admin.TenantID}, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE entity = 'account' AND entity_id = $1
				AND actor_id = $2`, acc.ID, admin.UserID).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 3 { // create, update, archive
			t.Errorf("%d audit events, want 3", n)
		}
	})

	t.Run("ErrMediaType", func(t *testing.T) {
		req, _ := http.NewRequest("POST", a.URL+"/api/v1/accounts", strings.NewReader("name=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+c.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		checkAgainstDocument(t, req, res, b)
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("status %d, want 415", res.StatusCode)
		}
	})
}

func TestAPIUpsertByRef(t *testing.T) {
	a := newTestApp(t)
	c, _ := apiAdmin(t, a, "Ref Co")
	res := c.call("PUT", "/accounts/by-ref/HS-42", map[string]any{"name": "Bosch", "region": "EMEA", "annual_revenue": 100})
	apiWant(t, res, http.StatusCreated)
	var acc apiAccount
	res.JSON(t, &acc)
	if *acc.ExternalRef != "HS-42" || acc.Name != "Bosch" {
		t.Fatalf("created %+v", acc)
	}
	// Again with another revenue: the same account, updated; name kept.
	res = c.call("PUT", "/accounts/by-ref/HS-42", map[string]any{"annual_revenue": 250.5})
	apiWant(t, res, http.StatusOK)
	var up apiAccount
	res.JSON(t, &up)
	if up.ID != acc.ID || up.Name != "Bosch" || up.AnnualRevenue != 250.5 || up.Version != 2 {
		t.Fatalf("updated %+v", up)
	}
	// Unchanged: no new version.
	res = c.call("PUT", "/accounts/by-ref/HS-42", map[string]any{"annual_revenue": 250.5})
	apiWant(t, res, http.StatusOK)
	res.JSON(t, &up)
	if up.Version != 2 {
		t.Errorf("an unchanged upsert wrote version %d", up.Version)
	}
	// A new reference without a name cannot create.
	res = c.call("PUT", "/accounts/by-ref/HS-43", map[string]any{"region": "EMEA"})
	apiWant(t, res, http.StatusUnprocessableEntity)
	if fieldError(res.problem(t), -1, "external_ref") == "" {
		t.Errorf("no external_ref error: %s", res.Body)
	}
}

func TestAPIBulkUpsert(t *testing.T) {
	a := newTestApp(t)
	c, admin := apiAdmin(t, a, "Bulk Co")
	items := []map[string]any{
		{"external_ref": "B-1", "name": "One", "annual_revenue": 10},
		{"external_ref": "B-2", "name": "Two"},
		{"external_ref": "B-3", "name": "Three", "status": "customer"},
	}
	res := c.call("POST", "/accounts/bulk", map[string]any{"items": items}, "Idempotency-Key", "sync-1")
	apiWant(t, res, http.StatusOK)
	var out struct {
		Created, Updated, Unchanged int
		Items                       []struct {
			Index       int
			ID          string
			ExternalRef string `json:"external_ref"`
			Result      string
		}
	}
	res.JSON(t, &out)
	if out.Created != 3 || len(out.Items) != 3 || out.Items[1].ExternalRef != "B-2" || out.Items[1].Result != "create" {
		t.Fatalf("bulk: %s", res.Body)
	}
	count := func() int {
		var n int
		if err := a.DB.Tx(context.Background(), db.Scope{TenantID: admin.TenantID}, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT count(*) FROM accounts").Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("IdempotentReplay", func(t *testing.T) {
		again := c.call("POST", "/accounts/bulk", map[string]any{"items": items}, "Idempotency-Key", "sync-1")
		apiWant(t, again, http.StatusOK)
		if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(res.Body) {
			t.Errorf("replay: %s %s", again.Header, again.Body)
		}
		other := c.call("POST", "/accounts/bulk", map[string]any{"items": items[:1]}, "Idempotency-Key", "sync-1")
		apiWant(t, other, http.StatusUnprocessableEntity)
	})

	t.Run("ErrItemsAllOrNothing", func(t *testing.T) {
		bad := []map[string]any{
			{"external_ref": "B-1", "name": "One renamed"},
			{"external_ref": "B-9", "name": "Nine", "annual_revenue": "lots"},
			{"external_ref": "B-1", "name": "Dup"},
			{"name": "No ref"},
		}
		res := c.call("POST", "/accounts/bulk", map[string]any{"items": bad})
		apiWant(t, res, http.StatusUnprocessableEntity)
		p := res.problem(t)
		if fieldError(p, 3, "external_ref") != "Required." {
			t.Errorf("item 3: %s", res.Body)
		}
		res = c.call("POST", "/accounts/bulk", map[string]any{"items": bad[:3]})
		apiWant(t, res, http.StatusUnprocessableEntity)
		p = res.problem(t)
		if fieldError(p, 1, "annual_revenue") == "" || fieldError(p, 2, "external_ref") == "" {
			t.Errorf("per-item errors: %s", res.Body)
		}
		if n := count(); n != 3 {
			t.Errorf("%d accounts after a refused bulk write, want 3", n)
		}
		var one apiAccount
		c.call("GET", "/accounts/"+out.Items[0].ID, nil).JSON(t, &one)
		if one.Name != "One" {
			t.Errorf("a refused bulk write renamed B-1 to %q", one.Name)
		}
	})

	t.Run("ErrTooMany", func(t *testing.T) {
		many := make([]map[string]any, 1001)
		for i := range many {
			many[i] = map[string]any{"external_ref": fmt.Sprint("M-", i), "name": "M"}
		}
		res := c.call("POST", "/accounts/bulk", map[string]any{"items": many})
		apiWant(t, res, http.StatusUnprocessableEntity)
		apiWant(t, c.call("POST", "/accounts/bulk", map[string]any{"items": []any{}}), http.StatusUnprocessableEntity)
	})

	t.Run("UpdateAndKeep", func(t *testing.T) {
		res := c.call("POST", "/accounts/bulk", map[string]any{"items": []map[string]any{
			{"external_ref": "B-1", "annual_revenue": 20}, {"external_ref": "B-2", "name": "Two"}, {"external_ref": "B-4", "name": "Four"}}})
		apiWant(t, res, http.StatusOK)
		res.JSON(t, &out)
		if out.Created != 1 || out.Updated != 1 || out.Unchanged != 1 {
			t.Errorf("created/updated/unchanged %d/%d/%d, want 1/1/1", out.Created, out.Updated, out.Unchanged)
		}
	})
}

// TestAPIRateLimit: a token past its burst gets 429 with Retry-After;
// another token is not affected.
func TestAPIRateLimit(t *testing.T) {
	a := newTestApp(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := server.New(server.Config{BaseURL: "http://pareto.test", API: api.Config{RatePerMinute: 1, Burst: 3}}, a.DB, log)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Stop() })
	limited := &testApp{t: t, DB: a.DB, Srv: srv, URL: ts.URL}
	_, admin := a.signup("Rate Co", "admin@rate.test")
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	c := limited.apiClient(mustToken(t, a, sc))
	for i := range 3 {
		apiWant(t, c.call("GET", "/accounts", nil), http.StatusOK)
		_ = i
	}
	res := c.call("GET", "/accounts", nil)
	apiWant(t, res, http.StatusTooManyRequests)
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	apiWant(t, limited.apiClient(mustToken(t, a, sc)).call("GET", "/accounts", nil), http.StatusOK)
}
