package scoring_test

import "context"
import "errors"
import "fmt"
import "math/rand/v2"
import "slices"
import "strings"
import "testing"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import accounts "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/keyset"
import "pareto/internal/scoring"

func TestMain(m *testing.M) { dbtest.Main(m) }

// tenant is one organisation with a member of each role.
type tenant struct {
	admin, leader, kam, kam2 db.Scope
}

func newTenant(t testing.TB, d *db.DB, org string) tenant {
	t.Helper()
	ctx := context.Background()
	as := auth.NewStore(d)
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	admin, err := as.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin", Email: "admin@" + slug + ".test", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	sc := db.Scope{TenantID: admin.TenantID, UserID: admin.UserID}
	member := func(email string, role auth.Role) db.Scope {
		token, _, err := as.CreateInvite(ctx, sc, email+"@"+slug+".test", role)
		if err != nil {
			t.Fatal(err)
		}
		m, err := as.AcceptInvite(ctx, token, email, "correct-horse-battery")
		if err != nil {
			t.Fatal(err)
		}
		return db.Scope{TenantID: m.TenantID, UserID: m.UserID}
	}
	return tenant{admin: sc, leader: member("leader", auth.RoleLeader), kam: member("kam", auth.RoleKAM), kam2: member("kam2", auth.RoleKAM)}
}

// account inserts an account with plain SQL (the accounts package is
// another area's) and counts the kept tallies again, as bulk writers do.
func account(t testing.TB, d *db.DB, sc db.Scope, name string, revenue, potential int64, kam *uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := d.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		if err := tx.QueryRow(context.Background(), `INSERT INTO accounts (name, annual_revenue, revenue_potential, kam_user_id, status)
			VALUES ($1, $2, $3, $4, 'customer') RETURNING id`, name, revenue, potential, kam).Scan(&id); err != nil {
			return err
		}
		return accounts.Recount(context.Background(), tx, sc.TenantID)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func enable(t testing.TB, s *scoring.Store, sc db.Scope, codes ...string) []scoring.Criterion {
	t.Helper()
	var out []scoring.Criterion
	for _, c := range codes {
		x, err := s.EnableStandard(context.Background(), sc, c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x.Criterion)
	}
	return out
}

func score(t testing.TB, s *scoring.Store, sc db.Scope, acc uuid.UUID, cs []scoring.Criterion, vs ...int) {
	t.Helper()
	var in []scoring.CellInput
	for i, v := range vs {
		if v > 0 {
			in = append(in, scoring.CellInput{CriterionID: cs[i].ID, Score: fmt.Sprint(v)})
		}
	}
	if _, err := s.SaveScores(context.Background(), sc, auth.RoleAdmin, acc, in); err != nil {
		t.Fatal(err)
	}
}

func auditCount(t testing.TB, d *db.DB, sc db.Scope, entity, action string) int {
	t.Helper()
	var n int
	err := d.Tx(context.Background(), sc, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT count(*) FROM audit_events WHERE entity = $1 AND action = $2", entity, action).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldErrors(t *testing.T, err error) db.FieldErrors {
	t.Helper()
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	return fe
}

func TestCriteria(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	other := newTenant(t, d, "Other Co")

	t.Run("EnableStandard", func(t *testing.T) {
		cs := enable(t, s, tn.admin, "product_fit", "solvency", "cultural_fit")
		if cs[0].Name != "Product fit" || cs[0].Rubric10 == "" || cs[2].Position != 3 {
			t.Fatalf("got %+v", cs)
		}
		again, err := s.EnableStandard(ctx, tn.admin, "product_fit")
		if err != nil || again.ID != cs[0].ID {
			t.Fatalf("enabling twice: %v %v", again.ID, err)
		}
		if auditCount(t, d, tn.admin, "criterion", "create") != 3 {
			t.Error("creations not audited")
		}
		if _, err := s.EnableStandard(ctx, tn.admin, "nonsense"); err == nil {
			t.Error("unknown code accepted")
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		cfg, err := s.Config(ctx, tn.admin)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Settings.WeightMode != scoring.ModeRank || cfg.Settings.KeyAccountCap != 50 || cfg.Settings.ConcentrationBPS != 1000 {
			t.Errorf("settings %+v", cfg.Settings)
		}
		if got := []int{cfg.Weights[0].BPS, cfg.Weights[1].BPS, cfg.Weights[2].BPS}; !slices.Equal(got, []int{6111, 2778, 1111}) {
			t.Errorf("ROC weights %v", got)
		}
	})
	t.Run("CreateCustom", func(t *testing.T) {
		c, err := s.CreateCustom(ctx, tn.admin, scoring.CriterionInput{Name: " Innovation appetite ", Rubric1: "None", Rubric10: "Pilots everything"})
		if err != nil || c.Name != "Innovation appetite" || !c.Active || c.Position != 4 || !c.Custom() {
			t.Fatalf("got %+v, %v", c, err)
		}
	})
	t.Run("ErrNameRequired", func(t *testing.T) {
		_, err := s.CreateCustom(ctx, tn.admin, scoring.CriterionInput{Name: "  "})
		if fieldErrors(t, err)["name"] == "" {
			t.Fatal(err)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		_, err := s.CreateCustom(ctx, tn.admin, scoring.CriterionInput{Name: "product FIT"})
		if fieldErrors(t, err)["name"] == "" {
			t.Fatal(err)
		}
	})
	t.Run("MoveAndDeactivate", func(t *testing.T) {
		cfg, _ := s.Config(ctx, tn.admin)
		third := cfg.Weights[2]
		if err := s.MoveCriterion(ctx, tn.admin, third.CriterionID, -1); err != nil {
			t.Fatal(err)
		}
		cfg, _ = s.Config(ctx, tn.admin)
		if cfg.Weights[1].CriterionID != third.CriterionID {
			t.Fatalf("not moved up: %v", cfg.Weights)
		}
		if _, err := s.SetActive(ctx, tn.admin, cfg.Weights[0].CriterionID, false); err != nil {
			t.Fatal(err)
		}
		cfg, _ = s.Config(ctx, tn.admin)
		var pos []int
		for _, c := range cfg.Active() {
			pos = append(pos, c.Position)
		}
		if !slices.Equal(pos, []int{1, 2, 3}) {
			t.Fatalf("positions after deactivation %v", pos)
		}
		if len(cfg.Criteria) != 4 || cfg.Criteria[3].Active {
			t.Fatalf("the deactivated criterion should stay, inactive, last: %+v", cfg.Criteria)
		}
	})
	t.Run("ExplicitWeights", func(t *testing.T) {
		cfg, _ := s.Config(ctx, tn.admin)
		typed := map[uuid.UUID]string{}
		for i, w := range cfg.Weights {
			typed[w.CriterionID] = []string{"50", "30", "30"}[i]
		}
		err := s.SetWeights(ctx, tn.admin, scoring.WeightsInput{Mode: scoring.ModeExplicit, Percent: typed, CriteriaVersion: cfg.Settings.CriteriaVersion})
		if !strings.Contains(fieldErrors(t, err)["weights"], "110") {
			t.Fatalf("want the sum in the message, got %v", err)
		}
		typed[cfg.Weights[2].CriterionID] = "20"
		if err := s.SetWeights(ctx, tn.admin, scoring.WeightsInput{Mode: scoring.ModeExplicit, Percent: typed, CriteriaVersion: cfg.Settings.CriteriaVersion}); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Config(ctx, tn.admin)
		if after.Settings.WeightMode != scoring.ModeExplicit || after.Weights[0].BPS != 5000 || after.Weights[2].BPS != 2000 {
			t.Fatalf("got %+v", after.Weights)
		}
		// The same form again is stale now.
		err = s.SetWeights(ctx, tn.admin, scoring.WeightsInput{Mode: scoring.ModeExplicit, Percent: typed, CriteriaVersion: cfg.Settings.CriteriaVersion})
		if !errors.Is(err, db.ErrConflict) {
			t.Fatalf("want conflict, got %v", err)
		}
		if auditCount(t, d, tn.admin, "scoring_weights", "update") != 1 {
			t.Error("weights not audited")
		}
		// Activating another criterion breaks the 100 %: back to rank weights.
		enable(t, s, tn.admin, "product_fit") // re-activates
		after, _ = s.Config(ctx, tn.admin)
		if after.Settings.WeightMode != scoring.ModeRank || len(after.Weights) != 4 {
			t.Fatalf("want rank mode over 4 criteria, got %s %v", after.Settings.WeightMode, after.Weights)
		}
	})
	t.Run("UpdateConflict", func(t *testing.T) {
		cfg, _ := s.Config(ctx, tn.admin)
		c := cfg.Criteria[0]
		in := scoring.CriterionInput{Name: c.Name, Rubric1: "Very poor", Rubric5: "Fair", Rubric10: "Excellent"}
		got, err := s.UpdateCriterion(ctx, tn.admin, c.ID, in, c.Version)
		if err != nil || got.Rubric5 != "Fair" {
			t.Fatalf("got %+v %v", got, err)
		}
		if _, err := s.UpdateCriterion(ctx, tn.admin, c.ID, in, c.Version); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("want conflict, got %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		cfg, _ := s.Config(ctx, tn.admin)
		c := cfg.Criteria[0]
		if _, err := s.UpdateCriterion(ctx, other.admin, c.ID, scoring.CriterionInput{Name: "Stolen"}, c.Version); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		if _, err := s.SetActive(ctx, other.admin, c.ID, false); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		ocfg, _ := s.Config(ctx, other.admin)
		if len(ocfg.Criteria) != 0 {
			t.Fatalf("other tenant sees criteria: %v", ocfg.Criteria)
		}
	})
}

func TestSaveScores(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	other := newTenant(t, d, "Other Co")
	cs := enable(t, s, tn.admin, "product_fit", "solvency", "cultural_fit")
	mine := account(t, d, tn.admin, "Mine", 100, 500, &tn.kam.UserID)
	theirs := account(t, d, tn.admin, "Theirs", 100, 500, &tn.kam2.UserID)
	foreign := account(t, d, other.admin, "Foreign", 100, 500, nil)

	in := func(vs ...string) []scoring.CellInput {
		var out []scoring.CellInput
		for i, v := range vs {
			out = append(out, scoring.CellInput{CriterionID: cs[i].ID, Score: v})
		}
		return out
	}

	t.Run("OK", func(t *testing.T) {
		cells := in("7", "5", "")
		cells[0].Evidence, cells[0].HasEvidence = "Uses our line 3 everywhere", true
		n, err := s.SaveScores(ctx, tn.kam, auth.RoleKAM, mine, cells)
		if err != nil || n != 2 {
			t.Fatalf("got %d, %v", n, err)
		}
		b, err := s.Breakdown(ctx, tn.kam, mine)
		if err != nil {
			t.Fatal(err)
		}
		// (6111·7 + 2778·5) / 8889 = 6.375 → 6.4, incomplete
		if b.Score.Score10 != 64 || b.Score.Complete || b.Score.Coverage() != "2/3" {
			t.Fatalf("score %+v", b.Score)
		}
		if b.Cells[0].Evidence != "Uses our line 3 everywhere" || b.Cells[0].ScoredBy != "kam" {
			t.Fatalf("cell %+v", b.Cells[0])
		}
		if len(b.Changes) != 2 || b.Changes[0].Old != nil {
			t.Fatalf("changes %+v", b.Changes)
		}
	})
	t.Run("History", func(t *testing.T) {
		if _, err := s.SaveScores(ctx, tn.leader, auth.RoleLeader, mine, in("9", "5", "4")); err != nil {
			t.Fatal(err)
		}
		b, _ := s.Breakdown(ctx, tn.leader, mine)
		if len(b.Changes) != 4 {
			t.Fatalf("want 4 changes (unchanged cells are not changes), got %d", len(b.Changes))
		}
		latest := b.Changes[0]
		if latest.CriterionName == "Product fit" {
			latest = b.Changes[1]
		}
		var pf scoring.Change
		for _, c := range b.Changes {
			if c.CriterionID == cs[0].ID && c.Old != nil {
				pf = c
			}
		}
		if pf.Old == nil || *pf.Old != 7 || pf.New != 9 || pf.By != "leader" {
			t.Fatalf("product fit change %+v", pf)
		}
		if !b.Score.Complete || len(b.Series) != 2 || b.Series[1].Score != b.Score {
			t.Fatalf("series %+v score %+v", b.Series, b.Score)
		}
		// Evidence kept when the form has no evidence field.
		if b.Cells[0].Evidence != "Uses our line 3 everywhere" {
			t.Fatalf("evidence lost: %+v", b.Cells[0])
		}
		if auditCount(t, d, tn.admin, "account", "score") != 2 {
			t.Error("score changes not audited")
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		// Product fit is 9 now; someone who saw 7 tries to save 3.
		stale := in("3", "5", "4")
		stale[0].Was, stale[0].HasWas = "7", true
		_, err := s.SaveScores(ctx, tn.kam, auth.RoleKAM, mine, stale)
		var conflict *scoring.ScoreConflict
		if !errors.Is(err, db.ErrConflict) || !errors.As(err, &conflict) || len(conflict.Cells) != 1 ||
			conflict.Cells[0].Theirs.Score != 9 || conflict.Cells[0].By != "leader" {
			t.Fatalf("want a conflict on product fit, got %v", err)
		}
		// Agreeing with the newer value, or not touching the cell, is fine.
		agree := in("9", "5", "4")
		agree[0].Was, agree[0].HasWas = "7", true
		if n, err := s.SaveScores(ctx, tn.kam, auth.RoleKAM, mine, agree); err != nil || n != 0 {
			t.Fatalf("agreeing: %d %v", n, err)
		}
		untouched := in("7", "6", "4")
		untouched[0].Was, untouched[0].HasWas = "7", true
		untouched[1].Was, untouched[1].HasWas = "5", true
		if n, err := s.SaveScores(ctx, tn.kam, auth.RoleKAM, mine, untouched); err != nil || n != 1 {
			t.Fatalf("untouched stale cell: %d %v", n, err)
		}
		if b, _ := s.Breakdown(ctx, tn.kam, mine); b.Cells[0].Contribution.Score != 9 || b.Cells[1].Contribution.Score != 6 {
			t.Fatalf("cells %+v", b.Cells)
		}
		back := in("", "5", "")
		back[1].Was, back[1].HasWas = "6", true
		if _, err := s.SaveScores(ctx, tn.kam, auth.RoleKAM, mine, back); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrOutOfRange", func(t *testing.T) {
		for _, bad := range []string{"11", "0", "7.5", "seven", "-3"} {
			_, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, mine, in("2", bad, "2"))
			fe := fieldErrors(t, err)
			if fe[scoring.ScoreField(cs[1].ID)] == "" {
				t.Fatalf("%q: errors %v", bad, fe)
			}
		}
		b, _ := s.Breakdown(ctx, tn.admin, mine)
		if b.Cells[0].Contribution.Score != 9 {
			t.Fatal("a refused save changed a valid cell of the same form")
		}
	})
	t.Run("ErrEvidenceWithoutScore", func(t *testing.T) {
		cells := in("", "", "")
		fresh := account(t, d, tn.admin, "Fresh", 0, 0, nil)
		cells[0].Evidence, cells[0].HasEvidence = "a note", true
		_, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, fresh, cells)
		if fieldErrors(t, err)[scoring.ScoreField(cs[0].ID)] == "" {
			t.Fatal(err)
		}
	})
	t.Run("ErrInactiveCriterion", func(t *testing.T) {
		_, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, mine, []scoring.CellInput{{CriterionID: uuid.New(), Score: "5"}})
		fieldErrors(t, err)
	})
	t.Run("KAMOtherAccount", func(t *testing.T) {
		_, err := s.SaveScores(ctx, tn.kam, auth.RoleKAM, theirs, in("5", "5", "5"))
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("want forbidden, got %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		_, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, foreign, in("5", "5", "5"))
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		if _, err := s.Breakdown(ctx, tn.admin, foreign); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("breakdown: want not found, got %v", err)
		}
	})
	t.Run("Matrix", func(t *testing.T) {
		m, err := s.Matrix(ctx, tn.kam, scoring.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Total != 3 || len(m.Config.Weights) != 3 {
			t.Fatalf("total %d", m.Total)
		}
		if m.Rows[1].Name != "Mine" || !m.Rows[1].Score.Complete || m.Rows[1].Cells[cs[0].ID].Score != 9 {
			t.Fatalf("row %+v", m.Rows[1])
		}
		m, _ = s.Matrix(ctx, tn.kam, scoring.Filter{Coverage: "unscored"})
		if m.Total != 2 {
			t.Fatalf("unscored: %d", m.Total)
		}
		m, _ = s.Matrix(ctx, tn.kam, scoring.Filter{KAM: tn.kam.UserID.String()})
		if m.Total != 1 {
			t.Fatalf("by KAM: %d", m.Total)
		}
		m, _ = s.Matrix(ctx, other.admin, scoring.Filter{})
		if m.Total != 1 || m.Rows[0].Name != "Foreign" {
			t.Fatalf("other tenant's matrix: %+v", m.Rows)
		}
	})
	// Issue 17: emptying a scored cell the person saw clears it back to
	// unscored; the history keeps the clearing (5 → cleared) and the score
	// is replayed without it. An empty cell without what was seen keeps
	// the score, and clearing a cell someone changed meanwhile conflicts.
	t.Run("Clear", func(t *testing.T) {
		acc := account(t, d, tn.admin, "Clearable", 0, 0, nil)
		if n, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, acc, in("4", "5", "6")); err != nil || n != 3 {
			t.Fatalf("scoring: %d %v", n, err)
		}
		keep := in("", "", "")
		if n, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, acc, keep); err != nil || n != 0 {
			t.Fatalf("empty cells without what was seen: %d %v", n, err)
		}
		stale := in("", "", "")
		stale[1].Was, stale[1].HasWas = "3", true
		var conflict *scoring.ScoreConflict
		if _, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, acc, stale); !errors.As(err, &conflict) {
			t.Fatalf("clearing a cell changed meanwhile: %v", err)
		}
		clear := in("", "", "")
		clear[1].Was, clear[1].HasWas = "5", true
		if n, err := s.SaveScores(ctx, tn.admin, auth.RoleAdmin, acc, clear); err != nil || n != 1 {
			t.Fatalf("clearing: %d %v", n, err)
		}
		b, err := s.Breakdown(ctx, tn.admin, acc)
		if err != nil {
			t.Fatal(err)
		}
		// (6111·4 + 1111·6) / 7222 = 4.308 → 4.3, 2 of 3 scored.
		if b.Score.Coverage() != "2/3" || b.Score.Score10 != 43 {
			t.Fatalf("score after clearing %+v (%s)", b.Score, b.Score.Coverage())
		}
		if len(b.Changes) != 4 || b.Changes[0].CriterionID != cs[1].ID || b.Changes[0].Old == nil || *b.Changes[0].Old != 5 ||
			b.Changes[0].New != 0 || b.Changes[0].ScoreAfter != b.Score {
			t.Fatalf("history after clearing %+v", b.Changes)
		}
		if len(b.Series) != 2 || b.Series[1].Score != b.Score {
			t.Fatalf("series %+v", b.Series)
		}
	})
}

// The SQL shortlist and the pure ranker must agree on every score and on
// the order, including ties and incomplete accounts.
func TestShortlistMatchesRanker(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	other := newTenant(t, d, "Other Co")
	cs := enable(t, s, tn.admin, "product_fit", "solvency", "cultural_fit", "buying_process")
	ocs := enable(t, s, other.admin, "product_fit")
	rng := rand.New(rand.NewPCG(1, 2))
	var cands []scoring.Candidate
	for i := range 120 {
		rev := int64(rng.IntN(5)) * 1000
		acc := account(t, d, tn.admin, fmt.Sprintf("Acc %03d", 119-i), rev, rev+int64(rng.IntN(3))*500, nil)
		vs := make([]int, len(cs))
		for j := range vs {
			if rng.IntN(8) > 0 {
				vs[j] = 1 + rng.IntN(10)
			}
		}
		score(t, s, tn.admin, acc, cs, vs...)
		c := scoring.Candidate{AccountID: acc, Name: fmt.Sprintf("Acc %03d", 119-i), Cells: scoring.Cells{}}
		for j, v := range vs {
			if v > 0 {
				c.Cells[cs[j].ID] = v
			}
		}
		b, _ := s.Breakdown(ctx, tn.admin, acc)
		c.HeadroomCents = b.Account.Headroom()
		cands = append(cands, c)
	}
	score(t, s, other.admin, account(t, d, other.admin, "Foreign", 0, 0, nil), ocs, 10)

	for _, mode := range []scoring.WeightMode{scoring.ModeRank, scoring.ModeExplicit} {
		t.Run(string(mode), func(t *testing.T) {
			cfg, _ := s.Config(ctx, tn.admin)
			if mode == scoring.ModeExplicit {
				typed := map[uuid.UUID]string{}
				for i, w := range cfg.Weights {
					typed[w.CriterionID] = []string{"33.33", "33.33", "16.67", "16.67"}[i]
				}
				if err := s.SetWeights(ctx, tn.admin, scoring.WeightsInput{Mode: mode, Percent: typed, CriteriaVersion: cfg.Settings.CriteriaVersion}); err != nil {
					t.Fatal(err)
				}
				cfg, _ = s.Config(ctx, tn.admin)
			}
			want := scoring.Rank(cands, cfg.Weights)
			got, _, err := s.ShortlistAll(ctx, tn.admin, scoring.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d rows, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.AccountID != w.AccountID || g.Rank != w.Rank || g.Score != w.Score {
					t.Fatalf("row %d: sql %s rank %d %+v; go %s rank %d %+v", i, g.Name, g.Rank, g.Score, w.Name, w.Rank, w.Score)
				}
			}
			first, err := s.Shortlist(ctx, tn.admin, scoring.Filter{PerPage: 25})
			if err != nil || !first.Links.HasNext {
				t.Fatalf("page 1: %v %+v", err, first.Links)
			}
			page, err := s.Shortlist(ctx, tn.admin, scoring.Filter{PerPage: 25, Cursor: first.Links.Next})
			if err != nil || page.Total != len(want) || !page.Exact || page.Rows[0].Rank != 26 || page.Pages(25) != 5 {
				t.Fatalf("page 2: %v total %d first rank %d", err, page.Total, page.Rows[0].Rank)
			}
			// The ranks of the filtered or re-sorted list are the same
			// tenant-wide ranks (from the kept histogram, not positions).
			byName, err := s.Shortlist(ctx, tn.admin, scoring.Filter{Sort: "name", PerPage: 500})
			if err != nil || len(byName.Rows) != len(want) {
				t.Fatalf("by name: %v %d rows", err, len(byName.Rows))
			}
			rankOf := map[uuid.UUID]int{}
			for _, w := range want {
				rankOf[w.AccountID] = w.Rank
			}
			for _, r := range byName.Rows {
				if r.Rank != rankOf[r.AccountID] {
					t.Fatalf("%s: rank %d sorted by name, %d in rank order", r.Name, r.Rank, rankOf[r.AccountID])
				}
			}
		})
	}
	t.Run("FilterKeepsGlobalRank", func(t *testing.T) {
		page, err := s.Shortlist(ctx, tn.admin, scoring.Filter{Query: "Acc 00"})
		if err != nil || page.Total != 10 {
			t.Fatalf("%v total %d", err, page.Total)
		}
		for i := 1; i < len(page.Rows); i++ {
			if page.Rows[i].Rank <= page.Rows[i-1].Rank {
				t.Fatal("filtered rows out of rank order")
			}
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		page, err := s.Shortlist(ctx, other.admin, scoring.Filter{})
		if err != nil || page.Total != 1 || page.Rows[0].Name != "Foreign" {
			t.Fatalf("%v %+v", err, page.Rows)
		}
	})
	t.Run("WhatIf", func(t *testing.T) {
		cfg, _ := s.Config(ctx, tn.admin)
		typed := map[uuid.UUID]string{}
		for i, w := range cfg.Weights {
			typed[w.CriterionID] = []string{"0", "0", "0", "1"}[i]
		}
		res, err := s.WhatIf(ctx, tn.leader, typed, 1, 200)
		if err != nil {
			t.Fatal(err)
		}
		if res.Proposed[3].BPS != 10000 || res.Total != len(cands) || res.Up == 0 || res.Down == 0 {
			t.Fatalf("proposed %v total %d up %d down %d", res.Proposed, res.Total, res.Up, res.Down)
		}
		after, _ := s.Config(ctx, tn.admin)
		if !slices.Equal(after.Weights, cfg.Weights) {
			t.Fatal("a what-if changed the weights")
		}
	})
	// Sorted by potential, page after page: the cursor carries the
	// potential written from the ranking row's cents (headroom + revenue,
	// migration 00033), and PostgreSQL compares it with the account's
	// numeric(15,2) column. Potentials hold many ties (11 values across
	// 120 accounts) and, from here on, cents: the pages must list every
	// account once, in the order of the unpaged list. Last, as it
	// changes potentials (and so headrooms and ranks).
	t.Run("PotentialPages", func(t *testing.T) {
		err := d.Tx(ctx, tn.admin, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE accounts SET revenue_potential = CASE WHEN name = 'Acc 000' THEN 1234.56
				ELSE revenue_potential + 0.07 END WHERE tenant_id = $1 AND name LIKE 'Acc 00%'`, tn.admin.TenantID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, desc := range []bool{false, true} {
			f := scoring.Filter{Sort: "potential", Desc: desc}
			want, _, err := s.ShortlistAll(ctx, tn.admin, f)
			if err != nil || len(want) != len(cands) {
				t.Fatalf("desc %v: unpaged: %v, %d rows", desc, err, len(want))
			}
			var got []scoring.ShortRow
			f.PerPage = 7
			for page := 1; ; page++ {
				p, err := s.Shortlist(ctx, tn.admin, f)
				if err != nil || page > 20 {
					t.Fatalf("desc %v, page %d: %v", desc, page, err)
				}
				got = append(got, p.Rows...)
				if !p.Links.HasNext {
					break
				}
				f.Cursor = p.Links.Next
			}
			if len(got) != len(want) {
				t.Fatalf("desc %v: the pages list %d accounts, want %d", desc, len(got), len(want))
			}
			for i := range want {
				if got[i].AccountID != want[i].AccountID {
					t.Fatalf("desc %v: row %d is %s (potential %d), want %s (potential %d)", desc, i,
						got[i].Name, got[i].RevenuePotential, want[i].Name, want[i].RevenuePotential)
				}
				if i > 0 && (got[i].RevenuePotential < got[i-1].RevenuePotential) != desc && got[i].RevenuePotential != got[i-1].RevenuePotential {
					t.Fatalf("desc %v: row %d's potential %d after %d", desc, i, got[i].RevenuePotential, got[i-1].RevenuePotential)
				}
				// 1,234.56 written above: 123,456 cents.
				if got[i].Name == "Acc 000" && got[i].RevenuePotential != 123456 {
					t.Fatalf("Acc 000's potential: %d cents, want 123456", got[i].RevenuePotential)
				}
			}
		}
	})
}

func TestReviewSnapshot(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	other := newTenant(t, d, "Other Co")
	cs := enable(t, s, tn.admin, "product_fit", "solvency")
	a := account(t, d, tn.admin, "Alpha", 1000, 5000, nil)
	b := account(t, d, tn.admin, "Beta", 2000, 3000, nil)
	c := account(t, d, tn.admin, "Gamma", 0, 100, nil)
	score(t, s, tn.admin, a, cs, 9, 8)
	score(t, s, tn.admin, b, cs, 5, 5)
	score(t, s, tn.admin, c, cs, 4, 0)
	account(t, d, tn.admin, "Unscored", 0, 0, nil)

	t.Run("ErrNameRequired", func(t *testing.T) {
		_, err := s.StartReview(ctx, tn.leader, " ")
		fieldErrors(t, err)
	})
	id, err := s.StartReview(ctx, tn.leader, "FY27 H1")
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if before.Review.Entries != 3 || len(before.Entries) != 3 || before.Entries[0].AccountName != "Alpha" || before.Entries[2].Score.Complete {
		t.Fatalf("snapshot %+v", before.Entries)
	}
	t.Run("Pages", func(t *testing.T) {
		// 3 entries, 2 a page: ranks 1–2, then 3, then back to 1–2.
		ranks := func(p scoring.ReviewPage) []int {
			var out []int
			for _, e := range p.Entries {
				out = append(out, e.Rank)
			}
			return out
		}
		p1, err := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{PerPage: 2})
		if err != nil || !slices.Equal(ranks(p1), []int{1, 2}) || !p1.Links.HasNext || p1.Links.HasPrev {
			t.Fatalf("page 1: %v %+v %v", ranks(p1), p1.Links, err)
		}
		p2, err := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{PerPage: 2, Cursor: p1.Links.Next})
		if err != nil || !slices.Equal(ranks(p2), []int{3}) || p2.Links.HasNext || !p2.Links.HasPrev || p2.Links.First != 3 {
			t.Fatalf("page 2: %v %+v %v", ranks(p2), p2.Links, err)
		}
		back, err := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{PerPage: 2, Cursor: p2.Links.Prev})
		if err != nil || !slices.Equal(ranks(back), []int{1, 2}) {
			t.Fatalf("back: %v %v", ranks(back), err)
		}
	})
	t.Run("ErrSecondOpenReview", func(t *testing.T) {
		_, err := s.StartReview(ctx, tn.leader, "Another")
		fieldErrors(t, err)
	})

	// Later changes of scores, weights and criteria...
	score(t, s, tn.admin, b, cs, 10, 10)
	score(t, s, tn.admin, a, cs, 1, 1)
	cfg, _ := s.Config(ctx, tn.admin)
	if err := s.SetWeights(ctx, tn.admin, scoring.WeightsInput{Mode: scoring.ModeExplicit, CriteriaVersion: cfg.Settings.CriteriaVersion,
		Percent: map[uuid.UUID]string{cs[0].ID: "10", cs[1].ID: "90"}}); err != nil {
		t.Fatal(err)
	}
	enable(t, s, tn.admin, "cultural_fit")
	if _, err := d.Pool.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	// ...leave the review exactly as it was.
	after, err := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range before.Entries {
		x, y := before.Entries[i], after.Entries[i]
		if x.AccountID != y.AccountID || x.Rank != y.Rank || x.Score != y.Score || !mapsEqual(x.Cells, y.Cells) ||
			x.AnnualRevenue != y.AnnualRevenue {
			t.Fatalf("entry %d changed: %+v → %+v", i, x, y)
		}
	}
	if !slices.Equal(before.Review.Weights, after.Review.Weights) || after.Review.WeightMode != scoring.ModeRank {
		t.Fatalf("weights changed: %v → %v", before.Review.Weights, after.Review.Weights)
	}
	// The live shortlist did move.
	live, _ := s.Shortlist(ctx, tn.leader, scoring.Filter{})
	if live.Rows[0].Name != "Beta" {
		t.Fatalf("live ranking %+v", live.Rows)
	}

	t.Run("Decide", func(t *testing.T) {
		err := s.Decide(ctx, tn.leader, id, a, "key", "")
		if fieldErrors(t, err)["reason"] == "" {
			t.Fatal("reason not required")
		}
		if err := s.Decide(ctx, tn.leader, id, a, "key", "Best fit and growth"); err != nil {
			t.Fatal(err)
		}
		if err := s.Decide(ctx, tn.leader, id, c, "watch", "Incomplete; revisit"); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{})
		if p.Entries[0].Decision != "key" || p.Entries[0].KeyStatusNow != "key" || p.Review.Designated != 1 || p.Review.Decided != 2 {
			t.Fatalf("after decisions %+v %+v", p.Review, p.Entries[0])
		}
		bd, _ := s.Breakdown(ctx, tn.leader, a)
		if len(bd.KeyChanges) != 1 || bd.KeyChanges[0].ReviewName != "FY27 H1" || bd.KeyChanges[0].Reason != "Best fit and growth" {
			t.Fatalf("key history %+v", bd.KeyChanges)
		}
		if auditCount(t, d, tn.admin, "account", "key_status") != 2 || auditCount(t, d, tn.admin, "review", "decide") != 2 {
			t.Error("decisions not audited")
		}
		open, _ := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{Decision: "open"})
		if len(open.Entries) != 1 || open.Entries[0].AccountID != b {
			t.Fatalf("open filter %+v", open.Entries)
		}
		watch, _ := s.Review(ctx, tn.leader, id, scoring.ReviewFilter{Decision: "watch"})
		if len(watch.Entries) != 1 || watch.Entries[0].AccountID != c {
			t.Fatalf("watch filter %+v", watch.Entries)
		}
		// A changed decision moves the kept counts: Alpha key → declined
		// leaves 2 decided, 0 designated.
		if err := s.Decide(ctx, tn.leader, id, a, "declined", "Changed our mind"); err != nil {
			t.Fatal(err)
		}
		p, _ = s.Review(ctx, tn.leader, id, scoring.ReviewFilter{})
		if p.Review.Decided != 2 || p.Review.Designated != 0 || p.Review.Entries != 3 {
			t.Fatalf("counts after a changed decision %+v", p.Review)
		}
	})
	t.Run("ErrNotInReview", func(t *testing.T) {
		late := account(t, d, tn.admin, "Late", 0, 0, nil)
		fieldErrors(t, s.Decide(ctx, tn.leader, id, late, "key", "why not"))
	})
	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := s.Review(ctx, other.leader, id, scoring.ReviewFilter{}); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		if err := s.Decide(ctx, other.leader, id, a, "declined", "mine now"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		if err := s.CloseReview(ctx, other.leader, id); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
		rs, _ := s.Reviews(ctx, other.leader, keyset.Cursor{}, 0)
		if len(rs.Reviews) != 0 {
			t.Fatal("other tenant lists our review")
		}
	})
	t.Run("Close", func(t *testing.T) {
		if err := s.CloseReview(ctx, tn.leader, id); err != nil {
			t.Fatal(err)
		}
		fieldErrors(t, s.Decide(ctx, tn.leader, id, b, "key", "too late"))
		fieldErrors(t, s.CloseReview(ctx, tn.leader, id))
		if _, err := s.StartReview(ctx, tn.leader, "FY27 H2"); err != nil {
			t.Fatalf("a new review after closing: %v", err)
		}
		if _, err := s.StartReview(ctx, tn.leader, "FY27 H1"); err == nil {
			t.Fatal("duplicate name accepted")
		}
	})
}

func mapsEqual(a, b scoring.Cells) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestKeyAccountCap(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	cs := enable(t, s, tn.admin, "product_fit")
	var accs []uuid.UUID
	for i := range 4 {
		acc := account(t, d, tn.admin, fmt.Sprintf("Acc %d", i), 0, 0, nil)
		score(t, s, tn.admin, acc, cs, 9-i)
		accs = append(accs, acc)
	}
	st, _ := s.Config(ctx, tn.admin)
	_, err := s.UpdateSettings(ctx, tn.admin, scoring.SettingsInput{KeyAccountCap: "0", ConcentrationPct: "10", TopN: "10", QuadrantScore: "6",
		Version: st.Settings.Version})
	if fieldErrors(t, err)["key_account_cap"] == "" {
		t.Fatal("cap 0 accepted")
	}
	if _, err := s.UpdateSettings(ctx, tn.admin, scoring.SettingsInput{KeyAccountCap: "2", ConcentrationPct: "10", TopN: "10",
		QuadrantScore: "6", Version: st.Settings.Version}); err != nil {
		t.Fatal(err)
	}
	id, err := s.StartReview(ctx, tn.leader, "Capped")
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range accs[:2] {
		if err := s.Decide(ctx, tn.leader, id, acc, "key", "strong"); err != nil {
			t.Fatal(err)
		}
	}
	err = s.Decide(ctx, tn.leader, id, accs[2], "key", "strong too")
	if msg := fieldErrors(t, err)["decision"]; !strings.Contains(msg, "cap of 2 key accounts") {
		t.Fatalf("message %q", msg)
	}
	// Re-deciding an account that is key already does not count twice.
	if err := s.Decide(ctx, tn.leader, id, accs[1], "key", "still strong"); err != nil {
		t.Fatal(err)
	}
	// De-designating frees a place.
	fieldErrors(t, s.Dedesignate(ctx, tn.leader, accs[3], "not key"))
	if err := s.Dedesignate(ctx, tn.leader, accs[0], "Lost the framework contract"); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(ctx, tn.leader, id, accs[2], "key", "strong too"); err != nil {
		t.Fatal(err)
	}
	b, _ := s.Breakdown(ctx, tn.leader, accs[0])
	if b.Account.KeyStatus != "former" || b.KeyChanges[0].New != "former" || b.KeyChanges[0].Reason != "Lost the framework contract" {
		t.Fatalf("%+v %+v", b.Account, b.KeyChanges)
	}
}

func TestConcentration(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	other := newTenant(t, d, "Other Co")
	big := account(t, d, tn.admin, "Big", 500000, 0, nil)
	account(t, d, tn.admin, "Mid", 300000, 0, nil)
	for i := range 20 {
		account(t, d, tn.admin, fmt.Sprintf("Small %d", i), 10000, 0, nil)
	}
	account(t, d, other.admin, "Elsewhere", 99999999, 0, nil)
	if err := d.Tx(ctx, tn.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE accounts SET key_status = 'key' WHERE id = $1", big); err != nil {
			return err
		}
		return accounts.Recount(ctx, tx, tn.admin.TenantID)
	}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Concentration(ctx, tn.leader)
	if err != nil {
		t.Fatal(err)
	}
	// total 1,000,000: Big 50 %, Mid 30 %, smalls 1 % each.
	if c.Total != 100000000 || c.KeyShareBPS() != 5000 || c.KeyCount != 1 || c.Accounts != 22 {
		t.Fatalf("%+v", c)
	}
	if c.TopNShareBPS() != 8800 { // 50 + 30 + 8 × 1
		t.Fatalf("top 10 share %d", c.TopNShareBPS())
	}
	if len(c.Over) != 2 || c.Over[0].Name != "Big" || c.Over[1].ShareBPS != 3000 || c.Largest.Name != "Big" {
		t.Fatalf("over %+v", c.Over)
	}
}

// The ranking keeps up with account changes made elsewhere (the accounts
// pages): headroom, name and archiving reach it through the trigger.
func TestRankingFollowsAccounts(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := scoring.NewStore(d)
	tn := newTenant(t, d, "Own Co")
	cs := enable(t, s, tn.admin, "product_fit")
	a := account(t, d, tn.admin, "Alpha", 0, 1000, nil)
	b := account(t, d, tn.admin, "Beta", 0, 500, nil)
	score(t, s, tn.admin, a, cs, 6)
	score(t, s, tn.admin, b, cs, 6)
	names := func() []string {
		l, err := s.Shortlist(ctx, tn.leader, scoring.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range l.Rows {
			out = append(out, r.Name)
		}
		return out
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := d.Tx(ctx, tn.admin, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return err
			}
			return accounts.Recount(ctx, tx, tn.admin.TenantID)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(); !slices.Equal(got, []string{"Alpha", "Beta"}) {
		t.Fatalf("start %v", got)
	}
	exec("UPDATE accounts SET revenue_potential = 5000 WHERE id = $1", b)
	if got := names(); !slices.Equal(got, []string{"Beta", "Alpha"}) {
		t.Fatalf("after a headroom change %v", got)
	}
	exec("UPDATE accounts SET revenue_potential = 1000, name = 'Zeta' WHERE id = $1", b)
	if got := names(); !slices.Equal(got, []string{"Alpha", "Zeta"}) {
		t.Fatalf("after a rename %v", got)
	}
	exec("UPDATE accounts SET archived_at = now() WHERE id = $1", a)
	l, _ := s.Shortlist(ctx, tn.leader, scoring.Filter{})
	if l.Total != 1 || l.Rows[0].Name != "Zeta" || l.Rows[0].Rank != 1 {
		t.Fatalf("after archiving %+v", l)
	}
	all, _, _ := s.ShortlistAll(ctx, tn.leader, scoring.Filter{Sort: "name"})
	if len(all) != 1 {
		t.Fatalf("archived account in the sorted list: %+v", all)
	}
}
