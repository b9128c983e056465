package account

import "context"
import "fmt"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/notify"

// Account teams: beside its KAM (the assignment area's primary owner of
// a key account) an account has internal team members, each with one
// role; and an account that is not a key account may have an account
// manager, who looks after it. The account manager is an assignment of
// its own, not a rank above or below the KAM: neither reports to the
// other. Every change is audited (entity "account_team" or
// "account_manager").
//
// Permission rule: admins and leaders change the team and the account
// manager; the account's KAM changes its team members too. Everyone
// signed in reads them.

// TeamRole is a team member's part in looking after the account.
//
//	TeamExecutiveSponsor "executive_sponsor" "Executive sponsor"
//	TeamSolutionEngineer "solution_engineer" "Solution engineer"
//	TeamServiceLead      "service_lead"      "Service lead"
//	TeamFinance          "finance"           "Finance"
//
//enumgen:values TeamRoles
type TeamRole string

// TeamMember is a person on an account's team.
type TeamMember struct {
	UserID  uuid.UUID
	Name    string
	Role    TeamRole
	AddedAt time.Time
}

// CanChangeTeam reports whether a member may add or remove team members
// of acct: admins, leaders and the account's KAM.
func CanChangeTeam(role auth.Role, userID uuid.UUID, acct Account) bool {
	return CanEditManagedBy(role, userID, acct.KAMUserID)
}

// CanAssignManager reports whether role may set an account's manager
// (admins and leaders, like KAM assignment).
func CanAssignManager(role auth.Role) bool { return role == auth.RoleAdmin || role == auth.RoleLeader }

// Team lists an account's team members by role, then name. Returns
// db.ErrNotFound when the account does not exist in the tenant.
func (s *Store) Team(ctx context.Context, sc db.Scope, accountID uuid.UUID) ([]TeamMember, error) {
	var out []TeamMember
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := getAccount(ctx, tx, sc.TenantID, accountID, false); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT t.user_id, u.name, t.role, t.added_at FROM account_team_members t
			JOIN users u ON u.id = t.user_id
			WHERE t.tenant_id = $1 AND t.account_id = $2
			ORDER BY array_position(ARRAY['executive_sponsor', 'solution_engineer', 'service_lead', 'finance'], t.role),
				lower(u.name), t.user_id`, sc.TenantID, accountID)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (TeamMember, error) {
			var m TeamMember
			return m, r.Scan(&m.UserID, &m.Name, &m.Role, &m.AddedAt)
		})
		return err
	})
	return out, wrap("team", err)
}

// activeMember checks that userID is an active member of the tenant, for
// field (the form field that chose them).
func activeMember(ctx context.Context, tx pgx.Tx, tenantID, userID uuid.UUID, field string) error {
	var active bool
	err := tx.QueryRow(ctx, "SELECT active FROM memberships WHERE tenant_id = $1 AND user_id = $2", tenantID, userID).Scan(&active)
	if err != nil && err != pgx.ErrNoRows {
		return err
	}
	if err == pgx.ErrNoRows || !active {
		return db.FieldErrors{field: "Choose an active member of your team."}
	}
	return nil
}

// AddTeamMember puts userID on the account's team with role, or changes
// their role when they are on it already. Needs CanChangeTeam
// (db.ErrForbidden); db.FieldErrors when role is unknown or the person is
// not an active member.
func (s *Store) AddTeamMember(ctx context.Context, sc db.Scope, role auth.Role, accountID, userID uuid.UUID, teamRole TeamRole) error {
	if !teamRole.Valid() {
		return db.FieldErrors{"team_role": "Choose a role."}
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		name, err := lockTeam(ctx, tx, sc, role, accountID)
		if err != nil {
			return err
		}
		if err := activeMember(ctx, tx, sc.TenantID, userID, "user_id"); err != nil {
			return err
		}
		var before *string
		err = tx.QueryRow(ctx, "SELECT role FROM account_team_members WHERE tenant_id = $1 AND account_id = $2 AND user_id = $3",
			sc.TenantID, accountID, userID).Scan(&before)
		if err != nil && err != pgx.ErrNoRows {
			return err
		}
		if before != nil && *before == string(teamRole) {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account_team_members (account_id, user_id, role, added_by, added_at)
				VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, account_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
			accountID, userID, string(teamRole), db.Null(sc.UserID), s.Now()); err != nil {
			return err
		}
		ev := audit.Event{ActorID: sc.UserID, Action: "add", Entity: "account_team", EntityID: accountID.String(),
			After: map[string]string{"user_id": userID.String(), "role": string(teamRole)}}
		if before != nil {
			ev.Action, ev.Before = "update", map[string]string{"user_id": userID.String(), "role": *before}
		} else if userID != sc.UserID { // joining notifies, unless they added themselves
			now := s.Now()
			if _, err := notify.AddTx(ctx, tx, sc.TenantID, now, notify.Item{UserID: userID, Kind: notify.TeamAdded, RecordID: accountID,
				Period: now.UTC().Format(time.DateOnly), AccountID: accountID,
				Title: "You were added to the team of " + name + " (" + strings.ToLower(teamRole.Label()) + ")",
				Link:  "/accounts/" + accountID.String()}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, ev)
	})
	return wrap("add team member", err)
}

// lockTeam locks the account whose team is about to change, checks
// CanChangeTeam (db.ErrForbidden when the member may not) and returns the
// account's name.
func lockTeam(ctx context.Context, tx pgx.Tx, sc db.Scope, role auth.Role, accountID uuid.UUID) (string, error) {
	a, err := getAccount(ctx, tx, sc.TenantID, accountID, true)
	if err != nil {
		return "", err
	}
	if !CanChangeTeam(role, sc.UserID, a) {
		return "", fmt.Errorf("change team of %s as %s: %w", accountID, role, db.ErrForbidden)
	}
	return a.Name, nil
}

// RemoveTeamMember takes userID off the account's team. Needs
// CanChangeTeam; removing someone who is not on it changes nothing.
func (s *Store) RemoveTeamMember(ctx context.Context, sc db.Scope, role auth.Role, accountID, userID uuid.UUID) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := lockTeam(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		var was string
		err := tx.QueryRow(ctx, `DELETE FROM account_team_members WHERE tenant_id = $1 AND account_id = $2 AND user_id = $3
			RETURNING role`, sc.TenantID, accountID, userID).Scan(&was)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "remove", Entity: "account_team",
			EntityID: accountID.String(), Before: map[string]string{"user_id": userID.String(), "role": was}})
	})
	return wrap("remove team member", err)
}

// SetManager makes userID the account manager of the account (uuid.Nil:
// nobody). Needs CanAssignManager; the account's version must be
// current (db.ErrConflict); db.FieldErrors when the person is not an
// active member.
func (s *Store) SetManager(ctx context.Context, sc db.Scope, role auth.Role, accountID, userID uuid.UUID, version int) error {
	if !CanAssignManager(role) {
		return fmt.Errorf("account: set manager as %s: %w", role, db.ErrForbidden)
	}
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		a, err := getAccount(ctx, tx, sc.TenantID, accountID, true)
		if err != nil {
			return err
		}
		if a.Version != version {
			return fmt.Errorf("account %s is at version %d, not %d: %w", accountID, a.Version, version, db.ErrConflict)
		}
		if a.ManagerUserID == userID {
			return nil
		}
		if userID != uuid.Nil {
			if err := activeMember(ctx, tx, sc.TenantID, userID, "manager_user_id"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET manager_user_id = $3, version = version + 1, updated_at = $4
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, accountID, db.Null(userID), s.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "assign", Entity: "account_manager",
			EntityID: accountID.String(), Before: map[string]string{"manager_user_id": idOrEmpty(a.ManagerUserID)},
			After: map[string]string{"manager_user_id": idOrEmpty(userID)}})
	})
	return wrap("set manager", err)
}

func idOrEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}
