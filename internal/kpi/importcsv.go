package kpi

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/account"
	"pareto/internal/audit"
	"pareto/internal/auth"
	"pareto/internal/csvcell"
	"pareto/internal/db"
	"pareto/internal/limits"
)

// CSV import: upload (stored as is), preview (every row validated against
// the tenant's accounts, settings and existing figures), commit (validated
// again in the writing transaction; any invalid row and nothing is
// written).

// Import limits.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 100_000
)

// FieldAccount is the CSV column naming the account: its id, its external
// reference or its exact name.
const FieldAccount = "account"

// importColumns maps accepted header names (lower case) to fields.
var importColumns = map[string]string{
	"account": FieldAccount, "account_id": FieldAccount, "account_ref": FieldAccount, "external_ref": FieldAccount,
	"account_name": FieldAccount, "name": FieldAccount,
	"month": FieldMonth, "period": FieldMonth,
	"revenue":   FieldRevenue,
	"csat":      FieldCSAT,
	"nps":       FieldNPS,
	"promoters": FieldPromoters, "passives": FieldPassives, "detractors": FieldDetractors,
	"adoption_pct": FieldAdoption, "adoption": FieldAdoption, "usage": FieldAdoption, "usage_pct": FieldAdoption,
	"upsell_revenue": FieldUpsell, "upsell": FieldUpsell,
	"cross_sell_count": FieldCrossSells, "cross_sells": FieldCrossSells, "cross_sell": FieldCrossSells,
}

// ImportHeader is the header the import expects and the export writes.
var ImportHeader = []string{FieldAccount, FieldMonth, FieldRevenue, FieldCSAT, FieldNPS, FieldPromoters, FieldPassives,
	FieldDetractors, FieldAdoption, FieldUpsell, FieldCrossSells}

// ImportRecord is one data line of the file, by field.
type ImportRecord struct {
	Line    int
	Account string
	Input   FigureInput
}

// ParseImportCSV reads a KPI CSV file: a header row naming the columns
// (see importColumns; order free, unknown columns refused), then one row
// per account and month. Comma or semicolon separated, UTF-8 (a BOM is
// fine). File-level problems come back as messages; row problems are
// found by the preview.
func ParseImportCSV(data []byte) ([]ImportRecord, []string) {
	r, _, problem := csvcell.NewReader(data)
	if problem != "" {
		return nil, []string{problem}
	}
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, []string{"The header row cannot be read: " + csvProblem(err)}
	}
	var problems []string
	cols := make([]string, len(header))
	seen := map[string]string{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		field, ok := importColumns[name]
		switch {
		case name == "":
			problems = append(problems, fmt.Sprintf("Column %d has no name.", i+1))
		case !ok:
			problems = append(problems, fmt.Sprintf("Unknown column %q. Use: %s.", h, strings.Join(ImportHeader, ", ")))
		case seen[field] != "":
			problems = append(problems, fmt.Sprintf("Columns %q and %q both give the %s.", seen[field], h, field))
		default:
			seen[field] = h
			cols[i] = field
		}
	}
	for _, required := range []string{FieldAccount, FieldMonth, FieldRevenue} {
		if seen[required] == "" {
			problems = append(problems, fmt.Sprintf("The %q column is missing.", required))
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var out []ImportRecord
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, []string{"Line " + strconv.Itoa(pe.StartLine) + " cannot be read: " + csvProblem(err)}
			}
			return nil, []string{"The file cannot be read: " + csvProblem(err)}
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(out) == MaxImportRows {
			return nil, []string{fmt.Sprintf("The file has more than %d rows; split it.", MaxImportRows)}
		}
		ir := ImportRecord{Line: line}
		for i, v := range rec {
			if i >= len(cols) {
				if strings.TrimSpace(v) != "" {
					return nil, []string{"Line " + strconv.Itoa(line) + " has more values than the header has columns."}
				}
				continue
			}
			v = strings.TrimSpace(v)
			switch cols[i] {
			case FieldAccount:
				ir.Account = v
			case FieldMonth:
				ir.Input.Month = v
			case FieldRevenue:
				ir.Input.Revenue = v
			case FieldCSAT:
				ir.Input.CSAT = v
			case FieldNPS:
				ir.Input.NPS = v
			case FieldPromoters:
				ir.Input.Promoters = v
			case FieldPassives:
				ir.Input.Passives = v
			case FieldDetractors:
				ir.Input.Detractors = v
			case FieldAdoption:
				ir.Input.Adoption = v
			case FieldUpsell:
				ir.Input.Upsell = v
			case FieldCrossSells:
				ir.Input.CrossSells = v
			}
		}
		out = append(out, ir)
	}
	if len(out) == 0 {
		return nil, []string{"The file has a header but no rows."}
	}
	return out, nil
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Import row actions.
const (
	ActionNew       = "new"
	ActionUpdate    = "update"
	ActionUnchanged = "unchanged"
)

// ImportRow is one previewed row.
type ImportRow struct {
	ImportRecord
	AccountID   uuid.UUID
	AccountName string
	Figure      Figure
	Action      string            // ActionNew, ActionUpdate, ActionUnchanged; "" when invalid
	Errors      map[string]string // field → message
}

// ImportPreview is an upload checked against the tenant's data.
type ImportPreview struct {
	ID         uuid.UUID
	Filename   string
	CreatedAt  time.Time
	Committed  bool
	FileErrors []string
	Rows       []ImportRow
	New        int
	Updated    int
	Unchanged  int
	Invalid    int
}

// OK reports whether the import may be committed.
func (p ImportPreview) OK() bool { return len(p.FileErrors) == 0 && p.Invalid == 0 && !p.Committed }

// importAccount is what the import knows of an account.
type importAccount struct {
	id       uuid.UUID
	name     string
	ref      string
	kam      uuid.UUID
	archived bool
}

// validateImport checks records against the tenant's accounts, settings
// and existing figures (keyed by account and month) for an actor with
// role and userID. Pure: the store gathers the data.
func validateImport(recs []ImportRecord, accounts []importAccount, existing map[figureKey]Figure, scale string,
	role auth.Role, userID uuid.UUID, now time.Time) ImportPreview {
	byID := map[uuid.UUID]*importAccount{}
	byRef := map[string]*importAccount{}
	byName := map[string][]*importAccount{}
	for i := range accounts {
		a := &accounts[i]
		byID[a.id] = a
		if a.ref != "" {
			byRef[strings.ToLower(a.ref)] = a
		}
		if !a.archived {
			byName[strings.ToLower(a.name)] = append(byName[strings.ToLower(a.name)], a)
		}
	}
	var p ImportPreview
	firstLine := map[figureKey]int{}
	for _, rec := range recs {
		row := ImportRow{ImportRecord: rec, Errors: map[string]string{}}
		f, fe := ParseFigure(rec.Input, scale, now)
		for k, v := range fe {
			row.Errors[k] = v
		}
		var acc *importAccount
		key := strings.ToLower(rec.Account)
		if id, err := uuid.Parse(rec.Account); err == nil {
			acc = byID[id]
		}
		if acc == nil {
			acc = byRef[key]
		}
		if acc == nil {
			switch named := byName[key]; {
			case len(named) == 1:
				acc = named[0]
			case len(named) > 1:
				row.Errors[FieldAccount] = "Several accounts have this name; use the account's external reference."
			}
		}
		switch {
		case rec.Account == "":
			row.Errors[FieldAccount] = "Name the account (external reference, name or id)."
		case acc == nil:
			if row.Errors[FieldAccount] == "" {
				row.Errors[FieldAccount] = "No such account."
			}
		case acc.archived:
			row.Errors[FieldAccount] = "This account is archived."
		case !account.CanEditManagedBy(role, userID, acc.kam):
			row.Errors[FieldAccount] = "You do not manage this account, so you cannot import its figures."
		default:
			row.AccountID, row.AccountName = acc.id, acc.name
		}
		if len(row.Errors) == 0 {
			f.AccountID = acc.id
			row.Figure = f
			k := figureKey{acc.id, f.Month}
			if line, dup := firstLine[k]; dup {
				row.Errors[FieldMonth] = fmt.Sprintf("Line %d already gives this account's figures for %s.", line, FormatMonth(f.Month))
			} else {
				firstLine[k] = rec.Line
			}
		}
		if len(row.Errors) > 0 {
			p.Invalid++
		} else if cur, ok := existing[figureKey{row.AccountID, row.Figure.Month}]; !ok {
			row.Action = ActionNew
			p.New++
		} else if sameFigures(cur, row.Figure) {
			row.Action = ActionUnchanged
			p.Unchanged++
		} else {
			row.Action = ActionUpdate
			p.Updated++
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

type figureKey struct {
	account uuid.UUID
	month   time.Time
}

// sameFigures reports whether two figures of one month hold the same values.
func sameFigures(a, b Figure) bool {
	return a.Revenue == b.Revenue && eq(a.CSAT, b.CSAT) && eq(a.NPS, b.NPS) && eq(a.Promoters, b.Promoters) &&
		eq(a.Passives, b.Passives) && eq(a.Detractors, b.Detractors) && eq(a.AdoptionPct, b.AdoptionPct) &&
		eq(a.UpsellRevenue, b.UpsellRevenue) && eq(a.CrossSellCount, b.CrossSellCount)
}

func eq[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// CreateImport stores an uploaded file for preview. Anybody signed in may
// import (what each row may change is checked per row). Returns
// db.FieldErrors when the file is empty or too large.
func (s *Store) CreateImport(ctx context.Context, sc db.Scope, filename string, data []byte) (uuid.UUID, error) {
	if len(data) == 0 {
		return uuid.Nil, db.FieldErrors{"file": "Choose a CSV file."}
	}
	if len(data) > MaxImportBytes {
		return uuid.Nil, db.FieldErrors{"file": "The file is larger than 10 MiB; split it."}
	}
	if len(filename) > limits.Filename {
		filename = filename[:limits.Filename]
	}
	var id uuid.UUID
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		// Uploads nobody committed are dropped after a day.
		if _, err := tx.Exec(ctx, `DELETE FROM kpi_imports WHERE tenant_id = $1 AND committed_at IS NULL
			AND created_at < now() - interval '1 day'`, sc.TenantID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO kpi_imports (tenant_id, user_id, filename, data) VALUES ($1, $2, $3, $4) RETURNING id`,
			sc.TenantID, sc.UserID, filename, data).Scan(&id)
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("kpi: create import: %w", err)
	}
	return id, nil
}

// PreviewImport validates a stored upload for an actor with role: rows for
// accounts they may not change are reported as problems. Any member of the
// tenant may preview an upload (the figures are readable by all of them);
// another tenant's upload is db.ErrNotFound.
func (s *Store) PreviewImport(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID) (ImportPreview, error) {
	var p ImportPreview
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		p, err = s.preview(ctx, tx, sc, role, id, false)
		return err
	})
	if err != nil {
		return ImportPreview{}, fmt.Errorf("kpi: preview import: %w", err)
	}
	return p, nil
}

// ErrImportInvalid says an import has invalid rows or was committed
// already; nothing was written.
var ErrImportInvalid = errors.New("kpi: import not valid")

// CommitImport writes every valid row of an upload in one transaction,
// after validating it again: if any row is invalid (or the upload was
// committed already) nothing is written and the error wraps
// ErrImportInvalid and db.FieldErrors, with the preview returned to show
// why. Each account whose figures change gets one audit event.
func (s *Store) CommitImport(ctx context.Context, sc db.Scope, role auth.Role, id uuid.UUID) (ImportPreview, error) {
	var p ImportPreview
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := lockFigures(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		var err error
		p, err = s.preview(ctx, tx, sc, role, id, true)
		if err != nil {
			return err
		}
		if !p.OK() {
			return fmt.Errorf("%w: %w", ErrImportInvalid, db.FieldErrors{"file": "The file has problems; nothing was imported."})
		}
		return s.writeImport(ctx, tx, sc, p)
	})
	if errors.Is(err, ErrImportInvalid) {
		return p, err
	}
	if err != nil {
		return ImportPreview{}, fmt.Errorf("kpi: commit import: %w", err)
	}
	p.Committed = true
	return p, nil
}

func (s *Store) preview(ctx context.Context, tx pgx.Tx, sc db.Scope, role auth.Role, id uuid.UUID, lock bool) (ImportPreview, error) {
	var data []byte
	var p ImportPreview
	var committed *time.Time
	q := `SELECT filename, data, committed_at, created_at FROM kpi_imports WHERE tenant_id = $1 AND id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	if err := tx.QueryRow(ctx, q, sc.TenantID, id).Scan(&p.Filename, &data, &committed, &p.CreatedAt); err != nil {
		return p, db.NotFound("import", err)
	}
	recs, problems := ParseImportCSV(data)
	if len(problems) > 0 {
		p.FileErrors = problems
	} else {
		st, err := settings(ctx, tx, sc.TenantID)
		if err != nil {
			return p, err
		}
		rows, err := tx.Query(ctx, `SELECT id, name, coalesce(external_ref, ''), kam_user_id, archived_at IS NOT NULL
			FROM accounts WHERE tenant_id = $1`, sc.TenantID)
		if err != nil {
			return p, err
		}
		accounts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (importAccount, error) {
			var a importAccount
			var kam *uuid.UUID
			err := r.Scan(&a.id, &a.name, &a.ref, &kam, &a.archived)
			if kam != nil {
				a.kam = *kam
			}
			return a, err
		})
		if err != nil {
			return p, err
		}
		existing, err := existingFigures(ctx, tx, sc.TenantID)
		if err != nil {
			return p, err
		}
		filename, created := p.Filename, p.CreatedAt
		p = validateImport(recs, accounts, existing, st.CSATScale, role, sc.UserID, s.Now())
		p.Filename, p.CreatedAt = filename, created
	}
	p.ID = id
	p.Committed = committed != nil
	if p.Committed {
		p.FileErrors = append(p.FileErrors, "This file was imported already.")
	}
	return p, nil
}

// existingFigures loads the tenant's figures by account and month. An
// import may touch any of them; the tenant's figures are at most a few
// hundred thousand rows, read once per preview.
func existingFigures(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (map[figureKey]Figure, error) {
	rows, err := tx.Query(ctx, `SELECT `+figureColumns+` FROM kpi_figures f LEFT JOIN users u ON u.id = f.updated_by
		WHERE f.tenant_id = $1`, tenantID)
	if err != nil {
		return nil, err
	}
	out := map[figureKey]Figure{}
	var f Figure
	_, err = pgx.ForEachRow(rows, []any{&f.AccountID, &f.Month, &f.Revenue, &f.CSAT, &f.NPS, &f.Promoters, &f.Passives,
		&f.Detractors, &f.AdoptionPct, &f.UpsellRevenue, &f.CrossSellCount, &f.Version, &f.UpdatedByName, &f.UpdatedAt}, func() error {
		g := f
		g.Month = MonthOf(g.Month)
		out[figureKey{g.AccountID, g.Month}] = g
		f = Figure{}
		return nil
	})
	return out, err
}

// writeImport upserts the changed rows in batches and records one audit
// event per account.
func (s *Store) writeImport(ctx context.Context, tx pgx.Tx, sc db.Scope, p ImportPreview) error {
	existing, err := existingFigures(ctx, tx, sc.TenantID)
	if err != nil {
		return err
	}
	type change struct{ before, after map[string]any }
	changes := map[uuid.UUID]*change{}
	var order []uuid.UUID
	var batch []Figure
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := upsertFigures(ctx, tx, sc, batch)
		batch = batch[:0]
		return err
	}
	for _, r := range p.Rows {
		if r.Action != ActionNew && r.Action != ActionUpdate {
			continue
		}
		f := r.Figure
		var before *Figure
		if cur, ok := existing[figureKey{f.AccountID, f.Month}]; ok {
			before = &cur
		}
		c := changes[f.AccountID]
		if c == nil {
			c = &change{before: map[string]any{}, after: map[string]any{}}
			changes[f.AccountID] = c
			order = append(order, f.AccountID)
		}
		if before != nil {
			c.before[FormatMonth(f.Month)] = stateOf(before)
		}
		c.after[FormatMonth(f.Month)] = stateOf(&f)
		batch = append(batch, f)
		if len(batch) == 2000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, id := range order {
		c := changes[id]
		var before any
		if len(c.before) > 0 {
			before = map[string]any{"months": c.before}
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "import", Entity: "kpi_figure", EntityID: id.String(),
			Before: before, After: map[string]any{"months": c.after, "import_id": p.ID, "file": p.Filename}}); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE kpi_imports SET committed_at = now() WHERE tenant_id = $1 AND id = $2`, sc.TenantID, p.ID)
	return err
}

func upsertFigures(ctx context.Context, tx pgx.Tx, sc db.Scope, fs []Figure) error {
	n := len(fs)
	accounts, months := make([]uuid.UUID, n), make([]time.Time, n)
	revenue, csat, adoption, upsell := make([]float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n)
	nps, pro, pas, det, cross := make([]*int, n), make([]*int, n), make([]*int, n), make([]*int, n), make([]*int, n)
	for i, f := range fs {
		accounts[i], months[i], revenue[i] = f.AccountID, f.Month, f.Revenue
		csat[i], adoption[i], upsell[i] = f.CSAT, f.AdoptionPct, f.UpsellRevenue
		nps[i], pro[i], pas[i], det[i], cross[i] = f.NPS, f.Promoters, f.Passives, f.Detractors, f.CrossSellCount
	}
	_, err := tx.Exec(ctx, `INSERT INTO kpi_figures (tenant_id, account_id, month, revenue, csat, nps, promoters, passives, detractors,
			adoption_pct, upsell_revenue, cross_sell_count, updated_by)
		SELECT $1, a, m, r::numeric(15, 2), c::numeric(5, 2), n, pr, pa, de, ad::numeric(5, 2), up::numeric(15, 2), cs, $13
		FROM unnest($2::uuid[], $3::date[], $4::float8[], $5::float8[], $6::int[], $7::int[], $8::int[], $9::int[],
			$10::float8[], $11::float8[], $12::int[]) AS x (a, m, r, c, n, pr, pa, de, ad, up, cs)
		ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET revenue = EXCLUDED.revenue, csat = EXCLUDED.csat,
			nps = EXCLUDED.nps, promoters = EXCLUDED.promoters, passives = EXCLUDED.passives, detractors = EXCLUDED.detractors,
			adoption_pct = EXCLUDED.adoption_pct, upsell_revenue = EXCLUDED.upsell_revenue,
			cross_sell_count = EXCLUDED.cross_sell_count, updated_by = EXCLUDED.updated_by, updated_at = now(),
			version = kpi_figures.version + 1`,
		sc.TenantID, accounts, months, revenue, csat, nps, pro, pas, det, adoption, upsell, cross, nullID(sc.UserID))
	return err
}
