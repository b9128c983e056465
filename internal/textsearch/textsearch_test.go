package textsearch

import "strings"
import "testing"

import "github.com/google/uuid"

func TestParse(t *testing.T) {
	q := Parse("  Acme   CORP  one two three four ")
	if q.Text != "acme corp one two three four" {
		t.Errorf("text %q", q.Text)
	}
	// Six words typed, MaxWords (5) kept.
	if got := strings.Join(q.Words, ","); got != "acme,corp,one,two,three" {
		t.Errorf("words %q", got)
	}
	if !Parse(" ").Empty() {
		t.Error("Empty")
	}
	if n := len([]rune(Parse(strings.Repeat("é", 300)).Text)); n != 100 {
		t.Errorf("cut to %d runes, want 100", n)
	}
}

func TestWhere(t *testing.T) {
	args := []any{"tenant"}
	got := Parse("50% a_b").Where("(name ILIKE ? OR ref ILIKE ?)", &args)
	want := "(name ILIKE $2 OR ref ILIKE $2) AND (name ILIKE $3 OR ref ILIKE $3)"
	if got != want {
		t.Errorf("where\n got %s\nwant %s", got, want)
	}
	if len(args) != 3 || args[1] != `%50\%%` || args[2] != `%a\_b%` {
		t.Errorf("args %q", args)
	}
}

func TestPrefix(t *testing.T) {
	args := []any{"tenant"}
	got := Parse("Acme C").Prefix("a.sort_name", &args)
	want := "a.sort_name >= $2 AND a.sort_name < $3 AND starts_with(a.sort_name, $2)"
	if got != want || len(args) != 3 || args[1] != "acme c" || args[2] != "acme c\U0010FFFF" {
		t.Errorf("prefix %s %q", got, args)
	}
}

func TestTop(t *testing.T) {
	id := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	q := Parse("acme")
	hits := []Hit{
		{ID: id(1), Title: "Big Acme"},                // contains: rank 2
		{ID: id(2), Title: "Acme Ltd"},                // prefix: rank 1
		{ID: id(3), Title: "ACME"},                    // exact: rank 0
		{ID: id(4), Title: "Acme", Inactive: true},    // archived: last
		{ID: id(2), Title: "Acme Ltd"},                // the same record twice
		{ID: id(5), Title: "A company making anvils"}, // words scattered: rank 3
	}
	top, more := q.Top(hits)
	var got []string
	for _, h := range top {
		got = append(got, h.Title)
	}
	if strings.Join(got, "|") != "ACME|Acme Ltd|Big Acme|A company making anvils|Acme" || more {
		t.Errorf("top %q more %v", got, more)
	}
	many := make([]Hit, Shown+1)
	for i := range many {
		many[i] = Hit{ID: id(byte(i + 10)), Title: "acme"}
	}
	if top, more := q.Top(many); len(top) != Shown || !more {
		t.Errorf("%d shown, more %v", len(top), more)
	}
}
