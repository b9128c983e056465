package plan

import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/limits"

// Head is what a plan and its row in the lists share: which plan, whose
// account and KAM, the period and the status.
type Head struct {
	ID          uuid.UUID
	AccountID   uuid.UUID
	AccountName string
	KAMUserID   *uuid.UUID
	KAMName     string
	Period      string
	Status      Status
}

// Plan is one account's plan for one fiscal year.
type Plan struct {
	Head
	Why       string
	Version   int
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// First and Last are the period's days under the tenant's fiscal year.
	First, Last time.Time
}

// Detail is a plan with its goals and actions, for the plan page.
type Detail struct {
	Plan
	Goals   []Goal
	Actions []Action
}

// GoalActions are the actions under goalID (uuid.Nil: the plan's own).
func (d Detail) GoalActions(goalID uuid.UUID) []Action {
	var out []Action
	for _, a := range d.Actions {
		if (a.GoalID == nil && goalID == uuid.Nil) || (a.GoalID != nil && *a.GoalID == goalID) {
			out = append(out, a)
		}
	}
	return out
}

// Goal is one measurable goal: the "what". Its editable fields are its
// GoalInput.
type Goal struct {
	ID     uuid.UUID
	PlanID uuid.UUID
	GoalInput
	// Override is a KAM's judgement of the status ("" when none), with the
	// reason they gave, who and when; it shows beside the derived status
	// and never replaces it.
	Override       GoalStatus
	OverrideReason string
	OverrideBy     string
	OverrideAt     *time.Time
	Version        int
	UpdatedAt      time.Time

	// Filled by the loader (evaluate): the plan's account and first and
	// last day, the latest KPI figure for the goal's measure inside the
	// plan's period, and the status derived on the loader's today with
	// the progress expected by then.
	AccountID  uuid.UUID
	Start, End time.Time
	Figure     *Figure
	Derived    GoalStatus
	Expected   float64
	Tolerance  int
}

// Status is the status the goal shows first: the KAM's override when
// there is one, else the derived status (Derived, shown beside it).
func (g Goal) Status() GoalStatus {
	if g.Override != "" {
		return g.Override
	}
	return g.Derived
}

// Figure is a KPI value and the month it was measured (for flow measures
// such as revenue, the sum of the twelve months ending then).
type Figure struct {
	Value float64
	Month time.Time
}

// Measure names what the goal moves.
func (g Goal) Measure() string {
	if g.KPI == KPICustom && g.CustomMeasure != "" {
		return g.CustomMeasure
	}
	return g.KPI.Label()
}

// Direction is whether the goal raises or lowers its measure.
func (g Goal) Direction() Direction {
	d, _ := DirectionOf(g.Baseline, g.Target)
	return d
}

// Current is the latest value of the goal's measure: the KPI figure when
// one exists, else the value typed by hand, else nil.
func (g Goal) Current() *float64 {
	if g.Figure != nil {
		v := g.Figure.Value
		return &v
	}
	return g.ManualProgress
}

// FromKPI reports whether Current comes from a KPI figure.
func (g Goal) FromKPI() bool { return g.Figure != nil }

// Progress is the goal's progress in percent (see Progress).
func (g Goal) Progress() (pct float64, known bool) {
	return Progress(g.Baseline, g.Target, g.Current())
}

// Action is one step toward a goal or the plan: the "how".
type Action struct {
	ID          uuid.UUID
	PlanID      uuid.UUID
	GoalID      *uuid.UUID
	GoalTitle   string
	Description string
	OwnerID     uuid.UUID
	OwnerName   string
	DueDate     time.Time
	DoneAt      *time.Time
	Version     int
}

// Done reports whether the action is done.
func (a Action) Done() bool { return a.DoneAt != nil }

// Overdue reports whether the action is open and due before today.
func (a Action) Overdue(today time.Time) bool {
	return a.DoneAt == nil && a.DueDate.Before(dateOf(today))
}

// PlanInput is a plan's editable fields.
type PlanInput struct {
	Period string
	Status Status
	Why    string
}

func (in *PlanInput) normalize() {
	in.Period = strings.ToUpper(strings.TrimSpace(in.Period))
	in.Why = strings.TrimSpace(in.Why)
}

// Validate checks the fields on their own.
func (in PlanInput) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	if in.Period == "" {
		fe.Add("period", "Enter the fiscal year, e.g. FY2027.")
	} else if _, err := ParsePeriod(in.Period); err != nil {
		fe.Add("period", "Use FY and a four-digit year between 2000 and 2100, e.g. FY2027.")
	}
	if !in.Status.Valid() {
		fe.Add("status", "Choose draft, active or closed.")
	}
	if utf8.RuneCountInString(in.Why) > limits.Paragraph {
		fe.Add("why", "Keep the purpose short: at most 2000 characters.")
	}
	return fe
}

// GoalInput is a goal's editable fields.
type GoalInput struct {
	Title         string
	KPI           KPI
	CustomMeasure string
	Baseline      float64
	Target        float64
	DueDate       time.Time
	// ManualProgress is the measure's current value typed by hand (in the
	// measure's unit), used until a KPI figure exists.
	ManualProgress *float64
}

func (in *GoalInput) normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.CustomMeasure = strings.TrimSpace(in.CustomMeasure)
	if in.KPI != KPICustom {
		in.CustomMeasure = ""
	}
	if !in.DueDate.IsZero() {
		in.DueDate = dateOf(in.DueDate)
	}
}

// Validate checks the fields on their own: a title, a known measure (a
// name for a custom one), values the measure can take on the tenant's
// CSAT scale csatScale (NPS −100…100, adoption 0–100 %, CSAT 1–5 or
// 0–100), a target that differs from the baseline (the direction is
// derived from them), a due date. The due date's place in the plan's
// period is checked by the store.
func (in GoalInput) Validate(csatScale string) db.FieldErrors {
	fe := db.FieldErrors{}
	fe.Text("title", in.Title, limits.Name, "Give the goal a title.", "Keep the title under 200 characters.")
	if !in.KPI.Valid() {
		fe.Add("kpi", "Choose the KPI this goal moves.")
	}
	if in.KPI == KPICustom {
		if in.CustomMeasure == "" {
			fe.Add("custom_measure", "Name the custom measure, e.g. \"Joint case studies\".")
		} else if utf8.RuneCountInString(in.CustomMeasure) > limits.Label {
			fe.Add("custom_measure", "Keep the measure's name under 100 characters.")
		}
	}
	if in.KPI.Valid() {
		checkValue(fe, "baseline", in.KPI, csatScale, in.Baseline)
		checkValue(fe, "target", in.KPI, csatScale, in.Target)
		if in.ManualProgress != nil {
			checkValue(fe, "manual_progress", in.KPI, csatScale, *in.ManualProgress)
		}
	}
	if _, ok := DirectionOf(in.Baseline, in.Target); !ok {
		fe.Add("target", "The target must differ from the baseline: above it to raise the measure, below it to lower it.")
	}
	if in.DueDate.IsZero() {
		fe.Add("due_date", "Enter the date the goal is due.")
	}
	return fe
}

func checkValue(fe db.FieldErrors, field string, k KPI, csatScale string, v float64) {
	lo, hi, integer := k.bounds(csatScale)
	switch {
	case v < lo || v > hi:
		switch k {
		case KPIRevenue, KPIUpsellRevenue, KPICrossSellCount:
			fe.Add(field, "Enter a value of zero or more.")
		case KPICSAT:
			if csatScale == kpi.ScalePercent {
				fe.Add(field, "CSAT is the percentage of satisfied customers here: from 0 to 100.")
			} else {
				fe.Add(field, "CSAT is an average rating from 1 to 5 here (your tenant's scale).")
			}
		case KPIAdoption:
			fe.Add(field, "Adoption is a percentage between 0 and 100.")
		case KPINPS:
			fe.Add(field, "NPS is between −100 and 100.")
		default:
			fe.Add(field, "The value is too large.")
		}
	case integer && v != float64(int64(v)):
		fe.Add(field, "Cross-sells are counted: enter a whole number.")
	}
}

// ActionInput is an action's editable fields.
type ActionInput struct {
	GoalID      *uuid.UUID
	Description string
	OwnerID     uuid.UUID
	DueDate     time.Time
}

func (in *ActionInput) normalize() {
	in.Description = strings.TrimSpace(in.Description)
	if !in.DueDate.IsZero() {
		in.DueDate = dateOf(in.DueDate)
	}
}

// Validate checks the fields on their own; the owner's membership, the
// goal's plan and the due date's place in the period are checked by the
// store.
func (in ActionInput) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	fe.Text("description", in.Description, limits.Line, "Describe the action.", "Keep the description under 500 characters.")
	if in.OwnerID == uuid.Nil {
		fe.Add("owner", "Choose who owns the action.")
	}
	if in.DueDate.IsZero() {
		fe.Add("due_date", "Enter the date the action is due.")
	}
	return fe
}

// Product is one entry of the tenant's catalogue.
type Product struct {
	ID          uuid.UUID
	Name        string
	Description string
	Active      bool
	Version     int
}

// ProductInput is a product's editable fields.
type ProductInput struct {
	Name        string
	Description string
	Active      bool
}

func (in *ProductInput) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
}

// Validate checks the fields on their own.
func (in ProductInput) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	fe.Text("name", in.Name, limits.Label, "Name the product.", "Keep the name under 100 characters.")
	if utf8.RuneCountInString(in.Description) > limits.Line {
		fe.Add("description", "Keep the description under 500 characters.")
	}
	return fe
}

// Cell is one account × product square of the whitespace grid.
type Cell struct {
	AccountID      uuid.UUID
	ProductID      uuid.UUID
	State          CellState
	EstimatedValue *float64
	ExpectedClose  *time.Time
	Version        int // 0: not assessed yet (no row)
	UpdatedBy      string
	UpdatedAt      time.Time
}

// OpenValue is the cell's open opportunity value (0 unless an opportunity).
func (c Cell) OpenValue() float64 {
	if c.State == CellOpportunity && c.EstimatedValue != nil {
		return *c.EstimatedValue
	}
	return 0
}

// CellInput is what a cell is set to. State CellNone clears the cell.
type CellInput struct {
	State          CellState
	EstimatedValue *float64
	ExpectedClose  *time.Time
}

// Validate checks the fields: an opportunity needs an estimated value of
// zero or more and may have an expected close date; the other states carry
// neither (they are dropped).
func (in *CellInput) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	if !in.State.Valid() {
		fe.Add("state", "Choose owned, opportunity or not a fit.")
		return fe
	}
	if in.State != CellOpportunity {
		in.EstimatedValue, in.ExpectedClose = nil, nil
		return fe
	}
	switch {
	case in.EstimatedValue == nil:
		fe.Add("estimated_value", "Estimate the opportunity's value.")
	case *in.EstimatedValue < 0:
		fe.Add("estimated_value", "The value cannot be negative.")
	case *in.EstimatedValue > maxValue:
		fe.Add("estimated_value", "The value is too large.")
	}
	if in.ExpectedClose != nil {
		d := dateOf(*in.ExpectedClose)
		in.ExpectedClose = &d
		if d.Year() < minYear || d.Year() > maxYear {
			fe.Add("expected_close", "Enter a date between 2000 and 2100.")
		}
	}
	return fe
}

// Settings are the tenant's plan settings.
type Settings struct {
	FiscalYearStartMonth int
	// GoalTolerance is the points of progress a goal may lag the linear
	// expectation and still be on track (DeriveStatus).
	GoalTolerance int
	Version       int // 0 until first saved
}

// DefaultSettings apply until an admin saves settings.
var DefaultSettings = Settings{FiscalYearStartMonth: 1, GoalTolerance: DefaultTolerance}

// OverrideInput is a KAM's override of a goal's derived status: Status ""
// clears it; a status needs a reason.
type OverrideInput struct {
	Status GoalStatus
	Reason string
}

func (in *OverrideInput) normalize() { in.Reason = strings.TrimSpace(in.Reason) }

// Validate checks the override: a known status (or none) and, with one, a
// reason of at most limits.Paragraph characters.
func (in OverrideInput) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	switch {
	case in.Status != "" && !in.Status.Valid():
		fe.Add("override", "Choose a status, or none to show the derived one alone.")
	case in.Status != "" && in.Reason == "":
		fe.Add("override_reason", "Say why the goal's status differs from what its figures show.")
	}
	if utf8.RuneCountInString(in.Reason) > limits.Paragraph {
		fe.Add("override_reason", "Keep the reason under 2000 characters.")
	}
	return fe
}
