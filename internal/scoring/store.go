// Package scoring holds the selection criteria and their weights, the
// scoring matrix and its history, the ranked shortlist, revenue
// concentration, and key-account reviews. The ranking math is pure
// (rank.go); the store reads and writes PostgreSQL, every change audited in
// the same transaction.
package scoring

import "context"
import "slices"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

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
	var r db.Reads
	q := queueConfig(&r, tenantID)
	if err := r.Send(ctx, tx); err != nil {
		return Config{}, err
	}
	return *q, nil
}

// configPart names the scoring configuration for db.Kept.
const configPart = "scoring.config"

// queueConfig is readConfig queued in r: the Config is filled when r is
// sent, by the time the scan of any read queued after it runs.
func queueConfig(r *db.Reads, tenantID uuid.UUID) *Config {
	cfg := new(Config)
	st := queueSettings(r, tenantID)
	r.Query(func(rows pgx.Rows) error {
		cs, err := collectCriteria(rows)
		*cfg = Config{Settings: *st, Criteria: slices.Clip(cs), Weights: slices.Clip(EffectiveWeights(st.WeightMode, cs))}
		return err
	}, criteriaSQL, tenantID)
	return cfg
}

func readSettings(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
	return db.ReadNow(ctx, tx, func(r *db.Reads) *Settings { return queueSettings(r, tenantID) })
}

// queueSettings reads the tenant's currency and its settings row, if any,
// in one query (filled when r is sent).
func queueSettings(r *db.Reads, tenantID uuid.UUID) *Settings {
	st := DefaultSettings()
	r.One(func(row pgx.Row) error {
		var mode *WeightMode
		var keyCap, bps, topN, q10, cv, v *int
		err := row.Scan(&st.Currency, &mode, &keyCap, &bps, &topN, &q10, &st.QuadrantHeadroom, &cv, &v)
		if err != nil {
			return db.NotFound("tenant", err)
		}
		if mode != nil {
			st.WeightMode, st.KeyAccountCap, st.ConcentrationBPS, st.TopN, st.QuadrantScore10, st.CriteriaVersion, st.Version =
				*mode, *keyCap, *bps, *topN, *q10, *cv, *v
		}
		return nil
	}, `SELECT t.currency, s.weight_mode, s.key_account_cap, s.concentration_bps, s.top_n,
			s.quadrant_score10, s.quadrant_headroom, s.criteria_version, s.version
		FROM tenants t LEFT JOIN scoring_settings s ON s.tenant_id = t.id WHERE t.id = $1`, tenantID)
	return &st
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

// locked runs fn in one transaction with the tenant's settings locked
// (lockSettings).
func (s *Store) locked(ctx context.Context, sc db.Scope, fn func(tx pgx.Tx, st Settings) error) error {
	return s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		st, err := lockSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		return fn(tx, st)
	})
}

func readCriteria(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Criterion, error) {
	return db.ReadNow(ctx, tx, func(r *db.Reads) *[]Criterion { return queueCriteria(r, tenantID) })
}

// queueCriteria is readCriteria queued in r (filled when r is sent).
func queueCriteria(r *db.Reads, tenantID uuid.UUID) *[]Criterion {
	out := new([]Criterion)
	r.Query(func(rows pgx.Rows) (err error) {
		*out, err = collectCriteria(rows)
		return err
	}, criteriaSQL, tenantID)
	return out
}

const criteriaSQL = `SELECT id, coalesce(code, ''), name, description, rubric_1, rubric_5, rubric_10, active,
			coalesce(position, 0), weight_bps, library_notice, version, updated_at
		FROM scoring_criteria WHERE tenant_id = $1
		ORDER BY NOT active, position, lower(name), id`

func collectCriteria(rows pgx.Rows) ([]Criterion, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Criterion, error) {
		var c Criterion
		err := r.Scan(&c.ID, &c.Code, &c.Name, &c.Description, &c.Rubric1, &c.Rubric5, &c.Rubric10, &c.Active,
			&c.Position, &c.WeightBPS, &c.LibraryNotice, &c.Version, &c.UpdatedAt)
		return c, err
	})
}
