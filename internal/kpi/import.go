package kpi

import "context"
import "fmt"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/importer"

// FieldAccount is the CSV column naming the account: its id, its external
// reference or its exact name (see account.Refs).
const FieldAccount = "account"

// ImportHeader is the header the import expects and the export writes.
var ImportHeader = []string{FieldAccount, FieldMonth, FieldRevenue, FieldCSAT, FieldNPS, FieldPromoters, FieldPassives,
	FieldDetractors, FieldAdoption, FieldUpsell, FieldCrossSells, FieldOrders, FieldUnits}

// figureCells are the places in in of each figure column of a file. A
// new monthly figure is a new entry here, a field of FigureImport and a
// column of its target.
func figureCells(in *FigureInput) map[string]*string {
	return map[string]*string{FieldMonth: &in.Month, FieldRevenue: &in.Revenue, FieldCSAT: &in.CSAT, FieldNPS: &in.NPS,
		FieldPromoters: &in.Promoters, FieldPassives: &in.Passives, FieldDetractors: &in.Detractors, FieldAdoption: &in.Adoption,
		FieldUpsell: &in.Upsell, FieldCrossSells: &in.CrossSells, FieldOrders: &in.Orders, FieldUnits: &in.Units}
}

// MonthlyFields are the columns of an import with one row per account
// and month (the figures, health's profitability): the account and the
// month, then more.
func MonthlyFields(more ...importer.Field) []importer.Field {
	return append([]importer.Field{
		{Key: FieldAccount, Label: "Account", Required: true, Aliases: []string{"account_id", "account_ref", "external_ref", "account_name", "name"},
			Hint: "The account's external reference, its exact name, or its id"},
		{Key: FieldMonth, Label: "Month", Required: true, Aliases: []string{"period"}, Hint: "Like 2026-03; not after this month"},
	}, more...)
}

// FigureImport is the KPI figure import: one row per account and month,
// the columns named in the header (ImportHeader, in any order; only
// account, month and revenue are required). Existing figures for the
// same account and month are replaced. Every member may import; a KAM
// only the figures of the accounts they manage (checked row by row).
var FigureImport = &importer.Kind{
	Name:        "kpi_figures",
	Entity:      "kpi_figure",
	FixedHeader: true,
	Fields: MonthlyFields(
		importer.Field{Key: FieldRevenue, Label: "Revenue", Required: true, Hint: "Revenue in the month, 0 or more, at most 2 decimals"},
		importer.Field{Key: FieldCSAT, Label: "CSAT", Hint: "Average rating 1–5, or percent satisfied 0–100 (the tenant's CSAT scale)"},
		importer.Field{Key: FieldNPS, Label: "NPS", Hint: "Net Promoter Score, −100 to 100; or leave empty and give the three counts"},
		importer.Field{Key: FieldPromoters, Label: "Promoters", Hint: "Survey response counts (all three or none)"},
		importer.Field{Key: FieldPassives, Label: "Passives"},
		importer.Field{Key: FieldDetractors, Label: "Detractors"},
		importer.Field{Key: FieldAdoption, Label: "Adoption", Aliases: []string{"adoption", "usage", "usage_pct"}, Hint: "Product adoption or usage rate, 0–100"},
		importer.Field{Key: FieldUpsell, Label: "Upsell revenue", Aliases: []string{"upsell"}, Hint: "Upsell revenue in the month"},
		importer.Field{Key: FieldCrossSells, Label: "Cross-sells", Aliases: []string{"cross_sells", "cross_sell"}, Hint: "Number of cross-sells in the month"},
		importer.Field{Key: FieldOrders, Label: "Orders", Aliases: []string{"order_count", "number_of_orders"}, Hint: "Number of orders in the month (average transaction size is revenue ÷ orders)"},
		importer.Field{Key: FieldUnits, Label: "Units", Aliases: []string{"unit_count", "quantity", "units_sold"}, Hint: "Units bought in the month (units per order is units ÷ orders)"},
	),
	Prepare: lockFigures,
	Plan:    planFigures,
	Keep:    keepImportedRevenue,
	Target: importer.Target{Table: "kpi_figures", Key: []string{"account_id", "month"}, Versioned: true,
		Columns: []string{"account_id", "month", "revenue", "csat", "nps", "promoters", "passives", "detractors",
			"adoption_pct", "upsell_revenue", "cross_sell_count", "orders", "units", "updated_by"}},
}

// keepImportedRevenue keeps the revenue of the accounts whose figures an
// import writes (account/revenue.go), after the write.
func keepImportedRevenue(ctx context.Context, tx pgx.Tx, a importer.Actor, ids []string) (func() error, error) {
	seen := map[uuid.UUID]bool{}
	var accounts []uuid.UUID
	for _, s := range ids {
		acct, _, _ := strings.Cut(s, "/") // figureEntityID: account/month
		id, err := uuid.Parse(acct)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			accounts = append(accounts, id)
		}
	}
	return func() error { return account.KeepRevenue(ctx, tx, a.TenantID, a.Now, accounts) }, nil
}

func planFigures(ctx context.Context, tx pgx.Tx, a importer.Actor, rows []importer.Row, p *importer.Plan) error {
	st, err := settings(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	refs, err := account.LoadRefs(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	existing, err := existingFigures(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	return planFigureRows(rows, refs, existing, st.CSATScale, a, p)
}

// planFigureRows checks rows against the tenant's accounts (refs), its
// figures (by account and month) and CSAT scale for actor a. Pure.
func planFigureRows(rows []importer.Row, refs *account.Refs, existing map[MonthKey]Figure, scale string, a importer.Actor,
	p *importer.Plan) error {
	return PlanMonthly(rows, refs, existing, a, p, Monthly[Figure]{
		What:    "figures",
		Columns: ImportHeader,
		Read: func(r importer.Row) (Figure, time.Time, db.FieldErrors) {
			var in FigureInput
			for key, cell := range figureCells(&in) {
				*cell = r.Value(key)
			}
			f, fe := ParseFigure(in, scale, a.Now)
			return f, f.Month, fe
		},
		Change: func(acct account.Ref, f *Figure) importer.Change {
			f.AccountID = acct.ID
			return importer.Change{After: stateOf(f),
				Values: []any{acct.ID, f.Month, f.Revenue, f.CSAT, f.NPS, f.Promoters, f.Passives, f.Detractors,
					f.AdoptionPct, f.UpsellRevenue, f.CrossSellCount, f.Orders, f.Units, db.Null(a.UserID)}}
		},
		Update: func(cur, f Figure, c *importer.Change) bool {
			c.Before, c.Version, c.Changed = stateOf(&cur), cur.Version, changedFigures(cur, f)
			return !sameFigures(cur, f)
		},
	})
}

// MonthKey is an account and a month: what one row of a monthly import
// (the figures, health's profitability) is about.
type MonthKey struct {
	AccountID uuid.UUID
	Month     time.Time
}

// Monthly is what PlanMonthly needs of one kind of monthly record T.
type Monthly[T any] struct {
	What    string   // the records in messages: "figures", "profitability"
	Columns []string // the columns whose messages a row shows
	// Read parses a row: the record, its month, the messages by column.
	Read func(importer.Row) (T, time.Time, db.FieldErrors)
	// Change is the change that writes x for the account (Values, After;
	// PlanMonthly names the record); it may complete x with the account.
	Change func(acct account.Ref, x *T) importer.Change
	// Update fills c's Before, Version (and Changed) from the record cur
	// kept now, and reports whether x differs from it.
	Update func(cur, x T, c *importer.Change) bool
}

// PlanMonthly plans the rows of an import with one row per account and
// month for actor a: each row's account must be one a may edit (refs),
// its cells must read (m.Read), a second row for the same account and
// month is refused, and the row creates, keeps or updates the record
// existing holds for its account and month.
func PlanMonthly[T any](rows []importer.Row, refs *account.Refs, existing map[MonthKey]T, a importer.Actor, p *importer.Plan,
	m Monthly[T]) error {
	firstLine := map[MonthKey]int{}
	for _, r := range rows {
		x, month, fe := m.Read(r)
		acct, msg := refs.FindEditable(r.Value(FieldAccount), a.Role, a.UserID, m.What)
		if msg != "" {
			p.Fail(r, FieldAccount, msg)
		}
		for _, key := range m.Columns {
			if m, bad := fe[key]; bad {
				p.Fail(r, key, m)
			}
		}
		if msg != "" || len(fe) > 0 {
			continue
		}
		k := MonthKey{acct.ID, month}
		if line, dup := firstLine[k]; dup {
			p.Failf(r, FieldMonth, "Line %d already gives this account's %s for %s.", line, m.What, FormatMonth(month))
			continue
		}
		firstLine[k] = r.Line
		c := m.Change(acct, &x)
		c.Record, c.EntityID = acct.Name+" · "+FormatMonth(month), figureEntityID(acct.ID, month)
		cur, ok := existing[k]
		var err error
		switch {
		case !ok:
			err = p.Create(r, c)
		case !m.Update(cur, x, &c):
			p.Keep(r, c.Record, c.EntityID)
		default:
			err = p.Update(r, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// changedFigures names the figures that differ between two figures of
// one month (none: the same values), for the preview and sameFigures.
func changedFigures(a, b Figure) []string {
	var out []string
	for _, c := range []struct {
		label string
		same  bool
	}{{"Revenue", a.Revenue == b.Revenue}, {"CSAT", eq(a.CSAT, b.CSAT)}, {"NPS", eq(a.NPS, b.NPS)},
		{"Survey counts", eq(a.Promoters, b.Promoters) && eq(a.Passives, b.Passives) && eq(a.Detractors, b.Detractors)},
		{"Adoption", eq(a.AdoptionPct, b.AdoptionPct)}, {"Upsell revenue", eq(a.UpsellRevenue, b.UpsellRevenue)},
		{"Cross-sells", eq(a.CrossSellCount, b.CrossSellCount)}, {"Orders", eq(a.Orders, b.Orders)}, {"Units", eq(a.Units, b.Units)}} {
		if !c.same {
			out = append(out, c.label)
		}
	}
	return out
}

// sameFigures reports whether two figures of one month hold the same values.
func sameFigures(a, b Figure) bool { return len(changedFigures(a, b)) == 0 }

func eq[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// existingFigures loads the tenant's figures by account and month. An
// import may touch any of them; the tenant's figures are at most a few
// hundred thousand rows, read once per preview.
func existingFigures(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (map[MonthKey]Figure, error) {
	rows, err := tx.Query(ctx, `SELECT `+figureColumns+` FROM kpi_figures f LEFT JOIN users u ON u.id = f.updated_by
		WHERE f.tenant_id = $1`, tenantID)
	if err != nil {
		return nil, err
	}
	out := map[MonthKey]Figure{}
	var f Figure
	_, err = pgx.ForEachRow(rows, []any{&f.AccountID, &f.Month, &f.Revenue, &f.CSAT, &f.NPS, &f.Promoters, &f.Passives,
		&f.Detractors, &f.AdoptionPct, &f.UpsellRevenue, &f.CrossSellCount, &f.Orders, &f.Units, &f.Version, &f.UpdatedByName, &f.UpdatedAt}, func() error {
		g := f
		g.Month = MonthOf(g.Month)
		out[MonthKey{g.AccountID, g.Month}] = g
		f = Figure{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("existing figures: %w", err)
	}
	return out, nil
}
