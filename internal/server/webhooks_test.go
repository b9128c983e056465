package server_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/webhook"

func init() {
	accessRules = append(accessRules,
		accessRule{Method: "GET", Pattern: "/admin/webhooks", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/webhooks", Roles: adminOnly}, // an empty form: 422
		accessRule{Method: "GET", Pattern: "/admin/webhooks/{endpointID}", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/webhooks/{endpointID}", Roles: adminOnly}, // no version: 400
		accessRule{Method: "POST", Pattern: "/admin/webhooks/{endpointID}/rotate", Roles: adminOnly},
		// Without confirm=yes it answers 422, so the endpoint stays.
		accessRule{Method: "POST", Pattern: "/admin/webhooks/{endpointID}/delete", Roles: adminOnly},
		accessRule{Method: "POST", Pattern: "/admin/webhooks/deliveries/{deliveryID}/replay", Roles: adminOnly},
	)
	fixtureSetups = append(fixtureSetups, func(t *testing.T, a *testApp, tf *tenantFixture) {
		ep, delivery := webhookFixture(t, a, tf.scope(auth.RoleAdmin))
		tf.IDs["endpointID"], tf.IDs["deliveryID"] = ep.String(), delivery.String()
	})
}

// webhookFixture registers an endpoint and puts one event for it in the
// outbox; it returns the endpoint's and the delivery's ids.
func webhookFixture(t *testing.T, a *testApp, sc db.Scope) (uuid.UUID, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	_, ep, err := a.Srv.Webhooks().CreateEndpoint(ctx, sc, webhook.EndpointInput{URL: "https://crm.example.com/hook",
		Events: []string{webhook.ReviewClosed}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var delivery uuid.UUID
	if err := a.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.ReviewClosed, "review", uuid.New(), nil, nil)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT id FROM webhook_deliveries WHERE endpoint_id = $1", ep.ID).Scan(&delivery)
	}); err != nil {
		t.Fatal(err)
	}
	return ep.ID, delivery
}

// TestAdminWebhooks: an admin registers an endpoint (bad input beside its
// field, 422), sees its secret once, edits it (a stale version is a 409),
// rotates the secret, replays a delivery and deletes the endpoint; every
// step is audited; another tenant's endpoint is a 404.
func TestAdminWebhooks(t *testing.T) {
	a := newTestApp(t)
	admin, m := a.signup("Hook Co", "admin@hookco.test")
	other, _ := a.signup("Other Co", "admin@otherco.test")

	res := admin.postForm("/admin/webhooks", url.Values{"url": {"http://crm.example.com/hook"}, "events": {"account.exploded"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Use an https URL") ||
		!strings.Contains(res.Body, "Choose events from the list.") || !strings.Contains(res.Body, `aria-invalid="true"`) {
		t.Fatalf("invalid form: %d", res.Status)
	}
	res = admin.postForm("/admin/webhooks", url.Values{"url": {"https://10.0.0.7/hook"}, "events": {webhook.AccountCreated}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "private or reserved address") {
		t.Fatalf("private address: %d", res.Status)
	}
	res = admin.postForm("/admin/webhooks", url.Values{"url": {"https://crm.example.com/hook"}, "description": {"HubSpot"},
		"events": {webhook.AccountCreated, webhook.ScoreChanged}, "enabled": {"true"}})
	secretRe := regexp.MustCompile(`whsec_[A-Za-z0-9_-]{32}`)
	secret := secretRe.FindString(res.Body)
	if res.Status != http.StatusOK || secret == "" {
		t.Fatalf("create: %d, no secret on the page", res.Status)
	}
	list := admin.get("/admin/webhooks")
	if strings.Contains(list.Body, secret) || !strings.Contains(list.Body, "https://crm.example.com/hook") {
		t.Fatal("the list shows the secret again, or not the endpoint")
	}
	eps, err := a.Srv.Webhooks().Endpoints(context.Background(), db.Scope{TenantID: m.TenantID})
	if err != nil || len(eps) != 1 {
		t.Fatalf("endpoints: %v %v", eps, err)
	}
	ep := eps[0]
	path := "/admin/webhooks/" + ep.ID.String()
	if res := other.get(path); res.Status != http.StatusNotFound {
		t.Fatalf("other tenant: %d", res.Status)
	}
	if res := other.postForm(path+"/delete", url.Values{"confirm": {"yes"}}); res.Status != http.StatusNotFound {
		t.Fatalf("other tenant deletes: %d", res.Status)
	}
	edit := url.Values{"version": {"1"}, "url": {"https://crm.example.com/hook2"}, "events": {webhook.ReviewClosed}}
	if res := admin.postForm(path, edit); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.Status)
	}
	if res := admin.postForm(path, edit); res.Status != http.StatusConflict || !strings.Contains(res.Body, "changed by someone else") {
		t.Fatalf("stale edit: %d", res.Status)
	}
	page := admin.get(path)
	if !strings.Contains(page.Body, "https://crm.example.com/hook2") || strings.Contains(page.Body, `name="enabled" value="true" checked`) {
		t.Fatal("the edit (new URL, disabled) is not shown")
	}
	res = admin.postForm(path+"/rotate", nil)
	if s2 := secretRe.FindString(res.Body); res.Status != http.StatusOK || s2 == "" || s2 == secret {
		t.Fatalf("rotate: %d", res.Status)
	}
	// A delivery in the log, replayed.
	_, delivery := webhookFixture(t, a, db.Scope{TenantID: m.TenantID, UserID: m.UserID})
	if res := admin.postForm("/admin/webhooks/deliveries/"+delivery.String()+"/replay", url.Values{"back": {"https://evil.example.com/"}}); res.Status != http.StatusSeeOther || res.Location != "/admin/webhooks" {
		t.Fatalf("replay: %d → %q", res.Status, res.Location)
	}
	if res := other.postForm("/admin/webhooks/deliveries/"+delivery.String()+"/replay", nil); res.Status != http.StatusNotFound {
		t.Fatalf("other tenant replays: %d", res.Status)
	}
	if res := admin.postForm(path+"/delete", nil); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unconfirmed delete: %d", res.Status)
	}
	if res := admin.postForm(path+"/delete", url.Values{"confirm": {"yes"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if res := admin.get(path); res.Status != http.StatusNotFound {
		t.Fatalf("deleted endpoint: %d", res.Status)
	}
	audit := admin.get("/admin/audit").Body
	for _, want := range []string{"Webhook endpoint", "Rotate secret", "Webhook delivery"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %s", want)
		}
	}
}

// TestWebhookEvents: each change the events name, made through the
// pages, writes its event in the outbox for an endpoint subscribed to
// every type: account created, updated, archived, restored; a score; a
// key status decided in a review; the review closed; a goal's status
// overridden. A change refused (422) writes none.
func TestWebhookEvents(t *testing.T) {
	a := newTestApp(t)
	tf := a.tenantFixture("Events Co")
	sc := tf.scope(auth.RoleAdmin)
	var all []string
	for _, e := range webhook.EventTypes {
		all = append(all, e.Name)
	}
	if _, _, err := a.Srv.Webhooks().CreateEndpoint(context.Background(), sc, webhook.EndpointInput{URL: "https://crm.example.com/all", Events: all, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	types := func() []string {
		t.Helper()
		var out []string
		if err := a.DB.Tx(context.Background(), sc, func(tx pgx.Tx) error {
			rows, _ := tx.Query(context.Background(), `SELECT e.type FROM webhook_events e
				JOIN webhook_deliveries d ON d.tenant_id = e.tenant_id AND d.event_id = e.id
				JOIN webhook_endpoints p ON p.tenant_id = d.tenant_id AND p.id = d.endpoint_id
				WHERE p.url = 'https://crm.example.com/all' ORDER BY e.created_at, e.type`)
			var err error
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	admin, leader, kam := tf.Clients[auth.RoleAdmin], tf.Clients[auth.RoleLeader], tf.Clients[auth.RoleKAM]
	step := func(what string, res response, status int, want ...string) {
		t.Helper()
		if res.Status != status {
			t.Fatalf("%s: %d, want %d\n%s", what, res.Status, status, res.Body)
		}
		got := types()
		if len(got) != len(want) || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s: events %v, want %v", what, got, want)
		}
	}
	var want []string
	res := admin.postForm("/accounts", accountForm("Webhook Account"))
	want = append(want, webhook.AccountCreated)
	step("create", res, http.StatusSeeOther, want...)
	id := strings.TrimPrefix(res.Location, "/accounts/")
	form := accountForm("Webhook Account, renamed")
	form.Set("version", "1")
	step("update", admin.postForm("/accounts/"+id, form), http.StatusSeeOther, append(want, webhook.AccountUpdated)...)
	want = append(want, webhook.AccountUpdated)
	form = accountForm("")
	form.Set("version", "2")
	step("refused update", admin.postForm("/accounts/"+id, form), http.StatusUnprocessableEntity, want...)
	want = append(want, webhook.AccountArchived)
	step("archive", admin.postForm("/accounts/"+id+"/archive", nil), http.StatusSeeOther, want...)
	want = append(want, webhook.ScoreChanged)
	step("score", leader.postForm("/accounts/"+tf.IDs["accountID"]+"/scores", url.Values{"score_" + tf.IDs["criterionID"]: {"4"}}),
		http.StatusSeeOther, want...)
	want = append(want, webhook.KeyStatusChanged)
	step("decide", leader.postForm("/shortlist/reviews/"+tf.IDs["reviewID"]+"/decisions",
		url.Values{"account_id": {tf.IDs["accountID"]}, "decision": {"watch"}, "reason": {"Growing fast"}}), http.StatusSeeOther, want...)
	want = append(want, webhook.ReviewClosed)
	step("close review", leader.postForm("/shortlist/reviews/"+tf.IDs["reviewID"]+"/close", nil), http.StatusSeeOther, want...)
	want = append(want, webhook.GoalStatusChange)
	step("override goal", kam.postForm("/plans/"+tf.IDs["planID"]+"/goals/"+tf.IDs["goalID"]+"/status",
		url.Values{"version": {"1"}, "override": {"achieved"}, "override_reason": {"Signed last week"}}), http.StatusSeeOther, want...)
}
