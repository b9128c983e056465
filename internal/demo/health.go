package demo

import "context"
import "fmt"
import "math"
import "math/rand/v2"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/health"
import "pareto/internal/kpi"

// HealthMonths is how many months of profitability and health history
// the demo has, ending last month.
const HealthMonths = 12

// The demo's named health situations, by the key account's place in
// name order (see seedHealth).
const (
	demoLowMargin     = 1 // a key account whose margin slid below the 20 % threshold
	demoChampionLeft  = 2 // its champion left the company
	demoReviewOverdue = 3 // its last review was five months ago
)

var demoEngagement = []struct {
	Kind  account.EngagementKind
	Title string
}{
	{account.EngagementReferral, "Referred us to their sister plant"},
	{account.EngagementCaseStudy, "Joint case study on the line retrofit"},
	{account.EngagementReference, "Reference call with a prospect in the same industry"},
	{account.EngagementBetaTest, "Beta test of the predictive maintenance service"},
	{account.EngagementJointProject, "Joint energy-saving project"},
	{account.EngagementEvent, "Spoke at our customer day"},
}

type healthAccount struct {
	id      uuid.UUID
	kam     uuid.UUID
	revenue float64
	version int
}

// seedHealth gives the key accounts (made key by the scoring seed, with
// KAMs from the assignment seed) their teams, non-monetary engagement,
// 12 months of profitability and a review; non-key customers get account
// managers. The named situations: a key account whose gross margin fell
// below the tenant's threshold, one whose champion left the company, one
// whose review is overdue; single-threaded and stale accounts come from
// the interactions seed as they are. Then the health history is
// computed month by month and today's health kept. Deterministic for the
// same accounts.
func seedHealth(ctx context.Context, d *db.DB, sc db.Scope, now time.Time) error {
	var keys, others []healthAccount
	var members []auth.Member
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		read := func(where string) ([]healthAccount, error) {
			rows, _ := tx.Query(ctx, `SELECT id, coalesce(kam_user_id, '00000000-0000-0000-0000-000000000000'), annual_revenue::float8, version
				FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL AND `+where+` ORDER BY lower(name), id`, sc.TenantID)
			return pgx.CollectRows(rows, func(r pgx.CollectableRow) (healthAccount, error) {
				var a healthAccount
				return a, r.Scan(&a.id, &a.kam, &a.revenue, &a.version)
			})
		}
		var err error
		if keys, err = read("key_status = 'key'"); err != nil {
			return err
		}
		if others, err = read("key_status <> 'key' AND status = 'customer'"); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT m.user_id, m.role FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = $1 AND m.active ORDER BY u.email`, sc.TenantID)
		members, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Member, error) {
			var m auth.Member
			return m, r.Scan(&m.UserID, &m.Role)
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: health: read accounts: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	var leader, admin uuid.UUID
	var kams []uuid.UUID
	for _, m := range members {
		switch m.Role {
		case auth.RoleLeader:
			leader = m.UserID
		case auth.RoleAdmin:
			admin = m.UserID
		case auth.RoleKAM:
			kams = append(kams, m.UserID)
		}
	}
	rng := rand.New(rand.NewPCG(2026, 15))
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	acc, hs := account.NewStore(d), health.NewStore(d)
	hs.Now = func() time.Time { return now }
	// The first few key accounts had a review before this quarter's, so
	// their latest one shows what changed since; demoReviewOverdue's is
	// its last.
	if err := hs.RefreshTenant(ctx, sc); err != nil {
		return fmt.Errorf("demo: health: %w", err)
	}
	for i, a := range keys[:min(demoReviewOverdue+1, len(keys))] {
		held := today.AddDate(0, -4, 0)
		if i == demoReviewOverdue {
			held = today.AddDate(0, -5, 0)
		}
		f := health.ReviewFields{HeldOn: held, Summary: "First review: relationship map and goals agreed.",
			NextSteps: "Map the economic buyer; start logging engagement."}
		if _, err := hs.HoldReview(ctx, sc, auth.RoleAdmin, a.id, f); err != nil {
			return fmt.Errorf("demo: review: %w", err)
		}
	}
	for i, a := range keys {
		if err := seedTeam(ctx, acc, sc, i, a, leader, admin, kams); err != nil {
			return err
		}
		for n := range rng.IntN(4) {
			e := demoEngagement[(i+n*2)%len(demoEngagement)]
			f := account.EngagementFields{Kind: e.Kind, Title: e.Title, OccurredOn: today.AddDate(0, 0, -20-rng.IntN(330))}
			if _, err := acc.CreateEngagement(ctx, sc, auth.RoleAdmin, a.id, f); err != nil {
				return fmt.Errorf("demo: engagement: %w", err)
			}
		}
		if err := seedProfit(ctx, hs, sc, rng, i, a, now); err != nil {
			return err
		}
		if i == demoChampionLeft {
			if err := seedChampionLeft(ctx, acc, sc, a.id, today.AddDate(0, 0, -45)); err != nil {
				return err
			}
		}
	}
	// Account managers look after customers that are not key accounts.
	for i, a := range others {
		if len(kams) == 0 || i%3 == 2 {
			continue
		}
		if err := acc.SetManager(ctx, sc, auth.RoleAdmin, a.id, kams[(i+1)%len(kams)], a.version); err != nil {
			return fmt.Errorf("demo: account manager: %w", err)
		}
	}
	if err := hs.RefreshTenant(ctx, sc); err != nil {
		return fmt.Errorf("demo: health: %w", err)
	}
	// This quarter's reviews; one key account's is overdue (its last
	// review five months ago).
	for i, a := range keys {
		held := today.AddDate(0, 0, -10-rng.IntN(70))
		if i == demoReviewOverdue {
			continue
		}
		f := health.ReviewFields{HeldOn: held, Summary: "Reviewed goals, figures and the relationship map with the client.",
			InternalNotes: "Watch the discount level at the next renewal.", NextSteps: "Agree next quarter's joint plan."}
		if _, err := hs.HoldReview(ctx, sc, auth.RoleAdmin, a.id, f); err != nil {
			return fmt.Errorf("demo: review: %w", err)
		}
	}
	if err := hs.Backfill(ctx, sc, HealthMonths); err != nil {
		return fmt.Errorf("demo: health history: %w", err)
	}
	if err := hs.RefreshTenant(ctx, sc); err != nil {
		return fmt.Errorf("demo: health: %w", err)
	}
	return nil
}

// seedTeam puts people on the i-th key account's team beside its KAM:
// the leader as executive sponsor on every other one, another KAM as
// solution engineer on some, the admin as finance on a few.
func seedTeam(ctx context.Context, acc *account.Store, sc db.Scope, i int, a healthAccount, leader, admin uuid.UUID, kams []uuid.UUID) error {
	add := func(user uuid.UUID, role account.TeamRole) error {
		if user == uuid.Nil || user == a.kam {
			return nil
		}
		if err := acc.AddTeamMember(ctx, sc, auth.RoleAdmin, a.id, user, role); err != nil {
			return fmt.Errorf("demo: team: %w", err)
		}
		return nil
	}
	if i%2 == 0 {
		if err := add(leader, account.TeamExecutiveSponsor); err != nil {
			return err
		}
	}
	if len(kams) > 0 && i%3 == 0 {
		if err := add(kams[(i/3)%len(kams)], account.TeamSolutionEngineer); err != nil {
			return err
		}
	}
	if i%5 == 1 {
		return add(admin, account.TeamFinance)
	}
	return nil
}

// seedProfit records 12 months of cost to serve, discount and gross
// margin for the i-th key account: cost to serve 8–14 % and discount
// 4–9 % of a twelfth of its annual revenue, a margin of 26–38 % that
// wanders; the demoLowMargin account's margin slides from 24 % to 14 %.
func seedProfit(ctx context.Context, hs *health.Store, sc db.Scope, rng *rand.Rand, i int, a healthAccount, now time.Time) error {
	monthly := a.revenue / 12
	if monthly <= 0 {
		monthly = 50_000
	}
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	costShare, discShare := 0.08+rng.Float64()*0.06, 0.04+rng.Float64()*0.05
	margin := 26 + rng.Float64()*12
	last := kpi.AddMonths(kpi.MonthOf(now), -1)
	for n := range HealthMonths {
		month := kpi.AddMonths(last, n+1-HealthMonths)
		m := math.Max(5, math.Min(60, margin+(rng.Float64()-0.5)*3))
		if i == demoLowMargin {
			m = 24 - float64(n)*10/float64(HealthMonths-1)
		}
		gm, disc := math.Round(m*10)/10, round(monthly*discShare*(0.9+rng.Float64()*0.2))
		p := health.Profit{Month: month, CostToServe: round(monthly * costShare * (0.9 + rng.Float64()*0.2)), Discount: &disc, GrossMargin: &gm}
		if err := hs.SaveProfit(ctx, sc, auth.RoleAdmin, a.id, p, 0); err != nil {
			return fmt.Errorf("demo: profitability: %w", err)
		}
	}
	return nil
}

// seedChampionLeft marks the account's champion (a stakeholder made one
// if it has none) as having left the company on the day given.
func seedChampionLeft(ctx context.Context, acc *account.Store, sc db.Scope, accountID uuid.UUID, on time.Time) error {
	people, err := acc.Stakeholders(ctx, sc, accountID)
	if err != nil {
		return fmt.Errorf("demo: champion: %w", err)
	}
	for _, p := range people {
		if p.Role == account.RoleChampion {
			f := p.StakeholderFields
			f.LeftOn = on
			if _, err := acc.UpdateStakeholder(ctx, sc, auth.RoleAdmin, accountID, p.ID, f, p.Version); err != nil {
				return fmt.Errorf("demo: champion left: %w", err)
			}
			return nil
		}
	}
	f := account.StakeholderFields{Name: "Marta Lindqvist", Title: "Head of Operations", Role: account.RoleChampion,
		Strength: account.StrengthStrong, Email: "marta.lindqvist@example.com", LeftOn: on,
		Notes: "Moved to a competitor; her successor is not yet known."}
	if _, err := acc.CreateStakeholder(ctx, sc, auth.RoleAdmin, accountID, f); err != nil {
		return fmt.Errorf("demo: champion left: %w", err)
	}
	return nil
}
