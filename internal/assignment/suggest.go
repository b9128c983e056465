package assignment

import "cmp"
import "fmt"
import "slices"
import "strings"

import "github.com/google/uuid"

// The suggestion rule, in the words the pages show:
//
//  1. Only KAMs with a free slot (key accounts below capacity) are
//     suggested. When nobody has one, Pareto says so and suggests nobody.
//  2. A matching region counts 2 points, a matching industry 1 point
//     (region decides travel and time zone, so it weighs more).
//  3. Equal points: the KAM with the lower share of capacity used wins,
//     then the one with fewer accounts, then by name.
//
// A batch plans the accounts with the highest annual revenue first and
// counts each planned assignment into the KAM's load before planning the
// next account, so a batch never fills one KAM beyond capacity.
const (
	RegionPoints   = 2
	IndustryPoints = 1
)

// RuleText explains the rule on the pages that show suggestions.
const RuleText = "Only KAMs with a free slot are suggested. A matching region counts 2 points and a matching industry 1; " +
	"on equal points the KAM with the lowest share of capacity used wins, then the one with fewer accounts, then by name."

// Candidate is a KAM as the suggestion rule sees them.
type Candidate struct {
	UserID     uuid.UUID
	Name       string
	Capacity   int
	Load       int // key accounts managed now
	Regions    []string
	Industries []string
}

// Free is the number of free slots (never negative).
func (c Candidate) Free() int { return max(0, c.Capacity-c.Load) }

// Need is an account looking for a KAM.
type Need struct {
	AccountID uuid.UUID
	Name      string
	Region    string
	Industry  string
	Revenue   float64
	Version   int
}

// Ranked is one KAM's standing for one account, with the reason in words.
type Ranked struct {
	Candidate
	Points        int
	RegionMatch   bool
	IndustryMatch bool
	HasRoom       bool
	Reason        string
}

// Suggestion is the rule's answer for one account: the best KAM (zero
// KAMUserID when there is none) and why.
type Suggestion struct {
	Need
	KAMUserID uuid.UUID
	KAMName   string
	Reason    string
	// LoadBefore and Capacity describe the suggested KAM's load just
	// before this assignment (within a batch: counting earlier ones).
	LoadBefore int
	Capacity   int
}

// OK reports whether a KAM was suggested.
func (s Suggestion) OK() bool { return s.KAMUserID != uuid.Nil }

func sameText(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}

func containsText(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return sameText(x, s) })
}

// Rank orders every KAM for the account n, best first, each with the
// reason. KAMs without a free slot come last (HasRoom false).
func Rank(n Need, kams []Candidate) []Ranked {
	out := make([]Ranked, 0, len(kams))
	for _, k := range kams {
		r := Ranked{Candidate: k, HasRoom: k.Load < k.Capacity,
			RegionMatch: containsText(k.Regions, n.Region), IndustryMatch: containsText(k.Industries, n.Industry)}
		if r.RegionMatch {
			r.Points += RegionPoints
		}
		if r.IndustryMatch {
			r.Points += IndustryPoints
		}
		r.Reason = reason(n, r)
		out = append(out, r)
	}
	slices.SortStableFunc(out, compareRanked)
	return out
}

// compareRanked is the rule's order: room, points, load share, load,
// name, id (so the result never depends on input order).
func compareRanked(a, b Ranked) int {
	if a.HasRoom != b.HasRoom {
		if a.HasRoom {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.Points, a.Points); c != 0 {
		return c
	}
	// a.Load/a.Capacity vs b.Load/b.Capacity without division.
	if c := cmp.Compare(a.Load*max(b.Capacity, 1), b.Load*max(a.Capacity, 1)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Load, b.Load); c != 0 {
		return c
	}
	if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return cmp.Compare(a.UserID.String(), b.UserID.String())
}

func reason(n Need, r Ranked) string {
	var match string
	switch {
	case r.RegionMatch && r.IndustryMatch:
		match = fmt.Sprintf("Region %s and industry %s match", strings.TrimSpace(n.Region), strings.TrimSpace(n.Industry))
	case r.RegionMatch:
		match = fmt.Sprintf("Region %s matches", strings.TrimSpace(n.Region))
	case r.IndustryMatch:
		match = fmt.Sprintf("Industry %s matches", strings.TrimSpace(n.Industry))
	default:
		match = "No region or industry match"
	}
	slots := fmt.Sprintf("%d of %d slots used", r.Load, r.Capacity)
	if !r.HasRoom {
		slots += " (no free slot)"
	}
	return match + "; " + slots
}

// Reasons for accounts nobody can be suggested for.
const (
	ReasonNoKAMs     = "There are no active key account managers: invite one on the People page."
	ReasonNoCapacity = "No KAM has a free slot: raise a KAM's capacity, or assign with an override and a reason."
)

// Suggest picks the best KAM for n by the rule, or says why there is none.
func Suggest(n Need, kams []Candidate) Suggestion {
	s := Suggestion{Need: n}
	if len(kams) == 0 {
		s.Reason = ReasonNoKAMs
		return s
	}
	best := Rank(n, kams)[0]
	if !best.HasRoom {
		s.Reason = ReasonNoCapacity
		return s
	}
	s.KAMUserID, s.KAMName, s.Reason = best.UserID, best.Name, best.Reason
	s.LoadBefore, s.Capacity = best.Load, best.Capacity
	return s
}

// PlanBatch suggests a KAM for every account in needs, highest annual
// revenue first (then name, then id), counting each suggestion into the
// KAM's load before the next, so no KAM is planned beyond capacity. The
// result is in planning order; kams is not modified.
func PlanBatch(needs []Need, kams []Candidate) []Suggestion {
	loads := make([]Candidate, len(kams))
	copy(loads, kams)
	order := slices.Clone(needs)
	slices.SortStableFunc(order, func(a, b Need) int {
		if c := cmp.Compare(b.Revenue, a.Revenue); c != 0 {
			return c
		}
		if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return cmp.Compare(a.AccountID.String(), b.AccountID.String())
	})
	out := make([]Suggestion, 0, len(order))
	for _, n := range order {
		s := Suggest(n, loads)
		if s.OK() {
			for i := range loads {
				if loads[i].UserID == s.KAMUserID {
					loads[i].Load++
				}
			}
		}
		out = append(out, s)
	}
	return out
}
