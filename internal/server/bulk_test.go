package server_test

import "context"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/webhook"

// count is the number query q ($1 the tenant) answers in the tenant.
func (at *acctTenant) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	err := at.app.DB.Tx(context.Background(), at.scopeAdmin, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), q, append([]any{at.Admin.TenantID}, args...)...).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func bulkForm(do string, ids ...uuid.UUID) url.Values {
	f := url.Values{"do": {do}, "list": {"sort=name"}}
	for _, id := range ids {
		f.Add("id", id.String())
	}
	return f
}

// TestBulkAssign: a leader ticks three accounts, one already Kim's; two
// are assigned (two history rows, two audit events, two account.updated
// events), one skipped, and the list says so. A KAM may not assign in
// bulk (403, nothing written); another tenant's id in the selection
// refuses the whole action (404, nothing written).
func TestBulkAssign(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Bulk Co")
	other := newAcctTenant(t, a, "Other Bulk Co")
	ctx := context.Background()
	if _, _, err := a.Srv.Webhooks().CreateEndpoint(ctx, at.scopeAdmin, webhook.EndpointInput{URL: "https://crm.example.com/hook",
		Events: []string{webhook.AccountUpdated}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	acme := at.account(t, account.Input{"name": "Acme"})
	beta := at.account(t, account.Input{"name": "Beta"})
	gamma := at.account(t, account.Input{"name": "Gamma"})
	at.assign(t, gamma.ID, at.KAM.UserID)
	theirs := other.account(t, account.Input{"name": "Theirs"})
	kam := at.KAM.UserID.String()
	history := `SELECT count(*) FROM account_assignments WHERE tenant_id = $1`
	audits := `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'assign_kam'`
	events := `SELECT count(*) FROM webhook_events WHERE tenant_id = $1 AND type = 'account.updated'`

	t.Run("KAMRefused", func(t *testing.T) {
		f := bulkForm("assign", acme.ID)
		f.Set("kam_user_id", kam)
		wantStatus(t, at.KAMC.postForm("/accounts/bulk", f), http.StatusForbidden)
		if got := at.get(t, acme.ID).KAMUserID; got != uuid.Nil {
			t.Fatalf("KAM's bulk assignment wrote %s", got)
		}
	})
	t.Run("OtherTenantsID", func(t *testing.T) {
		f := bulkForm("assign", acme.ID, theirs.ID)
		f.Set("kam_user_id", kam)
		wantStatus(t, at.LeaderC.postForm("/accounts/bulk", f), http.StatusNotFound)
		if got := at.get(t, acme.ID).KAMUserID; got != uuid.Nil || at.count(t, history) != 0 {
			t.Fatalf("refused bulk assignment wrote: acme KAM %s, %d history rows", got, at.count(t, history))
		}
	})
	t.Run("NoKAM", func(t *testing.T) {
		res := at.LeaderC.postForm("/accounts/bulk", bulkForm("assign", acme.ID))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, "Choose a key account manager.") || !strings.Contains(res.Body, `id="kam_user_id-error"`) {
			t.Fatalf("no message beside the KAM field:\n%s", res.Body)
		}
	})
	t.Run("OK", func(t *testing.T) {
		f := bulkForm("assign", acme.ID, beta.ID, gamma.ID)
		f.Set("kam_user_id", kam)
		res := at.LeaderC.postForm("/accounts/bulk", f)
		wantStatus(t, res, http.StatusSeeOther)
		if res.Location != "/accounts?sort=name" {
			t.Fatalf("back to %q, want the list as it was", res.Location)
		}
		page := at.LeaderC.get(res.Location)
		// Acme and Beta change; Gamma is Kim's already.
		want := "2 accounts assigned to Kim Kam; 1 skipped (already Kim Kam’s: Gamma)."
		if !strings.Contains(page.Body, want) {
			t.Fatalf("no summary %q:\n%s", want, page.Body)
		}
		for _, id := range []uuid.UUID{acme.ID, beta.ID, gamma.ID} {
			if got := at.get(t, id); got.KAMUserID != at.KAM.UserID {
				t.Fatalf("%s has KAM %s", got.Name, got.KAMUserID)
			}
		}
		if v := at.get(t, acme.ID).Version; v != acme.Version+1 {
			t.Fatalf("acme version %d, want %d", v, acme.Version+1)
		}
		if h, au, ev := at.count(t, history), at.count(t, audits), at.count(t, events); h != 2 || au != 2 || ev != 2 {
			t.Fatalf("%d history rows, %d audit events, %d webhook events; want 2 each", h, au, ev)
		}
	})
}

// TestBulkSet: setting a segment as the leader; as a KAM only on the
// accounts they manage (else 403 naming the others, nothing written);
// bad values 422 beside the field; an empty selection 422.
func TestBulkSet(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Segment Co")
	mine := at.account(t, account.Input{"name": "Mine", "segment": "SMB"})
	notMine := at.account(t, account.Input{"name": "Not Mine", "segment": "SMB"})
	same := at.account(t, account.Input{"name": "Same", "segment": "Enterprise"})
	at.assign(t, mine.ID, at.KAM.UserID)
	audits := `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'update' AND after->>'segment' = 'Enterprise'`

	set := func(value string, ids ...uuid.UUID) url.Values {
		f := bulkForm("set", ids...)
		f.Set("field", "segment")
		f.Set("value", value)
		return f
	}
	t.Run("KAMNotTheirs", func(t *testing.T) {
		res := at.KAMC.postForm("/accounts/bulk", set("Enterprise", mine.ID, notMine.ID))
		wantStatus(t, res, http.StatusForbidden)
		if !strings.Contains(res.Body, "1 of the 2 selected are not yours: Not Mine.") {
			t.Fatalf("refusal does not name the account:\n%s", res.Body)
		}
		if at.get(t, mine.ID).Segment != "SMB" {
			t.Fatal("a refused bulk edit changed the KAM's own account")
		}
	})
	t.Run("TooLong", func(t *testing.T) {
		res := at.LeaderC.postForm("/accounts/bulk", set(strings.Repeat("x", 101), mine.ID))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, `id="value-error"`) || !strings.Contains(res.Body, "at most 100 characters") {
			t.Fatalf("no message beside the value:\n%s", res.Body)
		}
		// What was ticked stays ticked.
		if !strings.Contains(res.Body, `value="`+mine.ID.String()+`" class="select-row" aria-label="Tick Mine" checked`) {
			t.Fatalf("the ticked account is not ticked any more:\n%s", res.Body)
		}
	})
	t.Run("NothingTicked", func(t *testing.T) {
		res := at.LeaderC.postForm("/accounts/bulk", set("Enterprise"))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, "Tick at least one account") {
			t.Fatalf("no message:\n%s", res.Body)
		}
	})
	t.Run("KAMOwn", func(t *testing.T) {
		res := at.KAMC.postForm("/accounts/bulk", set("Enterprise", mine.ID))
		wantStatus(t, res, http.StatusSeeOther)
		if at.get(t, mine.ID).Segment != "Enterprise" {
			t.Fatal("segment not set")
		}
	})
	t.Run("Leader", func(t *testing.T) {
		res := at.LeaderC.postForm("/accounts/bulk", set("Enterprise", mine.ID, notMine.ID, same.ID))
		wantStatus(t, res, http.StatusSeeOther)
		page := at.LeaderC.get(res.Location)
		// Mine (set by the KAM above) and Same hold it already.
		if want := "1 account moved to segment Enterprise; 2 skipped (already so: Mine, Same)."; !strings.Contains(page.Body, want) {
			t.Fatalf("no summary %q:\n%s", want, page.Body)
		}
		if at.get(t, notMine.ID).Segment != "Enterprise" {
			t.Fatal("segment not set")
		}
		// One audit event each: the KAM's one and the leader's one.
		if n := at.count(t, audits); n != 2 {
			t.Fatalf("%d audit events, want 2", n)
		}
	})
	t.Run("TooMany", func(t *testing.T) {
		ids := make([]uuid.UUID, account.MaxBulk+1)
		for i := range ids {
			ids[i] = uuid.New()
		}
		res := at.LeaderC.postForm("/accounts/bulk", set("X", ids...))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Body, "Choose at most 5000 accounts") {
			t.Fatalf("no message:\n%s", res.Body)
		}
	})
}

// TestBulkAllMatching: "every account matching the filter" archives the
// filter's accounts when the count the list showed still holds, and
// refuses (409, nothing written) when it does not; the export of a
// selection holds only the ticked accounts.
func TestBulkAllMatching(t *testing.T) {
	a := newTestApp(t)
	at := newAcctTenant(t, a, "Archive Co")
	r1 := at.account(t, account.Input{"name": "Retail One", "industry": "Retail"})
	r2 := at.account(t, account.Input{"name": "Retail Two", "industry": "Retail"})
	keep := at.account(t, account.Input{"name": "Energy Three", "industry": "Energy"})

	list := at.LeaderC.get("/accounts?industry=Retail")
	if !strings.Contains(list.Body, `name="seen" value="2"`) || !strings.Contains(list.Body, `name="list" value="industry=Retail"`) {
		t.Fatalf("the bulk form does not carry the filter and its count:\n%s", list.Body)
	}
	all := func(seen string) url.Values {
		return url.Values{"do": {"archive"}, "all": {"1"}, "seen": {seen}, "list": {"industry=Retail"}}
	}
	res := at.LeaderC.postForm("/accounts/bulk", all("3"))
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "The filter now matches 2 accounts, not the 3 the list showed") {
		t.Fatalf("no stale-filter message:\n%s", res.Body)
	}
	if at.get(t, r1.ID).Archived() {
		t.Fatal("a refused bulk archive archived")
	}

	res = at.LeaderC.postForm("/accounts/bulk", all("2"))
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location != "/accounts?industry=Retail" {
		t.Fatalf("back to %q", res.Location)
	}
	if page := at.LeaderC.get(res.Location); !strings.Contains(page.Body, "2 accounts archived.") {
		t.Fatalf("no summary:\n%s", page.Body)
	}
	if !at.get(t, r1.ID).Archived() || !at.get(t, r2.ID).Archived() || at.get(t, keep.ID).Archived() {
		t.Fatal("archived the wrong accounts")
	}
	// The kept tallies follow: the list counts 1 active account, 2 archived.
	if page := at.LeaderC.get("/accounts"); !strings.Contains(page.Body, "<strong>1 account</strong>") || !strings.Contains(page.Body, "Archived (2)") {
		t.Fatalf("list counts not updated:\n%s", page.Body)
	}

	exp := at.KAMC.postForm("/accounts.csv", bulkForm("", keep.ID))
	wantStatus(t, exp, http.StatusOK)
	if !strings.Contains(exp.Body, "Energy Three") || strings.Contains(exp.Body, "Retail One") || strings.Count(exp.Body, "\n") != 2 {
		t.Fatalf("export of one ticked account:\n%s", exp.Body)
	}
	wantStatus(t, at.KAMC.postForm("/accounts.csv", bulkForm("")), http.StatusUnprocessableEntity)
}
