package templates

import "context"
import "encoding/json"
import "net/url"
import "regexp"
import "strconv"
import "strings"
import "time"

import "pareto/internal/audit"
import "pareto/internal/auth"

// AuditView is the audit log page.
type AuditView struct {
	Page     audit.Page
	Entities []string
	Members  []auth.Member
	Filter   AuditFilter
}

// AuditFilter is the audit page's query, as typed.
type AuditFilter struct {
	Q      string // a record's name (what the global search finds)
	Record string // one record's id: its history
	Entity string
	Action string
	Actor  string
	Since  string
	Until  string
	Errors map[string]string
}

func (f AuditFilter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "record": f.Record, "entity": f.Entity, "action": f.Action,
		"actor": f.Actor, "since": f.Since, "until": f.Until} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// Query encodes the filter for links, starting at the page of cursor
// token after ("" for the newest page).
func (f AuditFilter) Query(after string) string {
	q := f.values()
	if after != "" {
		q.Set("after", after)
	}
	return withQuery("/admin/audit", q)
}

// History links to the events about the record id (the other filters
// kept, a name search dropped).
func (f AuditFilter) History(id string) string {
	f.Record, f.Q = id, ""
	return f.Query("")
}

// Without links to the filter without one of its parameters.
func (f AuditFilter) Without(param string) string {
	q := f.values()
	q.Del(param)
	return withQuery("/admin/audit", q)
}

// Active reports whether anything narrows the log.
func (f AuditFilter) Active() bool { return len(f.values()) > 0 }

// RecordLabel is a record's name, or its id when it has none (a record
// since deleted, or one without a name).
func (v AuditView) RecordLabel(id string) string {
	if n, ok := v.Page.Names[id]; ok {
		return n
	}
	return id
}

// RecordName is the name of the record the log is narrowed to.
func (v AuditView) RecordName() string { return v.RecordLabel(v.Filter.Record) }

var (
	decimalText = regexp.MustCompile(`^-?[0-9]+\.[0-9]+$`)
	dateText    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// amountField matches the stored fields that hold an amount of money.
var amountField = regexp.MustCompile(`(^|_)(revenue|potential|amount|price|cost|margin|value)(_|$)`)

// Value is field's stored value as people read it: names for the ids of
// people and records, amounts and other numbers and dates in the
// tenant's format, yes/no, "—" for none.
func (v AuditView) Value(ctx context.Context, field string, x any) string {
	l := loc(ctx)
	if amountField.MatchString(field) {
		var f float64
		var err error
		switch t := x.(type) {
		case float64:
			f = t
		case string:
			f, err = strconv.ParseFloat(t, 64)
		default:
			err = strconv.ErrSyntax
		}
		if err == nil {
			return l.FixedFloat(f, 2)
		}
	}
	switch t := x.(type) {
	case nil:
		return "—"
	case bool:
		if t {
			return "Yes"
		}
		return "No"
	case float64:
		if t == float64(int64(t)) {
			return l.Int(int64(t))
		}
		return l.Number(t, 2)
	case string:
		if n, ok := v.Page.Names[t]; ok {
			return n
		}
		switch {
		case t == "":
			return "—"
		case decimalText.MatchString(t):
			_, frac, _ := strings.Cut(t, ".")
			if f, err := strconv.ParseFloat(t, 64); err == nil {
				return l.FixedFloat(f, len(frac))
			}
		case dateText.MatchString(t):
			if d, err := time.Parse(time.DateOnly, t); err == nil {
				return l.Date(d)
			}
		}
		if ts, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return l.Time(ts)
		}
		return t
	}
	b, _ := json.Marshal(x)
	return string(b)
}

// fieldLabels name the stored fields whose key does not read well.
var fieldLabels = map[string]string{
	"kam_user_id": "KAM", "manager_user_id": "Manager", "user_id": "Person", "external_ref": "External reference",
	"weight_bps": "Weight", "key_cap": "Key account cap", "csat": "CSAT", "nps": "NPS", "url": "URL",
}

// FieldLabel is a stored field's key for people: "annual_revenue" →
// "Annual revenue"; "Product fit · score" stays as it is.
func FieldLabel(k string) string {
	if l, ok := fieldLabels[k]; ok {
		return l
	}
	if strings.ContainsAny(k, " ·") {
		return k
	}
	k = strings.TrimSuffix(k, "_id")
	return capitalize(strings.ReplaceAll(k, "_", " "))
}

// EntityLabel is a record type for people: "goal_plan" → "Goal plan".
func EntityLabel(e string) string { return FieldLabel(e) }

// ActionLabel is an action for people: "role_change" → "Role change".
func ActionLabel(a string) string { return capitalize(strings.ReplaceAll(a, "_", " ")) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
