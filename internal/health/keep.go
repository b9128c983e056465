package health

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/db"
import "pareto/internal/kpi"
import "pareto/internal/notify"
import "pareto/internal/plan"

// Health is kept, not recomputed per page: account_health holds each
// account's latest breakdown, account_risks its warnings (with the sort
// and filter keys of the risk list), health_history one row per account
// and month. Refresh recomputes a few accounts (after a write that
// changed their inputs); RefreshTenant every account of a tenant, in
// chunks (once a day, for the clock's part: contacts going stale, dates
// passing), and the profitability totals. Pages read the kept rows.

// chunk is how many accounts one refreshing transaction handles.
const chunk = 500

// accountRow is what the refresh copies from the account.
type accountRow struct {
	ID        uuid.UUID
	Name      string
	KeyStatus string
	KAMUserID *uuid.UUID
	Archived  bool
	KeySince  time.Time // the last time it became a key account (zero: unknown)
}

// loadInputs reads the inputs of accountIDs as of asOf in tx, a few
// queries whatever their number; accounts that do not exist are left out.
func loadInputs(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, asOf time.Time) (
	map[uuid.UUID]*Inputs, []accountRow, error) {
	asOf = dateOf(asOf)
	rows, _ := tx.Query(ctx, `SELECT a.id, a.name, a.key_status, a.kam_user_id, a.archived_at IS NOT NULL,
			(SELECT max(k.changed_at) FROM key_status_changes k
				WHERE k.tenant_id = a.tenant_id AND k.account_id = a.id AND k.new_status = 'key')
		FROM accounts a WHERE a.tenant_id = $1 AND a.id = ANY($2) ORDER BY a.id`, tenantID, accountIDs)
	accts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accountRow, error) {
		var a accountRow
		var since *time.Time
		err := r.Scan(&a.ID, &a.Name, &a.KeyStatus, &a.KAMUserID, &a.Archived, &since)
		if since != nil {
			a.KeySince = dateOf(*since)
		}
		return a, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: %w", err)
	}
	ids := make([]uuid.UUID, len(accts))
	out := make(map[uuid.UUID]*Inputs, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
		out[a.ID] = &Inputs{Key: a.KeyStatus == string(account.KeyKey)}
	}
	facts, err := account.FactsTx(ctx, tx, tenantID, ids, asOf, RecentDays)
	if err != nil {
		return nil, nil, err
	}
	goals, err := plan.GoalCountsTx(ctx, tx, tenantID, ids, asOf)
	if err != nil {
		return nil, nil, err
	}
	overdue, err := plan.OverdueActionCountsTx(ctx, tx, tenantID, ids, asOf)
	if err != nil {
		return nil, nil, err
	}
	ks, err := kpi.SettingsTx(ctx, tx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	thisMonth := kpi.MonthOf(asOf)
	figs, err := kpi.FiguresTx(ctx, tx, tenantID, ids, kpi.AddMonths(thisMonth, -11), thisMonth)
	if err != nil {
		return nil, nil, fmt.Errorf("figures: %w", err)
	}
	eng, inUse, err := account.EngagementCountsTx(ctx, tx, tenantID, ids, asOf.AddDate(-1, 0, 1), asOf)
	if err != nil {
		return nil, nil, err
	}
	margins, err := marginsTx(ctx, tx, tenantID, ids, kpi.AddMonths(thisMonth, -11), thisMonth)
	if err != nil {
		return nil, nil, err
	}
	reviews, err := nextReviewsTx(ctx, tx, tenantID, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		in := out[id]
		in.Facts = *facts[id]
		in.Goals, in.OverdueActions = goals[id], overdue[id]
		in.CSATScale = ks.CSATScale
		for _, f := range figs[id] { // oldest first: the last one seen is the latest
			if f.CSAT != nil {
				in.CSAT, in.CSATMonth = f.CSAT, f.Month
			}
			if f.NPS != nil {
				in.NPS, in.NPSMonth = f.NPS, f.Month
			}
		}
		in.EngagementInUse, in.Engagements = inUse, eng[id].All
		in.Margins = margins[id]
		in.NextReview = reviews[id]
	}
	return out, accts, nil
}

// marginsTx reads the gross margins of accountIDs from..to, oldest first.
func marginsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, from, to time.Time) (map[uuid.UUID][]MonthValue, error) {
	rows, _ := tx.Query(ctx, `SELECT account_id, month, gross_margin::float8 FROM account_profitability
		WHERE tenant_id = $1 AND account_id = ANY($2) AND month BETWEEN $3 AND $4 AND gross_margin IS NOT NULL
		ORDER BY account_id, month`, tenantID, accountIDs, from, to)
	out := map[uuid.UUID][]MonthValue{}
	var id uuid.UUID
	var m MonthValue
	_, err := pgx.ForEachRow(rows, []any{&id, &m.Month, &m.Value}, func() error {
		m.Month = kpi.MonthOf(m.Month)
		out[id] = append(out[id], m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("margins: %w", err)
	}
	return out, nil
}

// nextReviewsTx reads the next review dates of accountIDs.
func nextReviewsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID) (map[uuid.UUID]time.Time, error) {
	rows, _ := tx.Query(ctx, `SELECT account_id, next_review_on FROM review_schedules WHERE tenant_id = $1 AND account_id = ANY($2)`,
		tenantID, accountIDs)
	out := map[uuid.UUID]time.Time{}
	var id uuid.UUID
	var d time.Time
	_, err := pgx.ForEachRow(rows, []any{&id, &d}, func() error {
		out[id] = dateOf(d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	return out, nil
}

// Live computes accountID's health now from its current inputs, without
// keeping it (the account page shows it; one account's reads). Returns
// db.ErrNotFound when the account does not exist in the scope's tenant.
func (s *Store) Live(ctx context.Context, sc db.Scope, accountID uuid.UUID) (Breakdown, error) {
	var b Breakdown
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		st, err := SettingsTx(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		ins, _, err := loadInputs(ctx, tx, sc.TenantID, []uuid.UUID{accountID}, s.Now())
		if err != nil {
			return err
		}
		in, ok := ins[accountID]
		if !ok {
			return fmt.Errorf("account %s: %w", accountID, db.ErrNotFound)
		}
		b = Compute(*in, st, s.Now())
		return nil
	})
	return b, wrap("live", err)
}

// Refresh recomputes and keeps the health of accountIDs now: their
// breakdown, this month's history row and their warnings. System work
// that follows a person's change (no audit event of its own). Accounts
// that do not exist are skipped; archived ones lose their warnings.
func (s *Store) Refresh(ctx context.Context, sc db.Scope, accountIDs []uuid.UUID) error {
	for start := 0; start < len(accountIDs); start += chunk {
		ids := accountIDs[start:min(start+chunk, len(accountIDs))]
		err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
			st, err := SettingsTx(ctx, tx, sc.TenantID)
			if err != nil {
				return err
			}
			return keep(ctx, tx, sc.TenantID, st, ids, s.Now())
		})
		if err != nil {
			return wrap("refresh", err)
		}
	}
	return nil
}

// keep computes the health of ids as of now and writes what is kept, in tx.
func keep(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, st Settings, ids []uuid.UUID, now time.Time) error {
	today := dateOf(now)
	if err := scheduleReviews(ctx, tx, tenantID, st, ids, today, now); err != nil {
		return err
	}
	ins, accts, err := loadInputs(ctx, tx, tenantID, ids, today)
	if err != nil {
		return err
	}
	since, tally, err := riskSince(ctx, tx, tenantID, ids)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue("DELETE FROM account_risks WHERE tenant_id = $1 AND account_id = ANY($2)", tenantID, ids)
	month := kpi.MonthOf(today)
	var items []notify.Item
	for _, a := range accts {
		if a.Archived {
			continue
		}
		bd := Compute(*ins[a.ID], st, today)
		js, err := json.Marshal(bd)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO account_health (tenant_id, account_id, score, breakdown, computed_on, computed_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id, account_id) DO UPDATE SET score = EXCLUDED.score, breakdown = EXCLUDED.breakdown,
				computed_on = EXCLUDED.computed_on, computed_at = EXCLUDED.computed_at`,
			tenantID, a.ID, bd.Score, js, today, now)
		b.Queue(`INSERT INTO health_history (tenant_id, account_id, month, score, breakdown) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, account_id, month) DO UPDATE SET score = EXCLUDED.score, breakdown = EXCLUDED.breakdown`,
			tenantID, a.ID, month, bd.Score, js)
		for _, w := range bd.Warnings {
			from, ok := since[riskKey{a.ID, w.Kind}]
			if !ok {
				from = today
			}
			b.Queue(`INSERT INTO account_risks (tenant_id, account_id, kind, detail, sort_name, kam_user_id, key_status, health, since)
				VALUES ($1, $2, $3, $4, lower($5), $6, $7, $8, $9)`,
				tenantID, a.ID, string(w.Kind), w.Detail, a.Name, a.KAMUserID, a.KeyStatus, bd.Score, from)
			tally[tallyOf(w.Kind, a.KAMUserID, a.KeyStatus)]++
			if it, ok := riskNotice(a, w, from); ok {
				items = append(items, it)
			}
		}
	}
	// The ranking row keeps the health score too (the 2×2 reads it from
	// there; migration 00032): same transaction, only where it changed.
	b.Queue(`UPDATE account_rankings r SET health = h.score FROM account_health h
		WHERE r.tenant_id = $1 AND r.account_id = ANY($2) AND h.tenant_id = r.tenant_id AND h.account_id = r.account_id
			AND r.health IS DISTINCT FROM h.score`, tenantID, ids)
	for k, n := range tally {
		if n != 0 {
			b.Queue(`INSERT INTO risk_tallies (tenant_id, kind, kam_user_id, is_key, n) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (tenant_id, kind, kam_user_id, is_key) DO UPDATE SET n = risk_tallies.n + EXCLUDED.n`,
				tenantID, string(k.kind), k.kam, k.key, n)
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("keep: %w", err)
	}
	return notices(ctx, tx, tenantID, accts, today, now, items)
}

type riskKey struct {
	account uuid.UUID
	kind    Kind
}

// tallyKey is a row of risk_tallies: the risk list's counts by kind, KAM
// (uuid.Nil: none) and key or not.
type tallyKey struct {
	kind Kind
	kam  uuid.UUID
	key  bool
}

func tallyOf(k Kind, kam *uuid.UUID, keyStatus string) tallyKey {
	t := tallyKey{kind: k, key: keyStatus == string(account.KeyKey)}
	if kam != nil {
		t.kam = *kam
	}
	return t
}

// riskSince reads since when each warning of ids has been in force, and
// the tallies their removal takes off (negative counts: keep adds the
// warnings it writes back).
func riskSince(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids []uuid.UUID) (map[riskKey]time.Time, map[tallyKey]int, error) {
	rows, _ := tx.Query(ctx, `SELECT account_id, kind, since, kam_user_id, key_status FROM account_risks
		WHERE tenant_id = $1 AND account_id = ANY($2)`, tenantID, ids)
	out, tally := map[riskKey]time.Time{}, map[tallyKey]int{}
	var k riskKey
	var d time.Time
	var kam *uuid.UUID
	var keyStatus string
	_, err := pgx.ForEachRow(rows, []any{&k.account, &k.kind, &d, &kam, &keyStatus}, func() error {
		out[k] = dateOf(d)
		tally[tallyOf(k.kind, kam, keyStatus)]--
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("risks: %w", err)
	}
	return out, tally, nil
}

// recountRisks counts the tenant's risk tallies again from account_risks
// (each tenant run: whatever a write may have missed is put right).
func recountRisks(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) error {
	if _, err := tx.Exec(ctx, "DELETE FROM risk_tallies WHERE tenant_id = $1", tenantID); err != nil {
		return fmt.Errorf("risk tallies: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO risk_tallies (tenant_id, kind, kam_user_id, is_key, n)
		SELECT tenant_id, kind, coalesce(kam_user_id, $2), key_status = 'key', count(*) FROM account_risks WHERE tenant_id = $1
		GROUP BY tenant_id, kind, coalesce(kam_user_id, $2), key_status = 'key'`, tenantID, uuid.Nil)
	return errorf("risk tallies", err)
}

// scheduleReviews gives each key account of ids that has no next review
// date one: a cadence after its last review, else after it became a key
// account, else after today.
func scheduleReviews(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, st Settings, ids []uuid.UUID, today, now time.Time) error {
	// Three plain reads and a multi-row insert: Citus plans neither the
	// correlated sub-selects nor an INSERT … SELECT beside NOT EXISTS.
	rows, _ := tx.Query(ctx, `SELECT a.id FROM accounts a
		LEFT JOIN review_schedules s ON s.tenant_id = a.tenant_id AND s.account_id = a.id
		WHERE a.tenant_id = $1 AND a.id = ANY($2) AND a.key_status = 'key' AND a.archived_at IS NULL AND s.account_id IS NULL`,
		tenantID, ids)
	todo, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(todo) == 0 {
		return errorf("schedule reviews", err)
	}
	base := map[uuid.UUID]time.Time{}
	for _, q := range []string{
		// Became key (older), then the last review (wins when there is one).
		`SELECT account_id, max(changed_at)::date FROM key_status_changes
			WHERE tenant_id = $1 AND account_id = ANY($2) AND new_status = 'key' GROUP BY account_id`,
		`SELECT account_id, max(held_on) FROM account_reviews WHERE tenant_id = $1 AND account_id = ANY($2) GROUP BY account_id`,
	} {
		rows, _ := tx.Query(ctx, q, tenantID, todo)
		var id uuid.UUID
		var on time.Time
		if _, err := pgx.ForEachRow(rows, []any{&id, &on}, func() error {
			base[id] = dateOf(on)
			return nil
		}); err != nil {
			return fmt.Errorf("schedule reviews: %w", err)
		}
	}
	recs := make([][]any, 0, len(todo))
	for _, id := range todo {
		from, ok := base[id]
		if !ok {
			from = today
		}
		recs = append(recs, []any{tenantID, id, from.AddDate(0, st.ReviewMonths, 0), now})
	}
	_, err = db.InsertRows(ctx, tx, "review_schedules", []string{"tenant_id", "account_id", "next_review_on", "updated_at"}, recs,
		"ON CONFLICT (tenant_id, account_id) DO NOTHING")
	return errorf("schedule reviews", err)
}

// errorf prefixes err with what failed (nil stays nil).
func errorf(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// RefreshTenant recomputes and keeps the health of every active account of
// the scope's tenant now, chunk by chunk (each its own transaction), then
// the profitability totals, and records the run. O(accounts): for the
// daily run and after a settings change, in the background.
//
// Every month has its history row: this run writes this month's, and
// when the tenant's last run was before last month (nobody used the
// tenant for a while, so no run came), the months in between are
// written too, each as of its last day (see backfillMonths), before the
// run is recorded. A page never computes history.
func (s *Store) RefreshTenant(ctx context.Context, sc db.Scope) error {
	now := s.Now()
	last, _, err := s.LastRun(ctx, sc)
	if err != nil {
		return wrap("refresh tenant", err)
	}
	err = s.eachChunk(ctx, sc, func(tx pgx.Tx, ids []uuid.UUID, st Settings) error {
		return keep(ctx, tx, sc.TenantID, st, ids, now)
	})
	if err != nil {
		return wrap("refresh tenant", err)
	}
	if this := kpi.MonthOf(now); !last.IsZero() && kpi.MonthOf(last).Before(kpi.AddMonths(this, -1)) {
		if err := s.backfillMonths(ctx, sc, kpi.AddMonths(kpi.MonthOf(last), 1), kpi.AddMonths(this, -1), false); err != nil {
			return wrap("refresh tenant", err)
		}
	}
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM account_risks r USING accounts a
			WHERE r.tenant_id = $1 AND a.tenant_id = r.tenant_id AND a.id = r.account_id AND a.archived_at IS NOT NULL`,
			sc.TenantID); err != nil {
			return err
		}
		if err := recountRisks(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		this := kpi.MonthOf(now)
		if err := keepTotals(ctx, tx, sc.TenantID, kpi.AddMonths(this, -TotalsMonths+1), this); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO health_runs (tenant_id, ran_on, ran_at) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET ran_on = EXCLUDED.ran_on, ran_at = EXCLUDED.ran_at`, sc.TenantID, dateOf(now), now)
		return err
	})
	return wrap("refresh tenant", err)
}

// eachChunk calls do for each chunk of the scope's tenant's active
// accounts (ids in order, at most chunk of them), each in its own
// transaction, with the tenant's health settings.
func (s *Store) eachChunk(ctx context.Context, sc db.Scope, do func(tx pgx.Tx, ids []uuid.UUID, st Settings) error) error {
	after := uuid.Nil
	for {
		var ids []uuid.UUID
		err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT id FROM accounts WHERE tenant_id = $1 AND archived_at IS NULL AND id > $2
				ORDER BY id LIMIT $3`, sc.TenantID, after, chunk)
			var err error
			if ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil || len(ids) == 0 {
				return err
			}
			st, err := SettingsTx(ctx, tx, sc.TenantID)
			if err != nil {
				return err
			}
			return do(tx, ids, st)
		})
		if err != nil || len(ids) < chunk {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// LastRun is the day the tenant's health was last computed for every
// account (zero: never), and whether that is before today (stale: the
// clock's part has moved on; RefreshTenant catches up).
func (s *Store) LastRun(ctx context.Context, sc db.Scope) (ranOn time.Time, stale bool, err error) {
	err = s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT ran_on FROM health_runs WHERE tenant_id = $1", sc.TenantID).Scan(&ranOn)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, true, nil
	}
	if err != nil {
		return time.Time{}, false, wrap("last run", err)
	}
	ranOn = dateOf(ranOn)
	return ranOn, ranOn.Before(dateOf(s.Now())), nil
}
