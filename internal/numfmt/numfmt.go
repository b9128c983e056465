// Package numfmt reads and writes numbers, amounts, percentages and dates
// the way people type and read them, one way across the app: the form
// kit, the CSV importers and every page use it. It knows nothing of the
// domain; callers check ranges and phrase messages.
//
// A Locale says how numbers are written. Only English ("en") exists now;
// a tenant setting will choose one later, so code takes a Locale rather
// than calling the package-level helpers, which are English.
package numfmt

import (
	"strconv"
	"strings"
	"time"
)

// Locale is how numbers and dates are written for people.
type Locale struct {
	Name      string
	Point     byte // decimal separator when writing
	Thousands byte // thousands separator when writing
}

// EN is English: 1,250,000.50 and 2027-03-31.
var EN = Locale{Name: "en", Point: '.', Thousands: ','}

// Locales lists the locales Pareto knows, by name.
var Locales = map[string]Locale{EN.Name: EN}

// ForName returns the locale called name, English when unknown or empty.
func ForName(name string) Locale {
	if l, ok := Locales[name]; ok {
		return l
	}
	return EN
}

// DateLayout is how dates are typed and written: the HTML date input
// sends this form whatever the browser's language.
const DateLayout = time.DateOnly

// Digits writes a non-negative integer with thousands separators:
// 1234567 → "1,234,567". A negative n is written without its sign; the
// caller decides how to show it (amounts use "-", charts "−").
func Digits(n int64) string { return EN.Digits(n) }

// Int writes n with thousands separators and a leading "-" when negative.
func Int(n int64) string { return EN.Int(n) }

// Digits writes |n| with the locale's thousands separator.
func (l Locale) Digits(n int64) string {
	u := uint64(n)
	if n < 0 {
		u = uint64(-n)
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(l.Thousands)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Int writes n with thousands separators and a leading "-" when negative.
func (l Locale) Int(n int64) string {
	if n < 0 {
		return "-" + l.Digits(n)
	}
	return l.Digits(n)
}

// Fixed writes v, a count of 10^-decimals units, with thousands
// separators: Fixed(125000050, 2) = "1,250,000.50". The decimals are
// left out when they are all zero: Fixed(125000000, 2) = "1,250,000".
func (l Locale) Fixed(v int64, decimals int) string {
	whole, frac := split(v, decimals)
	s := l.Int(whole)
	if v < 0 && whole == 0 {
		s = "-0"
	}
	if frac != "" {
		s += string(l.Point) + frac
	}
	return s
}

// Plain writes v, a count of 10^-decimals units, for a form field or a CSV
// cell: no thousands separators, decimals only when not all zero:
// Plain(125000050, 2) = "1250000.50", Plain(125000000, 2) = "1250000".
// Parse reads it back to v.
func (l Locale) Plain(v int64, decimals int) string {
	whole, frac := split(v, decimals)
	s := strconv.FormatInt(whole, 10)
	if v < 0 && whole == 0 {
		s = "-0"
	}
	if frac != "" {
		s += string(l.Point) + frac
	}
	return s
}

// Amount writes cents as an amount: "1,250,000.50", "1,250,000".
func (l Locale) Amount(cents int64) string { return l.Fixed(cents, 2) }

// Percent writes basis points (hundredths of a percent) as a percentage
// without trailing zeros and without the sign: 4567 → "45.67",
// 2500 → "25", 1250 → "12.5".
func (l Locale) Percent(bps int64) string {
	s := l.Plain(bps, 2)
	if i := strings.IndexByte(s, l.Point); i >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, string(l.Point))
	}
	return s
}

// Decimal writes v with at most decimals decimals and no trailing zeros,
// without thousands separators (for form fields): 4.50 → "4.5".
func (l Locale) Decimal(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	if l.Point != '.' {
		s = strings.Replace(s, ".", string(l.Point), 1)
	}
	return s
}

// Date writes a date as it is typed; the zero time is "".
func (l Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(DateLayout)
}

// split cuts v (in 10^-decimals units) into its whole part and its
// decimals as written ("" when all zero).
func split(v int64, decimals int) (int64, string) {
	if decimals <= 0 {
		return v, ""
	}
	p := pow10[decimals]
	whole, frac := v/p, v%p
	if frac < 0 {
		frac = -frac
	}
	if frac == 0 {
		return whole, ""
	}
	f := strconv.FormatInt(frac, 10)
	return whole, strings.Repeat("0", decimals-len(f)) + f
}

var pow10 = [...]int64{1, 10, 100, 1000}
