package assignment

import "cmp"
import "context"
import "errors"
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
import "pareto/internal/notify"

// kamTarget is a KAM about to receive an account, locked for the
// transaction so concurrent assignments to them queue up and the capacity
// check holds.
type kamTarget struct {
	Name     string
	Active   bool
	Role     string
	Capacity int
	Load     int
	Regions  []string
	Inds     []string
}

// lockKAM locks userID's membership and reads their capacity and key
// account load. Returns pgx.ErrNoRows when they are not a member.
func lockKAM(ctx context.Context, tx pgx.Tx, tenantID, userID uuid.UUID) (kamTarget, error) {
	var k kamTarget
	err := tx.QueryRow(ctx, `SELECT u.name, m.active, m.role, coalesce(p.capacity, $3), coalesce(p.regions, '{}'), coalesce(p.industries, '{}')
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN kam_profiles p ON p.tenant_id = m.tenant_id AND p.user_id = m.user_id
		WHERE m.tenant_id = $1 AND m.user_id = $2 FOR UPDATE OF m`, tenantID, userID, DefaultCapacity).
		Scan(&k.Name, &k.Active, &k.Role, &k.Capacity, &k.Regions, &k.Inds)
	if err != nil {
		return k, err
	}
	err = tx.QueryRow(ctx, `SELECT count(*) FROM accounts WHERE tenant_id = $1 AND kam_user_id = $2
		AND key_status = 'key' AND archived_at IS NULL`, tenantID, userID).Scan(&k.Load)
	return k, err
}

// chooseKAM reads the KAM a form names (raw) and locks them (lockKAM),
// adding to fe ("kam_user_id") when raw names no active member with role
// kam.
func chooseKAM(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, raw string, fe db.FieldErrors) (uuid.UUID, kamTarget, error) {
	kamID, perr := uuid.Parse(strings.TrimSpace(raw))
	var kam kamTarget
	switch {
	case strings.TrimSpace(raw) == "":
		fe.Add("kam_user_id", "Choose a key account manager.")
	case perr != nil:
		fe.Add("kam_user_id", "Choose a key account manager from the list.")
	default:
		var err error
		kam, err = lockKAM(ctx, tx, tenantID, kamID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fe.Add("kam_user_id", "Choose a key account manager from the list.")
		case err != nil:
			return kamID, kam, err
		case !kam.Active:
			fe.Add("kam_user_id", kam.Name+" is deactivated; choose an active key account manager.")
		case kam.Role != "kam":
			fe.Add("kam_user_id", kam.Name+" is not a key account manager; choose someone with that role.")
		}
	}
	return kamID, kam, nil
}

// AssignInput is the assign form.
type AssignInput struct {
	AccountID uuid.UUID
	KAMUserID string // as typed in the form
	Version   int
	Override  bool // assign even when the KAM has no free slot
	Reason    string
	// Batch marks an assignment made from the suggestions page.
	Batch bool
}

// AssignResult says what an assignment did.
type AssignResult struct {
	AccountName  string
	FromName     string
	ToName       string
	OverCapacity bool
}

type assignState struct {
	KAMUserID *uuid.UUID `json:"kam_user_id"`
	Reason    string     `json:"reason,omitempty"`
	Override  bool       `json:"over_capacity_override,omitempty"`
	Batch     bool       `json:"from_suggestions,omitempty"`
}

// Assign makes in.KAMUserID the primary KAM of in.AccountID, keeping the
// history and the audit log in the same transaction.
//
// Only active leaders and admins may assign (db.ErrForbidden). Returns
// db.ErrNotFound for an unknown or archived account (or another tenant's);
// db.FieldErrors for a KAM who is not an active member with role kam
// ("kam_user_id"), the account's current KAM ("kam_user_id"), a KAM with no
// free slot for a key account without the override ("override"), or an
// override without a reason ("reason"); db.ErrConflict when the account
// changed since in.Version.
func (s *Store) Assign(ctx context.Context, sc db.Scope, in AssignInput) (AssignResult, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var res AssignResult
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := requireLeader(ctx, tx, sc); err != nil {
			return err
		}
		var err error
		res, err = assign(ctx, tx, sc, in)
		return err
	})
	if err != nil {
		return AssignResult{}, db.Wrap("assignment: assign", err)
	}
	return res, nil
}

func assign(ctx context.Context, tx pgx.Tx, sc db.Scope, in AssignInput) (AssignResult, error) {
	var res AssignResult
	var from *uuid.UUID
	var keyStatus string
	var version int
	err := tx.QueryRow(ctx, `SELECT a.name, a.kam_user_id, coalesce(k.name, ''), a.key_status, a.version
		FROM accounts a LEFT JOIN users k ON k.id = a.kam_user_id
		WHERE a.tenant_id = $1 AND a.id = $2 AND a.archived_at IS NULL FOR UPDATE OF a`, sc.TenantID, in.AccountID).
		Scan(&res.AccountName, &from, &res.FromName, &keyStatus, &version)
	if err != nil {
		return res, db.NotFound("account", err)
	}
	fe := db.FieldErrors{}
	if utf8.RuneCountInString(in.Reason) > MaxReason {
		fe.Add("reason", fmt.Sprintf("Use at most %d characters.", MaxReason))
	}
	if !utf8.ValidString(in.Reason) {
		fe.Add("reason", "Use valid text.")
	}
	kamID, kam, err := chooseKAM(ctx, tx, sc.TenantID, in.KAMUserID, fe)
	if err != nil {
		return res, err
	}
	if err := fe.Err(); err != nil {
		return res, err
	}
	if version != in.Version {
		return res, fmt.Errorf("account %s at version %d, form had %d: %w", in.AccountID, version, in.Version, db.ErrConflict)
	}
	if from != nil && *from == kamID {
		return res, db.FieldErrors{"kam_user_id": kam.Name + " already manages this account."}
	}
	res.ToName = kam.Name
	if keyStatus == "key" && kam.Load >= kam.Capacity {
		res.OverCapacity = true
		if !in.Override {
			return res, db.FieldErrors{"override": fmt.Sprintf("%s has no free slot (%d of %d key accounts). "+
				"Tick “Assign over capacity” and give a reason to assign anyway, or choose someone else.", kam.Name, kam.Load, kam.Capacity)}
		}
		if in.Reason == "" {
			return res, db.FieldErrors{"reason": "Say why " + kam.Name + " should go over capacity."}
		}
	}
	err = account.Keep(ctx, tx, sc.TenantID, []uuid.UUID{in.AccountID}, func() error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET kam_user_id = $3, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 AND version = $4`, sc.TenantID, in.AccountID, kamID, in.Version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("account %s: %w", in.AccountID, db.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	var assignmentID uuid.UUID
	var at time.Time
	if err := tx.QueryRow(ctx, `INSERT INTO account_assignments (tenant_id, account_id, from_user_id, to_user_id, assigned_by, reason, over_capacity_override)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, at`, sc.TenantID, in.AccountID, from, kamID, actor(sc), in.Reason, res.OverCapacity).
		Scan(&assignmentID, &at); err != nil {
		return res, err
	}
	if kamID != sc.UserID { // nobody is told what they did themselves
		if _, err := notify.AddTx(ctx, tx, sc.TenantID, at, notify.Item{UserID: kamID, Kind: notify.Assigned, RecordID: assignmentID,
			Period: "", AccountID: in.AccountID, Title: res.AccountName + " was assigned to you", Link: "/accounts/" + in.AccountID.String()}); err != nil {
			return res, err
		}
	}
	return res, audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "assign_kam", Entity: "account",
		EntityID: in.AccountID.String(), Before: assignState{KAMUserID: from},
		After: assignState{KAMUserID: &kamID, Reason: in.Reason, Override: res.OverCapacity, Batch: in.Batch}})
}

func actor(sc db.Scope) *uuid.UUID {
	if sc.UserID == uuid.Nil {
		return nil
	}
	return &sc.UserID
}

// PlanItem is one assignment of a batch as the leader saw it.
type PlanItem struct {
	AccountID uuid.UUID
	KAMUserID uuid.UUID
	Version   int
}

// ParsePlanItem reads a batch item written as "account:kam:version".
func ParsePlanItem(s string) (PlanItem, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return PlanItem{}, false
	}
	acc, err1 := uuid.Parse(parts[0])
	kam, err2 := uuid.Parse(parts[1])
	v, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return PlanItem{}, false
	}
	return PlanItem{AccountID: acc, KAMUserID: kam, Version: v}, true
}

// String writes the item for a form value (see ParsePlanItem).
func (p PlanItem) String() string {
	return p.AccountID.String() + ":" + p.KAMUserID.String() + ":" + strconv.Itoa(p.Version)
}

// BatchConflict says why a batch was refused; nothing of it was written.
// It unwraps to db.ErrConflict.
type BatchConflict struct {
	Problems []string
}

func (b *BatchConflict) Error() string {
	return "assignment: batch refused: " + strings.Join(b.Problems, "; ")
}

func (b *BatchConflict) Unwrap() error { return db.ErrConflict }

// ApplyPlan assigns every item in one transaction, all or nothing, with
// "Suggested: <reason>" as each history row's reason. Each KAM's load is
// counted as the batch goes, so the batch cannot take a KAM beyond
// capacity; there is no override in a batch.
//
// Only active leaders and admins may apply (db.ErrForbidden). Returns
// db.FieldErrors{"items"} for an empty or repeated list, and a
// *BatchConflict (errors.Is db.ErrConflict) when any account changed since
// the plan was made, is gone, already has that KAM, or a KAM is no longer
// active or has no free slot left. The number assigned is returned.
func (s *Store) ApplyPlan(ctx context.Context, sc db.Scope, items []PlanItem) (int, error) {
	if len(items) == 0 {
		return 0, db.FieldErrors{"items": "Tick at least one suggestion to assign."}
	}
	seen := map[uuid.UUID]bool{}
	for _, it := range items {
		if seen[it.AccountID] {
			return 0, db.FieldErrors{"items": "An account appears twice in the batch; reload the suggestions."}
		}
		seen[it.AccountID] = true
	}
	// Lock KAMs, then accounts, each in id order: concurrent batches
	// cannot deadlock.
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b PlanItem) int { return strings.Compare(a.AccountID.String(), b.AccountID.String()) })
	kamIDs := make([]uuid.UUID, 0, len(items))
	for _, it := range items {
		kamIDs = append(kamIDs, it.KAMUserID)
	}
	slices.SortFunc(kamIDs, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	kamIDs = slices.Compact(kamIDs)

	conflict := &BatchConflict{}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := requireLeader(ctx, tx, sc); err != nil {
			return err
		}
		kams := map[uuid.UUID]*kamTarget{}
		for _, id := range kamIDs {
			k, err := lockKAM(ctx, tx, sc.TenantID, id)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				conflict.Problems = append(conflict.Problems, "A suggested KAM is no longer a member.")
				continue
			case err != nil:
				return err
			case !k.Active || k.Role != "kam":
				conflict.Problems = append(conflict.Problems, k.Name+" is no longer an active key account manager.")
				continue
			}
			kams[id] = &k
		}
		for _, it := range items {
			k := kams[it.KAMUserID]
			if k == nil {
				continue
			}
			var a Account
			var from *uuid.UUID
			err := tx.QueryRow(ctx, `SELECT name, region, industry, key_status, version, kam_user_id FROM accounts
				WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL FOR UPDATE`, sc.TenantID, it.AccountID).
				Scan(&a.Name, &a.Region, &a.Industry, &a.KeyStatus, &a.Version, &from)
			if errors.Is(err, pgx.ErrNoRows) {
				conflict.Problems = append(conflict.Problems, "An account in the batch no longer exists.")
				continue
			}
			if err != nil {
				return err
			}
			switch {
			case a.Version != it.Version:
				conflict.Problems = append(conflict.Problems, a.Name+" was changed by someone else.")
				continue
			case from != nil && *from == it.KAMUserID:
				conflict.Problems = append(conflict.Problems, k.Name+" already manages "+a.Name+".")
				continue
			case a.Key() && k.Load >= k.Capacity:
				conflict.Problems = append(conflict.Problems, fmt.Sprintf("%s has no free slot left for %s (%d of %d).", k.Name, a.Name, k.Load, k.Capacity))
				continue
			}
			r := Rank(Need{Region: a.Region, Industry: a.Industry}, []Candidate{{UserID: it.KAMUserID, Name: k.Name,
				Capacity: k.Capacity, Load: k.Load, Regions: k.Regions, Industries: k.Inds}})[0]
			in := AssignInput{AccountID: it.AccountID, KAMUserID: it.KAMUserID.String(), Version: it.Version,
				Reason: "Suggested: " + r.Reason, Batch: true}
			if _, err := assign(ctx, tx, sc, in); err != nil {
				return err
			}
			if a.Key() {
				k.Load++
			}
		}
		if len(conflict.Problems) > 0 {
			return conflict
		}
		return nil
	})
	if err != nil {
		if errors.As(err, &conflict) {
			return 0, conflict
		}
		return 0, db.Wrap("assignment: apply plan", err)
	}
	return len(items), nil
}

// Sort keys of the workload table.
var SortKeys = []string{"name", "accounts", "used", "revenue", "headroom", "overdue"}

// SortLoads orders loads in place by key (one of SortKeys; anything else
// sorts by name), descending when desc; ties go by name, then id.
func SortLoads(loads []Load, key string, desc bool) {
	slices.SortStableFunc(loads, func(a, b Load) int {
		var c int
		switch key {
		case "accounts":
			c = cmp.Compare(a.KeyAccounts, b.KeyAccounts)
		case "used":
			c = cmp.Compare(a.KeyAccounts*max(b.Capacity, 1), b.KeyAccounts*max(a.Capacity, 1))
		case "revenue":
			c = cmp.Compare(a.Revenue, b.Revenue)
		case "headroom":
			c = cmp.Compare(a.Headroom, b.Headroom)
		case "overdue":
			c = cmp.Compare(a.OverdueSteps, b.OverdueSteps)
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			if key == "name" && desc {
				return -c
			}
			return c
		}
		return strings.Compare(a.UserID.String(), b.UserID.String())
	})
}
