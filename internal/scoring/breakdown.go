package scoring

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

// AccountInfo is what the scoring pages show about an account.
type AccountInfo struct {
	ID        uuid.UUID
	Name      string
	KeyStatus string
	KAMUserID *uuid.UUID
	KAMName   string
	// Revenue is the account's one revenue (account/revenue.go), cents;
	// RevenueFromFigures false says it is annual revenue as entered.
	Revenue            int64
	RevenueFromFigures bool
	RevenuePotential   int64 // cents
	Archived           bool
	ExternalRef        string
	Industry, Region   string
}

// Headroom is revenue potential minus revenue, in cents.
func (a AccountInfo) Headroom() int64 { return a.RevenuePotential - a.Revenue }

// CellDetail is one active criterion of an account's breakdown.
type CellDetail struct {
	Criterion    Criterion
	Contribution Contribution
	Evidence     string
	ScoredBy     string
	ScoredAt     time.Time
}

// Change is one change of a cell, with the account's score after it
// (under today's weights).
type Change struct {
	At            time.Time
	By            string
	CriterionID   uuid.UUID
	CriterionName string
	Old           *int
	New           int // 0: the cell was cleared back to unscored
	Evidence      string
	ScoreAfter    Score
}

// SeriesPoint is the account's score after one save.
type SeriesPoint struct {
	At    time.Time
	Score Score
}

// KeyChange is one change of the account's key status.
type KeyChange struct {
	At         time.Time
	By         string
	Old, New   string
	Reason     string
	ReviewID   *uuid.UUID
	ReviewName string
}

// Breakdown explains one account's score.
type Breakdown struct {
	Account     AccountInfo
	Config      Config
	Score       Score
	Cells       []CellDetail // one per active criterion, in importance order
	Changes     []Change     // newest first, at most MaxChanges
	MoreChanges int          // changes beyond MaxChanges
	Series      []SeriesPoint
	KeyChanges  []KeyChange // newest first
}

// MaxChanges caps the history a breakdown lists.
const MaxChanges = 100

// Breakdown reads an account's score, the contribution of each active
// criterion, every change of its cells and its key-status history.
// Everyone in the tenant may read it; another tenant's account →
// db.ErrNotFound.
func (s *Store) Breakdown(ctx context.Context, sc db.Scope, accountID uuid.UUID) (Breakdown, error) {
	var b Breakdown
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		a, err := readAccount(ctx, tx, sc.TenantID, accountID)
		if err != nil {
			return err
		}
		b.Account = a
		if b.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		cells, err := scoredCells(ctx, tx, sc.TenantID, accountID, "")
		if err != nil {
			return err
		}
		scores := Cells{}
		for id, c := range cells {
			scores[id] = c.Score
		}
		b.Score = ComputeScore(scores, b.Config.Weights)
		for _, con := range Contributions(scores, b.Config.Weights) {
			crit, _ := b.Config.Criterion(con.Weight.CriterionID)
			c := cells[crit.ID]
			b.Cells = append(b.Cells, CellDetail{Criterion: crit, Contribution: con, Evidence: c.Evidence, ScoredBy: c.by, ScoredAt: c.at})
		}

		rows, _ := tx.Query(ctx, `SELECT c.changed_at, coalesce(u.name, 'system'), c.criterion_id, k.name, c.old_score, c.new_score, c.evidence
			FROM score_changes c JOIN scoring_criteria k ON k.tenant_id = c.tenant_id AND k.id = c.criterion_id
			LEFT JOIN users u ON u.id = c.changed_by
			WHERE c.tenant_id = $1 AND c.account_id = $2 ORDER BY c.changed_at, c.id`, sc.TenantID, accountID)
		changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Change, error) {
			var c Change
			var old *int16
			var nw *int16 // NULL: cleared
			err := r.Scan(&c.At, &c.By, &c.CriterionID, &c.CriterionName, &old, &nw, &c.Evidence)
			if old != nil {
				v := int(*old)
				c.Old = &v
			}
			if nw != nil {
				c.New = int(*nw)
			}
			return c, err
		})
		if err != nil {
			return err
		}
		b.Series = Replay(changes, b.Config.Weights)
		for i, j := 0, len(changes)-1; i < j; i, j = i+1, j-1 {
			changes[i], changes[j] = changes[j], changes[i]
		}
		if len(changes) > MaxChanges {
			b.MoreChanges = len(changes) - MaxChanges
			changes = changes[:MaxChanges]
		}
		b.Changes = changes

		rows, _ = tx.Query(ctx, `SELECT k.changed_at, coalesce(u.name, 'system'), k.old_status, k.new_status, k.reason,
				k.review_id, coalesce(r.name, '')
			FROM key_status_changes k LEFT JOIN users u ON u.id = k.changed_by
			LEFT JOIN scoring_reviews r ON r.tenant_id = k.tenant_id AND r.id = k.review_id
			WHERE k.tenant_id = $1 AND k.account_id = $2 ORDER BY k.changed_at DESC, k.id DESC`, sc.TenantID, accountID)
		b.KeyChanges, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (KeyChange, error) {
			var k KeyChange
			return k, r.Scan(&k.At, &k.By, &k.Old, &k.New, &k.Reason, &k.ReviewID, &k.ReviewName)
		})
		return err
	})
	if err != nil {
		return Breakdown{}, fmt.Errorf("scoring: breakdown: %w", err)
	}
	return b, nil
}

// Replay rebuilds an account's score over time from its cell changes
// (chronological) under weights, filling each change's ScoreAfter. Changes
// saved together (same instant) make one point.
func Replay(changes []Change, weights []Weight) []SeriesPoint {
	cells := Cells{}
	var out []SeriesPoint
	for i := range changes {
		if changes[i].New == 0 {
			delete(cells, changes[i].CriterionID)
		} else {
			cells[changes[i].CriterionID] = changes[i].New
		}
		changes[i].ScoreAfter = ComputeScore(cells, weights)
		p := SeriesPoint{At: changes[i].At, Score: changes[i].ScoreAfter}
		if n := len(out); n > 0 && out[n-1].At.Equal(p.At) {
			out[n-1] = p
		} else {
			out = append(out, p)
		}
	}
	return out
}

func readAccount(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID) (AccountInfo, error) {
	var a AccountInfo
	var archived *time.Time
	err := tx.QueryRow(ctx, `SELECT a.id, a.name, a.key_status, a.kam_user_id, coalesce(u.name, ''),
			a.revenue_cents, a.revenue_recorded IS NOT NULL, (a.revenue_potential * 100)::bigint, a.archived_at,
			coalesce(a.external_ref, ''), a.industry, a.region
		FROM accounts a LEFT JOIN users u ON u.id = a.kam_user_id
		WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id).
		Scan(&a.ID, &a.Name, &a.KeyStatus, &a.KAMUserID, &a.KAMName, &a.Revenue, &a.RevenueFromFigures, &a.RevenuePotential, &archived,
			&a.ExternalRef, &a.Industry, &a.Region)
	if err != nil {
		return AccountInfo{}, db.NotFound("account", err)
	}
	a.Archived = archived != nil
	return a, nil
}

// scoredCell is a stored cell with who scored it and when.
type scoredCell struct {
	Cell
	by string
	at time.Time
}

// scoredCells reads accountID's stored cells by criterion; nobody names
// the scorer no user row stands for (a system write).
func scoredCells(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID, nobody string) (map[uuid.UUID]scoredCell, error) {
	cells := map[uuid.UUID]scoredCell{}
	rows, _ := tx.Query(ctx, `SELECT s.criterion_id, s.score, s.evidence, coalesce(u.name, $3), s.scored_at
		FROM account_scores s LEFT JOIN users u ON u.id = s.scored_by
		WHERE s.tenant_id = $1 AND s.account_id = $2`, tenantID, accountID, nobody)
	var crit uuid.UUID
	var c scoredCell
	_, err := pgx.ForEachRow(rows, []any{&crit, &c.Score, &c.Evidence, &c.by, &c.at}, func() error {
		cells[crit] = c
		return nil
	})
	return cells, err
}
