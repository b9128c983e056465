package server_test

import "context"
import "fmt"
import "net/http"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/plan"
import "pareto/internal/scoring"

// The API's resources beyond accounts: stakeholders, interactions,
// scores, plans and key status changes. Every response is checked
// against openapi.json by apiClient.call.

type apiPage[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// walk reads every page of path (limit per page) and returns the items.
func walk[T any](t *testing.T, c *apiClient, path string) []T {
	t.Helper()
	var out []T
	cursor := ""
	for range 20 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		res := c.call("GET", path+sep+"cursor="+cursor, nil)
		apiWant(t, res, http.StatusOK)
		var p apiPage[T]
		res.JSON(t, &p)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	t.Fatal("more than 20 pages")
	return nil
}

func apiCreateAccount(t *testing.T, c *apiClient, name string) string {
	t.Helper()
	res := c.call("POST", "/accounts", map[string]any{"name": name})
	apiWant(t, res, http.StatusCreated)
	var acc apiAccount
	res.JSON(t, &acc)
	return acc.ID
}

func TestAPIStakeholders(t *testing.T) {
	a := newTestApp(t)
	c, _ := apiAdmin(t, a, "People Co")
	acc := apiCreateAccount(t, c, "Siemens")
	base := "/accounts/" + acc + "/stakeholders"

	res := c.call("POST", base, map[string]any{"name": "", "buying_role": "boss", "email": "not-an-email", "colour": "red"})
	apiWant(t, res, http.StatusUnprocessableEntity)
	p := res.problem(t)
	for field, want := range map[string]string{"buying_role": "Choose a buying role.", "email": "Enter a valid email address, like name@example.com.",
		"colour": "Unknown or read-only field."} {
		if got := fieldError(p, -1, field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if fieldError(p, -1, "name") == "" {
		t.Error("no error for the empty name")
	}

	type person struct {
		ID, Name, Title, Email, BuyingRole, Strength string
		ReportsTo                                    *string `json:"reports_to"`
		Version                                      int
	}
	res = c.call("POST", base, map[string]any{"name": "Anna Berg", "title": "CFO", "email": "anna@siemens.example", "buying_role": "economic_buyer"})
	apiWant(t, res, http.StatusCreated)
	var anna person
	res.JSON(t, &anna)
	if anna.Name != "Anna Berg" || anna.Strength != "none" || anna.Version != 1 || res.Header.Get("ETag") != `"1"` ||
		res.Header.Get("Location") != "/api/v1"+base+"/"+anna.ID {
		t.Fatalf("created %+v, ETag %q, Location %q", anna, res.Header.Get("ETag"), res.Header.Get("Location"))
	}
	res = c.call("POST", base, map[string]any{"name": "Carl Dahl", "buying_role": "decision_maker", "reports_to": nil})
	apiWant(t, res, http.StatusCreated)
	var carl person
	res.JSON(t, &carl)

	// Decision makers first, as on the account page.
	list := walk[person](t, c, base)
	if len(list) != 2 || list[0].Name != "Carl Dahl" || list[1].Name != "Anna Berg" {
		t.Errorf("list: %+v", list)
	}

	one := base + "/" + anna.ID
	apiWant(t, c.call("PATCH", one, map[string]any{"title": "CEO"}), http.StatusPreconditionRequired)
	res = c.call("PATCH", one, map[string]any{"strength": "strong", "reports_to": carl.ID}, "If-Match", `"1"`)
	apiWant(t, res, http.StatusOK)
	var up person
	res.JSON(t, &up)
	// Fields the body leaves out stay.
	if up.Strength != "strong" || up.ReportsTo == nil || *up.ReportsTo != carl.ID || up.Title != "CFO" || up.Email != "anna@siemens.example" ||
		up.Version != 2 || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("updated %+v", up)
	}
	apiWant(t, c.call("PATCH", one, map[string]any{"title": "Overwrite"}, "If-Match", `"1"`), http.StatusPreconditionFailed)
	// A loop: Carl cannot report to Anna, who reports to him.
	res = c.call("PATCH", base+"/"+carl.ID, map[string]any{"reports_to": anna.ID}, "If-Match", `"1"`)
	apiWant(t, res, http.StatusUnprocessableEntity)
	if fieldError(res.problem(t), -1, "reports_to") == "" {
		t.Error("no reports_to error for a loop")
	}
	var now person
	get := c.call("GET", one, nil)
	apiWant(t, get, http.StatusOK)
	get.JSON(t, &now)
	if now.Title != "CFO" || get.Header.Get("ETag") != `"2"` {
		t.Errorf("a stale update wrote: %+v", now)
	}
	// Another account's path does not reach Anna.
	other := apiCreateAccount(t, c, "Bosch")
	apiWant(t, c.call("GET", "/accounts/"+other+"/stakeholders/"+anna.ID, nil), http.StatusNotFound)
	apiWant(t, c.call("GET", "/accounts/"+other+"/stakeholders/not-an-id", nil), http.StatusNotFound)
}

func TestAPIInteractions(t *testing.T) {
	a := newTestApp(t)
	c, _ := apiAdmin(t, a, "Timeline Co")
	acc := apiCreateAccount(t, c, "Siemens")
	res := c.call("POST", "/accounts/"+acc+"/stakeholders", map[string]any{"name": "Anna Berg", "buying_role": "champion"})
	apiWant(t, res, http.StatusCreated)
	var anna struct{ ID string }
	res.JSON(t, &anna)
	base := "/accounts/" + acc + "/interactions"

	res = c.call("POST", base, map[string]any{"occurred_on": "2026-13-01", "kind": "fax", "summary": "", "participants": "anna"})
	apiWant(t, res, http.StatusUnprocessableEntity)
	p := res.problem(t)
	if fieldError(p, -1, "participants") != "Use a list of stakeholder ids." {
		t.Errorf("participants: %+v", p.Errors)
	}
	res = c.call("POST", base, map[string]any{"occurred_on": "2026-03-02", "kind": "fax", "summary": ""})
	apiWant(t, res, http.StatusUnprocessableEntity)
	p = res.problem(t)
	if fieldError(p, -1, "kind") != "Choose meeting, call, email or note." || fieldError(p, -1, "summary") != "Say briefly what happened." {
		t.Errorf("errors: %+v", p.Errors)
	}
	// A participant who is not a stakeholder of this account.
	res = c.call("POST", base, map[string]any{"occurred_on": "2026-03-02", "kind": "call", "summary": "x", "participants": []string{uuid.NewString()}})
	apiWant(t, res, http.StatusUnprocessableEntity)
	if fieldError(res.problem(t), -1, "participants") != "Choose stakeholders of this account." {
		t.Error("no participants error")
	}

	type interaction struct {
		ID           string
		OccurredOn   string `json:"occurred_on"`
		Summary      string
		NextStep     string  `json:"next_step"`
		NextStepDue  *string `json:"next_step_due"`
		NextStepDone bool    `json:"next_step_done"`
		Participants []struct{ ID, Name string }
		Version      int
	}
	res = c.call("POST", base, map[string]any{"occurred_on": "2026-03-02", "kind": "meeting", "summary": "Kick-off",
		"next_step": "Send the proposal", "next_step_due": "2026-03-09", "participants": []string{anna.ID}})
	apiWant(t, res, http.StatusCreated)
	var kick interaction
	res.JSON(t, &kick)
	if kick.NextStep != "Send the proposal" || *kick.NextStepDue != "2026-03-09" || len(kick.Participants) != 1 ||
		kick.Participants[0].Name != "Anna Berg" || kick.Version != 1 {
		t.Fatalf("created %+v", kick)
	}
	for i, day := range []string{"2026-01-15", "2026-04-01", "2026-02-10", "2026-04-01"} {
		apiWant(t, c.call("POST", base, map[string]any{"occurred_on": day, "kind": "note", "summary": fmt.Sprintf("Note %d", i)}), http.StatusCreated)
	}
	// Newest first, two a page: the two of 1 April (the later logged
	// first), then 2 March, 10 February, 15 January.
	var got []string
	for _, i := range walk[interaction](t, c, base+"?limit=2") {
		got = append(got, i.OccurredOn+" "+i.Summary)
	}
	want := "2026-04-01 Note 3,2026-04-01 Note 1,2026-03-02 Kick-off,2026-02-10 Note 2,2026-01-15 Note 0"
	if strings.Join(got, ",") != want {
		t.Errorf("timeline:\n%s\nwant\n%s", strings.Join(got, ","), want)
	}
	apiWant(t, c.call("GET", base+"?limit=501", nil), http.StatusUnprocessableEntity)

	one := base + "/" + kick.ID
	apiWant(t, c.call("PATCH", one, map[string]any{"next_step_done": true}), http.StatusPreconditionRequired)
	res = c.call("PATCH", one, map[string]any{"next_step_done": "yes", "summary": "Rewritten"}, "If-Match", `"1"`)
	apiWant(t, res, http.StatusUnprocessableEntity)
	if p := res.problem(t); fieldError(p, -1, "next_step_done") == "" || fieldError(p, -1, "summary") != "Unknown or read-only field." {
		t.Errorf("errors: %+v", p.Errors)
	}
	res = c.call("PATCH", one, map[string]any{"next_step_done": true}, "If-Match", `"1"`)
	apiWant(t, res, http.StatusOK)
	var done interaction
	res.JSON(t, &done)
	if !done.NextStepDone || done.Version != 2 || res.Header.Get("ETag") != `"2"` {
		t.Errorf("done: %+v", done)
	}
	// Reopening on the version read before the tick: 412, still done.
	apiWant(t, c.call("PATCH", one, map[string]any{"next_step_done": false}, "If-Match", `"1"`), http.StatusPreconditionFailed)
	c.call("GET", one, nil).JSON(t, &done)
	if !done.NextStepDone {
		t.Error("a stale update reopened the step")
	}
	// A note without a next step has nothing to tick off.
	notes := walk[interaction](t, c, base)
	res = c.call("PATCH", base+"/"+notes[0].ID, map[string]any{"next_step_done": true}, "If-Match", `"1"`)
	apiWant(t, res, http.StatusUnprocessableEntity)
	if fieldError(res.problem(t), -1, "next_step") != "This interaction has no next step." {
		t.Error("no next_step error")
	}
}

func TestAPIScores(t *testing.T) {
	a := newTestApp(t)
	c, admin := apiAdmin(t, a, "Score Co")
	acc := apiCreateAccount(t, c, "Siemens")
	path := "/accounts/" + acc + "/scores"
	for _, code := range []string{"product_fit", "revenue_potential"} {
		if _, err := scoring.NewStore(a.DB).EnableStandard(context.Background(), db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, code); err != nil {
			t.Fatal(err)
		}
	}
	type cell struct {
		CriterionID string `json:"criterion_id"`
		Criterion   string
		WeightBPS   int  `json:"weight_bps"`
		Score       *int `json:"score"`
		Evidence    string
	}
	type scores struct {
		Score          *float64
		ScoredCriteria int  `json:"scored_criteria"`
		ActiveCriteria int  `json:"active_criteria"`
		Complete       bool `json:"complete"`
		Cells          []cell
		Changes        []struct {
			CriterionID string `json:"criterion_id"`
			Old         *int   `json:"old_score"`
			New         int    `json:"new_score"`
			Evidence    string
		}
	}
	res := c.call("GET", path, nil)
	apiWant(t, res, http.StatusOK)
	var s0 scores
	res.JSON(t, &s0)
	if s0.Score != nil || s0.ScoredCriteria != 0 || len(s0.Cells) != 2 || s0.ActiveCriteria != 2 {
		t.Fatalf("unscored: %+v", s0)
	}
	tag := res.Header.Get("ETag")
	c1, c2 := s0.Cells[0], s0.Cells[1]
	cells := []map[string]any{{"criterion_id": c1.CriterionID, "score": 7, "evidence": "Board sponsor"}, {"criterion_id": c2.CriterionID, "score": 4}}

	apiWant(t, c.call("PATCH", path, map[string]any{"cells": cells}), http.StatusPreconditionRequired)
	apiWant(t, c.call("PATCH", path, map[string]any{"cells": cells}, "If-Match", `"1"`), http.StatusPreconditionFailed)
	res = c.call("PATCH", path, map[string]any{"cells": []map[string]any{{"criterion_id": c1.CriterionID, "score": 11},
		{"criterion_id": uuid.NewString(), "score": 5}, {"criterion_id": c2.CriterionID, "evidence": strings.Repeat("x", 2001)}}}, "If-Match", tag)
	apiWant(t, res, http.StatusUnprocessableEntity)
	p := res.problem(t)
	for field, want := range map[string]string{"cells[0].score": "Enter a whole number from 1 to 10.",
		"cells[1].score": "This criterion is not active any more; reload the page.", "cells[2].evidence": "Keep the evidence to 2,000 characters."} {
		if got := fieldError(p, -1, field); got != want {
			t.Errorf("%s: %q, want %q (%+v)", field, got, want, p.Errors)
		}
	}

	res = c.call("PATCH", path, map[string]any{"cells": cells}, "If-Match", tag)
	apiWant(t, res, http.StatusOK)
	var s1 scores
	res.JSON(t, &s1)
	// Two criteria ranked by importance: rank-order centroid weights
	// (1 + 1/2)/2 = 75% and (1/2)/2 = 25%. The score is 0.75·7 + 0.25·4
	// = 6.25, rounded half up to 6.3; both active criteria are scored.
	if w1, w2 := s1.Cells[0].WeightBPS, s1.Cells[1].WeightBPS; w1 != 7500 || w2 != 2500 {
		t.Errorf("weights %d, %d", w1, w2)
	}
	if s1.Score == nil || *s1.Score != 6.3 || s1.ScoredCriteria != 2 || !s1.Complete {
		t.Errorf("score: %+v", s1)
	}
	if *s1.Cells[0].Score != 7 || s1.Cells[0].Evidence != "Board sponsor" || *s1.Cells[1].Score != 4 {
		t.Errorf("cells: %+v", s1.Cells[:2])
	}
	// The history holds both changes, from nothing.
	if len(s1.Changes) != 2 || s1.Changes[0].Old != nil || s1.Changes[1].Old != nil {
		t.Errorf("history: %+v", s1.Changes)
	}
	tag1 := res.Header.Get("ETag")
	if tag1 == tag {
		t.Error("the ETag did not change with the cells")
	}

	// Someone scores in the matrix meanwhile: the tag read before is
	// stale and nothing is written.
	c1id, _ := uuid.Parse(c1.CriterionID)
	accID, _ := uuid.Parse(acc)
	if _, err := scoring.NewStore(a.DB).SaveScores(context.Background(), db.Scope{TenantID: admin.TenantID, UserID: admin.UserID},
		auth.RoleAdmin, accID, []scoring.CellInput{{CriterionID: c1id, Score: "8"}}); err != nil {
		t.Fatal(err)
	}
	apiWant(t, c.call("PATCH", path, map[string]any{"cells": []map[string]any{{"criterion_id": c2.CriterionID, "score": 9}}}, "If-Match", tag1),
		http.StatusPreconditionFailed)
	var s2 scores
	c.call("GET", path, nil).JSON(t, &s2)
	if *s2.Cells[0].Score != 8 || *s2.Cells[1].Score != 4 || len(s2.Changes) != 3 || *s2.Changes[0].Old != 7 {
		t.Errorf("after the matrix's change: %+v", s2)
	}
	apiWant(t, c.call("PATCH", path, map[string]any{"cells": []map[string]any{}}, "If-Match", tag1), http.StatusPreconditionFailed)
	apiWant(t, c.call("GET", "/accounts/"+uuid.NewString()+"/scores", nil), http.StatusNotFound)
}

func TestAPIPlansAndKeyStatusChanges(t *testing.T) {
	a := newTestApp(t)
	c, admin := apiAdmin(t, a, "Plan Co")
	ctx := context.Background()
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	var ids []uuid.UUID
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		id, _ := uuid.Parse(apiCreateAccount(t, c, name))
		ids = append(ids, id)
	}
	if err := a.DB.Tx(ctx, sc, recounted(admin.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE accounts SET key_status = 'key' WHERE tenant_id = $1", admin.TenantID)
		return err
	})); err != nil {
		t.Fatal(err)
	}

	actor := plan.Actor{Scope: sc, Role: auth.RoleAdmin}
	planID, err := plan.CreatePlan(ctx, a.DB, actor, ids[0], plan.PlanInput{Period: "FY2030", Why: "Grow"}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Progress typed by hand: 0 → 100 reached 100, so the goal is achieved.
	hundred := 100.0
	if _, err := plan.CreateGoal(ctx, a.DB, actor, planID, plan.GoalInput{Title: "Adoption", KPI: plan.KPIAdoption, Baseline: 0, Target: 100,
		DueDate: time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC), ManualProgress: &hundred}); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.CreatePlan(ctx, a.DB, actor, ids[1], plan.PlanInput{Period: "FY2031", Why: "Keep"}, false); err != nil {
		t.Fatal(err)
	}
	type planRow struct {
		ID, Period  string
		AccountName string `json:"account_name"`
		Goals       struct{ Achieved int }
	}
	rows := walk[planRow](t, c, "/plans?limit=1")
	if len(rows) != 2 || rows[0].AccountName != "Alpha" || rows[0].Goals.Achieved != 1 || rows[1].AccountName != "Beta" {
		t.Errorf("plans: %+v", rows)
	}
	if rows := walk[planRow](t, c, "/plans?period=fy2031"); len(rows) != 1 || rows[0].AccountName != "Beta" {
		t.Errorf("plans of FY2031: %+v", rows)
	}
	res := c.call("GET", "/plans?status=open&period=2030&account_id=x", nil)
	apiWant(t, res, http.StatusUnprocessableEntity)
	if p := res.problem(t); len(p.Errors) != 3 {
		t.Errorf("errors: %+v", p.Errors)
	}
	res = c.call("GET", "/plans/"+planID.String(), nil)
	apiWant(t, res, http.StatusOK)
	var pl struct {
		Period, Why string
		Goals       []struct {
			Title         string
			Current       *float64
			ProgressPct   *float64 `json:"progress_pct"`
			DerivedStatus *string  `json:"derived_status"`
		}
	}
	res.JSON(t, &pl)
	if pl.Period != "FY2030" || len(pl.Goals) != 1 || *pl.Goals[0].Current != 100 || *pl.Goals[0].ProgressPct != 100 ||
		*pl.Goals[0].DerivedStatus != "achieved" || res.Header.Get("ETag") != `"1"` {
		t.Errorf("plan: %+v", pl)
	}
	apiWant(t, c.call("GET", "/plans/"+uuid.NewString(), nil), http.StatusNotFound)

	// Three de-designations a minute apart: newest first, two a page.
	st := scoring.NewStore(a.DB)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	for i, id := range ids {
		st.Now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		if err := st.Dedesignate(ctx, sc, id, "Reason "+fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	type change struct {
		AccountName string `json:"account_name"`
		OldStatus   string `json:"old_status"`
		NewStatus   string `json:"new_status"`
		Reason      string
	}
	var got []string
	for _, k := range walk[change](t, c, "/key-status-changes?limit=2") {
		got = append(got, k.AccountName+" "+k.OldStatus+"→"+k.NewStatus+" "+k.Reason)
	}
	if want := "Gamma key→former Reason 2,Beta key→former Reason 1,Alpha key→former Reason 0"; strings.Join(got, ",") != want {
		t.Errorf("changes: %s, want %s", strings.Join(got, ","), want)
	}
	if one := walk[change](t, c, "/key-status-changes?account_id="+ids[1].String()); len(one) != 1 || one[0].AccountName != "Beta" {
		t.Errorf("Beta's changes: %+v", one)
	}
	apiWant(t, c.call("GET", "/key-status-changes?account_id="+uuid.NewString(), nil), http.StatusNotFound)
	apiWant(t, c.call("GET", "/key-status-changes?account_id=nope", nil), http.StatusUnprocessableEntity)
}

// TestAPIWritesKeepHealth: the API's writes refresh the kept health of
// the account they were about before the answer leaves, as the pages'
// writes do (before, an account created or changed through the API kept
// no health, or stale health, until the tenant's daily run).
func TestAPIWritesKeepHealth(t *testing.T) {
	a := newTestApp(t)
	c, admin := apiAdmin(t, a, "Kept Co")
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	id := apiCreateAccount(t, c, "Siemens")
	accID, _ := uuid.Parse(id)
	hs := health.NewStore(a.DB)
	k1, ok, _, err := hs.AccountHealth(context.Background(), sc, accID, 1)
	if err != nil || !ok {
		t.Fatalf("no kept health after the API created the account (ok %v, err %v)", ok, err)
	}
	apiWant(t, c.call("POST", "/accounts/"+id+"/stakeholders", map[string]any{"name": "Anna Berg", "buying_role": "champion"}), http.StatusCreated)
	k2, _, _, err := hs.AccountHealth(context.Background(), sc, accID, 1)
	if err != nil || !k2.ComputedAt.After(k1.ComputedAt) {
		t.Errorf("kept health not refreshed by the API's write: %v then %v (%v)", k1.ComputedAt, k2.ComputedAt, err)
	}
}
