package health

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"

// Store reads and writes health, risks, profitability and reviews. Every
// method works inside tenant-scoped transactions; every change a person
// makes is audited in its transaction.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func wrap(op string, err error) error { return db.Wrap("health: "+op, err) }

// Settings are a tenant's health settings.
type Settings struct {
	Weights Weights
	// StaleDays: a key stakeholder not contacted for longer is stale.
	StaleDays int
	// SingleThreadPct: one stakeholder in more than this share (percent)
	// of the recent interactions makes the account single-threaded.
	SingleThreadPct int
	// RiskHealth: key revenue of accounts whose health is below this is
	// revenue at risk.
	RiskHealth int
	// MatrixScore10 and MatrixHealth draw the 2×2's lines (score in
	// tenths, health 0–100).
	MatrixScore10 int
	MatrixHealth  int
	// LowMarginBPS: a key account's gross margin below this (basis
	// points) is warned about.
	LowMarginBPS int
	// ReviewMonths is the review cadence.
	ReviewMonths int
	Version      int // 0 while the tenant has never saved settings
}

// DefaultSettings apply until an admin saves others.
func DefaultSettings() Settings {
	return Settings{
		Weights:   Weights{Coverage: 20, Freshness: 20, PlanProgress: 20, Satisfaction: 15, Engagement: 10, MarginTrend: 15},
		StaleDays: 60, SingleThreadPct: 70, RiskHealth: 50, MatrixScore10: 60, MatrixHealth: 60, LowMarginBPS: 2000,
		ReviewMonths: 3,
	}
}

// ReviewCadences are the review cadences a tenant may choose, in months.
var ReviewCadences = []int{1, 2, 3, 4, 6, 12}

// CadenceLabel names a cadence.
func CadenceLabel(months int) string {
	switch months {
	case 1:
		return "Monthly"
	case 3:
		return "Quarterly"
	case 6:
		return "Twice a year"
	case 12:
		return "Yearly"
	}
	return fmt.Sprintf("Every %d months", months)
}

// Validate checks st; messages are keyed by the settings form's fields
// (weight_<component>, weights, stale_days, single_thread_pct,
// risk_health, matrix_score, matrix_health, low_margin, review_months).
func (st Settings) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	sum := 0
	for _, c := range Components {
		w := st.Weights[c]
		if w < 0 || w > 100 {
			fe.Add("weight_"+string(c), "Use a whole percentage from 0 to 100.")
		}
		sum += w
	}
	if sum != 100 {
		fe.Add("weights", fmt.Sprintf("The weights add up to %d %%; make them add up to 100 %%.", sum))
	}
	if st.StaleDays < 7 || st.StaleDays > 365 {
		fe.Add("stale_days", "Use a number of days from 7 to 365.")
	}
	if st.SingleThreadPct < 50 || st.SingleThreadPct > 100 {
		fe.Add("single_thread_pct", "Use a share from 50 to 100 %.")
	}
	if st.RiskHealth < 1 || st.RiskHealth > 100 {
		fe.Add("risk_health", "Use a health score from 1 to 100.")
	}
	if st.MatrixScore10 < 10 || st.MatrixScore10 > 100 {
		fe.Add("matrix_score", "Use a selection score from 1.0 to 10.0.")
	}
	if st.MatrixHealth < 1 || st.MatrixHealth > 100 {
		fe.Add("matrix_health", "Use a health score from 1 to 100.")
	}
	if st.LowMarginBPS < -10000 || st.LowMarginBPS > 10000 {
		fe.Add("low_margin", "Use a gross margin from −100 to 100 %.")
	}
	valid := false
	for _, m := range ReviewCadences {
		valid = valid || m == st.ReviewMonths
	}
	if !valid {
		fe.Add("review_months", "Choose a review cadence.")
	}
	return fe
}

// SettingsTx reads the tenant's settings in tx (the defaults when none
// are saved).
func SettingsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	return db.ReadNow(ctx, tx, func(r *db.Reads) *Settings { return QueueSettings(r, tenantID) })
}

// QueueSettings is SettingsTx queued in r (filled when r is sent).
func QueueSettings(r *db.Reads, tenantID uuid.UUID) *Settings {
	st := DefaultSettings()
	r.One(func(row pgx.Row) error {
		var w [6]int
		err := row.Scan(&w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &st.StaleDays, &st.SingleThreadPct, &st.RiskHealth,
			&st.MatrixScore10, &st.MatrixHealth, &st.LowMarginBPS, &st.ReviewMonths, &st.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		st.Weights = Weights{}
		for i, c := range Components {
			st.Weights[c] = w[i]
		}
		return nil
	}, `SELECT w_coverage, w_freshness, w_plan, w_satisfaction, w_engagement, w_margin, stale_days,
			single_thread_pct, risk_health, matrix_score10, matrix_health, low_margin_bps, review_months, version
		FROM health_settings WHERE tenant_id = $1`, tenantID)
	return &st
}

// Settings returns the tenant's health settings. Anybody signed in may
// read them.
func (s *Store) Settings(ctx context.Context, sc db.Scope) (Settings, error) {
	var st Settings
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) (err error) {
		st, err = SettingsTx(ctx, tx, sc.TenantID)
		return err
	})
	return st, wrap("settings", err)
}

func (st Settings) audit() map[string]any {
	m := map[string]any{"stale_days": st.StaleDays, "single_thread_pct": st.SingleThreadPct, "risk_health": st.RiskHealth,
		"matrix_score10": st.MatrixScore10, "matrix_health": st.MatrixHealth, "low_margin_bps": st.LowMarginBPS,
		"review_months": st.ReviewMonths}
	for _, c := range Components {
		m["weight_"+string(c)] = st.Weights[c]
	}
	return m
}

// UpdateSettings saves the tenant's health settings when version is the
// one saved (0 before the first save; db.ErrConflict otherwise). Admins
// only (db.ErrForbidden); db.FieldErrors for invalid settings. The kept
// scores follow at the next refresh of the tenant (the caller starts one).
func (s *Store) UpdateSettings(ctx context.Context, sc db.Scope, role auth.Role, next Settings, version int) error {
	if role != auth.RoleAdmin {
		return fmt.Errorf("health: settings as %s: %w", role, db.ErrForbidden)
	}
	if fe := next.Validate(); len(fe) > 0 {
		return fe
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		cur, err := SettingsTx(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("settings at version %d, form %d: %w", cur.Version, version, db.ErrConflict)
		}
		w := next.Weights
		if _, err := tx.Exec(ctx, `INSERT INTO health_settings (tenant_id, w_coverage, w_freshness, w_plan, w_satisfaction,
				w_engagement, w_margin, stale_days, single_thread_pct, risk_health, matrix_score10, matrix_health,
				low_margin_bps, review_months, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (tenant_id) DO UPDATE SET w_coverage = EXCLUDED.w_coverage, w_freshness = EXCLUDED.w_freshness,
				w_plan = EXCLUDED.w_plan, w_satisfaction = EXCLUDED.w_satisfaction, w_engagement = EXCLUDED.w_engagement,
				w_margin = EXCLUDED.w_margin, stale_days = EXCLUDED.stale_days, single_thread_pct = EXCLUDED.single_thread_pct,
				risk_health = EXCLUDED.risk_health, matrix_score10 = EXCLUDED.matrix_score10,
				matrix_health = EXCLUDED.matrix_health, low_margin_bps = EXCLUDED.low_margin_bps,
				review_months = EXCLUDED.review_months, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at,
				version = health_settings.version + 1`,
			sc.TenantID, w[Coverage], w[Freshness], w[PlanProgress], w[Satisfaction], w[Engagement], w[MarginTrend],
			next.StaleDays, next.SingleThreadPct, next.RiskHealth, next.MatrixScore10, next.MatrixHealth, next.LowMarginBPS,
			next.ReviewMonths, db.Null(sc.UserID), s.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "health_settings",
			Before: cur.audit(), After: next.audit()})
	})
	return wrap("update settings", err)
}
