package keyset

import "slices"
import "strconv"
import "strings"
import "testing"

// page runs a page query over xs (sorted ascending) the way the SQL of
// Plan does: after (before) the cursor's key, in list (reverse) order,
// per+1 rows.
func page(xs []int, c Cursor, per int) ([]int, Links) {
	var got []int
	switch {
	case c.First():
		got = xs[:min(per+1, len(xs))]
	case !c.Back:
		k, _ := strconv.Atoi(c.Keys[0])
		for _, x := range xs {
			if x > k && len(got) <= per {
				got = append(got, x)
			}
		}
	default:
		k, _ := strconv.Atoi(c.Keys[0])
		for i := len(xs) - 1; i >= 0; i-- {
			if xs[i] < k && len(got) <= per {
				got = append(got, xs[i])
			}
		}
	}
	return Finish(got, c, per, func(x int) []string { return []string{strconv.Itoa(x)} })
}

func TestWalkForwardAndBack(t *testing.T) {
	for _, n := range []int{0, 1, 7, 10, 11, 95} {
		xs := make([]int, n)
		for i := range xs {
			xs[i] = 3 * (i + 1) // keys with gaps
		}
		const per = 10
		var pages [][]int
		var firsts []int
		c := Cursor{}
		for range 100 {
			rows, l := page(xs, Parse(c.String()), per)
			pages = append(pages, rows)
			firsts = append(firsts, l.First)
			if !l.HasNext {
				break
			}
			c = l.Next
		}
		if got := slices.Concat(pages...); !slices.Equal(got, xs) && !(n == 0 && len(got) == 0) {
			t.Fatalf("n=%d: forward walk gave %v", n, got)
		}
		for i, f := range firsts {
			if len(pages[i]) > 0 && f != i*per+1 {
				t.Fatalf("n=%d: page %d starts at position %d, want %d", n, i+1, f, i*per+1)
			}
		}
		// And back from the last page, page by page, to the first.
		_, l := page(xs, c, per)
		for i := len(pages) - 2; i >= 0; i-- {
			if !l.HasPrev {
				t.Fatalf("n=%d: no previous page before page %d", n, i+2)
			}
			var rows []int
			rows, l = page(xs, Parse(l.Prev.String()), per)
			if !slices.Equal(rows, pages[i]) || l.First != i*per+1 {
				t.Fatalf("n=%d: back to page %d gave %v (first %d), want %v", n, i+1, rows, l.First, pages[i])
			}
		}
		if l.HasPrev {
			t.Fatalf("n=%d: the first page has a previous page", n)
		}
	}
}

func TestPlan(t *testing.T) {
	o := Order{Cols: []Col{{"r.rank_key1", "integer"}, {"r.account_id", "uuid"}}}
	args := []any{"tenant"}
	where, order, limit := o.Plan(Cursor{}, 50, &args)
	if where != "" || order != "r.rank_key1, r.account_id" || limit != " LIMIT 51" || len(args) != 1 {
		t.Fatalf("first page: %q %q %q %v", where, order, limit, args)
	}
	where, order, _ = o.Plan(Cursor{Keys: []string{"-73", "x"}, Pos: 50}, 50, &args)
	if where != " AND (r.rank_key1, r.account_id) > ($2::integer, $3::uuid)" || order != "r.rank_key1, r.account_id" ||
		!slices.Equal(args, []any{"tenant", "-73", "x"}) {
		t.Fatalf("next page: %q %q %v", where, order, args)
	}
	args = args[:1]
	where, order, _ = Order{Cols: o.Cols, Desc: true}.Plan(Cursor{Keys: []string{"-73", "x"}, Back: true}, 50, &args)
	if where != " AND (r.rank_key1, r.account_id) > ($2::integer, $3::uuid)" || order != "r.rank_key1, r.account_id" {
		t.Fatalf("back on a descending list: %q %q", where, order)
	}
	// A cursor of another list (wrong number of keys) starts at the top.
	args = args[:1]
	if where, _, _ := o.Plan(Cursor{Keys: []string{"1"}}, 50, &args); where != "" || len(args) != 1 {
		t.Fatalf("mismatched cursor: %q", where)
	}
}

func TestParseRefusesJunk(t *testing.T) {
	for _, s := range []string{"", "!!!", "e30", strings.Repeat("A", 3000), Cursor{Keys: []string{"a"}, Pos: -4}.String()} {
		if c := Parse(s); !c.First() {
			t.Errorf("Parse(%q) = %+v, want the first page", s, c)
		}
	}
	c := Cursor{Keys: []string{"a,b", "ü"}, Pos: 7, Back: true}
	if got := Parse(c.String()); !slices.Equal(got.Keys, c.Keys) || got.Pos != 7 || !got.Back {
		t.Errorf("round trip: %+v", got)
	}
}
