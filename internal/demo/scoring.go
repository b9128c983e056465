package demo

import "context"
import "fmt"
import "math/rand/v2"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/scoring"

// ScoringCriteria are the demo tenant's five active criteria, most
// important first (weights derived from the rank).
var ScoringCriteria = []string{"product_fit", "revenue_potential", "avg_transaction_size", "existing_relationships", "buying_process"}

// ReviewName is the demo's review that set up the key-account programme,
// eighteen months before the day of seeding; MidYearReviewName the one that
// declined a key account five months before it.
const (
	ReviewName        = "Key account programme"
	MidYearReviewName = "Mid-year review"
)

// DeclinedReason is why the mid-year review declined a key account.
const DeclinedReason = "Volumes fell for three quarters and they moved their tenders elsewhere; serve through the standard channel."

type scoredDemoAccount struct {
	id                 uuid.UUID
	name               string
	kam                *uuid.UUID
	revenue, potential float64
	status             string
}

// seedScoring enables the five criteria, scores every demo account (every
// seventh on purpose incomplete), records the review that set up the
// key-account programme eighteen months ago and a mid-year review that
// declined one key account five months ago (both closed), and then moves a
// few scores so today's ranking differs from the reviews'. It
// builds on the accounts already in the tenant; with none it only sets up
// the criteria. Deterministic: a fixed random seed, times relative to the
// day of seeding.
func seedScoring(ctx context.Context, d *db.DB, admin db.Scope) error {
	store := scoring.NewStore(d)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	at := func(days, minutes int) func() time.Time {
		return func() time.Time { return day.AddDate(0, 0, days).Add(time.Duration(minutes) * time.Minute) }
	}
	defer func() { store.Now = time.Now }()

	store.Now = at(-600, 0)
	var criteria []scoring.Criterion
	for _, code := range ScoringCriteria {
		c, err := store.EnableStandard(ctx, admin, code)
		if err != nil {
			return fmt.Errorf("demo: criterion %s: %w", code, err)
		}
		criteria = append(criteria, c.Criterion)
	}

	var accounts []scoredDemoAccount
	var leaderID uuid.UUID
	err := d.Tx(ctx, admin, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = $1 AND m.role = 'leader' ORDER BY u.email LIMIT 1`, admin.TenantID).Scan(&leaderID); err != nil {
			return err
		}
		var err error
		accounts, err = db.Rows(ctx, tx, func(a *scoredDemoAccount) []any {
			return []any{&a.id, &a.name, &a.kam, &a.revenue, &a.potential, &a.status}
		}, `SELECT id, name, kam_user_id, annual_revenue::float8, revenue_potential::float8, status
			FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL ORDER BY lower(name), id`, admin.TenantID)
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: scoring accounts: %w", err)
	}
	if len(accounts) == 0 {
		return nil
	}
	leader := db.Scope{TenantID: admin.TenantID, UserID: leaderID}
	// Each account is scored by its KAM when it has one, else by the leader.
	scorer := func(a scoredDemoAccount) (db.Scope, auth.Role) {
		if a.kam != nil {
			return db.Scope{TenantID: admin.TenantID, UserID: *a.kam}, auth.RoleKAM
		}
		return leader, auth.RoleLeader
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	evidence := []string{
		"A large market for our line: their plants run it on every shift.",
		"Framework agreement renewed last year; budget for expansion confirmed.",
		"Orders of 8,000–12,000 a time, several times our average.",
		"Introduced us to two of their suppliers last year.",
		"One operations director decides; pays within 30 days.",
	}

	// Round one, twenty months ago: every account, a few incomplete on purpose.
	for i, a := range accounts {
		store.Now = at(-590, i)
		growth := 0.0
		if a.potential > 0 {
			growth = (a.potential - a.revenue) / a.potential
		}
		var in []scoring.CellInput
		for j, c := range criteria {
			if i%7 == 3 && j >= 3 { // incomplete: solvency and buying process not yet scored
				continue
			}
			v := 3 + rng.IntN(6) // 3..8
			if j == 1 {
				v = max(1, min(10, int(growth*10)+rng.IntN(3)-1))
			}
			cell := scoring.CellInput{CriterionID: c.ID, Score: strconv.Itoa(v)}
			if (i+j)%4 == 0 {
				cell.Evidence, cell.HasEvidence = evidence[j], true
			}
			in = append(in, cell)
		}
		sc, role := scorer(a)
		if _, err := store.SaveScores(ctx, sc, role, a.id, in); err != nil {
			return fmt.Errorf("demo: score %s: %w", a.name, err)
		}
	}

	// The review that set up the programme, eighteen months ago, with
	// decisions, closed since.
	store.Now = at(-540, 0)
	reviewID, err := store.StartReview(ctx, leader, ReviewName)
	if err != nil {
		return fmt.Errorf("demo: review: %w", err)
	}
	page, err := store.Review(ctx, leader, reviewID, scoring.ReviewFilter{PerPage: 500})
	if err != nil {
		return fmt.Errorf("demo: read review: %w", err)
	}
	n := len(page.Entries)
	customer := map[uuid.UUID]bool{}
	for _, a := range accounts {
		customer[a.id] = a.status == "customer"
	}
	// Key accounts are chosen among today's customers, as a real review
	// would; the next best become watch.
	keys, watches := 0, 0
	var keyIDs []uuid.UUID
	for i, e := range page.Entries {
		store.Now = at(-539, i)
		decision, reason := "", ""
		switch {
		case keys < 8 && e.Score.Complete && customer[e.AccountID]:
			keys++
			keyIDs = append(keyIDs, e.AccountID)
			decision, reason = "key", "Top of the ranking among our customers: strong fit and growth headroom."
		case watches < 3 && i < n-2:
			watches++
			decision, reason = "watch", "Promising; revisit when the missing scores are in or the potential is confirmed."
		case i >= n-2 && n > 10:
			decision, reason = "declined", "Low fit and little headroom; serve through the standard channel."
		}
		if decision == "" {
			continue
		}
		if err := store.Decide(ctx, leader, reviewID, e.AccountID, decision, reason); err != nil {
			return fmt.Errorf("demo: decide %s: %w", e.AccountName, err)
		}
	}
	store.Now = at(-530, 0)
	if err := store.CloseReview(ctx, leader, reviewID); err != nil {
		return fmt.Errorf("demo: close review: %w", err)
	}

	// Mid-year, five months ago: the lowest-ranked key account is declined.
	// Retention still counts it in the cohorts of the months it was key
	// (the KPI seed has it order for the last time the month after).
	if len(keyIDs) > 2 {
		store.Now = at(-152, 0)
		midID, err := store.StartReview(ctx, leader, MidYearReviewName)
		if err != nil {
			return fmt.Errorf("demo: mid-year review: %w", err)
		}
		store.Now = at(-151, 0)
		if err := store.Decide(ctx, leader, midID, keyIDs[len(keyIDs)-1], "declined", DeclinedReason); err != nil {
			return fmt.Errorf("demo: mid-year decision: %w", err)
		}
		store.Now = at(-150, 0)
		if err := store.CloseReview(ctx, leader, midID); err != nil {
			return fmt.Errorf("demo: close mid-year review: %w", err)
		}
	}

	// Round two, recent: a few scores move, so today's ranking differs
	// from the review's snapshot.
	for i, a := range accounts {
		if i%5 != 1 {
			continue
		}
		store.Now = at(-20, i)
		v := 2 + rng.IntN(9)
		sc, role := scorer(a)
		in := []scoring.CellInput{{CriterionID: criteria[0].ID, Score: strconv.Itoa(v),
			Evidence: "Reassessed after the quarterly business review.", HasEvidence: true}}
		if _, err := store.SaveScores(ctx, sc, role, a.id, in); err != nil {
			return fmt.Errorf("demo: rescore %s: %w", a.name, err)
		}
	}
	return nil
}
