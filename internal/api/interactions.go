package api

import "net/http"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"

// interactionJSON is one logged contact as the API shows it.
type interactionJSON struct {
	ID                uuid.UUID         `json:"id"`
	AccountID         uuid.UUID         `json:"account_id"`
	OccurredOn        string            `json:"occurred_on"`
	Kind              string            `json:"kind"`
	Summary           string            `json:"summary"`
	NextStep          string            `json:"next_step"`
	NextStepDue       *string           `json:"next_step_due"`
	NextStepOwnerID   *uuid.UUID        `json:"next_step_owner_id"`
	NextStepOwnerName string            `json:"next_step_owner_name"`
	NextStepDone      bool              `json:"next_step_done"`
	NextStepDoneAt    *time.Time        `json:"next_step_done_at"`
	CreatedByName     string            `json:"created_by_name"`
	Participants      []participantJSON `json:"participants"`
	Version           int               `json:"version"`
	CreatedAt         time.Time         `json:"created_at"`
}

type participantJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

func interactionOut(i account.Interaction) interactionJSON {
	out := interactionJSON{ID: i.ID, AccountID: i.AccountID, OccurredOn: i.OccurredOn.Format(time.DateOnly), Kind: string(i.Kind),
		Summary: i.Summary, NextStep: i.NextStep, NextStepOwnerID: db.Null(i.NextStepOwnerID), NextStepOwnerName: i.NextStepOwnerName,
		NextStepDone: !i.NextStepDoneAt.IsZero(), NextStepDoneAt: db.NullTime(i.NextStepDoneAt), CreatedByName: i.CreatedByName,
		Participants: make([]participantJSON, len(i.People)), Version: i.Version, CreatedAt: i.CreatedAt}
	if !i.NextStepDue.IsZero() {
		out.NextStepDue = db.Null(i.NextStepDue.Format(time.DateOnly))
	}
	for n, p := range i.People {
		out.Participants[n] = participantJSON{ID: p.ID, Name: p.Name}
	}
	return out
}

func writeInteraction(w http.ResponseWriter, status int, i account.Interaction) {
	writeVersioned(w, status, i.Version, interactionOut(i))
}

// interactionList pages an account's timeline, newest first.
func (a *API) interactionList(w http.ResponseWriter, r *http.Request) error {
	id, err := urlID(r, "accountID")
	if err != nil {
		return err
	}
	fe := db.FieldErrors{}
	c, per := pageQuery(r.URL.Query(), fe)
	if err := fe.Err(); err != nil {
		return err
	}
	p, err := a.accounts.InteractionsPage(r.Context(), scope(r), id, c, per)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(p.Interactions, nextCursor(p.Links), interactionOut))
	return nil
}

// interactionRecord is an interaction as the API reads and shows it.
func (a *API) interactionRecord() resource[account.Interaction] {
	return resource[account.Interaction]{ids: []string{"accountID", "interactionID"}, get: underAccount(a.accounts.Interaction), write: writeInteraction}
}

func (a *API) interactionShow(w http.ResponseWriter, r *http.Request) error {
	return a.interactionRecord().show(w, r)
}

// interactionInput reads a JSON interaction: the form's fields, with
// participants a list of stakeholder ids.
func interactionInput(r *http.Request) (account.InteractionInput, error) {
	var obj map[string]any
	if err := readJSON(r, &obj); err != nil {
		return account.InteractionInput{}, err
	}
	var in account.InteractionInput
	fe := db.FieldErrors{}
	if ps, ok := obj["participants"]; ok {
		delete(obj, "participants")
		list, ok := ps.([]any)
		for _, p := range list {
			s, isString := p.(string)
			ok = ok && isString
			in.Participants = append(in.Participants, s)
		}
		if !ok && ps != nil {
			fe.Add("participants", "Use a list of stakeholder ids.")
		}
	}
	vfe := fieldsInto(obj, map[string]*string{"occurred_on": &in.OccurredOn, "kind": &in.Kind, "summary": &in.Summary,
		"next_step": &in.NextStep, "next_step_due": &in.NextStepDue, "next_step_owner": &in.NextStepOwner})
	for k, msg := range vfe {
		fe.Add(k, msg)
	}
	return in, fe.Err()
}

func (a *API) interactionCreate(w http.ResponseWriter, r *http.Request) error {
	return createUnder(w, r, a.interactionRecord(), "interactions",
		func() (account.InteractionFields, error) {
			in, err := interactionInput(r)
			if err != nil {
				return account.InteractionFields{}, err
			}
			return in.Parse(scope(r).UserID)
		},
		func(accountID uuid.UUID, f account.InteractionFields) (account.Interaction, error) {
			i, err := a.accounts.CreateInteraction(r.Context(), scope(r), role(r), accountID, f)
			if err != nil {
				return i, err
			}
			return a.accounts.Interaction(r.Context(), scope(r), accountID, i.ID)
		},
		func(i account.Interaction) uuid.UUID { return i.ID })
}

// interactionUpdate ticks an interaction's next step off, or opens it
// again ({"next_step_done": true|false}); If-Match required. A logged
// interaction is a record of what happened: the app changes nothing
// else of it either.
func (a *API) interactionUpdate(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, a.interactionRecord(),
		func(account.Interaction) (bool, error) { return nextStepDone(r) },
		func(ids []uuid.UUID, done bool, version int) (account.Interaction, error) {
			if err := a.accounts.CompleteNextStepAt(r.Context(), scope(r), role(r), ids[0], ids[1], done, version); err != nil {
				return account.Interaction{}, err
			}
			return a.accounts.Interaction(r.Context(), scope(r), ids[0], ids[1])
		})
}

// nextStepDone reads {"next_step_done": true|false}, the one field of an
// interaction the API changes.
func nextStepDone(r *http.Request) (bool, error) {
	var body map[string]any
	if err := readJSON(r, &body); err != nil {
		return false, err
	}
	fe := db.FieldErrors{}
	done, ok := body["next_step_done"].(bool)
	if !ok {
		fe.Add("next_step_done", "Use true or false.")
	}
	for k := range body {
		if k != "next_step_done" {
			fe.Add(k, "Unknown or read-only field.")
		}
	}
	return done, fe.Err()
}
