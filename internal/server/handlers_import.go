package server

import (
	"errors"
	"io"
	"net/http"

	"pareto/internal/account"
	"pareto/internal/db"
	"pareto/templates"
)

// maxImportBody is the import upload's request limit: the file plus room
// for the multipart envelope.
const maxImportBody = account.MaxImportBytes + 64<<10

func (s *Server) importShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, templates.ImportUploadPage(s.page(r, "Import accounts", "accounts"), templates.ImportUploadView{}))
}

func (s *Server) importUploadFailed(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, templates.ImportUploadPage(s.page(r, "Import accounts", "accounts"),
		templates.ImportUploadView{Errors: map[string]string{"file": msg}}))
}

// importUpload keeps an uploaded CSV file and shows its column mapping.
// Its route gets a 10 MiB body limit instead of the usual 1 MiB.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(maxImportBody); err != nil {
		if isBodyTooLarge(err) {
			s.importUploadFailed(w, r, http.StatusRequestEntityTooLarge, "The file is larger than 10 MiB; split it into several files.")
			return
		}
		s.importUploadFailed(w, r, http.StatusUnprocessableEntity, "Choose a CSV file to upload.")
		return
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files only
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.importUploadFailed(w, r, http.StatusUnprocessableEntity, "Choose a CSV file to upload.")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, account.MaxImportBytes+1))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(data) > account.MaxImportBytes {
		s.importUploadFailed(w, r, http.StatusRequestEntityTooLarge, "The file is larger than 10 MiB; split it into several files.")
		return
	}
	id, err := s.accounts().CreateImport(r.Context(), scope(r), currentMember(r).Role, hdr.Filename, data)
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		s.importUploadFailed(w, r, http.StatusUnprocessableEntity, fe["file"])
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/accounts/import/"+id.String(), http.StatusSeeOther)
}

// importView builds the mapping page; with a mapping it previews too.
func (s *Server) importView(r *http.Request, mapping []string, preview bool) (templates.ImportView, error) {
	ctx, sc := r.Context(), scope(r)
	id, err := urlID(r, "importID")
	if err != nil {
		return templates.ImportView{}, err
	}
	st := s.accounts()
	f, err := st.Import(ctx, sc, id)
	if err != nil {
		return templates.ImportView{}, err
	}
	m := account.Mapping(mapping)
	if !preview {
		saved, err := st.SavedMapping(ctx, sc)
		if err != nil {
			return templates.ImportView{}, err
		}
		m = account.GuessMapping(f.Header, saved)
	}
	v := templates.ImportView{File: f, Mapping: m}
	for i, h := range f.Header {
		c := templates.ImportColumn{Index: i, Header: h}
		if i < len(m) {
			c.Field = m[i]
		}
		for _, row := range f.Rows {
			if len(c.Samples) == 3 {
				break
			}
			if i < len(row.Cells) && row.Cells[i] != "" {
				c.Samples = append(c.Samples, row.Cells[i])
			}
		}
		v.Columns = append(v.Columns, c)
	}
	if preview {
		p, err := st.PlanImport(ctx, sc, f.CSVFile, m)
		if err != nil {
			return templates.ImportView{}, err
		}
		v.SetPlan(p)
	}
	return v, nil
}

func (s *Server) importMap(w http.ResponseWriter, r *http.Request) {
	mapping, preview := r.URL.Query()["map"]
	v, err := s.importView(r, mapping, preview)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.ImportPage(s.page(r, "Import accounts", "accounts"), v))
}

func (s *Server) importCommit(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "importID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return
	}
	mapping := r.PostForm["map"]
	p, err := s.accounts().CommitImport(r.Context(), scope(r), currentMember(r).Role, id, account.Mapping(mapping))
	var ie *account.ImportError
	var fe db.FieldErrors
	switch {
	case errors.As(err, &ie), errors.As(err, &fe):
		v, verr := s.importView(r, mapping, true)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		if ie != nil {
			v.SetPlan(ie.Plan)
		} else if v.Plan != nil {
			v.Plan.MappingError = fe["file"]
		}
		s.render(w, r, http.StatusUnprocessableEntity, templates.ImportPage(s.page(r, "Import accounts", "accounts"), v))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.flash(r.Context(), "success", "Import done: "+itoa(p.Creates)+" created, "+itoa(p.Updates)+" updated, "+itoa(p.Unchanged)+" unchanged.")
	http.Redirect(w, r, "/accounts", http.StatusSeeOther)
}
