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
import "pareto/internal/enum"
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

// Status is a plan's life-cycle state.
type Status string

const (
	StatusDraft  Status = "draft"
	StatusActive Status = "active"
	StatusClosed Status = "closed"
)

var statuses = enum.Labels[Status]{
	{Value: StatusDraft, Label: "Draft"},
	{Value: StatusActive, Label: "Active"},
	{Value: StatusClosed, Label: "Closed"},
}

// Statuses lists every plan status in life-cycle order.
var Statuses = statuses.Values()

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return statuses.Valid(s) }

// Label is the status's name for people.
func (s Status) Label() string { return statuses.Label(s) }

// KPI is the measure a goal moves.
type KPI string

const (
	KPIRevenue        KPI = "revenue"
	KPICSAT           KPI = "csat"
	KPINPS            KPI = "nps"
	KPIAdoption       KPI = "adoption"
	KPIUpsellRevenue  KPI = "upsell_revenue"
	KPICrossSellCount KPI = "cross_sell_count"
	KPICustom         KPI = "custom"
)

var kpis = enum.Labels[KPI]{
	{Value: KPIRevenue, Label: "Revenue"},
	{Value: KPICSAT, Label: "CSAT"},
	{Value: KPINPS, Label: "NPS"},
	{Value: KPIAdoption, Label: "Adoption (%)"},
	{Value: KPIUpsellRevenue, Label: "Upsell revenue"},
	{Value: KPICrossSellCount, Label: "Cross-sell count"},
	{Value: KPICustom, Label: "Custom measure"},
}

// KPIs lists every measure, in the order forms offer them.
var KPIs = kpis.Values()

// Valid reports whether k is a known measure.
func (k KPI) Valid() bool { return kpis.Valid(k) }

// Label is the measure's name for people.
func (k KPI) Label() string { return kpis.Label(k) }

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
// time (DeriveStatus), or a KAM's override of that.
type GoalStatus string

const (
	GoalAchieved GoalStatus = "achieved"
	GoalOnTrack  GoalStatus = "on_track"
	GoalAtRisk   GoalStatus = "at_risk"
	GoalOffTrack GoalStatus = "off_track"
	GoalOverdue  GoalStatus = "overdue"
)

var goalStatuses = enum.Labels[GoalStatus]{
	{Value: GoalAchieved, Label: "Achieved"},
	{Value: GoalOnTrack, Label: "On track"},
	{Value: GoalAtRisk, Label: "At risk"},
	{Value: GoalOffTrack, Label: "Off track"},
	{Value: GoalOverdue, Label: "Overdue"},
}

// GoalStatuses lists every goal status, best first.
var GoalStatuses = goalStatuses.Values()

// Valid reports whether s is a known goal status.
func (s GoalStatus) Valid() bool { return goalStatuses.Valid(s) }

// Label is the goal status's name for people.
func (s GoalStatus) Label() string { return goalStatuses.Label(s) }

// CellState is one whitespace cell: what an account has of a product.
type CellState string

const (
	CellNone        CellState = "" // not assessed yet (no row)
	CellOwned       CellState = "owned"
	CellOpportunity CellState = "opportunity"
	CellNotFit      CellState = "not_fit"
)

// cellStates are the states a cell can hold, none (not assessed) first.
var cellStates = enum.Labels[CellState]{
	{Value: CellNone, Label: "Not assessed"},
	{Value: CellOwned, Label: "Owned"},
	{Value: CellOpportunity, Label: "Opportunity"},
	{Value: CellNotFit, Label: "Not a fit"},
}

// CellStates lists the states a cell can be set to.
var CellStates = cellStates.Values()[1:]

// Valid reports whether s is a state a cell can hold (or none).
func (s CellState) Valid() bool { return cellStates.Valid(s) }

// Label is the state's name for people.
func (s CellState) Label() string { return cellStates.Label(s) }

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
