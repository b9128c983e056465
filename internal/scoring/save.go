package scoring

import "context"
import "fmt"
import "strconv"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/webhook"

// CellInput is one cell as submitted: the score as typed ("" leaves the
// cell as it is) and, when the form had the field, the evidence. Was and
// WasEvidence, when the form has them, are what the person saw when the
// page was made: they turn a stale edit into a conflict instead of a
// silent overwrite.
type CellInput struct {
	CriterionID    uuid.UUID
	Score          string
	Evidence       string
	HasEvidence    bool
	Was            string
	HasWas         bool
	WasEvidence    string
	HasWasEvidence bool
}

// ScoreConflict says cells were changed by someone else after the person
// saw them; nothing was saved. It wraps db.ErrConflict.
type ScoreConflict struct {
	Cells []ConflictCell
}

// ConflictCell is one cell: the saved value beside the one submitted.
type ConflictCell struct {
	Criterion    Criterion
	Theirs       Cell
	HadTheirs    bool
	By           string
	At           time.Time
	YourScore    string
	YourEvidence string
}

func (e *ScoreConflict) add(c Criterion, theirs Cell, had bool, by string, at time.Time, score, evidence string) {
	e.Cells = append(e.Cells, ConflictCell{Criterion: c, Theirs: theirs, HadTheirs: had, By: by, At: at,
		YourScore: score, YourEvidence: evidence})
}

func (e *ScoreConflict) Error() string {
	return fmt.Sprintf("%d cells changed by someone else", len(e.Cells))
}

func (e *ScoreConflict) Unwrap() error { return db.ErrConflict }

// WasField and WasEvidenceField name the fields that carry what the
// person saw.
func WasField(id uuid.UUID) string         { return "was_" + id.String() }
func WasEvidenceField(id uuid.UUID) string { return "was_evidence_" + id.String() }

// ScoreField and EvidenceField name a cell's form fields.
func ScoreField(id uuid.UUID) string    { return "score_" + id.String() }
func EvidenceField(id uuid.UUID) string { return "evidence_" + id.String() }

// SaveScores saves an account's cells. Admins and leaders may score any
// account, a key account manager only their own (db.ErrForbidden). An
// account of another tenant or none → db.ErrNotFound, checked before the
// permission. A score that is not a whole number from 1 to 10, evidence
// over 2,000 characters or a criterion that is not active →
// db.FieldErrors keyed by field, and nothing is saved. Every changed cell
// is kept in the history (old → new, evidence). Returns how many cells
// changed.
func (s *Store) SaveScores(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, in []CellInput) (int, error) {
	changed := 0
	now := s.Now()
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var kam *uuid.UUID
		var archived *time.Time
		var sortName string // the cells carry it for the matrix's criterion sorts
		err := tx.QueryRow(ctx, `SELECT kam_user_id, archived_at, lower(name) FROM accounts WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE`,
			sc.TenantID, accountID).Scan(&kam, &archived, &sortName)
		if err != nil {
			return db.NotFound("account", err)
		}
		if !CanScore(role, sc.UserID, kam) {
			return fmt.Errorf("%s may score only the accounts they manage: %w", role, db.ErrForbidden)
		}
		if archived != nil {
			return db.FieldErrors{"account": "This account is archived; restore it before scoring it."}
		}
		cfg, err := readConfig(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		current, err := scoredCells(ctx, tx, sc.TenantID, accountID, "system")
		if err != nil {
			return err
		}
		conflict := &ScoreConflict{}

		type write struct {
			crit     Criterion
			old      *Cell
			score    int // 0 clears the cell
			evidence string
		}
		var writes []write
		fe := db.FieldErrors{}
		for _, x := range in {
			sf, ef := ScoreField(x.CriterionID), EvidenceField(x.CriterionID)
			crit, ok := cfg.Criterion(x.CriterionID)
			if !ok || !crit.Active {
				fe.Add(sf, "This criterion is not active any more; reload the page.")
				continue
			}
			x.Evidence = strings.TrimSpace(x.Evidence)
			if utf8.RuneCountInString(x.Evidence) > limits.Paragraph {
				fe.Add(ef, "Keep the evidence to 2,000 characters.")
			}
			cur, had := current[x.CriterionID]
			old := cur.Cell
			raw := strings.TrimSpace(x.Score)
			curScore := ""
			if had {
				curScore = strconv.Itoa(old.Score)
			}
			// With what the person saw (Was), a value they did not edit is no
			// change, and a cell someone else changed meanwhile is a conflict
			// unless both now agree.
			// A scored cell the person emptied is cleared back to unscored.
			clear := x.HasWas && raw == "" && strings.TrimSpace(x.Was) != "" && had
			if x.HasWas && raw == strings.TrimSpace(x.Was) {
				raw = ""
			} else if x.HasWas && curScore != strings.TrimSpace(x.Was) && raw != curScore {
				conflict.add(crit, cur.Cell, had, cur.by, cur.at, raw, x.Evidence)
				continue
			}
			if x.HasEvidence && x.HasWasEvidence {
				was := strings.TrimSpace(x.WasEvidence)
				switch {
				case x.Evidence == was:
					x.HasEvidence = false
				case old.Evidence != was && x.Evidence != old.Evidence:
					conflict.add(crit, cur.Cell, had, cur.by, cur.at, raw, x.Evidence)
					continue
				}
			}
			var score int
			switch {
			case clear && curScore == strings.TrimSpace(x.Was):
				writes = append(writes, write{crit: crit, old: &old, score: 0, evidence: ""})
				continue
			case raw == "" && !had:
				if x.HasEvidence && x.Evidence != "" {
					fe.Add(sf, "Add a score from 1 to 10 to go with the evidence.")
				}
				continue
			case raw == "":
				score = old.Score
			default:
				v, err := strconv.Atoi(raw)
				if err != nil || v < 1 || v > 10 {
					fe.Add(sf, "Enter a whole number from 1 to 10.")
					continue
				}
				score = v
			}
			evidence := old.Evidence
			if x.HasEvidence {
				evidence = x.Evidence
			}
			if had && score == old.Score && evidence == old.Evidence {
				continue
			}
			w := write{crit: crit, score: score, evidence: evidence}
			if had {
				o := old
				w.old = &o
			}
			writes = append(writes, w)
		}
		if len(conflict.Cells) > 0 {
			return conflict
		}
		if len(fe) > 0 {
			return fe
		}
		before, after := map[string]any{}, map[string]any{}
		for _, w := range writes {
			if w.score == 0 {
				if err := clearCell(ctx, tx, sc, accountID, w.crit, *w.old, now); err != nil {
					return err
				}
				before[w.crit.Name] = map[string]any{"score": w.old.Score, "evidence": w.old.Evidence}
				after[w.crit.Name] = map[string]any{"score": nil, "evidence": ""}
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO account_scores (account_id, criterion_id, score, evidence, scored_by, scored_at, sort_name)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (tenant_id, account_id, criterion_id)
				DO UPDATE SET score = EXCLUDED.score, evidence = EXCLUDED.evidence, scored_by = EXCLUDED.scored_by,
					scored_at = EXCLUDED.scored_at, sort_name = EXCLUDED.sort_name`,
				accountID, w.crit.ID, w.score, w.evidence, db.Null(sc.UserID), now, sortName); err != nil {
				return err
			}
			var oldScore *int
			if w.old != nil {
				oldScore = &w.old.Score
				before[w.crit.Name] = map[string]any{"score": w.old.Score, "evidence": w.old.Evidence}
			}
			after[w.crit.Name] = map[string]any{"score": w.score, "evidence": w.evidence}
			if _, err := tx.Exec(ctx, `INSERT INTO score_changes (account_id, criterion_id, old_score, new_score, evidence, changed_by, changed_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, accountID, w.crit.ID, oldScore, w.score, w.evidence, db.Null(sc.UserID), now); err != nil {
				return err
			}
		}
		changed = len(writes)
		if changed == 0 {
			return nil
		}
		if err := rerank(ctx, tx, sc.TenantID, cfg.Weights, &accountID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "score", Entity: "account", EntityID: accountID.String(),
			Before: before, After: after}); err != nil {
			return err
		}
		return webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.ScoreChanged, "account", accountID, before, after))
	})
	if err != nil {
		return 0, db.Wrap("scoring: save scores", err)
	}
	return changed, nil
}
