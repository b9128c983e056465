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

func stakeholder(t testing.TB, in account.StakeholderInput) account.StakeholderFields {
	t.Helper()
	f, err := in.Parse()
	if err != nil {
		t.Fatalf("parse %+v: %v", in, err)
	}
	return f
}

func TestStakeholders(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	a := createAccount(t, s, tn.admin(), "Globex", "G-1")
	b := createAccount(t, s, tn.admin(), "Initech", "I-1")

	ceo, err := s.CreateStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, stakeholder(t, account.StakeholderInput{
		Name: "Carla CEO", Title: "CEO", Email: "carla@globex.test", Role: "decision_maker", Strength: "weak"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		cto, err := s.CreateStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, stakeholder(t, account.StakeholderInput{
			Name: "Tom CTO", Role: "champion", Strength: "strong", ReportsTo: ceo.ID.String()}))
		if err != nil || cto.ReportsToID != ceo.ID {
			t.Fatalf("%v %+v", err, cto)
		}
		sts, err := s.Stakeholders(ctx, tn.admin(), a.ID)
		if err != nil || len(sts) != 2 || sts[0].Name != "Carla CEO" {
			t.Fatalf("%v %+v", err, sts)
		}
		tree := account.ReportingTree(sts)
		if len(tree) != 1 || len(tree[0].Children) != 1 || tree[0].Children[0].Name != "Tom CTO" {
			t.Fatalf("tree %+v", tree)
		}
		w := strings.Join(account.Warnings(sts), "\n")
		if !strings.Contains(w, "Carla CEO has only a weak relationship") || strings.Contains(w, "No champion") {
			t.Fatalf("warnings %q", w)
		}
		// A loop is refused: Carla cannot report to Tom, who reports to her.
		f := ceo.StakeholderFields
		f.ReportsToID = cto.ID
		_, err = s.UpdateStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, ceo.ID, f, ceo.Version)
		fieldErr(t, err, "reports_to")
		// Deleting the manager leaves the report without one.
		if err := s.DeleteStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, ceo.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Stakeholder(ctx, tn.admin(), a.ID, cto.ID)
		if err != nil || got.ReportsToID != uuid.Nil {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		_, err := account.StakeholderInput{Name: "", Email: "nope", Role: "boss", Strength: "great", Phone: "call me"}.Parse()
		for _, f := range []string{"name", "email", "buying_role", "strength", "phone"} {
			fieldErr(t, err, f)
		}
		// Reports-to must be a stakeholder of the same account.
		other, err := s.CreateStakeholder(ctx, tn.admin(), auth.RoleAdmin, b.ID, stakeholder(t, account.StakeholderInput{Name: "Bea", Role: "user"}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, stakeholder(t, account.StakeholderInput{
			Name: "X", Role: "user", ReportsTo: other.ID.String()}))
		fieldErr(t, err, "reports_to")
	})
	t.Run("ErrForbiddenForKAM", func(t *testing.T) {
		_, err := s.CreateStakeholder(ctx, tn.kam(), auth.RoleKAM, a.ID, stakeholder(t, account.StakeholderInput{Name: "K", Role: "user"}))
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newTenant(t, d, "Other")
		if _, err := s.Stakeholders(ctx, other.admin(), a.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
		_, err := s.CreateStakeholder(ctx, other.admin(), auth.RoleAdmin, a.ID, stakeholder(t, account.StakeholderInput{Name: "K", Role: "user"}))
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestWarnings(t *testing.T) {
	w := account.Warnings([]account.Stakeholder{{StakeholderFields: account.StakeholderFields{Name: "U", Role: account.RoleUser}}})
	if len(w) != 2 || !strings.Contains(w[0], "No decision maker") || !strings.Contains(w[1], "No champion") {
		t.Fatalf("%q", w)
	}
	if w := account.Warnings(nil); len(w) != 1 {
		t.Fatalf("%q", w)
	}
}

func TestReportingTreeSurvivesLoops(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	sts := []account.Stakeholder{
		{ID: a, StakeholderFields: account.StakeholderFields{Name: "A", ReportsToID: b}},
		{ID: b, StakeholderFields: account.StakeholderFields{Name: "B", ReportsToID: a}},
	}
	tree := account.ReportingTree(sts)
	if len(tree) == 0 {
		t.Fatal("a loop lost everyone")
	}
}

func TestInteractions(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	a := createAccount(t, s, tn.admin(), "Globex", "G-1")
	st, err := s.CreateStakeholder(ctx, tn.admin(), auth.RoleAdmin, a.ID, stakeholder(t, account.StakeholderInput{Name: "Carla", Role: "champion"}))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	t.Run("OK", func(t *testing.T) {
		for i, day := range []string{"2025-01-10", "2025-03-01", "2025-02-01"} {
			f, err := account.InteractionInput{OccurredOn: day, Kind: "meeting", Summary: "Talked " + day,
				NextStep: "Send offer", NextStepDue: today.AddDate(0, 0, i-2).Format(time.DateOnly),
				NextStepOwner: tn.KAM.UserID.String(), Participants: []string{st.ID.String()}}.Parse(tn.Admin.UserID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateInteraction(ctx, tn.admin(), auth.RoleAdmin, a.ID, f); err != nil {
				t.Fatal(err)
			}
		}
		is, total, err := s.Interactions(ctx, tn.admin(), a.ID, 2)
		if err != nil || total != 3 || len(is) != 2 || is[0].Summary != "Talked 2025-03-01" || is[1].Summary != "Talked 2025-02-01" {
			t.Fatalf("%v %d %+v", err, total, is)
		}
		if len(is[0].People) != 1 || is[0].People[0].Name != "Carla" {
			t.Fatalf("participants %+v", is[0].People)
		}
		// Due two days ago and yesterday: overdue; due today: not.
		over, total, err := s.OverdueNextSteps(ctx, tn.kam(), tn.KAM.UserID, today, 1)
		if err != nil || total != 2 || len(over) != 1 || over[0].AccountName != "Globex" {
			t.Fatalf("%v %d %+v", err, total, over)
		}
		// The owner may tick off their step even without edit rights.
		if err := s.CompleteNextStep(ctx, tn.kam(), auth.RoleKAM, a.ID, over[0].ID, true); err != nil {
			t.Fatal(err)
		}
		over, _, _ = s.OverdueNextSteps(ctx, tn.kam(), tn.KAM.UserID, today, 10)
		if len(over) != 1 {
			t.Fatalf("after completing one: %d overdue", len(over))
		}
		if err := s.DeleteInteraction(ctx, tn.kam(), auth.RoleKAM, a.ID, over[0].ID); !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("KAM delete: %v", err)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		_, err := account.InteractionInput{OccurredOn: "yesterday", Kind: "lunch", Summary: " ", NextStepDue: "2025-01-01"}.Parse(tn.Admin.UserID)
		for _, f := range []string{"occurred_on", "kind", "summary", "next_step"} {
			fieldErr(t, err, f)
		}
		f, _ := account.InteractionInput{OccurredOn: "2025-01-01", Kind: "call", Summary: "x", NextStep: "y",
			NextStepOwner: uuid.NewString()}.Parse(tn.Admin.UserID)
		_, err = s.CreateInteraction(ctx, tn.admin(), auth.RoleAdmin, a.ID, f)
		fieldErr(t, err, "next_step_owner")
		f, _ = account.InteractionInput{OccurredOn: "2025-01-01", Kind: "call", Summary: "x",
			Participants: []string{uuid.NewString()}}.Parse(tn.Admin.UserID)
		_, err = s.CreateInteraction(ctx, tn.admin(), auth.RoleAdmin, a.ID, f)
		fieldErr(t, err, "participants")
	})
	t.Run("OtherTenant", func(t *testing.T) {
		other := newTenant(t, d, "Other")
		if _, _, err := s.Interactions(ctx, other.admin(), a.ID, 0); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
		if over, total, _ := s.OverdueNextSteps(ctx, other.admin(), tn.KAM.UserID, today, 10); len(over) != 0 || total != 0 {
			t.Fatalf("other tenant sees %d steps", len(over))
		}
	})
}

// The home page's overdue next steps: the person's own, and unowned ones on
// the accounts they manage; never done, later, archived or someone else's.
func TestOverdueNextStepsWhose(t *testing.T) {
	d := dbtest.New(t)
	s := account.NewStore(d)
	tn := newTenant(t, d, "Acme")
	ctx := context.Background()
	mine := createAccount(t, s, tn.admin(), "Acme Corp", "A-1")
	assignKAM(t, d, tn.admin(), mine.ID, tn.KAM.UserID)
	theirs := createAccount(t, s, tn.admin(), "Their Corp", "T-1")
	gone := createAccount(t, s, tn.admin(), "Gone Corp", "G-1")
	kam, admin := tn.KAM.UserID, tn.Admin.UserID
	step := func(acc uuid.UUID, text, due string, owner *uuid.UUID, done bool) {
		t.Helper()
		if err := d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO interactions (account_id, occurred_on, kind, summary, next_step, next_step_due, next_step_owner_id, next_step_done_at)
				VALUES ($1, '2026-09-01', 'call', 'Talked', $2, $3, $4, CASE WHEN $5 THEN now() END)`, acc, text, due, owner, done)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	step(mine.ID, "Send proposal", "2026-11-01", &kam, false)  // overdue, owned
	step(mine.ID, "Book review", "2026-11-10", nil, false)     // overdue, unowned on their account
	step(theirs.ID, "Call back", "2026-11-05", &kam, false)    // overdue, owned on another account
	step(theirs.ID, "Unowned there", "2026-11-01", nil, false) // not their account
	step(mine.ID, "Done already", "2026-11-01", &kam, true)
	step(mine.ID, "Later", "2026-12-01", &kam, false)
	step(mine.ID, "Admin's", "2026-11-01", &admin, false)
	step(gone.ID, "Archived account", "2026-11-01", &kam, false)
	if err := d.Tx(ctx, tn.admin(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE accounts SET archived_at = now() WHERE id = $1", gone.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	steps, total, err := s.OverdueNextSteps(ctx, tn.kam(), kam, today, 2)
	if err != nil || total != 3 || len(steps) != 2 || steps[0].NextStep != "Send proposal" || steps[1].NextStep != "Call back" {
		t.Fatalf("%v total %d %+v", err, total, steps)
	}
	steps, total, _ = s.OverdueNextSteps(ctx, tn.kam(), kam, today, 10)
	if total != 3 || len(steps) != 3 || steps[2].NextStep != "Book review" {
		t.Fatalf("total %d %+v", total, steps)
	}
}
