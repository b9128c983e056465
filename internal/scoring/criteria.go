package scoring

import "context"
import "fmt"
import "slices"
import "strings"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/limits"

// CriterionInput is a criterion's editable text.
type CriterionInput struct {
	Name        string
	Description string
	Rubric1     string
	Rubric5     string
	Rubric10    string
}

// Validate trims in and reports what is wrong, keyed by form field.
func (in *CriterionInput) Validate() db.FieldErrors {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Rubric1, in.Rubric5, in.Rubric10 = strings.TrimSpace(in.Rubric1), strings.TrimSpace(in.Rubric5), strings.TrimSpace(in.Rubric10)
	fe := db.FieldErrors{}
	fe.Text("name", in.Name, limits.Label, "Give the criterion a name.", "Keep the name to 100 characters.")
	if utf8.RuneCountInString(in.Description) > limits.Sentence {
		fe.Add("description", "Keep the description to 1,000 characters.")
	}
	for field, v := range map[string]string{"rubric_1": in.Rubric1, "rubric_5": in.Rubric5, "rubric_10": in.Rubric10} {
		if utf8.RuneCountInString(v) > limits.Line {
			fe.Add(field, "Keep each rubric line to 500 characters.")
		}
	}
	return fe
}

type criterionAudit struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Rubric1     string `json:"rubric_1"`
	Rubric5     string `json:"rubric_5"`
	Rubric10    string `json:"rubric_10"`
	Active      bool   `json:"active"`
	Position    int    `json:"position,omitempty"`
}

func auditOf(c Criterion) criterionAudit {
	return criterionAudit{Name: c.Name, Description: c.Description, Rubric1: c.Rubric1, Rubric5: c.Rubric5,
		Rubric10: c.Rubric10, Active: c.Active, Position: c.Position}
}

// Coverage is what a change of the active criteria did to the accounts'
// completeness, read from the kept tallies (account.Tally, one row per
// tenant) before and after the change in the same transaction: no count
// over the accounts.
type Coverage struct {
	WasComplete int // active accounts with a complete score before
	Complete    int // … after
	Incomplete  int // active accounts with some score cells, not all, after
}

// BecameIncomplete is the accounts complete before the change and not
// after: adding an active criterion nobody has scored makes every
// complete account incomplete.
func (c Coverage) BecameIncomplete() int { return max(c.WasComplete-c.Complete, 0) }

// Added is a criterion just made active and what that did to coverage.
type Added struct {
	Criterion
	Coverage Coverage
}

// criteriaChange runs fn with the settings locked and the criteria read,
// then bumps the criteria version. If fn changed the set of active
// criteria while weights are explicit, explicit weights no longer add up,
// so the mode falls back to rank-derived weights (audited); the entered
// percentages are kept for the next time.
func (s *Store) criteriaChange(ctx context.Context, sc db.Scope, what string,
	fn func(tx pgx.Tx, st Settings, cs []Criterion) error) (Coverage, error) {
	var cov Coverage
	err := s.locked(ctx, sc, func(tx pgx.Tx, st Settings) error {
		before, err := account.Tallies(ctx, tx, sc.TenantID, account.DimAll)
		if err != nil {
			return err
		}
		cov.WasComplete = before[account.DimAll][""].Complete
		// The tally is current when nothing is reranked.
		cov.Complete, cov.Incomplete = cov.WasComplete, before[account.DimAll][""].Incomplete()
		cs, err := readCriteria(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if err := fn(tx, st, cs); err != nil {
			return err
		}
		after, err := readCriteria(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if st.WeightMode == ModeExplicit && !slices.Equal(activeIDs(cs), activeIDs(after)) &&
			!ExplicitWeightsValid(EffectiveWeights(ModeExplicit, after)) {
			if _, err := tx.Exec(ctx, "UPDATE scoring_settings SET weight_mode = 'rank' WHERE tenant_id = $1", sc.TenantID); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "weight_mode", Entity: "scoring_weights",
				Before: map[string]string{"mode": string(ModeExplicit)},
				After:  map[string]string{"mode": string(ModeRank), "why": "the active criteria changed"}}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE scoring_settings SET criteria_version = criteria_version + 1, updated_at = now()
			WHERE tenant_id = $1`, sc.TenantID); err != nil {
			return err
		}
		// New weights take effect at once for every ranking.
		stAfter, err := readSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		wAfter := EffectiveWeights(stAfter.WeightMode, after)
		if slices.Equal(EffectiveWeights(st.WeightMode, cs), wAfter) {
			return nil
		}
		if err := rerank(ctx, tx, sc.TenantID, wAfter, nil); err != nil {
			return err
		}
		now, err := account.Tallies(ctx, tx, sc.TenantID, account.DimAll)
		if err != nil {
			return err
		}
		cov.Complete, cov.Incomplete = now[account.DimAll][""].Complete, now[account.DimAll][""].Incomplete()
		return nil
	})
	if err != nil {
		return Coverage{}, db.Wrap("scoring: "+what, err)
	}
	return cov, nil
}

// activeIDs lists the ids of the active criteria as a set (sorted).
func activeIDs(cs []Criterion) []uuid.UUID {
	var out []uuid.UUID
	for _, c := range cs {
		if c.Active {
			out = append(out, c.ID)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func nextPosition(cs []Criterion) int {
	n := 0
	for _, c := range cs {
		if c.Active {
			n = max(n, c.Position)
		}
	}
	return n + 1
}

// EnableStandard adds the library criterion code as the least important
// active criterion, or re-activates it if the tenant has it already.
// Admin-only (the caller checks). Unknown codes → db.FieldErrors.
func (s *Store) EnableStandard(ctx context.Context, sc db.Scope, code string) (Added, error) {
	e, ok := LibraryEntryByCode(code)
	if !ok {
		return Added{}, db.FieldErrors{"code": "Choose one of the standard criteria."}
	}
	var id uuid.UUID
	cov, err := s.criteriaChange(ctx, sc, "enable criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
		for _, c := range cs {
			if c.Code == code {
				id = c.ID
				if c.Active {
					return nil
				}
				return setActive(ctx, tx, sc, c, true, nextPosition(cs))
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO scoring_criteria (code, name, description, rubric_1, rubric_5, rubric_10, active, position)
			VALUES ($1, $2, $3, $4, $5, $6, true, $7) RETURNING id`,
			e.Code, e.Name, e.Description, e.Rubric1, e.Rubric5, e.Rubric10, nextPosition(cs)).Scan(&id)
		if db.IsUniqueViolation(err, "scoring_criteria_name_key") {
			return db.FieldErrors{"code": "A custom criterion is already called " + e.Name + "; rename it first."}
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "criterion", EntityID: id.String(),
			After: criterionAudit{Name: e.Name, Description: e.Description, Rubric1: e.Rubric1, Rubric5: e.Rubric5,
				Rubric10: e.Rubric10, Active: true, Position: nextPosition(cs)}})
	})
	return s.added(ctx, sc, id, cov, err)
}

// added reads the criterion id just made active, with cov.
func (s *Store) added(ctx context.Context, sc db.Scope, id uuid.UUID, cov Coverage, err error) (Added, error) {
	if err != nil {
		return Added{}, err
	}
	c, err := s.criterion(ctx, sc, id)
	return Added{Criterion: c, Coverage: cov}, err
}

// CreateCustom adds a custom criterion as the least important active one.
// Admin-only (the caller checks). Invalid input or a duplicate name →
// db.FieldErrors.
func (s *Store) CreateCustom(ctx context.Context, sc db.Scope, in CriterionInput) (Added, error) {
	if fe := in.Validate(); len(fe) > 0 {
		return Added{}, fe
	}
	var id uuid.UUID
	cov, err := s.criteriaChange(ctx, sc, "create criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
		pos := nextPosition(cs)
		err := tx.QueryRow(ctx, `INSERT INTO scoring_criteria (name, description, rubric_1, rubric_5, rubric_10, active, position)
			VALUES ($1, $2, $3, $4, $5, true, $6) RETURNING id`,
			in.Name, in.Description, in.Rubric1, in.Rubric5, in.Rubric10, pos).Scan(&id)
		if db.IsUniqueViolation(err, "scoring_criteria_name_key") {
			return db.FieldErrors{"name": "There is a criterion with this name already."}
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "criterion", EntityID: id.String(),
			After: criterionAudit{Name: in.Name, Description: in.Description, Rubric1: in.Rubric1, Rubric5: in.Rubric5,
				Rubric10: in.Rubric10, Active: true, Position: pos}})
	})
	return s.added(ctx, sc, id, cov, err)
}

// UpdateCriterion changes a criterion's name, description and rubric.
// Admin-only (the caller checks). version must match (db.ErrConflict);
// invalid input → db.FieldErrors; another tenant's → db.ErrNotFound.
func (s *Store) UpdateCriterion(ctx context.Context, sc db.Scope, id uuid.UUID, in CriterionInput, version int) (Criterion, error) {
	_, err := s.criteriaChange(ctx, sc, "update criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
		c, err := findCriterion(cs, id)
		if err != nil {
			return err
		}
		if fe := in.Validate(); len(fe) > 0 {
			return fe
		}
		if c.Version != version {
			return db.ErrConflict
		}
		_, err = tx.Exec(ctx, `UPDATE scoring_criteria SET name = $3, description = $4, rubric_1 = $5, rubric_5 = $6,
				rubric_10 = $7, library_notice = '', version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, in.Name, in.Description, in.Rubric1, in.Rubric5, in.Rubric10)
		if db.IsUniqueViolation(err, "scoring_criteria_name_key") {
			return db.FieldErrors{"name": "There is a criterion with this name already."}
		}
		if err != nil {
			return err
		}
		after := c
		after.Name, after.Description, after.Rubric1, after.Rubric5, after.Rubric10 = in.Name, in.Description, in.Rubric1, in.Rubric5, in.Rubric10
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "criterion", EntityID: id.String(),
			Before: auditOf(c), After: auditOf(after)})
	})
	if err != nil {
		return Criterion{}, err
	}
	return s.criterion(ctx, sc, id)
}

// SetActive activates (as the least important) or deactivates a criterion.
// Scores of a deactivated criterion are kept and count again when it is
// re-activated. Admin-only (the caller checks). The coverage says what
// the change did to the accounts' completeness.
func (s *Store) SetActive(ctx context.Context, sc db.Scope, id uuid.UUID, active bool) (Coverage, error) {
	return s.criteriaChange(ctx, sc, "activate criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
		c, err := findCriterion(cs, id)
		if err != nil {
			return err
		}
		if c.Active == active {
			return nil
		}
		return setActive(ctx, tx, sc, c, active, nextPosition(cs))
	})
}

func setActive(ctx context.Context, tx pgx.Tx, sc db.Scope, c Criterion, active bool, pos int) error {
	if active {
		if _, err := tx.Exec(ctx, `UPDATE scoring_criteria SET active = true, position = $3, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, c.ID, pos); err != nil {
			return err
		}
	} else {
		if _, err := tx.Exec(ctx, `UPDATE scoring_criteria SET active = false, position = NULL, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, c.ID); err != nil {
			return err
		}
		// Close the gap so positions stay 1..n.
		if _, err := tx.Exec(ctx, `UPDATE scoring_criteria SET position = position - 1
			WHERE tenant_id = $1 AND active AND position > $2`, sc.TenantID, c.Position); err != nil {
			return err
		}
	}
	action := map[bool]string{true: "activate", false: "deactivate"}[active]
	return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: action, Entity: "criterion", EntityID: c.ID.String(),
		Before: map[string]any{"name": c.Name, "active": c.Active, "position": c.Position},
		After:  map[string]any{"name": c.Name, "active": active, "position": map[bool]int{true: pos, false: 0}[active]}})
}

// MoveCriterion moves an active criterion one place up (more important,
// by < 0) or down (by > 0) in the importance order. Moving past either end
// does nothing. Admin-only (the caller checks).
func (s *Store) MoveCriterion(ctx context.Context, sc db.Scope, id uuid.UUID, by int) error {
	_, err := s.criteriaChange(ctx, sc, "move criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
		c, err := findCriterion(cs, id)
		if err != nil {
			return err
		}
		if !c.Active {
			return db.FieldErrors{"position": "Only active criteria have an order; activate it first."}
		}
		target := c.Position - 1
		if by > 0 {
			target = c.Position + 1
		}
		var other *Criterion
		for i := range cs {
			if cs[i].Active && cs[i].Position == target {
				other = &cs[i]
			}
		}
		if other == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE scoring_criteria SET position = CASE WHEN id = $2 THEN $4::int ELSE $5::int END,
				version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id IN ($2, $3)`, sc.TenantID, c.ID, other.ID, target, c.Position); err != nil {
			return err
		}
		before := EffectiveWeights(ModeRank, cs)
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "reorder", Entity: "criterion", EntityID: c.ID.String(),
			Before: map[string]any{"name": c.Name, "position": c.Position, "order": names(before)},
			After:  map[string]any{"name": c.Name, "position": target}})
	})
	return err
}

func names(ws []Weight) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Name
	}
	return out
}

func findCriterion(cs []Criterion, id uuid.UUID) (Criterion, error) {
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return Criterion{}, fmt.Errorf("criterion: %w", db.ErrNotFound)
}

func (s *Store) criterion(ctx context.Context, sc db.Scope, id uuid.UUID) (Criterion, error) {
	c, err := s.Config(ctx, sc)
	if err != nil {
		return Criterion{}, err
	}
	x, ok := c.Criterion(id)
	if !ok {
		return Criterion{}, fmt.Errorf("scoring: criterion: %w", db.ErrNotFound)
	}
	return x, nil
}
