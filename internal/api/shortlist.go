package api

import "net/http"

import "github.com/google/uuid"

import "pareto/internal/account"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/scoring"

// shortRowJSON is one ranked account of the shortlist.
type shortRowJSON struct {
	Rank             int       `json:"rank"`
	AccountID        uuid.UUID `json:"account_id"`
	Name             string    `json:"name"`
	Score            *float64  `json:"score"`
	ScoredCriteria   int       `json:"scored_criteria"`
	ActiveCriteria   int       `json:"active_criteria"`
	Complete         bool      `json:"complete"`
	Revenue          amount    `json:"revenue"`
	RevenuePotential amount    `json:"revenue_potential"`
	Headroom         amount    `json:"headroom"`
	KeyStatus        string    `json:"key_status"`
	KAMName          string    `json:"kam_name"`
}

// shortlist reads the ranked shortlist, one page (leaders and admins, as
// in the app).
func (a *API) shortlist(w http.ResponseWriter, r *http.Request) error {
	if rl := role(r); rl != auth.RoleAdmin && rl != auth.RoleLeader {
		return db.ErrForbidden
	}
	q := r.URL.Query()
	f := scoring.Filter{Query: q.Get("q"), Industry: q.Get("industry"), Region: q.Get("region"), Segment: q.Get("segment"),
		KeyStatus: q.Get("key_status"), KAM: q.Get("kam")}
	fe := db.FieldErrors{}
	if f.KeyStatus != "" && !account.KeyStatus(f.KeyStatus).Valid() {
		fe.Add("key_status", "Use candidate, key, declined, watch or former.")
	}
	f.Cursor, f.PerPage = pageQuery(q, fe)
	if err := fe.Err(); err != nil {
		return err
	}
	sl, err := scoring.NewStore(a.db).Shortlist(r.Context(), scope(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(sl.Rows, nextCursor(sl.Links), func(row scoring.ShortRow) shortRowJSON {
		return shortRowJSON{Rank: row.Rank, AccountID: row.AccountID, Name: row.Name, Score: score10(row.Score), ScoredCriteria: row.Score.Scored,
			ActiveCriteria: row.Score.Total, Complete: row.Score.Complete, Revenue: amount(row.Revenue),
			RevenuePotential: amount(row.RevenuePotential), Headroom: amount(row.Headroom), KeyStatus: row.KeyStatus, KAMName: row.KAMName}
	}))
	return nil
}
