package scoring

import (
	"math"
	"pareto/internal/numfmt"
	"strconv"
	"strings"
)

func parseInt(s string) (int, error) { return strconv.Atoi(strings.TrimSpace(s)) }

// ParseScore10 reads a score typed with at most one decimal ("6", "6.5")
// into tenths, from 1.0 to 10.0.
func ParseScore10(s string) (int, bool) {
	s = strings.Replace(strings.TrimSpace(s), ",", ".", 1)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 1 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 1 || f > 10 {
		return 0, false
	}
	return int(math.Round(f * 10)), true
}

// ParseCents reads an amount typed by a person ("250000", "250,000.50",
// "-1000") into cents.
func ParseCents(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), " ", "")
	if s == "" {
		return 0, false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 2 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1e13 {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}

// FormatCents shows an amount in whole currency units with thousands
// separators: 123456789 → "1,234,568"; negative amounts keep their sign.
func FormatCents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	units := (c + 50) / 100
	if neg {
		units = -units
	}
	return numfmt.Int(units)
}

// ShareBPS is part/whole in basis points (0 when whole is not positive).
func ShareBPS(part, whole int64) int {
	if whole <= 0 {
		return 0
	}
	return int(math.Round(float64(part) / float64(whole) * TotalBPS))
}
