package templates

import "context"
import "net/url"
import "slices"
import "strconv"
import "time"

import "pareto/internal/auth"
import "pareto/internal/numfmt"
import "pareto/internal/scoring"

func itoa(n int) string { return strconv.Itoa(n) }

// FormatTime shows a timestamp the same way on every page, in the
// tenant's locale.
func FormatTime(ctx context.Context, t time.Time) string { return loc(ctx).Time(t) }

// FormatDate shows a date the same way on every page, in the tenant's
// locale.
func FormatDate(ctx context.Context, t time.Time) string { return loc(ctx).Date(t) }

// Score10 shows a score kept in tenths in the tenant's locale: 73 →
// "7.3" (en), "7,3" (de); 0 (no score) → "–".
// Whole tenths, so written from the integer without float formatting
// (one a row of the shortlist, one a dot of its 2×2).
func Score10(ctx context.Context, s10 int) string {
	var buf [24]byte
	return string(appendScore10(buf[:0], loc(ctx), s10))
}

// appendScore10 appends Score10 in l to dst.
func appendScore10(dst []byte, l numfmt.Locale, s10 int) []byte {
	if s10 <= 0 {
		return append(dst, "–"...)
	}
	return append(l.AppendDigits(dst, int64(s10/10)), l.Point, byte('0'+s10%10))
}

// ScoreText is a score of 10 in the tenant's locale (Score10).
func ScoreText(ctx context.Context, s scoring.Score) string { return Score10(ctx, s.Score10) }

// WeightPct is a criterion's weight as a percentage in the tenant's
// locale, without the sign: "33.3" (en), "33,3" (de). Form values keep
// Weight.Percent.
func WeightPct(ctx context.Context, w scoring.Weight) string { return loc(ctx).Percent(int64(w.BPS)) }

// pluralWord is one or many, for a count shown elsewhere.
// count writes a count in the tenant's locale (1,234 or 1.234), for the
// sentences that explain a figure; plural's form for the same sentences.
func count(ctx context.Context, n int) string { return loc(ctx).Int(int64(n)) }

func pluralIn(ctx context.Context, n int, one, many string) string {
	return count(ctx, n) + " " + pluralWord(n, one, many)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// tokenStatus says whether an API token works now.
func tokenStatus(ctx context.Context, t auth.Token) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "Revoked " + FormatDate(ctx, t.RevokedAt)
	case !t.Usable(time.Now()):
		return "Expired"
	}
	return "Active"
}

func yesNoWord(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// sortClass is the class of a column header: which way the list is
// queryOf is the query of m's non-empty values (a list filter's
// fields).
func queryOf(m map[string]string) url.Values {
	q := url.Values{}
	for k, v := range m {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// sortDesc is the direction a click on col's header asks for, on a list
// sorted by cur (desc): the other one when col is cur already, else
// descending for the columns in descFirst (big numbers, recent changes
// first) and ascending for the rest.
func sortDesc(cur string, desc bool, col string, descFirst ...string) bool {
	if cur == col {
		return !desc
	}
	return slices.Contains(descFirst, col)
}

// sorted by it, "" when it is sorted by another column.
func sortClass(sorted, desc bool) string {
	switch {
	case !sorted:
		return ""
	case desc:
		return "sorted-desc"
	}
	return "sorted-asc"
}

// sortAria is a column header's aria-sort.
func sortAria(sorted, desc bool) string {
	switch {
	case !sorted:
		return "none"
	case desc:
		return "descending"
	}
	return "ascending"
}
