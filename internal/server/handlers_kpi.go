package server

import "errors"
import "fmt"
import "net/http"
import "strconv"
import "strings"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/templates"

// accountKPISection loads the KPI section of an account page. It is the
// component the account page shows (see templates.AccountKPISection).
func (s *Server) accountKPISection(r *http.Request, accountID uuid.UUID) (templates.AccountKPIView, error) {
	d, err := s.kpi.AccountKPIs(r.Context(), scope(r), accountID)
	if err != nil {
		return templates.AccountKPIView{}, err
	}
	period := d.Period
	return templates.AccountKPIView{
		Data:      d,
		Period:    period,
		Revenue:   templates.NewSparkline("Revenue, "+period.Label(), d.Row.Trend),
		CSAT:      templates.NewSparkline("CSAT, "+period.Label(), d.Series(period, kpi.CSATOf)),
		NPS:       templates.NewSparkline("NPS, "+period.Label(), d.Series(period, kpi.NPSOf)),
		Adoption:  templates.NewSparkline("Adoption, "+period.Label(), d.Series(period, kpi.AdoptionOf)),
		CanEdit:   kpi.MayEdit(*currentMember(r), d.Account.KAMID),
		ShowLinks: true,
	}, nil
}

// accountKPIPage builds the account's KPI page with its month grid ending
// at to; edited (when not nil) replaces one row's values and errors.
func (s *Server) accountKPIPage(sec templates.AccountKPIView, to time.Time, edited *templates.GridRow) templates.AccountKPIPageView {
	sec.ShowLinks = false
	now := kpi.MonthOf(s.kpi.Now())
	if to.IsZero() || to.After(now) {
		to = now
	}
	v := templates.AccountKPIPageView{Section: sec, To: to}
	base := templates.AccountKPIHref(sec.Data.Account.ID)
	v.Earlier = base + "?to=" + kpi.FormatMonth(kpi.AddMonths(to, -kpi.GridMonths)) + "#grid"
	if later := kpi.AddMonths(to, kpi.GridMonths); !to.Equal(now) {
		if later.After(now) {
			later = now
		}
		v.Later = base + "?to=" + kpi.FormatMonth(later) + "#grid"
	}
	for i := range kpi.GridMonths {
		m := kpi.AddMonths(to, -i)
		g := templates.GridRow{Month: m}
		if f, ok := sec.Data.Month(m); ok {
			g.Figure, g.Input, g.Version = &f, f.Input(), f.Version
		}
		if edited != nil && edited.Month.Equal(m) {
			g.Input, g.Errors, g.Version = edited.Input, edited.Errors, edited.Version
		}
		v.Grid = append(v.Grid, g)
	}
	return v
}

func (s *Server) accountKPIs(w http.ResponseWriter, r *http.Request) {
	sec, err := pathLoad(r, "accountID", s.accountKPISection)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, _ := kpi.ParseMonth(r.URL.Query().Get("to"))
	s.render(w, r, http.StatusOK, templates.AccountKPIPage(s.page(r, sec.Data.Account.Name+": KPIs", "dashboards"), s.accountKPIPage(sec, to, nil)))
}

// gridEnd is the last month of a grid that shows month m: the grid of
// the latest months when m is in it, else the 12 months ending at m.
func (s *Server) gridEnd(m time.Time) time.Time {
	now := kpi.MonthOf(s.kpi.Now())
	if kpi.MonthsBetween(m, now) <= kpi.GridMonths {
		return now
	}
	return m
}

// editableKPIs is the KPI section of the account named in the path,
// when the signed-in member may change its figures.
func (s *Server) editableKPIs(r *http.Request) (templates.AccountKPIView, error) {
	sec, err := pathLoad(r, "accountID", s.accountKPISection)
	if err == nil && !sec.CanEdit {
		err = fmt.Errorf("%s may not change the figures of account %s: %w", currentMember(r).Role, sec.Data.Account.ID, db.ErrForbidden)
	}
	return sec, err
}

func readFigure(f *form) kpi.FigureInput {
	return kpi.FigureInput{Month: f.Raw(kpi.FieldMonth), Revenue: f.Raw(kpi.FieldRevenue), CSAT: f.Raw(kpi.FieldCSAT), NPS: f.Raw(kpi.FieldNPS),
		Promoters: f.Raw(kpi.FieldPromoters), Passives: f.Raw(kpi.FieldPassives), Detractors: f.Raw(kpi.FieldDetractors),
		Adoption: f.Raw(kpi.FieldAdoption), Upsell: f.Raw(kpi.FieldUpsell), CrossSells: f.Raw(kpi.FieldCrossSells),
		Orders: f.Raw(kpi.FieldOrders), Units: f.Raw(kpi.FieldUnits)}
}

// accountKPISave saves or deletes one month's figures from the grid.
func (s *Server) accountKPISave(w http.ResponseWriter, r *http.Request) {
	sec, f, ok := formFor(s, w, r, s.editableKPIs)
	if !ok {
		return
	}
	id, in := sec.Data.Account.ID, readFigure(f)
	version, vok := f.Version()
	month, merr := kpi.ParseMonth(in.Month)
	if !vok || merr != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form is missing its month or version; reload the page and try again.")
		return
	}
	deleting := f.Raw("action") == "delete"
	var err error
	if deleting {
		err = s.kpi.DeleteFigure(r.Context(), scope(r), currentMember(r).Role, id, month, version)
	} else {
		err = thenParsed(f, func() (kpi.Figure, error) {
			fig, fe := kpi.ParseFigure(in, sec.Data.Settings.CSATScale, s.kpi.Now())
			return fig, fe.Err()
		}, func(fig kpi.Figure) error {
			_, err := s.kpi.SaveFigure(r.Context(), scope(r), currentMember(r).Role, id, fig, version)
			return err
		})
	}
	page := s.kpiGridPage(r, sec, month)
	msg := "Saved the figures of "
	if deleting {
		msg = "Deleted the figures of "
	}
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			edited := &templates.GridRow{Month: month, Input: in, Version: version, Errors: map[string]string{}}
			for field, msg := range fe {
				if field == kpi.FieldMonth {
					field = "" // shown beside the row's buttons
				}
				edited.Errors[field] = msg
			}
			return page(edited, nil), nil
		},
		Stale: func() (templ.Component, error) {
			var ce *kpi.ConflictError
			if !errors.As(err, &ce) {
				return nil, err
			}
			return s.figureConflictPage(r, id, month, ce, in, deleting)
		},
		Flash: msg + kpi.MonthLabel(month) + ".", Next: s.gridHref(id, month)})
}

// kpiGridPage is the account's KPI page with the grid that shows month,
// one row edited and, after a stale save, the conflict above it.
func (s *Server) kpiGridPage(r *http.Request, sec templates.AccountKPIView, month time.Time) func(*templates.GridRow, *templates.FigureConflict) templ.Component {
	return func(edited *templates.GridRow, conflict *templates.FigureConflict) templ.Component {
		v := s.accountKPIPage(sec, s.gridEnd(month), edited)
		v.Conflict = conflict
		return templates.AccountKPIPage(s.page(r, sec.Data.Account.Name+": KPIs", "dashboards"), v)
	}
}

func (s *Server) gridHref(id uuid.UUID, month time.Time) string {
	h := templates.AccountKPIHref(id)
	if end := s.gridEnd(month); !end.Equal(kpi.MonthOf(s.kpi.Now())) {
		h += "?to=" + kpi.FormatMonth(end)
	}
	return h + "#kpi-" + kpi.FormatMonth(month)
}

// figureConflictPage answers a stale save: the month's stored figures
// beside the ones typed, and the grid row holding the typed values with
// the current version, so saving again is a deliberate choice.
func (s *Server) figureConflictPage(r *http.Request, id uuid.UUID, month time.Time, ce *kpi.ConflictError, in kpi.FigureInput, deleting bool) (templ.Component, error) {
	sec, err := s.accountKPISection(r, id) // reloaded: it shows the stored figures
	var edited *templates.GridRow
	if !deleting {
		edited = &templates.GridRow{Month: month, Input: in}
		if ce.Current != nil {
			edited.Version = ce.Current.Version
		}
	}
	return s.kpiGridPage(r, sec, month)(edited, &templates.FigureConflict{Month: month, Current: ce.Current, Yours: in, Deleting: deleting}), err
}

func (s *Server) accountKPICSV(w http.ResponseWriter, r *http.Request) {
	id, err := urlID(r, "accountID")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.kpi.AccountKPIs(r.Context(), scope(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b strings.Builder
	if err := kpi.WriteFiguresCSV(&b, d); err != nil {
		s.fail(w, r, err)
		return
	}
	writeCSV(w, "pareto-kpis-"+id.String()+".csv", b.String())
}

func (s *Server) kpiSettingsShow(w http.ResponseWriter, r *http.Request) {
	st, err := s.kpi.Settings(r.Context(), scope(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.KPISettingsView{Settings: st, Form: kpi.SettingsInput{CSATScale: st.CSATScale,
		FiscalYearStartMonth: strconv.Itoa(st.FiscalYearStartMonth), Version: st.Version}}
	s.render(w, r, http.StatusOK, templates.KPISettingsPage(s.page(r, "KPI settings", "dashboards"), v))
}

func (s *Server) kpiSettingsSave(w http.ResponseWriter, r *http.Request) {
	f, version := s.readEdit(w, r)
	if f == nil {
		return
	}
	in := kpi.SettingsInput{CSATScale: f.Trim("csat_scale"), FiscalYearStartMonth: f.Trim("fiscal_year_start_month"), Version: version}
	err := f.Then(nil, func() error {
		_, err := s.kpi.UpdateSettings(r.Context(), scope(r), in)
		return err
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			st, err := s.kpi.Settings(r.Context(), scope(r))
			return templates.KPISettingsPage(s.page(r, "KPI settings", "dashboards"), templates.KPISettingsView{Settings: st, Form: in, Errors: fe}), err
		},
		Flash: "KPI settings saved.", Next: "/kpis/settings"})
}
