package templates

import "cmp"
import "context"
import "math"
import "net/url"
import "strconv"
import "strings"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/plan"

// PlansFilter is the plan list's query, as typed.
type PlansFilter struct {
	KAM    string
	Status string
	Period string
	Sort   string
	Desc   bool
}

func (f PlansFilter) values() url.Values {
	q := queryOf(map[string]string{"kam": f.KAM, "status": f.Status, "period": f.Period, "sort": f.Sort})
	if f.Desc {
		q.Set("desc", "1")
	}
	return q
}

// Query encodes the filter for links, with page.
func (f PlansFilter) Query(page int) string {
	q := f.values()
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/plans?" + q.Encode()
}

// SortLink is the link a column header makes: by key, flipping the
// direction when already sorted by it.
func (f PlansFilter) SortLink(key string) string {
	f.Desc = sortDesc(f.sortKey(), f.Desc, key, "overdue", "updated")
	f.Sort = key
	return f.Query(1)
}

func (f PlansFilter) sortKey() string { return cmp.Or(f.Sort, "account") }

// SortClass marks the column the list is sorted by.
func (f PlansFilter) SortClass(key string) string {
	return sortClass(f.sortKey() == key, f.Desc)
}

// FormatNumber shows an amount with thousands separators and at most two
// decimals, e.g. 1,250,000 or 4.5.
func FormatNumber(ctx context.Context, v float64) string { return loc(ctx).Number(v, 2) }

// FormatPercent shows a percentage without decimals.
func FormatPercent(p float64) string { return strconv.Itoa(int(math.Round(p))) + "%" }

// formNumber is a number as a form field shows it: no separators, the
// locale's decimal point (the form kit reads it back).
func formNumber(ctx context.Context, v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", string(loc(ctx).Point), 1)
}

func formNumberPtr(ctx context.Context, v *float64) string {
	if v == nil {
		return ""
	}
	return formNumber(ctx, *v)
}

func formDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func formDatePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formDate(*t)
}

// FormatLongDate shows a date in a sentence, e.g. 31 Mar 2027 (en),
// 31.03.2027 (de).
func FormatLongDate(ctx context.Context, t time.Time) string { return loc(ctx).LongDate(t) }

func progressValue(p float64) string { return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) }

func directionArrow(d plan.Direction) string {
	if d == plan.Decrease {
		return "↓"
	}
	return "↑"
}

func directionLabel(d plan.Direction) string {
	if d == plan.Decrease {
		return "lower is better"
	}
	return "higher is better"
}

func goalStatusClass(s plan.GoalStatus) string {
	return "badge goal-" + strings.ReplaceAll(string(s), "_", "-")
}

func planStatusClass(s plan.Status) string { return "badge plan-" + string(s) }

func cellClass(s plan.CellState) string {
	if s == plan.CellNone {
		return "ws-cell ws-none"
	}
	return "ws-cell ws-" + strings.ReplaceAll(string(s), "_", "-")
}

func actionDomID(id uuid.UUID) string { return "action-" + id.String() }

func planHref(id uuid.UUID) templ.SafeURL { return templ.SafeURL("/plans/" + id.String()) }

func daysLabel(n int) string {
	if n == 1 {
		return "1 day overdue"
	}
	return strconv.Itoa(n) + " days overdue"
}

// Months are the fiscal-year start choices.
var Months = []time.Month{time.January, time.February, time.March, time.April, time.May, time.June,
	time.July, time.August, time.September, time.October, time.November, time.December}

// Opened is the goal form shown open on the plan page with errs.
func (f GoalForm) Opened(errs map[string]string) GoalForm {
	f.Errors, f.Open = errs, true
	return f
}

// Opened is the action form shown open on the plan page with errs.
func (f ActionForm) Opened(errs map[string]string) ActionForm {
	f.Errors, f.Open = errs, true
	return f
}
