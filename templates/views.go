package templates

import "github.com/google/uuid"

import "pareto/internal/views"

// ViewsBar is a list page's saved views, shown under its header: the
// person's views of the page as links, and the form that saves the
// page's current filters and sort as a new one.
type ViewsBar struct {
	Page  string // the page's key
	Path  string // the page's path
	Query string // the page's current filters and sort (no paging)
	Views []views.View
}

// Href is the link that opens v on the bar's page.
func (b ViewsBar) Href(v views.View) string { return ViewHref(b.Path, v.Query) }

// ViewHref is the link of a page's path with a view's query.
func ViewHref(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// ViewsPage is the page that lists a person's saved views of every page,
// to open, rename and delete them; after a failed save it shows that
// save's form again.
type ViewsPage struct {
	Groups []ViewGroup
	// Save is a save that failed (nil: none).
	Save *ViewSave
	// Renamed is the view whose rename failed, with Errors beside it.
	Renamed uuid.UUID
	Name    string
	Errors  map[string]string
}

// ViewGroup is one page's saved views.
type ViewGroup struct {
	Label string
	Path  string
	Views []views.View
}

// Href is the link that opens v.
func (g ViewGroup) Href(v views.View) string { return ViewHref(g.Path, v.Query) }

// ViewSave is a save form as posted.
type ViewSave struct {
	Page, Label, Name, Query string
	Errors                   map[string]string
}
