// Package keyset pages through long lists by position instead of by
// offset: a page starts right after (or, going back, right before) the
// sort keys of the row that ended the page before, so the database walks
// an index from there and page 400 costs what page 1 costs. No count over
// the whole list is needed either: a page asks for one row more than it
// shows to know whether another page follows.
//
// The sort keys must be stored columns compared with leakproof operators
// (integers, text, uuid, timestamps, booleans): under row-level security
// PostgreSQL only uses leakproof comparisons as index conditions.
package keyset

import "encoding/base64"
import "encoding/json"
import "slices"
import "strconv"
import "strings"

// Cursor is where a page starts: after the row whose sort keys are Keys
// (before it when Back), that row being at position Pos of the list
// (1-based; 0 when unknown). The zero Cursor is the first page.
type Cursor struct {
	Keys []string `json:"k"`
	Pos  int      `json:"p,omitempty"`
	Back bool     `json:"b,omitempty"`
}

// First reports whether c is the first page.
func (c Cursor) First() bool { return len(c.Keys) == 0 }

// String is c as a URL-safe token ("" for the first page).
func (c Cursor) String() string {
	if c.First() {
		return ""
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Parse reads a token made by String. Anything else (a hand-edited or
// truncated link) is the first page: a cursor only says where to start.
func Parse(s string) Cursor {
	if s == "" || len(s) > 2048 {
		return Cursor{}
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}
	}
	var c Cursor
	if json.Unmarshal(b, &c) != nil || c.Pos < 0 {
		return Cursor{}
	}
	return c
}

// Col is one sort key: an SQL expression over stored columns and the
// type its cursor value is cast to.
type Col struct {
	SQL  string
	Type string // e.g. "integer", "bigint", "text", "uuid", "timestamptz"
}

// Order is a list's sort keys, all ascending or all descending (Desc).
type Order struct {
	Cols []Col
	Desc bool
}

// Plan gives the condition (starting with " AND ", empty on the first
// page), the ORDER BY list and the LIMIT (one more than per) of the page
// at c, adding the cursor's values to args. Run the query, then call
// Finish with the rows.
func (o Order) Plan(c Cursor, per int, args *[]any) (where, orderBy, limit string) {
	desc := o.Desc != c.Back // going back walks the other way
	if len(c.Keys) == len(o.Cols) {
		cols := make([]string, len(o.Cols))
		vals := make([]string, len(o.Cols))
		for i, col := range o.Cols {
			cols[i] = col.SQL
			*args = append(*args, c.Keys[i])
			vals[i] = "$" + strconv.Itoa(len(*args)) + "::" + col.Type
		}
		op := " > "
		if desc {
			op = " < "
		}
		where = " AND (" + strings.Join(cols, ", ") + ")" + op + "(" + strings.Join(vals, ", ") + ")"
	}
	parts := make([]string, len(o.Cols))
	for i, col := range o.Cols {
		parts[i] = col.SQL
		if desc {
			parts[i] += " DESC"
		}
	}
	return where, strings.Join(parts, ", "), " LIMIT " + strconv.Itoa(per+1)
}

// Links are the cursors of the pages around one: Prev and Next are ""
// when there is none. First is the position of the page's first row
// (1-based; 0 when unknown).
type Links struct {
	Prev, Next Cursor
	HasPrev    bool
	HasNext    bool
	First      int
}

// Finish trims the rows a Plan query returned (at most per+1) to the page
// at c, in list order, and makes the links; keys gives a row's sort keys
// as text.
func Finish[T any](rows []T, c Cursor, per int, keys func(T) []string) ([]T, Links) {
	more := len(rows) > per
	if more {
		rows = rows[:per]
	}
	if c.Back {
		slices.Reverse(rows)
	}
	var l Links
	switch {
	case c.First():
		l.First, l.HasNext = 1, more
	case c.Back:
		l.HasPrev, l.HasNext = more, true
		if c.Pos > 0 {
			l.First = max(c.Pos-len(rows), 1)
		}
	default:
		l.HasPrev, l.HasNext = true, more
		if c.Pos > 0 {
			l.First = c.Pos + 1
		}
	}
	if len(rows) == 0 {
		// Stepped past the end (or the start): offer the first page.
		return rows, Links{HasPrev: !c.First()}
	}
	pos := func(i int) int {
		if l.First == 0 {
			return 0
		}
		return l.First + i
	}
	if l.HasPrev && (l.First == 0 || l.First-1 > per) {
		l.Prev = Cursor{Keys: keys(rows[0]), Pos: pos(0), Back: true}
	} // else the page before is the first page: the zero Cursor
	if l.HasNext {
		l.Next = Cursor{Keys: keys(rows[len(rows)-1]), Pos: pos(len(rows) - 1)}
	}
	return rows, l
}
