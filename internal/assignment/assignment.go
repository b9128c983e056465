// Package assignment puts a key account manager on each key account and
// keeps the load fair: KAM profiles (capacity, regions, industries), the
// workload per KAM, assignments with their history, and suggestions by a
// transparent rule (suggest.go, pure).
//
// The current KAM of an account is accounts.kam_user_id; every change of it
// goes through this package, which keeps the history and the audit log in
// the same transaction.
package assignment

import "context"
import "fmt"
import "slices"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/limits"

// DefaultCapacity is a KAM's capacity until a leader sets another.
const DefaultCapacity = 8

// Limits of a profile.
const (
	MaxCapacity   = 200
	MaxListItems  = 20
	MaxItemLength = limits.Label
	MaxNotes      = limits.Paragraph
	MaxReason     = limits.Sentence
)

// Store reads and writes KAM profiles and assignments.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// Profile is a KAM's capacity and expertise. Version 0 means the KAM has
// the defaults and no saved profile yet.
type Profile struct {
	UserID     uuid.UUID
	Name       string
	Email      string
	Active     bool
	Capacity   int
	Regions    []string
	Industries []string
	Notes      string
	Version    int
	UpdatedAt  time.Time
}

// Load is one KAM's workload.
type Load struct {
	Profile
	KeyAccounts   int     // key accounts managed (what capacity counts)
	OtherAccounts int     // other accounts managed (candidates, watch, ...)
	Revenue       float64 // revenue of all accounts managed (account/revenue.go: the one revenue)
	Headroom      float64 // growth headroom (potential − revenue, at least 0) of all accounts managed
	OverdueSteps  int     // open next steps they own that are past due
	// AvgScore is the average score of their key accounts over the
	// complete rankings of the scoring area (account_rankings); nil when
	// none of their key accounts is completely scored.
	AvgScore *float64
}

// Free is the number of free slots (never negative).
func (l Load) Free() int { return max(0, l.Capacity-l.KeyAccounts) }

// Over reports whether the KAM manages more key accounts than capacity.
func (l Load) Over() bool { return l.KeyAccounts > l.Capacity }

// Full reports whether the KAM has no free slot.
func (l Load) Full() bool { return l.KeyAccounts >= l.Capacity }

func (l Load) candidate() Candidate {
	return Candidate{UserID: l.UserID, Name: l.Name, Capacity: l.Capacity, Load: l.KeyAccounts, Regions: l.Regions, Industries: l.Industries}
}

// Account is an account as the assignment pages show it.
type Account struct {
	ID               uuid.UUID
	Name             string
	Region           string
	Industry         string
	KeyStatus        string
	Revenue          float64
	RevenuePotential float64
	Version          int
	KAMUserID        uuid.UUID // uuid.Nil when unassigned
	KAMName          string
	// KAMState is "active" for an active KAM, else why the account needs
	// a new KAM: "deactivated", "not a KAM" (role changed) or "left".
	KAMState string
}

// Key reports whether the account is a key account.
func (a Account) Key() bool { return a.KeyStatus == "key" }

// Headroom is potential minus revenue, at least 0.
func (a Account) Headroom() float64 { return max(0, a.RevenuePotential-a.Revenue) }

// Assigned reports whether the account has a KAM.
func (a Account) Assigned() bool { return a.KAMUserID != uuid.Nil }

func (a Account) need() Need {
	return Need{AccountID: a.ID, Name: a.Name, Region: a.Region, Industry: a.Industry, Revenue: a.Revenue, Version: a.Version}
}

// HistoryEntry is one change of an account's KAM.
type HistoryEntry struct {
	At       time.Time
	FromName string // "" when the account had no KAM
	ToName   string // "" when the KAM was removed
	ByName   string
	Reason   string
	Override bool
}

// Workload is the /kams page: every active KAM's load, the key accounts
// without a KAM (each with the batch plan's suggestion) and the accounts
// whose KAM was deactivated or is no longer a KAM.
type Workload struct {
	Currency          string
	KAMs              []Load
	Unassigned        []Suggestion
	NeedsReassignment []Account
	// MoreNeedingReassignment is how many more accounts of such KAMs
	// there are than listed.
	MoreNeedingReassignment int
}

// accountCols selects an Account from accounts a (with users k and
// memberships km joined on the KAM).
const accountCols = `a.id, a.name, a.region, a.industry, a.key_status, a.revenue_cents::float8 / 100, a.revenue_potential::float8,
	a.version, a.kam_user_id, coalesce(k.name, ''),
	CASE WHEN a.kam_user_id IS NULL THEN ''
	     WHEN km.user_id IS NULL THEN 'left'
	     WHEN NOT km.active THEN 'deactivated'
	     WHEN km.role <> 'kam' THEN 'not a KAM'
	     ELSE 'active' END`

const accountJoins = `FROM accounts a
	LEFT JOIN users k ON k.id = a.kam_user_id
	LEFT JOIN memberships km ON km.tenant_id = a.tenant_id AND km.user_id = a.kam_user_id`

func scanAccount(r pgx.CollectableRow) (Account, error) {
	var a Account
	var kam *uuid.UUID
	err := r.Scan(a.dest(&kam)...)
	a.setKAM(kam)
	return a, err
}

// dest is where the columns of accountCols are scanned to (the KAM into
// kam, then setKAM).
func (a *Account) dest(kam **uuid.UUID) []any {
	return []any{&a.ID, &a.Name, &a.Region, &a.Industry, &a.KeyStatus, &a.Revenue, &a.RevenuePotential,
		&a.Version, kam, &a.KAMName, &a.KAMState}
}

func (a *Account) setKAM(kam *uuid.UUID) {
	if kam != nil {
		a.KAMUserID = *kam
	}
}

// loads lists the active KAMs of the tenant with their workload, by name.
// Account counts, revenue and headroom are the kept tallies of each KAM
// (account.Tally, dimension kam); the average score reads the key accounts
// only (account_rankings_key_status_idx): nothing here grows with the
// accounts a KAM manages.
func (s *Store) loads(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Load, error) {
	rows, _ := tx.Query(ctx, `SELECT m.user_id, u.name, u.email, m.active,
			coalesce(p.capacity, $2), coalesce(p.regions, '{}'), coalesce(p.industries, '{}'), coalesce(p.notes, ''),
			coalesce(p.version, 0), coalesce(p.updated_at, m.created_at),
			coalesce(t.key_accounts, 0), coalesce(t.accounts - t.key_accounts, 0),
			coalesce(t.revenue, 0)::float8 / 100, coalesce(t.headroom, 0)::float8 / 100,
			(SELECT count(*) FROM interactions i WHERE i.tenant_id = m.tenant_id AND i.next_step_owner_id = m.user_id
				AND i.next_step_done_at IS NULL AND i.next_step_due < $3::date),
			sc.avg_score
		FROM memberships m
		JOIN users u ON u.id = m.user_id
		LEFT JOIN kam_profiles p ON p.tenant_id = m.tenant_id AND p.user_id = m.user_id
		LEFT JOIN account_tallies t ON t.tenant_id = m.tenant_id AND t.dim = 'kam' AND t.value = m.user_id::text
		LEFT JOIN (SELECT r.kam_user_id, avg(r.score10)::float8 / 10 AS avg_score FROM account_rankings r
			WHERE r.tenant_id = $1 AND r.key_status = 'key' AND r.complete AND NOT r.archived
			GROUP BY r.kam_user_id) sc ON sc.kam_user_id = m.user_id
		WHERE m.tenant_id = $1 AND m.role = 'kam' AND m.active
		ORDER BY lower(u.name), m.user_id`, tenantID, DefaultCapacity, s.Now())
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Load, error) {
		var l Load
		err := r.Scan(&l.UserID, &l.Name, &l.Email, &l.Active, &l.Capacity, &l.Regions, &l.Industries, &l.Notes,
			&l.Version, &l.UpdatedAt, &l.KeyAccounts, &l.OtherAccounts, &l.Revenue, &l.Headroom, &l.OverdueSteps, &l.AvgScore)
		return l, err
	})
}

func candidates(loads []Load) []Candidate {
	out := make([]Candidate, len(loads))
	for i, l := range loads {
		out[i] = l.candidate()
	}
	return out
}

// needingKAM lists the key accounts without an active KAM: unassigned ones
// and those whose KAM was deactivated or is no longer a KAM (with every
// other account of such a KAM), largest first, at most needingLimit; more
// is how many more there are. The KAMs an account may have are read from
// the kept tallies, so only the accounts listed are read.
func needingKAM(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (unassigned, orphaned []Account, more int, err error) {
	var total int
	var gone []uuid.UUID
	rows, _ := tx.Query(ctx, `SELECT t.value::uuid, t.accounts FROM account_tallies t
		LEFT JOIN memberships km ON km.tenant_id = t.tenant_id AND km.user_id::text = t.value
		WHERE t.tenant_id = $1 AND t.dim = 'kam' AND t.value <> '' AND t.accounts > 0
			AND (km.user_id IS NULL OR NOT km.active OR km.role <> 'kam')`, tenantID)
	var id uuid.UUID
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { gone, total = append(gone, id), total+n; return nil }); err != nil {
		return nil, nil, 0, err
	}
	rows, _ = tx.Query(ctx, `SELECT `+accountCols+` `+accountJoins+`
		WHERE a.tenant_id = $1 AND a.archived_at IS NULL
		  AND (a.kam_user_id IS NULL AND a.key_status = 'key' OR a.kam_user_id = ANY($2))
		ORDER BY a.key_status = 'key' DESC, a.revenue_cents DESC, a.sort_name, a.id LIMIT $3`, tenantID, gone, needingLimit)
	all, err := pgx.CollectRows(rows, scanAccount)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, a := range all {
		if a.Assigned() {
			orphaned = append(orphaned, a)
		} else {
			unassigned = append(unassigned, a)
		}
	}
	return unassigned, orphaned, max(0, total-len(orphaned)), nil
}

// needingLimit bounds the accounts needingKAM lists (key accounts first:
// they are bounded by the tenant's cap anyway).
const needingLimit = 500

// Workload returns the /kams page's data. Leaders and admins read it (the
// caller checks the role).
func (s *Store) Workload(ctx context.Context, sc db.Scope) (Workload, error) {
	return db.Read(ctx, s.DB, sc, "assignment: workload", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Workload, error) {
		var w Workload
		if err := tx.QueryRow(ctx, "SELECT currency FROM tenants WHERE id = $1", tenantID).Scan(&w.Currency); err != nil {
			return w, err
		}
		var unassigned []Account
		var err error
		w.KAMs, unassigned, w.NeedsReassignment, w.MoreNeedingReassignment, err = s.needs(ctx, tx, tenantID)
		if err != nil {
			return w, err
		}
		needs := make([]Need, len(unassigned))
		for i, a := range unassigned {
			needs[i] = a.need()
		}
		w.Unassigned = PlanBatch(needs, candidates(w.KAMs))
		return w, nil
	})
}

// needs are the KAMs' loads and the accounts that need a KAM: without
// one, and those whose KAM is deactivated (orphaned, more when there are
// more than needingLimit).
func (s *Store) needs(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (kams []Load, unassigned, orphaned []Account, more int, err error) {
	if kams, err = s.loads(ctx, tx, tenantID); err != nil {
		return nil, nil, nil, 0, err
	}
	unassigned, orphaned, more, err = needingKAM(ctx, tx, tenantID)
	return kams, unassigned, orphaned, more, err
}

// Plan is the suggestions page: one suggestion per key account that needs
// a KAM (unassigned, or its KAM deactivated), planned as one batch.
type Plan struct {
	Items []PlanRow
	KAMs  []Load // loads before the plan
	// After is each KAM's key-account count if the whole plan is applied.
	After map[uuid.UUID]int
}

// PlanRow is one account of the plan.
type PlanRow struct {
	Suggestion
	Account Account
}

// Suggestions plans a KAM for every key account that needs one. Leaders
// and admins (the caller checks the role).
func (s *Store) Suggestions(ctx context.Context, sc db.Scope) (Plan, error) {
	return db.Read(ctx, s.DB, sc, "assignment: suggestions", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Plan, error) {
		var p Plan
		kams, unassigned, orphaned, _, err := s.needs(ctx, tx, tenantID)
		if err != nil {
			return p, err
		}
		p.KAMs = kams
		byID := map[uuid.UUID]Account{}
		var needs []Need
		for _, a := range slices.Concat(unassigned, orphaned) {
			if !a.Key() {
				continue // only key accounts take a slot; others are assigned one by one
			}
			byID[a.ID] = a
			needs = append(needs, a.need())
		}
		p.After = map[uuid.UUID]int{}
		for _, k := range p.KAMs {
			p.After[k.UserID] = k.KeyAccounts
		}
		for _, sg := range PlanBatch(needs, candidates(p.KAMs)) {
			p.Items = append(p.Items, PlanRow{Suggestion: sg, Account: byID[sg.AccountID]})
			if sg.OK() {
				p.After[sg.KAMUserID]++
			}
		}
		return p, nil
	})
}

// AccountState is one account's assignment: the account, its history
// (newest first), and every active KAM ranked for it by the rule.
type AccountState struct {
	Account    Account
	History    []HistoryEntry
	Ranked     []Ranked
	Suggestion Suggestion
}

// AccountAssignment returns accountID's assignment state. Every signed-in
// role may read it; ranking is computed for everyone but only leaders and
// admins are shown it. Returns db.ErrNotFound for an unknown or archived
// account, or another tenant's.
func (s *Store) AccountAssignment(ctx context.Context, sc db.Scope, accountID uuid.UUID) (AccountState, error) {
	var st AccountState
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+accountCols+` `+accountJoins+`
			WHERE a.tenant_id = $1 AND a.id = $2 AND a.archived_at IS NULL`, sc.TenantID, accountID)
		var err error
		st.Account, err = pgx.CollectExactlyOneRow(rows, scanAccount)
		if err != nil {
			return db.NotFound("account", err)
		}
		if st.History, err = history(ctx, tx, sc.TenantID, accountID); err != nil {
			return err
		}
		loads, err := s.loads(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		// The current KAM is not a suggestion for their own account.
		others := slices.DeleteFunc(candidates(loads), func(c Candidate) bool { return c.UserID == st.Account.KAMUserID })
		st.Ranked = Rank(st.Account.need(), candidates(loads))
		st.Suggestion = Suggest(st.Account.need(), others)
		return nil
	})
	if err != nil {
		return AccountState{}, fmt.Errorf("assignment: account: %w", err)
	}
	return st, nil
}

func history(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID) ([]HistoryEntry, error) {
	rows, _ := tx.Query(ctx, `SELECT h.at, coalesce(f.name, ''), coalesce(t.name, ''), coalesce(b.name, 'system'),
			h.reason, h.over_capacity_override
		FROM account_assignments h
		LEFT JOIN users f ON f.id = h.from_user_id
		LEFT JOIN users t ON t.id = h.to_user_id
		LEFT JOIN users b ON b.id = h.assigned_by
		WHERE h.tenant_id = $1 AND h.account_id = $2
		ORDER BY h.at DESC, h.id`, tenantID, accountID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (HistoryEntry, error) {
		var h HistoryEntry
		return h, r.Scan(&h.At, &h.FromName, &h.ToName, &h.ByName, &h.Reason, &h.Override)
	})
}

// requireLeader checks inside tx that the person doing the work is an
// active admin or leader of the tenant.
func requireLeader(ctx context.Context, tx pgx.Tx, sc db.Scope) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2
		AND active AND role IN ('admin', 'leader'))`, sc.TenantID, sc.UserID).Scan(&ok)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("only leaders and admins assign KAMs: %w", db.ErrForbidden)
	}
	return nil
}
