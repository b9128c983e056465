package scoring

// The scoring math, pure: weights (explicit or rank-order centroid), the
// weighted mean of an account's cells, the ranking order and the what-if
// comparison. The SQL of the shortlist computes exactly the same numbers
// (integer arithmetic throughout, so Go and PostgreSQL never disagree on a
// rounding); the tests hold both to it.

import "bytes"
import "fmt"
import "math"
import "slices"
import "strconv"
import "strings"

import "github.com/google/uuid"

import "pareto/internal/numfmt"

// WeightMode says how the active criteria are weighted.
//
//	ModeExplicit "explicit" "Explicit percentages"                    // the admin sets a percentage per criterion, summing to 100
//	ModeRank     "rank"     "Derived from rank (rank-order centroid)" // weights follow from the importance order (rank-order centroid)
//
//enumgen:values
type WeightMode string

// TotalBPS is 100 % in basis points. Weights are whole basis points so
// every sum and every rounding is exact.
const TotalBPS = 10000

// Weight is one active criterion's weight.
type Weight struct {
	CriterionID uuid.UUID `json:"criterion_id"`
	Name        string    `json:"name"`
	Rank        int       `json:"rank"`       // 1 = most important
	BPS         int       `json:"weight_bps"` // basis points; all weights sum to TotalBPS
}

// Percent shows the weight as a percentage, e.g. "45.67".
func (w Weight) Percent() string { return FormatBPS(w.BPS) }

// FormatBPS shows basis points as a percentage without trailing zeros:
// 4567 → "45.67", 2500 → "25", 1250 → "12.5".
func FormatBPS(bps int) string { return numfmt.EN.Percent(int64(bps)) }

// ParsePercent reads a percentage typed by a person ("45", "45.5",
// "45,67") into basis points. It refuses anything that is not a number
// from 0 to 100 with at most two decimals.
func ParsePercent(s string) (int, bool) {
	v, err := numfmt.EN.ParsePercent(s)
	if err != nil || v < 0 || v > 10000 {
		return 0, false
	}
	return int(v), true
}

// ROCWeights returns the rank-order centroid weights of n ranked criteria
// in basis points: w_i = (1/n) Σ_{k=i..n} 1/k, rounded by largest
// remainder so they sum to exactly TotalBPS (ties go to the higher rank).
func ROCWeights(n int) []int {
	if n <= 0 {
		return nil
	}
	raw := make([]float64, n)
	for i := range n {
		var s float64
		for k := i + 1; k <= n; k++ {
			s += 1 / float64(k)
		}
		raw[i] = s / float64(n)
	}
	return Distribute(raw)
}

// Distribute scales non-negative shares to basis points summing exactly to
// TotalBPS by the largest-remainder method (ties go to the earlier share).
// All-zero shares yield all-zero weights.
func Distribute(shares []float64) []int {
	var total float64
	for _, s := range shares {
		total += max(s, 0)
	}
	out := make([]int, len(shares))
	if total <= 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(shares))
	sum := 0
	for i, s := range shares {
		exact := max(s, 0) / total * TotalBPS
		out[i] = int(math.Floor(exact))
		sum += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.r > b.r+1e-12:
			return -1
		case b.r > a.r+1e-12:
			return 1
		}
		return a.i - b.i
	})
	for k := 0; sum < TotalBPS; k++ {
		out[rems[k%len(rems)].i]++
		sum++
	}
	return out
}

// EffectiveWeights are the weights the ranking uses now: the active
// criteria in importance order, weighted explicitly (their WeightBPS) or by
// rank-order centroid.
func EffectiveWeights(mode WeightMode, criteria []Criterion) []Weight {
	var active []Criterion
	for _, c := range criteria {
		if c.Active {
			active = append(active, c)
		}
	}
	slices.SortStableFunc(active, func(a, b Criterion) int { return a.Position - b.Position })
	roc := ROCWeights(len(active))
	out := make([]Weight, len(active))
	for i, c := range active {
		w := Weight{CriterionID: c.ID, Name: c.Name, Rank: i + 1, BPS: roc[i]}
		if mode == ModeExplicit {
			w.BPS = 0
			if c.WeightBPS != nil {
				w.BPS = *c.WeightBPS
			}
		}
		out[i] = w
	}
	return out
}

// ExplicitWeightsValid reports whether explicit weights can be used as
// they are: every active criterion above zero and a total of 100 %.
func ExplicitWeightsValid(ws []Weight) bool {
	sum := 0
	for _, w := range ws {
		if w.BPS <= 0 {
			return false
		}
		sum += w.BPS
	}
	return len(ws) == 0 || sum == TotalBPS
}

// Score is an account's weighted mean over the active criteria.
type Score struct {
	// Score10 is the score in tenths (73 = 7.3), rounded half up; over the
	// scored cells only when the account is incomplete. 0 = no score.
	Score10  int
	Scored   int // active criteria with a cell
	Total    int // active criteria
	Complete bool
}

// String shows the score with one decimal, or "–" without one.
func (s Score) String() string { return FormatScore10(s.Score10) }

// Coverage is e.g. "4/5".
func (s Score) Coverage() string { return strconv.Itoa(s.Scored) + "/" + strconv.Itoa(s.Total) }

// FormatScore10 shows a score in tenths: 73 → "7.3"; 0 → "–".
func FormatScore10(s10 int) string {
	if s10 <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d.%d", s10/10, s10%10)
}

// Cells are one account's scores by criterion (1–10).
type Cells map[uuid.UUID]int

// ComputeScore is the weighted mean of cells over weights. A missing cell
// is never read as zero: the mean runs over the scored cells and the
// account is marked incomplete.
func ComputeScore(cells Cells, weights []Weight) Score {
	var num, den int64
	sc := Score{Total: len(weights)}
	for _, w := range weights {
		v, ok := cells[w.CriterionID]
		if !ok {
			continue
		}
		sc.Scored++
		num += int64(w.BPS) * int64(v)
		den += int64(w.BPS)
	}
	sc.Complete = sc.Total > 0 && sc.Scored == sc.Total
	if den > 0 {
		// round(10·num/den) half up, in integers (as the SQL does).
		sc.Score10 = int((20*num + den) / (2 * den))
	}
	return sc
}

// Contribution is what one criterion adds to an account's score: its
// weighted share, in hundredths of a point (so the contributions of a
// complete account add up to its score).
type Contribution struct {
	Weight    Weight
	Score     int  // the cell, 0 when missing
	Has       bool // whether the cell exists
	Points100 int  // contribution in hundredths of a point
}

// Contributions splits an account's score by criterion.
func Contributions(cells Cells, weights []Weight) []Contribution {
	var den int64
	for _, w := range weights {
		if _, ok := cells[w.CriterionID]; ok {
			den += int64(w.BPS)
		}
	}
	out := make([]Contribution, len(weights))
	for i, w := range weights {
		v, ok := cells[w.CriterionID]
		c := Contribution{Weight: w, Score: v, Has: ok}
		if ok && den > 0 {
			c.Points100 = int((int64(w.BPS)*int64(v)*100*2 + den) / (2 * den))
		}
		out[i] = c
	}
	return out
}

// Candidate is an account as the ranking sees it.
type Candidate struct {
	AccountID     uuid.UUID
	Name          string
	HeadroomCents int64
	Cells         Cells
}

// Ranked is a candidate with its score and rank (1-based).
type Ranked struct {
	Candidate
	Score Score
	Rank  int
}

// Before reports whether a ranks above b: complete before incomplete, then
// score, then growth headroom (higher first), then name, then id.
func Before(a, b Ranked) bool { return compareRanked(a, b) < 0 }

func compareRanked(a, b Ranked) int {
	if a.Score.Complete != b.Score.Complete {
		if a.Score.Complete {
			return -1
		}
		return 1
	}
	if a.Score.Score10 != b.Score.Score10 {
		if a.Score.Score10 > b.Score.Score10 {
			return -1
		}
		return 1
	}
	if a.HeadroomCents != b.HeadroomCents {
		if a.HeadroomCents > b.HeadroomCents {
			return -1
		}
		return 1
	}
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return bytes.Compare(a.AccountID[:], b.AccountID[:])
}

// Rank scores every candidate with at least one cell among the weights and
// orders them; candidates without any such cell are left out (they are
// not scored yet).
func Rank(cands []Candidate, weights []Weight) []Ranked {
	out := make([]Ranked, 0, len(cands))
	for _, c := range cands {
		s := ComputeScore(c.Cells, weights)
		if s.Scored == 0 {
			continue
		}
		out = append(out, Ranked{Candidate: c, Score: s})
	}
	slices.SortFunc(out, compareRanked)
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// Move is one account in a what-if: where it stands now and where it
// would stand with the proposed weights.
type Move struct {
	Ranked       // under the proposed weights
	OldRank  int // 0 when not ranked now
	OldScore Score
}

// Delta is how many places the account climbs (positive) or falls.
func (m Move) Delta() int {
	if m.OldRank == 0 {
		return 0
	}
	return m.OldRank - m.Rank
}

// WhatIf ranks cands under the current and the proposed weights and
// returns the proposed ranking with each account's current rank.
func WhatIf(cands []Candidate, current, proposed []Weight) []Move {
	now := Rank(cands, current)
	old := make(map[uuid.UUID]Ranked, len(now))
	for _, r := range now {
		old[r.AccountID] = r
	}
	next := Rank(cands, proposed)
	out := make([]Move, len(next))
	for i, r := range next {
		m := Move{Ranked: r}
		if o, ok := old[r.AccountID]; ok {
			m.OldRank, m.OldScore = o.Rank, o.Score
		}
		out[i] = m
	}
	return out
}
