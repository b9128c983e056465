package server_test

import "context"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"

// A leader proposes an account as a key candidate outside a review: the
// next review lists it marked with the proposer, a withdrawn proposal
// does not reach it, and deciding the account closes the proposal.
func TestKeyProposal(t *testing.T) {
	ss := newScoringSetup(t)
	a, tf := ss.a, ss.tf
	leader, kam := tf.Clients[auth.RoleLeader], tf.Clients[auth.RoleKAM]
	// The fixture's review is open; proposals wait for the next one.
	if res := leader.postForm("/shortlist/reviews/"+tf.IDs["reviewID"]+"/close", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("close the fixture review: %d", res.Status)
	}
	scored := tf.IDs["accountID"] // scored by the fixture, so ranked
	prospect := scoringAccount(t, a, tf, "Prospect Partners", 0, 0, tf.Members[auth.RoleKAM].UserID).String()
	dropped := scoringAccount(t, a, tf, "Dropped Ltd", 0, 0, uuid.Nil).String()
	propose := func(c *client, id, reason string) response {
		return c.postForm("/accounts/"+id+"/key-proposal", url.Values{"reason": {reason}, "back": {"/accounts/" + id}})
	}
	withdraw := func(c *client, id string) response {
		return c.postForm("/accounts/"+id+"/key-proposal/withdraw", url.Values{"back": {"/accounts/" + id}})
	}

	t.Run("Roles", func(t *testing.T) {
		if strings.Contains(kam.get("/accounts/"+prospect).Body, "Propose as key candidate") {
			t.Error("a KAM sees the proposal button")
		}
		if res := propose(kam, prospect, "mine"); res.Status != http.StatusForbidden {
			t.Errorf("a KAM proposed: %d", res.Status)
		}
		mustContain(t, leader.get("/accounts/"+prospect), "Propose as key candidate", `action="/accounts/`+prospect+`/key-proposal"`)
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := a.tenantFixture("Other")
		if res := propose(other.Clients[auth.RoleLeader], prospect, ""); res.Status != http.StatusNotFound {
			t.Errorf("another tenant's leader proposed: %d", res.Status)
		}
		if res := withdraw(other.Clients[auth.RoleAdmin], prospect); res.Status != http.StatusNotFound {
			t.Errorf("another tenant's admin withdrew: %d", res.Status)
		}
	})
	t.Run("Propose", func(t *testing.T) {
		if res := propose(leader, prospect, "Met their board sponsor"); res.Status != http.StatusSeeOther || res.Location != "/accounts/"+prospect {
			t.Fatalf("propose: %d → %q\n%s", res.Status, res.Location, res.Body)
		}
		page := leader.get("/accounts/" + prospect)
		mustContain(t, page, "Proposed as a key candidate by leader of Acme on", "“Met their board sponsor”", "Withdraw the proposal")
		res := propose(tf.Clients[auth.RoleAdmin], prospect, "again")
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "proposed already") {
			t.Errorf("duplicate proposal: %d", res.Status)
		}
		if res := propose(leader, scored, ""); res.Status != http.StatusSeeOther {
			t.Errorf("propose the scored account: %d", res.Status)
		}
		if res := propose(leader, dropped, "Maybe"); res.Status != http.StatusSeeOther {
			t.Errorf("propose: %d", res.Status)
		}
	})
	t.Run("Withdraw", func(t *testing.T) {
		if res := withdraw(leader, dropped); res.Status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", res.Status)
		}
		mustContain(t, leader.get("/accounts/"+dropped), "Propose as key candidate")
		if res := withdraw(leader, dropped); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("withdrawing nothing: %d", res.Status)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		var proposed, withdrawn int
		err := a.DB.Tx(context.Background(), tf.scope(auth.RoleAdmin), func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE action = 'propose_key'),
				count(*) FILTER (WHERE action = 'withdraw_key_proposal') FROM audit_events WHERE entity = 'account'`).Scan(&proposed, &withdrawn)
		})
		if err != nil || proposed != 3 || withdrawn != 1 {
			t.Errorf("audit: %d proposed, %d withdrawn (%v); want 3 and 1", proposed, withdrawn, err)
		}
	})

	var review string
	t.Run("NextReview", func(t *testing.T) {
		res := leader.postForm("/shortlist/reviews", url.Values{"name": {"After the proposals"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("start: %d\n%s", res.Status, res.Body)
		}
		review = res.Location
		page := leader.get(review)
		mustContain(t, page, "Prospect Partners", "by leader of Acme on", "“Met their board sponsor”")
		if strings.Contains(page.Body, "Dropped Ltd") {
			t.Error("the withdrawn proposal reached the review")
		}
		if n := strings.Count(page.Body, `<span class="badge badge-candidate">Proposed</span>`); n != 2 {
			t.Errorf("%d entries marked proposed, want 2 (the unscored prospect and the scored account)", n)
		}
		// Taken up: the account page points at the review, and it can no
		// longer be withdrawn.
		mustContain(t, leader.get("/accounts/"+prospect), "decide the account there", `href="`+review+`"`)
		if res := withdraw(leader, prospect); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "has taken this proposal up") {
			t.Errorf("withdraw after the review took it up: %d", res.Status)
		}
	})
	t.Run("DecidedCloses", func(t *testing.T) {
		res := leader.postForm(review+"/decisions", url.Values{"account_id": {prospect}, "decision": {"watch"}, "reason": {"Not yet"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("decide: %d\n%s", res.Status, res.Body)
		}
		if page := leader.get("/accounts/" + prospect); !strings.Contains(page.Body, "Propose as key candidate") {
			t.Error("the decided proposal is still open")
		}
		// Closed undecided, the scored account's proposal waits for the next review.
		if res := leader.postForm(review+"/close", nil); res.Status != http.StatusSeeOther {
			t.Fatalf("close: %d", res.Status)
		}
		mustContain(t, leader.get("/accounts/"+scored), "Withdraw the proposal", "The next review started lists it")
	})
}
