package server

import "encoding/csv"
import "fmt"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "time"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/csvcell"
import "pareto/internal/db"
import "pareto/internal/plan"
import "pareto/templates"

// The whitespace grid: key accounts × the product catalogue, each cell
// owned, an opportunity (with its estimated value) or not a fit.

func (s *Server) accountWhitespaceView(r *http.Request, accountID uuid.UUID, canEdit bool, back string) (templates.AccountWhitespaceView, error) {
	cells, err := plan.AccountWhitespace(r.Context(), s.db, scope(r), accountID)
	if err != nil {
		return templates.AccountWhitespaceView{}, err
	}
	return templates.AccountWhitespaceView{AccountID: accountID, Cells: cells, CanEdit: canEdit, Back: back}, nil
}

func (s *Server) whitespaceGrid(r *http.Request) (templates.WhitespaceView, error) {
	v := templates.WhitespaceView{KAM: r.URL.Query().Get("kam")}
	var f plan.GridFilter
	if id, err := uuid.Parse(v.KAM); err == nil {
		f.KAMID = id
	} else {
		v.KAM = ""
	}
	var err error
	if v.Grid, err = plan.Whitespace(r.Context(), s.db, scope(r), f); err != nil {
		return v, err
	}
	v.KAMs, err = s.kamMembers(r)
	return v, err
}

func (s *Server) whitespaceShow(w http.ResponseWriter, r *http.Request) {
	v, err := s.whitespaceGrid(r)
	s.show(w, r, err, func() templ.Component { return templates.WhitespacePage(s.page(r, "Whitespace", "plans"), v) })
}

func (s *Server) whitespaceCSV(w http.ResponseWriter, r *http.Request) {
	v, err := s.whitespaceGrid(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="whitespace.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"account", "kam", "product", "state", "estimated_value", "expected_close"})
	for _, row := range v.Grid.Rows {
		for i, c := range row.Cells {
			value, close := "", ""
			if c.EstimatedValue != nil {
				value = strconv.FormatFloat(*c.EstimatedValue, 'f', 2, 64)
			}
			if c.ExpectedClose != nil {
				close = c.ExpectedClose.Format(time.DateOnly)
			}
			_ = cw.Write([]string{csvcell.Safe(row.AccountName), csvcell.Safe(row.KAMName), csvcell.Safe(v.Grid.Products[i].Name), string(c.State), value, close})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Error("whitespace csv", "request_id", requestIDFrom(r.Context()), "err", err)
	}
}

func (s *Server) loadCell(r *http.Request) (plan.CellView, error) {
	ids, err := urlIDs(r, "accountID", "productID")
	if err != nil {
		return plan.CellView{}, err
	}
	return plan.CellByID(r.Context(), s.db, scope(r), ids[0], ids[1])
}

func cellTitle(c plan.CellView) string { return c.AccountName + " × " + c.Product.Name }

func cellHref(accountID, productID uuid.UUID) string {
	return "/accounts/" + accountID.String() + "/whitespace/" + productID.String()
}

func (s *Server) cellShow(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCell(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := localBack(r.URL.Query().Get("back"), "/plans/whitespace")
	s.render(w, r, http.StatusOK, templates.WhitespaceCellPage(s.page(r, cellTitle(c), "plans"),
		templates.CellPageView{Cell: c, CanEdit: planActor(r).CanEdit(c.KAMUserID), Form: templates.CellFormOf(r.Context(), c.Cell), Back: back}))
}

// editableCell reads the cell named in the path, checking the signed-in
// member may change the account's whitespace.
func (s *Server) editableCell(r *http.Request) (plan.CellView, error) {
	c, err := s.loadCell(r)
	if err == nil && !planActor(r).CanEdit(c.KAMUserID) {
		err = fmt.Errorf("set cell: %w", db.ErrForbidden)
	}
	return c, err
}

func (s *Server) cellUpdate(w http.ResponseWriter, r *http.Request) {
	c, f, version, ok := editFor(s, w, r, s.editableCell)
	if !ok {
		return
	}
	typed := templates.CellForm{State: f.Raw("state"), EstimatedValue: f.Raw("estimated_value"), ExpectedClose: f.Raw("expected_close"),
		Version: version, Errors: map[string]string{}}
	back := localBack(f.Raw("back"), "/accounts/"+c.AccountID.String()+"/plans#whitespace")
	in := plan.CellInput{State: choiceOf[plan.CellState](f, "state")}
	if in.State == plan.CellOpportunity {
		in.EstimatedValue, in.ExpectedClose = f.OptAmount("estimated_value"), f.OptDate("expected_close")
	}
	err := f.Then(nil, func() error {
		return plan.SetCell(r.Context(), s.db, planActor(r), c.AccountID, c.ProductID, in, version)
	})
	s.saved(w, r, err, saved{
		Invalid: func(fe db.FieldErrors) (templ.Component, error) {
			typed.Errors = fe
			return templates.WhitespaceCellPage(s.page(r, cellTitle(c), "plans"), templates.CellPageView{Cell: c, CanEdit: true, Form: typed, Back: back}), nil
		},
		Conflict: func() (templates.ConflictView, error) {
			cur, err := plan.CellByID(r.Context(), s.db, scope(r), c.AccountID, c.ProductID)
			theirs := templates.CellFormOf(r.Context(), cur.Cell)
			return templates.ConflictView{Heading: cellTitle(c) + " was changed by someone else",
				BackHref: cellHref(c.AccountID, c.ProductID) + "?back=" + url.QueryEscape(back), BackLabel: "Open the current version",
				Rows: templates.TextConflictRows(
					templates.ConflictRow{Label: "State", Theirs: cur.State.Label(), Mine: in.State.Label()},
					templates.ConflictRow{Label: "Estimated value", Theirs: theirs.EstimatedValue, Mine: f.Trim("estimated_value")},
					templates.ConflictRow{Label: "Expected close", Theirs: theirs.ExpectedClose, Mine: f.Trim("expected_close")},
				)}, err
		},
		Section: "plans", Flash: "Saved: " + cellTitle(c) + " is " + strings.ToLower(in.State.Label()) + ".", Next: back})
}
