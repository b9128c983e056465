package kpi

import "fmt"
import "strings"
import "time"

import "pareto/internal/db"

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
	Key   string // the selector's value: 3m, 6m, 12m, 24m, fy, pfy, a quarter ("2026-Q4") or custom
	Start time.Time
	End   time.Time
	// Complete is the last complete month when the period was chosen (the
	// month before the one under way): later months are partial. Zero
	// when unknown (every month counts as complete).
	Complete time.Time
}

// Months is how many months the period covers.
func (p Period) Months() int { return MonthsBetween(p.Start, p.End) }

// Contains reports whether month m lies in the period.
func (p Period) Contains(m time.Time) bool { return !m.Before(p.Start) && !m.After(p.End) }

// Partial reports whether month m was not complete yet when the period
// was chosen: its figures may still grow.
func (p Period) Partial(m time.Time) bool { return !p.Complete.IsZero() && m.After(p.Complete) }

// HasPartial reports whether the period reaches past the last complete
// month.
func (p Period) HasPartial() bool { return p.Partial(p.End) }

// Shift moves the whole period by n months.
func (p Period) Shift(n int) Period {
	return Period{Key: p.Key, Start: AddMonths(p.Start, n), End: AddMonths(p.End, n), Complete: p.Complete}
}

// Previous is the period of the same length just before p ("period over
// period"): for a fiscal year to date that is the same months of the
// previous fiscal year, for a quarter the quarter before.
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

// PeriodOptions lists the selector's relative choices, default (12m)
// included; PeriodChoices adds the quarters and the custom range.
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

// CustomPeriod is the selector's value for a range of months typed in.
const CustomPeriod = "custom"

// MaxCustomMonths bounds a custom range.
const MaxCustomMonths = 60

// QuartersOffered is how many quarters the selector lists.
const QuartersOffered = 8

// ValidPeriodKey reports whether key is one of PeriodOptions.
func ValidPeriodKey(key string) bool {
	for _, o := range PeriodOptions {
		if o.Key == key {
			return true
		}
	}
	return false
}

// LastComplete is the last complete month on today: the month before the
// one under way. Dashboards end there by default, whatever figures were
// typed for the month under way.
func LastComplete(today time.Time) time.Time { return AddMonths(MonthOf(today), -1) }

// NewPeriod resolves a relative selector key against the anchor month
// (the last month the dashboard shows) and the month the fiscal year
// starts in (1–12). Unknown keys fall back to DefaultPeriod.
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

// fiscalYearName is the year a fiscal year starting in month start is
// named after: the calendar year it ends in (FY2027 with an April start
// runs Apr 2026 – Mar 2027), as plans name them.
func fiscalYearName(start time.Time) int { return AddMonths(start, 11).Year() }

// PeriodChoice is a period as the dashboard's address carries it: Key is
// a PeriodOptions key, a fiscal quarter ("2027-Q1": the first quarter of
// the fiscal year named 2027) or CustomPeriod with From and To months
// ("2026-01").
type PeriodChoice struct {
	Key, From, To string
}

// Quarter is a fiscal quarter: quarter Q (1–4) of the fiscal year named
// Year.
type Quarter struct {
	Year, Q int
}

// Key is the quarter as the selector's value: "2027-Q1".
func (q Quarter) Key() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// Start is the quarter's first month for a fiscal year starting in month
// fyStartMonth.
func (q Quarter) Start(fyStartMonth int) time.Time {
	first := time.Date(q.Year, time.Month(fyStartMonth), 1, 0, 0, 0, 0, time.UTC)
	if fyStartMonth > 1 {
		first = first.AddDate(-1, 0, 0)
	}
	return AddMonths(first, 3*(q.Q-1))
}

// Label names the quarter for people: "Q4 2026 (Oct – Dec 2026)", or with
// a fiscal year not starting in January "Q3 FY2027 (Oct – Dec 2026)".
func (q Quarter) Label(fyStartMonth int) string {
	s := q.Start(fyStartMonth)
	name := fmt.Sprintf("Q%d %d", q.Q, q.Year)
	if fyStartMonth != 1 {
		name = fmt.Sprintf("Q%d FY%d", q.Q, q.Year)
	}
	return name + " (" + s.Format("Jan") + " – " + MonthLabel(AddMonths(s, 2)) + ")"
}

// QuarterOf is the fiscal quarter month m lies in.
func QuarterOf(m time.Time, fyStartMonth int) Quarter {
	start := FiscalYearStart(MonthOf(m), fyStartMonth)
	return Quarter{Year: fiscalYearName(start), Q: (MonthsBetween(start, MonthOf(m))-1)/3 + 1}
}

// parseQuarter reads "2027-Q1".
func parseQuarter(s string) (Quarter, bool) {
	var q Quarter
	if len(s) != 7 || s[4:6] != "-Q" {
		return q, false
	}
	if _, err := fmt.Sscanf(s, "%4d-Q%1d", &q.Year, &q.Q); err != nil || q.Q < 1 || q.Q > 4 || q.Year < 2000 || q.Year > 2100 {
		return Quarter{}, false
	}
	return q, true
}

// Quarters lists the QuartersOffered fiscal quarters up to the one the
// last complete month lies in, latest first.
func Quarters(today time.Time, fyStartMonth int) []Quarter {
	q := QuarterOf(LastComplete(today), fyStartMonth)
	out := make([]Quarter, 0, QuartersOffered)
	for range QuartersOffered {
		out = append(out, q)
		if q.Q--; q.Q == 0 {
			q = Quarter{Year: q.Year - 1, Q: 4}
		}
	}
	return out
}

// ResolvePeriod turns a choice into months on today, for a fiscal year
// starting in month fyStartMonth. Relative periods end at the last
// complete month (LastComplete); a quarter or a custom range may reach
// into the month under way (never later), whose figures are partial.
// A custom range that cannot be read gets field errors ("from", "to") and
// the default period; an unknown key is the default period.
func ResolvePeriod(c PeriodChoice, today time.Time, fyStartMonth int) (Period, db.FieldErrors) {
	if fyStartMonth < 1 || fyStartMonth > 12 {
		fyStartMonth = 1
	}
	complete, current := LastComplete(today), MonthOf(today)
	if q, ok := parseQuarter(c.Key); ok {
		start := q.Start(fyStartMonth)
		end := AddMonths(start, 2)
		if end.After(current) {
			end = current
		}
		if !start.After(current) {
			return Period{Key: q.Key(), Start: start, End: end, Complete: complete}, nil
		}
		return withComplete(NewPeriod(DefaultPeriod, complete, fyStartMonth), complete), db.FieldErrors{
			"period": "That quarter has not started yet."}
	}
	if c.Key != CustomPeriod {
		p := NewPeriod(c.Key, complete, fyStartMonth)
		return withComplete(p, complete), nil
	}
	fe := db.FieldErrors{}
	month := func(field, s, missing string) time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			fe.Add(field, missing)
			return time.Time{}
		}
		m, err := ParseMonth(s)
		switch {
		case err != nil:
			fe.Add(field, "Use a month like "+FormatMonth(complete)+".")
		case m.Before(EarliestMonth) || m.After(current):
			fe.Add(field, "Choose a month from "+FormatMonth(EarliestMonth)+" to this month ("+FormatMonth(current)+").")
		}
		return m
	}
	from := month("from", c.From, "Enter the first month of the range.")
	to := month("to", c.To, "Enter the last month of the range.")
	if len(fe) == 0 {
		switch n := MonthsBetween(from, to); {
		case n == 0:
			fe.Add("to", "The last month must not be before the first.")
		case n > MaxCustomMonths:
			fe.Add("to", fmt.Sprintf("Choose at most %d months.", MaxCustomMonths))
		}
	}
	if len(fe) > 0 {
		return withComplete(NewPeriod(DefaultPeriod, complete, fyStartMonth), complete), fe
	}
	return Period{Key: CustomPeriod, Start: from, End: to, Complete: complete}, nil
}

func withComplete(p Period, complete time.Time) Period {
	p.Complete = complete
	return p
}
