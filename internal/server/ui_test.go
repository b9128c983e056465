package server_test

import "net/http"
import "strings"
import "testing"

// Defect (issue 17): the KPI import's example file showed on one line
// (templ collapsed the literal text of the <pre>). Each row is on its own
// line again.
func TestKPIImportExampleKeepsLines(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin, _ := a.signup("Example Co", "admin@example-co.test")
	res := admin.get("/kpis/import")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	want := "orders,units\nACME-001,2026-01,125000,4.4,38,71.5,12000,1,25,1400\nACME-001,2026-02,"
	if !strings.Contains(res.Body, want) {
		i := strings.Index(res.Body, "kpi-example")
		t.Errorf("the example is not one row a line:\n%s", res.Body[i:min(len(res.Body), i+400)])
	}
}
