package templates

import "context"
import "math"
import "net/url"
import "strconv"
import "strings"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/assignment"

// KAMsView is the KAM workload page (/kams).
type KAMsView struct {
	Workload assignment.Workload
	Sort     string // one of assignment.SortKeys
	Desc     bool
}

// SortLink is the URL that sorts the workload table by key: the same key
// again flips the direction; a new key starts descending (the biggest
// loads first), except the name.
func (v KAMsView) SortLink(key string) string {
	desc := key != "name"
	if key == v.Sort {
		desc = !v.Desc
	}
	q := url.Values{"sort": {key}}
	if desc {
		q.Set("dir", "desc")
	} else {
		q.Set("dir", "asc")
	}
	return "/kams?" + q.Encode()
}

// SortClass marks the current sort column.
func (v KAMsView) SortClass(key string) string {
	return sortClass(key == v.Sort, v.Desc)
}

// AriaSort is the column's aria-sort value.
func (v KAMsView) AriaSort(key string) string {
	return sortAria(key == v.Sort, v.Desc)
}

// TotalKeyAccounts is the number of key accounts the KAMs manage.
func (v KAMsView) TotalKeyAccounts() (n, capacity int) {
	for _, k := range v.Workload.KAMs {
		n += k.KeyAccounts
		capacity += k.Capacity
	}
	return n, capacity
}

// SuggestedCount is how many unassigned key accounts have a suggestion.
func (v KAMsView) SuggestedCount() int { return countOK(v.Workload.Unassigned) }

// KAMProfileForm is the KAM profile form as typed.
type KAMProfileForm struct {
	Capacity   string
	Regions    string
	Industries string
	Notes      string
	Version    int
	Errors     map[string]string
}

// KAMProfileFormOf fills the form from a saved profile.
func KAMProfileFormOf(p assignment.Profile) KAMProfileForm {
	return KAMProfileForm{Capacity: strconv.Itoa(p.Capacity), Regions: strings.Join(p.Regions, ", "),
		Industries: strings.Join(p.Industries, ", "), Notes: p.Notes, Version: p.Version}
}

// KAMProfileView is one KAM's page (/kams/{kamID}).
type KAMProfileView struct {
	Profile assignment.Profile
	Form    KAMProfileForm
	// Accounts is one page of the accounts the KAM manages: their key
	// accounts on the first, then the others by name.
	Accounts assignment.KAMAccounts
	Currency string
	// Conflict is set when the save was stale: Profile then holds the
	// other person's values and Form yours.
	Conflict bool
}

// KeyCount is the number of key accounts the KAM manages.
func (v KAMProfileView) KeyCount() int { return v.Accounts.Counts.KeyAccounts }

// PageLink is the URL of the page of the KAM's accounts at cursor token
// after ("" for the first).
func (v KAMProfileView) PageLink(after string) string {
	return kamAccountsLink("/kams/"+v.Profile.UserID.String(), after)
}

// AssignForm is the assign form as typed.
type AssignForm struct {
	KAMUserID string
	Override  bool
	Reason    string
	Version   int
	Errors    map[string]string
}

// AccountAssignmentView is the account page's KAM section.
type AccountAssignmentView struct {
	State     assignment.AccountState
	CanAssign bool // leaders and admins see the form and the ranking
	Form      AssignForm
	Currency  string
	// ReturnTo is where a successful assignment goes back to.
	ReturnTo string
	// Conflict is set when the assignment was stale: State holds the
	// current values, YourKAMName what you chose.
	Conflict    bool
	YourKAMName string
}

// Selected reports whether the KAM option id is preselected: what the
// person chose, else the suggestion.
func (v AccountAssignmentView) Selected(id uuid.UUID) bool {
	if v.Form.KAMUserID != "" {
		return v.Form.KAMUserID == id.String()
	}
	return v.State.Suggestion.OK() && v.State.Suggestion.KAMUserID == id
}

// SuggestionsView is the suggestions page (/kams/suggestions).
type SuggestionsView struct {
	Plan     assignment.Plan
	Currency string
	Errors   map[string]string
	// Problems say why a batch was refused (someone changed something);
	// the plan shown is then a fresh one.
	Problems []string
}

// Suggested is how many rows of the plan have a KAM.
func (v SuggestionsView) Suggested() int { return countOK(v.Plan.Items) }

// countOK counts the suggestions (or plan rows) that found a KAM.
func countOK[T interface{ OK() bool }](xs []T) int {
	n := 0
	for _, x := range xs {
		if x.OK() {
			n++
		}
	}
	return n
}

// SuggestionItemValue is a plan row's checkbox value.
func SuggestionItemValue(r assignment.PlanRow) string {
	return assignment.PlanItem{AccountID: r.AccountID, KAMUserID: r.KAMUserID, Version: r.Version}.String()
}

// MyAccountsView is "My accounts" (/my/accounts).
type MyAccountsView struct {
	Mine     assignment.Mine
	IsKAM    bool
	Currency string
	// After and Also are the cursor tokens of the pages shown (the
	// accounts as KAM, the other accounts): each list pages on its own.
	After, Also string
}

// PageLink is the URL of the page of "My accounts" at cursor token after
// ("" for the first), keeping the other accounts' page.
func (v MyAccountsView) PageLink(after string) string { return v.myLink(after, v.Also, "#accounts") }

// AlsoLink is the URL of the page of the other accounts at cursor token
// also, keeping the page of the accounts as KAM.
func (v MyAccountsView) AlsoLink(also string) string {
	return v.myLink(v.After, also, "#other-accounts")
}

func (v MyAccountsView) myLink(after, also, anchor string) string {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if also != "" {
		q.Set("also", also)
	}
	if len(q) == 0 {
		return "/my/accounts" + anchor
	}
	return "/my/accounts?" + q.Encode() + anchor
}

// kamAccountsLink is the URL of a page of a KAM's accounts.
func kamAccountsLink(path, after string) string {
	if after == "" {
		return path + "#accounts"
	}
	return path + "?after=" + url.QueryEscape(after) + "#accounts"
}

// asgMoney shows an amount rounded to whole units with thousands
// separators, e.g. "EUR 1,250,000".
func asgMoney(ctx context.Context, v float64, currency string) string {
	out := loc(ctx).Int(int64(math.Round(v)))
	if currency == "" {
		return out
	}
	return currency + " " + out
}

// asgSlots is "3 of 8".
func asgSlots(used, capacity int) string {
	return strconv.Itoa(used) + " of " + strconv.Itoa(capacity)
}

// asgBarClass colours a capacity bar: over, full or normal.
func asgBarClass(used, capacity int) string {
	switch {
	case used > capacity:
		return "capacity-over"
	case used == capacity:
		return "capacity-full"
	}
	return ""
}

// asgList joins a profile list for display.
func asgList(items []string) string {
	if len(items) == 0 {
		return "—"
	}
	return strings.Join(items, ", ")
}

// asgStateLabel explains why an account needs a new KAM.
func asgStateLabel(state string) string {
	switch state {
	case "deactivated":
		return "KAM deactivated"
	case "not a KAM":
		return "no longer a KAM"
	case "left":
		return "left the organisation"
	}
	return state
}

// asgScore shows an optional score with one decimal, or a dash.
func asgScore(ctx context.Context, s *float64) string {
	if s == nil {
		return "—"
	}
	return loc(ctx).FixedFloat(*s, 1)
}

func asgKeyLabel(status string) string {
	switch status {
	case "key":
		return "Key"
	case "candidate":
		return "Candidate"
	case "declined":
		return "Declined"
	case "watch":
		return "Watch"
	case "former":
		return "Former"
	}
	return status
}

func asgAccountURL(id uuid.UUID) templ.SafeURL { return templ.SafeURL("/accounts/" + id.String()) }

func asgAssignURL(id uuid.UUID) templ.SafeURL {
	return templ.SafeURL("/accounts/" + id.String() + "/assignment")
}

func asgKAMURL(id uuid.UUID) templ.SafeURL { return templ.SafeURL("/kams/" + id.String()) }

// MyRoles names a person's roles on an account.
func MyRoles(roles []string) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		switch r {
		case "kam":
			out[i] = "Key account manager"
		case "account_manager":
			out[i] = "Account manager"
		default:
			out[i] = account.TeamRole(r).Label()
		}
	}
	return strings.Join(out, ", ")
}
