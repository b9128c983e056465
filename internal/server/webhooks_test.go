package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/auth"
	"pareto/internal/db"
	"pareto/internal/webhook"
)

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
	for _, want := range []string{"webhook_endpoint", "rotate_secret", "webhook_delivery"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %s", want)
		}
	}
}
