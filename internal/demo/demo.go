// Package demo seeds the demo tenant "Acme Industrial", so a new machine
// shows a working product on first start.
package demo

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"

// Password is every demo user's password; printed when seeding and in the
// README. Demo data only: never use it for real accounts.
const Password = "harbour-lantern-violet"

// AdminEmail signs in as the demo admin.
const AdminEmail = "admin@acme.test"

// People are the demo users besides the admin.
var People = []struct {
	Email, Name string
	Role        auth.Role
}{
	{"leader@acme.test", "Lena Leader", auth.RoleLeader},
	{"kam1@acme.test", "Karl Meyer", auth.RoleKAM},
	{"kam2@acme.test", "Kira Santos", auth.RoleKAM},
	{"kam3@acme.test", "Kofi Mensah", auth.RoleKAM},
}

// ErrAlreadySeeded says the demo tenant exists already.
var ErrAlreadySeeded = errors.New("demo: already seeded")

// Seed creates the demo tenant: its admin, a leader and three KAMs, about
// 60 accounts with stakeholders and interactions, criteria and scores with
// the reviews that set up the key-account programme and declined one key
// account at mid-year, KAM assignments, 24 months of KPIs (orders and
// units for some accounts, the month under way for some), goal plans
// measured by them, and the criteria linked to their metrics; then health:
// teams, account managers, engagement, a year of profitability, reviews
// and a year of health history (see health.go).
func Seed(ctx context.Context, d *db.DB) error {
	admin, kams, err := seedPeople(ctx, d)
	if err != nil {
		return err
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	if err := seedAccounts(ctx, d, admin, kams, time.Now()); err != nil {
		return err
	}
	// Order matters: scoring designates key accounts (and declines one at
	// mid-year), assignment gives them KAMs, KPIs build on both, plans set
	// their goals around the figures, and the criteria are linked to the
	// metrics that measure them.
	if err := seedScoring(ctx, d, sc); err != nil {
		return err
	}
	if err := seedAssignment(ctx, d, sc); err != nil {
		return err
	}
	if err := seedKPIs(ctx, d, sc, time.Now()); err != nil {
		return err
	}
	if err := seedPlans(ctx, d, sc); err != nil {
		return err
	}
	if err := seedMetricLinks(ctx, d, sc); err != nil {
		return err
	}
	// Health last: it reads everything above.
	return seedHealth(ctx, d, sc, time.Now())
}

// seedMetricLinks links each demo criterion the method pairs with a metric
// to it (growth measured by the criteria that chose the accounts).
func seedMetricLinks(ctx context.Context, d *db.DB, sc db.Scope) error {
	s := kpi.NewStore(d)
	cms, err := s.CriterionMetrics(ctx, sc)
	if err != nil {
		return err
	}
	for _, c := range cms {
		if m := c.Suggested(); m != "" {
			if err := s.SetCriterionMetric(ctx, sc, c.CriterionID, m, c.Version); err != nil {
				return fmt.Errorf("demo: link %s: %w", c.Name, err)
			}
		}
	}
	return nil
}

// seedPeople creates the tenant, its admin, a leader and three KAMs; it
// returns the admin and the KAMs.
func seedPeople(ctx context.Context, d *db.DB) (auth.Member, []auth.Member, error) {
	store := auth.NewStore(d)
	exists, err := store.UserExists(ctx, AdminEmail)
	if err != nil {
		return auth.Member{}, nil, err
	}
	if exists {
		return auth.Member{}, nil, ErrAlreadySeeded
	}
	admin, err := store.Signup(ctx, auth.SignupInput{OrgName: "Acme Industrial", Name: "Ada Admin", Email: AdminEmail, Password: Password})
	if err != nil {
		return auth.Member{}, nil, fmt.Errorf("demo: admin: %w", err)
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	var kams []auth.Member
	for _, p := range People {
		token, _, err := store.CreateInvite(ctx, sc, p.Email, p.Role)
		if err != nil {
			return auth.Member{}, nil, fmt.Errorf("demo: invite %s: %w", p.Email, err)
		}
		m, err := store.AcceptInvite(ctx, token, p.Name, Password)
		if err != nil {
			return auth.Member{}, nil, fmt.Errorf("demo: accept %s: %w", p.Email, err)
		}
		if m.Role == auth.RoleKAM {
			kams = append(kams, m)
		}
	}
	return admin, kams, nil
}

// IsEmpty reports whether no tenant exists yet (the database is fresh).
func IsEmpty(ctx context.Context, d *db.DB) (bool, error) {
	var any bool
	err := d.Tx(ctx, db.Scope{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&any)
	})
	if err != nil {
		return false, fmt.Errorf("demo: check empty: %w", err)
	}
	return !any, nil
}
