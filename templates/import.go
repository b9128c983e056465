package templates

import (
	"pareto/internal/account"
)

// ImportUploadView is the import's first step.
type ImportUploadView struct {
	Errors map[string]string
}

// ImportColumn is one CSV column on the mapping form.
type ImportColumn struct {
	Index   int
	Header  string
	Samples []string
	Field   string // the mapped field key, "" when ignored
}

// ImportView maps the columns of an uploaded file and, once mapped,
// previews what committing it would do.
type ImportView struct {
	File    account.ImportFile
	Columns []ImportColumn
	Mapping account.Mapping
	// Plan is set once the person previewed a mapping.
	Plan       *account.Plan
	Errors     []account.RowError // the first errors of Plan
	MoreErrors int
	Changes    []account.PlanRow // the first rows that create or update
	Currency   string
}

func importURL(v ImportView) string { return "/accounts/import/" + v.File.ID.String() }

// SetPlan shows p: its first errors and its first changes.
func (v *ImportView) SetPlan(p account.Plan) {
	v.Plan = &p
	v.Errors, v.MoreErrors, v.Changes = nil, 0, nil
	const maxErrors, maxChanges = 200, 50
	v.Errors = p.Errors[:min(len(p.Errors), maxErrors)]
	v.MoreErrors = len(p.Errors) - len(v.Errors)
	for _, r := range p.Rows {
		if r.Op == account.OpUnchanged {
			continue
		}
		if len(v.Changes) == maxChanges {
			break
		}
		v.Changes = append(v.Changes, r)
	}
}
