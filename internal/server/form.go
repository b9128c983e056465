package server

import "errors"
import "net/http"
import "net/url"
import "strconv"
import "strings"
import "time"
import "unicode"
import "unicode/utf8"

import "github.com/a-h/templ"
import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/numfmt"
import "pareto/templates"

// The form kit: one way for every edit to read a posted form into a domain
// input, check the record's version, and answer. A handler reads
// (readForm, the typed readers), calls the domain, and answers (s.saved):
//
//	f := s.readForm(w, r)
//	if f == nil { return }
//	in := plan.ProductInput{Name: f.Text("name", limits.Label), Active: f.Check("active")}
//	err := f.Then(func() error { return plan.CreateProduct(ctx, s.db, scope(r), in) })
//	s.saved(w, r, err, saved{Invalid: ..., Flash: "Added.", Next: "/admin/products"})
//
// Each reader returns the typed value and, when the value cannot be read,
// records a message beside the field; Then calls the domain only when
// every field could be read, else returns the field errors together with
// the domain's own checks (Merge), so the person sees every problem at
// once and nothing reaches the database.

// form is one posted form being read.
type form struct {
	values url.Values
	loc    numfmt.Locale
	errs   db.FieldErrors
}

// readForm parses r's posted form. When the body cannot be read it
// answers (400, or 413 past the body limit) and returns nil.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) *form {
	if err := r.ParseForm(); err != nil {
		s.badForm(w, r, err)
		return nil
	}
	return &form{values: r.PostForm, loc: locale(r), errs: db.FieldErrors{}}
}

// readEdit is readForm for a change of an existing record: the form must
// carry the version the person saw (a hidden field); without it the
// answer is 400.
func (s *Server) readEdit(w http.ResponseWriter, r *http.Request) (*form, int) {
	f := s.readForm(w, r)
	if f == nil {
		return nil, 0
	}
	v, ok := f.Version()
	if !ok {
		s.badVersion(w, r)
		return nil, 0
	}
	return f, v
}

// formFor loads the record the path names (load checks the member may
// change it) and reads the form posted to it. ok false: it has answered
// (404, 403, 400).
func formFor[T any](s *Server, w http.ResponseWriter, r *http.Request, load func(*http.Request) (T, error)) (T, *form, bool) {
	rec, err := load(r)
	if err != nil {
		s.fail(w, r, err)
		return rec, nil, false
	}
	f := s.readForm(w, r)
	return rec, f, f != nil
}

// editFor is formFor for a change of the record: the form carries the
// version the person saw.
func editFor[T any](s *Server, w http.ResponseWriter, r *http.Request, load func(*http.Request) (T, error)) (T, *form, int, bool) {
	rec, err := load(r)
	if err != nil {
		s.fail(w, r, err)
		return rec, nil, 0, false
	}
	f, version := s.readEdit(w, r)
	return rec, f, version, f != nil
}

// locale is how the signed-in tenant writes numbers and dates (loadUser
// puts it into the request; English when signed out).
func locale(r *http.Request) numfmt.Locale { return numfmt.From(r.Context()) }

// Version reads the hidden version field (0 for a record that has no row
// yet, such as default settings); false when missing or malformed.
func (f *form) Version() (int, bool) {
	v, err := strconv.Atoi(f.values.Get("version"))
	return v, err == nil && v >= 0
}

// Raw is field name as typed ("" when absent).
func (f *form) Raw(name string) string { return f.values.Get(name) }

// Trim is field name as typed, without surrounding spaces.
func (f *form) Trim(name string) string { return strings.TrimSpace(f.values.Get(name)) }

// List is every value of a repeated field (checkbox groups, multi-selects).
func (f *form) List(name string) []string { return f.values[name] }

// Fail records msg beside field name unless it has a message already.
func (f *form) Fail(name, msg string) { f.errs.Add(name, msg) }

// Merge adds the domain's own checks of the input to the form's errors:
// a field keeps the first message it got.
func (f *form) Merge(fe db.FieldErrors) {
	for k, msg := range fe {
		f.errs.Add(k, msg)
	}
}

// Errors are the messages recorded so far, keyed by field name.
func (f *form) Errors() db.FieldErrors { return f.errs }

// Err is the recorded messages as an error (db.FieldErrors), nil when
// every field could be read.
func (f *form) Err() error { return f.errs.Err() }

// Then runs call (the domain's write) when every field could be read;
// otherwise it returns the field errors, with check's messages (the
// domain's validation of the input, may be nil) merged in.
func (f *form) Then(check func() db.FieldErrors, call func() error) error {
	if len(f.errs) == 0 {
		return call()
	}
	if check != nil {
		f.Merge(check())
	}
	return f.errs
}

// thenParsed is Then for a domain input that parses itself (parse
// returns db.FieldErrors as its error): when every field was read it
// parses and passes the result to call; otherwise the parse's messages
// join the form's.
func thenParsed[T any](f *form, parse func() (T, error), call func(T) error) error {
	if len(f.errs) == 0 {
		v, err := parse()
		if err != nil {
			return err
		}
		return call(v)
	}
	_, err := parse()
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		f.Merge(fe)
	}
	return f.errs
}

// Text reads a one-line text, trimmed: at most max characters (the
// constants of package limits) and no control characters. The value comes
// back even when refused, so the form shows what was typed.
func (f *form) Text(name string, max int) string {
	v := strings.TrimSpace(f.values.Get(name))
	f.checkText(name, v, max, func(r rune) bool { return unicode.IsControl(r) })
	return v
}

// Para reads a text that may span lines (line breaks and tabs kept,
// CRLF read as LF), trimmed, at most max characters.
func (f *form) Para(name string, max int) string {
	v := strings.TrimSpace(strings.ReplaceAll(f.values.Get(name), "\r\n", "\n"))
	f.checkText(name, v, max, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' })
	return v
}

func (f *form) checkText(name, v string, max int, bad func(rune) bool) {
	switch {
	case !utf8.ValidString(v) || strings.ContainsFunc(v, bad):
		f.Fail(name, "Use plain text without control characters.")
	case utf8.RuneCountInString(v) > max:
		f.Fail(name, "Use at most "+f.loc.Int(int64(max))+" characters.")
	}
}

// maxDecimal bounds the numbers a form takes: the database keeps them as
// numeric(15, 2).
const maxDecimal = 1e13

// Decimal reads a required number with at most two decimals: "4.5",
// "1,250,000", "1 250 000.50" (numfmt reads them all alike).
func (f *form) Decimal(name string) float64 {
	if v := f.number(name, true, false); v != nil {
		return *v
	}
	return 0
}

// OptDecimal is Decimal for a field that may stay empty (nil).
func (f *form) OptDecimal(name string) *float64 { return f.number(name, false, false) }

// Amount reads a required amount of money: a Decimal that may carry a
// currency symbol or code ("€1,250", "1250 EUR").
func (f *form) Amount(name string) float64 {
	if v := f.number(name, true, true); v != nil {
		return *v
	}
	return 0
}

// OptAmount is Amount for a field that may stay empty (nil).
func (f *form) OptAmount(name string) *float64 { return f.number(name, false, true) }

func (f *form) number(name string, required, amount bool) *float64 {
	parse, syntax := func(s string) (int64, error) { return f.loc.ParseFixed(s, 2) }, "Enter a number, e.g. 1250000 or "+f.loc.Decimal(4.5, 1)+"."
	if amount {
		parse, syntax = f.loc.ParseAmount, "Enter an amount like "+f.loc.Amount(125000050)+" or 1250000."
	}
	c, err := parse(f.values.Get(name))
	v := float64(c) / 100
	if err == nil && (v >= maxDecimal || v <= -maxDecimal) {
		err = numfmt.ErrRange
	}
	if !f.read(name, err, required, "Enter a number.", syntax) {
		return nil
	}
	return &v
}

// read records beside field name what numfmt's err says: blank (what
// to enter, only when required), too many decimals, too large, or not
// readable (syntax: an example). It reports whether a value was read.
func (f *form) read(name string, err error, required bool, blank, syntax string) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, numfmt.ErrEmpty):
		if required {
			f.Fail(name, blank)
		}
	case errors.Is(err, numfmt.ErrDecimals):
		f.Fail(name, "Use at most 2 decimals.")
	case errors.Is(err, numfmt.ErrRange):
		f.Fail(name, "That number is too large; check it.")
	default:
		f.Fail(name, syntax)
	}
	return false
}

// Percent reads a required percentage ("12.5", "12,5 %") into basis
// points (hundredths of a percent).
func (f *form) Percent(name string) int {
	v, err := f.loc.ParsePercent(f.values.Get(name))
	if err == nil && (v < -100_000_00 || v > 100_000_00) {
		err = numfmt.ErrRange
	}
	if !f.read(name, err, true, "Enter a percentage.", "Enter a percentage, e.g. "+f.loc.Percent(1250)+".") {
		return 0
	}
	return int(v)
}

// Int reads a required whole number ("12", "1,000").
func (f *form) Int(name string) int {
	v, err := f.loc.ParseInt(f.values.Get(name))
	switch {
	case errors.Is(err, numfmt.ErrDecimals):
		err = numfmt.ErrSyntax
	case err == nil && (v > 1<<31-1 || v < -(1<<31)):
		err = numfmt.ErrRange
	}
	if !f.read(name, err, true, "Enter a number.", "Enter a whole number, e.g. 12.") {
		return 0
	}
	return int(v)
}

// Date reads a required date typed as 2027-03-31 (as date inputs send it).
func (f *form) Date(name string) time.Time {
	if d := f.date(name, true); d != nil {
		return *d
	}
	return time.Time{}
}

// OptDate is Date for a field that may stay empty (nil).
func (f *form) OptDate(name string) *time.Time { return f.date(name, false) }

func (f *form) date(name string, required bool) *time.Time {
	d, err := f.loc.ParseDate(f.values.Get(name))
	if !f.read(name, err, required, "Enter a date.", "Use a date like "+f.loc.Date(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC))+".") {
		return nil
	}
	return &d
}

// ID reads the id of a record chosen in the form (a select's value);
// empty or malformed records msg under field (the field the person sees,
// which may differ from the parameter's name). uuid.Nil when refused.
func (f *form) ID(name, field, msg string) uuid.UUID {
	id, err := uuid.Parse(strings.TrimSpace(f.values.Get(name)))
	if err != nil {
		f.Fail(field, msg)
		return uuid.Nil
	}
	return id
}

// OptID is ID for a choice that may stay empty (nil).
func (f *form) OptID(name, field, msg string) *uuid.UUID {
	if strings.TrimSpace(f.values.Get(name)) == "" {
		return nil
	}
	id := f.ID(name, field, msg)
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Check reads a checkbox: ticked when sent as "1", "true" or "on".
func (f *form) Check(name string) bool {
	switch f.values.Get(name) {
	case "1", "true", "on":
		return true
	}
	return false
}

// choiceOf reads one of an enumeration's values (a select or a radio
// group); the domain type says which values exist (its Valid method). A
// value not offered is refused beside the field.
func choiceOf[T interface {
	~string
	Valid() bool
}](f *form, name string) T {
	v := T(strings.TrimSpace(f.values.Get(name)))
	if !v.Valid() {
		f.Fail(name, "Choose one of the options.")
	}
	return v
}

// saved says how an edit answers once the domain has spoken.
type saved struct {
	// Invalid renders the form again with the field errors beside their
	// fields (answered 422).
	Invalid func(fe db.FieldErrors) (templ.Component, error)
	// Conflict loads the record as saved now and lists it beside what was
	// typed (answered 409 with the conflict page); nil answers the short
	// conflict message.
	Conflict func() (templates.ConflictView, error)
	// Stale renders the form's own page for a stale save, showing the
	// conflict in place (answered 409), for forms that do it that way.
	Stale func() (templ.Component, error)
	// Section is the navigation section of the conflict page.
	Section string
	// Flash is said on the next page after a save; Next is that page.
	Flash string
	Next  string
	// FlashLink follows the flash (where to act on what it says).
	FlashLink templates.Link
}

// saved answers an edit: err nil → flash and 303 to Next; field errors →
// 422 with the form; a stale version → 409 with both versions side by
// side; anything else → the one error mapping (fail).
func (s *Server) saved(w http.ResponseWriter, r *http.Request, err error, a saved) {
	var fe db.FieldErrors
	var page func() (templ.Component, error)
	status := http.StatusConflict
	switch {
	case err == nil:
		if a.Flash != "" {
			s.flash(r.Context(), "success", a.Flash)
			if a.FlashLink.Href != "" {
				s.flashLink(r.Context(), a.FlashLink)
			}
		}
		http.Redirect(w, r, a.Next, http.StatusSeeOther)
		return
	case errors.As(err, &fe) && a.Invalid != nil:
		status, page = http.StatusUnprocessableEntity, func() (templ.Component, error) { return a.Invalid(fe) }
	case errors.Is(err, db.ErrConflict) && a.Stale != nil:
		page = a.Stale
	case errors.Is(err, db.ErrConflict) && a.Conflict != nil:
		page = func() (templ.Component, error) {
			v, err := a.Conflict()
			return templates.ConflictPage(s.page(r, "Changed by someone else", a.Section), v), err
		}
	default:
		s.fail(w, r, err)
		return
	}
	c, err := page()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, c)
}

func (s *Server) badVersion(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form is missing its version; reload the page and try again.")
}
