package demo

import "context"
import "fmt"
import "math"
import "math/rand/v2"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/kpi"

// KPIMonths is how many months of figures the demo has, ending last month.
const KPIMonths = 24

// seedKPIs gives the tenant's accounts (made by the accounts seed) 24
// months of plausible figures: revenue around a twelfth of the account's
// annual revenue with a trend, seasonality and noise; CSAT (on the 1–5
// scale), NPS (partly as survey counts), adoption, upsell and cross-sells
// for key accounts; orders and units for key accounts and every third
// other customer (their average order growing for key accounts); former
// key accounts that stopped buying, a key account declined at the
// mid-year review that ordered for the last time the month after, a key account
// that became a customer nine months ago, and figures for the month under
// way (partial) for every other key account. Deterministic for the same
// accounts (fixed random seeds, accounts in name order); with no accounts
// it does nothing.
func seedKPIs(ctx context.Context, d *db.DB, sc db.Scope, now time.Time) error {
	type account struct {
		id        uuid.UUID
		status    string
		keyStatus string
		revenue   float64
	}
	var accounts []account
	declined := map[uuid.UUID]time.Time{} // key accounts declined since, with when
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, status, key_status, annual_revenue::float8 FROM accounts
			WHERE tenant_id = $1 AND archived_at IS NULL ORDER BY lower(name), coalesce(external_ref, ''), id`, sc.TenantID)
		var err error
		accounts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (account, error) {
			var a account
			return a, r.Scan(&a.id, &a.status, &a.keyStatus, &a.revenue)
		})
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT account_id, changed_at FROM key_status_changes
			WHERE tenant_id = $1 AND old_status = 'key' AND new_status = 'declined'`, sc.TenantID)
		var id uuid.UUID
		var at time.Time
		_, err = pgx.ForEachRow(rows, []any{&id, &at}, func() error { declined[id] = at; return nil })
		return err
	})
	if err != nil {
		return fmt.Errorf("demo: kpi accounts: %w", err)
	}
	if len(accounts) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	last := kpi.AddMonths(kpi.MonthOf(now), -1)
	first := kpi.AddMonths(last, 1-KPIMonths)
	round := func(v float64, decimals int) float64 {
		p := math.Pow(10, float64(decimals))
		return math.Round(v*p) / p
	}
	var figs []kpi.Figure
	keySeen, formerSeen, others := 0, 0, 0
	volumes := rand.New(rand.NewPCG(2026, 12)) // orders and units, apart from the figures above
	current := kpi.MonthOf(now)
	partOfMonth := float64(now.Day()) / 30
	type leaving struct {
		id uuid.UUID
		at time.Time
	}
	var left []leaving // former key accounts: when they left the programme
	for _, a := range accounts {
		if a.status == "prospect" {
			continue
		}
		declinedAt, wasKey := declined[a.id]
		key := a.keyStatus == "key" || wasKey
		withVolumes := key
		if !key {
			others++
			withVolumes = others%3 == 0
		}
		avgOrder := 4000 + volumes.Float64()*16000
		unitsPerOrder := 10 + volumes.Float64()*50
		monthly := a.revenue / 12
		if monthly <= 0 {
			monthly = 20_000 + rng.Float64()*180_000
		}
		// Key accounts grow faster; a few shrink.
		trend := (rng.Float64()*0.5 - 0.1) / 12
		if key {
			trend = (rng.Float64()*0.45 - 0.05) / 12
		}
		start, stop := 0, KPIMonths
		switch {
		case a.keyStatus == "former" || a.status == "former":
			formerSeen++
			stop = KPIMonths - 4 - formerSeen*3 // stopped buying some months ago
			if a.keyStatus == "former" {
				left = append(left, leaving{a.id, kpi.AddMonths(first, stop)})
			}
		case wasKey:
			stop = min(KPIMonths, kpi.MonthsBetween(first, kpi.MonthOf(declinedAt))+1) // its last order the month after
		case key:
			keySeen++
			if keySeen == 3 {
				start = KPIMonths - 9 // a customer for nine months only
			}
		}
		months := KPIMonths
		if key && !wasKey && keySeen%2 == 0 {
			months++ // and the month under way, partial
		}
		csat := 3.6 + rng.Float64()*1.0
		nps := 10 + rng.IntN(40)
		adoption := 35 + rng.Float64()*40
		level := monthly * (1 - trend*KPIMonths/2)
		for m := range months {
			level *= 1 + trend
			if m < start || (m >= stop && m < KPIMonths) {
				continue
			}
			month := kpi.AddMonths(first, m)
			season := 1 + 0.08*math.Sin(float64(month.Month())/12*2*math.Pi)
			f := kpi.Figure{Month: month, Revenue: round(level*season*(0.93+rng.Float64()*0.14), 2)}
			if month.Equal(current) {
				f.Revenue = round(f.Revenue*partOfMonth, 2)
			}
			if withVolumes {
				if key {
					avgOrder *= 1.01 // key accounts' orders grow
				}
				orders := max(1, int(math.Round(f.Revenue/avgOrder)))
				units := int(math.Round(float64(orders) * unitsPerOrder * (0.9 + volumes.Float64()*0.2)))
				f.Orders, f.Units = &orders, &units
			}
			if key || a.keyStatus == "former" {
				csat = math.Max(1, math.Min(5, csat+(rng.Float64()-0.45)*0.2))
				c := round(csat, 2)
				f.CSAT = &c
				nps = max(-30, min(70, nps+rng.IntN(7)-3))
				if m%3 == 2 { // quarterly survey: counts
					n := 20 + rng.IntN(40)
					det := int(math.Round(float64(n) * 0.15))
					pro := max(0, int(math.Round(float64(n)*(0.15+float64(nps)/100))))
					pas := max(0, n-pro-det)
					f.Promoters, f.Passives, f.Detractors = &pro, &pas, &det
					v, _ := kpi.NPSFromCounts(pro, pas, det)
					f.NPS = &v
				} else {
					v := nps
					f.NPS = &v
				}
				adoption = math.Min(98, adoption+rng.Float64()*1.6)
				ad := round(adoption, 1)
				f.AdoptionPct = &ad
				if rng.IntN(5) == 0 {
					up := round(f.Revenue*(0.05+rng.Float64()*0.15), 2)
					f.UpsellRevenue = &up
				}
				if rng.IntN(8) == 0 {
					cs := 1 + rng.IntN(2)
					f.CrossSellCount = &cs
				}
			}
			f.AccountID = a.id
			figs = append(figs, f)
		}
	}
	if len(figs) == 0 {
		return nil
	}
	if err := kpi.NewStore(d).LoadFigures(ctx, sc, figs, "seed"); err != nil {
		return fmt.Errorf("demo: kpi figures: %w", err)
	}
	// The key status history says when former key accounts left, so
	// retention counts them in the cohorts of the months they were key.
	err = d.Tx(ctx, sc, func(tx pgx.Tx) error {
		for _, l := range left {
			if _, err := tx.Exec(ctx, `INSERT INTO key_status_changes (account_id, old_status, new_status, reason, changed_by, changed_at)
				VALUES ($1, 'key', 'former', 'Stopped buying: left the key-account programme', $2, $3)`, l.id, changedBy(sc), l.at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: key status history: %w", err)
	}
	return nil
}

// changedBy is who a seeded change is recorded under: the scope's user,
// or nobody (system work).
func changedBy(sc db.Scope) *uuid.UUID {
	if sc.UserID == uuid.Nil {
		return nil
	}
	return &sc.UserID
}
