package assignment

import "context"
import "fmt"
import "slices"
import "strconv"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/account"
import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/keyset"

// Profile returns userID's KAM profile (the defaults when none was saved).
// Returns db.ErrNotFound unless userID is a member of the scope's tenant
// with role kam (active or not).
func (s *Store) Profile(ctx context.Context, sc db.Scope, userID uuid.UUID) (Profile, error) {
	return db.Read(ctx, s.DB, sc, "assignment", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Profile, error) {
		return profile(ctx, tx, tenantID, userID, false)
	})
}

// profile reads userID's KAM profile in tx (locked with lock); none is
// db.ErrNotFound.
func profile(ctx context.Context, tx pgx.Tx, tenantID, userID uuid.UUID, lock bool) (Profile, error) {
	q := `SELECT m.user_id, u.name, u.email, m.active, coalesce(p.capacity, $3), coalesce(p.regions, '{}'),
			coalesce(p.industries, '{}'), coalesce(p.notes, ''), coalesce(p.version, 0), coalesce(p.updated_at, m.created_at)
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN kam_profiles p ON p.tenant_id = m.tenant_id AND p.user_id = m.user_id
		WHERE m.tenant_id = $1 AND m.user_id = $2 AND m.role = 'kam'`
	if lock {
		q += " FOR UPDATE OF m"
	}
	var p Profile
	err := tx.QueryRow(ctx, q, tenantID, userID, DefaultCapacity).
		Scan(&p.UserID, &p.Name, &p.Email, &p.Active, &p.Capacity, &p.Regions, &p.Industries, &p.Notes, &p.Version, &p.UpdatedAt)
	if err != nil {
		return Profile{}, db.NotFound("profile", err)
	}
	return p, nil
}

// ProfileInput is the profile form as typed. Regions and industries are
// lists separated by commas or new lines.
type ProfileInput struct {
	Capacity   string
	Regions    string
	Industries string
	Notes      string
}

// SplitList splits a comma or newline separated list, trimming items and
// dropping empty ones and case-insensitive repeats.
func SplitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		f = strings.Join(strings.Fields(f), " ")
		if f == "" || slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, f) }) {
			continue
		}
		out = append(out, f)
	}
	return out
}

type profileState struct {
	Capacity   int      `json:"capacity"`
	Regions    []string `json:"regions"`
	Industries []string `json:"industries"`
	Notes      string   `json:"notes"`
}

func (in ProfileInput) parse() (profileState, db.FieldErrors) {
	fe := db.FieldErrors{}
	var p profileState
	c, err := strconv.Atoi(strings.TrimSpace(in.Capacity))
	switch {
	case strings.TrimSpace(in.Capacity) == "":
		fe.Add("capacity", "Enter the most key accounts this KAM can manage.")
	case err != nil:
		fe.Add("capacity", "Enter a whole number, like 8.")
	case c < 1 || c > MaxCapacity:
		fe.Add("capacity", fmt.Sprintf("Use a number from 1 to %d.", MaxCapacity))
	}
	p.Capacity = c
	for _, f := range []struct {
		name, raw string
		dst       *[]string
	}{{"regions", in.Regions, &p.Regions}, {"industries", in.Industries, &p.Industries}} {
		*f.dst = SplitList(f.raw)
		if !utf8.ValidString(f.raw) {
			fe.Add(f.name, "Use valid text.")
		}
		if len(*f.dst) > MaxListItems {
			fe.Add(f.name, fmt.Sprintf("List at most %d.", MaxListItems))
		}
		for _, x := range *f.dst {
			if utf8.RuneCountInString(x) > MaxItemLength {
				fe.Add(f.name, fmt.Sprintf("Keep each entry under %d characters.", MaxItemLength+1))
			}
		}
	}
	p.Notes = strings.TrimSpace(in.Notes)
	if !utf8.ValidString(p.Notes) {
		fe.Add("notes", "Use valid text.")
	} else if utf8.RuneCountInString(p.Notes) > MaxNotes {
		fe.Add("notes", fmt.Sprintf("Use at most %d characters.", MaxNotes))
	}
	return p, fe
}

// UpdateProfile saves userID's capacity, regions, industries and notes.
// Only active leaders and admins may (db.ErrForbidden). version is the
// profile's version as read (0 for a KAM with the defaults). Returns
// db.ErrNotFound unless userID is a KAM of the tenant, db.FieldErrors for
// bad input, db.ErrConflict when someone saved the profile since.
func (s *Store) UpdateProfile(ctx context.Context, sc db.Scope, userID uuid.UUID, in ProfileInput, version int) (Profile, error) {
	var out Profile
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := requireLeader(ctx, tx, sc); err != nil {
			return err
		}
		cur, err := profile(ctx, tx, sc.TenantID, userID, true)
		if err != nil {
			return err
		}
		after, fe := in.parse()
		if err := fe.Err(); err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("profile at version %d, form had %d: %w", cur.Version, version, db.ErrConflict)
		}
		before := profileState{Capacity: cur.Capacity, Regions: cur.Regions, Industries: cur.Industries, Notes: cur.Notes}
		if version == 0 {
			_, err = tx.Exec(ctx, `INSERT INTO kam_profiles (tenant_id, user_id, capacity, regions, industries, notes)
				VALUES ($1, $2, $3, $4, $5, $6)`, sc.TenantID, userID, after.Capacity, after.Regions, after.Industries, after.Notes)
		} else {
			var tag interface{ RowsAffected() int64 }
			tag, err = tx.Exec(ctx, `UPDATE kam_profiles SET capacity = $3, regions = $4, industries = $5, notes = $6,
					version = version + 1, updated_at = now()
				WHERE tenant_id = $1 AND user_id = $2 AND version = $7`,
				sc.TenantID, userID, after.Capacity, after.Regions, after.Industries, after.Notes, version)
			if err == nil && tag.RowsAffected() != 1 {
				return db.ErrConflict
			}
		}
		if err != nil {
			if db.IsUniqueViolation(err, "") {
				return db.ErrConflict // someone saved the first profile meanwhile
			}
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "kam_profile",
			EntityID: userID.String(), Before: before, After: after}); err != nil {
			return err
		}
		out, err = profile(ctx, tx, sc.TenantID, userID, false)
		return err
	})
	if err != nil {
		return Profile{}, db.Wrap("assignment: update profile", err)
	}
	return out, nil
}

// KAMAccounts is one page of the accounts a KAM manages (see kamPage):
// on the first page their key accounts, then PerKAMPage of the others by
// name.
type KAMAccounts struct {
	Accounts []Account
	Links    keyset.Links
	Counts   KAMCounts
}

// Accounts lists the page at c of the accounts userID manages (not
// archived): key accounts first, then the others by name.
func (s *Store) Accounts(ctx context.Context, sc db.Scope, userID uuid.UUID, c keyset.Cursor) (KAMAccounts, error) {
	return db.Read(ctx, s.DB, sc, "assignment: accounts of kam", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (KAMAccounts, error) {
		var p KAMAccounts
		var err error
		p.Accounts, p.Links, p.Counts, err = kamPage(ctx, tx, tenantID, userID, accountCols, accountJoins, nil, c, 0,
			func(name *string, r pgx.CollectableRow) (Account, uuid.UUID, error) {
				var a Account
				var kam *uuid.UUID
				err := r.Scan(append([]any{name}, a.dest(&kam)...)...)
				a.setKAM(kam)
				return a, a.ID, err
			})
		return p, err
	})
}

// CountAccounts is the number of accounts (not archived) userID manages:
// the kept tally of the KAM (account.DimKAM), not a count of accounts.
func (s *Store) CountAccounts(ctx context.Context, sc db.Scope, userID uuid.UUID) (int, error) {
	return db.Read(ctx, s.DB, sc, "assignment: count accounts", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (int, error) {
		t, err := account.TallyOf(ctx, tx, tenantID, account.DimKAM, userID.String())
		return t.Accounts, err
	})
}

// CountNeedingReassignment is the number of accounts (not archived) whose
// KAM is deactivated, no longer a KAM, or gone from the tenant.
func (s *Store) CountNeedingReassignment(ctx context.Context, sc db.Scope) (int, error) {
	return db.Read(ctx, s.DB, sc, "assignment: count needing reassignment", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (int, error) {
		var n int
		err := tx.QueryRow(ctx, `SELECT count(*) FROM accounts a
			LEFT JOIN memberships km ON km.tenant_id = a.tenant_id AND km.user_id = a.kam_user_id
			WHERE a.tenant_id = $1 AND a.archived_at IS NULL AND a.kam_user_id IS NOT NULL
			  AND (km.user_id IS NULL OR NOT km.active OR km.role <> 'kam')`, tenantID).Scan(&n)
		return n, err
	})
}

// MyAccount is one row of "My accounts".
type MyAccount struct {
	Account
	OpenSteps    int
	OverdueSteps int
	NextStep     string     // the earliest open next step on the account
	NextStepDue  *time.Time // its due date, if any
	// Score is the account's score (account_rankings) when it is completely
	// scored, else nil.
	Score *float64
	// PlanStatus is the status of the account's shown plan (see
	// plan.PlanStates), "" without a plan; the caller fills it in.
	PlanStatus string
	// Roles are the person's parts on the account: "kam",
	// "account_manager" or a team role (account.TeamRole).
	Roles []string
}

// NextStep is an open next step someone owns.
type NextStep struct {
	AccountID   uuid.UUID
	AccountName string
	Step        string
	Due         *time.Time
	Overdue     bool
}

// Mine is "My accounts" for the person in the scope: one page of the
// accounts they manage (see kamPage: key accounts first, then the others
// by name), the accounts they are on otherwise (account manager, team
// member: one page of them by name, paged on its own) and the open next
// steps they own (overdue first, then by due date, at most 100).
type Mine struct {
	Accounts []MyAccount
	Links    keyset.Links
	Counts   KAMCounts
	Others   []OtherAccount
	// OthersLinks page the other accounts.
	OthersLinks keyset.Links
	NextSteps   []NextStep
}

// OtherAccount is an account a person is on without being its KAM.
type OtherAccount struct {
	ID        uuid.UUID
	Name      string
	KeyStatus string
	// Roles: "account_manager" and/or a team role (account.TeamRole).
	Roles []string
}

// PerOtherPage is how many of the accounts a person is on without being
// their KAM "My accounts" shows a page.
const PerOtherPage = 50

// MyAccounts returns the page at c of the scope's person's accounts as
// KAM, the page at also of the accounts they are on otherwise, and their
// open next steps. Every signed-in role may read their own.
func (s *Store) MyAccounts(ctx context.Context, sc db.Scope, c, also keyset.Cursor) (Mine, error) {
	var m Mine
	today := s.Now()
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		m.Accounts, m.Links, m.Counts, err = kamPage(ctx, tx, sc.TenantID, sc.UserID, accountCols+`,
				coalesce(st.open, 0), coalesce(st.overdue, 0), coalesce(nx.next_step, ''), nx.next_step_due, rk.score10::float8 / 10`,
			accountJoins+`
			LEFT JOIN account_rankings rk ON rk.tenant_id = a.tenant_id AND rk.account_id = a.id AND rk.complete
			LEFT JOIN LATERAL (SELECT count(*) AS open, count(*) FILTER (WHERE i.next_step_due < $3::date) AS overdue
				FROM interactions i WHERE i.tenant_id = a.tenant_id AND i.account_id = a.id
				AND i.next_step <> '' AND i.next_step_done_at IS NULL) st ON true
			LEFT JOIN LATERAL (SELECT i.next_step, i.next_step_due FROM interactions i
				WHERE i.tenant_id = a.tenant_id AND i.account_id = a.id AND i.next_step <> '' AND i.next_step_done_at IS NULL
				ORDER BY i.next_step_due NULLS LAST, i.created_at LIMIT 1) nx ON true`, []any{today}, c, 0,
			func(name *string, r pgx.CollectableRow) (MyAccount, uuid.UUID, error) {
				var x MyAccount
				var kam *uuid.UUID
				err := r.Scan(append(append([]any{name}, x.dest(&kam)...),
					&x.OpenSteps, &x.OverdueSteps, &x.NextStep, &x.NextStepDue, &x.Score)...)
				x.setKAM(kam)
				x.Roles = []string{"kam"}
				return x, x.ID, err
			})
		if err != nil {
			return err
		}
		if m.Others, m.OthersLinks, err = otherAccounts(ctx, tx, sc, also); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, i.next_step, i.next_step_due, coalesce(i.next_step_due < $3::date, false)
			FROM interactions i JOIN accounts a ON a.tenant_id = i.tenant_id AND a.id = i.account_id
			WHERE i.tenant_id = $1 AND i.next_step_owner_id = $2 AND i.next_step <> '' AND i.next_step_done_at IS NULL
			  AND a.archived_at IS NULL
			ORDER BY i.next_step_due NULLS LAST, lower(a.name), i.id LIMIT 100`, sc.TenantID, sc.UserID, today)
		m.NextSteps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (NextStep, error) {
			var n NextStep
			return n, r.Scan(&n.AccountID, &n.AccountName, &n.Step, &n.Due, &n.Overdue)
		})
		return err
	})
	if err != nil {
		return Mine{}, fmt.Errorf("assignment: my accounts: %w", err)
	}
	return m, nil
}

// otherOuter orders the merged other accounts as kamOrder orders each
// way's.
var otherOuter = keyset.Order{Cols: []keyset.Col{{SQL: "x.sort_name", Type: "text"}, {SQL: "x.id", Type: "uuid"}}}

// otherAccounts reads the page at c of the accounts the scope's person is
// on as account manager or team member, by name. Each way walks its own
// index from the cursor for one page; the two are merged (an account
// both ways once, with both roles), so a page costs the same however
// many accounts the person is on.
func otherAccounts(ctx context.Context, tx pgx.Tx, sc db.Scope, c keyset.Cursor) ([]OtherAccount, keyset.Links, error) {
	args := []any{sc.TenantID, sc.UserID}
	cond, orderBy, limit := kamOrder.Plan(c, PerOtherPage, &args)
	_, outer, _ := otherOuter.Plan(c, PerOtherPage, new([]any))
	rows, _ := tx.Query(ctx, `SELECT x.sort_name, x.id, x.name, x.key_status, array_agg(x.role ORDER BY x.role) FROM (
			(SELECT a.sort_name, a.id, a.name, a.key_status, 'account_manager' AS role FROM accounts a
				WHERE a.tenant_id = $1 AND a.manager_user_id = $2 AND a.archived_at IS NULL`+cond+` ORDER BY `+orderBy+limit+`)
			UNION ALL
			(SELECT a.sort_name, a.id, a.name, a.key_status, t.role FROM account_team_members t
				JOIN accounts a ON a.tenant_id = t.tenant_id AND a.id = t.account_id
				WHERE t.tenant_id = $1 AND t.user_id = $2 AND a.archived_at IS NULL`+cond+` ORDER BY `+orderBy+limit+`)) x
		GROUP BY x.sort_name, x.id, x.name, x.key_status ORDER BY `+outer+limit, args...)
	type keyed struct {
		OtherAccount
		sortName string
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (keyed, error) {
		var k keyed
		return k, r.Scan(&k.sortName, &k.ID, &k.Name, &k.KeyStatus, &k.Roles)
	})
	if err != nil {
		return nil, keyset.Links{}, fmt.Errorf("other accounts: %w", err)
	}
	list, links := keyset.Finish(list, c, PerOtherPage, func(k keyed) []string { return []string{k.sortName, k.ID.String()} })
	out := make([]OtherAccount, len(list))
	for i, k := range list {
		out[i] = k.OtherAccount
	}
	return out, links, nil
}

// Currency is the tenant's currency code, for showing amounts (the
// account store's).
func (s *Store) Currency(ctx context.Context, sc db.Scope) (string, error) {
	return account.NewStore(s.DB).Currency(ctx, sc)
}
