package templates

import "context"
import "strings"

import "github.com/a-h/templ"

// The form kit's view side: field errors beside their fields, the first
// invalid field focused, and the conflict page of a stale save. Handlers
// fill the view structs; forms use fieldAttrs, FieldError and ErrorSummary.

type focusKey struct{}

// WithFocus prepares ctx for rendering one page: the first invalid field
// rendered with it takes the focus (autofocus), so the person lands on the
// error rather than at the top of the page.
func WithFocus(ctx context.Context) context.Context {
	return context.WithValue(ctx, focusKey{}, new(bool))
}

// takeFocus reports whether the caller is the first to ask during this
// render.
func takeFocus(ctx context.Context) bool {
	taken, _ := ctx.Value(focusKey{}).(*bool)
	if taken == nil || *taken {
		return false
	}
	*taken = true
	return true
}

// fieldAttrs are the attributes of the control of field name: its hints
// and, when errs holds a message for it, aria-invalid, the message's id in
// aria-describedby (FieldError renders it as name-error) and autofocus
// when it is the page's first invalid field.
func fieldAttrs(ctx context.Context, errs map[string]string, name string, hintIDs ...string) templ.Attributes {
	_, bad := errs[name]
	return invalidAttrs(ctx, bad, name+"-error", hintIDs...)
}

// invalidAttrs is fieldAttrs for a control whose message has the id
// errorID (grids, where one field name repeats per row).
func invalidAttrs(ctx context.Context, bad bool, errorID string, hintIDs ...string) templ.Attributes {
	a := templ.Attributes{}
	ids := hintIDs
	if bad {
		a["aria-invalid"] = "true"
		ids = append(ids[:len(ids):len(ids)], errorID)
		if takeFocus(ctx) {
			a["autofocus"] = true
		}
	}
	if len(ids) > 0 {
		a["aria-describedby"] = strings.Join(ids, " ")
	}
	return a
}

// hintID is the id of field name's hint, when it has one.
func hintID(name, hint string) []string {
	if hint == "" {
		return nil
	}
	return []string{name + "-hint"}
}

func fieldClass(errs map[string]string, field string) string {
	if _, ok := errs[field]; ok {
		return "field has-error"
	}
	return "field"
}

// ConflictRow is one field of a version conflict: their saved value and
// the value this person tried to save.
type ConflictRow struct {
	Label   string
	Theirs  string
	Mine    string
	Changed bool
}

// TextConflictRows marks the rows whose two texts differ, for conflicts
// where comparing the shown text is enough.
func TextConflictRows(rows ...ConflictRow) []ConflictRow {
	for i := range rows {
		rows[i].Changed = rows[i].Theirs != rows[i].Mine
	}
	return rows
}

// ConflictView is a stale save (409): the record as someone else saved it
// beside what this person tried to save, and where to go next.
type ConflictView struct {
	Heading    string
	Intro      string // default: nothing was saved, compare and apply again
	Breadcrumb []Link
	// Column headings (defaults: theirs current, yours not saved).
	TheirsHead, MineHead string
	Rows                 []ConflictRow
	BackHref             string
	BackLabel            string
	// Keep, when set, offers to save the typed values over theirs.
	Keep *ConflictKeep
}

// ConflictKeep is the form that saves one's own values over theirs: the
// typed values posted again with the current version.
type ConflictKeep struct {
	Action  string
	Version int
	Fields  []HiddenField
	Label   string
}

// Link is a labelled address.
type Link struct{ Label, Href string }

func (v ConflictView) intro() string {
	if v.Intro != "" {
		return v.Intro
	}
	return "Someone saved this after you opened it. Nothing of yours was saved. Compare, then open the current version and apply your changes again."
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
