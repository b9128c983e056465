package templates

import "context"
import "net/url"
import "pareto/internal/account"
import "slices"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/scoring"

// ScoringFilter is a matrix or shortlist filter as typed.
type ScoringFilter struct {
	Filter scoring.Filter
	Base   string // "/scoring/matrix", "/shortlist", …
}

// Query encodes the filter for links, starting at the page of cursor
// token after ("" for the first page).
func (f ScoringFilter) Query(after string) string { return withQuery(f.Base, f.Values(after)) }

// Values is the filter as query values.
func (f ScoringFilter) Values(after string) url.Values {
	x := f.Filter
	q := queryOf(map[string]string{"q": x.Query, "industry": x.Industry, "region": x.Region, "segment": x.Segment,
		"key_status": x.KeyStatus, "kam": x.KAM, "coverage": x.Coverage, "sort": x.Sort})
	if x.Desc {
		q.Set("desc", "1")
	}
	if x.PerPage > 0 && x.PerPage != 50 {
		q.Set("per_page", strconv.Itoa(x.PerPage))
	}
	if after != "" {
		q.Set("after", after)
	}
	return q
}

// SortLink links to the list sorted by col, flipping the direction when
// it is the current sort. Names start A→Z; numbers start highest first.
func (f ScoringFilter) SortLink(col string) string {
	g := f
	if f.sort() == col {
		g.Filter.Desc = !f.Filter.Desc
	} else {
		g.Filter.Desc = col != "name" && col != "rank"
	}
	g.Filter.Sort = col
	if col == f.defaultSort() && !g.Filter.Desc {
		g.Filter.Sort = ""
	}
	if col == "rank" {
		g.Filter.Sort, g.Filter.Desc = "", false
	}
	return g.Query("")
}

// defaultSort is the list's order when none is chosen: rank on the
// shortlist, name on the matrix.
func (f ScoringFilter) defaultSort() string {
	if f.Base == "/scoring/matrix" {
		return "name"
	}
	return "rank"
}

func (f ScoringFilter) sort() string {
	if f.Filter.Sort == "" {
		return f.defaultSort()
	}
	return f.Filter.Sort
}

// SortClass is the header link's class for col.
func (f ScoringFilter) SortClass(col string) string { return sortClass(f.sort() == col, f.Filter.Desc) }

// SortAria is the aria-sort of col's header.
func (f ScoringFilter) SortAria(col string) string { return sortAria(f.sort() == col, f.Filter.Desc) }

// ScoreAria is the aria-sort of the matrix's score column, which sorts
// by total and by coverage.
func (f ScoringFilter) ScoreAria() string {
	if f.sort() == scoring.SortCoverage {
		return f.SortAria(scoring.SortCoverage)
	}
	return f.SortAria(scoring.SortScore)
}

// Active reports whether any filter is set.
func (f ScoringFilter) Active() bool {
	x := f.Filter
	return x.Query != "" || x.Industry != "" || x.Region != "" || x.Segment != "" || x.KeyStatus != "" || x.KAM != "" || x.Coverage != ""
}

// MatrixView is the scoring matrix page.
type MatrixView struct {
	Matrix  scoring.Matrix
	Filter  ScoringFilter
	Options scoring.FilterOptions
	Role    auth.Role
	UserID  uuid.UUID
	// RowErrors and RowValues re-show one row's refused form (no-JS path).
	RowErrors map[uuid.UUID]map[string]string
	RowValues map[uuid.UUID]map[string]string
}

// CanScore reports whether the viewer may edit row.
func (v MatrixView) CanScore(row scoring.MatrixRow) bool {
	return scoring.CanScore(v.Role, v.UserID, row.KAMUserID)
}

// CellValue is what a cell's input shows: the refused value typed, or the
// saved score.
func (v MatrixView) CellValue(row scoring.MatrixRow, id uuid.UUID) string {
	if vals, ok := v.RowValues[row.AccountID]; ok {
		if s, ok := vals[scoring.ScoreField(id)]; ok {
			return s
		}
	}
	if c, ok := row.Cells[id]; ok {
		return strconv.Itoa(c.Score)
	}
	return ""
}

// MatrixCell is one editable cell of the matrix. A refused value is not
// left in the cell: the cell shows the saved score again, with the error
// (naming the refused value) on the cell itself.
type MatrixCell struct {
	AccountID uuid.UUID
	RowName   string
	Criterion scoring.Criterion
	Value     string // what the input shows: the saved score, or a typed value not yet saved
	Refused   string // the value a save refused
	Error     string
}

// ID is the cell's element id (htmx swaps it after a save).
func (c MatrixCell) ID() string {
	return "cell-" + c.AccountID.String() + "-" + c.Criterion.ID.String()
}

// InputID is the id of the cell's input.
func (c MatrixCell) InputID() string {
	return "in-" + c.AccountID.String() + "-" + c.Criterion.ID.String()
}

// ErrorID is the id of the cell's error message.
func (c MatrixCell) ErrorID() string {
	return "err-" + c.AccountID.String() + "-" + c.Criterion.ID.String()
}

// Message is the error as shown on the cell.
func (c MatrixCell) Message() string {
	if c.Error == "" {
		return ""
	}
	if c.Refused == "" {
		return c.Error
	}
	if c.Value == "" {
		return "“" + c.Refused + "” not saved: " + c.Error + " The cell is empty again."
	}
	return "“" + c.Refused + "” not saved: " + c.Error + " Back to the saved " + c.Value + "."
}

// NewMatrixCell is the cell of criterion c in an account's row: saved is
// the stored score ("" when unscored), typed what the person sent (nil
// when nothing was sent) and errs the save's errors by field.
func NewMatrixCell(accountID uuid.UUID, rowName string, c scoring.Criterion, saved string, typed, errs map[string]string) MatrixCell {
	field := scoring.ScoreField(c.ID)
	cell := MatrixCell{AccountID: accountID, RowName: rowName, Criterion: c, Value: saved, Error: errs[field]}
	t, sent := typed[field]
	switch {
	case cell.Error != "":
		cell.Refused = strings.TrimSpace(t)
	case sent:
		cell.Value = t
	}
	return cell
}

// Cell is row's cell of criterion c.
func (v MatrixView) Cell(row scoring.MatrixRow, c scoring.Criterion) MatrixCell {
	saved := ""
	if x, ok := row.Cells[c.ID]; ok {
		saved = strconv.Itoa(x.Score)
	}
	return NewMatrixCell(row.AccountID, row.Name, c, saved, v.RowValues[row.AccountID], v.RowErrors[row.AccountID])
}

// RowForm is a matrix row's form state.
type RowForm struct {
	AccountID uuid.UUID
	Name      string
	Back      string
	Was       []HiddenField
}

// HiddenField is one hidden input.
type HiddenField struct{ Name, Value string }

// NewRowForm is the row form of an account whose cells are cells; typed
// overrides what was seen (a refused form keeps what the person saw).
func NewRowForm(id uuid.UUID, name, back string, ws []scoring.Weight, cells map[uuid.UUID]int, typed map[string]string) RowForm {
	f := RowForm{AccountID: id, Name: name, Back: back}
	for _, w := range ws {
		field := scoring.WasField(w.CriterionID)
		val := ""
		if v, ok := cells[w.CriterionID]; ok {
			val = strconv.Itoa(v)
		}
		if t, ok := typed[field]; ok {
			val = t
		}
		f.Was = append(f.Was, HiddenField{Name: field, Value: val})
	}
	return f
}

// RowForm is row's form.
func (v MatrixView) RowForm(row scoring.MatrixRow) RowForm {
	cells := map[uuid.UUID]int{}
	for id, c := range row.Cells {
		cells[id] = c.Score
	}
	return NewRowForm(row.AccountID, row.Name, v.Back(), v.Matrix.Config.Weights, cells, v.RowValues[row.AccountID])
}

// Back is the matrix address to come back to after a save.
func (v MatrixView) Back() string { return v.Filter.Query(v.Filter.Filter.Cursor.String()) }

// ScoreStatus is the matrix's score cell of one account (swapped by htmx
// after each save).
type ScoreStatus struct {
	AccountID uuid.UUID
	Score     scoring.Score
	Errors    map[string]string
	Saved     int  // cells changed by the save just made
	AfterSave bool // show the save's outcome
	Criteria  map[uuid.UUID]string
	Conflicts []string
}

// Messages lists the errors with the criterion they concern.
func (s ScoreStatus) Messages() []string {
	var out []string
	for field, msg := range s.Errors {
		name := ""
		for id, n := range s.Criteria {
			if field == scoring.ScoreField(id) || field == scoring.EvidenceField(id) {
				name = n + ": "
			}
		}
		out = append(out, name+msg)
	}
	slices.Sort(out)
	return out
}

// AccountScoreView is the scoring section of an account page: its score,
// what each criterion contributes, the scoring form, and the history.
type AccountScoreView struct {
	Breakdown    scoring.Breakdown
	CanEdit      bool
	CanDesignate bool
	Back         string // where the section's forms return to
	Errors       map[string]string
	Values       map[string]string
	KeyErrors    map[string]string
	KeyReason    string
	// Proposal is the account's open proposal as a key candidate (read
	// for leaders and admins only); ProposalErrors and ProposalReason are
	// a refused proposal or withdrawal.
	Proposal       *scoring.Proposal
	ProposalErrors map[string]string
	ProposalReason string
	// Folded puts the score form and history behind a disclosure, for the
	// account page where the section is one of many.
	Folded bool
	// Credibility is the account's logged referrals, case studies and
	// references: the evidence of the "Referrals and credibility"
	// criterion, shown beside it.
	Credibility []account.Engagement
}

// InputValue is the refused typed value of field, or saved.
func (v AccountScoreView) InputValue(field, saved string) string {
	if s, ok := v.Values[field]; ok {
		return s
	}
	return saved
}

// Chart point geometry ------------------------------------------------------

// ChartPoint is one plotted point.
type ChartPoint struct {
	X, Y  float64
	Label string
	Class string
}

// XS and YS format coordinates for SVG attributes.
func (p ChartPoint) XS() string { return ftoa(p.X) }
func (p ChartPoint) YS() string { return ftoa(p.Y) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// SeriesChart is an account's score over time as a line.
type SeriesChart struct {
	W, H          float64
	Left, Right   float64
	Top, Bottom   float64
	Points        []ChartPoint
	Polyline      string
	FirstLabel    string
	LastLabel     string
	YTicks        []ChartTick
	IncompleteAny bool
}

// ChartTick is an axis tick.
type ChartTick struct {
	Pos   float64
	Label string
}

// PosS formats the tick position.
func (t ChartTick) PosS() string { return ftoa(t.Pos) }

// NewSeriesChart lays out an account's score history.
func NewSeriesChart(ctx context.Context, series []scoring.SeriesPoint) SeriesChart {
	c := SeriesChart{W: 640, H: 200, Left: 40, Right: 16, Top: 12, Bottom: 28}
	if len(series) == 0 {
		return c
	}
	t0, t1 := series[0].At, series[len(series)-1].At
	span := t1.Sub(t0)
	pw, ph := c.W-c.Left-c.Right, c.H-c.Top-c.Bottom
	y := func(s10 int) float64 { return c.Top + ph - (float64(s10)-10)/90*ph }
	for _, v := range []int{10, 55, 100} {
		c.YTicks = append(c.YTicks, ChartTick{Pos: y(v), Label: Score10(ctx, v)})
	}
	for i, p := range series {
		x := c.Left + pw/2
		if span > 0 {
			x = c.Left + float64(p.At.Sub(t0))/float64(span)*pw
		} else if len(series) > 1 {
			x = c.Left + float64(i)/float64(len(series)-1)*pw
		}
		cls := "point"
		if !p.Score.Complete {
			cls += " incomplete"
			c.IncompleteAny = true
		}
		pt := ChartPoint{X: x, Y: y(p.Score.Score10), Class: cls,
			Label: FormatTime(ctx, p.At) + ": " + ScoreText(ctx, p.Score) + " (" + p.Score.Coverage() + ")"}
		c.Points = append(c.Points, pt)
		if i > 0 {
			c.Polyline += " "
		}
		c.Polyline += pt.XS() + "," + pt.YS()
	}
	c.FirstLabel, c.LastLabel = FormatDate(ctx, t0), FormatDate(ctx, t1)
	return c
}

// Money shows cents as whole currency units.
func Money(ctx context.Context, c int64) string { return loc(ctx).Int(scoring.RoundCents(c)) }

// Percent shows basis points as a percentage with a sign.
func Percent(ctx context.Context, bps int) string { return loc(ctx).Percent(int64(bps)) + " %" }

// TimePtr shows an optional time.
func TimePtr(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	return FormatTime(ctx, *t)
}

// ScoreClass colours a score badge by band.
func ScoreClass(s scoring.Score) string {
	switch {
	case s.Score10 == 0:
		return "score score-none"
	case s.Score10 >= 70:
		return "score score-high"
	case s.Score10 >= 45:
		return "score score-mid"
	}
	return "score score-low"
}

// ContributionMax is the bar scale for contributions (a full 10 points).
const ContributionMax = "1000"

// Points100 shows hundredths of a point: 425 → "4.25".
func Points100(ctx context.Context, p int) string { return loc(ctx).FixedFloat(float64(p)/100, 2) }
