package templates

// The criteria page's view: the library, the active criteria and their
// weights (the matrix, shortlist filter and score views are in
// scoring_views.go).

import "fmt"

import "github.com/google/uuid"

import "pareto/internal/kpi"
import "pareto/internal/scoring"

// CriteriaView is the criteria page: the library, the active criteria in
// importance order, the weights form and the custom-criterion form.
type CriteriaView struct {
	Config     scoring.Config
	IsAdmin    bool
	Custom     CriterionForm // the add-custom form
	Edit       CriterionForm // the edit form, when EditID is set
	EditID     uuid.UUID
	Weights    WeightsForm
	LibraryErr string
	// Metrics are the active criteria with the metric each is measured
	// by; MetricFor is the criterion whose link form shows MetricErrors.
	Metrics      []kpi.CriterionMetric
	MetricFor    uuid.UUID
	MetricErrors map[string]string
}

// metricErrors are the errors of criterion id's link form.
func (v CriteriaView) metricErrors(id uuid.UUID) map[string]string {
	if id == v.MetricFor {
		return v.MetricErrors
	}
	return nil
}

// CriterionForm is a criterion's text as typed, with errors.
type CriterionForm struct {
	Input   scoring.CriterionInput
	Version int
	Errors  map[string]string
}

// WeightsForm is the weights form as typed, with errors.
type WeightsForm struct {
	Mode   scoring.WeightMode
	Values map[string]string // "weight_<id>" → typed percentage
	Errors map[string]string
}

// Editing reports whether a criterion's edit form is open.
func (v CriteriaView) Editing() bool { return v.EditID != uuid.Nil }

// LibraryItem is one standard criterion and whether the tenant uses it.
type LibraryItem struct {
	Entry     scoring.LibraryEntry
	Active    bool
	Inactive  bool // added once, deactivated since
	Criterion scoring.Criterion
}

// Library lists the standard criteria with their state in v.
func (v CriteriaView) Library() []LibraryItem {
	out := make([]LibraryItem, len(scoring.Library))
	for i, e := range scoring.Library {
		out[i].Entry = e
		for _, c := range v.Config.Criteria {
			if c.Code == e.Code {
				out[i].Criterion, out[i].Active, out[i].Inactive = c, c.Active, !c.Active
			}
		}
	}
	return out
}

// Notices are the criteria whose library text was rewritten, with the
// notice saying how.
func (v CriteriaView) Notices() []scoring.Criterion {
	var out []scoring.Criterion
	for _, c := range v.Config.Criteria {
		if c.LibraryNotice != "" {
			out = append(out, c)
		}
	}
	return out
}

// InactiveCustom lists the deactivated custom criteria.
func (v CriteriaView) InactiveCustom() []scoring.Criterion {
	var out []scoring.Criterion
	for _, c := range v.Config.Criteria {
		if !c.Active && c.Custom() {
			out = append(out, c)
		}
	}
	return out
}

// CountWarning is the gentle good-practice note on the number of active
// criteria ("" within 3–5).
func (v CriteriaView) CountWarning() string {
	n := len(v.Config.Weights)
	switch {
	case n == 0:
		return "No criterion is active yet: enable three to five from the library below, so accounts can be scored."
	case n < 3:
		return fmt.Sprintf("%s active. Good practice is three to five: with fewer, one opinion decides too much.", plural(n, "criterion is", "criteria are"))
	case n > 5:
		return fmt.Sprintf("%d criteria are active. Good practice is three to five: with more, each one matters little and scoring takes longer.", n)
	}
	return ""
}

// WeightValue is the typed or saved percentage for a criterion's input.
func (v CriteriaView) WeightValue(c scoring.Criterion) string {
	if s, ok := v.Weights.Values["weight_"+c.ID.String()]; ok {
		return s
	}
	if c.WeightBPS != nil {
		return scoring.FormatBPS(*c.WeightBPS)
	}
	for _, w := range v.Config.Weights {
		if w.CriterionID == c.ID {
			return scoring.FormatBPS(w.BPS)
		}
	}
	return ""
}

// ROCPercent is the rank-derived weight of the criterion at rank (1-based)
// among n.
func ROCPercent(rank, n int) string {
	w := scoring.ROCWeights(n)
	if rank < 1 || rank > len(w) {
		return ""
	}
	return scoring.FormatBPS(w[rank-1])
}

// WeightOf is the weight in force for criterion id, as a percentage.
func WeightOf(ws []scoring.Weight, id uuid.UUID) string {
	for _, w := range ws {
		if w.CriterionID == id {
			return scoring.FormatBPS(w.BPS)
		}
	}
	return ""
}
