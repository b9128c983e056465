package account_test

import "context"
import "errors"
import "fmt"
import "math/rand/v2"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/assignment"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/health"
import "pareto/internal/importer"
import "pareto/internal/kpi"
import "pareto/internal/scoring"

// keptTallies reads every row of the tenant's kept tallies that is not
// all zero (a value no account has any more keeps a row of zeros).
func keptTallies(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (map[account.Dim]map[string]account.Tally, error) {
	rows, _ := tx.Query(ctx, `SELECT dim, value, accounts, ranked, complete, key_accounts, from_figures,
			revenue::float8, key_revenue::float8, annual_revenue::float8, potential::float8, headroom::float8
		FROM account_tallies WHERE tenant_id = $1`, tenantID)
	out := map[account.Dim]map[string]account.Tally{}
	var dim, value string
	var t account.Tally
	var rev, key, annual, pot, head float64
	_, err := pgx.ForEachRow(rows, []any{&dim, &value, &t.Accounts, &t.Ranked, &t.Complete, &t.KeyAccounts, &t.FromFigures,
		&rev, &key, &annual, &pot, &head}, func() error {
		t.Revenue, t.KeyRevenue, t.Annual, t.Potential, t.Headroom = int64(rev), int64(key), int64(annual), int64(pot), int64(head)
		if t != (account.Tally{}) {
			if out[account.Dim(dim)] == nil {
				out[account.Dim(dim)] = map[string]account.Tally{}
			}
			out[account.Dim(dim)][value] = t
		}
		return nil
	})
	return out, err
}

func diffTallies(kept, counted map[account.Dim]map[string]account.Tally) string {
	var b strings.Builder
	for dim, vs := range counted {
		for v, want := range vs {
			if got := kept[dim][v]; got != want {
				fmt.Fprintf(&b, "\n  %s=%q kept %+v\n  %s=%q count %+v", dim, v, got, dim, v, want)
			}
		}
	}
	for dim, vs := range kept {
		for v, got := range vs {
			if _, ok := counted[dim][v]; !ok {
				fmt.Fprintf(&b, "\n  %s=%q kept %+v, no account has it", dim, v, got)
			}
		}
	}
	return b.String()
}

// TestTalliesKeptUnderRandomWrites is the property test of the kept
// tallies: random sequences of the writes that change them — accounts
// created, edited, archived and restored, imported; cells scored (one
// account re-ranked) and weights changed (every account re-ranked); key
// status decided in reviews and taken away; KAMs assigned; KPI figures
// saved and deleted inside and outside the revenue window; the account
// list's bulk actions (set a field, archive, assign a KAM) — each through
// its store, and after every write the kept tallies equal a count from
// scratch (account.Counted), and so do the reviews' kept counts.
func TestTalliesKeptUnderRandomWrites(t *testing.T) {
	ctx := context.Background()
	// Two pools on one database, as two server processes: the writes go
	// through d, the kept parts are checked through both.
	u := dbtest.URL(t)
	d, d2 := dbtest.Open(t, u, db.Options{MaxConns: 8}), dbtest.Open(t, u, db.Options{MaxConns: 2})
	tn := newTenant(t, d, "Property Co")
	other := newTenant(t, d, "Other Co")
	sc, kamSc := tn.admin(), tn.kam()
	accts := account.NewStore(d)
	scores := scoring.NewStore(d)
	asg := assignment.NewStore(d)
	figs := kpi.NewStore(d)
	imp := importer.NewStore(d)
	hs := health.NewStore(d)
	now := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	figs.Now, accts.Now, hs.Now = func() time.Time { return now }, func() time.Time { return now }, func() time.Time { return now }
	var crit []uuid.UUID
	for _, code := range []string{"product_fit", "solvency", "buying_process"} {
		c, err := scores.EnableStandard(ctx, sc, code)
		if err != nil {
			t.Fatal(err)
		}
		crit = append(crit, c.ID)
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 19))
	t.Logf("seed %d", seed)
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	var ids []uuid.UUID
	figureVersions := map[string]int{} // account/month -> version
	var review uuid.UUID
	var reviewed []uuid.UUID
	newFields := func(name string) account.Fields {
		return account.Fields{Name: name, Industry: pick([]string{"", "Retail", "Energy", "Pharma"}),
			Region: pick([]string{"", "EMEA", "APAC"}), Segment: pick([]string{"SMB", "Enterprise"}),
			Status:           account.Status(pick([]string{"prospect", "customer", "former"})),
			AnnualRevenue:    account.Money(rng.Int64N(5) * 100_000 * 100),
			RevenuePotential: account.Money(rng.Int64N(8) * 100_000 * 100)}
	}
	one := func() uuid.UUID { return ids[rng.IntN(len(ids))] }
	ops := []struct {
		name   string
		weight int
		run    func() error
	}{
		{"create", 6, func() error {
			a, err := accts.CreateAccount(ctx, sc, auth.RoleAdmin, newFields(fmt.Sprintf("Account %03d", len(ids))))
			ids = append(ids, a.ID)
			return err
		}},
		{"edit", 4, func() error {
			a, err := accts.Account(ctx, sc, one())
			if err != nil {
				return err
			}
			f := newFields(a.Name)
			_, err = accts.UpdateAccount(ctx, sc, auth.RoleAdmin, a.ID, f, a.Version)
			return err
		}},
		{"archive or restore", 2, func() error {
			a, err := accts.Account(ctx, sc, one())
			if err != nil {
				return err
			}
			if a.Archived() {
				_, err = accts.RestoreAccount(ctx, sc, auth.RoleAdmin, a.ID)
			} else {
				_, err = accts.ArchiveAccount(ctx, sc, auth.RoleAdmin, a.ID)
			}
			return err
		}},
		{"import", 1, func() error {
			var csv strings.Builder
			csv.WriteString("name,industry,annual_revenue,revenue_potential\n")
			for i := range 1 + rng.IntN(4) {
				fmt.Fprintf(&csv, "Imported %d-%d,%s,%d,%d\n", len(ids), i, pick([]string{"Retail", "Food"}), rng.IntN(9)*1000, rng.IntN(9)*5000)
			}
			f, m := importFile(t, imp, sc, csv.String())
			if _, err := imp.Commit(ctx, sc, auth.RoleAdmin, account.Import, f.ID, m); err != nil {
				return err
			}
			return d.Tx(ctx, sc, func(tx pgx.Tx) error {
				rows, _ := tx.Query(ctx, "SELECT id FROM accounts WHERE tenant_id = $1 AND name LIKE 'Imported%' AND NOT id = ANY($2)", sc.TenantID, ids)
				more, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
				ids = append(ids, more...)
				return err
			})
		}},
		{"score", 6, func() error {
			var in []scoring.CellInput
			for _, c := range crit {
				if rng.IntN(3) > 0 {
					in = append(in, scoring.CellInput{CriterionID: c, Score: strconv.Itoa(1 + rng.IntN(10))})
				}
			}
			_, err := scores.SaveScores(ctx, sc, auth.RoleAdmin, one(), in)
			return ignoreRefusals(err)
		}},
		{"weights", 1, func() error {
			cfg, err := scores.Config(ctx, sc)
			if err != nil {
				return err
			}
			p := map[uuid.UUID]string{}
			left := 100
			active := cfg.Active() // the criterion step may have deactivated some
			for i, c := range active {
				v := 10 + rng.IntN(30)
				if i == len(active)-1 {
					v = left
				}
				p[c.ID], left = strconv.Itoa(v), left-v
			}
			return scores.SetWeights(ctx, sc, scoring.WeightsInput{Mode: scoring.ModeExplicit, Percent: p, CriteriaVersion: cfg.Settings.CriteriaVersion})
		}},
		{"review", 1, func() error {
			if review != uuid.Nil {
				err := scores.CloseReview(ctx, sc, review)
				review, reviewed = uuid.Nil, nil
				return err
			}
			id, err := scores.StartReview(ctx, sc, fmt.Sprintf("Review %d", rng.IntN(1_000_000)))
			if err != nil {
				return ignoreRefusals(err)
			}
			review = id
			p, err := scores.Review(ctx, sc, id, scoring.ReviewFilter{PerPage: 500})
			for _, e := range p.Entries {
				reviewed = append(reviewed, e.AccountID)
			}
			return err
		}},
		{"decide", 4, func() error {
			if len(reviewed) == 0 {
				return nil
			}
			err := scores.Decide(ctx, sc, review, reviewed[rng.IntN(len(reviewed))], pick([]string{"key", "key", "declined", "watch"}), "because")
			return ignoreRefusals(err)
		}},
		{"dedesignate", 1, func() error {
			return ignoreRefusals(scores.Dedesignate(ctx, sc, one(), "no longer"))
		}},
		{"assign", 3, func() error {
			a, err := accts.Account(ctx, sc, one())
			if err != nil {
				return err
			}
			_, err = asg.Assign(ctx, sc, assignment.AssignInput{AccountID: a.ID, KAMUserID: kamSc.UserID.String(), Version: a.Version,
				Override: true, Reason: "property test"})
			return ignoreRefusals(err)
		}},
		{"bulk set", 2, func() error {
			var sel account.Selection
			for range 1 + rng.IntN(5) {
				sel.IDs = append(sel.IDs, one())
			}
			key := pick([]string{"segment", "region", "industry"})
			_, err := accts.BulkSet(ctx, sc, auth.RoleAdmin, sel, key, pick([]string{"", "SMB", "EMEA", "retail", "Energy"}))
			return ignoreRefusals(err) // an archived account in the selection: not found
		}},
		{"bulk archive", 1, func() error {
			sel := account.Selection{All: true, Filter: account.Filter{Industry: pick([]string{"Retail", "Energy", "Pharma", "Food"})}}
			_, err := accts.BulkArchive(ctx, sc, auth.RoleAdmin, sel)
			return ignoreRefusals(err)
		}},
		{"bulk assign", 1, func() error {
			sel := account.Selection{All: true, Filter: account.Filter{Region: pick([]string{"", "EMEA", "APAC"})}}
			_, _, err := asg.BulkAssign(ctx, sc, sel, kamSc.UserID.String())
			return ignoreRefusals(err)
		}},
		{"health", 3, func() error {
			// A stakeholder (so the health has a value), then the
			// health refresh of a few accounts: it keeps each score on
			// the account_health row and on the ranking row.
			id := one()
			in, err := account.StakeholderInput{Name: fmt.Sprintf("Person %d", rng.IntN(1000)),
				Role:     string(account.BuyingRoles[rng.IntN(len(account.BuyingRoles))]),
				Strength: string(account.Strengths[rng.IntN(len(account.Strengths))])}.Parse()
			if err != nil {
				return err
			}
			if _, err := accts.CreateStakeholder(ctx, sc, auth.RoleAdmin, id, in); ignoreRefusals(err) != nil {
				return err
			}
			some := []uuid.UUID{id}
			for range rng.IntN(4) {
				some = append(some, one())
			}
			return hs.Refresh(ctx, sc, some)
		}},
		{"scoring settings", 1, func() error {
			cfg, err := scores.Config(ctx, sc)
			if err != nil {
				return err
			}
			_, err = scores.UpdateSettings(ctx, sc, scoring.SettingsInput{KeyAccountCap: strconv.Itoa(5 + rng.IntN(20)),
				ConcentrationPct: strconv.Itoa(5 + rng.IntN(30)), TopN: strconv.Itoa(1 + rng.IntN(10)),
				QuadrantScore: strconv.Itoa(3 + rng.IntN(5)), Version: cfg.Settings.Version})
			return ignoreRefusals(err)
		}},
		{"criterion", 1, func() error {
			cfg, err := scores.Config(ctx, sc)
			if err != nil {
				return err
			}
			c := cfg.Criteria[rng.IntN(len(cfg.Criteria))]
			if rng.IntN(2) == 0 {
				_, err = scores.SetActive(ctx, sc, c.ID, !c.Active)
				return ignoreRefusals(err)
			}
			_, err = scores.UpdateCriterion(ctx, sc, c.ID, scoring.CriterionInput{Name: fmt.Sprintf("Criterion %d", rng.IntN(1000)),
				Description: c.Description, Rubric1: c.Rubric1, Rubric5: c.Rubric5, Rubric10: c.Rubric10}, c.Version)
			return ignoreRefusals(err)
		}},
		{"health settings", 1, func() error {
			st, err := hs.Settings(ctx, sc)
			if err != nil {
				return err
			}
			next := st
			next.MatrixScore10, next.MatrixHealth = 20+rng.IntN(60), 20+rng.IntN(60)
			return ignoreRefusals(hs.UpdateSettings(ctx, sc, auth.RoleAdmin, next, st.Version))
		}},
		{"member", 1, func() error {
			m, err := auth.NewStore(d).Member(ctx, sc.TenantID, kamSc.UserID)
			if err != nil {
				return err
			}
			_, err = auth.NewStore(d).UpdateMember(ctx, sc, kamSc.UserID, auth.RoleKAM, !m.Active, m.Version)
			return ignoreRefusals(err)
		}},
		{"figure", 5, func() error {
			id := one()
			// Inside the window (Nov 2025 – Oct 2026), the month in
			// progress, or before the window.
			m := kpi.AddMonths(kpi.MonthOf(now), -rng.IntN(15))
			key := id.String() + m.String()
			if v, ok := figureVersions[key]; ok && rng.IntN(3) == 0 {
				delete(figureVersions, key)
				return figs.DeleteFigure(ctx, sc, auth.RoleAdmin, id, m, v)
			}
			f, err := figs.SaveFigure(ctx, sc, auth.RoleAdmin, id, kpi.Figure{Month: m, Revenue: float64(rng.IntN(50)) * 1000}, figureVersions[key])
			figureVersions[key] = f.Version
			return err
		}},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	check := func(step int, op string) {
		t.Helper()
		for _, x := range []db.Scope{sc, other.admin()} {
			var kept, counted map[account.Dim]map[string]account.Tally
			if err := d.Tx(ctx, x, func(tx pgx.Tx) error {
				var err error
				if kept, err = keptTallies(ctx, tx, x.TenantID); err != nil {
					return err
				}
				counted, err = account.Counted(ctx, tx, x.TenantID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if diff := diffTallies(kept, counted); diff != "" {
				t.Fatalf("step %d (%s), seed %d: kept tallies differ from a count:%s", step, op, seed, diff)
			}
			// The reviews' kept counts (entries, decided, designated key).
			var wrong []string
			if err := d.Tx(ctx, x, func(tx pgx.Tx) error {
				rows, _ := tx.Query(ctx, `SELECT r.name FROM scoring_reviews r
					LEFT JOIN (SELECT e.tenant_id, e.review_id, count(*)::int AS n, count(e.decision)::int AS decided,
						(count(*) FILTER (WHERE e.decision = 'key'))::int AS key
						FROM review_entries e WHERE e.tenant_id = $1 GROUP BY e.tenant_id, e.review_id) c
					ON c.tenant_id = r.tenant_id AND c.review_id = r.id
					WHERE r.tenant_id = $1 AND (r.entries, r.decided, r.designated) IS DISTINCT FROM
						(coalesce(c.n, 0), coalesce(c.decided, 0), coalesce(c.key, 0))`, x.TenantID)
				var err error
				wrong, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(wrong) > 0 {
				t.Fatalf("step %d (%s), seed %d: kept review counts differ from a count: %v", step, op, seed, wrong)
			}
			checkKeyPoints(t, d, x, fmt.Sprintf("step %d (%s), seed %d", step, op, seed))
			checkShortlistRows(t, d, x, fmt.Sprintf("step %d (%s), seed %d", step, op, seed))
			checkKeptParts(t, []*db.DB{d, d2}, x, fmt.Sprintf("step %d (%s), seed %d", step, op, seed))
		}
	}
	for range 3 {
		if err := ops[0].run(); err != nil {
			t.Fatal(err)
		}
	}
	check(0, "setup")
	ran := map[string]int{}
	for step := 1; step <= 150; step++ {
		n := rng.IntN(total)
		for _, o := range ops {
			if n -= o.weight; n < 0 {
				if err := o.run(); err != nil {
					t.Fatalf("step %d (%s): %v", step, o.name, err)
				}
				ran[o.name]++
				check(step, o.name)
				break
			}
		}
	}
	t.Logf("writes: %v", ran)
	// The sequence reached every kind of standing: key accounts, KAMs,
	// ranked and complete accounts, revenue from figures, archived ones.
	var all account.Tally
	var archived int
	if err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		ts, err := account.Tallies(ctx, tx, sc.TenantID, account.DimAll, account.DimArchived)
		all, archived = ts[account.DimAll][""], ts[account.DimArchived][""].Accounts
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("tally %+v, %d archived", all, archived)
	// The month moves on: the window's refresh keeps them too.
	now = now.AddDate(0, 2, 0)
	if err := accts.RefreshRevenue(ctx, sc); err != nil {
		t.Fatal(err)
	}
	check(151, "refresh revenue")
}

// ignoreRefusals passes refusals a random write may meet (a field error:
// an account archived, the key cap reached; a conflict) and fails on
// anything else.
func ignoreRefusals(err error) error {
	var fe db.FieldErrors
	switch {
	case err == nil, errors.As(err, &fe), errors.Is(err, db.ErrConflict), errors.Is(err, db.ErrNotFound):
		return nil
	}
	return err
}

// checkKeyPoints compares what the ranking rows keep for the 2×2 (name,
// sort name, key status, KAM, archive flag, health score: migration
// 00032) and for the shortlist's rows (revenue, from figures or not,
// headroom: migration 00033) with the accounts and their kept health,
// and the 2×2's points (read from the ranking rows, with candidates) with
// the same points read by joining accounts, rankings and health, written
// out as text.
func checkKeyPoints(t *testing.T, d *db.DB, sc db.Scope, at string) {
	t.Helper()
	ctx := context.Background()
	var wrong []string
	var want strings.Builder
	const line = `format(E'\n  %s %s %s score %s complete %s health %s', a.id, a.name, a.key_status,
		coalesce(r.score10::text, 'nil'), CASE WHEN r.complete THEN 'true' ELSE 'false' END, coalesce(h.score::text, 'nil'))`
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT a.name FROM account_rankings r
			JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
			LEFT JOIN account_health h ON h.tenant_id = a.tenant_id AND h.account_id = a.id
			WHERE r.tenant_id = $1 AND (r.name, r.sort_name, r.key_status, r.kam_user_id, r.archived, r.health,
				r.revenue_cents, r.from_figures, r.headroom) IS DISTINCT FROM
				(a.name, lower(a.name), a.key_status, a.kam_user_id, a.archived_at IS NOT NULL, h.score,
				a.revenue_cents, a.revenue_recorded IS NOT NULL, (a.revenue_potential * 100)::bigint - a.revenue_cents)`, sc.TenantID)
		var err error
		if wrong, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		// The 2×2's key accounts as read before migration 00032, then its
		// candidates in rank order (names compared byte by byte, as the
		// ranking row's sort name is).
		for _, q := range []string{`SELECT ` + line + `
			FROM accounts a
			LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
			LEFT JOIN account_health h ON h.tenant_id = a.tenant_id AND h.account_id = a.id
			WHERE a.tenant_id = $1 AND a.key_status = 'key' AND a.archived_at IS NULL ORDER BY a.sort_name COLLATE "C", a.id`,
			`SELECT ` + line + `
			FROM account_rankings r
			JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
			LEFT JOIN account_health h ON h.tenant_id = a.tenant_id AND h.account_id = a.id
			WHERE r.tenant_id = $1 AND a.archived_at IS NULL AND a.key_status = 'candidate'
			ORDER BY r.complete DESC, r.score10 DESC, r.headroom DESC, lower(a.name) COLLATE "C", a.id LIMIT 100`} {
			rows, _ := tx.Query(ctx, q, sc.TenantID)
			ls, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			want.WriteString(strings.Join(ls, ""))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Fatalf("%s: ranking rows keep a name, KAM, key status, health, revenue or headroom that differs from the account's: %v", at, wrong)
	}
	m, err := health.NewStore(d).Matrix(ctx, sc, health.MatrixFilter{Candidates: true})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, p := range m.Points {
		fmt.Fprintf(&got, "\n  %s %s %s score %s complete %v health %s", p.AccountID, p.Name, p.KeyStatus,
			intOrNil(p.Score10), p.Complete, intOrNil(p.Health))
	}
	if got.String() != want.String() {
		t.Fatalf("%s: the 2×2's points differ from the joined read:\ngot:%s\nwant:%s", at, got.String(), want.String())
	}
}

func intOrNil(p *int) string {
	if p == nil {
		return "nil"
	}
	return strconv.Itoa(*p)
}

// checkShortlistRows compares the shortlist's rows, read from the ranking
// rows alone (migration 00033), with the same rows read by joining each
// ranking row to its account and KAM, as the shortlist read them before:
// name, revenue (and whether from figures), potential, headroom, key
// status and KAM name, in rank order, written out as text.
func checkShortlistRows(t *testing.T, d *db.DB, sc db.Scope, at string) {
	t.Helper()
	ctx := context.Background()
	var want []string
	err := d.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT format('%s %s revenue %s figures %s potential %s headroom %s %s kam %s', a.id, a.name,
				a.revenue_cents, (a.revenue_recorded IS NOT NULL)::text, (a.revenue_potential * 100)::bigint, r.headroom,
				a.key_status, coalesce(u.name, ''))
			FROM account_rankings r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
			LEFT JOIN users u ON u.id = a.kam_user_id
			WHERE r.tenant_id = $1 AND NOT r.archived ORDER BY r.rank_key1, r.rank_key2, r.sort_name, r.account_id`, sc.TenantID)
		var err error
		want, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := scoring.NewStore(d).Shortlist(ctx, sc, scoring.Filter{PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range l.Rows {
		got = append(got, fmt.Sprintf("%s %s revenue %d figures %v potential %d headroom %d %s kam %s", x.AccountID, x.Name,
			x.Revenue, x.RevenueFromFigures, x.RevenuePotential, x.Headroom, x.KeyStatus, x.KAMName))
	}
	if g, w := strings.Join(got, "\n  "), strings.Join(want, "\n  "); g != w {
		t.Fatalf("%s: the shortlist's rows differ from the joined read:\ngot:\n  %s\nwant:\n  %s", at, g, w)
	}
}
