package api

import "errors"
import "net/http"
import "time"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/db"

// stakeholderJSON is a stakeholder as the API shows it.
type stakeholderJSON struct {
	ID         uuid.UUID  `json:"id"`
	AccountID  uuid.UUID  `json:"account_id"`
	Name       string     `json:"name"`
	Title      string     `json:"title"`
	Email      string     `json:"email"`
	Phone      string     `json:"phone"`
	BuyingRole string     `json:"buying_role"`
	Strength   string     `json:"strength"`
	ReportsTo  *uuid.UUID `json:"reports_to"`
	Notes      string     `json:"notes"`
	LeftOn     *string    `json:"left_on"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func stakeholderOut(st account.Stakeholder) stakeholderJSON {
	out := stakeholderJSON{ID: st.ID, AccountID: st.AccountID, Name: st.Name, Title: st.Title, Email: st.Email, Phone: st.Phone,
		BuyingRole: string(st.Role), Strength: string(st.Strength), ReportsTo: db.Null(st.ReportsToID), Notes: st.Notes,
		Version: st.Version, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt}
	if st.Left() {
		out.LeftOn = db.Null(st.LeftOn.Format(time.DateOnly))
	}
	return out
}

// stakeholderFields are the JSON fields of a stakeholder, each pointing
// at its place in the form input the account rules parse.
func stakeholderFields(in *account.StakeholderInput) map[string]*string {
	return map[string]*string{"name": &in.Name, "title": &in.Title, "email": &in.Email, "phone": &in.Phone,
		"buying_role": &in.Role, "strength": &in.Strength, "reports_to": &in.ReportsTo, "notes": &in.Notes, "left_on": &in.LeftOn}
}

// stakeholderInput reads a JSON stakeholder over base (the current
// values of an update) and parses it with the account rules.
func stakeholderInput(r *http.Request, base account.StakeholderInput) (account.StakeholderFields, error) {
	var obj map[string]any
	if err := readJSON(r, &obj); err != nil {
		return account.StakeholderFields{}, err
	}
	fe := fieldsInto(obj, stakeholderFields(&base))
	f, err := base.Parse()
	return f, merged(fe, err)
}

// merged adds the field errors of err (a parse's) to fe: fe's error when
// there are any, else err.
func merged(fe db.FieldErrors, err error) error {
	var pe db.FieldErrors
	if errors.As(err, &pe) {
		for k, msg := range pe {
			fe.Add(k, msg)
		}
	}
	if e := fe.Err(); e != nil {
		return e
	}
	return err
}

func writeStakeholder(w http.ResponseWriter, status int, st account.Stakeholder) {
	writeVersioned(w, status, st.Version, stakeholderOut(st))
}

// stakeholderList lists an account's stakeholders, decision makers
// first. An account's people are few: one page holds them all.
func (a *API) stakeholderList(w http.ResponseWriter, r *http.Request) error {
	id, err := urlID(r, "accountID")
	if err != nil {
		return err
	}
	sts, err := a.accounts.Stakeholders(r.Context(), scope(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(sts, nil, stakeholderOut))
	return nil
}

// stakeholderRecord is a stakeholder as the API reads and shows it.
func (a *API) stakeholderRecord() resource[account.Stakeholder] {
	return resource[account.Stakeholder]{ids: []string{"accountID", "stakeholderID"}, get: underAccount(a.accounts.Stakeholder), write: writeStakeholder}
}

func (a *API) stakeholderShow(w http.ResponseWriter, r *http.Request) error {
	return a.stakeholderRecord().show(w, r)
}

func (a *API) stakeholderCreate(w http.ResponseWriter, r *http.Request) error {
	return createUnder(w, r, a.stakeholderRecord(), "stakeholders",
		func() (account.StakeholderFields, error) { return stakeholderInput(r, account.StakeholderInput{}) },
		func(accountID uuid.UUID, f account.StakeholderFields) (account.Stakeholder, error) {
			return a.accounts.CreateStakeholder(r.Context(), scope(r), role(r), accountID, f)
		},
		func(st account.Stakeholder) uuid.UUID { return st.ID })
}

// stakeholderUpdate changes the fields the body names (If-Match
// required).
func (a *API) stakeholderUpdate(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, a.stakeholderRecord(),
		func(cur account.Stakeholder) (account.StakeholderFields, error) {
			return stakeholderInput(r, cur.FormValues())
		},
		func(ids []uuid.UUID, f account.StakeholderFields, version int) (account.Stakeholder, error) {
			return a.accounts.UpdateStakeholder(r.Context(), scope(r), role(r), ids[0], ids[1], f, version)
		})
}
