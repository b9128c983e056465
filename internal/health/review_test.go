package health_test

import "context"
import "errors"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/health"
import "pareto/internal/kpi"

func hold(t *testing.T, hs *health.Store, sc db.Scope, role auth.Role, acct uuid.UUID, on time.Time, summary string) uuid.UUID {
	t.Helper()
	f, err := health.ReviewInput{HeldOn: on.Format(time.DateOnly), Summary: summary, InternalNotes: "Price talk in Q3",
		NextSteps: "Joint roadmap day"}.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := hs.HoldReview(context.Background(), sc, role, acct, f)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestReviews(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Review Co")
	other := newTenant(t, d, "Other Co")
	hs := health.NewStore(d)
	acct := tn.keyAccount(t, "Initech")
	dee := tn.stakeholder(t, acct, "Dee", account.RoleDecisionMaker, account.StrengthStrong)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	last := kpi.AddMonths(kpi.MonthOf(today), -1)
	if _, err := kpi.NewStore(d).SaveFigure(ctx, tn.admin(), auth.RoleAdmin, acct, kpi.Figure{Month: last, Revenue: 50000}, 0); err != nil {
		t.Fatal(err)
	}

	// The first review: Dee never met, so "stale contact" is a risk.
	first := hold(t, hs, tn.kam(), auth.RoleKAM, acct, today.AddDate(0, 0, -30), "Good start")
	tn.meet(t, acct, today.AddDate(0, 0, -1), dee)
	if _, err := kpi.NewStore(d).SaveFigure(ctx, tn.admin(), auth.RoleAdmin, acct, kpi.Figure{Month: kpi.MonthOf(today), Revenue: 10000}, 0); err != nil {
		t.Fatal(err)
	}
	second := hold(t, hs, tn.kam(), auth.RoleKAM, acct, today, "Better")

	t.Run("Frozen", func(t *testing.T) {
		// A later change does not reach a held review.
		tn.exec(t, "UPDATE accounts SET name = 'Initech Renamed' WHERE id = $1", acct)
		rv, err := hs.AccountReview(ctx, tn.admin(), acct, first)
		if err != nil {
			t.Fatal(err)
		}
		s := rv.Snapshot
		if s.AccountName != "Initech" || s.Revenue() != 50000 || rv.Previous != nil || rv.InternalNotes != "Price talk in Q3" {
			t.Errorf("first review: name %q revenue %v previous %v", s.AccountName, s.Revenue(), rv.Previous)
		}
		stale := false
		for _, w := range s.Health.Warnings {
			stale = stale || w.Kind == health.StaleContact
		}
		if !stale {
			t.Errorf("first review's risks %+v, want a stale contact", s.Health.Warnings)
		}
	})

	t.Run("Changes", func(t *testing.T) {
		rv, err := hs.AccountReview(ctx, tn.admin(), acct, second)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Previous == nil || rv.Previous.ID != first {
			t.Fatalf("second review's previous: %+v", rv.Previous)
		}
		cs := health.Changes(rv.Previous.Snapshot, rv.Snapshot)
		var saw []string
		for _, c := range cs {
			saw = append(saw, c.Label+": "+c.Before+" → "+c.After)
		}
		all := strings.Join(saw, "\n")
		// Revenue 50,000 → 60,000 over the snapshot's 12 months; the stale
		// contact was resolved.
		for _, want := range []string{"Revenue, last 12 months: 50,000 → 60,000", "Risk: Stale contact", "→ resolved"} {
			if !strings.Contains(all, want) {
				t.Errorf("changes lack %q:\n%s", want, all)
			}
		}
	})

	t.Run("Schedule", func(t *testing.T) {
		sch, err := hs.AccountReviews(ctx, tn.admin(), acct)
		if err != nil {
			t.Fatal(err)
		}
		// Quarterly by default: today + 3 months.
		if want := today.AddDate(0, 3, 0); !sch.NextReview.Equal(want) || len(sch.Reviews) != 2 || sch.Reviews[0].ID != second {
			t.Errorf("next review %v (want %v), %d reviews", sch.NextReview, want, len(sch.Reviews))
		}
		if err := hs.SetNextReview(ctx, tn.kam(), auth.RoleKAM, acct, today.AddDate(0, 0, -1), sch.Version); !isField(err, "next_review_on") {
			t.Errorf("a date in the past: %v", err)
		}
		if err := hs.SetNextReview(ctx, tn.kam(), auth.RoleKAM, acct, today.AddDate(0, 1, 0), sch.Version+1); !errors.Is(err, db.ErrConflict) {
			t.Errorf("stale version: %v", err)
		}
		if err := hs.SetNextReview(ctx, tn.kam(), auth.RoleKAM, acct, today.AddDate(0, 0, 3), sch.Version); err != nil {
			t.Fatal(err)
		}
		due, n, err := hs.ReviewsDue(ctx, tn.admin(), uuid.Nil, 7, 10)
		if err != nil || n != 1 || len(due) != 1 || due[0].AccountID != acct || due[0].Overdue {
			t.Errorf("reviews due %+v (%d), %v", due, n, err)
		}
		if due, _, _ := hs.ReviewsDue(ctx, tn.admin(), uuid.Nil, 2, 10); len(due) != 0 {
			t.Errorf("due within 2 days: %+v", due)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		tn.exec(t, "UPDATE accounts SET kam_user_id = NULL WHERE id = $1", acct)
		f, _ := health.ReviewInput{HeldOn: today.Format(time.DateOnly), Summary: "x"}.Parse(time.Now())
		if _, err := hs.HoldReview(ctx, tn.kam(), auth.RoleKAM, acct, f); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("a KAM reviewing another's account: %v", err)
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := hs.AccountReview(ctx, other.admin(), acct, first); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant reads a review: %v", err)
		}
		f, _ := health.ReviewInput{HeldOn: today.Format(time.DateOnly), Summary: "x"}.Parse(time.Now())
		if _, err := hs.HoldReview(ctx, other.admin(), auth.RoleAdmin, acct, f); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant holds a review: %v", err)
		}
		if due, _, _ := hs.ReviewsDue(ctx, other.admin(), uuid.Nil, 400, 10); len(due) != 0 {
			t.Errorf("other tenant sees reviews due: %+v", due)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := health.ReviewInput{HeldOn: today.AddDate(0, 0, 2).Format(time.DateOnly), Summary: "x"}.Parse(time.Now())
		if !isField(err, "held_on") {
			t.Errorf("a review in the future: %v", err)
		}
		if _, err := (health.ReviewInput{HeldOn: today.Format(time.DateOnly)}).Parse(time.Now()); !isField(err, "summary") {
			t.Errorf("a review saying nothing: %v", err)
		}
	})
}

func isField(err error, field string) bool {
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	_, ok := fe[field]
	return ok
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Settings Co")
	hs := health.NewStore(d)
	st, err := hs.Settings(ctx, tn.admin())
	if err != nil || st.Version != 0 || st.Weights[health.Coverage] != 20 || st.StaleDays != 60 || st.ReviewMonths != 3 {
		t.Fatalf("defaults %+v, %v", st, err)
	}
	next := st
	next.Weights = health.Weights{health.Coverage: 50, health.Freshness: 50}
	t.Run("OK", func(t *testing.T) {
		if err := hs.UpdateSettings(ctx, tn.admin(), auth.RoleAdmin, next, 0); err != nil {
			t.Fatal(err)
		}
		got, _ := hs.Settings(ctx, tn.admin())
		if got.Version != 1 || got.Weights[health.Coverage] != 50 || got.Weights[health.MarginTrend] != 0 {
			t.Errorf("saved %+v", got)
		}
	})
	t.Run("ErrWeights", func(t *testing.T) {
		bad := next
		bad.Weights = health.Weights{health.Coverage: 50, health.Freshness: 40}
		if err := hs.UpdateSettings(ctx, tn.admin(), auth.RoleAdmin, bad, 1); !isField(err, "weights") {
			t.Errorf("weights adding up to 90: %v", err)
		}
		bad = next
		bad.StaleDays, bad.ReviewMonths = 3, 5
		err := hs.UpdateSettings(ctx, tn.admin(), auth.RoleAdmin, bad, 1)
		if !isField(err, "stale_days") || !isField(err, "review_months") {
			t.Errorf("3 days and 5 months: %v", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		if err := hs.UpdateSettings(ctx, tn.admin(), auth.RoleAdmin, next, 0); !errors.Is(err, db.ErrConflict) {
			t.Errorf("stale version: %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if err := hs.UpdateSettings(ctx, tn.kam(), auth.RoleKAM, next, 1); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("a KAM changing settings: %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newTenant(t, d, "Other Co")
		got, _ := hs.Settings(ctx, other.admin())
		if got.Version != 0 || got.Weights[health.Coverage] != 20 {
			t.Errorf("the other tenant sees %+v", got)
		}
	})
}

func TestMatrixAndRevenueAtRisk(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	tn := newTenant(t, d, "Matrix Co")
	hs := health.NewStore(d)
	// Three key accounts with annual revenue 100,000 each and no KPI
	// figures (their revenue is the annual revenue): one healthy (a
	// stakeholder in every decision role, all met today: coverage 100,
	// freshness 100 → 100), two with nobody mapped (coverage 0; the rest
	// missing → 0).
	good := tn.keyAccount(t, "Good Co")
	for _, r := range account.DecisionRoles {
		tn.meet(t, good, time.Now(), tn.stakeholder(t, good, string(r)+" person", r, account.StrengthStrong))
	}
	weak1 := tn.keyAccount(t, "Weak One")
	weak2 := tn.keyAccount(t, "Weak Two")
	tn.exec(t, `INSERT INTO account_rankings (tenant_id, account_id, score10, scored, complete, headroom, sort_name)
		SELECT tenant_id, id, CASE WHEN name = 'Weak Two' THEN 40 ELSE 80 END, 1, true, 0, lower(name)
		FROM accounts WHERE tenant_id = $1`, tn.Admin.TenantID)
	if err := hs.RefreshTenant(ctx, tn.admin()); err != nil {
		t.Fatal(err)
	}
	mx, err := hs.Matrix(ctx, tn.admin(), health.MatrixFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]health.Quadrant{good: health.Invest, weak1: health.Repair, weak2: health.Reconsider}
	for _, p := range mx.Points {
		if !p.Placed() || p.Quadrant != want[p.AccountID] {
			t.Errorf("%s: score %v health %v quadrant %q, want %q", p.Name, p.Score10, p.Health, p.Quadrant, want[p.AccountID])
		}
	}
	// Two of three equal revenues are below health 50: 200,000 of
	// 300,000 = 66.7 %.
	r, err := hs.RevenueAtRisk(ctx, tn.admin())
	if err != nil {
		t.Fatal(err)
	}
	if share, _ := r.Share(); r.KeyAccounts != 3 || r.Accounts != 2 || r.AtRisk != 200000 || r.KeyRevenue != 300000 || share < 0.666 || share > 0.667 {
		t.Errorf("revenue at risk %+v", r)
	}
	// A KAM sees their own accounts only.
	other := newTenant(t, d, "Other Co")
	if mx, _ := hs.Matrix(ctx, other.admin(), health.MatrixFilter{}); len(mx.Points) != 0 {
		t.Errorf("other tenant's 2×2 has %d points", len(mx.Points))
	}
}
