package server

import "errors"
import "fmt"
import "io"
import "net/http"

import "github.com/a-h/templ"
import "github.com/go-chi/chi/v5"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/importer"
import "pareto/internal/kpi"
import "pareto/templates"

// Every import has the same four routes (upload form, upload, mapping and
// preview, commit) served by the handlers below; an importPage says which
// kind they import, where they live and what they say.
type importPage struct {
	kind    *importer.Kind
	path    string // "/accounts/import"; an upload lives at path/{param}
	param   string
	title   string
	intro   string
	section string         // the navigation's section
	back    templates.Link // where the imported records live; the commit returns there
	help    func(s *Server, r *http.Request) (templ.Component, error)
	commit  func(pv *importer.Preview) string // the commit button
	done    func(pv *importer.Preview) string // the message after a commit
}

var accountImport = importPage{
	kind: account.Import, path: "/accounts/import", param: "importID", title: "Import accounts", section: "accounts",
	intro: "Create and update accounts from a CSV file. Nothing is saved until you have seen a preview.",
	back:  templates.Link{Href: "/accounts", Label: "Accounts"},
	help:  func(*Server, *http.Request) (templ.Component, error) { return templates.AccountImportHelp(), nil },
	commit: func(pv *importer.Preview) string {
		return "Import " + plural(pv.Changes(), "change", "changes")
	},
	done: func(pv *importer.Preview) string {
		return "Import done: " + itoa(pv.Creates) + " created, " + itoa(pv.Updates) + " updated, " + itoa(pv.Unchanged) + " unchanged."
	},
}

var stakeholderImport = importPage{
	kind: account.StakeholderImport, path: "/stakeholders/import", param: "stakeholderImportID", title: "Import stakeholders",
	section: "accounts", back: templates.Link{Href: "/accounts", Label: "Accounts"},
	intro: "Add and update the people at your accounts from a CSV file (a CRM contact export works). Nothing is saved until you have seen a preview.",
	help: func(*Server, *http.Request) (templ.Component, error) {
		return templates.StakeholderImportHelp(account.StakeholderImport.Fields), nil
	},
	commit: accountImport.commit,
	done: func(pv *importer.Preview) string {
		return "Stakeholders imported: " + itoa(pv.Creates) + " added, " + itoa(pv.Updates) + " updated, " + itoa(pv.Unchanged) + " unchanged."
	},
}

var kpiImport = importPage{
	kind: kpi.FigureImport, path: "/kpis/import", param: "kpiImportID", title: "Import KPI figures", section: "dashboards",
	intro: "Monthly figures for many accounts from one CSV file. Nothing is saved until you confirm, and then either every row is saved or none.",
	back:  templates.Link{Href: "/dashboards", Label: "Dashboards"},
	help: func(s *Server, r *http.Request) (templ.Component, error) {
		st, err := s.kpi.Settings(r.Context(), scope(r))
		return templates.KPIImportHelp(kpi.FigureImport.Fields, st.CSATScale == kpi.ScalePercent), err
	},
	commit: func(pv *importer.Preview) string { return "Import " + plural(pv.Changes(), "row", "rows") },
	done: func(pv *importer.Preview) string {
		return fmt.Sprintf("Imported %s from %s (%d new, %d replaced, %d unchanged).",
			plural(pv.Changes(), "row", "rows"), pv.File.Filename, pv.Creates, pv.Updates, pv.Unchanged)
	},
}

// maxImportBody is the upload routes' request limit: the largest file
// plus room for the multipart envelope.
const maxImportBody = importer.DefaultMaxBytes + 64<<10

// importRoutes adds an import's pages: the upload form (GET path), the
// mapping and preview (GET path/{param}) and the commit (POST
// path/{param}). The upload itself (POST path) is routed with the larger
// body limit.
func (s *Server) importRoutes(r chi.Router, pg importPage) {
	r.Get(pg.path, s.importShow(pg))
	r.Get(pg.path+"/{"+pg.param+"}", s.importFile(pg, s.importMap))
	r.Post(pg.path+"/{"+pg.param+"}", s.importFile(pg, s.importCommit))
}

// importFile serves a route of one upload: h gets the upload's id from
// the path (a malformed one is a 404).
func (s *Server) importFile(pg importPage, h func(http.ResponseWriter, *http.Request, importPage, uuid.UUID)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := urlID(r, pg.param)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, pg, id)
	}
}

func (s *Server) imports() *importer.Store { return importer.NewStore(s.db) }

// renderImport fills in pg's parts of v and renders the import page.
func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, pg importPage, status int, v templates.ImportView) {
	v.Title, v.Intro, v.Path, v.Back, v.Kind = pg.title, pg.intro, pg.path, pg.back, pg.kind
	help, err := pg.help(s, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Help = help
	if v.Preview != nil {
		v.CommitLabel = pg.commit(v.Preview)
	}
	s.render(w, r, status, templates.ImportPage(s.page(r, pg.title, pg.section), v))
}

func (s *Server) importShow(pg importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.renderImport(w, r, pg, http.StatusOK, templates.ImportView{})
	}
}

// importUpload keeps an uploaded file, then shows its mapping, or at once
// its preview when the header is fixed.
func (s *Server) importUpload(pg importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, status, msg, err := s.receiveUpload(r, pg.kind)
		switch {
		case err != nil:
			s.fail(w, r, err)
		case msg != "":
			s.renderImport(w, r, pg, status, templates.ImportView{Errors: map[string]string{"file": msg}})
		case pg.kind.FixedHeader:
			s.importPreview(w, r, pg, id, nil, true)
		default:
			http.Redirect(w, r, pg.path+"/"+id.String(), http.StatusSeeOther)
		}
	}
}

// receiveUpload stores the request's file: its id, or a status and a
// message for the upload form.
func (s *Server) receiveUpload(r *http.Request, k *importer.Kind) (uuid.UUID, int, string, error) {
	m := currentMember(r)
	if !k.Allowed(m.Role) {
		return uuid.Nil, 0, "", fmt.Errorf("import %s as %s: %w", k.Name, m.Role, db.ErrForbidden)
	}
	tooLarge := fmt.Sprintf("The file is larger than %d MiB; split it into several files.", k.MaxMiB())
	if err := r.ParseMultipartForm(maxImportBody); err != nil {
		if isBodyTooLarge(err) {
			return uuid.Nil, http.StatusRequestEntityTooLarge, tooLarge, nil
		}
		return uuid.Nil, http.StatusUnprocessableEntity, "Choose a CSV file.", nil
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files only
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return uuid.Nil, http.StatusUnprocessableEntity, "Choose a CSV file.", nil
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, int64(k.MaxMiB())<<20+1))
	if err != nil {
		return uuid.Nil, 0, "", err
	}
	if len(data) > k.MaxMiB()<<20 {
		return uuid.Nil, http.StatusRequestEntityTooLarge, tooLarge, nil
	}
	id, err := s.imports().Upload(r.Context(), scope(r), m.Role, k, hdr.Filename, data)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		return uuid.Nil, http.StatusUnprocessableEntity, fe["file"], nil
	}
	return id, 0, "", err
}

// importMap shows an upload's column mapping (guessed, from the preset
// the query names or the one detected, or as in the query), with its
// preview once mapped; a fixed header goes straight to the preview.
func (s *Server) importMap(w http.ResponseWriter, r *http.Request, pg importPage, id uuid.UUID) {
	if m, mapped := r.URL.Query()["map"]; mapped || pg.kind.FixedHeader {
		s.importPreview(w, r, pg, id, m, false)
		return
	}
	f, err := s.imports().File(r.Context(), scope(r), pg.kind, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chosen := r.URL.Query().Get("preset")
	m, preset, err := s.imports().GuessWith(r.Context(), scope(r), pg.kind, f, chosen)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		// An unknown preset: the guess without one, and why.
		m, preset, err = s.imports().GuessWith(r.Context(), scope(r), pg.kind, f, "")
		if err == nil {
			s.renderImport(w, r, pg, http.StatusUnprocessableEntity, templates.ImportView{File: f, Mapping: m,
				Columns: importColumns(f, m), Preset: preset, Errors: fe})
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderImport(w, r, pg, http.StatusOK, templates.ImportView{File: f, Mapping: m, Columns: importColumns(f, m),
		Preset: preset, PresetChosen: chosen != ""})
}

// importPreview plans upload id under m and shows it; a fresh upload's
// problems answer 422.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request, pg importPage, id uuid.UUID, m importer.Mapping, uploaded bool) {
	pv, err := s.imports().Preview(r.Context(), scope(r), currentMember(r).Role, pg.kind, id, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if uploaded && !pv.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.renderImport(w, r, pg, status, previewView(pv))
}

func previewView(pv *importer.Preview) templates.ImportView {
	v := templates.ImportView{File: pv.File, Mapping: pv.Mapping, Columns: importColumns(pv.File, pv.Mapping)}
	v.SetPreview(pv)
	return v
}

func importColumns(f *importer.File, m importer.Mapping) []templates.ImportColumn {
	out := make([]templates.ImportColumn, len(f.Header))
	for i, h := range f.Header {
		out[i] = templates.ImportColumn{Index: i, Header: h, Samples: f.Samples(i, 3)}
		if i < len(m) {
			out[i].Field = m[i]
		}
	}
	return out
}

// importCommit writes an upload under the posted mapping, all or nothing.
func (s *Server) importCommit(w http.ResponseWriter, r *http.Request, pg importPage, id uuid.UUID) {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	m := importer.Mapping(r.PostForm["map"])
	pv, err := s.imports().Commit(r.Context(), scope(r), currentMember(r).Role, pg.kind, id, m)
	var fe db.FieldErrors
	switch {
	case errors.Is(err, importer.ErrInvalid):
		s.renderImport(w, r, pg, http.StatusUnprocessableEntity, previewView(pv))
		return
	case errors.As(err, &fe):
		// Nothing was written: show the plan again with why.
		if pv, err = s.imports().Preview(r.Context(), scope(r), currentMember(r).Role, pg.kind, id, m); err != nil {
			s.fail(w, r, err)
			return
		}
		pv.Problems = append(pv.Problems, fe["file"])
		s.renderImport(w, r, pg, http.StatusUnprocessableEntity, previewView(pv))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", pg.done(pv))
	http.Redirect(w, r, pg.back.Href, http.StatusSeeOther)
}
