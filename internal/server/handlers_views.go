package server

import "context"
import "fmt"
import "net/http"
import "net/url"
import "slices"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/views"
import "pareto/templates"

// Saved views: a person's own filters and sort of a list page, under a
// name (internal/views). Each list page that offers them is here, with the
// query parameters its filters and sort read: a view keeps only those.

// viewPage is a list page people save views of.
type viewPage struct {
	Label  string
	Path   string
	Params []string
}

// scoringParams are what scoringFilter reads (the matrix and shortlist).
var scoringParams = []string{"q", "industry", "region", "segment", "kam", "key_status", "coverage", "sort", "desc", "per_page"}

var viewPages = map[string]viewPage{
	"accounts":  {"Accounts", "/accounts", []string{"q", "industry", "region", "segment", "status", "key_status", "kam", "archived", "sort", "dir", "per_page"}},
	"shortlist": {"Shortlist", "/shortlist", scoringParams},
	"matrix":    {"Scoring matrix", "/scoring/matrix", scoringParams},
	"risks":     {"Relationship risks", "/health/risks", []string{"kind", "key", "kam"}},
}

// viewOrder is the order the views page lists the pages in.
var viewOrder = []string{"accounts", "shortlist", "matrix", "risks"}

func (s *Server) views() *views.Store { return views.NewStore(s.db) }

// listPage is s.page for the list page key: with its saved views bar,
// whose save form holds the page's current query (what the page knows of
// it, without paging).
func (s *Server) listPage(r *http.Request, title, section, key string) templates.Page {
	p := s.page(r, title, section)
	vp := viewPages[key]
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if slices.Contains(vp.Params, k) {
			q[k] = vs
		}
	}
	cur, _ := views.CleanQuery(q.Encode(), vp.Params)
	read := s.views().Views
	if pre, _ := r.Context().Value(ctxPrefetch).(*layoutReads); pre != nil && pre.viewsKey == key {
		read = func(ctx context.Context, _ db.Scope, _ string) ([]views.View, error) { return pre.views(ctx) }
	}
	list, err := read(r.Context(), scope(r), key)
	if err != nil {
		// The page still serves; only its bar is missing.
		s.log.Error("saved views", "request_id", requestIDFrom(r.Context()), "err", err)
		return p
	}
	p.Views = &templates.ViewsBar{Page: key, Path: vp.Path, Query: cur, Views: list}
	return p
}

// viewsPage gathers the views page.
func (s *Server) viewsPage(r *http.Request, v templates.ViewsPage) (templ.Component, error) {
	list, err := s.views().Views(r.Context(), scope(r), "")
	for _, key := range viewOrder {
		g := templates.ViewGroup{Label: viewPages[key].Label, Path: viewPages[key].Path}
		for _, view := range list {
			if view.Page == key {
				g.Views = append(g.Views, view)
			}
		}
		if len(g.Views) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return templates.ViewsListPage(s.page(r, "Saved views", ""), v), err
}

func (s *Server) viewList(w http.ResponseWriter, r *http.Request) {
	c, err := s.viewsPage(r, templates.ViewsPage{})
	s.show(w, r, err, func() templ.Component { return c })
}

// viewCreate saves a page's query under a name and opens it.
func (s *Server) viewCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	key, name, raw := f.Raw("page"), f.Raw("name"), f.Raw("query")
	vp, ok := viewPages[key]
	var v views.View
	var err error
	if !ok {
		err = db.FieldErrors{"query": "This page keeps no saved views."}
	} else {
		var q string
		if q, err = views.CleanQuery(raw, vp.Params); err == nil {
			v, err = s.views().Create(r.Context(), scope(r), key, name, q)
		}
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.viewsPage(r, templates.ViewsPage{Save: &templates.ViewSave{Page: key, Label: vp.Label, Name: name, Query: raw, Errors: fe}})
		},
		Flash: "Saved the view “" + v.Name + "”. It is in the bar above the list.", Next: templates.ViewHref(vp.Path, v.Query)})
}

// viewFormID reads the view a rename or delete form names: a form without
// one is invalid (422), an id of no view of this person's is not found.
func viewFormID(f *form) (uuid.UUID, error) {
	raw := f.Raw("view_id")
	if raw == "" {
		return uuid.Nil, db.FieldErrors{"name": "Choose a view."}
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fmt.Errorf("view %q: %w", raw, db.ErrNotFound)
	}
	return id, nil
}

func (s *Server) viewRename(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	id, err := viewFormID(f)
	version, _ := f.Version()
	name := f.Raw("name")
	if _, msg := views.CleanName(name); err == nil && msg != "" {
		err = db.FieldErrors{"name": msg}
	}
	var v views.View
	if err == nil {
		v, err = s.views().Rename(r.Context(), scope(r), id, name, version)
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.viewsPage(r, templates.ViewsPage{Renamed: id, Name: name, Errors: fe})
		},
		Flash: "Renamed the view to “" + v.Name + "”.", Next: "/views"})
}

func (s *Server) viewDelete(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	id, err := viewFormID(f)
	var v views.View
	if err == nil {
		v, err = s.views().Delete(r.Context(), scope(r), id)
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) { return s.viewsPage(r, templates.ViewsPage{}) },
		Flash:   "Deleted the view “" + v.Name + "”.", Next: "/views"})
}

// layoutReads are the reads of a page's layout queued ahead of the
// handler's (db.Prefetch), so they go with its first batch instead of a
// round trip each: the header's count of unread notifications and, on a
// list page, the person's saved views of it.
type layoutReads struct {
	unread   func(context.Context) (int, error)
	viewsKey string // the list page (viewPages) whose views are queued, if any
	views    func(context.Context) ([]views.View, error)
}

// prefetchLayout queues the layout's reads for a GET of path by sc's
// person and returns ctx carrying them.
func (s *Server) prefetchLayout(ctx context.Context, path string, sc db.Scope) context.Context {
	pre := &layoutReads{unread: s.notify.UnreadLater(ctx, sc)}
	for key, vp := range viewPages {
		if vp.Path == path {
			pre.viewsKey, pre.views = key, s.views().ViewsLater(ctx, sc, key)
		}
	}
	return context.WithValue(ctx, ctxPrefetch, pre)
}
