package main

import "bytes"
import "context"
import "encoding/json"
import "fmt"
import "io"
import "net/http"
import "time"

import "pareto/internal/auth"
import "pareto/internal/bench"
import "pareto/internal/db"

// apiBulkBudget is issue 18's budget for upserting 10,000 accounts through
// the API.
const apiBulkBudget = 10 * time.Second

// apiBulkUpsert upserts 10,000 new accounts through the running server's
// API as a CRM sync would: ten POST /api/v1/accounts/bulk requests of
// 1,000, one after another, with a read-write token of a small tenant's
// admin. It returns the wall time of the ten requests.
func apiBulkUpsert(ctx context.Context, d *db.DB, base string, admin person) (time.Duration, error) {
	secret, _, err := auth.NewStore(d).CreateToken(ctx, admin.scope, auth.TokenInput{Name: "Bench sync", Scope: auth.TokenWrite})
	if err != nil {
		return 0, err
	}
	bodies := make([][]byte, bench.BulkRequests)
	for req := range bodies {
		if bodies[req], err = json.Marshal(map[string]any{"items": bench.BulkAccounts(req, "Synced account")}); err != nil {
			return 0, err
		}
	}
	client := &http.Client{Timeout: time.Minute}
	start := time.Now()
	for n, b := range bodies {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/accounts/bulk", bytes.NewReader(b))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var out struct{ Created int }
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Created != bench.BulkItems {
			return 0, fmt.Errorf("api bulk request %d: %d %.300s", n+1, res.StatusCode, body)
		}
	}
	return time.Since(start), nil
}
