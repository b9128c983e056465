package templates

import (
	"strconv"
	"time"

	"pareto/internal/auth"
)

func itoa(n int) string { return strconv.Itoa(n) }

// FormatTime shows a timestamp the same way on every page.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// FormatDate shows a date the same way on every page.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// pluralWord is one or many, for a count shown elsewhere.
func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// tokenStatus says whether an API token works now.
func tokenStatus(t auth.Token) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "Revoked " + FormatDate(t.RevokedAt)
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
