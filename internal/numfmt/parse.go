package numfmt

import "errors"
import "strings"
import "time"

// Why a value could not be read. Callers turn them into messages for the
// field (they know what the field holds).
var (
	ErrEmpty    = errors.New("numfmt: empty")
	ErrSyntax   = errors.New("numfmt: not a number")
	ErrDecimals = errors.New("numfmt: too many decimals")
	ErrRange    = errors.New("numfmt: too large")
)

// MaxDigits is how many digits the whole part of a number may have.
const MaxDigits = 15

// ParseFixed reads a number typed by a person or found in a CSV cell into
// a count of 10^-decimals units (decimals from 0 to 3):
// ParseFixed("1,250,000.5", 2) = 125000050.
//
// It reads the ways people write numbers, whatever the locale:
//   - thousands grouped by ",", ".", spaces (also no-break), "'" or "_":
//     "120,000", "120000", "1 250 000.50" and "1.250.000,50" are alike;
//   - with both "," and "." the later one is the decimal separator;
//   - a lone "," or "." before one or two digits is the decimal separator
//     ("12,5" is 12.5); before exactly three digits it groups thousands
//     when the number takes fewer than three decimals ("1.005" and
//     "1,005" are 1005), else the locale's decimal separator decides;
//   - a sign "-", "−" or "+", or parentheses for a negative: "(5)" is -5.
//
// Errors: ErrEmpty (blank), ErrSyntax, ErrDecimals (more decimals than
// asked for), ErrRange (more than MaxDigits digits before the decimals).
func (l Locale) ParseFixed(s string, decimals int) (int64, error) {
	neg, body, err := sign(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return l.fixed(neg, body, decimals)
}

// ParseDecimal is ParseFixed as a float64: ParseDecimal("4,5", 2) = 4.5.
func (l Locale) ParseDecimal(s string, decimals int) (float64, error) {
	v, err := l.ParseFixed(s, decimals)
	return float64(v) / float64(pow10[decimals]), err
}

// ParseInt reads a whole number: "1,000", "-3", "12 500".
func (l Locale) ParseInt(s string) (int64, error) { return l.ParseFixed(s, 0) }

// ParseAmount reads an amount of money into cents. Beyond ParseFixed it
// takes a currency symbol (€ $ £ ¥) or an ISO code before or after the
// number: "EUR 1,000", "€1,000.00", "1000 USD".
func (l Locale) ParseAmount(s string) (int64, error) {
	neg, body, err := sign(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	body = stripCurrency(body)
	if !neg && body != "" && (body[0] == '-' || body[0] == '+' || strings.HasPrefix(body, "−")) {
		if neg, body, err = sign(body); err != nil {
			return 0, err
		}
	}
	return l.fixed(neg, body, 2)
}

// ParsePercent reads a percentage, with or without "%", into basis
// points (hundredths of a percent): "45.5" and "45,5 %" are 4550.
func (l Locale) ParsePercent(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	return l.ParseFixed(s, 2)
}

// ParseDate reads a date typed as year-month-day (2027-03-31), as the HTML
// date input sends it, or as the locale writes it (31.03.2027 in de).
// Empty is ErrEmpty, anything else unreadable ErrSyntax.
func (l Locale) ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ErrEmpty
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil && l.DateLayout != "" && l.DateLayout != DateLayout {
		t, err = time.Parse(l.DateLayout, s)
	}
	if err != nil {
		return time.Time{}, ErrSyntax
	}
	return t, nil
}

// sign splits a leading sign or enclosing parentheses off s.
func sign(s string) (neg bool, body string, err error) {
	switch {
	case s == "":
		return false, "", ErrEmpty
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		return true, strings.TrimSpace(s[1 : len(s)-1]), nil
	case s[0] == '-':
		return true, strings.TrimSpace(s[1:]), nil
	case strings.HasPrefix(s, "−"):
		return true, strings.TrimSpace(strings.TrimPrefix(s, "−")), nil
	case s[0] == '+':
		return false, strings.TrimSpace(s[1:]), nil
	}
	return false, s, nil
}

var currencySymbols = []string{"€", "$", "£", "¥"}

// stripCurrency removes one currency symbol or upper-case ISO code from
// either end of s.
func stripCurrency(s string) string {
	for _, p := range currencySymbols {
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(s, p), p))
	}
	if len(s) >= 3 && isUpper(s[:3]) {
		s = strings.TrimSpace(s[3:])
	}
	if len(s) >= 3 && isUpper(s[len(s)-3:]) {
		s = strings.TrimSpace(s[:len(s)-3])
	}
	return s
}

// grouping are the characters that only ever group digits.
var grouping = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "_", "", "'", "")

// fixed reads an unsigned number body (see ParseFixed).
func (l Locale) fixed(neg bool, s string, decimals int) (int64, error) {
	if decimals < 0 || decimals >= len(pow10) {
		panic("numfmt: decimals out of range")
	}
	s = grouping.Replace(s)
	if s == "" {
		return 0, ErrSyntax
	}
	whole, frac, err := l.cut(s, decimals)
	if err != nil {
		return 0, err
	}
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || !digits(frac) {
		return 0, ErrSyntax
	}
	if len(frac) > decimals {
		return 0, ErrDecimals
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > MaxDigits {
		return 0, ErrRange
	}
	var v int64
	for i := range len(whole) {
		v = v*10 + int64(whole[i]-'0')
	}
	v *= pow10[decimals]
	f := int64(0)
	for i := range len(frac) {
		f = f*10 + int64(frac[i]-'0')
	}
	v += f * pow10[decimals-len(frac)]
	if neg {
		v = -v
	}
	return v, nil
}

// cut splits s into the digits before and after the decimal separator,
// removing thousands separators.
func (l Locale) cut(s string, decimals int) (whole, frac string, err error) {
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	if lastDot < 0 && lastComma < 0 {
		return s, "", nil
	}
	if lastDot >= 0 && lastComma >= 0 {
		// Both: the later one is the decimal separator, the other groups.
		dec, group := max(lastDot, lastComma), byte(',')
		if dec == lastComma {
			group = '.'
		}
		whole, frac = s[:dec], s[dec+1:]
		if frac == "" || strings.ContainsAny(frac, ".,") || !groups(whole, group) {
			return "", "", ErrSyntax
		}
		return strings.ReplaceAll(whole, string(group), ""), frac, nil
	}
	sep, at := byte('.'), lastDot
	if lastComma >= 0 {
		sep, at = ',', lastComma
	}
	after := len(s) - at - 1
	if strings.Count(s, string(sep)) > 1 {
		if !groups(s, sep) {
			return "", "", ErrSyntax
		}
		return strings.ReplaceAll(s, string(sep), ""), "", nil
	}
	// One separator. Before three digits it groups thousands, unless the
	// number may have three decimals and the locale writes decimals with
	// it, or it cannot be a group ("0.005", ".500").
	isGroup := after == 3 && at > 0 && s[0] != '0' && at <= 3 && (decimals < 3 || sep == l.Thousands)
	if isGroup {
		return s[:at] + s[at+1:], "", nil
	}
	if after == 0 {
		return "", "", ErrSyntax // "12." or "12,"
	}
	return s[:at], s[at+1:], nil
}

// groups reports whether s is digits grouped by sep in threes
// ("1,250,000"): the first group 1-3 digits, the others exactly 3.
func groups(s string, sep byte) bool {
	for i, p := range strings.Split(s, string(sep)) {
		if p == "" || !digits(p) || len(p) > 3 || (i > 0 && len(p) != 3) {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpper(s string) bool {
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
