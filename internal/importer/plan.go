package importer

import "encoding/json"
import "fmt"
import "strings"

import "github.com/google/uuid"

import "pareto/internal/csvcell"

// Row is one data row of a file seen through a mapping: its cells by
// field key.
type Row struct {
	Line  int
	cells []string
	cols  *columns
}

// columns is a mapping in the form rows read it.
type columns struct {
	index  map[string]int // field key → column
	header []string
}

// Value is the row's cell for field key: trimmed, with the apostrophe an
// export put before a formula-like value removed (csvcell.Unescape); ""
// when the field is not mapped or the row is short.
func (r Row) Value(key string) string {
	i, ok := r.cols.index[key]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(csvcell.Unescape(strings.TrimSpace(r.cells[i])))
}

// Mapped reports whether field key is mapped to a column.
func (r Row) Mapped(key string) bool {
	_, ok := r.cols.index[key]
	return ok
}

// Op is what committing does with one row.
type Op string

const (
	OpCreate    Op = "create"
	OpUpdate    Op = "update"
	OpUnchanged Op = "unchanged"
)

// RowResult is what will happen to one good row.
type RowResult struct {
	Line     int
	Op       Op
	Record   string   // what the row is about, for people
	EntityID string   // the record written (or left alone)
	Changed  []string // labels of the fields an update changes
}

// CellError is a problem with one cell, or with a whole row (Column "").
type CellError struct {
	Line    int
	Field   string // the field's key, "" for the whole row
	Column  string // the file's column name
	Value   string
	Message string
}

// Change is a row's record as it will be written.
type Change struct {
	// Record says what the row is about, for the preview.
	Record string
	// EntityID is the record's id in the audit log.
	EntityID string
	// Changed are the labels of the fields an update changes.
	Changed []string
	// Before and After are the record's audit states (Before nil for a
	// creation).
	Before, After any
	// Values are the record for the kind's Target, in its column order.
	Values []any
	// Version is an updated record's version as the plan read it (for a
	// Versioned target): the commit fails if it has changed since.
	Version int
}

// Plan is what committing a file would do, worked out without writing:
// every good row's result and every problem. Problems means the file or
// mapping cannot be planned at all.
type Plan struct {
	Problems  []string
	Rows      []RowResult
	Errors    []CellError
	Creates   int
	Updates   int
	Unchanged int
	Invalid   int // rows with at least one error

	kind    *Kind
	writing bool // keep what the commit writes (the preview does not)
	lastBad int
	staged  []staged
	events  []event
}

// event is one audit row, encoded.
type event struct {
	action, entityID string
	before, after    []byte
}

// OK reports whether the plan can be committed.
func (p *Plan) OK() bool { return len(p.Problems) == 0 && len(p.Errors) == 0 }

// Changes counts the rows committing writes.
func (p *Plan) Changes() int { return p.Creates + p.Updates }

// Fail records a problem with the row's cell for field (the whole row
// when field is "").
func (p *Plan) Fail(r Row, field, msg string) {
	e := CellError{Line: r.Line, Field: field, Message: msg}
	if i, ok := r.cols.index[field]; ok {
		e.Column, e.Value = r.cols.header[i], r.Value(field)
	}
	p.Errors = append(p.Errors, e)
	if p.lastBad != r.Line {
		p.lastBad = r.Line
		p.Invalid++
	}
}

// Failf is Fail with a formatted message.
func (p *Plan) Failf(r Row, field, format string, args ...any) {
	p.Fail(r, field, fmt.Sprintf(format, args...))
}

// NewID is the id of a new record: time-ordered (UUIDv7, increasing
// within the process), so a file's new records fill the primary key and
// the audit log's entity index page by page instead of all over.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// Create plans writing a new record for row r.
func (p *Plan) Create(r Row, c Change) error {
	p.Creates++
	return p.add(r, OpCreate, c)
}

// Update plans changing an existing record for row r.
func (p *Plan) Update(r Row, c Change) error {
	p.Updates++
	return p.add(r, OpUpdate, c)
}

// Keep notes a row whose record already holds its values: nothing is
// written for it.
func (p *Plan) Keep(r Row, record, entityID string) {
	p.Unchanged++
	p.Rows = append(p.Rows, RowResult{Line: r.Line, Op: OpUnchanged, Record: record, EntityID: entityID})
}

func (p *Plan) add(r Row, op Op, c Change) error {
	p.Rows = append(p.Rows, RowResult{Line: r.Line, Op: op, Record: c.Record, EntityID: c.EntityID, Changed: c.Changed})
	if !p.writing {
		return nil
	}
	if len(c.Values) != len(p.kind.Target.Columns) {
		return fmt.Errorf("importer: %s line %d: %d values for %d columns", p.kind.Name, r.Line, len(c.Values), len(p.kind.Target.Columns))
	}
	p.staged = append(p.staged, staged{op: op, version: c.Version, values: c.Values})
	e := event{action: "import_" + string(op), entityID: c.EntityID}
	var err error
	if c.Before != nil {
		if e.before, err = json.Marshal(c.Before); err != nil {
			return fmt.Errorf("importer: audit before: %w", err)
		}
	}
	if e.after, err = json.Marshal(c.After); err != nil {
		return fmt.Errorf("importer: audit after: %w", err)
	}
	p.events = append(p.events, e)
	return nil
}

// rows applies mapping m to f's records. A row with more values than
// the header has columns is a problem of its own and is left out.
func (p *Plan) rows(f *File, m Mapping) []Row {
	cols := &columns{index: map[string]int{}, header: f.Header}
	for i, key := range m {
		if key != "" {
			cols.index[key] = i
		}
	}
	out := make([]Row, 0, len(f.Records))
	for _, rec := range f.Records {
		r := Row{Line: rec.Line, cells: rec.Cells, cols: cols}
		if len(rec.Cells) > len(f.Header) && !blank(rec.Cells[len(f.Header):]) {
			p.Failf(r, "", "This row has more values (%d) than the header has columns (%d).", len(rec.Cells), len(f.Header))
			continue
		}
		out = append(out, r)
	}
	return out
}

// Rows reads f under mapping m (for fixed-header kinds the header is the
// mapping and m is ignored) and returns the rows to plan with a new plan
// holding what is already wrong: Problems when the mapping is unusable
// (then no rows), and rows with too many values.
func (k *Kind) Rows(f *File, m Mapping) ([]Row, *Plan) {
	p := &Plan{kind: k}
	if k.FixedHeader {
		var problems []string
		if m, problems = k.headerMapping(f); len(problems) > 0 {
			p.Problems = problems
			return nil, p
		}
	} else if msg := k.checkMapping(m, len(f.Header)); msg != "" {
		p.Problems = []string{msg}
		return nil, p
	}
	return p.rows(f, m), p
}
