package plan_test

import "errors"
import "math/rand/v2"
import "strings"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/kpi"
import "pareto/internal/plan"

// The worked examples of docs/metrics.md ("Goal status"): the same numbers.
func TestExpectedProgress(t *testing.T) {
	start, due := date(2027, 1, 1), date(2027, 12, 31) // 364 days apart
	tests := []struct {
		name  string
		today time.Time
		want  float64
	}{
		{"BeforeStart", date(2026, 12, 15), 0},
		{"OnStart", date(2027, 1, 1), 0},
		// 1 Jan → 2 Jul is 182 days: 182 ÷ 364 = 50 %.
		{"Midway", date(2027, 7, 2), 50},
		// 1 Jan → 1 Apr is 90 days: 90 ÷ 364 = 24.725… %.
		{"FirstQuarter", date(2027, 4, 1), 90.0 / 364 * 100},
		{"OnDue", date(2027, 12, 31), 100},
		{"AfterDue", date(2028, 2, 1), 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plan.ExpectedProgress(start, due, tt.today); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := plan.ExpectedProgress(start, start, start); got != 100 {
		t.Fatalf("due on the first day, on that day: %v, want 100", got)
	}
}

func TestDeriveStatus(t *testing.T) {
	start, due := date(2027, 1, 1), date(2027, 12, 31)
	mid := date(2027, 7, 2) // 50 % expected (see TestExpectedProgress)
	tests := []struct {
		name      string
		progress  float64
		known     bool
		today     time.Time
		tolerance int
		want      plan.GoalStatus
	}{
		// Expected 50: 45 lags by 5 ≤ 10 → on track.
		{"OnTrackBehind", 45, true, mid, 10, plan.GoalOnTrack},
		// Lags by exactly the tolerance: still on track.
		{"OnTrackAtTolerance", 40, true, mid, 10, plan.GoalOnTrack},
		// Ahead of the line.
		{"OnTrackAhead", 88, true, mid, 10, plan.GoalOnTrack},
		// Lags by 15: more than 10, at most 20 → at risk.
		{"AtRisk", 35, true, mid, 10, plan.GoalAtRisk},
		// Lags by exactly twice the tolerance: at risk.
		{"AtRiskAtTwice", 30, true, mid, 10, plan.GoalAtRisk},
		// Lags by 30 > 20 → off track.
		{"OffTrack", 20, true, mid, 10, plan.GoalOffTrack},
		// A tenant tolerance of 20: lagging by 30 is at risk (≤ 40).
		{"WiderTolerance", 20, true, mid, 20, plan.GoalAtRisk},
		// The goal at 88 % with 95 % of the time gone: 7 behind → on track.
		{"EightyEightPercentLate", 88, true, date(2027, 12, 13), 10, plan.GoalOnTrack},
		// The goal at 30 % after its due date → overdue.
		{"OverdueAtThirty", 30, true, date(2028, 1, 1), 10, plan.GoalOverdue},
		// On the due date itself it is not overdue yet: 100 expected, 95 → on track.
		{"DueToday", 95, true, due, 10, plan.GoalOnTrack},
		// 100 % is achieved, even late.
		{"AchievedLate", 100, true, date(2028, 3, 1), 10, plan.GoalAchieved},
		{"Achieved", 100, true, mid, 10, plan.GoalAchieved},
		// Nothing measured yet counts as 0 %: on track before 10 % of the time is gone…
		{"UnknownEarly", 0, false, date(2027, 1, 20), 10, plan.GoalOnTrack},
		// …off track at midway (50 behind).
		{"UnknownMidway", 0, false, mid, 10, plan.GoalOffTrack},
		// A tolerance out of range falls back to 10.
		{"BadToleranceDefaults", 35, true, mid, 0, plan.GoalAtRisk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plan.DeriveStatus(tt.progress, tt.known, start, due, tt.today, tt.tolerance); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// rank orders statuses from worst to best for the property below.
var rank = map[plan.GoalStatus]int{plan.GoalOverdue: 0, plan.GoalOffTrack: 1, plan.GoalAtRisk: 2, plan.GoalOnTrack: 3, plan.GoalAchieved: 4}

// More progress never makes a status worse, and progress is monotonic in
// the figure: for a goal that raises its measure a higher figure never
// gives less progress; for one that lowers it, never more.
func TestProgressAndStatusMonotonic(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	start, due := date(2027, 1, 1), date(2027, 12, 31)
	for range 2000 {
		base := float64(rng.IntN(1000))
		target := base + float64(rng.IntN(2000)-1000)
		if target == base {
			continue
		}
		a, b := float64(rng.IntN(3000)-1000), float64(rng.IntN(3000)-1000)
		lo, hi := min(a, b), max(a, b)
		plo, _ := plan.Progress(base, target, &lo)
		phi, _ := plan.Progress(base, target, &hi)
		if (target > base && phi < plo) || (target < base && phi > plo) {
			t.Fatalf("baseline %v target %v: progress(%v) = %v, progress(%v) = %v", base, target, lo, plo, hi, phi)
		}
		if plo < 0 || plo > 100 || phi < 0 || phi > 100 {
			t.Fatalf("progress outside 0..100: %v %v", plo, phi)
		}
		today := start.AddDate(0, 0, rng.IntN(500)-50)
		tol := 1 + rng.IntN(50)
		s1 := plan.DeriveStatus(min(plo, phi), true, start, due, today, tol)
		s2 := plan.DeriveStatus(max(plo, phi), true, start, due, today, tol)
		if rank[s2] < rank[s1] {
			t.Fatalf("on %s more progress (%v → %v) turned %s into %s", today.Format(time.DateOnly), min(plo, phi), max(plo, phi), s1, s2)
		}
	}
}

func fig(month time.Time, revenue float64, csat *float64) kpi.Figure {
	return kpi.Figure{Month: month, Revenue: revenue, CSAT: csat}
}

func TestMeasure(t *testing.T) {
	first, last := date(2027, 1, 1), date(2027, 12, 31)
	var figs []kpi.Figure
	// Jul 2026 – Mar 2027 at 100k a month; CSAT 4.0 until Dec 2026, 4.4 in Feb 2027.
	for m := 0; m < 9; m++ {
		month := kpi.AddMonths(date(2026, 7, 1), m)
		var c *float64
		switch {
		case month.Before(first):
			c = ptr(4.0)
		case month.Equal(date(2027, 2, 1)):
			c = ptr(4.4)
		}
		figs = append(figs, fig(month, 100_000, c))
	}
	// A month after the period: never the latest.
	figs = append(figs, fig(date(2028, 1, 1), 999, ptr(1)))

	// Revenue: latest in the period is Mar 2027; the twelve months Apr 2026 –
	// Mar 2027 hold Jul 2026 – Mar 2027: 9 × 100k = 900k.
	if got := plan.Measure(figs, plan.KPIRevenue, first, last); got == nil || got.Value != 900_000 || !got.Month.Equal(date(2027, 3, 1)) {
		t.Fatalf("revenue %+v", got)
	}
	// CSAT is a level: Feb 2027's 4.4 (Mar has none; 2026's do not count).
	if got := plan.Measure(figs, plan.KPICSAT, first, last); got == nil || got.Value != 4.4 || !got.Month.Equal(date(2027, 2, 1)) {
		t.Fatalf("csat %+v", got)
	}
	// FY2028's only month is Jan 2028 (999); its twelve months Feb 2027 –
	// Jan 2028 also hold Feb and Mar 2027: 200,000 + 999 = 200,999.
	if got := plan.Measure(figs, plan.KPIRevenue, date(2028, 1, 1), date(2028, 12, 31)); got == nil || got.Value != 200_999 {
		t.Fatalf("FY2028 revenue %+v", got)
	}
	// FY2026: the latest CSAT inside it is Dec 2026's 4.0.
	if got := plan.Measure(figs, plan.KPICSAT, date(2026, 1, 1), date(2026, 12, 31)); got == nil || got.Value != 4.0 {
		t.Fatalf("FY2026 csat %+v", got)
	}
	// FY2025: nothing inside.
	if got := plan.Measure(figs, plan.KPIRevenue, date(2025, 1, 1), date(2025, 12, 31)); got != nil {
		t.Fatalf("FY2025 %+v", got)
	}
	if got := plan.Measure(figs, plan.KPICustom, first, last); got != nil {
		t.Fatalf("custom %+v", got)
	}
}

func TestOverrideGoalStatus(t *testing.T) {
	d := dbtest.New(t)
	f := newFixture(t, d, "own")
	id := f.newPlan(t, f.kam, f.acct, "FY2027")
	in := plan.GoalInput{Title: "Points", KPI: plan.KPICustom, CustomMeasure: "Points", Baseline: 0, Target: 100,
		DueDate: date(2027, 12, 31), ManualProgress: ptr(20)}
	goalID, err := plan.CreateGoal(ctx, d, f.actor(f.kam), id, in)
	if err != nil {
		t.Fatal(err)
	}
	mid := date(2027, 7, 2) // 50 % expected, 20 % done: off track
	t.Run("ErrReasonRequired", func(t *testing.T) {
		err := plan.OverrideGoalStatus(ctx, d, f.actor(f.kam), id, goalID, plan.OverrideInput{Status: plan.GoalOnTrack, Reason: "  "}, 1, mid)
		wantFieldError(t, err, "override_reason")
	})
	t.Run("ErrUnknownStatus", func(t *testing.T) {
		err := plan.OverrideGoalStatus(ctx, d, f.actor(f.kam), id, goalID, plan.OverrideInput{Status: "great", Reason: "x"}, 1, mid)
		wantFieldError(t, err, "override")
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		err := plan.OverrideGoalStatus(ctx, d, f.actor(f.kam2), id, goalID, plan.OverrideInput{Status: plan.GoalOnTrack, Reason: "x"}, 1, mid)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
	})
	audits := f.auditCount(t, "plan_goal")
	t.Run("BothShown", func(t *testing.T) {
		err := plan.OverrideGoalStatus(ctx, d, f.actor(f.kam), id, goalID,
			plan.OverrideInput{Status: plan.GoalOnTrack, Reason: "Framework agreement signed in June"}, 1, mid)
		if err != nil {
			t.Fatal(err)
		}
		g, err := plan.GoalByID(ctx, d, f.scope(), id, goalID, mid)
		if err != nil {
			t.Fatal(err)
		}
		if g.Derived != plan.GoalOffTrack || g.Override != plan.GoalOnTrack || g.Status() != plan.GoalOnTrack ||
			g.OverrideReason != "Framework agreement signed in June" || g.OverrideBy != "Karl" || g.Version != 2 {
			t.Fatalf("got %+v", g)
		}
		if n := f.auditCount(t, "plan_goal"); n != audits+1 {
			t.Fatalf("audit events %d, want %d", n, audits+1)
		}
		var after string
		if err := f.d.Tx(ctx, f.scope(), func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT after::text FROM audit_events WHERE entity = 'plan_goal' AND action = 'override_status'`).Scan(&after)
		}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"derived": "off_track"`, `"status_override": "on_track"`, `"expected_pct": 50`, `"progress_pct": 20`} {
			if !strings.Contains(after, want) {
				t.Errorf("audit after %s lacks %s", after, want)
			}
		}
	})
	t.Run("Stale", func(t *testing.T) {
		err := plan.OverrideGoalStatus(ctx, d, f.actor(f.kam), id, goalID, plan.OverrideInput{}, 1, mid)
		if !errors.Is(err, db.ErrConflict) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Clear", func(t *testing.T) {
		if err := plan.OverrideGoalStatus(ctx, d, f.actor(f.leader), id, goalID, plan.OverrideInput{Reason: "ignored"}, 2, mid); err != nil {
			t.Fatal(err)
		}
		g, _ := plan.GoalByID(ctx, d, f.scope(), id, goalID, mid)
		if g.Override != "" || g.OverrideReason != "" || g.OverrideAt != nil || g.Status() != plan.GoalOffTrack {
			t.Fatalf("got %+v", g)
		}
	})
}
