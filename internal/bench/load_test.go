package bench

import "context"
import "net/http"
import "net/http/httptest"
import "strings"
import "sync/atomic"
import "testing"
import "time"

func TestRunSendsAtTheArrivalRateAndCountsErrors(t *testing.T) {
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		time.Sleep(2 * time.Millisecond)
	}))
	defer ts.Close()
	s := Scenario{Name: "x", Next: func(int) Request { return Get(ts.URL, "") }}
	r := Run(context.Background(), s, Client(4), 200, 500*time.Millisecond, 4)
	if r.Sent != 100 {
		t.Fatalf("sent %d, want 100 (200/s for 0.5s)", r.Sent)
	}
	if r.Errors != 10 {
		t.Fatalf("errors %d, want 10", r.Errors)
	}
	if r.P50 < 2*time.Millisecond || r.P99 < r.P50 || r.Max < r.P99 {
		t.Fatalf("latencies p50 %v p99 %v max %v", r.P50, r.P99, r.Max)
	}
	tbl := Table([]Result{r}, map[string]time.Duration{"x": time.Millisecond})
	if !strings.Contains(tbl, "FAIL") {
		t.Fatalf("a run over budget with errors must FAIL:\n%s", tbl)
	}
}
