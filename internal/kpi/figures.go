package kpi

import "context"
import "errors"
import "fmt"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/numfmt"

// Field names, shared by the month grid form, the CSV import and the
// CSV export.
const (
	FieldMonth      = "month"
	FieldRevenue    = "revenue"
	FieldCSAT       = "csat"
	FieldNPS        = "nps"
	FieldPromoters  = "promoters"
	FieldPassives   = "passives"
	FieldDetractors = "detractors"
	FieldAdoption   = "adoption_pct"
	FieldUpsell     = "upsell_revenue"
	FieldCrossSells = "cross_sell_count"
	FieldOrders     = "orders"
	FieldUnits      = "units"
)

// FigureInput is one month's figures as typed (or read from a CSV cell).
// Empty strings mean "not entered"; only Month and Revenue are required.
type FigureInput struct {
	Month, Revenue, CSAT, NPS, Promoters, Passives, Detractors, Adoption, Upsell, CrossSells, Orders, Units string
}

// Bounds of the figures.
const (
	MaxMoney      = 9_999_999_999_999.99
	MaxCount      = 1_000_000
	MaxCrossSells = 100_000
	MaxOrders     = 10_000_000
	MaxUnits      = 1_000_000_000_000
)

// EarliestMonth is the first month figures may be entered for.
var EarliestMonth = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ReadMonth reads a month cell of a figure (from EarliestMonth to now's
// month); the zero time, with a message for field in fe, when it cannot.
func ReadMonth(fe db.FieldErrors, field, s string, now time.Time) time.Time {
	s = strings.TrimSpace(s)
	switch m, err := ParseMonth(s); {
	case s == "":
		fe.Add(field, "Enter the month, like 2026-03.")
	case err != nil:
		fe.Add(field, "Use a month like 2026-03.")
	case m.Before(EarliestMonth) || m.After(MonthOf(now)):
		fe.Add(field, "Use a month from "+FormatMonth(EarliestMonth)+" to this month ("+FormatMonth(MonthOf(now))+").")
	default:
		return m
	}
	return time.Time{}
}

// ReadMoney reads a money cell: 0 or more, up to MaxMoney, at most two
// decimals; nil when empty (a message for field in fe if required) or
// wrong (a message).
func ReadMoney(fe db.FieldErrors, field, s string, required bool) *float64 {
	v, err := numfmt.EN.ParseDecimal(s, 2)
	switch {
	case errors.Is(err, numfmt.ErrEmpty):
		if required {
			fe.Add(field, "Enter an amount (0 if there was none).")
		}
	case v < 0:
		fe.Add(field, "Must not be negative.")
	case errors.Is(err, numfmt.ErrDecimals):
		fe.Add(field, "Use at most 2 decimals.")
	case errors.Is(err, numfmt.ErrRange), err == nil && v > MaxMoney:
		fe.Add(field, "Too large.")
	case err != nil:
		fe.Add(field, "Enter an amount like 12500 or 12,500.00.")
	default:
		return &v
	}
	return nil
}

// ReadNumber reads an optional number from lo to hi with at most two
// decimals; nil when empty or wrong (then msg for field in fe).
func ReadNumber(fe db.FieldErrors, field, s string, lo, hi float64, msg string) *float64 {
	v, err := numfmt.EN.ParseDecimal(s, 2)
	switch {
	case errors.Is(err, numfmt.ErrEmpty):
	case err != nil || v < lo || v > hi:
		fe.Add(field, msg)
	default:
		return &v
	}
	return nil
}

// ParseFigure validates one month's figures for a tenant with CSAT scale
// scale; now bounds the month (figures for future months are refused).
// Every problem is reported, keyed by field name.
func ParseFigure(in FigureInput, scale string, now time.Time) (Figure, db.FieldErrors) {
	fe := db.FieldErrors{}
	var f Figure
	f.Month = ReadMonth(fe, FieldMonth, in.Month, now)
	integer := func(field, s string, lo, hi int, msg string) *int {
		v, err := numfmt.EN.ParseInt(s)
		switch {
		case errors.Is(err, numfmt.ErrEmpty):
		case err != nil || v < int64(lo) || v > int64(hi):
			fe.Add(field, msg)
		default:
			n := int(v)
			return &n
		}
		return nil
	}

	if v := ReadMoney(fe, FieldRevenue, in.Revenue, true); v != nil {
		f.Revenue = *v
	}
	if scale == ScalePercent {
		f.CSAT = ReadNumber(fe, FieldCSAT, in.CSAT, 0, 100, "Enter a percentage from 0 to 100 (at most 2 decimals).")
	} else {
		f.CSAT = ReadNumber(fe, FieldCSAT, in.CSAT, 1, 5, "Enter an average rating from 1 to 5 (at most 2 decimals).")
	}
	f.NPS = integer(FieldNPS, in.NPS, -100, 100, "Enter a whole number from −100 to 100.")
	countMsg := "Enter a whole number of responses (0 or more)."
	f.Promoters = integer(FieldPromoters, in.Promoters, 0, MaxCount, countMsg)
	f.Passives = integer(FieldPassives, in.Passives, 0, MaxCount, countMsg)
	f.Detractors = integer(FieldDetractors, in.Detractors, 0, MaxCount, countMsg)
	f.AdoptionPct = ReadNumber(fe, FieldAdoption, in.Adoption, 0, 100, "Enter a percentage from 0 to 100 (at most 2 decimals).")
	f.UpsellRevenue = ReadMoney(fe, FieldUpsell, in.Upsell, false)
	f.CrossSellCount = integer(FieldCrossSells, in.CrossSells, 0, MaxCrossSells, "Enter a whole number of cross-sells (0 or more).")
	f.Orders = integer(FieldOrders, in.Orders, 0, MaxOrders, "Enter a whole number of orders (0 or more).")
	f.Units = integer(FieldUnits, in.Units, 0, MaxUnits, "Enter a whole number of units (0 or more).")

	given := 0
	for _, s := range []string{in.Promoters, in.Passives, in.Detractors} {
		if strings.TrimSpace(s) != "" {
			given++
		}
	}
	switch {
	case given > 0 && given < 3:
		for field, s := range map[string]string{FieldPromoters: in.Promoters, FieldPassives: in.Passives, FieldDetractors: in.Detractors} {
			if strings.TrimSpace(s) == "" {
				fe.Add(field, "Enter all three survey counts, or none.")
			}
		}
	case f.Promoters != nil && f.Passives != nil && f.Detractors != nil:
		nps, ok := NPSFromCounts(*f.Promoters, *f.Passives, *f.Detractors)
		switch {
		case !ok:
			fe.Add(FieldPromoters, "The survey counts add up to no responses.")
		case f.NPS != nil && *f.NPS != nps:
			fe.Add(FieldNPS, fmt.Sprintf("Does not match the survey counts, which give an NPS of %d. Leave it empty to use the counts.", nps))
		default:
			f.NPS = &nps
		}
	}
	if len(fe) > 0 {
		return Figure{}, fe
	}
	return f, nil
}

// Input turns a figure back into form values, for re-showing a row.
func (f Figure) Input() FigureInput {
	in := FigureInput{Revenue: formatAmount(f.Revenue)}
	if !f.Month.IsZero() {
		in.Month = FormatMonth(f.Month)
	}
	in.CSAT = optFloat(f.CSAT)
	in.Adoption = optFloat(f.AdoptionPct)
	if f.UpsellRevenue != nil {
		in.Upsell = formatAmount(*f.UpsellRevenue)
	}
	in.Promoters, in.Passives, in.Detractors = optInt(f.Promoters), optInt(f.Passives), optInt(f.Detractors)
	if f.Promoters == nil { // with counts, the NPS is theirs and the field stays empty
		in.NPS = optInt(f.NPS)
	}
	in.CrossSells = optInt(f.CrossSellCount)
	in.Orders, in.Units = optInt(f.Orders), optInt(f.Units)
	return in
}

func formatAmount(v float64) string { return numfmt.EN.Decimal(v, 2) }

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// figureState is a figure as the audit log records it.
type figureState struct {
	Revenue        float64  `json:"revenue"`
	CSAT           *float64 `json:"csat,omitempty"`
	NPS            *int     `json:"nps,omitempty"`
	Promoters      *int     `json:"promoters,omitempty"`
	Passives       *int     `json:"passives,omitempty"`
	Detractors     *int     `json:"detractors,omitempty"`
	AdoptionPct    *float64 `json:"adoption_pct,omitempty"`
	UpsellRevenue  *float64 `json:"upsell_revenue,omitempty"`
	CrossSellCount *int     `json:"cross_sell_count,omitempty"`
	Orders         *int     `json:"orders,omitempty"`
	Units          *int     `json:"units,omitempty"`
}

func stateOf(f *Figure) any {
	if f == nil {
		return nil
	}
	return figureState{f.Revenue, f.CSAT, f.NPS, f.Promoters, f.Passives, f.Detractors, f.AdoptionPct, f.UpsellRevenue, f.CrossSellCount,
		f.Orders, f.Units}
}

func figureEntityID(accountID uuid.UUID, month time.Time) string {
	return accountID.String() + "/" + FormatMonth(month)
}

// ConflictError says a figure changed since the editor loaded it; Current
// is what is stored now (nil when the row was deleted).
type ConflictError struct {
	Current *Figure
}

func (e *ConflictError) Error() string { return "kpi: figure changed by someone else" }

// Unwrap makes errors.Is(err, db.ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return db.ErrConflict }

const figureColumns = `f.account_id, f.month, f.revenue::float8, f.csat::float8, f.nps, f.promoters, f.passives, f.detractors,
	f.adoption_pct::float8, f.upsell_revenue::float8, f.cross_sell_count, f.orders, f.units, f.version, coalesce(u.name, ''), f.updated_at`

func scanFigure(row pgx.Row) (Figure, error) {
	var f Figure
	err := row.Scan(&f.AccountID, &f.Month, &f.Revenue, &f.CSAT, &f.NPS, &f.Promoters, &f.Passives, &f.Detractors,
		&f.AdoptionPct, &f.UpsellRevenue, &f.CrossSellCount, &f.Orders, &f.Units, &f.Version, &f.UpdatedByName, &f.UpdatedAt)
	f.Month = MonthOf(f.Month)
	return f, err
}

func figureFor(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID, month time.Time) (*Figure, error) {
	f, err := scanFigure(tx.QueryRow(ctx, `SELECT `+figureColumns+` FROM kpi_figures f LEFT JOIN users u ON u.id = f.updated_by
		WHERE f.tenant_id = $1 AND f.account_id = $2 AND f.month = $3`, tenantID, accountID, month))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// editableAccount checks that the account exists in the tenant (else
// db.ErrNotFound) and that the actor may change its figures (else
// db.ErrForbidden), returning its name.
func editableAccount(ctx context.Context, tx pgx.Tx, sc db.Scope, role auth.Role, accountID uuid.UUID) (string, error) {
	var name string
	var kam *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT name, kam_user_id FROM accounts WHERE tenant_id = $1 AND id = $2`, sc.TenantID, accountID).Scan(&name, &kam)
	if err != nil {
		return "", db.NotFound("account", err)
	}
	kamID := uuid.Nil
	if kam != nil {
		kamID = *kam
	}
	if !account.CanEditManagedBy(role, sc.UserID, kamID) {
		return "", fmt.Errorf("%s may not change the figures of account %s: %w", role, accountID, db.ErrForbidden)
	}
	return name, nil
}

// SaveFigure creates or updates one month of an account's figures.
// version is the row's version the editor saw, 0 for a month without
// figures. Admins and leaders may change any account, a KAM only accounts
// they manage (else db.ErrForbidden). Returns db.ErrNotFound for an
// unknown account and a *ConflictError (db.ErrConflict) when the row
// changed since version. f must have passed ParseFigure; the CSAT range is
// checked again against the tenant's scale.
func (s *Store) SaveFigure(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, f Figure, version int) (Figure, error) {
	var saved Figure
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := editableAccount(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		st, err := settings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if f.CSAT != nil && st.CSATScale == ScaleFive && (*f.CSAT < 1 || *f.CSAT > 5) {
			return db.FieldErrors{FieldCSAT: "Enter an average rating from 1 to 5 (at most 2 decimals)."}
		}
		if err := lockFigures(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		cur, err := figureFor(ctx, tx, sc.TenantID, accountID, f.Month)
		if err != nil {
			return err
		}
		if (cur == nil && version != 0) || (cur != nil && cur.Version != version) {
			return &ConflictError{Current: cur}
		}
		f.AccountID = accountID
		if err := upsertFigures(ctx, tx, sc, []Figure{f}); err != nil {
			return err
		}
		if err := account.KeepRevenue(ctx, tx, sc.TenantID, s.Now(), []uuid.UUID{accountID}); err != nil {
			return err
		}
		action := "create"
		if cur != nil {
			action = "update"
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: action, Entity: "kpi_figure",
			EntityID: figureEntityID(accountID, f.Month), Before: stateOf(cur), After: stateOf(&f)}); err != nil {
			return err
		}
		got, err := figureFor(ctx, tx, sc.TenantID, accountID, f.Month)
		if err != nil {
			return err
		}
		saved = *got
		return nil
	})
	if err != nil {
		return Figure{}, fmt.Errorf("kpi: save figure: %w", err)
	}
	return saved, nil
}

// DeleteFigure removes one month of an account's figures, under the same
// rules and errors as SaveFigure.
func (s *Store) DeleteFigure(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, month time.Time, version int) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := editableAccount(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		if err := lockFigures(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		cur, err := figureFor(ctx, tx, sc.TenantID, accountID, month)
		if err != nil {
			return err
		}
		if cur == nil || cur.Version != version {
			return &ConflictError{Current: cur}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM kpi_figures WHERE tenant_id = $1 AND account_id = $2 AND month = $3`,
			sc.TenantID, accountID, month); err != nil {
			return err
		}
		if err := account.KeepRevenue(ctx, tx, sc.TenantID, s.Now(), []uuid.UUID{accountID}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "delete", Entity: "kpi_figure",
			EntityID: figureEntityID(accountID, month), Before: stateOf(cur)})
	})
	if err != nil {
		return fmt.Errorf("kpi: delete figure: %w", err)
	}
	return nil
}

// lockFigures serialises the writers of one tenant's figures: it bumps the
// tenant's figures version first thing, so the row lock it takes is held
// to the end of the transaction, and what the writer reads next (the rows
// it compares versions with) is what the previous writer committed. The
// new version tells the dashboards' memos that figures changed.
func lockFigures(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) error {
	return bumpFiguresVersion(ctx, tx, tenantID)
}

// FiguresChanged counts a change of the tenant's figures made outside
// the store (bulk loads: the demo seed, the benchmarks), so the
// dashboards' memos are refreshed and every account's revenue is
// recomputed. System work: no audit event.
func (s *Store) FiguresChanged(ctx context.Context, sc db.Scope) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := lockFigures(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		return account.RecomputeRevenue(ctx, tx, sc.TenantID, s.Now())
	})
	if err != nil {
		return fmt.Errorf("kpi: figures changed: %w", err)
	}
	return nil
}

// LoadFigures writes many figures at once (existing months are replaced)
// as system work: the demo seed. One audit event records the load.
func (s *Store) LoadFigures(ctx context.Context, sc db.Scope, figs []Figure, reason string) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := lockFigures(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		seen := map[uuid.UUID]bool{}
		var ids []uuid.UUID
		for start := 0; start < len(figs); start += 2000 {
			if err := upsertFigures(ctx, tx, sc, figs[start:min(start+2000, len(figs))]); err != nil {
				return err
			}
		}
		for _, f := range figs {
			if !seen[f.AccountID] {
				seen[f.AccountID] = true
				ids = append(ids, f.AccountID)
			}
		}
		if err := account.KeepRevenue(ctx, tx, sc.TenantID, s.Now(), ids); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: reason, Entity: "kpi_figure",
			After: map[string]any{"figures": len(figs)}})
	})
	if err != nil {
		return fmt.Errorf("kpi: load figures: %w", err)
	}
	return nil
}

// upsertFigures writes figures, replacing the same months: multi-row
// INSERT … VALUES (db.InsertRows), which Citus routes to the tenant's shard;
// an INSERT … SELECT FROM unnest() is written into the shards with COPY,
// which row-level security refuses there.
func upsertFigures(ctx context.Context, tx pgx.Tx, sc db.Scope, fs []Figure) error {
	rows := make([][]any, len(fs))
	for i, f := range fs {
		rows[i] = []any{sc.TenantID, f.AccountID, f.Month, f.Revenue, f.CSAT, f.NPS, f.Promoters, f.Passives, f.Detractors,
			f.AdoptionPct, f.UpsellRevenue, f.CrossSellCount, f.Orders, f.Units, db.Null(sc.UserID)}
	}
	_, err := db.InsertRows(ctx, tx, "kpi_figures", []string{"tenant_id", "account_id", "month", "revenue", "csat", "nps",
		"promoters", "passives", "detractors", "adoption_pct", "upsell_revenue", "cross_sell_count", "orders", "units", "updated_by"}, rows,
		`ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET revenue = EXCLUDED.revenue, csat = EXCLUDED.csat,
			nps = EXCLUDED.nps, promoters = EXCLUDED.promoters, passives = EXCLUDED.passives, detractors = EXCLUDED.detractors,
			adoption_pct = EXCLUDED.adoption_pct, upsell_revenue = EXCLUDED.upsell_revenue,
			cross_sell_count = EXCLUDED.cross_sell_count, orders = EXCLUDED.orders, units = EXCLUDED.units,
			updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, version = kpi_figures.version + 1`)
	return err
}
