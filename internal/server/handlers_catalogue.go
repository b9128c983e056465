package server

import "net/http"
import "strconv"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/limits"
import "pareto/internal/plan"
import "pareto/templates"

// The admin's side of plans: the product catalogue and the fiscal year.

func (s *Server) productsPage(r *http.Request, v templates.ProductsView) (templ.Component, error) {
	var err error
	v.Products, err = plan.Products(r.Context(), s.db, scope(r), false)
	return templates.ProductsPage(s.page(r, "Products", "admin"), v), err
}

func (s *Server) productList(w http.ResponseWriter, r *http.Request) {
	page, err := s.productsPage(r, templates.ProductsView{})
	s.show(w, r, err, func() templ.Component { return page })
}

// productID is the id of the product named in the path, when it exists.
func (s *Server) productID(r *http.Request) (uuid.UUID, error) {
	id, err := urlID(r, "productID")
	if err == nil {
		_, err = plan.ProductByID(r.Context(), s.db, scope(r), id)
	}
	return id, err
}

func readProduct(f *form) plan.ProductInput {
	return plan.ProductInput{Name: f.Text("name", limits.Label), Description: f.Text("description", limits.Line)}
}

func (s *Server) productCreate(w http.ResponseWriter, r *http.Request) {
	f := s.readForm(w, r)
	if f == nil {
		return
	}
	in := readProduct(f)
	in.Active = true
	err := f.Then(in.Validate, func() error {
		_, err := plan.CreateProduct(r.Context(), s.db, scope(r), in)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.productsPage(r, templates.ProductsView{NewForm: templates.ProductForm{Name: in.Name, Description: in.Description, Active: true, Errors: fe}})
		},
		Flash: "Added " + in.Name + " to the catalogue.", Next: "/admin/products"})
}

func (s *Server) productUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, version, ok := editFor(s, w, r, s.productID)
	if !ok {
		return
	}
	in := readProduct(f)
	in.Active = f.Check("active")
	err := f.Then(in.Validate, func() error { return plan.UpdateProduct(r.Context(), s.db, scope(r), id, in, version) })
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return s.productsPage(r, templates.ProductsView{EditID: id,
				EditForm: templates.ProductForm{Name: in.Name, Description: in.Description, Active: in.Active, Version: version, Errors: fe}})
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.ProductByID(r.Context(), s.db, scope(r), id)
			return templates.ConflictView{Heading: "This product was changed by someone else", BackHref: "/admin/products", BackLabel: "Back to the catalogue",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "Name", Theirs: cur.Name, Mine: in.Name},
					templates.ConflictRow{Label: "Description", Theirs: cur.Description, Mine: in.Description},
					templates.ConflictRow{Label: "Active", Theirs: yesNo(cur.Active), Mine: yesNo(in.Active)},
				)}, err
		},
		Section: "admin", Flash: "Saved " + in.Name + ".", Next: "/admin/products"})
}

func (s *Server) planSettingsShow(w http.ResponseWriter, r *http.Request) {
	st, err := plan.SettingsOf(r.Context(), s.db, scope(r))
	s.show(w, r, err, func() templ.Component {
		return templates.PlanSettingsPage(s.page(r, "Plan settings", "admin"), templates.PlanSettingsView{
			Month: st.FiscalYearStartMonth, Tolerance: strconv.Itoa(st.GoalTolerance), Version: st.Version,
			Example: templates.FiscalYearExample(time.Now(), st.FiscalYearStartMonth)})
	})
}

func (s *Server) planSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	f, version := s.readEdit(w, r)
	if f == nil {
		return
	}
	in := plan.SettingsInput{FiscalYearStartMonth: f.Int("fiscal_year_start_month"), GoalTolerance: f.Int("goal_tolerance")}
	month := in.FiscalYearStartMonth
	err := f.Then(nil, func() error { return plan.UpdateSettings(r.Context(), s.db, scope(r), in, version) })
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			return templates.PlanSettingsPage(s.page(r, "Plan settings", "admin"), templates.PlanSettingsView{
				Month: month, Tolerance: f.Raw("goal_tolerance"), Version: version, Errors: fe,
				Example: templates.FiscalYearExample(time.Now(), month)}), nil
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.SettingsOf(r.Context(), s.db, scope(r))
			return templates.ConflictView{Heading: "The plan settings were changed by someone else",
				BackHref: "/admin/plan-settings", BackLabel: "Open the current settings",
				Rows: templates.TextConflictRows(templates.ConflictRow{Label: "Fiscal year starts in",
					Theirs: monthName(cur.FiscalYearStartMonth), Mine: monthName(month)},
					templates.ConflictRow{Label: "Goal status tolerance (points)", Theirs: strconv.Itoa(cur.GoalTolerance), Mine: f.Raw("goal_tolerance")})}, err
		},
		Section: "admin", Flash: "Plan settings saved.", Next: "/admin/plan-settings"})
}
