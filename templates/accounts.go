package templates

import "cmp"
import "context"
import "net/url"
import "strconv"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"

// AccountFilter is the account list's query as typed; it round-trips
// through the URL so a view can be bookmarked.
type AccountFilter struct {
	Q         string
	Industry  string
	Region    string
	Segment   string
	Status    string
	KeyStatus string
	KAM       string
	Archived  bool
	Sort      string
	Desc      bool
	PerPage   int
}

// Values encodes the filter (without the page).
func (f AccountFilter) Values() url.Values {
	q := queryOf(map[string]string{"q": f.Q, "industry": f.Industry, "region": f.Region, "segment": f.Segment,
		"status": f.Status, "key_status": f.KeyStatus, "kam": f.KAM, "sort": f.Sort})
	if f.Desc {
		q.Set("dir", "desc")
	}
	if f.Archived {
		q.Set("archived", "1")
	}
	if f.PerPage != 0 && f.PerPage != 50 {
		q.Set("per_page", strconv.Itoa(f.PerPage))
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// Query is the list URL of this filter, starting at the page of cursor
// token after ("" for the first page).
func (f AccountFilter) Query(after string) string {
	q := f.Values()
	if after != "" {
		q.Set("after", after)
	}
	return withQuery("/accounts", q)
}

// CSV is the export URL of this filter.
func (f AccountFilter) CSV() string { return withQuery("/accounts.csv", f.Values()) }

// SortLink sorts by col, flipping the direction when already sorted by it.
func (f AccountFilter) SortLink(col string) string {
	f.Desc = sortDesc(f.sortKey(), f.Desc, col, "annual_revenue", "revenue_potential", "headroom", "updated_at")
	f.Sort = col
	return f.Query("")
}

func (f AccountFilter) sortKey() string { return cmp.Or(f.Sort, "name") }

// SortClass marks the column the list is sorted by.
func (f AccountFilter) SortClass(col string) string {
	return sortClass(f.sortKey() == col, f.Desc)
}

// SortAria is the aria-sort value of a column header.
func (f AccountFilter) SortAria(col string) string {
	return sortAria(f.sortKey() == col, f.Desc)
}

// Active reports whether anything narrows the list.
func (f AccountFilter) Active() bool {
	return f.Q != "" || f.Industry != "" || f.Region != "" || f.Segment != "" || f.Status != "" ||
		f.KeyStatus != "" || f.KAM != "" || f.Archived
}

// AccountListView is the account list page.
type AccountListView struct {
	Filter    AccountFilter
	Page      account.Page
	Facets    account.Facets
	Currency  string
	CanCreate bool
	Bulk      BulkForm
}

// BulkForm is the list's bulk action form: as posted when it is shown
// again with what went wrong, else empty.
type BulkForm struct {
	// List is the list's query (filter, sort and page) the form came from.
	List string
	// KAMs are whom a bulk assignment offers (none: the member may not
	// assign).
	KAMs    []auth.Member
	Errors  map[string]string
	Refused string // the whole action was refused: why
	Do      string
	KAM     string
	Field   string
	Value   string
	All     bool
	Ticked  map[uuid.UUID]bool
}

// BulkFieldLabels are the fields a bulk action sets, in order.
var BulkFieldLabels = []struct{ Key, Label string }{{"segment", "Segment"}, {"region", "Region"}, {"industry", "Industry"}}

// AccountFormView is the new and edit account form.
type AccountFormView struct {
	ID       uuid.UUID // uuid.Nil for a new account
	Name     string    // the saved name, for the heading
	Values   account.Input
	Errors   map[string]string
	Version  int
	Currency string
}

// Action is where the form posts.
func (v AccountFormView) Action() string {
	if v.ID == uuid.Nil {
		return "/accounts"
	}
	return "/accounts/" + v.ID.String()
}

// StakeholderFormView is the stakeholder form's state.
type StakeholderFormView struct {
	ID      uuid.UUID // uuid.Nil when adding
	Values  account.StakeholderInput
	Errors  map[string]string
	Version int
}

// InteractionFormView is the interaction form's state: a new one (ID
// nil) or a change of interaction ID at Version.
type InteractionFormView struct {
	ID           uuid.UUID
	Version      int
	Values       account.InteractionInput
	Errors       map[string]string
	Participants map[string]bool // ticked stakeholder ids
}

// NewInteractionForm is the form for in, its participants ticked.
func NewInteractionForm(id uuid.UUID, version int, in account.InteractionInput, errs map[string]string) InteractionFormView {
	ticked := map[string]bool{}
	for _, p := range in.Participants {
		ticked[p] = true
	}
	return InteractionFormView{ID: id, Version: version, Values: in, Errors: errs, Participants: ticked}
}

// path is where the form posts, after the account's /interactions.
func (f InteractionFormView) path() string {
	if f.ID == uuid.Nil {
		return ""
	}
	return "/" + f.ID.String()
}

// InteractionEditView is the page that changes a logged interaction.
type InteractionEditView struct {
	Account      account.Account
	Form         InteractionFormView
	Stakeholders []account.Stakeholder
	Members      []auth.Member
}

// AccountView is the account page.
type AccountView struct {
	Account          account.Account
	Currency         string
	CanEdit          bool
	Stakeholders     []account.Stakeholder
	Map              RelMap
	Warnings         []string
	Interactions     []account.Interaction
	InteractionTotal int
	Members          []auth.Member // for the next step owner
	StakeholderForm  StakeholderFormView
	InteractionForm  InteractionFormView
	Today            time.Time
	UserID           uuid.UUID
	OpenForm         string // "stakeholder" or "interaction" after an invalid post
	// Sections other areas add to the account page; nil hides one.
	Assignment *AccountAssignmentView
	Plan       *AccountPlanView
	KPI        *AccountKPIView
	Score      *AccountScoreView
	Health     *AccountHealthSections
}

// StakeholderName finds a stakeholder's name by id.
func (v AccountView) StakeholderName(id uuid.UUID) string {
	for _, st := range v.Stakeholders {
		if st.ID == id {
			return st.Name
		}
	}
	return ""
}

// CanTick reports whether the viewer may tick off i's next step.
func (v AccountView) CanTick(i account.Interaction) bool {
	return v.CanEdit || (i.NextStepOwnerID != uuid.Nil && i.NextStepOwnerID == v.UserID)
}

// StakeholderEditView is the page editing one stakeholder.
type StakeholderEditView struct {
	Account      account.Account
	Form         StakeholderFormView
	Stakeholders []account.Stakeholder // candidates for reports-to
}

// TimelineView is an account's full interaction timeline.
type TimelineView struct {
	Account      account.Account
	Interactions []account.Interaction
	Today        time.Time
	CanEdit      bool
	UserID       uuid.UUID
}

// CanTick reports whether the viewer may tick off i's next step.
func (v TimelineView) CanTick(i account.Interaction) bool {
	return v.CanEdit || (i.NextStepOwnerID != uuid.Nil && i.NextStepOwnerID == v.UserID)
}

func accountURL(id uuid.UUID, rest string) string { return "/accounts/" + id.String() + rest }

func money(ctx context.Context, cur string, m account.Money) string {
	s := loc(ctx).Amount(int64(m))
	if cur == "" {
		return s
	}
	return cur + " " + s
}

// truncate shortens s to n characters with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func headroomClass(m account.Money) string {
	if m < 0 {
		return "num negative"
	}
	return "num"
}

// headroomShare is revenue as a share of potential, for a <meter>.
func revenueShare(a account.Account) string {
	if a.RevenuePotential <= 0 {
		return "0"
	}
	return strconv.FormatFloat(min(1, float64(a.Revenue)/float64(a.RevenuePotential)), 'f', 3, 64)
}

func pct(a account.Account) string {
	if a.RevenuePotential <= 0 {
		return "–"
	}
	return strconv.Itoa(int(float64(a.Revenue)/float64(a.RevenuePotential)*100+0.5)) + "%"
}

func dateOr(ctx context.Context, t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return FormatLongDate(ctx, t)
}

func kamOptionSelected(f AccountFilter, id uuid.UUID) bool { return f.KAM == id.String() }

func facetLabel(f account.Facet) string { return f.Value + " (" + strconv.Itoa(f.Count) + ")" }

// ID is a record id in templates.
type ID = uuid.UUID

func stakeholderAction(accountID uuid.UUID, f StakeholderFormView) string {
	if f.ID == uuid.Nil {
		return accountURL(accountID, "/stakeholders")
	}
	return accountURL(accountID, "/stakeholders/"+f.ID.String())
}

// IsNew reports whether the form creates an account.
func (v AccountFormView) IsNew() bool { return v.ID == uuid.Nil }
