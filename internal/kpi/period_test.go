package kpi_test

import "testing"
import "time"

import "pareto/internal/kpi"

func TestResolvePeriod(t *testing.T) {
	today := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) // December under way: November is the last complete month
	tests := []struct {
		name     string
		choice   kpi.PeriodChoice
		fyStart  int
		want     string // Label
		partial  bool   // the last month is partial
		errField string
	}{
		{"Default", kpi.PeriodChoice{}, 1, "Dec 2025 – Nov 2026", false, ""},
		{"Unknown", kpi.PeriodChoice{Key: "7y"}, 1, "Dec 2025 – Nov 2026", false, ""},
		{"ThreeMonths", kpi.PeriodChoice{Key: "3m"}, 1, "Sep 2026 – Nov 2026", false, ""},
		{"TwentyFour", kpi.PeriodChoice{Key: "24m"}, 1, "Dec 2024 – Nov 2026", false, ""},
		{"FiscalYearToDate", kpi.PeriodChoice{Key: "fy"}, 1, "Jan 2026 – Nov 2026", false, ""},
		// An April fiscal year: FY2027 runs Apr 2026 – Mar 2027.
		{"FiscalYearToDateApril", kpi.PeriodChoice{Key: "fy"}, 4, "Apr 2026 – Nov 2026", false, ""},
		{"PreviousFiscalYearApril", kpi.PeriodChoice{Key: "pfy"}, 4, "Apr 2025 – Mar 2026", false, ""},
		// Q4 2026 is Oct – Dec 2026; December is under way, so it ends there, partial.
		{"QuarterUnderWay", kpi.PeriodChoice{Key: "2026-Q4"}, 1, "Oct 2026 – Dec 2026", true, ""},
		{"QuarterDone", kpi.PeriodChoice{Key: "2026-Q2"}, 1, "Apr 2026 – Jun 2026", false, ""},
		// Fiscal Q3 of FY2027 with an April start: Oct – Dec 2026.
		{"FiscalQuarter", kpi.PeriodChoice{Key: "2027-Q3"}, 4, "Oct 2026 – Dec 2026", true, ""},
		{"QuarterNotStarted", kpi.PeriodChoice{Key: "2027-Q1"}, 1, "Dec 2025 – Nov 2026", false, "period"},
		{"Custom", kpi.PeriodChoice{Key: "custom", From: "2026-02", To: "2026-05"}, 1, "Feb 2026 – May 2026", false, ""},
		{"CustomOneMonth", kpi.PeriodChoice{Key: "custom", From: "2026-12", To: "2026-12"}, 1, "Dec 2026", true, ""},
		{"CustomReversed", kpi.PeriodChoice{Key: "custom", From: "2026-05", To: "2026-02"}, 1, "Dec 2025 – Nov 2026", false, "to"},
		{"CustomFuture", kpi.PeriodChoice{Key: "custom", From: "2026-05", To: "2027-01"}, 1, "Dec 2025 – Nov 2026", false, "to"},
		{"CustomMissing", kpi.PeriodChoice{Key: "custom", To: "2026-05"}, 1, "Dec 2025 – Nov 2026", false, "from"},
		{"CustomGarbage", kpi.PeriodChoice{Key: "custom", From: "last spring", To: "2026-05"}, 1, "Dec 2025 – Nov 2026", false, "from"},
		{"CustomTooLong", kpi.PeriodChoice{Key: "custom", From: "2020-01", To: "2026-01"}, 1, "Dec 2025 – Nov 2026", false, "to"},
		{"CustomSixtyMonths", kpi.PeriodChoice{Key: "custom", From: "2021-02", To: "2026-01"}, 1, "Feb 2021 – Jan 2026", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, fe := kpi.ResolvePeriod(tt.choice, today, tt.fyStart)
			if got := p.Label(); got != tt.want {
				t.Errorf("period %s, want %s", got, tt.want)
			}
			if p.HasPartial() != tt.partial {
				t.Errorf("partial %v, want %v", p.HasPartial(), tt.partial)
			}
			if tt.errField == "" && len(fe) > 0 {
				t.Errorf("errors %v", fe)
			}
			if _, ok := fe[tt.errField]; tt.errField != "" && !ok {
				t.Errorf("want an error on %s, got %v", tt.errField, fe)
			}
		})
	}
}

func TestQuarters(t *testing.T) {
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	qs := kpi.Quarters(today, 1)
	if len(qs) != kpi.QuartersOffered || qs[0].Key() != "2026-Q4" || qs[1].Key() != "2026-Q3" || qs[4].Key() != "2025-Q4" {
		t.Fatalf("quarters %v", qs)
	}
	if got := qs[0].Label(1); got != "Q4 2026 (Oct – Dec 2026)" {
		t.Errorf("label %q", got)
	}
	// With an April start, December 2026 lies in Q3 of FY2027.
	qs = kpi.Quarters(today, 4)
	if qs[0].Key() != "2027-Q3" || qs[0].Label(4) != "Q3 FY2027 (Oct – Dec 2026)" || qs[2].Key() != "2027-Q1" || qs[3].Key() != "2026-Q4" {
		t.Fatalf("april quarters %v %q", qs, qs[0].Label(4))
	}
	// On 1 Jan the last complete month is December: the year's Q1 is not offered yet.
	if qs := kpi.Quarters(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 1); qs[0].Key() != "2026-Q4" {
		t.Fatalf("on 1 Jan: %v", qs)
	}
}
