package account

import "errors"
import "strconv"
import "strings"

import "pareto/internal/numfmt"

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

// ParseMoney reads an amount typed by a person or found in a CSV file
// the one way the app reads amounts (numfmt.Locale.ParseAmount):
// "1250000", "1,250,000.50", "1 250 000", "1.250.000,50" (European), with an
// optional currency code or symbol. Empty means zero. Negative amounts,
// more than two decimals and amounts of a trillion or more are refused.
func ParseMoney(s string) (Money, error) {
	c, err := numfmt.EN.ParseAmount(s)
	switch {
	case errors.Is(err, numfmt.ErrEmpty):
		return 0, nil
	case c < 0:
		return 0, errMoneyNegative
	case errors.Is(err, numfmt.ErrDecimals):
		return 0, errMoneyDecimals
	case errors.Is(err, numfmt.ErrRange), err == nil && Money(c) > MaxMoney:
		return 0, errMoneyTooLarge
	case err != nil:
		if strings.HasPrefix(strings.TrimSpace(s), "-") {
			return 0, errMoneyNegative
		}
		return 0, errMoneyFormat
	}
	return Money(c), nil
}

// Plain is the amount for forms and CSV: "1250000.50", or "1250000" when
// there are no cents.
func (m Money) Plain() string { return numfmt.EN.Plain(int64(m), 2) }

// String groups thousands for reading: "1,250,000.50", "1,250,000".
func (m Money) String() string { return numfmt.EN.Amount(int64(m)) }

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
