package scoring

import "context"
import "fmt"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

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
	_, err := s.criteriaChange(ctx, sc, "set weights", func(tx pgx.Tx, st Settings, cs []Criterion) error {
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
	return err
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
	err = s.locked(ctx, sc, func(tx pgx.Tx, st Settings) error {
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
		return Settings{}, db.Wrap("scoring: update settings", err)
	}
	return out, nil
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
