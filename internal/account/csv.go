package account

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/audit"
	"pareto/internal/auth"
	"pareto/internal/csvcell"
	"pareto/internal/db"
	"pareto/internal/limits"
)

// Import limits.
const (
	MaxImportBytes   = 10 << 20
	MaxImportRows    = 100_000
	MaxImportColumns = 100
)

// CSVFile is a parsed CSV upload.
type CSVFile struct {
	Header    []string
	Rows      []CSVRow
	Delimiter rune
}

// CSVRow is one data row and the line it starts on (for messages).
type CSVRow struct {
	Line  int
	Cells []string
}

// ParseCSV reads a UTF-8 CSV file, with or without a byte-order mark,
// separated by commas or semicolons (whichever the header line uses more).
// The first row is the header; blank rows are skipped. Errors are
// InputErrors a person can act on.
func ParseCSV(data []byte) (CSVFile, error) {
	if len(data) > MaxImportBytes {
		return CSVFile{}, InputError("The file is larger than 10 MiB; split it into several files.")
	}
	r, delim, problem := csvcell.NewReader(data)
	if problem != "" {
		return CSVFile{}, InputError(problem)
	}
	f := CSVFile{Delimiter: delim}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return CSVFile{}, InputError(fmt.Sprintf("Line %d is not valid CSV (%v). Check its quotes.", pe.StartLine, pe.Err))
		}
		if err != nil {
			return CSVFile{}, InputError("The file could not be read as CSV.")
		}
		line, _ := r.FieldPos(0)
		if f.Header == nil {
			if len(rec) > MaxImportColumns {
				return CSVFile{}, InputError(fmt.Sprintf("The file has %d columns; at most %d are supported.", len(rec), MaxImportColumns))
			}
			f.Header = make([]string, len(rec))
			for i, h := range rec {
				f.Header[i] = strings.TrimSpace(h)
				if f.Header[i] == "" {
					f.Header[i] = fmt.Sprintf("Column %d", i+1)
				}
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(f.Rows) == MaxImportRows {
			return CSVFile{}, InputError(fmt.Sprintf("The file has more than %d rows; split it into several files.", MaxImportRows))
		}
		f.Rows = append(f.Rows, CSVRow{Line: line, Cells: rec})
	}
	if len(f.Rows) == 0 {
		return CSVFile{}, InputError("The file has a header but no data rows.")
	}
	return f, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Mapping says which account field each CSV column fills: one field key
// (see AccountFields) or "" (ignore) per column.
type Mapping []string

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// headerKey normalises a CSV header for matching.
func headerKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Trim(nonAlnum.ReplaceAllString(h, "_"), "_")
}

// synonyms are common header names for the fields.
var synonyms = map[string]string{
	"account": "name", "account_name": "name", "company": "name", "company_name": "name", "customer": "name",
	"customer_name": "name", "name": "name",
	"external_ref": "external_ref", "external_reference": "external_ref", "reference": "external_ref", "ref": "external_ref",
	"external_id": "external_ref", "crm_id": "external_ref", "account_id": "external_ref", "customer_id": "external_ref",
	"account_number": "external_ref", "customer_number": "external_ref",
	"industry": "industry", "sector": "industry", "vertical": "industry",
	"region": "region", "territory": "region", "area": "region",
	"country": "country", "country_code": "country",
	"segment": "segment", "tier": "segment",
	"status": "status", "account_status": "status",
	"customer_since": "customer_since", "since": "customer_since", "first_order": "customer_since", "start_date": "customer_since",
	"annual_revenue": "annual_revenue", "revenue": "annual_revenue", "sales": "annual_revenue", "annual_sales": "annual_revenue",
	"revenue_potential": "revenue_potential", "potential": "revenue_potential", "potential_revenue": "revenue_potential",
	"notes": "notes", "note": "notes", "comments": "notes", "comment": "notes",
}

// GuessMapping proposes a mapping for header: the remembered mapping first
// (saved: header key → field), then field names, labels and synonyms. No
// field is proposed twice.
func GuessMapping(header []string, saved map[string]string) Mapping {
	m := make(Mapping, len(header))
	used := map[string]bool{}
	for pass := 0; pass < 2; pass++ {
		for i, h := range header {
			if m[i] != "" {
				continue
			}
			k := headerKey(h)
			var field string
			if pass == 0 {
				field = saved[k]
			} else if f, ok := synonyms[k]; ok {
				field = f
			} else {
				for _, fd := range AccountFields {
					if headerKey(fd.Label) == k {
						field = fd.Key
					}
				}
			}
			if _, ok := FieldByKey(field); ok && !used[field] {
				m[i], used[field] = field, true
			}
		}
	}
	return m
}

// check validates the mapping itself.
func (m Mapping) check(columns int) error {
	if len(m) != columns {
		return InputError("The column mapping does not fit the file; map the columns again.")
	}
	seen := map[string]bool{}
	for _, k := range m {
		if k == "" {
			continue
		}
		fd, ok := FieldByKey(k)
		if !ok {
			return InputError("Unknown field " + k + ".")
		}
		if seen[k] {
			return InputError(fd.Label + " is mapped to more than one column.")
		}
		seen[k] = true
	}
	if !seen["name"] && !seen["external_ref"] {
		return InputError("Map a column to Name or External reference, so rows can be matched.")
	}
	return nil
}

// Op is what an import does with one row.
type Op string

const (
	OpCreate    Op = "create"
	OpUpdate    Op = "update"
	OpUnchanged Op = "unchanged"
)

// RowError is a problem with one cell (or row) of an import.
type RowError struct {
	Line    int
	Column  string // the CSV header, "" for the whole row
	Value   string
	Message string
}

// PlanRow is what will happen to one row.
type PlanRow struct {
	Line    int
	Op      Op
	ID      uuid.UUID // the account created or updated
	Fields  Fields
	Changed []string // labels of the fields an update changes
}

// Plan is an import worked out but not written: what would be created,
// updated or left alone, and every row error.
type Plan struct {
	Rows      []PlanRow
	Creates   int
	Updates   int
	Unchanged int
	Errors    []RowError
	// MappingError is set when the mapping itself is unusable.
	MappingError string
}

// OK reports whether the plan can be committed.
func (p Plan) OK() bool { return p.MappingError == "" && len(p.Errors) == 0 }

// existingAccount is what planning needs to know of a saved account.
type existingAccount struct {
	ID uuid.UUID
	Fields
}

// planImport validates every row of file under mapping and matches it to
// existing accounts: by external reference, or (rows without one) by name
// among accounts without a reference. Pure; the same inputs give the same
// plan.
func planImport(file CSVFile, m Mapping, existing []existingAccount) Plan {
	var p Plan
	if err := m.check(len(file.Header)); err != nil {
		p.MappingError = err.Error()
		return p
	}
	byRef := make(map[string]int, len(existing))
	byName := map[string][]int{}
	for i, e := range existing {
		if e.ExternalRef != "" {
			byRef[e.ExternalRef] = i
		} else {
			k := strings.ToLower(e.Name)
			byName[k] = append(byName[k], i)
		}
	}
	refLine := map[string]int{}
	nameLine := map[string]int{}
	colOf := map[string]int{}
	for i, k := range m {
		if k != "" {
			colOf[k] = i
		}
	}
	cell := func(r CSVRow, key string) (string, bool) {
		i, ok := colOf[key]
		if !ok {
			return "", false
		}
		if i < len(r.Cells) {
			return csvcell.Unescape(r.Cells[i]), true
		}
		return "", true
	}
	for _, r := range file.Rows {
		rowErr := func(key, value, msg string) {
			col := ""
			if i, ok := colOf[key]; ok {
				col = file.Header[i]
			}
			p.Errors = append(p.Errors, RowError{Line: r.Line, Column: col, Value: value, Message: msg})
		}
		if len(r.Cells) > len(file.Header) && !blank(r.Cells[len(file.Header):]) {
			rowErr("", "", fmt.Sprintf("The row has %d cells but the header only %d columns.", len(r.Cells), len(file.Header)))
			continue
		}
		// Match first, so an update starts from the saved values.
		ref, _ := cell(r, "external_ref")
		ref = strings.TrimSpace(ref)
		name, _ := cell(r, "name")
		var base Fields
		op, id := OpCreate, uuid.Nil
		bad := false
		if ref != "" {
			if l, dup := refLine[ref]; dup {
				rowErr("external_ref", ref, fmt.Sprintf("This reference is also on line %d.", l))
				continue
			}
			refLine[ref] = r.Line
			if i, ok := byRef[ref]; ok {
				op, id, base = OpUpdate, existing[i].ID, existing[i].Fields
			}
		} else {
			k := strings.ToLower(strings.TrimSpace(name))
			if k != "" {
				if l, dup := nameLine[k]; dup {
					rowErr("name", name, fmt.Sprintf("This name (without a reference) is also on line %d; add external references to tell them apart.", l))
					continue
				}
				nameLine[k] = r.Line
				switch ids := byName[k]; len(ids) {
				case 0:
				case 1:
					op, id, base = OpUpdate, existing[ids[0]].ID, existing[ids[0]].Fields
				default:
					rowErr("name", name, "Several accounts have this name; add an external reference to say which one.")
					continue
				}
			}
		}
		f := base
		if op == OpCreate {
			f = Fields{Status: StatusProspect}
		}
		for _, fd := range AccountFields {
			raw, mapped := cell(r, fd.Key)
			if !mapped || (fd.Key == "status" && strings.TrimSpace(raw) == "" && op == OpUpdate) {
				continue
			}
			if err := fd.set(&f, raw); err != nil {
				rowErr(fd.Key, raw, err.Error())
				bad = true
			}
		}
		if !bad && f.Name == "" {
			if _, mapped := colOf["name"]; mapped {
				rowErr("name", "", "Enter a name.")
			} else {
				rowErr("external_ref", ref, "No account has this reference; map a Name column to create new accounts.")
			}
			bad = true
		}
		if bad {
			continue
		}
		pr := PlanRow{Line: r.Line, Op: op, ID: id, Fields: f}
		switch {
		case op == OpCreate:
			pr.ID = uuid.New()
			p.Creates++
		case base.Same(f):
			pr.Op = OpUnchanged
			p.Unchanged++
		default:
			before, _ := diff(base, f)
			for _, fd := range AccountFields {
				if _, ok := before[fd.Key]; ok {
					pr.Changed = append(pr.Changed, fd.Label)
				}
			}
			p.Updates++
		}
		p.Rows = append(p.Rows, pr)
	}
	return p
}

// ImportFile is an uploaded CSV file waiting to be committed.
type ImportFile struct {
	ID        uuid.UUID
	Filename  string
	CreatedAt time.Time
	CSVFile
}

// CreateImport keeps an uploaded CSV file for mapping and preview. Only
// admins and leaders import (db.ErrForbidden). A file that cannot be read
// gives db.FieldErrors{"file": ...}. Uploads older than a day are removed.
func (s *Store) CreateImport(ctx context.Context, sc db.Scope, role auth.Role, filename string, data []byte) (uuid.UUID, error) {
	if !CanCreate(role) {
		return uuid.Nil, fmt.Errorf("account: import as %s: %w", role, db.ErrForbidden)
	}
	if _, err := ParseCSV(data); err != nil {
		return uuid.Nil, db.FieldErrors{"file": err.Error()}
	}
	name, _ := text(filename, limits.Name, false)
	var id uuid.UUID
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM account_imports WHERE tenant_id = $1 AND created_at < now() - interval '1 day'", sc.TenantID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "INSERT INTO account_imports (user_id, filename, data) VALUES ($1, $2, $3) RETURNING id",
			sc.UserID, name, data).Scan(&id)
	})
	return id, wrap("create import", err)
}

func loadImport(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID, lock bool) (ImportFile, error) {
	var f ImportFile
	var data []byte
	q := "SELECT id, filename, created_at, data FROM account_imports WHERE tenant_id = $1 AND id = $2"
	if lock {
		q += " FOR UPDATE"
	}
	if err := tx.QueryRow(ctx, q, tenantID, id).Scan(&f.ID, &f.Filename, &f.CreatedAt, &data); err != nil {
		return ImportFile{}, db.NotFound("import", err)
	}
	var err error
	f.CSVFile, err = ParseCSV(data)
	return f, err
}

// Import returns an uploaded file, parsed (db.ErrNotFound when gone).
func (s *Store) Import(ctx context.Context, sc db.Scope, id uuid.UUID) (ImportFile, error) {
	var f ImportFile
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		f, err = loadImport(ctx, tx, sc.TenantID, id, false)
		return err
	})
	return f, wrap("import", err)
}

// SavedMapping is the tenant's last import mapping: header key → field.
func (s *Store) SavedMapping(ctx context.Context, sc db.Scope) (map[string]string, error) {
	out := map[string]string{}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT mapping FROM account_import_mappings WHERE tenant_id = $1", sc.TenantID).Scan(&raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &out)
	})
	return out, wrap("saved mapping", err)
}

func loadExisting(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]existingAccount, error) {
	rows, _ := tx.Query(ctx, `SELECT id, name, coalesce(external_ref, ''), industry, region, country, segment, status,
			customer_since, (annual_revenue * 100)::bigint, (revenue_potential * 100)::bigint, notes
		FROM accounts WHERE tenant_id = $1`, tenantID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (existingAccount, error) {
		var e existingAccount
		var since *time.Time
		err := r.Scan(&e.ID, &e.Name, &e.ExternalRef, &e.Industry, &e.Region, &e.Country, &e.Segment, &e.Status,
			&since, &e.AnnualRevenue, &e.RevenuePotential, &e.Notes)
		if since != nil {
			e.CustomerSince = dateOnly(*since)
		}
		return e, err
	})
}

// PlanImport works out what committing file under m would do, without
// writing anything.
func (s *Store) PlanImport(ctx context.Context, sc db.Scope, file CSVFile, m Mapping) (Plan, error) {
	var p Plan
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		existing, err := loadExisting(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		p = planImport(file, m, existing)
		return nil
	})
	return p, wrap("plan import", err)
}

// ImportError says an import was not committed because of row errors;
// Plan holds them. Nothing was written.
type ImportError struct{ Plan Plan }

func (e *ImportError) Error() string {
	return fmt.Sprintf("import has %d row errors", len(e.Plan.Errors))
}

// CommitImport applies import id under mapping m in one transaction: every
// row is validated first, and when any row is bad nothing is written
// (*ImportError). Rows that change nothing are left alone, so committing
// the same file again changes nothing. The mapping is remembered for the
// next import and the upload removed. Admins and leaders only.
func (s *Store) CommitImport(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID, m Mapping) (Plan, error) {
	if !CanCreate(role) {
		return Plan{}, fmt.Errorf("account: import as %s: %w", role, db.ErrForbidden)
	}
	var p Plan
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		// One import at a time per tenant, so two cannot create the same
		// reference between planning and writing.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('account-import:' || $1::text, 0))", sc.TenantID); err != nil {
			return err
		}
		file, err := loadImport(ctx, tx, sc.TenantID, id, true)
		if err != nil {
			return err
		}
		existing, err := loadExisting(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		p = planImport(file.CSVFile, m, existing)
		if !p.OK() {
			return &ImportError{Plan: p}
		}
		if err := writeImport(ctx, tx, sc, p); err != nil {
			return err
		}
		saved := map[string]string{}
		for i, k := range m {
			if k != "" {
				saved[headerKey(file.Header[i])] = k
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account_import_mappings (mapping) VALUES ($1)
			ON CONFLICT (tenant_id) DO UPDATE SET mapping = excluded.mapping, updated_at = now()`, saved); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM account_imports WHERE tenant_id = $1 AND id = $2", sc.TenantID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "import", Entity: "account_import",
			EntityID: id.String(), After: map[string]any{"file": file.Filename, "rows": len(file.Rows),
				"created": p.Creates, "updated": p.Updates, "unchanged": p.Unchanged}})
	})
	var ie *ImportError
	if errors.As(err, &ie) {
		return ie.Plan, ie
	}
	return p, wrap("commit import", err)
}

const importFieldsJSON = `jsonb_strip_nulls(jsonb_build_object('name', %[1]s.name, 'external_ref', nullif(%[1]s.external_ref, ''),
	'industry', nullif(%[1]s.industry, ''), 'region', nullif(%[1]s.region, ''), 'country', nullif(%[1]s.country, ''),
	'segment', nullif(%[1]s.segment, ''), 'status', %[1]s.status, 'customer_since', %[1]s.customer_since,
	'annual_revenue', %[2]s, 'revenue_potential', %[3]s, 'notes', nullif(%[1]s.notes, '')))`

// writeImport writes a checked plan: COPY into a temporary table (COPY
// cannot write into a table with row-level security), then one set-based
// statement each for the updates, the creations and their audit events.
func writeImport(ctx context.Context, tx pgx.Tx, sc db.Scope, p Plan) error {
	if p.Creates+p.Updates == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_rows (op text NOT NULL, id uuid NOT NULL, name text NOT NULL,
		external_ref text NOT NULL, industry text NOT NULL, region text NOT NULL, country text NOT NULL, segment text NOT NULL,
		status text NOT NULL, customer_since date, annual_revenue bigint NOT NULL, revenue_potential bigint NOT NULL,
		notes text NOT NULL) ON COMMIT DROP`); err != nil {
		return err
	}
	var rows [][]any
	for _, r := range p.Rows {
		if r.Op == OpUnchanged {
			continue
		}
		f := r.Fields
		rows = append(rows, []any{string(r.Op), r.ID, f.Name, f.ExternalRef, f.Industry, f.Region, f.Country, f.Segment,
			string(f.Status), nullDate(f.CustomerSince), int64(f.AnnualRevenue), int64(f.RevenuePotential), f.Notes})
	}
	cols := []string{"op", "id", "name", "external_ref", "industry", "region", "country", "segment", "status",
		"customer_since", "annual_revenue", "revenue_potential", "notes"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	actor := nullUUID(sc.UserID)
	after := fmt.Sprintf(importFieldsJSON, "r", "(r.annual_revenue / 100.0)", "(r.revenue_potential / 100.0)")
	before := fmt.Sprintf(importFieldsJSON, "a", "a.annual_revenue", "a.revenue_potential")
	before = strings.ReplaceAll(before, "nullif(a.external_ref, '')", "a.external_ref")
	type stmt struct {
		sql  string
		args []any
	}
	stmts := []stmt{
		{`INSERT INTO audit_events (actor_id, action, entity, entity_id, before, after)
		SELECT $2, 'import_update', 'account', a.id::text, ` + before + `, ` + after + `
		FROM import_rows r JOIN accounts a ON a.tenant_id = $1 AND a.id = r.id WHERE r.op = 'update'`, []any{sc.TenantID, actor}},
		{`UPDATE accounts a SET name = r.name, external_ref = nullif(r.external_ref, ''), industry = r.industry,
			region = r.region, country = r.country, segment = r.segment, status = r.status, customer_since = r.customer_since,
			annual_revenue = r.annual_revenue / 100.0, revenue_potential = r.revenue_potential / 100.0, notes = r.notes,
			version = a.version + 1, updated_at = now()
		FROM import_rows r WHERE a.tenant_id = $1 AND a.id = r.id AND r.op = 'update'`, []any{sc.TenantID}},
		{`INSERT INTO accounts (tenant_id, id, name, external_ref, industry, region, country, segment, status, customer_since,
			annual_revenue, revenue_potential, notes)
		SELECT $1, r.id, r.name, nullif(r.external_ref, ''), r.industry, r.region, r.country, r.segment, r.status,
			r.customer_since, r.annual_revenue / 100.0, r.revenue_potential / 100.0, r.notes
		FROM import_rows r WHERE r.op = 'create'`, []any{sc.TenantID}},
		{`INSERT INTO audit_events (actor_id, action, entity, entity_id, after)
		SELECT $1, 'import_create', 'account', r.id::text, ` + after + ` FROM import_rows r WHERE r.op = 'create'`, []any{actor}},
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
			if refTaken(err) {
				return db.FieldErrors{"file": "Another import or edit just used one of these references; preview again."}
			}
			return err
		}
	}
	return nil
}

// ExportColumns are the CSV export's columns: the account fields (so an
// export can be imported again) and then read-only facts.
var ExportColumns = []string{"name", "external_ref", "industry", "region", "country", "segment", "status",
	"customer_since", "annual_revenue", "revenue_potential", "notes", "growth_headroom", "key_status", "kam"}

// ExportCSV writes the accounts matching f (every page, in f's order) as
// CSV with a UTF-8 byte-order mark, for spreadsheets.
func (s *Store) ExportCSV(ctx context.Context, sc db.Scope, f Filter, w io.Writer) error {
	if _, err := w.Write(csvcell.BOM()); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	err := s.EachAccount(ctx, sc, f, func(a Account) error {
		v := a.FormValues()
		rec := make([]string, 0, len(ExportColumns))
		for _, k := range ExportColumns[:11] {
			rec = append(rec, csvcell.Safe(v[k]))
		}
		rec = append(rec, a.Headroom().Plain(), string(a.KeyStatus), csvcell.Safe(a.KAMName))
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
