package account_test

import "context"
import "errors"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"

func TestTeams(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Team Co")
	other := newTenant(t, d, "Other Co")
	mine := createAccount(t, s, tn.admin(), "Mine", "M-1")
	notMine := createAccount(t, s, tn.admin(), "Not mine", "M-2")
	assignKAM(t, d, tn.admin(), mine.ID, tn.KAM.UserID)

	t.Run("OK", func(t *testing.T) {
		// The KAM puts the admin on their account's team, then changes the role.
		if err := s.AddTeamMember(ctx, tn.kam(), auth.RoleKAM, mine.ID, tn.Admin.UserID, account.TeamExecutiveSponsor); err != nil {
			t.Fatal(err)
		}
		if err := s.AddTeamMember(ctx, tn.kam(), auth.RoleKAM, mine.ID, tn.Admin.UserID, account.TeamFinance); err != nil {
			t.Fatal(err)
		}
		team, err := s.Team(ctx, tn.admin(), mine.ID)
		if err != nil || len(team) != 1 || team[0].Role != account.TeamFinance || team[0].UserID != tn.Admin.UserID {
			t.Fatalf("team %+v, %v", team, err)
		}
		// Adding with the same role again changes nothing and is not audited.
		before := auditCount(t, d, tn.admin(), "account_team")
		if err := s.AddTeamMember(ctx, tn.kam(), auth.RoleKAM, mine.ID, tn.Admin.UserID, account.TeamFinance); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveTeamMember(ctx, tn.kam(), auth.RoleKAM, mine.ID, tn.Admin.UserID); err != nil {
			t.Fatal(err)
		}
		if n := auditCount(t, d, tn.admin(), "account_team"); n != before+1 || before != 2 {
			t.Errorf("audit events %d → %d, want 2 → 3 (add, change, remove)", before, n)
		}
		if team, _ := s.Team(ctx, tn.admin(), mine.ID); len(team) != 0 {
			t.Errorf("team after removal %+v", team)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		err := s.AddTeamMember(ctx, tn.kam(), auth.RoleKAM, notMine.ID, tn.KAM.UserID, account.TeamFinance)
		if !errors.Is(err, db.ErrForbidden) {
			t.Errorf("KAM changing another account's team: %v", err)
		}
		if err := s.SetManager(ctx, tn.kam(), auth.RoleKAM, notMine.ID, tn.KAM.UserID, notMine.Version); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("KAM assigning a manager: %v", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		var fe db.FieldErrors
		if err := s.AddTeamMember(ctx, tn.admin(), auth.RoleAdmin, mine.ID, other.Admin.UserID, account.TeamFinance); !errors.As(err, &fe) || fe["user_id"] == "" {
			t.Errorf("another tenant's person on the team: %v", err)
		}
		if err := s.AddTeamMember(ctx, tn.admin(), auth.RoleAdmin, mine.ID, tn.KAM.UserID, "boss"); !errors.As(err, &fe) || fe["team_role"] == "" {
			t.Errorf("an unknown role: %v", err)
		}
	})

	t.Run("AccountManager", func(t *testing.T) {
		// A leader makes the KAM the account manager of an account that is
		// not theirs: the KAM may then edit it, without being its KAM.
		if err := s.SetManager(ctx, tn.admin(), auth.RoleAdmin, notMine.ID, tn.KAM.UserID, notMine.Version); err != nil {
			t.Fatal(err)
		}
		a, err := s.Account(ctx, tn.admin(), notMine.ID)
		if err != nil || a.ManagerUserID != tn.KAM.UserID || a.KAMUserID != uuid.Nil || a.ManagerName != "Kim KAM" {
			t.Fatalf("account %+v, %v", a, err)
		}
		if !account.CanEdit(auth.RoleKAM, tn.KAM.UserID, a) || account.CanChangeTeam(auth.RoleKAM, tn.KAM.UserID, a) {
			t.Error("an account manager edits the account but does not change its team")
		}
		if err := s.SetManager(ctx, tn.admin(), auth.RoleAdmin, notMine.ID, uuid.Nil, notMine.Version); !errors.Is(err, db.ErrConflict) {
			t.Errorf("stale version: %v", err)
		}
		if auditCount(t, d, tn.admin(), "account_manager") != 1 {
			t.Error("the assignment was not audited")
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := s.Team(ctx, other.admin(), mine.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant reads the team: %v", err)
		}
		err := s.AddTeamMember(ctx, other.admin(), auth.RoleAdmin, mine.ID, other.Admin.UserID, account.TeamFinance)
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant changes the team: %v", err)
		}
	})
}

func TestEngagement(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Engaged Co")
	other := newTenant(t, d, "Other Co")
	a := createAccount(t, s, tn.admin(), "Referrer", "R-1")
	now := time.Now()

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := account.EngagementInput{Kind: "gift", OccurredOn: now.AddDate(0, 0, 3).Format(time.DateOnly), Title: ""}.Parse(now)
		var fe db.FieldErrors
		if !errors.As(err, &fe) || fe["engagement_kind"] == "" || fe["occurred_on"] == "" || fe["title"] == "" {
			t.Errorf("bad engagement: %v", fe)
		}
	})

	var id uuid.UUID
	t.Run("OK", func(t *testing.T) {
		f, err := account.EngagementInput{Kind: "referral", OccurredOn: now.Format(time.DateOnly), Title: "Referred us to Nordwind"}.Parse(now)
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.CreateEngagement(ctx, tn.admin(), auth.RoleAdmin, a.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		id = e.ID
		old, _ := account.EngagementInput{Kind: "event", OccurredOn: now.AddDate(-2, 0, 0).Format(time.DateOnly), Title: "Old fair"}.Parse(now)
		if _, err := s.CreateEngagement(ctx, tn.admin(), auth.RoleAdmin, a.ID, old); err != nil {
			t.Fatal(err)
		}
		list, total, err := s.Engagements(ctx, tn.admin(), a.ID, 10)
		if err != nil || total != 2 || list[0].Title != "Referred us to Nordwind" || list[0].CreatedByName == "" {
			t.Fatalf("engagements %+v (%d), %v", list, total, err)
		}
		// The last 12 months hold one, a referral (credibility evidence).
		err = d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
			counts, used, err := account.EngagementCountsTx(ctx, tx, tn.Admin.TenantID, []uuid.UUID{a.ID}, now.AddDate(-1, 0, 1), now)
			if err == nil && (!used || counts[a.ID].All != 1 || counts[a.ID].Credibility != 1) {
				t.Errorf("counts %+v used %v", counts, used)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		f, _ := account.EngagementInput{Kind: "event", OccurredOn: now.Format(time.DateOnly), Title: "Fair"}.Parse(now)
		if _, err := s.CreateEngagement(ctx, tn.kam(), auth.RoleKAM, a.ID, f); !errors.Is(err, db.ErrForbidden) {
			t.Errorf("KAM logging on another account: %v", err)
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		if err := s.DeleteEngagement(ctx, other.admin(), auth.RoleAdmin, a.ID, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant deletes: %v", err)
		}
		if _, _, err := s.Engagements(ctx, other.admin(), a.ID, 10); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other tenant reads: %v", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if err := s.DeleteEngagement(ctx, tn.admin(), auth.RoleAdmin, a.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteEngagement(ctx, tn.admin(), auth.RoleAdmin, a.ID, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

func TestStakeholderLeft(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Left Co")
	a := createAccount(t, s, tn.admin(), "Leaving", "L-1")
	f, err := account.StakeholderInput{Name: "Cam", Role: "champion", Strength: "strong", LeftOn: "2026-10-01"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.CreateStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Left() || st.LeftOn.Format(time.DateOnly) != "2026-10-01" {
		t.Fatalf("left on %v", st.LeftOn)
	}
	// Who left is no champion of the relationship any more.
	if w := strings.Join(account.Warnings([]account.Stakeholder{st}), "\n"); !strings.Contains(w, "No champion") {
		t.Errorf("warnings %q", w)
	}
	if _, err := (account.StakeholderInput{Name: "X", Role: "user", LeftOn: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}).Parse(); err == nil {
		t.Error("a leaving day to come was accepted")
	}
	// Facts as of a day before they left count them as there.
	err = d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
		facts, err := account.FactsTx(ctx, tx, tn.Admin.TenantID, []uuid.UUID{a.ID}, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), 90)
		if err == nil && (len(facts[a.ID].Contacts) != 1 || facts[a.ID].Contacts[0].Left()) {
			t.Errorf("facts before leaving %+v", facts[a.ID])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
