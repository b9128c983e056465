package kpi

import "context"
import "errors"
import "fmt"
import "slices"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/scoring"

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
	// track (GoalsAttained of GoalsCounted). Goal plans live in another
	// package; the server fills this in when they exist (undefined until
	// then).
	GoalAttainment              Value
	GoalsAttained, GoalsCounted int
}

// Portfolio loads the dashboard of the key accounts f selects: the whole
// portfolio, or one KAM's accounts (f.KAMID). Anybody signed in may read
// it; the caller narrows a KAM to their own accounts. The period is
// resolved on today (ResolvePeriod): by default the twelve months ending
// at the last complete month, whatever figures exist for the month under
// way. Returns
// db.ErrNotFound when f.KAMID is not a member of the tenant.
//
// In the steady state it runs a handful of small queries in one
// transaction (settings and figures version; the key status history; the
// programme's accounts; the kept revenue totals and the largest accounts,
// as the shortlist reads them, account/revenue.go); figures come from the
// memos (memo.go), which a query refills after figures change.
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
			sc.TenantID, db.Null(f.KAMID)).
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
		h, err := keyHistory(ctx, tx, sc.TenantID, historySince(p))
		if err != nil {
			return err
		}
		var series []AccountSeries
		series, out.Segments, out.Regions, err = s.programmeSeries(ctx, tx, sc.TenantID, f, p, version, h.WasKey())
		if err != nil {
			return err
		}
		conc, err := s.concentration(ctx, tx, sc.TenantID, f, series)
		if err != nil {
			return err
		}
		var others *OtherAccounts
		if f.KAMID == uuid.Nil {
			if others, err = s.otherAccounts(ctx, tx, sc.TenantID, p, version); err != nil {
				return err
			}
			if f.Filtered() {
				if others.In, err = accountsIn(ctx, tx, sc.TenantID, f); err != nil {
					return err
				}
			}
		}
		links, err := criterionMetrics(ctx, tx, sc.TenantID, false)
		if err != nil {
			return err
		}
		out.Dashboard = BuildDashboard(series, p, Inputs{Concentration: conc, History: h, Others: others, Links: links})
		return nil
	})
	if err != nil {
		return Portfolio{}, fmt.Errorf("kpi: portfolio: %w", err)
	}
	return out, nil
}

// historySince is the first instant whose key status a dashboard for p
// needs: the period's first day, or the first day of the month before the
// churn trend's first month.
func historySince(p Period) time.Time {
	if t := AddMonths(p.End, -ChurnMonths); t.Before(p.Start) {
		return t
	}
	return p.Start
}

// keyHistory reads the tenant's key status changes since since. Their
// number grows with the decisions taken (reviews), not with the
// portfolio.
func keyHistory(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, since time.Time) (KeyHistory, error) {
	rows, err := tx.Query(ctx, `SELECT account_id, old_status, new_status, changed_at FROM key_status_changes
		WHERE tenant_id = $1 AND changed_at >= $2`, tenantID, since)
	if err != nil {
		return KeyHistory{}, err
	}
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (KeyChange, error) {
		var c KeyChange
		return c, r.Scan(&c.AccountID, &c.Old, &c.New, &c.At)
	})
	return NewKeyHistory(since, changes), err
}

// span is the months a dashboard for p reads: the period, the one before
// it, the same months a year earlier, the retention window before the
// period's first month and the churn trend's months.
func span(p Period) (from, to time.Time) {
	from = p.Start
	for _, m := range []time.Time{p.Previous().Start, p.YearAgo().Start, AddMonths(p.Start, 1-RetentionWindow),
		AddMonths(historySince(p), 1-RetentionWindow)} {
		if m.Before(from) {
			from = m
		}
	}
	return from, p.End
}

// programmeSeries returns the accounts of the programme f selects (read
// fresh): key and former key accounts, archived ones too (their history
// counts in retention), and wasKey, the accounts key at some moment the
// key status history covers; with their figures over span(p) (from the
// figures memo, loading the accounts it lacks), and the segments and
// regions of the programme's accounts not archived, for the filter's
// choices.
func (s *Store) programmeSeries(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, p Period, version int64, wasKey []uuid.UUID) (
	series []AccountSeries, segments, regions []string, err error) {
	rows, err := tx.Query(ctx, `SELECT a.id, a.name, a.key_status, a.status, a.segment, a.region, a.kam_user_id, coalesce(u.name, ''),
			a.archived_at IS NOT NULL, a.revenue_cents / 100.0, a.revenue_recorded IS NOT NULL, a.revenue_potential::float8
		FROM accounts a LEFT JOIN users u ON u.id = a.kam_user_id
		WHERE a.tenant_id = $1 AND (a.key_status IN ('key', 'former') OR a.id = ANY($2))
		ORDER BY a.sort_name, a.id`, tenantID, wasKey)
	if err != nil {
		return nil, nil, nil, err
	}
	var accounts []AccountInfo
	seenSegment, seenRegion := map[string]bool{}, map[string]bool{}
	var a AccountInfo
	var kam *uuid.UUID
	_, err = pgx.ForEachRow(rows, []any{&a.ID, &a.Name, &a.KeyStatus, &a.Status, &a.Segment, &a.Region, &kam, &a.KAMName, &a.Archived,
		&a.Revenue, &a.RevenueFromFigures, &a.RevenuePotential}, func() error {
		if current := !a.Archived && (a.KeyStatus == "key" || a.KeyStatus == "former"); current {
			if a.Segment != "" && !seenSegment[a.Segment] {
				seenSegment[a.Segment] = true
				segments = append(segments, a.Segment)
			}
			if a.Region != "" && !seenRegion[a.Region] {
				seenRegion[a.Region] = true
				regions = append(regions, a.Region)
			}
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
			upsell_revenue::float8, cross_sell_count, orders, units
		FROM kpi_figures WHERE tenant_id = $1 AND account_id = ANY($2) AND month BETWEEN $3 AND $4
		ORDER BY account_id, month`, tenantID, accounts, from, to)
	if err != nil {
		return nil, err
	}
	var f Figure
	_, err = pgx.ForEachRow(rows, []any{&f.AccountID, &f.Month, &f.Revenue, &f.CSAT, &f.NPS, &f.AdoptionPct, &f.UpsellRevenue,
		&f.CrossSellCount, &f.Orders, &f.Units}, func() error {
		g := f
		g.Month = MonthOf(g.Month)
		g.index = monthIndex(g.Month)
		out[g.AccountID] = append(out[g.AccountID], g)
		f = Figure{}
		return nil
	})
	return out, err
}

// concentration gives the dashboard's revenue shares from the one revenue
// (account/revenue.go), kept, never summed over the tenant's accounts:
// without a segment or region filter the portfolio's figures (the
// shortlist's own, scoring.PortfolioConcentration); with one of them that
// value's kept tally; with both the accounts in both. On one KAM's
// dashboard the key revenue and the largest account are that KAM's key
// accounts'.
func (s *Store) concentration(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, series []AccountSeries) (Concentration, error) {
	var c Concentration
	pc, err := scoring.PortfolioConcentration(ctx, tx, tenantID, s.Now())
	if err != nil {
		return c, err
	}
	c.WarnShare = BPSShare(pc.ThresholdBPS)
	c.Basis, c.Stale = revenueBasis(pc), pc.Stale
	money := func(cents int64) float64 { return float64(cents) / 100 }
	largest := func(id uuid.UUID, name string, cents int64) Largest {
		return Largest{AccountID: id, Name: name, Revenue: money(cents)}
	}
	switch {
	case !f.Filtered():
		c.TotalRevenue, c.KeyRevenue = money(pc.Total), money(pc.KeyRevenue)
		if pc.Largest.AccountID != uuid.Nil {
			c.Largest = largest(pc.Largest.AccountID, pc.Largest.Name, pc.Largest.Revenue)
		}
	default:
		var total, key int64
		if f.Segment == "" || f.Region == "" {
			dim, value := account.DimSegment, f.Segment
			if f.Segment == "" {
				dim, value = account.DimRegion, f.Region
			}
			t, err := account.TallyOf(ctx, tx, tenantID, dim, value)
			if err != nil {
				return c, err
			}
			total, key = t.Revenue, t.KeyRevenue
		} else if err := tx.QueryRow(ctx, `SELECT coalesce(sum(revenue_cents), 0)::bigint,
				coalesce(sum(revenue_cents) FILTER (WHERE key_status = 'key'), 0)::bigint
			FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL AND segment = $2 AND region = $3`,
			tenantID, f.Segment, f.Region).Scan(&total, &key); err != nil {
			return c, err
		}
		c.TotalRevenue, c.KeyRevenue = money(total), money(key)
		var id uuid.UUID
		var name string
		var cents int64
		err := tx.QueryRow(ctx, `SELECT id, name, revenue_cents FROM accounts
			WHERE tenant_id = $1 AND archived_at IS NULL AND ($2 = '' OR segment = $2) AND ($3 = '' OR region = $3)
			ORDER BY revenue_cents DESC, id DESC LIMIT 1`, tenantID, f.Segment, f.Region).Scan(&id, &name, &cents)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return c, err
		}
		if err == nil && cents > 0 {
			c.Largest = largest(id, name, cents)
		}
	}
	if f.KAMID != uuid.Nil {
		c.KeyRevenue, c.Largest = 0, Largest{}
		for _, sr := range series {
			a := sr.Account
			if a.KeyStatus != "key" || a.Archived {
				continue
			}
			c.KeyRevenue += a.Revenue
			if a.Revenue > c.Largest.Revenue || a.Revenue == c.Largest.Revenue && a.Revenue > 0 && a.ID.String() > c.Largest.AccountID.String() {
				c.Largest = Largest{AccountID: a.ID, Name: a.Name, Revenue: a.Revenue}
			}
		}
	}
	return c, nil
}

// revenueBasis says what the shares are computed from.
func revenueBasis(pc scoring.Concentration) string {
	if pc.FromFigures == 0 || pc.Through.IsZero() {
		return "Shares use annual revenue as entered: no account has figures in the last 12 complete months."
	}
	s := "Shares use each account's revenue from " + AddMonths(pc.Through, 1-account.RevenueMonths).Format("Jan 2006") + " to " +
		pc.Through.Format("Jan 2006") + " (the last 12 complete months)"
	switch others := pc.Accounts - pc.FromFigures; {
	case others == 1:
		s += "; annual revenue as entered for the 1 account without figures in those months"
	case others > 1:
		s += fmt.Sprintf("; annual revenue as entered for the %d accounts without figures in those months", others)
	}
	return s + "."
}

// accountsIn is the set of accounts in f's segment and region (archived
// ones too), for the retention of the accounts outside the programme.
func accountsIn(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter) (map[uuid.UUID]bool, error) {
	rows, _ := tx.Query(ctx, `SELECT id FROM accounts WHERE tenant_id = $1
		AND ($2 = '' OR segment = $2) AND ($3 = '' OR region = $3)`, tenantID, f.Segment, f.Region)
	in := map[uuid.UUID]bool{}
	var id uuid.UUID
	_, err := pgx.ForEachRow(rows, []any{&id}, func() error { in[id] = true; return nil })
	return in, err
}

// otherAccounts reads every account's revenue at p's first and last month
// (RetentionWindow rule), for retention of the accounts outside the
// programme: from the revenue-at memo, one scan of three months' figures
// each after figures change.
func (s *Store) otherAccounts(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, p Period, version int64) (*OtherAccounts, error) {
	at := func(m time.Time) (map[uuid.UUID]float64, error) {
		key := spanKey{tenantID, AddMonths(m, 1-RetentionWindow), m}
		if byAccount, ok := s.revenueAt.get(key, version); ok {
			return byAccount, nil
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT ON (account_id) account_id, revenue::float8 FROM kpi_figures
			WHERE tenant_id = $1 AND month BETWEEN $2 AND $3 ORDER BY account_id, month DESC`, tenantID, key.from, key.to)
		if err != nil {
			return nil, err
		}
		byAccount := map[uuid.UUID]float64{}
		var id uuid.UUID
		var r float64
		if _, err := pgx.ForEachRow(rows, []any{&id, &r}, func() error { byAccount[id] = r; return nil }); err != nil {
			return nil, err
		}
		s.revenueAt.put(key, version, byAccount)
		return byAccount, nil
	}
	start, err := at(p.Start)
	if err != nil {
		return nil, err
	}
	end, err := at(p.End)
	if err != nil {
		return nil, err
	}
	k := spanKey{tenantID, p.Start, p.End}
	all, ok := s.retention.get(k, version)
	if !ok {
		all = retentionOf(start, end, func(uuid.UUID) bool { return true })
		s.retention.put(k, version, all)
	}
	return &OtherAccounts{Start: start, End: end, All: &all}, nil
}
