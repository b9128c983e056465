// Package numfmt reads and writes numbers, amounts, percentages and dates
// the way people type and read them, one way across the app: the form
// kit, the CSV importers and every page use it. It knows nothing of the
// domain; callers check ranges and phrase messages.
//
// A Locale says how numbers and dates are written: each tenant chooses
// one (English, "en", by default), the request carries it (WithLocale,
// From) and pages and forms take it from there. Machine-readable output
// (CSV exports, the API) uses Plain and ISO dates whatever the locale.
package numfmt

import "context"
import "strconv"
import "strings"
import "time"

// Locale is how numbers and dates are written for people.
type Locale struct {
	Name      string
	Label     string // the name shown in the settings, in its own words
	Point     byte   // decimal separator when writing
	Thousands byte   // thousands separator when writing
	// DateLayout is how a date is shown (and read, besides ISO);
	// LongLayout how it is shown in a sentence.
	DateLayout, LongLayout string
}

// EN is English: 1,250,000.50 and 2027-03-31.
var EN = Locale{Name: "en", Label: "English: 1,250,000.50 and 2027-03-31", Point: '.', Thousands: ',', DateLayout: time.DateOnly, LongLayout: "2 Jan 2006"}

// DE is German: 1.250.000,50 and 31.03.2027.
var DE = Locale{Name: "de", Label: "Deutsch: 1.250.000,50 and 31.03.2027", Point: ',', Thousands: '.', DateLayout: "02.01.2006", LongLayout: "02.01.2006"}

// Locales lists the locales Pareto knows, by name.
var Locales = map[string]Locale{EN.Name: EN, DE.Name: DE}

// All lists the locales in the order a choice shows them.
var All = []Locale{EN, DE}

type ctxKey struct{}

// WithLocale returns ctx carrying l, for From.
func WithLocale(ctx context.Context, l Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From is the locale ctx carries (WithLocale), English when none.
func From(ctx context.Context) Locale {
	if l, ok := ctx.Value(ctxKey{}).(Locale); ok {
		return l
	}
	return EN
}

// ForName returns the locale called name, English when unknown or empty.
func ForName(name string) Locale {
	if l, ok := Locales[name]; ok {
		return l
	}
	return EN
}

// DateLayout is how dates are sent by the HTML date input whatever the
// browser's language, and written for machines (CSV, API): ISO.
const DateLayout = time.DateOnly

// Digits writes a non-negative integer with thousands separators:
// 1234567 → "1,234,567". A negative n is written without its sign; the
// caller decides how to show it (amounts use "-", charts "−").
func Digits(n int64) string { return EN.Digits(n) }

// Int writes n with thousands separators and a leading "-" when negative.
func Int(n int64) string { return EN.Int(n) }

// Digits writes |n| with the locale's thousands separator.
// Written from the last digit into an array on the stack, so the
// string is the one allocation (every amount of every page comes here).
func (l Locale) Digits(n int64) string {
	var buf [32]byte
	return string(l.AppendDigits(buf[:0], n))
}

// AppendDigits appends Digits(n) to dst: the form for a writer that
// formats into a buffer it reuses, allocating nothing per number.
func (l Locale) AppendDigits(dst []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		u = uint64(-n)
	}
	var buf [32]byte // 20 digits and 6 separators at most
	i := len(buf)
	for d := 0; ; d++ {
		if d > 0 && d%3 == 0 {
			i--
			buf[i] = l.Thousands
		}
		i--
		buf[i] = byte('0' + u%10)
		if u /= 10; u == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// Int writes n with thousands separators and a leading "-" when negative.
func (l Locale) Int(n int64) string {
	var buf [33]byte
	return string(l.AppendInt(buf[:0], n))
}

// AppendInt appends Int(n) to dst (see AppendDigits).
func (l Locale) AppendInt(dst []byte, n int64) []byte {
	if n < 0 {
		dst = append(dst, '-')
	}
	return l.AppendDigits(dst, n)
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

// Date writes a date for people in the locale: "2027-03-31",
// "31.03.2027"; the zero time is "".
func (l Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l.DateLayout == "" {
		return t.Format(DateLayout)
	}
	return t.Format(l.DateLayout)
}

// LongDate writes a date in a sentence: "31 Mar 2027", "31.03.2027";
// the zero time is "".
func (l Locale) LongDate(t time.Time) string {
	if t.IsZero() || l.LongLayout == "" {
		return l.Date(t)
	}
	return t.Format(l.LongLayout)
}

// Time writes an instant in UTC: "2027-03-31 14:05 UTC",
// "31.03.2027 14:05 UTC"; the zero time is "".
func (l Locale) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.Date(t.UTC()) + t.UTC().Format(" 15:04 UTC")
}

// Number writes v rounded to at most decimals decimals, without trailing
// zeros, with thousands separators and "−" (the minus sign) when
// negative: 1250000.5 → "1,250,000.5" (en), "1.250.000,5" (de).
func (l Locale) Number(v float64, decimals int) string {
	return l.group(l.Decimal(v, decimals), "−")
}

// FixedFloat is Number keeping exactly decimals decimals: 12.30 → "12.30".
func (l Locale) FixedFloat(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	if l.Point != '.' {
		s = strings.Replace(s, ".", string(l.Point), 1)
	}
	return l.group(s, "−")
}

// group puts thousands separators into a plain number written with the
// locale's decimal point, and writes a leading "-" as minus.
func (l Locale) group(s, minus string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, string(l.Point))
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return s
	}
	out := l.Digits(n)
	if hasFrac {
		out += string(l.Point) + frac
	}
	if neg {
		out = minus + out
	}
	return out
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
