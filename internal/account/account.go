// Package account holds accounts, their stakeholders and interactions, and
// the CSV import and export of accounts. It knows nothing of HTTP.
//
// Permission rule (enforced by every write here, see CanEdit): admins and
// leaders edit every account; a key account manager edits only the accounts
// whose primary KAM they are, and reads the rest. Every member of a tenant
// reads every account of that tenant.
package account

import "strings"
import "time"
import "unicode"
import "unicode/utf8"

import "github.com/google/uuid"

import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"

// Status is where an account stands commercially.
//
//	StatusProspect "prospect" "Prospect"
//	StatusCustomer "customer" "Customer"
//	StatusFormer   "former"   "Former customer"
//
//enumgen:values Statuses
type Status string

// KeyStatus is the outcome of the key-account selection (set by the
// shortlist review; shown here).
//
//	KeyKey       "key"       "Key account"
//	KeyCandidate "candidate" "Candidate"
//	KeyWatch     "watch"     "Watch"
//	KeyDeclined  "declined"  "Declined"
//	KeyFormer    "former"    "Former key account"
//
//enumgen:values KeyStatuses
type KeyStatus string

// Fields are the facts of an account a person edits (and an import sets).
type Fields struct {
	Name        string
	ExternalRef string // "" means none (NULL)
	Industry    string
	Region      string
	Country     string
	Segment     string
	Status      Status
	// CustomerSince is a date (midnight UTC); zero means unknown.
	CustomerSince    time.Time
	AnnualRevenue    Money
	RevenuePotential Money
	Notes            string
}

// Same reports whether f and g hold the same values.
func (f Fields) Same(g Fields) bool {
	fd, gd := f.CustomerSince, g.CustomerSince
	f.CustomerSince, g.CustomerSince = time.Time{}, time.Time{}
	return f == g && fd.Equal(gd)
}

// Account is one customer or prospect of a tenant.
type Account struct {
	ID uuid.UUID
	Fields
	KeyStatus KeyStatus
	// KAMUserID is the primary key account manager (set by the assignment
	// area); uuid.Nil when none.
	KAMUserID uuid.UUID
	KAMName   string
	// ManagerUserID is the account manager (see teams.go): who looks
	// after an account that is not a key account; uuid.Nil when none.
	ManagerUserID uuid.UUID
	ManagerName   string
	ArchivedAt    time.Time // zero when active
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Revenue is the account's one revenue (revenue.go): its recorded KPI
	// revenue over the last 12 complete months, or, when RevenueFromFigures
	// is false, its annual revenue as entered.
	Revenue            Money
	RevenueFromFigures bool
}

// Headroom is the growth headroom: revenue potential − revenue (negative
// when an account already earns more than its estimated potential).
func (a Account) Headroom() Money { return a.RevenuePotential - a.Revenue }

// Archived reports whether the account is archived.
func (a Account) Archived() bool { return !a.ArchivedAt.IsZero() }

// CanEdit reports whether a member with role and userID may change acct
// and its stakeholders, interactions and engagement log: admins and
// leaders always, a KAM only when they are the account's primary KAM or
// its account manager.
func CanEdit(role auth.Role, userID uuid.UUID, acct Account) bool {
	if role == auth.RoleKAM && userID != uuid.Nil && acct.ManagerUserID == userID {
		return true
	}
	return CanEditManagedBy(role, userID, acct.KAMUserID)
}

// CanEditManagedBy is CanEdit for an account known only by its KAM
// (uuid.Nil when none), for the areas that keep records about an account:
// its scores, figures and plans follow the same rule as the account.
func CanEditManagedBy(role auth.Role, userID, kamID uuid.UUID) bool {
	if role.Leads() {
		return true
	}
	return role == auth.RoleKAM && userID != uuid.Nil && kamID == userID
}

// CanCreate reports whether role may create and import accounts. A KAM may
// not: an account they created would have no KAM, so they could not edit it.
func CanCreate(role auth.Role) bool { return role.Leads() }

// Field is one editable account field: its form and CSV name, its label and
// how a raw value is read into Fields.
type Field struct {
	Key   string
	Label string
	set   func(f *Fields, raw string) error
}

// AccountFields lists the account fields in form and CSV order. Form field
// names and CSV column names are the keys.
var AccountFields = []Field{
	field("name", "Name", textOf(limits.Name, true), func(f *Fields) *string { return &f.Name }),
	field("external_ref", "External reference", textOf(limits.Label, false), func(f *Fields) *string { return &f.ExternalRef }),
	field("industry", "Industry", textOf(limits.Label, false), func(f *Fields) *string { return &f.Industry }),
	field("region", "Region", textOf(limits.Label, false), func(f *Fields) *string { return &f.Region }),
	field("country", "Country", textOf(limits.Label, false), func(f *Fields) *string { return &f.Country }),
	field("segment", "Segment", textOf(limits.Label, false), func(f *Fields) *string { return &f.Segment }),
	field("status", "Status", ParseStatus, func(f *Fields) *Status { return &f.Status }),
	field("customer_since", "Customer since", func(raw string) (time.Time, error) { return ParseDate(raw, false) },
		func(f *Fields) *time.Time { return &f.CustomerSince }),
	field("annual_revenue", "Annual revenue", ParseMoney, func(f *Fields) *Money { return &f.AnnualRevenue }),
	field("revenue_potential", "Revenue potential", ParseMoney, func(f *Fields) *Money { return &f.RevenuePotential }),
	field("notes", "Notes", func(raw string) (string, error) { return longText(raw, limits.Notes) }, func(f *Fields) *string { return &f.Notes }),
}

// field is the Field key that reads a raw value with parse into the part
// of Fields at picks.
func field[T any](key, label string, parse func(string) (T, error), at func(*Fields) *T) Field {
	return Field{key, label, func(f *Fields, raw string) error {
		v, err := parse(raw)
		*at(f) = v
		return err
	}}
}

// textOf reads one line of text of at most max characters.
func textOf(max int, required bool) func(string) (string, error) {
	return func(raw string) (string, error) { return text(raw, max, required) }
}

// Set reads raw into f's field (an InputError when raw is not valid).
func (fd Field) Set(f *Fields, raw string) error { return fd.set(f, raw) }

// FieldByKey returns the field named key.
func FieldByKey(key string) (Field, bool) {
	for _, f := range AccountFields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Input is the account form as typed, keyed like AccountFields.
type Input map[string]string

// Parse validates in and returns the typed fields, or db.FieldErrors keyed
// by form field name. Empty status means prospect.
func (in Input) Parse() (Fields, error) {
	f := Fields{Status: StatusProspect}
	fe := db.FieldErrors{}
	for _, fd := range AccountFields {
		if err := fd.set(&f, in[fd.Key]); err != nil {
			fe.Add(fd.Key, err.Error())
		}
	}
	if f.Status == "" {
		f.Status = StatusProspect
	}
	if err := fe.Err(); err != nil {
		return Fields{}, err
	}
	return f, nil
}

// FormValues are f as form values (the inverse of Parse).
func (f Fields) FormValues() Input {
	in := Input{
		"name": f.Name, "external_ref": f.ExternalRef, "industry": f.Industry, "region": f.Region,
		"country": f.Country, "segment": f.Segment, "status": string(f.Status), "notes": f.Notes,
		"annual_revenue": f.AnnualRevenue.Plain(), "revenue_potential": f.RevenuePotential.Plain(),
		"customer_since": "",
	}
	if !f.CustomerSince.IsZero() {
		in["customer_since"] = f.CustomerSince.Format(time.DateOnly)
	}
	return in
}

// ParseStatus reads a status by key or label, case-insensitively. Empty
// reads as prospect.
func ParseStatus(raw string) (Status, error) {
	v := strings.ToLower(strings.TrimSpace(raw))
	switch v {
	case "":
		return StatusProspect, nil
	case "former customer":
		return StatusFormer, nil
	}
	if st := Status(v); st.Valid() {
		return st, nil
	}
	return "", InputError("Choose prospect, customer or former.")
}

// ParseDate reads a YYYY-MM-DD date between 1900 and next year. Empty is
// the zero time unless required.
func ParseDate(raw string, required bool) (time.Time, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if required {
			return time.Time{}, InputError("Enter a date.")
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return time.Time{}, InputError("Use a date like 2024-03-31 (year-month-day).")
	}
	if t.Year() < 1900 || t.After(time.Now().AddDate(1, 0, 0)) {
		return time.Time{}, InputError("Use a date between 1900 and next year.")
	}
	return t, nil
}

// text trims and checks a one-line value: valid UTF-8, no control
// characters, at most max characters.
func text(raw string, maxLen int, required bool) (string, error) {
	v := strings.TrimSpace(raw)
	if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		return "", InputError("Use plain text without control characters.")
	}
	n := utf8.RuneCountInString(v)
	if required && n == 0 {
		return "", InputError("Enter a name.")
	}
	if n > maxLen {
		return "", InputError("Use at most " + itoa(maxLen) + " characters.")
	}
	return v, nil
}

// longText is text that may span lines (tabs and newlines allowed).
func longText(raw string, maxLen int) (string, error) {
	v := strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return "", InputError("Use plain text without control characters.")
	}
	if utf8.RuneCountInString(v) > maxLen {
		return "", InputError("Use at most " + itoa(maxLen) + " characters.")
	}
	return v, nil
}

// auditFields is how an account's facts appear in the audit log: its
// form values, empty ones left out. (A struct, not a map: the JSON is the
// same, keys in alphabetical order, and an import of many accounts
// encodes it several times faster.)
func (f Fields) auditFields() auditState {
	in := auditState{Name: f.Name, ExternalRef: f.ExternalRef, Industry: f.Industry, Region: f.Region, Country: f.Country,
		Segment: f.Segment, Status: string(f.Status), Notes: f.Notes, AnnualRevenue: f.AnnualRevenue.Plain(),
		RevenuePotential: f.RevenuePotential.Plain()}
	if !f.CustomerSince.IsZero() {
		in.CustomerSince = f.CustomerSince.Format(time.DateOnly)
	}
	return in
}

// auditState is an account's form values for the audit log, keys in
// alphabetical order as encoding/json writes a map's.
type auditState struct {
	AnnualRevenue    string `json:"annual_revenue,omitempty"`
	Country          string `json:"country,omitempty"`
	CustomerSince    string `json:"customer_since,omitempty"`
	ExternalRef      string `json:"external_ref,omitempty"`
	Industry         string `json:"industry,omitempty"`
	Name             string `json:"name,omitempty"`
	Notes            string `json:"notes,omitempty"`
	Region           string `json:"region,omitempty"`
	RevenuePotential string `json:"revenue_potential,omitempty"`
	Segment          string `json:"segment,omitempty"`
	Status           string `json:"status,omitempty"`
}

// diff lists the fields that differ between a and b (a's and b's values).
func diff(a, b Fields) (before, after map[string]string) {
	av, bv := a.FormValues(), b.FormValues()
	before, after = map[string]string{}, map[string]string{}
	for k, v := range av {
		if bv[k] != v {
			before[k], after[k] = v, bv[k]
		}
	}
	return before, after
}
