package assignment

import "testing"

import "github.com/google/uuid"

func kamID(n byte) uuid.UUID { return uuid.UUID{15: n} }

func TestSuggest(t *testing.T) {
	emea := Need{AccountID: uuid.New(), Name: "Bosch", Region: "EMEA", Industry: "Manufacturing"}

	t.Run("ReasonNamesMatchesAndSlots", func(t *testing.T) {
		kams := []Candidate{
			{UserID: kamID(1), Name: "Ann", Capacity: 8, Load: 3, Regions: []string{"EMEA"}, Industries: []string{"Manufacturing"}},
			{UserID: kamID(2), Name: "Bob", Capacity: 8, Load: 0},
		}
		s := Suggest(emea, kams)
		if s.KAMUserID != kamID(1) {
			t.Fatalf("suggested %s, want Ann", s.KAMName)
		}
		if want := "Region EMEA and industry Manufacturing match; 3 of 8 slots used"; s.Reason != want {
			t.Fatalf("reason %q, want %q", s.Reason, want)
		}
	})
	t.Run("RegionOutweighsIndustry", func(t *testing.T) {
		kams := []Candidate{
			{UserID: kamID(1), Name: "Ann", Capacity: 8, Load: 0, Industries: []string{"manufacturing"}},
			{UserID: kamID(2), Name: "Bob", Capacity: 8, Load: 5, Regions: []string{" emea "}},
		}
		s := Suggest(emea, kams)
		if s.KAMName != "Bob" || s.Reason != "Region EMEA matches; 5 of 8 slots used" {
			t.Fatalf("got %s: %q", s.KAMName, s.Reason)
		}
		r := Rank(emea, kams)
		if r[1].Reason != "Industry Manufacturing matches; 0 of 8 slots used" || r[1].Points != IndustryPoints {
			t.Fatalf("runner-up: %+v", r[1])
		}
	})
	t.Run("FullKAMNeverSuggested", func(t *testing.T) {
		kams := []Candidate{
			{UserID: kamID(1), Name: "Ann", Capacity: 3, Load: 3, Regions: []string{"EMEA"}, Industries: []string{"Manufacturing"}},
			{UserID: kamID(2), Name: "Bob", Capacity: 8, Load: 7},
		}
		s := Suggest(emea, kams)
		if s.KAMName != "Bob" || s.Reason != "No region or industry match; 7 of 8 slots used" {
			t.Fatalf("got %s: %q", s.KAMName, s.Reason)
		}
		r := Rank(emea, kams)
		if r[1].HasRoom || r[1].Reason != "Region EMEA and industry Manufacturing match; 3 of 3 slots used (no free slot)" {
			t.Fatalf("full KAM ranked %+v", r[1])
		}
	})
	t.Run("NobodyHasCapacity", func(t *testing.T) {
		kams := []Candidate{{UserID: kamID(1), Name: "Ann", Capacity: 2, Load: 2}, {UserID: kamID(2), Name: "Bob", Capacity: 1, Load: 4}}
		s := Suggest(emea, kams)
		if s.OK() || s.Reason != ReasonNoCapacity {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("NoKAMs", func(t *testing.T) {
		if s := Suggest(emea, nil); s.OK() || s.Reason != ReasonNoKAMs {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("LowerLoadShareWinsOnEqualPoints", func(t *testing.T) {
		kams := []Candidate{
			{UserID: kamID(1), Name: "Ann", Capacity: 4, Load: 2},  // 50%
			{UserID: kamID(2), Name: "Bob", Capacity: 10, Load: 4}, // 40%
		}
		if s := Suggest(emea, kams); s.KAMName != "Bob" {
			t.Fatalf("got %s, want Bob (lower share used)", s.KAMName)
		}
	})
	t.Run("TieBreakByNameRegardlessOfOrder", func(t *testing.T) {
		a := Candidate{UserID: kamID(9), Name: "anna", Capacity: 8, Load: 1}
		b := Candidate{UserID: kamID(1), Name: "Bert", Capacity: 8, Load: 1}
		for _, kams := range [][]Candidate{{a, b}, {b, a}} {
			if s := Suggest(emea, kams); s.KAMName != "anna" {
				t.Fatalf("got %s, want anna", s.KAMName)
			}
		}
	})
	t.Run("EmptyRegionNeverMatches", func(t *testing.T) {
		n := Need{Name: "X"}
		r := Rank(n, []Candidate{{UserID: kamID(1), Name: "Ann", Capacity: 8, Regions: []string{""}}})
		if r[0].RegionMatch || r[0].Points != 0 {
			t.Fatalf("empty region matched: %+v", r[0])
		}
	})
}

func TestPlanBatch(t *testing.T) {
	t.Run("DoesNotOverfillOneKAM", func(t *testing.T) {
		kams := []Candidate{
			{UserID: kamID(1), Name: "Ann", Capacity: 3, Load: 1, Regions: []string{"EMEA"}},
			{UserID: kamID(2), Name: "Bob", Capacity: 5, Load: 0, Regions: []string{"Americas"}},
		}
		var needs []Need
		for i := range 4 {
			needs = append(needs, Need{AccountID: uuid.New(), Name: string(rune('A' + i)), Region: "EMEA", Revenue: float64(100 - i)})
		}
		plan := PlanBatch(needs, kams)
		got := map[string]int{}
		for _, s := range plan {
			got[s.KAMName]++
		}
		if got["Ann"] != 2 || got["Bob"] != 2 {
			t.Fatalf("plan %v, want Ann 2 (to capacity) and Bob 2", got)
		}
		// Highest revenue first: A and B go to Ann (region match), C and D to Bob.
		if plan[0].Name != "A" || plan[0].KAMName != "Ann" || plan[2].KAMName != "Bob" {
			t.Fatalf("order: %+v", plan)
		}
		if plan[1].Reason != "Region EMEA matches; 2 of 3 slots used" {
			t.Fatalf("second reason counts the first: %q", plan[1].Reason)
		}
		if kams[0].Load != 1 {
			t.Fatal("PlanBatch changed its input")
		}
	})
	t.Run("BalancesEqualKAMs", func(t *testing.T) {
		kams := []Candidate{{UserID: kamID(1), Name: "Ann", Capacity: 4}, {UserID: kamID(2), Name: "Bob", Capacity: 4}}
		var needs []Need
		for range 6 {
			needs = append(needs, Need{AccountID: uuid.New(), Name: "acc"})
		}
		got := map[string]int{}
		for _, s := range PlanBatch(needs, kams) {
			got[s.KAMName]++
		}
		if got["Ann"] != 3 || got["Bob"] != 3 {
			t.Fatalf("plan %v, want 3 and 3", got)
		}
	})
	t.Run("RunsOutOfCapacity", func(t *testing.T) {
		kams := []Candidate{{UserID: kamID(1), Name: "Ann", Capacity: 1}}
		plan := PlanBatch([]Need{{AccountID: uuid.New(), Name: "A", Revenue: 2}, {AccountID: uuid.New(), Name: "B", Revenue: 1}}, kams)
		if !plan[0].OK() || plan[1].OK() || plan[1].Reason != ReasonNoCapacity {
			t.Fatalf("plan %+v", plan)
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		kams := []Candidate{{UserID: kamID(1), Name: "Ann", Capacity: 4}, {UserID: kamID(2), Name: "Bob", Capacity: 4}}
		needs := []Need{{AccountID: kamID(7), Name: "Same"}, {AccountID: kamID(8), Name: "Same"}}
		a := PlanBatch(needs, kams)
		b := PlanBatch([]Need{needs[1], needs[0]}, kams)
		for i := range a {
			if a[i].AccountID != b[i].AccountID || a[i].KAMUserID != b[i].KAMUserID {
				t.Fatalf("plan depends on input order: %v vs %v", a, b)
			}
		}
	})
}

func TestSplitList(t *testing.T) {
	got := SplitList(" EMEA, emea ,\nAmericas;;  Asia   Pacific ,")
	want := []string{"EMEA", "Americas", "Asia Pacific"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

func TestPlanItemRoundTrip(t *testing.T) {
	p := PlanItem{AccountID: uuid.New(), KAMUserID: uuid.New(), Version: 7}
	q, ok := ParsePlanItem(p.String())
	if !ok || q != p {
		t.Fatalf("got %+v %v", q, ok)
	}
	for _, bad := range []string{"", "a:b:c", p.AccountID.String() + ":" + p.KAMUserID.String(), p.String() + ":1"} {
		if _, ok := ParsePlanItem(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
