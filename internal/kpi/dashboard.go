package kpi

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
	"pareto/internal/scoring"
)

// Filter chooses what a dashboard shows.
type Filter struct {
	Period  PeriodChoice // empty or unknown means DefaultPeriod
	Segment string       // empty: every segment
	Region  string       // empty: every region
	KAMID   uuid.UUID    // uuid.Nil: every KAM's accounts; else one KAM's
}

// Filtered reports whether segment or region narrow the accounts.
func (f Filter) Filtered() bool { return f.Segment != "" || f.Region != "" }

// Portfolio is a dashboard with what its page needs around it.
type Portfolio struct {
	Dashboard
	Filter     Filter
	Settings   Settings
	Currency   string
	HasFigures bool // the tenant has any figures
	// PeriodErrors say why the chosen period could not be used (the
	// default period is shown instead), keyed by the selector's fields.
	PeriodErrors db.FieldErrors
	KAMName      string   // with Filter.KAMID: the KAM's name
	Segments     []string // the filter's choices
	Regions      []string
	// GoalAttainment is the share of goal-plan goals achieved or on
	// track. Goal plans live in another package; the server fills this
	// in when they exist (undefined until then).
	GoalAttainment Value
}

// Portfolio loads the dashboard of the key accounts f selects: the whole
// portfolio, or one KAM's accounts (f.KAMID). Anybody signed in may read
// it; the caller narrows a KAM to their own accounts. The period is
// resolved on today (ResolvePeriod): by default the twelve months ending
// at the last complete month, whatever figures exist for the month under
// way. Returns
// db.ErrNotFound when f.KAMID is not a member of the tenant.
//
// In the steady state it runs three queries in one transaction (settings and
// figures version; the programme's accounts; the scoring area's
// concentration threshold), four with a segment or
// region filter (the accounts in it); figures come from the memos
// (memo.go), which a query refills after figures change.
func (s *Store) Portfolio(ctx context.Context, sc db.Scope, f Filter) (Portfolio, error) {
	out := Portfolio{Filter: f}
	now := s.Now()
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var kamName *string
		var version int64
		err := tx.QueryRow(ctx, `SELECT t.currency, coalesce(st.csat_scale, '5'), coalesce(st.fiscal_year_start_month, 1),
				coalesce(st.version, 0),
				EXISTS (SELECT 1 FROM kpi_figures WHERE tenant_id = $1),
				coalesce((SELECT figures_version FROM kpi_state WHERE tenant_id = $1), 0),
				(SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 AND m.user_id = $2)
			FROM tenants t LEFT JOIN kpi_settings st ON st.tenant_id = t.id WHERE t.id = $1`,
			sc.TenantID, nullID(f.KAMID)).
			Scan(&out.Currency, &out.Settings.CSATScale, &out.Settings.FiscalYearStartMonth, &out.Settings.Version,
				&out.HasFigures, &version, &kamName)
		if err != nil {
			return db.NotFound("tenant", err)
		}
		if f.KAMID != uuid.Nil {
			if kamName == nil {
				return fmt.Errorf("kam %s: %w", f.KAMID, db.ErrNotFound)
			}
			out.KAMName = *kamName
		}
		p, fe := ResolvePeriod(f.Period, now, out.Settings.FiscalYearStartMonth)
		switch {
		case len(fe) > 0:
			out.PeriodErrors = fe // the form shows the choice as typed
		case p.Key == CustomPeriod:
			out.Filter.Period = PeriodChoice{Key: CustomPeriod, From: FormatMonth(p.Start), To: FormatMonth(p.End)}
		default:
			out.Filter.Period = PeriodChoice{Key: p.Key}
		}
		var series []AccountSeries
		series, out.Segments, out.Regions, err = s.programmeSeries(ctx, tx, sc.TenantID, f, p, version)
		if err != nil {
			return err
		}
		conc, err := s.concentration(ctx, tx, sc.TenantID, f, p, version, series)
		if err != nil {
			return err
		}
		out.Dashboard = BuildDashboard(series, p, conc)
		return nil
	})
	if err != nil {
		return Portfolio{}, fmt.Errorf("kpi: portfolio: %w", err)
	}
	return out, nil
}

// span is the months a dashboard for p reads: the period, the one before
// it, the same months a year earlier, and the retention window before the
// period's first month.
func span(p Period) (from, to time.Time) {
	from = p.Start
	for _, m := range []time.Time{p.Previous().Start, p.YearAgo().Start, AddMonths(p.Start, 1-RetentionWindow)} {
		if m.Before(from) {
			from = m
		}
	}
	return from, p.End
}

// programmeSeries returns the key and former key accounts f selects (read
// fresh) with their figures over span(p) (from the figures memo, loading
// the accounts it lacks), and the segments and regions of the whole
// programme, for the filter's choices.
func (s *Store) programmeSeries(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, p Period, version int64) (
	series []AccountSeries, segments, regions []string, err error) {
	rows, err := tx.Query(ctx, `SELECT a.id, a.name, a.key_status, a.status, a.segment, a.region, a.kam_user_id, coalesce(u.name, '')
		FROM accounts a LEFT JOIN users u ON u.id = a.kam_user_id
		WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND a.key_status IN ('key', 'former')
		ORDER BY lower(a.name), a.id`, tenantID)
	if err != nil {
		return nil, nil, nil, err
	}
	var accounts []AccountInfo
	seenSegment, seenRegion := map[string]bool{}, map[string]bool{}
	var a AccountInfo
	var kam *uuid.UUID
	_, err = pgx.ForEachRow(rows, []any{&a.ID, &a.Name, &a.KeyStatus, &a.Status, &a.Segment, &a.Region, &kam, &a.KAMName}, func() error {
		if a.Segment != "" && !seenSegment[a.Segment] {
			seenSegment[a.Segment] = true
			segments = append(segments, a.Segment)
		}
		if a.Region != "" && !seenRegion[a.Region] {
			seenRegion[a.Region] = true
			regions = append(regions, a.Region)
		}
		a.KAMID = uuid.Nil
		if kam != nil {
			a.KAMID = *kam
		}
		if (f.Segment == "" || a.Segment == f.Segment) && (f.Region == "" || a.Region == f.Region) &&
			(f.KAMID == uuid.Nil || a.KAMID == f.KAMID) {
			accounts = append(accounts, a)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	slices.Sort(segments)
	slices.Sort(regions)
	from, to := span(p)
	key := spanKey{tenantID, from, to}
	figs := s.figures.get(key, version)
	var missing []uuid.UUID
	for _, a := range accounts {
		if _, ok := figs[a.ID]; !ok {
			missing = append(missing, a.ID)
		}
	}
	if len(missing) > 0 {
		loaded, err := loadFigures(ctx, tx, tenantID, missing, from, to)
		if err != nil {
			return nil, nil, nil, err
		}
		figs = s.figures.add(key, version, loaded)
	}
	series = make([]AccountSeries, len(accounts))
	for i, a := range accounts {
		series[i] = AccountSeries{Account: a, Figures: figs[a.ID]}
	}
	return series, segments, regions, nil
}

// FiguresTx reads the figures of accounts in the months from..to, oldest
// first, inside a transaction another area runs (goal progress reads
// them); every account gets an entry, empty when it has no figures. Only
// the figures the derived KPIs use are read (not the survey counts, nor
// who changed them).
func FiguresTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accounts []uuid.UUID, from, to time.Time) (map[uuid.UUID][]Figure, error) {
	return loadFigures(ctx, tx, tenantID, accounts, from, to)
}

// loadFigures reads the figures of accounts from..to, oldest first; every
// account gets an entry, empty when it has no figures.
func loadFigures(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accounts []uuid.UUID, from, to time.Time) (map[uuid.UUID][]Figure, error) {
	out := make(map[uuid.UUID][]Figure, len(accounts))
	for _, id := range accounts {
		out[id] = []Figure{}
	}
	rows, err := tx.Query(ctx, `SELECT account_id, month, revenue::float8, csat::float8, nps, adoption_pct::float8,
			upsell_revenue::float8, cross_sell_count
		FROM kpi_figures WHERE tenant_id = $1 AND account_id = ANY($2) AND month BETWEEN $3 AND $4
		ORDER BY account_id, month`, tenantID, accounts, from, to)
	if err != nil {
		return nil, err
	}
	var f Figure
	_, err = pgx.ForEachRow(rows, []any{&f.AccountID, &f.Month, &f.Revenue, &f.CSAT, &f.NPS, &f.AdoptionPct, &f.UpsellRevenue,
		&f.CrossSellCount}, func() error {
		g := f
		g.Month = MonthOf(g.Month)
		g.index = monthIndex(g.Month)
		out[g.AccountID] = append(out[g.AccountID], g)
		f = Figure{}
		return nil
	})
	return out, err
}

// concentration reads the tenant's warning threshold (the scoring area's
// setting) and finds every account's revenue in p (the denominator of
// the shares; archived accounts count: their revenue was real) and the
// largest single account: among every account in the segment and region
// filter, or, on one KAM's dashboard, among that KAM's key accounts.
// Every account's revenue in the period comes from the revenue memo; one
// scan of the period's figures refills it after figures change.
func (s *Store) concentration(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, p Period, version int64, series []AccountSeries) (Concentration, error) {
	var c Concentration
	bps, err := scoring.ConcentrationBPS(ctx, tx, tenantID)
	if err != nil {
		return c, err
	}
	c.WarnShare = BPSShare(bps)
	key := spanKey{tenantID, p.Start, p.End}
	revenue, ok := s.revenue.get(key, version)
	if !ok {
		rows, err := tx.Query(ctx, `SELECT account_id, sum(revenue)::float8 FROM kpi_figures
			WHERE tenant_id = $1 AND month BETWEEN $2 AND $3 GROUP BY account_id`, tenantID, p.Start, p.End)
		if err != nil {
			return c, err
		}
		revenue = map[uuid.UUID]float64{}
		var id uuid.UUID
		var r float64
		if _, err := pgx.ForEachRow(rows, []any{&id, &r}, func() error { revenue[id] = r; return nil }); err != nil {
			return c, err
		}
		s.revenue.put(key, version, revenue)
	}
	names := map[uuid.UUID]string{}
	for _, sr := range series {
		names[sr.Account.ID] = sr.Account.Name
	}
	consider := func(id uuid.UUID, r float64) {
		if r > c.Largest.Revenue || r == c.Largest.Revenue && r > 0 && id.String() < c.Largest.AccountID.String() {
			c.Largest = Largest{AccountID: id, Revenue: r}
		}
	}
	if f.Filtered() {
		rows, err := tx.Query(ctx, `SELECT id, name FROM accounts WHERE tenant_id = $1
			AND ($2 = '' OR segment = $2) AND ($3 = '' OR region = $3)`, tenantID, f.Segment, f.Region)
		if err != nil {
			return c, err
		}
		var id uuid.UUID
		var name string
		if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
			r := revenue[id]
			c.TotalRevenue += r
			consider(id, r)
			names[id] = name
			return nil
		}); err != nil {
			return c, err
		}
	} else {
		for id, r := range revenue {
			c.TotalRevenue += r
			consider(id, r)
		}
	}
	if f.KAMID != uuid.Nil {
		c.Largest = Largest{}
		for _, sr := range series {
			if sr.Account.KeyStatus == "key" {
				consider(sr.Account.ID, revenue[sr.Account.ID])
			}
		}
	}
	if c.Largest.AccountID != uuid.Nil {
		name, ok := names[c.Largest.AccountID]
		if !ok {
			if err := tx.QueryRow(ctx, `SELECT name FROM accounts WHERE tenant_id = $1 AND id = $2`, tenantID, c.Largest.AccountID).Scan(&name); err != nil {
				return c, err
			}
		}
		c.Largest.Name = name
	}
	return c, nil
}
