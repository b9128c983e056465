package kpi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/db"
)

// Filter chooses what a dashboard shows.
type Filter struct {
	Period  string    // a PeriodOptions key; empty or unknown means DefaultPeriod
	Segment string    // empty: every segment
	Region  string    // empty: every region
	KAMID   uuid.UUID // uuid.Nil: every KAM's accounts; else one KAM's
}

// Filtered reports whether segment or region narrow the accounts.
func (f Filter) Filtered() bool { return f.Segment != "" || f.Region != "" }

// Portfolio is a dashboard with what its page needs around it.
type Portfolio struct {
	Dashboard
	Filter     Filter
	Settings   Settings
	Currency   string
	HasFigures bool     // the tenant has any figures up to this month
	KAMName    string   // with Filter.KAMID: the KAM's name
	Segments   []string // the filter's choices
	Regions    []string
	// GoalAttainment is the share of goal-plan goals achieved or on
	// track. Goal plans live in another package; the server fills this
	// in when they exist (undefined until then).
	GoalAttainment Value
}

// Portfolio loads the dashboard of the key accounts f selects: the whole
// portfolio, or one KAM's accounts (f.KAMID). Anybody signed in may read
// it; the caller narrows a KAM to their own accounts. The period ends at
// the latest month with figures (never after this month). Returns
// db.ErrNotFound when f.KAMID is not a member of the tenant.
//
// It runs three queries in one transaction (settings and filter choices;
// the programme's accounts with their figures; every account's revenue
// when a segment or region filter is set), plus one more the first time a
// period's largest account is needed after figures changed.
func (s *Store) Portfolio(ctx context.Context, sc db.Scope, f Filter) (Portfolio, error) {
	out := Portfolio{Filter: f}
	now := MonthOf(s.Now())
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var anchor *time.Time
		var kamName *string
		var figuresVersion int64
		err := tx.QueryRow(ctx, `SELECT t.currency, coalesce(st.csat_scale, '5'), coalesce(st.fiscal_year_start_month, 1),
				coalesce(st.version, 0),
				(SELECT max(month) FROM kpi_month_totals WHERE tenant_id = $1 AND month <= $2 AND accounts > 0),
				coalesce((SELECT figures_version FROM kpi_state WHERE tenant_id = $1), 0),
				ARRAY(SELECT DISTINCT segment FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL AND segment <> '' ORDER BY 1),
				ARRAY(SELECT DISTINCT region FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL AND region <> '' ORDER BY 1),
				(SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 AND m.user_id = $3)
			FROM tenants t LEFT JOIN kpi_settings st ON st.tenant_id = t.id WHERE t.id = $1`,
			sc.TenantID, now, nullID(f.KAMID)).
			Scan(&out.Currency, &out.Settings.CSATScale, &out.Settings.FiscalYearStartMonth, &out.Settings.Version,
				&anchor, &figuresVersion, &out.Segments, &out.Regions, &kamName)
		if err != nil {
			return db.NotFound("tenant", err)
		}
		if f.KAMID != uuid.Nil {
			if kamName == nil {
				return fmt.Errorf("kam %s: %w", f.KAMID, db.ErrNotFound)
			}
			out.KAMName = *kamName
		}
		out.HasFigures = anchor != nil
		if anchor == nil {
			anchor = &now
		}
		p := NewPeriod(f.Period, *anchor, out.Settings.FiscalYearStartMonth)
		out.Filter.Period = p.Key
		series, err := programmeSeries(ctx, tx, sc.TenantID, f, p)
		if err != nil {
			return err
		}
		conc, err := s.concentration(ctx, tx, sc.TenantID, f, p, figuresVersion, series)
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

// programmeSeries loads the key and former key accounts f selects with
// their figures over span(p), in one query: each account's figures come
// as arrays, so the rows are as many as the accounts.
func programmeSeries(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, p Period) ([]AccountSeries, error) {
	from, to := span(p)
	rows, err := tx.Query(ctx, `SELECT a.id, a.name, a.key_status, a.status, a.segment, a.region, a.kam_user_id, coalesce(u.name, ''),
			x.months, x.revenue, x.csat, x.nps, x.adoption, x.upsell, x.cross_sells
		FROM accounts a
		LEFT JOIN users u ON u.id = a.kam_user_id
		LEFT JOIN LATERAL (
			SELECT array_agg(k.month ORDER BY k.month) AS months,
				array_agg(k.revenue::float8 ORDER BY k.month) AS revenue,
				array_agg(k.csat::float8 ORDER BY k.month) AS csat,
				array_agg(k.nps ORDER BY k.month) AS nps,
				array_agg(k.adoption_pct::float8 ORDER BY k.month) AS adoption,
				array_agg(k.upsell_revenue::float8 ORDER BY k.month) AS upsell,
				array_agg(k.cross_sell_count ORDER BY k.month) AS cross_sells
			FROM kpi_figures k
			WHERE k.tenant_id = a.tenant_id AND k.account_id = a.id AND k.month BETWEEN $2 AND $3
		) x ON true
		WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND a.key_status IN ('key', 'former')
			AND ($4 = '' OR a.segment = $4) AND ($5 = '' OR a.region = $5) AND ($6::uuid IS NULL OR a.kam_user_id = $6)
		ORDER BY lower(a.name), a.id`, tenantID, from, to, f.Segment, f.Region, nullID(f.KAMID))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccountSeries, error) {
		var s AccountSeries
		var kam *uuid.UUID
		var months []time.Time
		var revenue, csat, adoption, upsell []*float64
		var nps, cross []*int
		err := r.Scan(&s.Account.ID, &s.Account.Name, &s.Account.KeyStatus, &s.Account.Status, &s.Account.Segment,
			&s.Account.Region, &kam, &s.Account.KAMName, &months, &revenue, &csat, &nps, &adoption, &upsell, &cross)
		if err != nil {
			return s, err
		}
		if kam != nil {
			s.Account.KAMID = *kam
		}
		s.Figures = make([]Figure, len(months))
		for i, m := range months {
			s.Figures[i] = Figure{AccountID: s.Account.ID, Month: MonthOf(m), Revenue: deref(revenue[i]), CSAT: csat[i],
				NPS: nps[i], AdoptionPct: adoption[i], UpsellRevenue: upsell[i], CrossSellCount: cross[i]}
		}
		return s, nil
	})
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// concentration finds every account's revenue in p (the denominator of
// the shares) and the largest single account.
//
//   - One KAM's dashboard: the total is every account's (in the segment
//     and region filter), the largest is among the KAM's key accounts.
//   - Unfiltered: the total comes from the monthly pre-aggregate; the
//     largest account needs every account's period sum, which is kept in a
//     memo valid for one figures version, so it is computed once after
//     figures change, not on every view.
//   - Filtered by segment or region: both come from one scan of the
//     filtered accounts' figures (account attributes may change without a
//     figures version, so no memo).
func (s *Store) concentration(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, f Filter, p Period, version int64, series []AccountSeries) (Concentration, error) {
	var c Concentration
	if f.Filtered() {
		all, largest, err := scanRevenue(ctx, tx, tenantID, p, f.Segment, f.Region)
		if err != nil {
			return c, err
		}
		c.TotalRevenue, c.Largest = all, largest
	} else {
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(revenue)::float8, 0) FROM kpi_month_totals
			WHERE tenant_id = $1 AND month BETWEEN $2 AND $3`, tenantID, p.Start, p.End).Scan(&c.TotalRevenue); err != nil {
			return c, err
		}
		if f.KAMID == uuid.Nil {
			key := memoKey{tenantID, p.Start, p.End}
			e, ok := s.memo.get(key, version)
			if !ok {
				_, largest, err := scanRevenue(ctx, tx, tenantID, p, "", "")
				if err != nil {
					return c, err
				}
				e = memoEntry{version: version, largest: largest}
				s.memo.put(key, e)
			}
			c.Largest = e.largest
			// The name may have changed since the memo was made.
			for _, sr := range series {
				if sr.Account.ID == c.Largest.AccountID {
					c.Largest.Name = sr.Account.Name
				}
			}
		}
	}
	if f.KAMID != uuid.Nil {
		c.Largest = Largest{}
		for _, sr := range series {
			if sr.Account.KeyStatus != "key" {
				continue
			}
			if r := window(sr.Figures, p, revenueOf); r.N > 0 && r.Total > c.Largest.Revenue {
				c.Largest = Largest{AccountID: sr.Account.ID, Name: sr.Account.Name, Revenue: r.Total}
			}
		}
	}
	return c, nil
}

// scanRevenue sums every account's revenue in p (archived accounts too:
// their revenue was real) within a segment and region ("" for all), and
// finds the largest account.
func scanRevenue(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, p Period, segment, region string) (float64, Largest, error) {
	var total float64
	var l Largest
	err := tx.QueryRow(ctx, `WITH per AS (
			SELECT k.account_id, sum(k.revenue::float8) AS r FROM kpi_figures k
			WHERE k.tenant_id = $1 AND k.month BETWEEN $2 AND $3
				AND (($4 = '' AND $5 = '') OR k.account_id IN (SELECT id FROM accounts WHERE tenant_id = $1
					AND ($4 = '' OR segment = $4) AND ($5 = '' OR region = $5)))
			GROUP BY k.account_id)
		SELECT (SELECT coalesce(sum(r), 0) FROM per), per.account_id, a.name, per.r
		FROM per JOIN accounts a ON a.tenant_id = $1 AND a.id = per.account_id
		ORDER BY per.r DESC, a.id LIMIT 1`, tenantID, p.Start, p.End, segment, region).
		Scan(&total, &l.AccountID, &l.Name, &l.Revenue)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, Largest{}, nil
	}
	return total, l, err
}

// concentrationMemo remembers the largest account of a period per tenant
// for one figures version. Bounded: it is cleared when full.
type concentrationMemo struct {
	mu      sync.Mutex
	entries map[memoKey]memoEntry
}

type memoKey struct {
	tenant     uuid.UUID
	start, end time.Time
}

type memoEntry struct {
	version int64
	largest Largest
}

const memoLimit = 4096

func (m *concentrationMemo) get(k memoKey, version int64) (memoEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[k]
	return e, ok && e.version == version
}

func (m *concentrationMemo) put(k memoKey, e memoEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= memoLimit {
		clear(m.entries)
	}
	m.entries[k] = e
}
