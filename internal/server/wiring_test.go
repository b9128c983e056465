package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/plan"
)

// wireRank writes an account's ranking row as the scoring area keeps it.
func wireRank(t *testing.T, tm *asgTeam, id uuid.UUID, score10 int, complete bool) {
	t.Helper()
	if err := tm.a.DB.Tx(context.Background(), tm.adminScope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO account_rankings (account_id, score10, scored, complete, headroom, sort_name)
			VALUES ($1, $2, 2, $3, 0, 'x')`, id, score10, complete)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// The KAM workload and "My accounts" show scores from the scoring area and
// plan states from the plans area.
func TestWiringScoresAndPlansOnKAMPages(t *testing.T) {
	a := newTestApp(t)
	tm := asgNewTeam(t, a, "Acme")
	siemens := tm.account(t, "Siemens", "EMEA", tm.annM.UserID)
	bosch := tm.account(t, "Bosch", "EMEA", tm.annM.UserID)
	tm.account(t, "Basf", "EMEA", tm.annM.UserID)
	wireRank(t, tm, siemens, 82, true)
	wireRank(t, tm, bosch, 64, true)
	actor := plan.Actor{Scope: tm.adminScope(), AllAccounts: true}
	cur := plan.PeriodOf(time.Now(), 1).String()
	id, err := plan.CreatePlan(context.Background(), a.DB, actor, siemens, plan.PlanInput{Period: cur, Why: "Grow"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.UpdatePlan(context.Background(), a.DB, actor, id, plan.PlanInput{Period: cur, Status: plan.StatusActive, Why: "Grow"}, 1); err != nil {
		t.Fatal(err)
	}

	res := tm.leader.get("/kams")
	asgWant(t, res, http.StatusOK, `<td class="num">7.3</td>`)

	res = tm.ann.get("/my/accounts")
	asgWant(t, res, http.StatusOK, `<td class="num">8.2</td>`, `<td class="num">6.4</td>`, "<td>Active</td>")
	if n := strings.Count(res.Body, "<td>—</td>"); n != 2 {
		t.Errorf("want two accounts without a plan (—), got %d", n)
	}
}
