// Package textsearch reads what a person types into the global search and
// ranks what the domain packages find for it. It holds no SQL of its own:
// each domain package searches the tables it owns.
//
// Under row-level security PostgreSQL uses a condition as an index
// condition only when its operator is leakproof: ILIKE, pg_trgm's and
// full-text search's operators are not, so neither a trigram nor a
// tsvector GIN index would serve a tenant's search (docs/performance.md).
// Text comparisons (>=, <) and starts_with are leakproof: large tables are
// searched by the start of a stored lowercase name (Query.Prefix) on a
// (tenant_id, sort_name) btree index; small ones (the product catalogue)
// may match every word anywhere (Query.Where).
package textsearch

import "cmp"
import "slices"
import "strconv"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/limits"

// MaxWords is how many words of a query are matched; the rest are ignored.
const MaxWords = 5

// Candidates is how many matches a search reads from one table before
// ranking: the database stops there, so a word found in thousands of
// records costs no more than one found in a few.
const Candidates = 50

// Shown is how many ranked hits of each kind a results page shows.
const Shown = 8

// Query is a search's text, lowercased, and its words.
type Query struct {
	Text  string
	Words []string
}

// Parse reads a query: spaces split words, case is ignored, the text is
// cut to limits.Label characters and MaxWords words.
func Parse(s string) Query {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > limits.Label {
		s = strings.TrimSpace(string(r[:limits.Label]))
	}
	words := strings.Fields(s)
	if len(words) > MaxWords {
		words = words[:MaxWords]
	}
	return Query{Text: s, Words: words}
}

// Empty reports whether nothing was typed.
func (q Query) Empty() bool { return len(q.Words) == 0 }

// Prefix is the condition that the stored lowercase text col starts with
// the query's text, with leakproof operators only: a range an index on
// col serves (bytewise, as under the "C" collation the sort names use),
// rechecked with starts_with. Its two arguments are appended to args.
func (q Query) Prefix(col string, args *[]any) string {
	*args = append(*args, q.Text, q.Text+"\U0010FFFF")
	lo, hi := "$"+strconv.Itoa(len(*args)-1), "$"+strconv.Itoa(len(*args))
	return col + " >= " + lo + " AND " + col + " < " + hi + " AND starts_with(" + col + ", " + lo + ")"
}

// Where is the condition that every word matches cond, in which each ?
// stands for the word's ILIKE pattern ("%word%", wildcards escaped); the
// patterns are appended to args and numbered after what args holds.
func (q Query) Where(cond string, args *[]any) string {
	return q.WhereWords(q.Words, cond, args)
}

// WhereWords is Where for some of the query's words (a domain package
// may match some words against one column and the rest against another).
func (q Query) WhereWords(words []string, cond string, args *[]any) string {
	if len(words) == 0 {
		return "true"
	}
	parts := make([]string, len(words))
	for i, w := range words {
		*args = append(*args, "%"+likeEscape(w)+"%")
		parts[i] = strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(*args)))
	}
	return strings.Join(parts, " AND ")
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Hit is one record a search found.
type Hit struct {
	ID        uuid.UUID
	AccountID uuid.UUID // the account the record belongs to, if any
	Title     string
	Detail    string // a short line that tells like-named records apart
	Inactive  bool   // archived, retired or closed: ranked after the rest
}

// rank orders a hit's title against the query: the whole text, then a
// title starting with it, then one containing it, then the rest (its
// words scattered).
func (q Query) rank(title string) int {
	t := strings.ToLower(title)
	switch {
	case t == q.Text:
		return 0
	case strings.HasPrefix(t, q.Text):
		return 1
	case strings.Contains(t, q.Text):
		return 2
	}
	return 3
}

// Top ranks hits (active first, then by rank, then title and id), drops
// repeated ids and keeps the first Shown; more says whether any were cut.
func (q Query) Top(hits []Hit) (top []Hit, more bool) {
	seen := map[uuid.UUID]bool{}
	hits = slices.DeleteFunc(slices.Clone(hits), func(h Hit) bool {
		dup := seen[h.ID]
		seen[h.ID] = true
		return dup
	})
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Inactive != b.Inactive {
			if a.Inactive {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(q.rank(a.Title), q.rank(b.Title)),
			strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)),
			strings.Compare(a.ID.String(), b.ID.String()))
	})
	if len(hits) > Shown {
		return hits[:Shown], true
	}
	return hits, false
}

// Collect reads the hits a search query returned, scanning each row with
// scan, and ranks them (Top).
func (q Query) Collect(rows pgx.Rows, scan func(r pgx.CollectableRow, h *Hit) error) (top []Hit, more bool, err error) {
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Hit, error) {
		var h Hit
		return h, scan(r, &h)
	})
	if err != nil {
		return nil, false, err
	}
	top, more = q.Top(hits)
	return top, more, nil
}
