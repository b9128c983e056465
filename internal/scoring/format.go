package scoring

import "math"

import "pareto/internal/numfmt"

func parseInt(s string) (int, error) {
	v, err := numfmt.EN.ParseInt(s)
	return int(v), err
}

// ParseScore10 reads a score typed with at most one decimal ("6", "6.5",
// "6,5") into tenths, from 1.0 to 10.0.
func ParseScore10(s string) (int, bool) {
	v, err := numfmt.EN.ParseFixed(s, 1)
	if err != nil || v < 10 || v > 100 {
		return 0, false
	}
	return int(v), true
}

// ParseCents reads an amount typed by a person ("250000", "250,000.50",
// "-1000") into cents.
func ParseCents(s string) (int64, bool) {
	v, err := numfmt.EN.ParseAmount(s)
	return v, err == nil
}

// FormatCents shows an amount in whole currency units with thousands
// separators: 123456789 → "1,234,568"; negative amounts keep their sign.
func FormatCents(c int64) string { return numfmt.Int(RoundCents(c)) }

// RoundCents is c in whole currency units, halves away from zero.
func RoundCents(c int64) int64 {
	neg := c < 0
	if neg {
		c = -c
	}
	units := (c + 50) / 100
	if neg {
		units = -units
	}
	return units
}

// ShareBPS is part/whole in basis points (0 when whole is not positive).
func ShareBPS(part, whole int64) int {
	if whole <= 0 {
		return 0
	}
	return int(math.Round(float64(part) / float64(whole) * TotalBPS))
}
