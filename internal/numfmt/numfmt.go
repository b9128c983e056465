// Package numfmt formats numbers for people, one way across the app.
package numfmt

import (
	"strconv"
	"strings"
)

// Digits writes a non-negative integer with thousands separators:
// 1234567 → "1,234,567". A negative n is written without its sign; the
// caller decides how to show it (amounts use "-", charts "−").
func Digits(n int64) string {
	if n < 0 {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Int writes n with thousands separators and a leading "-" when negative.
func Int(n int64) string {
	if n < 0 {
		return "-" + Digits(n)
	}
	return Digits(n)
}
