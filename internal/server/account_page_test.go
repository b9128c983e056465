package server_test

import "strings"
import "testing"

import "pareto/internal/auth"

// The account page gathers what every area knows about one account.
func TestAccountPageShowsEveryAreasSection(t *testing.T) {
	a := newTestApp(t)
	tf := a.tenantFixture("Acme")
	path := "/accounts/" + tf.IDs["accountID"]
	leader := tf.Clients[auth.RoleLeader].get(path)
	if leader.Status != 200 {
		t.Fatalf("leader account page: %d", leader.Status)
	}
	for _, want := range []string{`id="assignment"`, `id="score"`, `action="` + path + `/assignment"`, `href="` + path + `/plans`, `href="` + path + `/kpis"`} {
		if !strings.Contains(leader.Body, want) {
			t.Errorf("leader's account page lacks %s", want)
		}
	}
	kam := tf.Clients[auth.RoleKAM].get(path)
	if !strings.Contains(kam.Body, `id="assignment"`) || strings.Contains(kam.Body, `action="`+path+`/assignment"`) {
		t.Error("a KAM must see the assignment section without the assign form")
	}
}
