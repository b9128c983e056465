package server_test

import "context"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "testing"

import "pareto/internal/auth"

// A score page in German shows scores and weights with a decimal comma;
// in English with a point (the charts' ticks: TestChartTicksInLocale).
func TestScoresInLocale(t *testing.T) {
	ss := newScoringSetup(t)
	a, tf := ss.a, ss.tf
	admin := tf.Clients[auth.RoleAdmin]
	id := scoringAccount(t, a, tf, "Komma GmbH", 0, 0, tf.Members[auth.RoleKAM].UserID)
	if res := admin.postForm("/accounts/"+id.String()+"/scores", ss.form("8", "6", "7")); res.Status != http.StatusSeeOther {
		t.Fatalf("score: %d", res.Status)
	}
	// Three criteria weighted by rank (ROC): 61.11 %, 27.78 %, 11.11 %.
	// 8 × 0.6111 + 6 × 0.2778 + 7 × 0.1111 = 4.889 + 1.667 + 0.778 = 7.33 → 7.3.
	for _, tc := range []struct{ loc, score, weight, not string }{
		{"en", ">7.3<", "61.11 %", "61,11 %"},
		{"de", ">7,3<", "61,11 %", "61.11 %"},
	} {
		st, err := auth.NewStore(a.DB).TenantSettingsOf(context.Background(), tf.scope(auth.RoleAdmin))
		if err != nil {
			t.Fatal(err)
		}
		if res := admin.postForm("/admin/settings", url.Values{"locale": {tc.loc}, "version": {strconv.Itoa(st.Version)}}); res.Status != http.StatusSeeOther {
			t.Fatalf("locale %s: %d", tc.loc, res.Status)
		}
		page := admin.get("/scoring/accounts/" + id.String())
		mustContain(t, page, tc.score, tc.weight)
		if strings.Contains(page.Body, tc.not) {
			t.Errorf("%s: the page writes a weight %q", tc.loc, tc.not)
		}
		if tc.loc == "de" && strings.Contains(page.Body, ">7.3<") {
			t.Error("de: the page writes a score with a decimal point")
		}
	}
}
