package health

import "context"
import "errors"
import "fmt"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/importer"
import "pareto/internal/kpi"
import "pareto/internal/numfmt"

// Profitability: per account and month, the cost to serve, the discount
// given and the gross margin %, recorded by form or CSV import with the
// same rules as the KPI figures (a month from 2000 to this one, amounts 0
// or more with at most two decimals). Contribution is the month's KPI
// revenue − cost to serve.

// Field names, shared by the form, the CSV import and the export.
const (
	FieldAccount     = kpi.FieldAccount
	FieldMonth       = kpi.FieldMonth
	FieldCostToServe = "cost_to_serve"
	FieldDiscount    = "discount"
	FieldGrossMargin = "gross_margin"
)

// ProfitInput is one month's profitability as typed (or read from a CSV
// cell). Only the month and the cost to serve are required.
type ProfitInput struct {
	Month, CostToServe, Discount, GrossMargin string
}

// Profit is an account's profitability in a month.
type Profit struct {
	AccountID     uuid.UUID
	Month         time.Time
	CostToServe   float64
	Discount      *float64
	GrossMargin   *float64 // percent, −100…100
	Version       int
	UpdatedByName string
	UpdatedAt     time.Time
}

// ParseProfit validates one month's profitability; now bounds the month
// (no month ahead of this one). Every problem is reported, keyed by field.
func ParseProfit(in ProfitInput, now time.Time) (Profit, db.FieldErrors) {
	fe := db.FieldErrors{}
	var p Profit
	p.Month = kpi.ReadMonth(fe, FieldMonth, in.Month, now)
	if v := kpi.ReadMoney(fe, FieldCostToServe, in.CostToServe, true); v != nil {
		p.CostToServe = *v
	}
	p.Discount = kpi.ReadMoney(fe, FieldDiscount, in.Discount, false)
	p.GrossMargin = kpi.ReadNumber(fe, FieldGrossMargin, strings.TrimSuffix(strings.TrimSpace(in.GrossMargin), "%"), -100, 100,
		"Enter a percentage from −100 to 100 (at most 2 decimals).")
	if len(fe) > 0 {
		return Profit{}, fe
	}
	return p, nil
}

// Input turns p back into form values.
func (p Profit) Input() ProfitInput {
	in := ProfitInput{Month: kpi.FormatMonth(p.Month), CostToServe: numfmt.EN.Decimal(p.CostToServe, 2)}
	if p.Discount != nil {
		in.Discount = numfmt.EN.Decimal(*p.Discount, 2)
	}
	if p.GrossMargin != nil {
		in.GrossMargin = numfmt.EN.Decimal(*p.GrossMargin, 2)
	}
	return in
}

func (p Profit) state() map[string]any {
	return map[string]any{"cost_to_serve": p.CostToServe, "discount": p.Discount, "gross_margin": p.GrossMargin}
}

func sameProfit(a, b Profit) bool {
	return a.CostToServe == b.CostToServe && eqp(a.Discount, b.Discount) && eqp(a.GrossMargin, b.GrossMargin)
}

func eqp(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// ProfitConflict says a month's profitability changed since the form was
// opened; Current is what is saved now. errors.Is(err, db.ErrConflict).
type ProfitConflict struct{ Current Profit }

func (e *ProfitConflict) Error() string { return "health: profitability changed by someone else" }

// Unwrap makes the error a db.ErrConflict.
func (e *ProfitConflict) Unwrap() error { return db.ErrConflict }

const profitCols = `p.account_id, p.month, p.cost_to_serve::float8, p.discount::float8, p.gross_margin::float8, p.version,
	coalesce(u.name, ''), p.updated_at`

func scanProfit(row pgx.Row) (Profit, error) {
	var p Profit
	err := row.Scan(&p.AccountID, &p.Month, &p.CostToServe, &p.Discount, &p.GrossMargin, &p.Version, &p.UpdatedByName, &p.UpdatedAt)
	p.Month = kpi.MonthOf(p.Month)
	return p, err
}

// editable loads an account for a change to its records, locking it, and
// checks account.CanEdit (db.ErrForbidden).
func editable(ctx context.Context, tx pgx.Tx, sc db.Scope, role auth.Role, accountID uuid.UUID) (account.Account, error) {
	var a account.Account
	var kam, manager *uuid.UUID
	var archived *time.Time
	err := tx.QueryRow(ctx, `SELECT id, name, key_status, kam_user_id, manager_user_id, archived_at FROM accounts
		WHERE tenant_id = $1 AND id = $2 FOR SHARE`, sc.TenantID, accountID).
		Scan(&a.ID, &a.Name, &a.KeyStatus, &kam, &manager, &archived)
	if err != nil {
		return a, db.NotFound("account", err)
	}
	if kam != nil {
		a.KAMUserID = *kam
	}
	if manager != nil {
		a.ManagerUserID = *manager
	}
	if archived != nil {
		a.ArchivedAt = *archived
	}
	if !account.CanEdit(role, sc.UserID, a) {
		return a, fmt.Errorf("edit account %s as %s: %w", accountID, role, db.ErrForbidden)
	}
	return a, nil
}

// SaveProfit writes an account's profitability for p.Month: a new month
// with version 0, an existing one when version is current (a
// *ProfitConflict otherwise). Needs account.CanEdit (db.ErrForbidden);
// db.ErrNotFound for a missing account. The month's portfolio totals
// follow in the same transaction.
func (s *Store) SaveProfit(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, p Profit, version int) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := editable(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		cur, err := scanProfit(tx.QueryRow(ctx, `SELECT `+profitCols+` FROM account_profitability p LEFT JOIN users u ON u.id = p.updated_by
			WHERE p.tenant_id = $1 AND p.account_id = $2 AND p.month = $3 FOR UPDATE OF p`, sc.TenantID, accountID, p.Month))
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		switch {
		case exists && cur.Version != version, !exists && version != 0:
			return &ProfitConflict{Current: cur}
		case exists && sameProfit(cur, p):
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account_profitability (account_id, month, cost_to_serve, discount, gross_margin,
				updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET cost_to_serve = EXCLUDED.cost_to_serve,
				discount = EXCLUDED.discount, gross_margin = EXCLUDED.gross_margin, updated_by = EXCLUDED.updated_by,
				updated_at = EXCLUDED.updated_at, version = account_profitability.version + 1`,
			accountID, p.Month, p.CostToServe, p.Discount, p.GrossMargin, db.Null(sc.UserID), s.Now()); err != nil {
			return err
		}
		ev := audit.Event{ActorID: sc.UserID, Action: "create", Entity: "profitability",
			EntityID: accountID.String() + "/" + kpi.FormatMonth(p.Month), After: p.state()}
		if exists {
			ev.Action, ev.Before = "update", cur.state()
		}
		if err := audit.Record(ctx, tx, ev); err != nil {
			return err
		}
		return keepTotals(ctx, tx, sc.TenantID, p.Month, p.Month)
	})
	var pc *ProfitConflict
	if errors.As(err, &pc) {
		return err
	}
	return wrap("save profitability", err)
}

// ProfitMonth is one month of an account's profitability beside its
// revenue.
type ProfitMonth struct {
	Month   time.Time
	Revenue *float64 // the month's KPI revenue, nil when none recorded
	Profit  *Profit  // nil when none recorded
}

// Contribution is revenue − cost to serve (ok false without both).
func (m ProfitMonth) Contribution() (float64, bool) {
	if m.Revenue == nil || m.Profit == nil {
		return 0, false
	}
	return *m.Revenue - m.Profit.CostToServe, true
}

// AccountProfit is an account's profitability over recent months.
type AccountProfit struct {
	Months []ProfitMonth // oldest first, every month of the window
	// Over the window, the months with both revenue and cost to serve:
	Revenue, CostToServe, Discount float64
	Counted                        int
	// Margin is the revenue-weighted gross margin of the months that
	// give one (ok false when none).
	Margin   float64
	MarginOK bool
}

// Contribution is the window's revenue − cost to serve.
func (a AccountProfit) Contribution() float64 { return a.Revenue - a.CostToServe }

// Margins are the window's gross margins, oldest first.
func (a AccountProfit) Margins() []MonthValue {
	var out []MonthValue
	for _, m := range a.Months {
		if m.Profit != nil && m.Profit.GrossMargin != nil {
			out = append(out, MonthValue{m.Month, *m.Profit.GrossMargin})
		}
	}
	return out
}

// Profitability returns accountID's profitability over the months
// ending with this one. Anybody signed in may read it; db.ErrNotFound
// for a missing account.
func (s *Store) Profitability(ctx context.Context, sc db.Scope, accountID uuid.UUID, months int) (AccountProfit, error) {
	var out AccountProfit
	this := kpi.MonthOf(s.Now())
	from := kpi.AddMonths(this, 1-months)
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM accounts WHERE tenant_id = $1 AND id = $2", sc.TenantID, accountID).Scan(&one); err != nil {
			return db.NotFound("account", err)
		}
		rows, _ := tx.Query(ctx, `SELECT `+profitCols+` FROM account_profitability p LEFT JOIN users u ON u.id = p.updated_by
			WHERE p.tenant_id = $1 AND p.account_id = $2 AND p.month BETWEEN $3 AND $4`, sc.TenantID, accountID, from, this)
		ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Profit, error) { return scanProfit(r) })
		if err != nil {
			return err
		}
		figs, err := kpi.FiguresTx(ctx, tx, sc.TenantID, []uuid.UUID{accountID}, from, this)
		if err != nil {
			return err
		}
		out = buildAccountProfit(from, this, ps, figs[accountID])
		return nil
	})
	return out, wrap("profitability", err)
}

// buildAccountProfit lays ps and figs out month by month from..to and
// sums the window.
func buildAccountProfit(from, to time.Time, ps []Profit, figs []kpi.Figure) AccountProfit {
	var out AccountProfit
	byMonth := map[time.Time]*Profit{}
	for i := range ps {
		byMonth[ps[i].Month] = &ps[i]
	}
	rev := map[time.Time]float64{}
	for _, f := range figs {
		rev[f.Month] = f.Revenue
	}
	var weighted, weight float64
	for m := from; !m.After(to); m = kpi.AddMonths(m, 1) {
		pm := ProfitMonth{Month: m, Profit: byMonth[m]}
		if r, ok := rev[m]; ok {
			pm.Revenue = &r
		}
		out.Months = append(out.Months, pm)
		if pm.Revenue == nil || pm.Profit == nil {
			continue
		}
		out.Counted++
		out.Revenue += *pm.Revenue
		out.CostToServe += pm.Profit.CostToServe
		if pm.Profit.Discount != nil {
			out.Discount += *pm.Profit.Discount
		}
		if pm.Profit.GrossMargin != nil {
			weighted += *pm.Profit.GrossMargin * *pm.Revenue
			weight += *pm.Revenue
		}
	}
	if weight > 0 {
		out.Margin, out.MarginOK = weighted/weight, true
	}
	return out
}

// ProfitImport is the profitability import: one row per account and
// month, the columns named in the header (account, month, cost_to_serve
// required; discount and gross_margin optional). Existing months are
// replaced. Every member may import; a KAM only the accounts they may
// edit (checked row by row).
var ProfitImport = &importer.Kind{
	Name:        "profitability",
	Entity:      "profitability",
	FixedHeader: true,
	Fields: kpi.MonthlyFields(
		importer.Field{Key: FieldCostToServe, Label: "Cost to serve", Required: true, Aliases: []string{"cost", "cost_to_serve_amount", "cts"},
			Hint: "What serving the account cost in the month, 0 or more, at most 2 decimals"},
		importer.Field{Key: FieldDiscount, Label: "Discount", Aliases: []string{"discount_given", "discounts"}, Hint: "Discount given in the month"},
		importer.Field{Key: FieldGrossMargin, Label: "Gross margin %", Aliases: []string{"margin", "gross_margin_pct", "gm"},
			Hint: "Gross margin in percent, −100 to 100"},
	),
	Plan: planProfit,
	Target: importer.Target{Table: "account_profitability", Key: []string{"account_id", "month"}, Versioned: true,
		Columns: []string{"account_id", "month", "cost_to_serve", "discount", "gross_margin", "updated_by"}},
}

func planProfit(ctx context.Context, tx pgx.Tx, a importer.Actor, rows []importer.Row, p *importer.Plan) error {
	refs, err := account.LoadRefs(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	q, _ := tx.Query(ctx, `SELECT `+profitCols+` FROM account_profitability p LEFT JOIN users u ON u.id = p.updated_by
		WHERE p.tenant_id = $1`, a.TenantID)
	list, err := pgx.CollectRows(q, func(r pgx.CollectableRow) (Profit, error) { return scanProfit(r) })
	if err != nil {
		return fmt.Errorf("existing profitability: %w", err)
	}
	existing := make(map[kpi.MonthKey]Profit, len(list))
	for _, x := range list {
		existing[kpi.MonthKey{AccountID: x.AccountID, Month: x.Month}] = x
	}
	return planProfitRows(rows, refs, existing, a, p)
}

// planProfitRows checks rows against the tenant's accounts and
// profitability for actor a. Pure.
func planProfitRows(rows []importer.Row, refs *account.Refs, existing map[kpi.MonthKey]Profit, a importer.Actor, p *importer.Plan) error {
	return kpi.PlanMonthly(rows, refs, existing, a, p, kpi.Monthly[Profit]{
		What:    "profitability",
		Columns: []string{FieldMonth, FieldCostToServe, FieldDiscount, FieldGrossMargin},
		Read: func(r importer.Row) (Profit, time.Time, db.FieldErrors) {
			x, fe := ParseProfit(ProfitInput{Month: r.Value(FieldMonth), CostToServe: r.Value(FieldCostToServe),
				Discount: r.Value(FieldDiscount), GrossMargin: r.Value(FieldGrossMargin)}, a.Now)
			return x, x.Month, fe
		},
		Change: func(acct account.Ref, x *Profit) importer.Change {
			return importer.Change{After: x.state(), Values: []any{acct.ID, x.Month, x.CostToServe, x.Discount, x.GrossMargin, db.Null(a.UserID)}}
		},
		Update: func(cur, x Profit, c *importer.Change) bool {
			c.Before, c.Version = cur.state(), cur.Version
			return !sameProfit(cur, x)
		},
	})
}
