package account

import "context"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/auth"

// Ref is what an import needs to know of an account it names.
type Ref struct {
	ID          uuid.UUID
	Name        string
	ExternalRef string
	KAMUserID   uuid.UUID // uuid.Nil when none
	Archived    bool
}

// Refs finds a tenant's accounts the ways a file names them: by id, by
// external reference or by exact name (both case-insensitive; archived
// accounts are not found by name). The KPI figure, stakeholder and later
// figure imports share it, so a file names accounts the same way in each.
type Refs struct {
	byID   map[uuid.UUID]*Ref
	byRef  map[string]*Ref
	byName map[string][]*Ref
}

// NewRefs indexes refs.
func NewRefs(refs []Ref) *Refs {
	x := &Refs{byID: make(map[uuid.UUID]*Ref, len(refs)), byRef: map[string]*Ref{}, byName: map[string][]*Ref{}}
	for i := range refs {
		a := &refs[i]
		x.byID[a.ID] = a
		if a.ExternalRef != "" {
			x.byRef[strings.ToLower(a.ExternalRef)] = a
		}
		if !a.Archived {
			k := strings.ToLower(a.Name)
			x.byName[k] = append(x.byName[k], a)
		}
	}
	return x
}

// LoadRefs reads every account of tenantID.
func LoadRefs(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (*Refs, error) {
	rows, _ := tx.Query(ctx, `SELECT id, name, coalesce(external_ref, ''), kam_user_id, archived_at IS NOT NULL
		FROM accounts WHERE tenant_id = $1`, tenantID)
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Ref, error) {
		var a Ref
		var kam *uuid.UUID
		err := r.Scan(&a.ID, &a.Name, &a.ExternalRef, &kam, &a.Archived)
		if kam != nil {
			a.KAMUserID = *kam
		}
		return a, err
	})
	if err != nil {
		return nil, err
	}
	return NewRefs(refs), nil
}

// Find returns the account s names, or a message for the person saying
// why there is none (not found, or several of that name).
func (x *Refs) Find(s string) (Ref, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, "Name the account (external reference, name or id)."
	}
	if id, err := uuid.Parse(s); err == nil {
		if a, ok := x.byID[id]; ok {
			return *a, ""
		}
	}
	key := strings.ToLower(s)
	if a, ok := x.byRef[key]; ok {
		return *a, ""
	}
	switch named := x.byName[key]; len(named) {
	case 0:
		return Ref{}, "No such account."
	case 1:
		return *named[0], ""
	}
	return Ref{}, "Several accounts have this name; use the account's external reference."
}

// FindEditable is Find for an import that changes the account's records
// (what: "figures", "stakeholders"): the account must be active and the
// member (role, userID) must be allowed to edit it (CanEditManagedBy).
func (x *Refs) FindEditable(s string, role auth.Role, userID uuid.UUID, what string) (Ref, string) {
	a, msg := x.Find(s)
	switch {
	case msg != "":
		return Ref{}, msg
	case a.Archived:
		return Ref{}, "This account is archived."
	case !CanEditManagedBy(role, userID, a.KAMUserID):
		return Ref{}, "You do not manage this account, so you cannot import its " + what + "."
	}
	return a, ""
}
