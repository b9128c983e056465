package health_test

import "context"
import "errors"
import "fmt"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/health"
import "pareto/internal/keyset"
import "pareto/internal/kpi"

func TestMain(m *testing.M) { dbtest.Main(m) }

// tenant is a test tenant with an admin and a KAM.
type tenant struct {
	Admin, KAM auth.Member
	d          *db.DB
}

func (tn tenant) admin() db.Scope {
	return db.Scope{TenantID: tn.Admin.TenantID, UserID: tn.Admin.UserID}
}
func (tn tenant) kam() db.Scope { return db.Scope{TenantID: tn.KAM.TenantID, UserID: tn.KAM.UserID} }

var counter int

func newTenant(t testing.TB, d *db.DB, org string) tenant {
	t.Helper()
	ctx := context.Background()
	as := auth.NewStore(d)
	counter++
	admin, err := as.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin " + org, Email: fmt.Sprintf("admin%d@h.test", counter),
		Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := as.CreateInvite(ctx, db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}, fmt.Sprintf("kam%d@h.test", counter), auth.RoleKAM)
	if err != nil {
		t.Fatal(err)
	}
	kam, err := as.AcceptInvite(ctx, token, "Kim KAM", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	return tenant{Admin: admin, KAM: kam, d: d}
}

// keyAccount creates a key account managed by the tenant's KAM.
func (tn tenant) keyAccount(t testing.TB, name string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	f, err := account.Input{"name": name, "status": "customer", "annual_revenue": "100000"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	a, err := account.NewStore(tn.d).CreateAccount(ctx, tn.admin(), auth.RoleAdmin, f)
	if err != nil {
		t.Fatal(err)
	}
	tn.exec(t, "UPDATE accounts SET key_status = 'key', kam_user_id = $2 WHERE id = $1", a.ID, tn.KAM.UserID)
	return a.ID
}

// exec runs SQL as the admin and recounts the kept tallies.
func (tn tenant) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := tn.d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return err
		}
		return account.Recount(ctx, tx, tn.Admin.TenantID)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (tn tenant) stakeholder(t testing.TB, accountID uuid.UUID, name string, role account.BuyingRole, strength account.Strength) uuid.UUID {
	t.Helper()
	f, err := account.StakeholderInput{Name: name, Role: string(role), Strength: string(strength)}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	st, err := account.NewStore(tn.d).CreateStakeholder(context.Background(), tn.admin(), auth.RoleAdmin, accountID, f)
	if err != nil {
		t.Fatal(err)
	}
	return st.ID
}

func (tn tenant) meet(t testing.TB, accountID uuid.UUID, on time.Time, who ...uuid.UUID) {
	t.Helper()
	var ps []string
	for _, id := range who {
		ps = append(ps, id.String())
	}
	f, err := account.InteractionInput{OccurredOn: on.Format(time.DateOnly), Kind: "meeting", Summary: "Met",
		Participants: ps}.Parse(tn.Admin.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := account.NewStore(tn.d).CreateInteraction(context.Background(), tn.admin(), auth.RoleAdmin, accountID, f); err != nil {
		t.Fatal(err)
	}
}

func riskKinds(t *testing.T, hs *health.Store, sc db.Scope, accountID uuid.UUID) []string {
	t.Helper()
	p, err := hs.Risks(context.Background(), sc, health.RiskFilter{}, keyset.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range p.Risks {
		if r.AccountID == accountID {
			out = append(out, string(r.Kind))
		}
	}
	return out
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Health Co")
	other := newTenant(t, d, "Other Co")
	hs := health.NewStore(d)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	hs.Now = func() time.Time { return now }

	acct := tn.keyAccount(t, "Globex")
	dee := tn.stakeholder(t, acct, "Dee", account.RoleDecisionMaker, account.StrengthStrong)
	cam := tn.stakeholder(t, acct, "Cam", account.RoleChampion, account.StrengthStrong)
	tn.meet(t, acct, now.AddDate(0, 0, -10), dee)
	tn.meet(t, acct, now.AddDate(0, 0, -100), cam)

	t.Run("OK", func(t *testing.T) {
		if err := hs.Refresh(ctx, tn.admin(), []uuid.UUID{acct}); err != nil {
			t.Fatal(err)
		}
		k, ok, hist, err := hs.AccountHealth(ctx, tn.admin(), acct, 12)
		if err != nil || !ok {
			t.Fatalf("kept health: ok %v err %v", ok, err)
		}
		// Coverage 2/4 = 50; freshness: Dee 10 days → 100, Cam 100 days
		// → (120 − 100)/60·100 = 33.3; mean 66.7. Plan, satisfaction,
		// engagement, margin missing: weights 20 + 20 = 40 left.
		// (20·50 + 20·66.67)/40 = 58.3 → 58.
		if k.Score == nil || *k.Score != 58 {
			t.Fatalf("score %v, want 58 (%+v)", k.Score, k.Parts)
		}
		if len(hist) != 1 || !hist[0].Month.Equal(kpi.MonthOf(now)) || *hist[0].Score != 58 {
			t.Errorf("history %+v, want one row for 2026-11", hist)
		}
		if got := strings.Join(riskKinds(t, hs, tn.admin(), acct), ","); got != "stale_contact" {
			t.Errorf("risks %s, want stale_contact", got)
		}
	})

	t.Run("WarningClearsAfterContact", func(t *testing.T) {
		tn.meet(t, acct, now.AddDate(0, 0, -1), cam)
		if err := hs.Refresh(ctx, tn.admin(), []uuid.UUID{acct}); err != nil {
			t.Fatal(err)
		}
		if got := riskKinds(t, hs, tn.admin(), acct); len(got) != 0 {
			t.Errorf("risks %v after meeting Cam, want none", got)
		}
	})

	t.Run("ChampionGone", func(t *testing.T) {
		st, err := account.NewStore(d).Stakeholder(ctx, tn.admin(), acct, cam)
		if err != nil {
			t.Fatal(err)
		}
		f := st.StakeholderFields
		f.LeftOn = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		if _, err := account.NewStore(d).UpdateStakeholder(ctx, tn.admin(), auth.RoleAdmin, acct, cam, f, st.Version); err != nil {
			t.Fatal(err)
		}
		if err := hs.Refresh(ctx, tn.admin(), []uuid.UUID{acct}); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(riskKinds(t, hs, tn.admin(), acct), ",")
		if got != "champion_gone,single_threaded" {
			t.Errorf("risks %s, want champion_gone,single_threaded (by kind)", got)
		}
		// Cam's history stays: the interactions with them are still there.
		is, _, err := account.NewStore(d).Interactions(ctx, tn.admin(), acct, 0)
		if err != nil || len(is) != 3 {
			t.Errorf("interactions %d (%v), want 3", len(is), err)
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		// The other tenant cannot see, refresh or read this account.
		if err := hs.Refresh(ctx, other.admin(), []uuid.UUID{acct}); err != nil {
			t.Fatal(err)
		}
		if _, ok, hist, err := hs.AccountHealth(ctx, other.admin(), acct, 12); err != nil || ok || len(hist) != 0 {
			t.Errorf("other tenant reads: ok %v, %d history rows, err %v", ok, len(hist), err)
		}
		if _, err := hs.Live(ctx, other.admin(), acct); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant's live health: %v, want not found", err)
		}
		if got := riskKinds(t, hs, other.admin(), acct); len(got) != 0 {
			t.Errorf("other tenant sees risks %v", got)
		}
	})
}

func TestRiskListPages(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Many Co")
	hs := health.NewStore(d)
	var ids []uuid.UUID
	for i := range 60 {
		ids = append(ids, tn.keyAccount(t, fmt.Sprintf("Account %02d", i)))
	}
	// No stakeholders: every account has "no decision maker".
	if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
		t.Fatal(err)
	}
	f := health.RiskFilter{Kind: health.NoDecisionMaker, Key: "key"}
	p1, err := hs.Risks(ctx, tn.admin(), f, keyset.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if p1.Total != 60 || len(p1.Risks) != health.RiskPerPage || !p1.Links.HasNext || p1.Risks[0].AccountName != "Account 00" {
		t.Fatalf("first page: total %d, %d rows, next %v, first %q", p1.Total, len(p1.Risks), p1.Links.HasNext, p1.Risks[0].AccountName)
	}
	p2, err := hs.Risks(ctx, tn.admin(), f, p1.Links.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Risks) != 10 || p2.Links.HasNext || p2.Risks[0].AccountName != "Account 50" {
		t.Fatalf("second page: %d rows, next %v, first %q", len(p2.Risks), p2.Links.HasNext, p2.Risks[0].AccountName)
	}
	if p, err := hs.Risks(ctx, tn.admin(), health.RiskFilter{Kind: health.StaleContact}, keyset.Cursor{}); err != nil || p.Total != 0 {
		t.Errorf("stale contacts: %d (%v), want 0", p.Total, err)
	}
	var csv strings.Builder
	if err := hs.RisksCSV(ctx, tn.admin(), f, &csv); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csv.String(), "\n"); n != 61 {
		t.Errorf("CSV has %d lines, want a header and 60 rows", n)
	}
	// The run is recorded for today.
	if ran, stale, err := hs.LastRun(ctx, tn.admin()); err != nil || stale || ran.IsZero() {
		t.Errorf("last run %v stale %v err %v", ran, stale, err)
	}
	// Archiving an account takes its warnings off the list at the next run.
	tn.exec(t, "UPDATE accounts SET archived_at = now() WHERE id = $1", ids[0])
	if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
		t.Fatal(err)
	}
	if p, _ := hs.Risks(ctx, tn.admin(), f, keyset.Cursor{}); p.Total != 59 {
		t.Errorf("after archiving one: %d, want 59", p.Total)
	}
	// The counts are kept (risk_tallies), moved by each write's refresh:
	// a decision maker on Account 01, never contacted and the only
	// strong stakeholder, takes its "no decision maker" off (58 left)
	// and raises "stale contact" and "single-threaded" (60 in all).
	tn.stakeholder(t, ids[1], "Dee", account.RoleDecisionMaker, account.StrengthStrong)
	if err := hs.Refresh(ctx, tn.admin(), []uuid.UUID{ids[1]}); err != nil {
		t.Fatal(err)
	}
	var counted int
	if err := d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM account_risks").Scan(&counted)
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    health.RiskFilter
		want int
	}{
		{f, 58},
		{health.RiskFilter{Kind: health.NoDecisionMaker, KAMID: tn.KAM.UserID}, 58},
		{health.RiskFilter{Kind: health.StaleContact}, 1},
		{health.RiskFilter{KAMID: tn.KAM.UserID, Key: "key"}, 60},
		{health.RiskFilter{KAMID: tn.Admin.UserID}, 0},
		{health.RiskFilter{Key: "other"}, 0},
		{health.RiskFilter{}, counted},
	} {
		if p, err := hs.Risks(ctx, tn.admin(), c.f, keyset.Cursor{}); err != nil || p.Total != c.want {
			t.Errorf("%+v: total %d (%v), want %d", c.f, p.Total, err, c.want)
		}
	}
	if counted != 60 {
		t.Errorf("%d warnings in force, want 60", counted)
	}
	// Another tenant's counts are its own.
	other := newTenant(t, d, "Other Many Co")
	if p, err := hs.Risks(ctx, other.admin(), health.RiskFilter{}, keyset.Cursor{}); err != nil || p.Total != 0 {
		t.Errorf("other tenant: total %d (%v)", p.Total, err)
	}
}

// TestHistoryEveryMonth: the tenant's run writes this month's history
// row, and when the last run was months ago (nobody used the tenant),
// the months in between get theirs too, each as of its last day. Globex
// has a decision maker and a champion (coverage 2/4 = 50), both last met
// on 10 August; only coverage and freshness (weights 20 and 20) have
// inputs, so the score is (50 + freshness) / 2, freshness being 100 up
// to 60 days and (120 − days)/60·100 after:
//
//	run 20 Aug: 10 days  → 100   → 75   (August)
//	30 Sep:     51 days  → 100   → 75   (September, filled in)
//	31 Oct:     82 days  → 63.3  → 56.7 → 57 (October, filled in)
//	run 10 Nov: 92 days  → 46.7  → 48.3 → 48 (November)
func TestHistoryEveryMonth(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Monthly Co")
	other := newTenant(t, d, "Quiet Co")
	hs := health.NewStore(d)
	now := time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
	hs.Now = func() time.Time { return now }
	acct := tn.keyAccount(t, "Globex")
	dee := tn.stakeholder(t, acct, "Dee", account.RoleDecisionMaker, account.StrengthStrong)
	cam := tn.stakeholder(t, acct, "Cam", account.RoleChampion, account.StrengthStrong)
	tn.meet(t, acct, time.Date(2026, 8, 10, 0, 0, 0, 0, time.UTC), dee, cam)
	if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	if _, stale, err := hs.LastRun(ctx, tn.admin()); err != nil || !stale {
		t.Fatalf("last run stale %v (%v), want stale", stale, err)
	}
	if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
		t.Fatal(err)
	}
	_, _, hist, err := hs.AccountHealth(ctx, tn.admin(), acct, 12)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range hist {
		s := "missing"
		if p.Score != nil {
			s = fmt.Sprint(*p.Score)
		}
		got = append(got, p.Month.Format("2006-01")+"="+s)
	}
	if want := "2026-08=75 2026-09=75 2026-10=57 2026-11=48"; strings.Join(got, " ") != want {
		t.Errorf("history %s, want %s", strings.Join(got, " "), want)
	}
	if ran, stale, err := hs.LastRun(ctx, tn.admin()); err != nil || stale || !ran.Equal(time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("last run %v stale %v (%v)", ran, stale, err)
	}
	// The other tenant's run writes nothing of this tenant's.
	if err := hs.RefreshTenant(ctx, other.admin()); err != nil {
		t.Fatal(err)
	}
	if _, _, h, err := hs.AccountHealth(ctx, other.admin(), acct, 12); err != nil || len(h) != 0 {
		t.Errorf("other tenant reads %d history rows (%v)", len(h), err)
	}
}
