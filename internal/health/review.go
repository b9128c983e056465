package health

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/limits"
import "pareto/internal/plan"

// Periodic account reviews. A tenant sets a cadence (default quarterly);
// each key account has a next review date (review_schedules: set one
// cadence after its last review, or after it became a key account, and
// movable by who may edit the account). Holding a review freezes a dated
// snapshot of the account — health and its breakdown, KPI figures, goal
// progress, risks, the opportunity pipeline, profitability, the team —
// with the review's summary, internal notes and agreed next steps. A
// review is never changed afterwards: it reads exactly as it was. Its
// progress report is what the KAM shows the client: the internal parts
// (pipeline, internal notes, cost to serve) only when ticked.

// SnapshotMonths is how many months of KPI figures a snapshot keeps.
const SnapshotMonths = 12

// Snapshot is an account frozen at a review.
type Snapshot struct {
	AccountName string `json:"account_name"`
	KeyStatus   string `json:"key_status"`
	KAMName     string `json:"kam_name"`
	Currency    string `json:"currency"`
	CSATScale   string `json:"csat_scale"`
	// Health is the breakdown on the review's day (its warnings are the
	// risks reviewed).
	Health   Breakdown         `json:"health"`
	Figures  []SnapshotFigure  `json:"figures"`
	Goals    []SnapshotGoal    `json:"goals"`
	Pipeline []SnapshotOpening `json:"pipeline"`
	Profit   SnapshotProfit    `json:"profit"`
	Team     []SnapshotMember  `json:"team"`
}

// SnapshotFigure is one month's KPI figures.
type SnapshotFigure struct {
	Month    time.Time `json:"month"`
	Revenue  float64   `json:"revenue"`
	CSAT     *float64  `json:"csat,omitempty"`
	NPS      *int      `json:"nps,omitempty"`
	Adoption *float64  `json:"adoption,omitempty"`
}

// SnapshotGoal is one goal of the account's current plan.
type SnapshotGoal struct {
	Title    string    `json:"title"`
	Measure  string    `json:"measure"`
	Baseline float64   `json:"baseline"`
	Target   float64   `json:"target"`
	Current  *float64  `json:"current,omitempty"`
	Progress *float64  `json:"progress,omitempty"` // percent
	Status   string    `json:"status"`             // derived
	Due      time.Time `json:"due"`
}

// SnapshotOpening is one opportunity of the whitespace grid.
type SnapshotOpening struct {
	Product       string     `json:"product"`
	Value         float64    `json:"value"`
	ExpectedClose *time.Time `json:"expected_close,omitempty"`
}

// SnapshotProfit is the profitability of the snapshot's months.
type SnapshotProfit struct {
	Months       int      `json:"months"` // months with both revenue and cost to serve
	Revenue      float64  `json:"revenue"`
	CostToServe  float64  `json:"cost_to_serve"`
	Discount     float64  `json:"discount"`
	Contribution float64  `json:"contribution"`
	Margin       *float64 `json:"margin,omitempty"`
}

// SnapshotMember is a person of the account team.
type SnapshotMember struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Revenue is the snapshot's revenue over its months.
func (s Snapshot) Revenue() float64 {
	t := 0.0
	for _, f := range s.Figures {
		t += f.Revenue
	}
	return t
}

// LatestCSAT and LatestNPS are the snapshot's latest survey figures.
func (s Snapshot) LatestCSAT() *float64 {
	for i := len(s.Figures) - 1; i >= 0; i-- {
		if s.Figures[i].CSAT != nil {
			return s.Figures[i].CSAT
		}
	}
	return nil
}

// LatestNPS is the snapshot's latest NPS.
func (s Snapshot) LatestNPS() *int {
	for i := len(s.Figures) - 1; i >= 0; i-- {
		if s.Figures[i].NPS != nil {
			return s.Figures[i].NPS
		}
	}
	return nil
}

// Review is one held review.
type Review struct {
	ID            uuid.UUID
	AccountID     uuid.UUID
	HeldOn        time.Time
	Summary       string // for the client
	InternalNotes string
	NextSteps     string // agreed with the client
	Snapshot      Snapshot
	CreatedBy     string
	CreatedAt     time.Time
}

// ReviewInput is the review form as typed.
type ReviewInput struct {
	HeldOn, Summary, InternalNotes, NextSteps string
}

// ReviewFields are a review's checked fields.
type ReviewFields struct {
	HeldOn                            time.Time
	Summary, InternalNotes, NextSteps string
}

// Parse validates in; errors keyed by form field (held_on, summary,
// internal_notes, next_steps). The day may not lie ahead of now.
func (in ReviewInput) Parse(now time.Time) (ReviewFields, error) {
	fe := db.FieldErrors{}
	var f ReviewFields
	d, err := account.ParseDate(in.HeldOn, true)
	switch {
	case err != nil:
		fe.Add("held_on", err.Error())
	case d.After(dateOf(now)):
		fe.Add("held_on", "Hold the review first: use today or an earlier date.")
	default:
		f.HeldOn = d
	}
	for _, t := range []struct {
		field string
		dst   *string
		v     string
	}{{"summary", &f.Summary, in.Summary}, {"internal_notes", &f.InternalNotes, in.InternalNotes}, {"next_steps", &f.NextSteps, in.NextSteps}} {
		*t.dst = t.v
		if len([]rune(t.v)) > limits.Notes {
			fe.Add(t.field, fmt.Sprintf("Use at most %d characters.", limits.Notes))
		}
	}
	if f.Summary == "" && f.NextSteps == "" {
		fe.Add("summary", "Say what the review found, or the next steps agreed.")
	}
	if err := fe.Err(); err != nil {
		return ReviewFields{}, err
	}
	return f, nil
}

// snapshot reads the account as it is now into a Snapshot.
func (s *Store) snapshot(ctx context.Context, sc db.Scope, a account.Account) (Snapshot, error) {
	snap := Snapshot{AccountName: a.Name, KeyStatus: string(a.KeyStatus), KAMName: a.KAMName}
	now := s.Now()
	var err error
	if snap.Health, err = s.Live(ctx, sc, a.ID); err != nil {
		return snap, err
	}
	this := kpi.MonthOf(now)
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT currency FROM tenants WHERE id = $1", sc.TenantID).Scan(&snap.Currency); err != nil {
			return err
		}
		ks, err := kpi.SettingsTx(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		snap.CSATScale = ks.CSATScale
		figs, err := kpi.FiguresTx(ctx, tx, sc.TenantID, []uuid.UUID{a.ID}, kpi.AddMonths(this, 1-SnapshotMonths), this)
		if err != nil {
			return err
		}
		for _, f := range figs[a.ID] {
			snap.Figures = append(snap.Figures, SnapshotFigure{Month: f.Month, Revenue: f.Revenue, CSAT: f.CSAT, NPS: f.NPS, Adoption: f.AdoptionPct})
		}
		return nil
	})
	if err != nil {
		return snap, err
	}
	ov, err := plan.AccountPlans(ctx, s.DB, sc, a.ID, now)
	if err != nil {
		return snap, err
	}
	if ov.Current != nil {
		for _, g := range ov.Current.Goals {
			sg := SnapshotGoal{Title: g.Title, Measure: g.Measure(), Baseline: g.Baseline, Target: g.Target, Current: g.Current(),
				Status: string(g.Derived), Due: g.DueDate}
			if pct, ok := g.Progress(); ok {
				sg.Progress = &pct
			}
			snap.Goals = append(snap.Goals, sg)
		}
	}
	cells, err := plan.AccountWhitespace(ctx, s.DB, sc, a.ID)
	if err != nil {
		return snap, err
	}
	for _, c := range cells {
		if c.Cell.State == plan.CellOpportunity && c.Cell.EstimatedValue != nil {
			snap.Pipeline = append(snap.Pipeline, SnapshotOpening{Product: c.Product.Name, Value: *c.Cell.EstimatedValue,
				ExpectedClose: c.Cell.ExpectedClose})
		}
	}
	ap, err := s.Profitability(ctx, sc, a.ID, SnapshotMonths)
	if err != nil {
		return snap, err
	}
	snap.Profit = SnapshotProfit{Months: ap.Counted, Revenue: ap.Revenue, CostToServe: ap.CostToServe, Discount: ap.Discount,
		Contribution: ap.Contribution()}
	if ap.MarginOK {
		snap.Profit.Margin = &ap.Margin
	}
	team, err := account.NewStore(s.DB).Team(ctx, sc, a.ID)
	if err != nil {
		return snap, err
	}
	for _, m := range team {
		snap.Team = append(snap.Team, SnapshotMember{Name: m.Name, Role: m.Role.Label()})
	}
	return snap, nil
}

// HoldReview records a review of accountID: the account frozen as it is
// now, with f's notes, and the next review one cadence after f.HeldOn.
// Needs account.CanEdit (db.ErrForbidden); db.ErrNotFound for a missing
// account. Audited.
func (s *Store) HoldReview(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, f ReviewFields) (uuid.UUID, error) {
	a, err := account.NewStore(s.DB).Account(ctx, sc, accountID)
	if err != nil {
		return uuid.Nil, err
	}
	if !account.CanEdit(role, sc.UserID, a) {
		return uuid.Nil, fmt.Errorf("health: review %s as %s: %w", accountID, role, db.ErrForbidden)
	}
	snap, err := s.snapshot(ctx, sc, a)
	if err != nil {
		return uuid.Nil, wrap("review snapshot", err)
	}
	js, err := json.Marshal(snap)
	if err != nil {
		return uuid.Nil, err
	}
	var id uuid.UUID
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := editable(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		st, err := SettingsTx(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO account_reviews (account_id, held_on, summary, internal_notes, next_steps, snapshot,
				created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			accountID, f.HeldOn, f.Summary, f.InternalNotes, f.NextSteps, js, db.Null(sc.UserID), s.Now()).Scan(&id); err != nil {
			return err
		}
		next := f.HeldOn.AddDate(0, st.ReviewMonths, 0)
		if _, err := tx.Exec(ctx, `INSERT INTO review_schedules (account_id, next_review_on, updated_by, updated_at)
				VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, account_id) DO UPDATE SET next_review_on = EXCLUDED.next_review_on,
				updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, version = review_schedules.version + 1`,
			accountID, next, db.Null(sc.UserID), s.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "hold", Entity: "account_review", EntityID: id.String(),
			After: map[string]string{"account_id": accountID.String(), "held_on": f.HeldOn.Format(time.DateOnly),
				"next_review_on": next.Format(time.DateOnly)}})
	})
	return id, wrap("hold review", err)
}

const reviewCols = `r.id, r.account_id, r.held_on, r.summary, r.internal_notes, r.next_steps, r.snapshot, coalesce(u.name, ''), r.created_at`

func scanReview(row pgx.Row) (Review, error) {
	var r Review
	var js []byte
	if err := row.Scan(&r.ID, &r.AccountID, &r.HeldOn, &r.Summary, &r.InternalNotes, &r.NextSteps, &js, &r.CreatedBy, &r.CreatedAt); err != nil {
		return r, err
	}
	r.HeldOn = dateOf(r.HeldOn)
	if err := json.Unmarshal(js, &r.Snapshot); err != nil {
		return r, fmt.Errorf("snapshot: %w", err)
	}
	return r, nil
}

// ReviewWithPrevious is a review and the one held before it (nil for
// the first).
type ReviewWithPrevious struct {
	Review
	Previous *Review
}

// AccountReview returns one review of accountID and the review before it.
// db.ErrNotFound when either is not the scope's tenant's (or the review
// is another account's). Anybody signed in may read reviews.
func (s *Store) AccountReview(ctx context.Context, sc db.Scope, accountID, reviewID uuid.UUID) (ReviewWithPrevious, error) {
	var out ReviewWithPrevious
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		out.Review, err = scanReview(tx.QueryRow(ctx, `SELECT `+reviewCols+` FROM account_reviews r LEFT JOIN users u ON u.id = r.created_by
			WHERE r.tenant_id = $1 AND r.account_id = $2 AND r.id = $3`, sc.TenantID, accountID, reviewID))
		if err != nil {
			return db.NotFound("review", err)
		}
		prev, err := scanReview(tx.QueryRow(ctx, `SELECT `+reviewCols+` FROM account_reviews r LEFT JOIN users u ON u.id = r.created_by
			WHERE r.tenant_id = $1 AND r.account_id = $2 AND (r.held_on, r.created_at) < ($3, $4)
			ORDER BY r.held_on DESC, r.created_at DESC LIMIT 1`, sc.TenantID, accountID, out.HeldOn, out.CreatedAt))
		found, err := db.Found(err)
		if found {
			out.Previous = &prev
		}
		return err
	})
	return out, wrap("review", err)
}

// ReviewSummary is a review in a list.
type ReviewSummary struct {
	ID        uuid.UUID
	HeldOn    time.Time
	Score     *int
	CreatedBy string
}

// Schedule is an account's review standing.
type Schedule struct {
	NextReview time.Time // zero: none set
	Version    int       // 0 while none is saved
	Reviews    []ReviewSummary
}

// AccountReviews lists accountID's reviews, newest first, and its next
// review date. db.ErrNotFound for a missing account.
func (s *Store) AccountReviews(ctx context.Context, sc db.Scope, accountID uuid.UUID) (Schedule, error) {
	var out Schedule
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM accounts WHERE tenant_id = $1 AND id = $2", sc.TenantID, accountID).Scan(&one); err != nil {
			return db.NotFound("account", err)
		}
		err := tx.QueryRow(ctx, "SELECT next_review_on, version FROM review_schedules WHERE tenant_id = $1 AND account_id = $2",
			sc.TenantID, accountID).Scan(&out.NextReview, &out.Version)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT r.id, r.held_on, (r.snapshot #>> '{health,score}')::int, coalesce(u.name, '')
			FROM account_reviews r LEFT JOIN users u ON u.id = r.created_by
			WHERE r.tenant_id = $1 AND r.account_id = $2 ORDER BY r.held_on DESC, r.created_at DESC`, sc.TenantID, accountID)
		out.Reviews, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReviewSummary, error) {
			var x ReviewSummary
			err := r.Scan(&x.ID, &x.HeldOn, &x.Score, &x.CreatedBy)
			x.HeldOn = dateOf(x.HeldOn)
			return x, err
		})
		return err
	})
	return out, wrap("account reviews", err)
}

// SetNextReview moves accountID's next review to on (a date from today
// on) when version is the saved one (0 when none is; db.ErrConflict
// otherwise). Needs account.CanEdit. Audited.
func (s *Store) SetNextReview(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, on time.Time, version int) error {
	if on.Before(dateOf(s.Now())) {
		return db.FieldErrors{"next_review_on": "Choose today or a later date."}
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := editable(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		var cur time.Time
		var v int
		err := tx.QueryRow(ctx, "SELECT next_review_on, version FROM review_schedules WHERE tenant_id = $1 AND account_id = $2 FOR UPDATE",
			sc.TenantID, accountID).Scan(&cur, &v)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if v != version {
			return fmt.Errorf("review date at version %d, form %d: %w", v, version, db.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO review_schedules (account_id, next_review_on, updated_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, account_id) DO UPDATE SET next_review_on = EXCLUDED.next_review_on,
				updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, version = review_schedules.version + 1`,
			accountID, on, db.Null(sc.UserID), s.Now()); err != nil {
			return err
		}
		before := ""
		if !cur.IsZero() {
			before = cur.Format(time.DateOnly)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "reschedule", Entity: "account_review",
			EntityID: accountID.String(), Before: map[string]string{"next_review_on": before},
			After: map[string]string{"next_review_on": on.Format(time.DateOnly)}})
	})
	return wrap("set next review", err)
}

// DueReview is a key account whose review is due.
type DueReview struct {
	AccountID   uuid.UUID
	AccountName string
	NextReview  time.Time
	Overdue     bool
}

// ReviewsDue lists the key accounts (of kamID; every KAM's when
// uuid.Nil) whose next review is on or before today + withinDays,
// soonest first, at most limit, with how many there are in all (counted
// up to 1,000). Walks the schedule's date index: bounded by the reviews
// due, not by the portfolio.
func (s *Store) ReviewsDue(ctx context.Context, sc db.Scope, kamID uuid.UUID, withinDays, limit int) ([]DueReview, int, error) {
	today := dateOf(s.Now())
	var out []DueReview
	var total int
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		const from = `FROM review_schedules s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id
			WHERE s.tenant_id = $1 AND s.next_review_on <= $2 AND a.key_status = 'key' AND a.archived_at IS NULL
			  AND ($3::uuid IS NULL OR a.kam_user_id = $3)`
		due := today.AddDate(0, 0, withinDays)
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 `+from+` LIMIT 1000) x`, sc.TenantID, due, db.Null(kamID)).
			Scan(&total); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, s.next_review_on `+from+` ORDER BY s.next_review_on, s.account_id LIMIT $4`,
			sc.TenantID, due, db.Null(kamID), limit)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueReview, error) {
			var d DueReview
			err := r.Scan(&d.AccountID, &d.AccountName, &d.NextReview)
			d.NextReview = dateOf(d.NextReview)
			d.Overdue = d.NextReview.Before(today)
			return d, err
		})
		return err
	})
	return out, total, wrap("reviews due", err)
}
