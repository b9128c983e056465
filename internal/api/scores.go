package api

import "crypto/sha256"
import "encoding/hex"
import "errors"
import "fmt"
import "net/http"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/scoring"

// scoresJSON is an account's score, its cells over the active criteria
// (most important first) and the latest changes of its cells.
type scoresJSON struct {
	AccountID      uuid.UUID    `json:"account_id"`
	Score          *float64     `json:"score"`
	ScoredCriteria int          `json:"scored_criteria"`
	ActiveCriteria int          `json:"active_criteria"`
	Complete       bool         `json:"complete"`
	Cells          []cellJSON   `json:"cells"`
	Changes        []changeJSON `json:"changes"`
}

type cellJSON struct {
	CriterionID uuid.UUID  `json:"criterion_id"`
	Criterion   string     `json:"criterion"`
	Rank        int        `json:"rank"`
	WeightBPS   int        `json:"weight_bps"`
	Score       *int       `json:"score"`
	Evidence    string     `json:"evidence"`
	ScoredBy    string     `json:"scored_by"`
	ScoredAt    *time.Time `json:"scored_at"`
}

type changeJSON struct {
	At          time.Time `json:"at"`
	By          string    `json:"by"`
	CriterionID uuid.UUID `json:"criterion_id"`
	Criterion   string    `json:"criterion"`
	Old         *int      `json:"old_score"`
	New         int       `json:"new_score"`
	Evidence    string    `json:"evidence"`
}

// score10 is a score in tenths as a number, nil when there is none.
func score10(s scoring.Score) *float64 {
	if s.Score10 <= 0 {
		return nil
	}
	v := float64(s.Score10) / 10
	return &v
}

func scoresOut(b scoring.Breakdown) scoresJSON {
	out := scoresJSON{AccountID: b.Account.ID, Score: score10(b.Score), ScoredCriteria: b.Score.Scored, ActiveCriteria: b.Score.Total,
		Complete: b.Score.Complete, Cells: make([]cellJSON, len(b.Cells)), Changes: make([]changeJSON, len(b.Changes))}
	for i, c := range b.Cells {
		j := cellJSON{CriterionID: c.Criterion.ID, Criterion: c.Criterion.Name, Rank: c.Contribution.Weight.Rank,
			WeightBPS: c.Contribution.Weight.BPS, Evidence: c.Evidence, ScoredBy: c.ScoredBy, ScoredAt: db.NullTime(c.ScoredAt)}
		if c.Contribution.Has {
			v := c.Contribution.Score
			j.Score = &v
		}
		out.Cells[i] = j
	}
	for i, c := range b.Changes {
		out.Changes[i] = changeJSON{At: c.At, By: c.By, CriterionID: c.CriterionID, Criterion: c.CriterionName, Old: c.Old, New: c.New,
			Evidence: c.Evidence}
	}
	return out
}

// scoresETag is the entity tag of an account's cells: a digest of each
// active criterion's score and evidence, so any change of a cell (by the
// matrix, an import or this API) changes it.
func scoresETag(b scoring.Breakdown) string {
	h := sha256.New()
	for _, c := range b.Cells {
		fmt.Fprintf(h, "%s:%t:%d:%q\n", c.Criterion.ID, c.Contribution.Has, c.Contribution.Score, c.Evidence)
	}
	return `"s` + hex.EncodeToString(h.Sum(nil))[:20] + `"`
}

func writeScores(w http.ResponseWriter, status int, b scoring.Breakdown) {
	w.Header().Set("ETag", scoresETag(b))
	writeJSON(w, status, scoresOut(b))
}

func (a *API) scores(w http.ResponseWriter, r *http.Request) error {
	return resource[scoring.Breakdown]{ids: []string{"accountID"}, write: writeScores,
		get: byID(scoring.NewStore(a.db).Breakdown)}.show(w, r)
}

// cellsInput reads {"cells": [{"criterion_id", "score", "evidence"}]}
// into the matrix's cell input, each with what the caller saw (the cells
// of cur, which If-Match named), so a change made since is a conflict.
// fieldOf maps the matrix's field names back to the request's.
func cellsInput(r *http.Request, cur scoring.Breakdown) ([]scoring.CellInput, map[string]string, error) {
	var body struct {
		Cells []map[string]any `json:"cells"`
	}
	if err := readJSON(r, &body); err != nil {
		return nil, nil, err
	}
	if len(body.Cells) == 0 {
		return nil, nil, db.FieldErrors{"cells": "Send at least one cell."}
	}
	saw := map[uuid.UUID]scoring.CellDetail{}
	for _, c := range cur.Cells {
		saw[c.Criterion.ID] = c
	}
	known := func(k string) bool { return k == "criterion_id" || k == "score" || k == "evidence" }
	fe, fieldOf := db.FieldErrors{}, map[string]string{}
	seen := map[uuid.UUID]bool{}
	var in []scoring.CellInput
	for i, obj := range body.Cells {
		at := "cells[" + strconv.Itoa(i) + "]."
		vals, cfe := fields(obj, known)
		for k, msg := range cfe {
			fe.Add(at+k, msg)
		}
		id, err := uuid.Parse(vals["criterion_id"])
		if err != nil || seen[id] {
			fe.Add(at+"criterion_id", "Name an active criterion by its id, once.")
			continue
		}
		seen[id] = true
		fieldOf[scoring.ScoreField(id)], fieldOf[scoring.EvidenceField(id)] = at+"score", at+"evidence"
		x := scoring.CellInput{CriterionID: id, Score: vals["score"], HasWas: true}
		if c, ok := saw[id]; ok && c.Contribution.Has {
			x.Was = strconv.Itoa(c.Contribution.Score)
		}
		if _, ok := obj["evidence"]; ok {
			x.Evidence, x.HasEvidence = vals["evidence"], true
			x.WasEvidence, x.HasWasEvidence = saw[id].Evidence, true
		}
		in = append(in, x)
	}
	return in, fieldOf, fe.Err()
}

// scoresUpdate writes cells with the matrix's rules and history
// (scoring.SaveScores); If-Match must name the cells as read.
func (a *API) scoresUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := urlID(r, "accountID")
	if err != nil {
		return err
	}
	st := scoring.NewStore(a.db)
	cur, err := st.Breakdown(r.Context(), scope(r), id)
	if err != nil {
		return err
	}
	if !scoring.CanScore(role(r), scope(r).UserID, cur.Account.KAMUserID) {
		return fmt.Errorf("api: score %s: %w", id, db.ErrForbidden)
	}
	tag := strings.TrimPrefix(strings.TrimSpace(r.Header.Get("If-Match")), "W/")
	switch {
	case tag == "":
		return errPrecondition
	case tag != scoresETag(cur):
		return db.ErrConflict
	}
	in, fieldOf, err := cellsInput(r, cur)
	if err != nil {
		return err
	}
	if _, err := st.SaveScores(r.Context(), scope(r), role(r), id, in); err != nil {
		return renamed(err, fieldOf)
	}
	b, err := st.Breakdown(r.Context(), scope(r), id)
	if err != nil {
		return err
	}
	writeScores(w, http.StatusOK, b)
	return nil
}

// renamed gives err's field errors the request's names (names not in
// to stay).
func renamed(err error, to map[string]string) error {
	var fe db.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	out := db.FieldErrors{}
	for k, msg := range fe {
		if n, ok := to[k]; ok {
			k = n
		}
		out.Add(k, msg)
	}
	return out
}
