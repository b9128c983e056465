package scoring_test

import "slices"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/scoring"

func ids(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.MustParse("00000000-0000-0000-0000-00000000000" + string(rune('1'+i)))
	}
	return out
}

func weights(bps ...int) []scoring.Weight {
	cs := ids(len(bps))
	out := make([]scoring.Weight, len(bps))
	for i, b := range bps {
		out[i] = scoring.Weight{CriterionID: cs[i], Name: "c" + string(rune('1'+i)), Rank: i + 1, BPS: b}
	}
	return out
}

func cells(ws []scoring.Weight, vs ...int) scoring.Cells {
	out := scoring.Cells{}
	for i, v := range vs {
		if v > 0 {
			out[ws[i].CriterionID] = v
		}
	}
	return out
}

func TestROCWeights(t *testing.T) {
	tests := []struct {
		n    int
		want []int
	}{
		{0, nil},
		{1, []int{10000}},
		{2, []int{7500, 2500}},
		{3, []int{6111, 2778, 1111}},
		{4, []int{5209, 2708, 1458, 625}},
		{5, []int{4567, 2567, 1566, 900, 400}},
	}
	for _, tt := range tests {
		got := scoring.ROCWeights(tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("ROCWeights(%d) = %v, want %v", tt.n, got, tt.want)
		}
		sum := 0
		for _, w := range got {
			sum += w
		}
		if tt.n > 0 && sum != scoring.TotalBPS {
			t.Errorf("ROCWeights(%d) sums to %d", tt.n, sum)
		}
	}
	// Always summing to 100 % and strictly decreasing, for any count.
	for n := 1; n <= 12; n++ {
		w := scoring.ROCWeights(n)
		sum := 0
		for i, x := range w {
			sum += x
			if i > 0 && x >= w[i-1] {
				t.Errorf("ROCWeights(%d) not decreasing: %v", n, w)
			}
		}
		if sum != scoring.TotalBPS {
			t.Errorf("ROCWeights(%d) sums to %d", n, sum)
		}
	}
}

func TestDistribute(t *testing.T) {
	tests := []struct {
		in   []float64
		want []int
	}{
		{[]float64{1, 1, 1}, []int{3334, 3333, 3333}},
		{[]float64{50, 30, 20}, []int{5000, 3000, 2000}},
		{[]float64{2, 0, 2}, []int{5000, 0, 5000}},
		{[]float64{0, 0}, []int{0, 0}},
		{[]float64{1, 2}, []int{3333, 6667}},
	}
	for _, tt := range tests {
		if got := scoring.Distribute(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Distribute(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"45", 4500, true}, {"45.5", 4550, true}, {"45,67", 4567, true}, {" 12.5 % ", 1250, true},
		{"0", 0, true}, {"100", 10000, true},
		{"", 0, false}, {"abc", 0, false}, {"-1", 0, false}, {"100.01", 0, false}, {"1.234", 0, false}, {"NaN", 0, false},
	}
	for _, tt := range tests {
		got, ok := scoring.ParsePercent(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEffectiveWeights(t *testing.T) {
	cs := ids(4)
	w := func(v int) *int { return &v }
	criteria := []scoring.Criterion{
		{ID: cs[0], Name: "B", Active: true, Position: 2, WeightBPS: w(3000)},
		{ID: cs[1], Name: "A", Active: true, Position: 1, WeightBPS: w(7000)},
		{ID: cs[2], Name: "Off", Active: false, WeightBPS: w(5000)},
		{ID: cs[3], Name: "C", Active: true, Position: 3},
	}
	t.Run("Rank", func(t *testing.T) {
		got := scoring.EffectiveWeights(scoring.ModeRank, criteria)
		want := []scoring.Weight{{cs[1], "A", 1, 6111}, {cs[0], "B", 2, 2778}, {cs[3], "C", 3, 1111}}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if !scoring.ExplicitWeightsValid(got) {
			t.Error("ROC weights should be valid explicit weights")
		}
	})
	t.Run("Explicit", func(t *testing.T) {
		got := scoring.EffectiveWeights(scoring.ModeExplicit, criteria)
		want := []scoring.Weight{{cs[1], "A", 1, 7000}, {cs[0], "B", 2, 3000}, {cs[3], "C", 3, 0}}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if scoring.ExplicitWeightsValid(got) {
			t.Error("a zero weight is not valid")
		}
	})
}

func TestParseExplicit(t *testing.T) {
	ws := weights(5000, 3000, 2000)
	key := func(i int) string { return "weight_" + ws[i].CriterionID.String() }
	typed := func(vs ...string) map[uuid.UUID]string {
		m := map[uuid.UUID]string{}
		for i, v := range vs {
			m[ws[i].CriterionID] = v
		}
		return m
	}
	t.Run("OK", func(t *testing.T) {
		got, fe := scoring.ParseExplicit(ws, typed("33.33", "33.33", "33.34"))
		if len(fe) > 0 || got[ws[2].CriterionID] != 3334 {
			t.Fatalf("got %v %v", got, fe)
		}
	})
	t.Run("ErrSum", func(t *testing.T) {
		_, fe := scoring.ParseExplicit(ws, typed("50", "30", "30"))
		if fe["weights"] == "" {
			t.Fatalf("want a sum error, got %v", fe)
		}
	})
	t.Run("ErrZero", func(t *testing.T) {
		_, fe := scoring.ParseExplicit(ws, typed("100", "0", ""))
		if fe[key(1)] == "" || fe[key(2)] == "" {
			t.Fatalf("want errors on the zero and the missing weight, got %v", fe)
		}
	})
	t.Run("ErrNotANumber", func(t *testing.T) {
		_, fe := scoring.ParseExplicit(ws, typed("fifty", "30", "20"))
		if fe[key(0)] == "" {
			t.Fatalf("got %v", fe)
		}
	})
}

func TestComputeScore(t *testing.T) {
	ws := weights(5000, 3000, 2000)
	tests := []struct {
		name  string
		cells []int // 0 = missing
		want  scoring.Score
	}{
		{"AllTens", []int{10, 10, 10}, scoring.Score{Score10: 100, Scored: 3, Total: 3, Complete: true}},
		{"AllOnes", []int{1, 1, 1}, scoring.Score{Score10: 10, Scored: 3, Total: 3, Complete: true}},
		{"Weighted", []int{8, 5, 2}, scoring.Score{Score10: 59, Scored: 3, Total: 3, Complete: true}}, // 4+1.5+0.4
		// 0.5·7 + 0.3·8 + 0.2·6 = 7.1 exactly
		{"Exact", []int{7, 8, 6}, scoring.Score{Score10: 71, Scored: 3, Total: 3, Complete: true}},
		// Missing cells are not zeros: the mean runs over the scored cells.
		{"Incomplete", []int{8, 0, 0}, scoring.Score{Score10: 80, Scored: 1, Total: 3}},
		{"IncompleteTwo", []int{0, 9, 4}, scoring.Score{Score10: 70, Scored: 2, Total: 3}}, // (2.7+0.8)/0.5
		{"None", []int{0, 0, 0}, scoring.Score{Score10: 0, Scored: 0, Total: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scoring.ComputeScore(cells(ws, tt.cells...), ws)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("RoundsHalfUp", func(t *testing.T) {
		ws := weights(5000, 5000)
		// 0.5·7 + 0.5·8 = 7.5 → 75; with weights 2500/7500: 1.75+6 = 7.75 → 7.8
		if got := scoring.ComputeScore(cells(ws, 7, 8), ws).Score10; got != 75 {
			t.Errorf("got %d", got)
		}
		ws = weights(2500, 7500)
		if got := scoring.ComputeScore(cells(ws, 7, 8), ws).Score10; got != 78 {
			t.Errorf("got %d", got)
		}
	})
	t.Run("IgnoresInactiveCells", func(t *testing.T) {
		c := cells(ws, 5, 5, 5)
		c[uuid.New()] = 10
		if got := scoring.ComputeScore(c, ws); got.Score10 != 50 || !got.Complete {
			t.Errorf("got %+v", got)
		}
	})
}

func TestContributions(t *testing.T) {
	ws := weights(5000, 3000, 2000)
	got := scoring.Contributions(cells(ws, 8, 5, 2), ws)
	want := []int{400, 150, 40}
	for i, c := range got {
		if c.Points100 != want[i] || !c.Has {
			t.Errorf("criterion %d: got %+v, want %d", i, c, want[i])
		}
	}
	got = scoring.Contributions(cells(ws, 8, 0, 0), ws)
	if got[0].Points100 != 800 || got[1].Has || got[1].Points100 != 0 {
		t.Errorf("incomplete: got %+v", got)
	}
}

func TestRank(t *testing.T) {
	ws := weights(5000, 3000, 2000)
	acc := func(name string, headroom int64, vs ...int) scoring.Candidate {
		return scoring.Candidate{AccountID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(name)), Name: name, HeadroomCents: headroom, Cells: cells(ws, vs...)}
	}
	cands := []scoring.Candidate{
		acc("Low", 0, 2, 2, 2),
		acc("Partial high", 0, 10, 0, 10), // incomplete: after every complete account
		acc("Tie small headroom", 100, 7, 7, 7),
		acc("Tie big headroom", 900, 7, 7, 7),
		acc("beta tie", 500, 6, 6, 6),
		acc("Alpha tie", 500, 6, 6, 6), // name order is case-insensitive
		acc("Unscored", 0, 0, 0, 0),    // not ranked at all
		acc("Partial low", 0, 3, 0, 0),
		acc("Top", -50, 9, 9, 9), // negative headroom does not matter when the score leads
	}
	got := scoring.Rank(cands, ws)
	var names []string
	for i, r := range got {
		names = append(names, r.Name)
		if r.Rank != i+1 {
			t.Errorf("%s has rank %d at position %d", r.Name, r.Rank, i+1)
		}
	}
	want := []string{"Top", "Tie big headroom", "Tie small headroom", "Alpha tie", "beta tie", "Low", "Partial high", "Partial low"}
	if !slices.Equal(names, want) {
		t.Errorf("order:\n got %v\nwant %v", names, want)
	}
	t.Run("IDBreaksFullTies", func(t *testing.T) {
		a := scoring.Candidate{AccountID: uuid.MustParse("00000000-0000-0000-0000-0000000000aa"), Name: "Same", Cells: cells(ws, 5, 5, 5)}
		b := a
		b.AccountID = uuid.MustParse("00000000-0000-0000-0000-0000000000bb")
		got := scoring.Rank([]scoring.Candidate{b, a}, ws)
		if got[0].AccountID != a.AccountID {
			t.Errorf("want the lower id first")
		}
	})
}

func TestWhatIf(t *testing.T) {
	ws := weights(5000, 5000)
	a := scoring.Candidate{AccountID: uuid.New(), Name: "A", Cells: cells(ws, 10, 2)} // 6.0 now
	b := scoring.Candidate{AccountID: uuid.New(), Name: "B", Cells: cells(ws, 3, 8)}  // 5.5 now
	c := scoring.Candidate{AccountID: uuid.New(), Name: "C", Cells: cells(ws, 5, 5)}  // 5.0 now
	proposed := weights(1000, 9000)                                                   // A 2.8, B 7.5, C 5.0
	moves := scoring.WhatIf([]scoring.Candidate{a, b, c}, ws, proposed)
	type row struct {
		name           string
		old, new, diff int
		oldS, newS     int
	}
	var got []row
	for _, m := range moves {
		got = append(got, row{m.Name, m.OldRank, m.Rank, m.Delta(), m.OldScore.Score10, m.Score.Score10})
	}
	want := []row{{"B", 2, 1, 1, 55, 75}, {"C", 3, 2, 1, 50, 50}, {"A", 1, 3, -2, 60, 28}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestFormat(t *testing.T) {
	if got := scoring.FormatBPS(4567); got != "45.67" {
		t.Error(got)
	}
	if got := scoring.FormatBPS(2500); got != "25" {
		t.Error(got)
	}
	if got := scoring.FormatBPS(1250); got != "12.5" {
		t.Error(got)
	}
	if got := scoring.FormatScore10(73); got != "7.3" {
		t.Error(got)
	}
	if got := scoring.FormatScore10(100); got != "10.0" {
		t.Error(got)
	}
	if got := scoring.FormatCents(123456789); got != "1,234,568" {
		t.Error(got)
	}
	if got := scoring.FormatCents(-100000); got != "-1,000" {
		t.Error(got)
	}
	if got, ok := scoring.ParseCents("250,000.50"); !ok || got != 25000050 {
		t.Error(got, ok)
	}
}
