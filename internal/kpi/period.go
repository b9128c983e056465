package kpi

import (
	"fmt"
	"time"
)

// Months are time.Time values at midnight UTC on the first day of the
// month; the helpers below keep them that way.

// MonthOf is the month t falls in.
func MonthOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// AddMonths moves month m by n months (n may be negative).
func AddMonths(m time.Time, n int) time.Time {
	return time.Date(m.Year(), m.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}

// MonthsBetween counts the months from a to b, inclusive of both
// (0 when b is before a).
func MonthsBetween(a, b time.Time) int {
	n := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) + 1
	return max(n, 0)
}

// ParseMonth reads "2026-03" (or "2026-03-01") as a month.
func ParseMonth(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return MonthOf(t), nil
		}
	}
	return time.Time{}, fmt.Errorf("kpi: %q is not a month like 2026-03", s)
}

// FormatMonth shows a month as "2026-03", the form people type and CSV
// files carry.
func FormatMonth(m time.Time) string { return m.Format("2006-01") }

// MonthLabel shows a month as "Mar 2026".
func MonthLabel(m time.Time) string { return m.Format("Jan 2006") }

// Period is a run of whole months, Start to End inclusive.
type Period struct {
	Key   string // the selector's value: 3m, 6m, 12m, 24m, fy, pfy
	Start time.Time
	End   time.Time
}

// Months is how many months the period covers.
func (p Period) Months() int { return MonthsBetween(p.Start, p.End) }

// Contains reports whether month m lies in the period.
func (p Period) Contains(m time.Time) bool { return !m.Before(p.Start) && !m.After(p.End) }

// Shift moves the whole period by n months.
func (p Period) Shift(n int) Period {
	return Period{Key: p.Key, Start: AddMonths(p.Start, n), End: AddMonths(p.End, n)}
}

// Previous is the period of the same length just before p ("period over
// period"): for a fiscal year to date that is the same months of the
// previous fiscal year.
func (p Period) Previous() Period {
	if p.Key == "fy" || p.Key == "pfy" {
		return p.Shift(-12)
	}
	return p.Shift(-p.Months())
}

// YearAgo is the same months one year earlier ("year over year").
func (p Period) YearAgo() Period { return p.Shift(-12) }

// Label describes the period for people: "Nov 2025 – Oct 2026".
func (p Period) Label() string {
	if p.Start.Equal(p.End) {
		return MonthLabel(p.Start)
	}
	return MonthLabel(p.Start) + " – " + MonthLabel(p.End)
}

// PeriodOption is one choice of the period selector.
type PeriodOption struct {
	Key   string
	Label string
}

// PeriodOptions lists the selector's choices, default (12m) included.
var PeriodOptions = []PeriodOption{
	{"3m", "Last 3 months"},
	{"6m", "Last 6 months"},
	{"12m", "Last 12 months"},
	{"24m", "Last 24 months"},
	{"fy", "This fiscal year to date"},
	{"pfy", "Previous fiscal year"},
}

// DefaultPeriod is the selector's default.
const DefaultPeriod = "12m"

// ValidPeriodKey reports whether key is one of PeriodOptions.
func ValidPeriodKey(key string) bool {
	for _, o := range PeriodOptions {
		if o.Key == key {
			return true
		}
	}
	return false
}

// NewPeriod resolves a selector key against the anchor month (the last
// month the dashboard shows) and the month the fiscal year starts in
// (1–12). Unknown keys fall back to DefaultPeriod.
func NewPeriod(key string, anchor time.Time, fyStartMonth int) Period {
	anchor = MonthOf(anchor)
	if fyStartMonth < 1 || fyStartMonth > 12 {
		fyStartMonth = 1
	}
	fyStart := FiscalYearStart(anchor, fyStartMonth)
	switch key {
	case "3m", "6m", "12m", "24m":
		n := map[string]int{"3m": 3, "6m": 6, "12m": 12, "24m": 24}[key]
		return Period{Key: key, Start: AddMonths(anchor, 1-n), End: anchor}
	case "fy":
		return Period{Key: key, Start: fyStart, End: anchor}
	case "pfy":
		return Period{Key: key, Start: AddMonths(fyStart, -12), End: AddMonths(fyStart, -1)}
	}
	return NewPeriod(DefaultPeriod, anchor, fyStartMonth)
}

// FiscalYearStart is the first month of the fiscal year that month m lies
// in, for a fiscal year starting in month fyStartMonth.
func FiscalYearStart(m time.Time, fyStartMonth int) time.Time {
	start := time.Date(m.Year(), time.Month(fyStartMonth), 1, 0, 0, 0, 0, time.UTC)
	if start.After(m) {
		start = start.AddDate(-1, 0, 0)
	}
	return start
}
