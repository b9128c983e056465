package api

import "net/http"
import "time"

import "github.com/google/uuid"

import "pareto/internal/db"
import "pareto/internal/scoring"

// keyChangeJSON is one change of an account's key status.
type keyChangeJSON struct {
	ID          int64      `json:"id"`
	AccountID   uuid.UUID  `json:"account_id"`
	AccountName string     `json:"account_name"`
	OldStatus   string     `json:"old_status"`
	NewStatus   string     `json:"new_status"`
	Reason      string     `json:"reason"`
	ChangedBy   string     `json:"changed_by"`
	ChangedAt   time.Time  `json:"changed_at"`
	ReviewID    *uuid.UUID `json:"review_id"`
	ReviewName  string     `json:"review_name"`
}

// keyChanges pages the tenant's key status changes, newest first; of
// one account with account_id.
func (a *API) keyChanges(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fe := db.FieldErrors{}
	c, per := pageQuery(q, fe)
	var accountID uuid.UUID
	if s := q.Get("account_id"); s != "" {
		var err error
		if accountID, err = uuid.Parse(s); err != nil {
			fe.Add("account_id", "Use an account id.")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p, err := scoring.NewStore(a.db).KeyChanges(r.Context(), scope(r), accountID, c, per)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(p.Changes, nextCursor(p.Links), func(k scoring.KeyChangeRow) keyChangeJSON {
		return keyChangeJSON{ID: k.ID, AccountID: k.AccountID, AccountName: k.AccountName, OldStatus: k.Old, NewStatus: k.New,
			Reason: k.Reason, ChangedBy: k.By, ChangedAt: k.At, ReviewID: k.ReviewID, ReviewName: k.ReviewName}
	}))
	return nil
}
