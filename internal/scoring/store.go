// Package scoring holds the selection criteria and their weights, the
// scoring matrix and its history, the ranked shortlist, revenue
// concentration, and key-account reviews. The ranking math is pure
// (rank.go); the store reads and writes PostgreSQL, every change audited in
// the same transaction.
package scoring

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/audit"
	"pareto/internal/db"
	"pareto/internal/limits"
)

// Store reads and writes the scoring tables.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// Criterion is a selection criterion of a tenant.
type Criterion struct {
	ID          uuid.UUID
	Code        string // the library entry; "" for custom criteria
	Name        string
	Description string
	Rubric1     string
	Rubric5     string
	Rubric10    string
	Active      bool
	Position    int  // importance rank among the active (1 = first); 0 when inactive
	WeightBPS   *int // explicit weight, nil when never set
	// LibraryNotice says how a migration rewrote this standard criterion's
	// text to follow the method ("" when it did not, or once an admin has
	// dismissed it or edited the criterion).
	LibraryNotice string
	Version       int
	UpdatedAt     time.Time
}

// Custom reports whether the criterion is not from the library.
func (c Criterion) Custom() bool { return c.Code == "" }

// Settings are a tenant's scoring settings.
type Settings struct {
	WeightMode       WeightMode
	KeyAccountCap    int
	ConcentrationBPS int // warn above this share of total revenue per account
	TopN             int // the "top N share" of revenue concentration
	QuadrantScore10  int
	// QuadrantHeadroom is the chart's headroom line in cents; nil = median.
	QuadrantHeadroom *int64
	CriteriaVersion  int
	Version          int
	Currency         string
}

// DefaultSettings are a tenant's settings until an admin changes them.
func DefaultSettings() Settings {
	return Settings{WeightMode: ModeRank, KeyAccountCap: 50, ConcentrationBPS: 1000, TopN: 10, QuadrantScore10: 60,
		CriteriaVersion: 1, Version: 1, Currency: "EUR"}
}

// Config is everything about how a tenant scores: settings, every
// criterion (active first, in importance order) and the weights in force.
type Config struct {
	Settings Settings
	Criteria []Criterion
	Weights  []Weight
}

// Active lists the active criteria in importance order.
func (c Config) Active() []Criterion {
	var out []Criterion
	for _, x := range c.Criteria {
		if x.Active {
			out = append(out, x)
		}
	}
	return out
}

// Criterion finds a criterion by id.
func (c Config) Criterion(id uuid.UUID) (Criterion, bool) {
	for _, x := range c.Criteria {
		if x.ID == id {
			return x, true
		}
	}
	return Criterion{}, false
}

// Config reads the scope's tenant's scoring configuration. Everyone in the
// tenant may read it.
func (s *Store) Config(ctx context.Context, sc db.Scope) (Config, error) {
	return db.Read(ctx, s.DB, sc, "scoring: config", readConfig)
}

func readConfig(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Config, error) {
	st, err := readSettings(ctx, tx, tenantID)
	if err != nil {
		return Config{}, err
	}
	cs, err := readCriteria(ctx, tx, tenantID)
	if err != nil {
		return Config{}, err
	}
	return Config{Settings: st, Criteria: cs, Weights: EffectiveWeights(st.WeightMode, cs)}, nil
}

func readSettings(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	st := DefaultSettings()
	// One query: the tenant's currency and its settings row, if any.
	var mode *WeightMode
	var keyCap, bps, topN, q10, cv, v *int
	err := tx.QueryRow(ctx, `SELECT t.currency, s.weight_mode, s.key_account_cap, s.concentration_bps, s.top_n,
			s.quadrant_score10, s.quadrant_headroom, s.criteria_version, s.version
		FROM tenants t LEFT JOIN scoring_settings s ON s.tenant_id = t.id WHERE t.id = $1`, tenantID).
		Scan(&st.Currency, &mode, &keyCap, &bps, &topN, &q10, &st.QuadrantHeadroom, &cv, &v)
	if err != nil {
		return Settings{}, db.NotFound("tenant", err)
	}
	if mode != nil {
		st.WeightMode, st.KeyAccountCap, st.ConcentrationBPS, st.TopN, st.QuadrantScore10, st.CriteriaVersion, st.Version =
			*mode, *keyCap, *bps, *topN, *q10, *cv, *v
	}
	return st, nil
}

// lockSettings makes sure the tenant's settings row exists and locks it,
// so changes of criteria, weights and key designations run one at a time
// per tenant.
func lockSettings(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	if _, err := tx.Exec(ctx, "INSERT INTO scoring_settings (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING", tenantID); err != nil {
		return Settings{}, err
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM scoring_settings WHERE tenant_id = $1 FOR UPDATE", tenantID); err != nil {
		return Settings{}, err
	}
	return readSettings(ctx, tx, tenantID)
}

func readCriteria(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Criterion, error) {
	rows, _ := tx.Query(ctx, `SELECT id, coalesce(code, ''), name, description, rubric_1, rubric_5, rubric_10, active,
			coalesce(position, 0), weight_bps, library_notice, version, updated_at
		FROM scoring_criteria WHERE tenant_id = $1
		ORDER BY NOT active, position, lower(name), id`, tenantID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Criterion, error) {
		var c Criterion
		err := r.Scan(&c.ID, &c.Code, &c.Name, &c.Description, &c.Rubric1, &c.Rubric5, &c.Rubric10, &c.Active,
			&c.Position, &c.WeightBPS, &c.LibraryNotice, &c.Version, &c.UpdatedAt)
		return c, err
	})
}

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
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fe.Add("name", "Give the criterion a name.")
	case n > limits.Label:
		fe.Add("name", "Keep the name to 100 characters.")
	}
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

// criteriaChange runs fn with the settings locked and the criteria read,
// then bumps the criteria version. If fn changed the set of active
// criteria while weights are explicit, explicit weights no longer add up,
// so the mode falls back to rank-derived weights (audited); the entered
// percentages are kept for the next time.
func (s *Store) criteriaChange(ctx context.Context, sc db.Scope, what string,
	fn func(tx pgx.Tx, st Settings, cs []Criterion) error) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		st, err := lockSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
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
		return rerank(ctx, tx, sc.TenantID, wAfter, nil)
	})
	if err != nil {
		return keepFields("scoring: "+what, err)
	}
	return nil
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
func (s *Store) EnableStandard(ctx context.Context, sc db.Scope, code string) (Criterion, error) {
	e, ok := LibraryEntryByCode(code)
	if !ok {
		return Criterion{}, db.FieldErrors{"code": "Choose one of the standard criteria."}
	}
	var id uuid.UUID
	err := s.criteriaChange(ctx, sc, "enable criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
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
	if err != nil {
		return Criterion{}, err
	}
	return s.criterion(ctx, sc, id)
}

// CreateCustom adds a custom criterion as the least important active one.
// Admin-only (the caller checks). Invalid input or a duplicate name →
// db.FieldErrors.
func (s *Store) CreateCustom(ctx context.Context, sc db.Scope, in CriterionInput) (Criterion, error) {
	if fe := in.Validate(); len(fe) > 0 {
		return Criterion{}, fe
	}
	var id uuid.UUID
	err := s.criteriaChange(ctx, sc, "create criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
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
	if err != nil {
		return Criterion{}, err
	}
	return s.criterion(ctx, sc, id)
}

// UpdateCriterion changes a criterion's name, description and rubric.
// Admin-only (the caller checks). version must match (db.ErrConflict);
// invalid input → db.FieldErrors; another tenant's → db.ErrNotFound.
func (s *Store) UpdateCriterion(ctx context.Context, sc db.Scope, id uuid.UUID, in CriterionInput, version int) (Criterion, error) {
	err := s.criteriaChange(ctx, sc, "update criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
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
// re-activated. Admin-only (the caller checks).
func (s *Store) SetActive(ctx context.Context, sc db.Scope, id uuid.UUID, active bool) error {
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
	return s.criteriaChange(ctx, sc, "move criterion", func(tx pgx.Tx, _ Settings, cs []Criterion) error {
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

// WeightsInput is the weights form: a mode and, for explicit weights, the
// percentage typed for each active criterion (by criterion id).
type WeightsInput struct {
	Mode            WeightMode
	Percent         map[uuid.UUID]string
	CriteriaVersion int
}

// ParseExplicit checks the typed percentages against the active weights:
// one per active criterion, each a number above 0, summing to 100.
// Messages are keyed "weight_<criterion id>" and "weights".
func ParseExplicit(active []Weight, typed map[uuid.UUID]string) (map[uuid.UUID]int, db.FieldErrors) {
	fe := db.FieldErrors{}
	out := map[uuid.UUID]int{}
	sum := 0
	for _, w := range active {
		key := "weight_" + w.CriterionID.String()
		raw, ok := typed[w.CriterionID]
		if !ok || strings.TrimSpace(raw) == "" {
			fe.Add(key, "Enter a percentage for "+w.Name+".")
			continue
		}
		bps, ok := ParsePercent(raw)
		switch {
		case !ok:
			fe.Add(key, "Enter a number from 0 to 100, with at most two decimals.")
		case bps == 0:
			fe.Add(key, "A weight must be above 0 %; deactivate the criterion instead.")
		default:
			out[w.CriterionID] = bps
			sum += bps
		}
	}
	if len(fe) == 0 && sum != TotalBPS {
		fe.Add("weights", fmt.Sprintf("The weights add up to %s %%; they must add up to exactly 100 %%.", FormatBPS(sum)))
	}
	return out, fe
}

type weightsAudit struct {
	Mode    WeightMode        `json:"mode"`
	Weights map[string]string `json:"weights"`
}

func weightsAuditOf(mode WeightMode, ws []Weight) weightsAudit {
	m := map[string]string{}
	for _, w := range ws {
		m[w.Name] = FormatBPS(w.BPS) + " %"
	}
	return weightsAudit{Mode: mode, Weights: m}
}

// SetWeights saves how the active criteria are weighted. In rank mode the
// percentages are ignored; in explicit mode they must sum to 100
// (db.FieldErrors). A stale CriteriaVersion → db.ErrConflict. The new
// weights take effect at once for every ranking. Admin-only (the caller
// checks).
func (s *Store) SetWeights(ctx context.Context, sc db.Scope, in WeightsInput) error {
	if !in.Mode.Valid() {
		return db.FieldErrors{"mode": "Choose explicit percentages or weights derived from rank."}
	}
	return s.criteriaChange(ctx, sc, "set weights", func(tx pgx.Tx, st Settings, cs []Criterion) error {
		if st.CriteriaVersion != in.CriteriaVersion {
			return db.ErrConflict
		}
		before := EffectiveWeights(st.WeightMode, cs)
		if in.Mode == ModeExplicit {
			bps, fe := ParseExplicit(EffectiveWeights(ModeRank, cs), in.Percent)
			if len(fe) > 0 {
				return fe
			}
			for id, v := range bps {
				if _, err := tx.Exec(ctx, `UPDATE scoring_criteria SET weight_bps = $3, updated_at = now()
					WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, v); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE scoring_settings SET weight_mode = $2 WHERE tenant_id = $1", sc.TenantID, in.Mode); err != nil {
			return err
		}
		after, err := readCriteria(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "scoring_weights",
			Before: weightsAuditOf(st.WeightMode, before), After: weightsAuditOf(in.Mode, EffectiveWeights(in.Mode, after))})
	})
}

// SettingsInput is the admin's settings form.
type SettingsInput struct {
	KeyAccountCap    string
	ConcentrationPct string
	TopN             string
	QuadrantScore    string
	QuadrantHeadroom string // "" = median
	Version          int
}

type settingsAudit struct {
	KeyAccountCap    int    `json:"key_account_cap"`
	ConcentrationPct string `json:"concentration_pct"`
	TopN             int    `json:"top_n"`
	QuadrantScore    string `json:"quadrant_score"`
	QuadrantHeadroom string `json:"quadrant_headroom"`
}

func settingsAuditOf(st Settings) settingsAudit {
	a := settingsAudit{KeyAccountCap: st.KeyAccountCap, ConcentrationPct: FormatBPS(st.ConcentrationBPS), TopN: st.TopN,
		QuadrantScore: FormatScore10(st.QuadrantScore10), QuadrantHeadroom: "median"}
	if st.QuadrantHeadroom != nil {
		a.QuadrantHeadroom = FormatCents(*st.QuadrantHeadroom)
	}
	return a
}

// UpdateSettings saves the key-account cap, the concentration threshold
// and the chart's quadrant lines. Admin-only (the caller checks). Invalid
// input → db.FieldErrors; a stale version → db.ErrConflict.
func (s *Store) UpdateSettings(ctx context.Context, sc db.Scope, in SettingsInput) (Settings, error) {
	fe := db.FieldErrors{}
	cap, err := parseInt(in.KeyAccountCap)
	if err != nil || cap < 1 || cap > 10000 {
		fe.Add("key_account_cap", "Enter a whole number from 1 to 10,000.")
	}
	conc, ok := ParsePercent(in.ConcentrationPct)
	if !ok || conc < 1 {
		fe.Add("concentration_pct", "Enter a percentage above 0 and up to 100.")
	}
	topN, err := parseInt(in.TopN)
	if err != nil || topN < 1 || topN > 1000 {
		fe.Add("top_n", "Enter a whole number from 1 to 1,000.")
	}
	qs, ok := ParseScore10(in.QuadrantScore)
	if !ok {
		fe.Add("quadrant_score", "Enter a score from 1.0 to 10.0.")
	}
	var qh *int64
	if strings.TrimSpace(in.QuadrantHeadroom) != "" {
		v, ok := ParseCents(in.QuadrantHeadroom)
		if !ok {
			fe.Add("quadrant_headroom", "Enter an amount, or leave empty to use the median.")
		}
		qh = &v
	}
	if len(fe) > 0 {
		return Settings{}, fe
	}
	var out Settings
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		st, err := lockSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if st.Version != in.Version {
			return db.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE scoring_settings SET key_account_cap = $2, concentration_bps = $3, top_n = $4,
				quadrant_score10 = $5, quadrant_headroom = $6, version = version + 1, updated_at = now()
			WHERE tenant_id = $1`, sc.TenantID, cap, conc, topN, qs, qh); err != nil {
			return err
		}
		out, err = readSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "scoring_settings",
			Before: settingsAuditOf(st), After: settingsAuditOf(out)})
	})
	if err != nil {
		return Settings{}, keepFields("scoring: update settings", err)
	}
	return out, nil
}

// keepFields wraps err with context but returns FieldErrors unwrapped so
// the handler can show them beside fields.
func keepFields(what string, err error) error {
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return fmt.Errorf("%s: %w", what, err)
}

// DismissLibraryNotices clears the notices a migration left on the
// tenant's rewritten standard criteria (see LibraryNotice). Admin-only
// (the caller checks); nothing to clear is not an error.
func (s *Store) DismissLibraryNotices(ctx context.Context, sc db.Scope) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE scoring_criteria SET library_notice = ''
			WHERE tenant_id = $1 AND library_notice <> '' RETURNING name`, sc.TenantID)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(names) == 0 {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "dismiss_library_notice", Entity: "criterion",
			After: map[string]any{"criteria": names}})
	})
	if err != nil {
		return fmt.Errorf("scoring: dismiss library notices: %w", err)
	}
	return nil
}
