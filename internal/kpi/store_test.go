package kpi_test

import "context"
import "errors"
import "strings"
import "testing"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/internal/importer"
import "pareto/internal/kpi"

// The store tests run at a fixed "now" so months are stable.
var testNow = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

type tenant struct {
	t      testing.TB
	d      *db.DB
	s      *kpi.Store
	id     uuid.UUID
	admin  auth.Member
	leader auth.Member
	kam    auth.Member
}

func newStore(d *db.DB) *kpi.Store {
	s := kpi.NewStore(d)
	s.Now = func() time.Time { return testNow }
	return s
}

// newTenant signs up org with an admin, a leader and a KAM.
func newTenant(t testing.TB, d *db.DB, s *kpi.Store, org string) *tenant {
	t.Helper()
	ctx := context.Background()
	as := auth.NewStore(d)
	slug := strings.ToLower(strings.ReplaceAll(org, " ", ""))
	admin, err := as.Signup(ctx, auth.SignupInput{OrgName: org, Name: "Admin " + org, Email: "admin@" + slug + ".test", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	tn := &tenant{t: t, d: d, s: s, id: admin.TenantID, admin: admin}
	for _, role := range []auth.Role{auth.RoleLeader, auth.RoleKAM} {
		token, _, err := as.CreateInvite(ctx, tn.scope(admin), string(role)+"@"+slug+".test", role)
		if err != nil {
			t.Fatal(err)
		}
		m, err := as.AcceptInvite(ctx, token, string(role)+" of "+org, "correct-horse-battery")
		if err != nil {
			t.Fatal(err)
		}
		if role == auth.RoleLeader {
			tn.leader = m
		} else {
			tn.kam = m
		}
	}
	return tn
}

func (tn *tenant) scope(m auth.Member) db.Scope { return db.Scope{TenantID: tn.id, UserID: m.UserID} }

// account inserts an account with plain SQL (the accounts area owns the
// accounts store).
func (tn *tenant) account(name, keyStatus string, kam uuid.UUID, segment string) uuid.UUID {
	tn.t.Helper()
	var kamID *uuid.UUID
	if kam != uuid.Nil {
		kamID = &kam
	}
	var id uuid.UUID
	err := tn.d.Tx(context.Background(), tn.scope(tn.admin), func(tx pgx.Tx) error {
		if err := tx.QueryRow(context.Background(), `INSERT INTO accounts (name, external_ref, status, key_status, kam_user_id, segment, region)
			VALUES ($1, upper($1), 'customer', $2, $3, $4, 'North') RETURNING id`, name, keyStatus, kamID, segment).Scan(&id); err != nil {
			return err
		}
		return account.Recount(context.Background(), tx, tn.id) // as bulk writers do
	})
	if err != nil {
		tn.t.Fatal(err)
	}
	return id
}

// save stores revenue figures for consecutive months from start as the
// admin.
func (tn *tenant) save(account uuid.UUID, start string, revenue ...float64) {
	tn.t.Helper()
	m, _ := kpi.ParseMonth(start)
	for i, r := range revenue {
		if _, err := tn.s.SaveFigure(context.Background(), tn.scope(tn.admin), auth.RoleAdmin, account,
			kpi.Figure{Month: kpi.AddMonths(m, i), Revenue: r}, 0); err != nil {
			tn.t.Fatal(err)
		}
	}
}

func TestSaveFigure(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	own := newTenant(t, d, s, "Own Co")
	other := newTenant(t, d, s, "Other Co")
	mine := own.account("Mine", "key", own.kam.UserID, "")
	notMine := own.account("Not Mine", "key", own.leader.UserID, "")
	oct, _ := kpi.ParseMonth("2026-10")
	csat := 4.5

	t.Run("OK", func(t *testing.T) {
		f, err := s.SaveFigure(ctx, own.scope(own.kam), auth.RoleKAM, mine, kpi.Figure{Month: oct, Revenue: 1000, CSAT: &csat}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Version != 1 || f.Revenue != 1000 || *f.CSAT != 4.5 || f.UpdatedByName != own.kam.Name {
			t.Errorf("saved %+v", f)
		}
		f, err = s.SaveFigure(ctx, own.scope(own.kam), auth.RoleKAM, mine, kpi.Figure{Month: oct, Revenue: 1500}, 1)
		if err != nil || f.Version != 2 || f.CSAT != nil {
			t.Fatalf("update: %+v %v", f, err)
		}
		var events int
		_ = d.Tx(ctx, own.scope(own.admin), func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE entity = 'kpi_figure' AND entity_id = $1`,
				mine.String()+"/2026-10").Scan(&events)
		})
		if events != 2 {
			t.Errorf("%d audit events, want 2", events)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := s.SaveFigure(ctx, own.scope(own.leader), auth.RoleLeader, mine, kpi.Figure{Month: oct, Revenue: 9}, 1)
		var ce *kpi.ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, db.ErrConflict) || ce.Current == nil || ce.Current.Revenue != 1500 {
			t.Fatalf("stale save: %v", err)
		}
		// A "new" month that someone else created meanwhile is a conflict too.
		if _, err := s.SaveFigure(ctx, own.scope(own.leader), auth.RoleLeader, mine, kpi.Figure{Month: oct, Revenue: 9}, 0); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("create over existing: %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := s.SaveFigure(ctx, own.scope(own.kam), auth.RoleKAM, notMine, kpi.Figure{Month: oct, Revenue: 1}, 0)
		if !errors.Is(err, db.ErrForbidden) {
			t.Fatalf("KAM on another KAM's account: %v", err)
		}
		if _, err := s.SaveFigure(ctx, own.scope(own.leader), auth.RoleLeader, notMine, kpi.Figure{Month: oct, Revenue: 1}, 0); err != nil {
			t.Fatalf("leader: %v", err)
		}
	})
	t.Run("ErrCSATRange", func(t *testing.T) {
		high := 80.0
		_, err := s.SaveFigure(ctx, own.scope(own.admin), auth.RoleAdmin, mine, kpi.Figure{Month: kpi.AddMonths(oct, -1), Revenue: 1, CSAT: &high}, 0)
		var fe db.FieldErrors
		if !errors.As(err, &fe) || fe[kpi.FieldCSAT] == "" {
			t.Fatalf("CSAT 80 on the 1–5 scale: %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		_, err := s.SaveFigure(ctx, other.scope(other.admin), auth.RoleAdmin, mine, kpi.Figure{Month: oct, Revenue: 1}, 0)
		if !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant's account: %v", err)
		}
		if _, err := s.AccountKPIs(ctx, other.scope(other.admin), mine); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant reads: %v", err)
		}
		if err := s.DeleteFigure(ctx, other.scope(other.admin), auth.RoleAdmin, mine, oct, 2); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other tenant deletes: %v", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := s.DeleteFigure(ctx, own.scope(own.kam), auth.RoleKAM, mine, oct, 1); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("stale delete: %v", err)
		}
		if err := s.DeleteFigure(ctx, own.scope(own.kam), auth.RoleKAM, mine, oct, 2); err != nil {
			t.Fatal(err)
		}
		a, err := s.AccountKPIs(ctx, own.scope(own.kam), mine)
		if err != nil || len(a.Figures) != 0 {
			t.Fatalf("figures after delete: %v %v", a.Figures, err)
		}
	})
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	own := newTenant(t, d, s, "Own Co")
	other := newTenant(t, d, s, "Other Co")
	st, err := s.Settings(ctx, own.scope(own.admin))
	if err != nil || st != kpi.DefaultSettings {
		t.Fatalf("defaults: %+v %v", st, err)
	}
	t.Run("OK", func(t *testing.T) {
		st, err := s.UpdateSettings(ctx, own.scope(own.admin), kpi.SettingsInput{CSATScale: "percent", FiscalYearStartMonth: "4", Version: 0})
		if err != nil || st.Version != 1 || st.CSATScale != kpi.ScalePercent || st.FiscalYearStartMonth != 4 {
			t.Fatalf("%+v %v", st, err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		if _, err := s.UpdateSettings(ctx, own.scope(own.admin), kpi.SettingsInput{CSATScale: "5", FiscalYearStartMonth: "1", Version: 0}); !errors.Is(err, db.ErrConflict) {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.UpdateSettings(ctx, own.scope(own.admin), kpi.SettingsInput{CSATScale: "10", FiscalYearStartMonth: "13", Version: 1})
		var fe db.FieldErrors
		if !errors.As(err, &fe) || fe["csat_scale"] == "" || fe["fiscal_year_start_month"] == "" {
			t.Fatal(err)
		}
	})
	t.Run("ErrScaleInUse", func(t *testing.T) {
		acc := own.account("Acme", "key", uuid.Nil, "")
		v := 90.0
		if _, err := s.SaveFigure(ctx, own.scope(own.admin), auth.RoleAdmin, acc, kpi.Figure{Month: kpi.MonthOf(testNow), Revenue: 1, CSAT: &v}, 0); err != nil {
			t.Fatal(err)
		}
		_, err := s.UpdateSettings(ctx, own.scope(own.admin), kpi.SettingsInput{CSATScale: "5", FiscalYearStartMonth: "4", Version: 1})
		var fe db.FieldErrors
		if !errors.As(err, &fe) || fe["csat_scale"] == "" {
			t.Fatalf("scale change with CSAT figures: %v", err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		st, err := s.Settings(ctx, other.scope(other.admin))
		if err != nil || st != kpi.DefaultSettings {
			t.Fatalf("other tenant sees %+v %v", st, err)
		}
	})
}

func TestPortfolio(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	own := newTenant(t, d, s, "Own Co")
	other := newTenant(t, d, s, "Other Co")
	alpha := own.account("Alpha", "key", own.kam.UserID, "Enterprise")
	beta := own.account("Beta", "key", own.leader.UserID, "Mid-market")
	big := own.account("Big Prospect", "candidate", uuid.Nil, "Enterprise")
	gone := own.account("Gone", "key", own.kam.UserID, "Enterprise")
	own.changeKey(gone, "key", "former", time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) // left the programme in April
	// Oct 2025 – Oct 2026 for alpha and beta; "gone" stopped in March.
	own.save(alpha, "2024-11", repeat(100, 12)...)
	own.save(alpha, "2025-11", repeat(110, 12)...)
	own.save(beta, "2025-11", repeat(50, 12)...)
	own.save(big, "2025-11", repeat(500, 12)...)
	own.save(gone, "2025-09", repeat(40, 6)...)
	// The other tenant has bigger figures that must not leak in.
	otherAcc := other.account("Other Alpha", "key", other.kam.UserID, "Enterprise")
	other.save(otherAcc, "2025-11", repeat(9999, 12)...)

	t.Run("OK", func(t *testing.T) {
		p, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		sm := p.Summary
		if p.Period.Label() != "Nov 2025 – Oct 2026" || sm.Accounts != 2 || sm.Revenue != 12*160 {
			t.Fatalf("period %s, %d accounts, revenue %v", p.Period.Label(), sm.Accounts, sm.Revenue)
		}
		if !sm.GrowthYoY.OK || sm.GrowthYoY.V < 0.599 || sm.GrowthYoY.V > 0.601 { // 160 vs 100
			t.Errorf("growth %+v", sm.GrowthYoY)
		}
		// The one revenue: each account's figures over the last 12
		// complete months at testNow (Nov 2025 – Oct 2026): Alpha 12 × 110,
		// Beta 12 × 50, Big Prospect 12 × 500, Gone 4 × 40 (Nov to Feb).
		if sm.TotalRevenue != 12*(160+500)+40*4 {
			t.Errorf("total revenue %v", sm.TotalRevenue)
		}
		if !sm.KeyShare.OK || sm.KeyShare.V != 12*160.0/(12*(160+500)+40*4) { // Alpha and Beta: 1,920 of 8,080
			t.Errorf("key share %+v", sm.KeyShare)
		}
		if sm.Largest.Name != "Big Prospect" || sm.Largest.Revenue != 6000 {
			t.Errorf("largest %+v", sm.Largest)
		}
		// Cohort at Nov 2025: alpha, beta, gone; at Oct 2026: alpha, beta.
		if r := sm.Retention; r.Cohort != 3 || r.Retained != 2 {
			t.Errorf("retention %+v", r)
		}
		if len(p.Segments) != 2 || p.Segments[0] != "Enterprise" || len(p.KAMs) != 2 {
			t.Errorf("segments %v kams %v", p.Segments, p.KAMs)
		}
		// The memo answers the second time; a new figure invalidates it.
		own.save(beta, "2024-11", 1)
		p2, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
		if err != nil || p2.Summary.Largest.Name != "Big Prospect" {
			t.Fatalf("second load: %v %+v", err, p2.Summary.Largest)
		}
		// A figure for the current month (not complete) does not count in
		// the revenue: Big Prospect stays the largest.
		if _, err := s.SaveFigure(ctx, own.scope(own.admin), auth.RoleAdmin, beta, kpi.Figure{Month: kpi.MonthOf(testNow), Revenue: 10_000}, 0); err != nil {
			t.Fatal(err)
		}
		// November is under way: the default period still ends in October…
		p3, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
		if err != nil || p3.Summary.Largest.Name != "Big Prospect" || p3.Period.Label() != "Nov 2025 – Oct 2026" {
			t.Fatalf("after a figure for the month under way: %v %+v %s", err, p3.Summary.Largest, p3.Period.Label())
		}
		// …and a range chosen into November shows it, marked partial; the
		// shares stay those of the one revenue (the last 12 complete
		// months), so Big Prospect is still the largest.
		p4, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{Period: kpi.PeriodChoice{Key: kpi.CustomPeriod, From: "2025-12", To: "2026-11"}})
		if err != nil || p4.Summary.Largest.Name != "Big Prospect" || p4.Period.Label() != "Dec 2025 – Nov 2026" || len(p4.PeriodErrors) > 0 {
			t.Fatalf("custom range into November: %v %+v %s %v", err, p4.Summary.Largest, p4.Period.Label(), p4.PeriodErrors)
		}
		if last := p4.Months[len(p4.Months)-1]; !last.Partial || p4.Months[0].Partial {
			t.Fatalf("partial months: first %+v last %+v", p4.Months[0], last)
		}
		// October's figure counts: Beta 11 × 50 + 6,000 = 6,550 > 6,000.
		if _, err := s.SaveFigure(ctx, own.scope(own.admin), auth.RoleAdmin, beta, kpi.Figure{Month: kpi.AddMonths(kpi.MonthOf(testNow), -1), Revenue: 6_000}, 1); err != nil {
			t.Fatal(err)
		}
		p5, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
		if err != nil || p5.Summary.Largest.Name != "Beta" || p5.Summary.Largest.Revenue != 6550 {
			t.Fatalf("after October's figure: %v %+v", err, p5.Summary.Largest)
		}
	})
	t.Run("AccountChangesShowAtOnce", func(t *testing.T) {
		// Figures are memoised; account attributes never are.
		err := d.Tx(ctx, own.scope(own.admin), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE accounts SET key_status = 'key', name = 'Big Customer' WHERE id = $1`, big); err != nil {
				return err
			}
			return account.Recount(ctx, tx, own.id)
		})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{})
		// Beta (6,550 since October's figure) leads Big Customer (6,000).
		if err != nil || p.Summary.Accounts != 3 || p.Summary.Largest.Name != "Beta" || p.Accounts[1].Account.Name != "Big Customer" {
			t.Fatalf("after designating Big Prospect: %v, %d accounts, largest %+v", err, p.Summary.Accounts, p.Summary.Largest)
		}
		_ = d.Tx(ctx, own.scope(own.admin), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE accounts SET key_status = 'candidate', name = 'Big Prospect' WHERE id = $1`, big); err != nil {
				return err
			}
			return account.Recount(ctx, tx, own.id)
		})
	})
	t.Run("Filtered", func(t *testing.T) {
		// The last three complete months: August to October.
		p, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{Period: kpi.PeriodChoice{Key: "3m"}, Segment: "Enterprise"})
		if err != nil {
			t.Fatal(err)
		}
		// Enterprise: Alpha 1,320 + Big Prospect 6,000 + Gone 160 over the
		// last 12 complete months, whatever the period shown.
		if p.Summary.Accounts != 1 || p.Accounts[0].Account.ID != alpha || p.Summary.TotalRevenue != 1320+6000+160 || p.Summary.Largest.Name != "Big Prospect" {
			t.Errorf("enterprise: %d accounts, total %v, largest %+v", p.Summary.Accounts, p.Summary.TotalRevenue, p.Summary.Largest)
		}
	})
	t.Run("OneKAM", func(t *testing.T) {
		p, err := s.Portfolio(ctx, own.scope(own.kam), kpi.Filter{KAMID: own.kam.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if p.KAMName != own.kam.Name || p.Summary.Accounts != 1 || p.Summary.Largest.Name != "Alpha" {
			t.Errorf("kam: %q, %d accounts, largest %+v", p.KAMName, p.Summary.Accounts, p.Summary.Largest)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := s.Portfolio(ctx, own.scope(own.leader), kpi.Filter{KAMID: other.kam.UserID}); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another tenant's KAM: %v", err)
		}
		p, err := s.Portfolio(ctx, other.scope(other.leader), kpi.Filter{})
		if err != nil || p.Summary.Accounts != 1 || p.Summary.TotalRevenue != 12*9999 {
			t.Fatalf("other tenant: %v %+v", err, p.Summary)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		empty := newTenant(t, d, s, "Empty Co")
		p, err := s.Portfolio(ctx, empty.scope(empty.admin), kpi.Filter{})
		if err != nil || p.HasFigures || p.Summary.Accounts != 0 || p.Period.End != kpi.LastComplete(testNow) || len(p.PeriodErrors) > 0 {
			t.Fatalf("%v %+v", err, p)
		}
	})
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	imp := importer.NewStore(d)
	imp.Now = s.Now
	own := newTenant(t, d, s, "Own Co")
	other := newTenant(t, d, s, "Other Co")
	acme := own.account("Acme", "key", own.kam.UserID, "")
	own.account("Beta", "key", own.leader.UserID, "")
	own.save(acme, "2026-01", 10)

	good := "account,month,revenue,csat,promoters,passives,detractors\nACME,2026-01,11,4.5,,,\nACME,2026-02,12,,7,2,1\nBETA,2026-02,5,,,,\n"
	t.Run("OK", func(t *testing.T) {
		id, err := imp.Upload(ctx, own.scope(own.leader), auth.RoleLeader, kpi.FigureImport, "good.csv", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		p, err := imp.Preview(ctx, own.scope(own.leader), auth.RoleLeader, kpi.FigureImport, id, nil)
		if err != nil || !p.OK() || p.Creates != 2 || p.Updates != 1 {
			t.Fatalf("preview %+v %v", p, err)
		}
		if _, err := imp.Commit(ctx, own.scope(own.leader), auth.RoleLeader, kpi.FigureImport, id, nil); err != nil {
			t.Fatal(err)
		}
		a, _ := s.AccountKPIs(ctx, own.scope(own.leader), acme)
		if len(a.Figures) != 2 || a.Figures[0].Revenue != 11 || *a.Figures[1].NPS != 60 {
			t.Errorf("figures after import %+v", a.Figures)
		}
		if _, err := imp.Commit(ctx, own.scope(own.leader), auth.RoleLeader, kpi.FigureImport, id, nil); !errors.Is(err, importer.ErrInvalid) {
			t.Errorf("second commit: %v", err)
		}
	})
	t.Run("ErrAllOrNothing", func(t *testing.T) {
		// The KAM may not import Beta's figures: nothing is written, not even Acme's.
		id, err := imp.Upload(ctx, own.scope(own.kam), auth.RoleKAM, kpi.FigureImport, "mixed.csv", []byte("account,month,revenue\nACME,2026-03,99\nBETA,2026-03,1\n"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := imp.Commit(ctx, own.scope(own.kam), auth.RoleKAM, kpi.FigureImport, id, nil)
		var fe db.FieldErrors
		if !errors.Is(err, importer.ErrInvalid) || !errors.As(err, &fe) || p.Invalid != 1 {
			t.Fatalf("commit: %v %+v", err, p)
		}
		a, _ := s.AccountKPIs(ctx, own.scope(own.kam), acme)
		if len(a.Figures) != 2 {
			t.Errorf("a partial import was written: %+v", a.Figures)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		var fe db.FieldErrors
		if _, err := imp.Upload(ctx, own.scope(own.kam), auth.RoleKAM, kpi.FigureImport, "empty.csv", nil); !errors.As(err, &fe) {
			t.Fatal(err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		id, err := imp.Upload(ctx, own.scope(own.leader), auth.RoleLeader, kpi.FigureImport, "good.csv", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := imp.Preview(ctx, other.scope(other.admin), auth.RoleAdmin, kpi.FigureImport, id, nil); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("preview: %v", err)
		}
		if _, err := imp.Commit(ctx, other.scope(other.admin), auth.RoleAdmin, kpi.FigureImport, id, nil); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("commit: %v", err)
		}
		// The other tenant's file cannot name this tenant's accounts.
		oid, _ := imp.Upload(ctx, other.scope(other.admin), auth.RoleAdmin, kpi.FigureImport, "x.csv", []byte("account,month,revenue\n"+acme.String()+",2026-05,1\n"))
		p, err := imp.Preview(ctx, other.scope(other.admin), auth.RoleAdmin, kpi.FigureImport, oid, nil)
		if err != nil || p.Invalid != 1 {
			t.Fatalf("cross-tenant account: %+v %v", p, err)
		}
	})
}

func TestHealth(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	s := newStore(d)
	own := newTenant(t, d, s, "Own Co")
	acme := own.account("Acme", "key", own.kam.UserID, "")
	own.account("Orphan", "key", uuid.Nil, "")
	own.save(acme, "2026-10", 1)
	h, err := s.Health(ctx, own.scope(own.admin))
	if err != nil || h.KeyAccounts != 2 || h.KeyWithoutKAM != 1 || h.KeyWithoutFigures != 1 || h.SettingsSaved {
		t.Fatalf("health %+v %v", h, err)
	}
}

func TestTablesForceRowLevelSecurity(t *testing.T) {
	d := dbtest.New(t)
	var unforced []string
	err := d.Tx(context.Background(), db.Scope{}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(context.Background(), `SELECT relname FROM pg_class
			WHERE relname LIKE 'kpi\_%' AND relkind = 'r' AND NOT (relrowsecurity AND relforcerowsecurity)`)
		var err error
		unforced, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil || len(unforced) > 0 {
		t.Fatalf("tables without forced row-level security: %v %v", unforced, err)
	}
}
