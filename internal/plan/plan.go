// Package plan holds goal plans built on the why / how / what framework:
// one plan per key account per fiscal year, its measurable goals, the
// actions under them, the tenant's product catalogue and the whitespace
// grid of key accounts × products.
//
// Permission rule, for every write: admins and leaders may change any plan
// and any account's whitespace; a key account manager only those of the
// accounts whose kam_user_id is them (db.ErrForbidden otherwise). An
// action's owner may also mark it done. Another tenant's record, or one that
// does not exist, is db.ErrNotFound. Every signed-in member may read. The
// product catalogue and the fiscal-year setting are admin-only; the caller
// (the router) checks that role.
package plan

import "fmt"
import "math"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/kpi"

// Actor is who does a piece of work: the tenant scope and their role in
// it. Whether they may change an account's plans and whitespace is the
// account's edit rule (account.CanEditManagedBy).
type Actor struct {
	db.Scope
	Role auth.Role
}

// CanEdit reports whether a may change plans of an account whose KAM is
// kam (nil when the account has none).
func (a Actor) CanEdit(kam *uuid.UUID) bool {
	id := uuid.Nil
	if kam != nil {
		id = *kam
	}
	return account.CanEditManagedBy(a.Role, a.UserID, id)
}

func (a Actor) mayEdit(kam *uuid.UUID) error {
	if !a.CanEdit(kam) {
		return fmt.Errorf("only the account's KAM, leaders and admins may change its plan: %w", db.ErrForbidden)
	}
	return nil
}

// Status is a plan's life-cycle state, in life-cycle order.
//
//	StatusDraft  "draft"  "Draft"
//	StatusActive "active" "Active"
//	StatusClosed "closed" "Closed"
//
//enumgen:values Statuses
type Status string

// KPI is the measure a goal moves, in the order forms offer them.
//
//	KPIRevenue        "revenue"          "Revenue"
//	KPICSAT           "csat"             "CSAT"
//	KPINPS            "nps"              "NPS"
//	KPIAdoption       "adoption"         "Adoption (%)"
//	KPIUpsellRevenue  "upsell_revenue"   "Upsell revenue"
//	KPICrossSellCount "cross_sell_count" "Cross-sell count"
//	KPICustom         "custom"           "Custom measure"
//
//enumgen:values KPIs
type KPI string

// bounds are the values a measure can take (inclusive) for a tenant whose
// CSAT scale is csatScale (kpi.ScaleFive or kpi.ScalePercent); integer
// measures count things.
func (k KPI) bounds(csatScale string) (lo, hi float64, integer bool) {
	switch k {
	case KPIRevenue, KPIUpsellRevenue:
		return 0, maxValue, false
	case KPICSAT:
		if csatScale == kpi.ScalePercent {
			return 0, 100, false
		}
		return 1, 5, false
	case KPIAdoption:
		return 0, 100, false
	case KPINPS:
		return -100, 100, false
	case KPICrossSellCount:
		return 0, maxValue, true
	}
	return -maxValue, maxValue, false
}

// maxValue keeps values inside numeric(15, 2).
const maxValue = 1e13 - 1

// GoalStatus is how a goal is going: derived from its progress against
// time (DeriveStatus), or a KAM's override of that. Best first.
//
//	GoalAchieved "achieved"  "Achieved"
//	GoalOnTrack  "on_track"  "On track"
//	GoalAtRisk   "at_risk"   "At risk"
//	GoalOffTrack "off_track" "Off track"
//	GoalOverdue  "overdue"   "Overdue"
//
//enumgen:values GoalStatuses
type GoalStatus string

// CellState is one whitespace cell: what an account has of a product.
// Valid takes none (not assessed) too; CellStates, the states a cell can
// be set to, leaves it out.
//
//	CellNone        ""            "Not assessed" // not assessed yet (no row)
//	CellOwned       "owned"       "Owned"
//	CellOpportunity "opportunity" "Opportunity"
//	CellNotFit      "not_fit"     "Not a fit"
//
//enumgen:values
type CellState string

// CellStates lists the states a cell can be set to.
var CellStates = cellStateLabels.Values()[1:]

// Progress is how far the latest value of a goal's measure has moved from
// its baseline toward its target, in percent clamped to 0..100:
// (latest − baseline) / (target − baseline). It works for goals that
// decrease a measure too (both differences are then negative). known is
// false when there is no latest value yet (or target equals baseline),
// and pct is then 0.
//
// latest is the latest KPI figure for the goal's measure when one exists,
// else the value typed by hand (Goal.ManualProgress); see Goal.Current.
func Progress(baseline, target float64, latest *float64) (pct float64, known bool) {
	if latest == nil || target == baseline {
		return 0, false
	}
	p := (*latest - baseline) / (target - baseline) * 100
	switch {
	case math.IsNaN(p) || p < 0:
		return 0, true
	case p > 100:
		return 100, true
	}
	return p, true
}

// Direction says whether a goal raises or lowers its measure.
type Direction int

const (
	Increase Direction = 1
	Decrease Direction = -1
)

// DirectionOf derives a goal's direction: a target above the baseline
// raises the measure; below lowers it. Equal is invalid (ok false).
func DirectionOf(baseline, target float64) (d Direction, ok bool) {
	switch {
	case target > baseline:
		return Increase, true
	case target < baseline:
		return Decrease, true
	}
	return 0, false
}

// Period names a fiscal year: "FY2027" is the fiscal year that ends in
// 2027. With a January start it is calendar 2027; with an April start it
// runs from 1 April 2026 to 31 March 2027.
type Period struct {
	Year int
}

const minYear, maxYear = 2000, 2100

// ParsePeriod reads "FY2027" (case and surrounding space ignored).
func ParsePeriod(s string) (Period, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "FY")
	if !ok || len(rest) != 4 {
		return Period{}, fmt.Errorf("plan: period %q: use FY and a four-digit year, e.g. FY2027", s)
	}
	y, err := strconv.Atoi(rest)
	if err != nil || y < minYear || y > maxYear {
		return Period{}, fmt.Errorf("plan: period %q: the year must be between %d and %d", s, minYear, maxYear)
	}
	return Period{Year: y}, nil
}

// String is the period's label, e.g. "FY2027".
func (p Period) String() string { return fmt.Sprintf("FY%04d", p.Year) }

// Next is the fiscal year after p.
func (p Period) Next() Period { return Period{Year: p.Year + 1} }

// Range is the first and last day of p for a fiscal year starting in
// startMonth (1–12; anything else counts as January).
func (p Period) Range(startMonth int) (first, last time.Time) {
	if startMonth < 1 || startMonth > 12 {
		startMonth = 1
	}
	year := p.Year
	if startMonth > 1 {
		year--
	}
	first = time.Date(year, time.Month(startMonth), 1, 0, 0, 0, 0, time.UTC)
	return first, first.AddDate(1, 0, -1)
}

// Contains reports whether day falls inside p.
func (p Period) Contains(day time.Time, startMonth int) bool {
	first, last := p.Range(startMonth)
	d := dateOf(day)
	return !d.Before(first) && !d.After(last)
}

// PeriodOf is the fiscal year day falls in.
func PeriodOf(day time.Time, startMonth int) Period {
	if startMonth < 1 || startMonth > 12 {
		startMonth = 1
	}
	y := day.Year()
	if startMonth > 1 && int(day.Month()) >= startMonth {
		y++
	}
	return Period{Year: y}
}

// dateOf drops the time of day, keeping the calendar date.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// FormatRange shows a period's dates, e.g. "1 Apr 2026 – 31 Mar 2027".
func FormatRange(first, last time.Time) string {
	return first.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
}
