package templates

import "github.com/a-h/templ"

import "pareto/internal/importer"

// ImportColumn is one column of an uploaded file on the mapping form.
type ImportColumn struct {
	Index   int
	Header  string
	Samples []string
	Field   string // the mapped field key, "" when ignored
}

// ImportView is every step of an import (one page for all kinds): the
// upload form, the column mapping (kinds without a fixed header) and the
// preview with its commit button.
type ImportView struct {
	Title string // "Import accounts"
	Intro string
	Path  string // the upload form's action; an upload lives at Path/{id}
	Back  Link   // where the imported records live
	Help  templ.Component
	Kind  *importer.Kind
	// Errors are the upload form's (key "file").
	Errors map[string]string
	// File is the uploaded file, nil on the upload step.
	File    *importer.File
	Columns []ImportColumn
	Mapping importer.Mapping
	// Preset is the export whose column names the mapping was guessed
	// from ("" none); PresetChosen says the person picked it (else it
	// was detected from the header).
	Preset       string
	PresetChosen bool
	// Preview is set once a mapping is previewed.
	Preview     *importer.Preview
	Errs        []importer.CellError // the first problems of Preview
	MoreErrs    int
	Changes     []importer.RowResult // the first rows that create or update
	CommitLabel string
}

// Limits of the lists on the preview.
const (
	importShownErrors  = 200
	importShownChanges = 50
)

// SetPreview shows pv: its first problems and its first changes.
func (v *ImportView) SetPreview(pv *importer.Preview) {
	v.Preview = pv
	v.Errs = pv.Errors[:min(len(pv.Errors), importShownErrors)]
	v.MoreErrs = len(pv.Errors) - len(v.Errs)
	v.Changes = nil
	for _, r := range pv.Rows {
		if r.Op == importer.OpUnchanged {
			continue
		}
		if len(v.Changes) == importShownChanges {
			break
		}
		v.Changes = append(v.Changes, r)
	}
}

// presetLabel is the label of the preset the mapping was guessed from.
func (v ImportView) presetLabel() string {
	p, _ := v.Kind.Preset(v.Preset)
	return p.Label
}

func (v ImportView) fileURL() string { return v.Path + "/" + v.File.ID.String() }

// step is where the person is: 1 upload, 2 map, 3 preview.
func (v ImportView) step() int {
	switch {
	case v.Preview != nil:
		return 3
	case v.File != nil:
		return 2
	}
	return 1
}

// uploadAgain says whether the upload form is offered: on the first step,
// and below a fixed-header file's preview that cannot be committed.
func (v ImportView) uploadAgain() bool {
	return v.File == nil || v.Kind.FixedHeader && v.Preview != nil && !v.Preview.OK()
}
