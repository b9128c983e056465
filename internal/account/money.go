package account

import (
	"pareto/internal/numfmt"
	"strconv"
	"strings"
)

// Money is an amount in cents of the tenant's currency. The database keeps
// numeric(15,2); Money converts at the SQL boundary ((x * 100)::bigint).
type Money int64

// MaxMoney is the largest amount Pareto accepts: anything at or above one
// trillion is taken for a typing mistake.
const MaxMoney Money = 1_000_000_000_000_00 - 1

// InputError is a message about bad input, phrased for the person who
// typed it, shown beside the field.
type InputError string

func (e InputError) Error() string { return string(e) }

// Money parsing errors.
const (
	errMoneyFormat   InputError = "Enter an amount like 1,250,000.50 or 1250000."
	errMoneyNegative InputError = "Enter an amount of zero or more."
	errMoneyTooLarge InputError = "That is one trillion or more; check the amount."
	errMoneyDecimals InputError = "Use at most two decimals."
)

// ParseMoney reads an amount typed by a person or found in a CSV file:
// "1250000", "1,250,000.50", "1 250 000", "1.250.000,50" (European), with an
// optional currency code or symbol. Empty means zero. Negative amounts,
// more than two decimals and amounts of a trillion or more are refused.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	for _, p := range []string{"€", "$", "£", "¥"} {
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(s, p), p))
	}
	if len(s) >= 3 && isUpperAlpha(s[:3]) {
		s = strings.TrimSpace(s[3:])
	}
	if len(s) >= 3 && isUpperAlpha(s[len(s)-3:]) {
		s = strings.TrimSpace(s[:len(s)-3])
	}
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "(") {
		return 0, errMoneyNegative
	}
	s = strings.TrimPrefix(s, "+")
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "_", "", "'", "").Replace(s)
	if s == "" {
		return 0, errMoneyFormat
	}
	intPart, frac := s, ""
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0:
		// Both: the later one is the decimal separator.
		dec := max(lastDot, lastComma)
		intPart, frac = s[:dec], s[dec+1:]
		thousands := byte(',')
		if dec == lastComma {
			thousands = '.'
		}
		if strings.ContainsRune(frac, '.') || strings.ContainsRune(frac, ',') {
			return 0, errMoneyFormat
		}
		if !validGroups(intPart, thousands) {
			return 0, errMoneyFormat
		}
		intPart = strings.ReplaceAll(intPart, string(thousands), "")
	case lastComma >= 0:
		// "1,250,000" groups thousands; a single comma followed by one or
		// two digits ("12,5", "99,95") is a decimal comma.
		if strings.Count(s, ",") == 1 && len(s)-lastComma-1 <= 2 {
			intPart, frac = s[:lastComma], s[lastComma+1:]
		} else {
			if !validGroups(s, ',') {
				return 0, errMoneyFormat
			}
			intPart = strings.ReplaceAll(s, ",", "")
		}
	case lastDot >= 0:
		// One dot is a decimal point, except before exactly three digits
		// ("700.000", "12.500"): cents never have three digits, so that is
		// a European thousands separator. Several dots group thousands.
		if strings.Count(s, ".") == 1 && (len(s)-lastDot-1 != 3 || s[0] == '0' || s[0] == '.') {
			intPart, frac = s[:lastDot], s[lastDot+1:]
		} else {
			if !validGroups(s, '.') {
				return 0, errMoneyFormat
			}
			intPart = strings.ReplaceAll(s, ".", "")
		}
	}
	if intPart == "" {
		intPart = "0"
	}
	if !allDigits(intPart) || !allDigits(frac) || (frac == "" && lastDot == len(s)-1 && lastDot >= 0) {
		return 0, errMoneyFormat
	}
	if len(frac) > 2 {
		return 0, errMoneyDecimals
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 12 {
		return 0, errMoneyTooLarge
	}
	whole, _ := strconv.ParseInt("0"+intPart, 10, 64)
	cents := int64(0)
	if frac != "" {
		c, _ := strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			c *= 10
		}
		cents = c
	}
	m := Money(whole*100 + cents)
	if m > MaxMoney {
		return 0, errMoneyTooLarge
	}
	return m, nil
}

func isUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validGroups reports whether s is digits grouped by sep in threes
// ("1,250,000"): the first group 1-3 digits, the others exactly 3.
func validGroups(s string, sep byte) bool {
	parts := strings.Split(s, string(sep))
	for i, p := range parts {
		if !allDigits(p) || p == "" || len(p) > 3 || (i > 0 && len(p) != 3) {
			return false
		}
	}
	return true
}

// Plain is the amount for forms and CSV: "1250000.50", or "1250000" when
// there are no cents.
func (m Money) Plain() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	s := sign + strconv.FormatInt(int64(m/100), 10)
	if c := m % 100; c != 0 {
		s += "." + twoDigits(int64(c))
	}
	return s
}

// String groups thousands for reading: "1,250,000.50", "1,250,000".
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	var b strings.Builder
	b.WriteString(sign)
	b.WriteString(numfmt.Digits(int64(m / 100)))
	if c := m % 100; c != 0 {
		b.WriteString("." + twoDigits(int64(c)))
	}
	return b.String()
}

// Short is a compact form for tables and charts: 1.3M, 850K, 12.5B.
func (m Money) Short() string {
	v := float64(m) / 100
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	switch {
	case v >= 1e9:
		return sign + strconv.FormatFloat(v/1e9, 'f', 1, 64) + "B"
	case v >= 1e6:
		return sign + strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case v >= 1e4:
		return sign + strconv.FormatFloat(v/1e3, 'f', 0, 64) + "K"
	}
	return sign + strconv.FormatFloat(v, 'f', 0, 64)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
