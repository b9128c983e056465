package server_test

import "context"
import "fmt"
import "net/http"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/bench"
import "pareto/internal/db"
import "pareto/internal/scoring"

// The CRM sync of docs/integrations.md: accounts by CRM id, monthly
// revenue pushed, the shortlist read back.
func TestAPIFiguresAndShortlist(t *testing.T) {
	a := newTestApp(t)
	c, admin := apiAdmin(t, a, "Sync Co")
	res := c.call("POST", "/accounts/bulk", map[string]any{"items": []map[string]any{
		{"external_ref": "SF-1", "name": "Alpha", "annual_revenue": 500},
		{"external_ref": "SF-2", "name": "Beta"},
	}})
	apiWant(t, res, http.StatusOK)
	var out struct{ Items []struct{ ID string } }
	res.JSON(t, &out)

	now := time.Now().UTC()
	m1 := time.Date(now.Year(), now.Month()-2, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	m2 := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	t.Run("ErrItems", func(t *testing.T) {
		res := c.call("POST", "/kpi-figures/bulk", map[string]any{"items": []map[string]any{
			{"account": "SF-1", "month": m1, "revenue": 1000},
			{"account": "SF-9", "month": m1, "revenue": 1000},
			{"account": "SF-2", "month": "2099-01", "revenue": -1},
			{"account": "SF-2", "revenue": 5},
		}})
		apiWant(t, res, http.StatusUnprocessableEntity)
		p := res.problem(t)
		if fieldError(p, 3, "month") != "Required." {
			t.Errorf("item 3: %s", res.Body)
		}
		res = c.call("POST", "/kpi-figures/bulk", map[string]any{"items": []map[string]any{
			{"account": "SF-1", "month": m1, "revenue": 1000},
			{"account": "SF-9", "month": m1, "revenue": 1000},
			{"account": "SF-2", "month": "2099-01", "revenue": -1},
		}})
		apiWant(t, res, http.StatusUnprocessableEntity)
		p = res.problem(t)
		if fieldError(p, 1, "account") != "No such account." || fieldError(p, 2, "month") == "" || fieldError(p, 2, "revenue") == "" {
			t.Errorf("per-item errors: %s", res.Body)
		}
	})
	res = c.call("POST", "/kpi-figures/bulk", map[string]any{"items": []map[string]any{
		{"account": "SF-1", "month": m1, "revenue": 1000.25},
		{"account": "SF-1", "month": m2, "revenue": "2000", "orders": 4},
		{"account": "Beta", "month": m2, "revenue": 300},
	}}, "Idempotency-Key", "figures-1")
	apiWant(t, res, http.StatusOK)
	var acc apiAccount
	var alpha struct {
		Revenue float64 `json:"revenue"`
	}
	r := c.call("GET", "/accounts/"+out.Items[0].ID, nil)
	r.JSON(t, &acc)
	r.JSON(t, &alpha)
	// Revenue over the last 12 complete months: 1000.25 + 2000 = 3000.25
	// (the 500 entered is no longer the account's revenue).
	if alpha.Revenue != 3000.25 {
		t.Errorf("Alpha's revenue %v, want 3000.25", alpha.Revenue)
	}
	// The same figures again: replaced with themselves, nothing changes.
	res = c.call("POST", "/kpi-figures/bulk", map[string]any{"items": []map[string]any{{"account": "SF-1", "month": m1, "revenue": 1000.25}}})
	apiWant(t, res, http.StatusOK)
	var again struct{ Unchanged int }
	res.JSON(t, &again)
	if again.Unchanged != 1 {
		t.Errorf("the same figure again: %s", res.Body)
	}

	// Scores: product fit first (75 %), revenue potential (25 %), the
	// rank-order centroid weights of two criteria. Alpha 8 and 6:
	// 8 × 0.75 + 6 × 0.25 = 7.5. Beta 5 and 5: 5.0.
	ctx, sc := context.Background(), db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	s := scoring.NewStore(a.DB)
	var crit []scoring.Criterion
	for _, code := range []string{"product_fit", "revenue_potential"} {
		cr, err := s.EnableStandard(ctx, sc, code)
		if err != nil {
			t.Fatal(err)
		}
		crit = append(crit, cr.Criterion)
	}
	for i, scores := range [][2]string{{"8", "6"}, {"5", "5"}} {
		id, _ := uuid.Parse(out.Items[i].ID)
		if _, err := s.SaveScores(ctx, sc, auth.RoleAdmin, id, []scoring.CellInput{{CriterionID: crit[0].ID, Score: scores[0]},
			{CriterionID: crit[1].ID, Score: scores[1]}}); err != nil {
			t.Fatal(err)
		}
	}
	var sl struct {
		Data []struct {
			Rank     int
			Name     string
			Score    *float64
			Complete bool
			Headroom float64
		}
		NextCursor *string `json:"next_cursor"`
	}
	res = c.call("GET", "/shortlist?limit=1", nil)
	apiWant(t, res, http.StatusOK)
	res.JSON(t, &sl)
	if len(sl.Data) != 1 || sl.Data[0].Name != "Alpha" || sl.Data[0].Rank != 1 || *sl.Data[0].Score != 7.5 || !sl.Data[0].Complete || sl.NextCursor == nil {
		t.Fatalf("shortlist page 1: %s", res.Body)
	}
	res = c.call("GET", "/shortlist?limit=1&cursor="+*sl.NextCursor, nil)
	res.JSON(t, &sl)
	if len(sl.Data) != 1 || sl.Data[0].Name != "Beta" || sl.Data[0].Rank != 2 || *sl.Data[0].Score != 5 {
		t.Fatalf("shortlist page 2: %s", res.Body)
	}
	apiWant(t, c.call("GET", "/shortlist?limit=9999", nil), http.StatusUnprocessableEntity)
}

// BenchmarkAPIBulkUpsert10000 upserts 10,000 new accounts through the API,
// ten bulk requests of 1,000 (the budget: under 10 s).
func BenchmarkAPIBulkUpsert10000(b *testing.B) {
	a := newTestApp(b)
	for n := range b.N {
		_, admin := a.signup(fmt.Sprint("Bench ", n), fmt.Sprintf("admin@bench%d.test", n))
		c := a.apiClient(mustToken(b, a, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}))
		start := time.Now()
		for req := range bench.BulkRequests {
			res := c.call("POST", "/accounts/bulk", map[string]any{"items": bench.BulkAccounts(req, "Account")})
			if res.Status != http.StatusOK {
				b.Fatalf("request %d: %d %s", req, res.Status, res.Body)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/10k")
	}
}
