package account

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"

// Kind is what sort of contact an interaction was.
//
//	KindMeeting "meeting" "Meeting"
//	KindCall    "call"    "Call"
//	KindEmail   "email"   "Email"
//	KindNote    "note"    "Note"
//
//enumgen:values Kinds
type Kind string

// InteractionFields are what a person logs about an interaction.
type InteractionFields struct {
	OccurredOn      time.Time // a date
	Kind            Kind
	Summary         string
	NextStep        string
	NextStepDue     time.Time // zero when none
	NextStepOwnerID uuid.UUID // uuid.Nil when none
	Participants    []uuid.UUID
}

// Participant is a stakeholder who took part in an interaction.
type Participant struct {
	ID   uuid.UUID
	Name string
}

// Interaction is one logged contact with an account.
type Interaction struct {
	ID          uuid.UUID
	AccountID   uuid.UUID
	AccountName string
	InteractionFields
	NextStepOwnerName string
	NextStepDoneAt    time.Time // zero while open
	CreatedByName     string
	People            []Participant
	Version           int
	CreatedAt         time.Time
}

// Overdue reports whether the next step is open and due before today.
func (i Interaction) Overdue(today time.Time) bool {
	return i.NextStep != "" && i.NextStepDoneAt.IsZero() && !i.NextStepDue.IsZero() && i.NextStepDue.Before(today)
}

// InteractionInput is the interaction form as typed.
type InteractionInput struct {
	OccurredOn, Kind, Summary, NextStep, NextStepDue, NextStepOwner string
	Participants                                                    []string
}

// Parse validates in; errors are db.FieldErrors keyed by form field name
// (occurred_on, kind, summary, next_step, next_step_due,
// next_step_owner, participants). A next step without an owner is the
// author's.
func (in InteractionInput) Parse(author uuid.UUID) (InteractionFields, error) {
	fe := db.FieldErrors{}
	var f InteractionFields
	var err error
	if f.OccurredOn, err = ParseDate(in.OccurredOn, true); err != nil {
		fe.Add("occurred_on", err.Error())
	}
	f.Kind = Kind(in.Kind)
	if !f.Kind.Valid() {
		fe.Add("kind", "Choose meeting, call, email or note.")
	}
	if f.Summary, err = longText(in.Summary, limits.Notes); err != nil {
		fe.Add("summary", err.Error())
	} else if f.Summary == "" {
		fe.Add("summary", "Say briefly what happened.")
	}
	if f.NextStep, err = text(in.NextStep, limits.Sentence, false); err != nil {
		fe.Add("next_step", err.Error())
	}
	if f.NextStepDue, err = ParseDate(in.NextStepDue, false); err != nil {
		fe.Add("next_step_due", err.Error())
	}
	if in.NextStepOwner != "" {
		if f.NextStepOwnerID, err = uuid.Parse(in.NextStepOwner); err != nil {
			fe.Add("next_step_owner", "Choose a person of your team.")
		}
	}
	if f.NextStep == "" && (!f.NextStepDue.IsZero() || f.NextStepOwnerID != uuid.Nil) {
		fe.Add("next_step", "Describe the next step, or clear its due date and owner.")
	}
	if f.NextStep != "" && f.NextStepOwnerID == uuid.Nil {
		f.NextStepOwnerID = author
	}
	seen := map[uuid.UUID]bool{}
	for _, p := range in.Participants {
		id, err := uuid.Parse(p)
		if err != nil {
			fe.Add("participants", "Choose stakeholders of this account.")
			continue
		}
		if !seen[id] {
			seen[id] = true
			f.Participants = append(f.Participants, id)
		}
	}
	if err := fe.Err(); err != nil {
		return InteractionFields{}, err
	}
	return f, nil
}

// checkInteraction checks that the owner is an active member of the
// tenant and every participant a stakeholder of the account.
func checkInteraction(ctx context.Context, tx pgx.Tx, sc db.Scope, accountID uuid.UUID, f InteractionFields) error {
	if f.NextStepOwnerID != uuid.Nil {
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2 AND active)",
			sc.TenantID, f.NextStepOwnerID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return db.FieldErrors{"next_step_owner": "Choose a person of your team."}
		}
	}
	if len(f.Participants) > 0 {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM stakeholders WHERE tenant_id = $1 AND account_id = $2 AND id = ANY($3)",
			sc.TenantID, accountID, f.Participants).Scan(&n); err != nil {
			return err
		}
		if n != len(f.Participants) {
			return db.FieldErrors{"participants": "Choose stakeholders of this account."}
		}
	}
	return nil
}

func (f InteractionFields) audit() map[string]any {
	m := map[string]any{"occurred_on": f.OccurredOn.Format(time.DateOnly), "kind": f.Kind, "summary": f.Summary}
	if f.NextStep != "" {
		m["next_step"] = f.NextStep
		m["next_step_owner"] = f.NextStepOwnerID
		if !f.NextStepDue.IsZero() {
			m["next_step_due"] = f.NextStepDue.Format(time.DateOnly)
		}
	}
	if len(f.Participants) > 0 {
		m["participants"] = f.Participants
	}
	return m
}

// CreateInteraction logs an interaction with an account. Needs CanEdit on
// the account (db.ErrForbidden); db.FieldErrors for an owner outside the
// team or participants from another account.
func (s *Store) CreateInteraction(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, f InteractionFields) (Interaction, error) {
	var i Interaction
	err := editTx(ctx, s.DB, sc, role, accountID, func(tx pgx.Tx) error {
		if err := checkInteraction(ctx, tx, sc, accountID, f); err != nil {
			return err
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO interactions (account_id, occurred_on, kind, summary, next_step, next_step_due,
				next_step_owner_id, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			accountID, f.OccurredOn, f.Kind, f.Summary, f.NextStep, db.NullTime(f.NextStepDue), db.Null(f.NextStepOwnerID),
			db.Null(sc.UserID)).Scan(&id); err != nil {
			return err
		}
		for _, p := range f.Participants {
			if _, err := tx.Exec(ctx, "INSERT INTO interaction_participants (account_id, interaction_id, stakeholder_id) VALUES ($1, $2, $3)",
				accountID, id, p); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "interaction",
			EntityID: id.String(), After: f.audit()}); err != nil {
			return err
		}
		var err error
		i, err = getInteraction(ctx, tx, sc.TenantID, accountID, id, false)
		return err
	})
	return i, wrap("create interaction", err)
}

// FormValues are f as the form shows them (dates as the date input
// sends them).
func (f InteractionFields) FormValues() InteractionInput {
	in := InteractionInput{OccurredOn: f.OccurredOn.Format(time.DateOnly), Kind: string(f.Kind), Summary: f.Summary, NextStep: f.NextStep}
	if !f.NextStepDue.IsZero() {
		in.NextStepDue = f.NextStepDue.Format(time.DateOnly)
	}
	if f.NextStepOwnerID != uuid.Nil {
		in.NextStepOwner = f.NextStepOwnerID.String()
	}
	for _, p := range f.Participants {
		in.Participants = append(in.Participants, p.String())
	}
	return in
}

// same reports whether f and g say the same (participants in any order).
func (f InteractionFields) same(g InteractionFields) bool {
	if f.OccurredOn != g.OccurredOn || f.Kind != g.Kind || f.Summary != g.Summary || f.NextStep != g.NextStep ||
		f.NextStepDue != g.NextStepDue || f.NextStepOwnerID != g.NextStepOwnerID || len(f.Participants) != len(g.Participants) {
		return false
	}
	in := map[uuid.UUID]bool{}
	for _, p := range f.Participants {
		in[p] = true
	}
	for _, p := range g.Participants {
		if !in[p] {
			return false
		}
	}
	return true
}

// UpdateInteraction changes a logged interaction at version (db.ErrConflict
// when someone saved it since). Needs CanEdit on the account
// (db.ErrForbidden); db.FieldErrors as CreateInteraction. A next step
// that stays the same keeps its "done"; a new or cleared one is open.
// The audit log keeps the fields before and after.
func (s *Store) UpdateInteraction(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID, f InteractionFields, version int) error {
	err := editTx(ctx, s.DB, sc, role, accountID, func(tx pgx.Tx) error {
		cur, err := interactions.locked(ctx, tx, sc.TenantID, accountID, id, version)
		if err != nil {
			return err
		}
		is := []Interaction{cur}
		if err := withParticipants(ctx, tx, sc.TenantID, is); err != nil {
			return err
		}
		cur = is[0]
		if cur.InteractionFields.same(f) {
			return nil
		}
		if err := checkInteraction(ctx, tx, sc, accountID, f); err != nil {
			return err
		}
		var doneAt *time.Time // kept while the next step stays the same
		if f.NextStep != "" && f.NextStep == cur.NextStep && !cur.NextStepDoneAt.IsZero() {
			doneAt = &cur.NextStepDoneAt
		}
		if _, err := tx.Exec(ctx, `UPDATE interactions SET occurred_on = $4, kind = $5, summary = $6, next_step = $7,
				next_step_due = $8, next_step_owner_id = $9, next_step_done_at = $10, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND account_id = $2 AND id = $3`,
			sc.TenantID, accountID, id, f.OccurredOn, f.Kind, f.Summary, f.NextStep, db.NullTime(f.NextStepDue),
			db.Null(f.NextStepOwnerID), doneAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM interaction_participants WHERE tenant_id = $1 AND interaction_id = $2",
			sc.TenantID, id); err != nil {
			return err
		}
		for _, p := range f.Participants {
			if _, err := tx.Exec(ctx, "INSERT INTO interaction_participants (tenant_id, account_id, interaction_id, stakeholder_id) VALUES ($1, $2, $3, $4)",
				sc.TenantID, accountID, id, p); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "interaction",
			EntityID: id.String(), Before: cur.InteractionFields.audit(), After: f.audit()})
	})
	return wrap("update interaction", err)
}

// CompleteNextStep marks an interaction's next step done (done true) or
// open again. Allowed to whoever may edit the account and to the step's
// owner (db.ErrForbidden otherwise).
func (s *Store) CompleteNextStep(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID, done bool) error {
	return s.CompleteNextStepAt(ctx, sc, role, accountID, id, done, 0)
}

// CompleteNextStepAt is CompleteNextStep on the interaction as read at
// version (db.ErrConflict when it changed since; 0 takes any version).
func (s *Store) CompleteNextStepAt(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID, done bool, version int) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		a, err := getAccount(ctx, tx, sc.TenantID, accountID, false)
		if err != nil {
			return err
		}
		i, err := getInteraction(ctx, tx, sc.TenantID, accountID, id, true)
		if err != nil {
			return err
		}
		if !CanEdit(role, sc.UserID, a) && (i.NextStepOwnerID == uuid.Nil || i.NextStepOwnerID != sc.UserID) {
			return fmt.Errorf("complete next step of %s as %s: %w", id, role, db.ErrForbidden)
		}
		if version > 0 && i.Version != version {
			return fmt.Errorf("interaction %s is at version %d, not %d: %w", id, i.Version, version, db.ErrConflict)
		}
		if i.NextStep == "" {
			return db.FieldErrors{"next_step": "This interaction has no next step."}
		}
		if done == !i.NextStepDoneAt.IsZero() {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE interactions SET next_step_done_at = `+db.NowOrNull(done)+`,
				version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: map[bool]string{true: "complete_step", false: "reopen_step"}[done],
			Entity: "interaction", EntityID: id.String(), Before: map[string]bool{"done": !done}, After: map[string]bool{"done": done}})
	})
	return wrap("complete next step", err)
}

// DeleteInteraction removes an interaction. Needs CanEdit on the account.
func (s *Store) DeleteInteraction(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID) error {
	return interactions.remove(ctx, s.DB, sc, role, accountID, id)
}
