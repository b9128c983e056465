package scoring

import "context"
import "encoding/json"
import "errors"
import "fmt"
import "strconv"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"
import "pareto/internal/keyset"
import "pareto/internal/limits"

// Decisions a review makes per account; each sets the account's key status
// of the same name.
var Decisions = []string{"key", "watch", "declined"}

// DecisionLabel names a decision for people.
func DecisionLabel(d string) string {
	switch d {
	case "key":
		return "Designate key"
	case "watch":
		return "Watch"
	case "declined":
		return "Decline"
	case "":
		return "Open"
	}
	return d
}

// Review is a snapshot of the ranking and the weights at one moment, with
// a decision per account.
type Review struct {
	ID         uuid.UUID
	Name       string
	WeightMode WeightMode
	Weights    []Weight
	KeyCap     int
	CreatedBy  string
	CreatedAt  time.Time
	ClosedBy   string
	ClosedAt   *time.Time
	Entries    int
	Decided    int
	Designated int
}

// Open reports whether decisions can still be made.
func (r Review) Open() bool { return r.ClosedAt == nil }

// ReviewEntry is one account of a review as it was when the review began,
// with the decision taken on it.
type ReviewEntry struct {
	Rank             int
	AccountID        uuid.UUID
	AccountName      string
	Score            Score
	Cells            Cells
	AnnualRevenue    int64
	RevenuePotential int64
	KeyStatusBefore  string
	KAMName          string
	Decision         string
	Reason           string
	DecidedBy        string
	DecidedAt        *time.Time
	KeyStatusNow     string
	// The proposal that brought the account in (ProposedAt nil: none).
	ProposedBy     string
	ProposedAt     *time.Time
	ProposalReason string
}

// Headroom is potential minus revenue at the time of the review, in cents.
func (e ReviewEntry) Headroom() int64 { return e.RevenuePotential - e.AnnualRevenue }

// ReviewPage is a review with one page of its entries.
type ReviewPage struct {
	Review   Review
	Entries  []ReviewEntry
	Links    keyset.Links
	KeyCount int // key accounts now
	KeyCap   int // the cap now
}

func validName(name string) (string, db.FieldErrors) {
	name = strings.TrimSpace(name)
	fe := db.FieldErrors{}
	fe.Text("name", name, limits.Label, "Name the review, e.g. “FY27 H1”.", "Keep the name to 100 characters.")
	return name, fe
}

// StartReview snapshots the current ranking and weights as a new review.
// Leaders and admins (the caller checks). A missing or duplicate name,
// another review still open, or nothing scored → db.FieldErrors.
func (s *Store) StartReview(ctx context.Context, sc db.Scope, name string) (uuid.UUID, error) {
	name, fe := validName(name)
	if len(fe) > 0 {
		return uuid.Nil, fe
	}
	var id uuid.UUID
	now := s.Now()
	err := s.locked(ctx, sc, func(tx pgx.Tx, st Settings) error {
		var open string
		err := tx.QueryRow(ctx, "SELECT name FROM scoring_reviews WHERE tenant_id = $1 AND closed_at IS NULL", sc.TenantID).Scan(&open)
		if err == nil {
			return db.FieldErrors{"name": "The review “" + open + "” is still open; close it before starting another."}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		cs, err := readCriteria(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		weights := EffectiveWeights(st.WeightMode, cs)
		if len(weights) == 0 {
			return db.FieldErrors{"name": "Activate selection criteria and score accounts before starting a review."}
		}
		cands, extra, err := candidates(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		ranked := Rank(cands, weights)
		proposed, err := waitingProposals(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		if len(ranked) == 0 && len(proposed) == 0 {
			return db.FieldErrors{"name": "No account is scored yet: score accounts before starting a review."}
		}
		byAccount := map[uuid.UUID]proposedEntry{}
		for _, p := range proposed {
			byAccount[p.AccountID] = p
		}
		wj, err := json.Marshal(weights)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO scoring_reviews (name, weight_mode, weights, key_cap, created_by, created_at, entries)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, name, st.WeightMode, wj, st.KeyAccountCap, db.Null(sc.UserID), now,
			len(ranked)+len(proposed)-countRanked(ranked, byAccount)).Scan(&id)
		if db.IsUniqueViolation(err, "scoring_reviews_name_key") {
			return db.FieldErrors{"name": "There is a review with this name already."}
		}
		if db.IsUniqueViolation(err, "scoring_reviews_open_key") {
			return db.FieldErrors{"name": "Another review was just started; close it before starting another."}
		}
		if err != nil {
			return err
		}
		// The ranking, then the proposed accounts it lacks (unscored), each
		// marked with its proposal.
		entries := make([][]any, 0, len(ranked)+len(proposed))
		mark := func(accountID uuid.UUID) []any {
			p, ok := byAccount[accountID]
			if !ok {
				return []any{"", nil, ""}
			}
			delete(byAccount, accountID)
			return []any{p.ProposedBy, p.ProposedAt, p.Reason}
		}
		for _, r := range ranked {
			e := extra[r.AccountID]
			cj, err := json.Marshal(onlyWeighted(r.Cells, weights))
			if err != nil {
				return err
			}
			entries = append(entries, append([]any{sc.TenantID, id, r.AccountID, int32(r.Rank), r.Name, int32(r.Score.Score10),
				int32(r.Score.Scored), int32(r.Score.Total), r.Score.Complete, json.RawMessage(cj), e.Revenue, e.Potential,
				e.KeyStatus, e.KAMName}, mark(r.AccountID)...))
		}
		for _, p := range proposed {
			if _, ok := byAccount[p.AccountID]; !ok {
				continue // ranked above
			}
			entries = append(entries, append([]any{sc.TenantID, id, p.AccountID, int32(len(entries) + 1), p.Name, int32(0), int32(0),
				int32(len(weights)), false, json.RawMessage("{}"), p.Extra.Revenue, p.Extra.Potential, p.Extra.KeyStatus,
				p.Extra.KAMName}, mark(p.AccountID)...))
		}
		cols := []string{"tenant_id", "review_id", "account_id", "rank", "account_name", "score10", "scored",
			"criteria_total", "complete", "cells", "annual_revenue", "revenue_potential", "key_status_before", "kam_name",
			"proposed_by", "proposed_at", "proposal_reason"}
		if _, err := db.InsertRows(ctx, tx, "review_entries", cols, entries, ""); err != nil {
			return err
		}
		if len(proposed) > 0 {
			ids := make([]uuid.UUID, len(proposed))
			for i, p := range proposed {
				ids[i] = p.ID
			}
			if _, err := tx.Exec(ctx, "UPDATE key_proposals SET review_id = $2 WHERE tenant_id = $1 AND id = ANY($3)",
				sc.TenantID, id, ids); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "start", Entity: "review", EntityID: id.String(),
			After: map[string]any{"name": name, "accounts": len(entries), "proposed": len(proposed),
				"weights": weightsAuditOf(st.WeightMode, weights)}})
	})
	if err != nil {
		return uuid.Nil, db.Wrap("scoring: start review", err)
	}
	return id, nil
}

// countRanked is how many of the proposed accounts are ranked.
func countRanked(ranked []Ranked, proposed map[uuid.UUID]proposedEntry) int {
	n := 0
	for _, r := range ranked {
		if _, ok := proposed[r.AccountID]; ok {
			n++
		}
	}
	return n
}

// onlyWeighted keeps the cells of the weighted criteria, keyed by id text.
func onlyWeighted(c Cells, ws []Weight) map[string]int {
	out := map[string]int{}
	for _, w := range ws {
		if v, ok := c[w.CriterionID]; ok {
			out[w.CriterionID.String()] = v
		}
	}
	return out
}

const reviewCols = `r.id, r.name, r.weight_mode, r.weights, r.key_cap, coalesce(cu.name, 'system'), r.created_at,
	coalesce(xu.name, ''), r.closed_at,
	r.entries, r.decided, r.designated
	FROM scoring_reviews r LEFT JOIN users cu ON cu.id = r.created_by LEFT JOIN users xu ON xu.id = r.closed_by`

func scanReview(r pgx.Row) (Review, error) {
	var x Review
	var wj []byte
	if err := r.Scan(&x.ID, &x.Name, &x.WeightMode, &wj, &x.KeyCap, &x.CreatedBy, &x.CreatedAt, &x.ClosedBy, &x.ClosedAt,
		&x.Entries, &x.Decided, &x.Designated); err != nil {
		return Review{}, err
	}
	if err := json.Unmarshal(wj, &x.Weights); err != nil {
		return Review{}, fmt.Errorf("review weights: %w", err)
	}
	return x, nil
}

// ReviewList is one page of the tenant's reviews, newest first.
type ReviewList struct {
	Reviews []Review
	Links   keyset.Links
}

// reviewsOrder is the reviews' order, newest first: (created_at, id)
// descending, a walk of scoring_reviews_created_idx (tenant_id,
// created_at DESC, id); reviews started in the same microsecond, if any,
// are put in id order by an incremental sort.
var reviewsOrder = keyset.Order{Desc: true, Cols: []keyset.Col{{SQL: "r.created_at", Type: "timestamptz"}, {SQL: "r.id", Type: "uuid"}}}

// Reviews lists one keyset page of the tenant's reviews (per a page; 0:
// 20), newest first, from c (the zero Cursor: the newest). Leaders and
// admins (the caller checks).
func (s *Store) Reviews(ctx context.Context, sc db.Scope, c keyset.Cursor, per int) (ReviewList, error) {
	if per <= 0 || per > 500 {
		per = 20
	}
	return db.Read(ctx, s.DB, sc, "scoring: reviews", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (ReviewList, error) {
		args := []any{tenantID}
		where, orderBy, limit := reviewsOrder.Plan(c, per, &args)
		rows, _ := tx.Query(ctx, "SELECT "+reviewCols+" WHERE r.tenant_id = $1"+where+" ORDER BY "+orderBy+limit, args...)
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Review, error) { return scanReview(r) })
		if err != nil {
			return ReviewList{}, err
		}
		var out ReviewList
		out.Reviews, out.Links = keyset.Finish(list, c, per, func(x Review) []string {
			return []string{x.CreatedAt.Format(time.RFC3339Nano), x.ID.String()}
		})
		return out, nil
	})
}

// ReviewFilter narrows a review's entries.
type ReviewFilter struct {
	Decision string        // "", "open" (undecided), or a decision
	Cursor   keyset.Cursor // where the page starts; the zero Cursor is the first
	PerPage  int
}

// reviewOrder is a review's entries in rank order: review_entries_rank_key
// (tenant_id, review_id, rank), or review_entries_decision_idx for one
// decision.
var reviewOrder = keyset.Order{Cols: []keyset.Col{{SQL: "e.rank", Type: "integer"}}}

// Review reads a review with one keyset page of its entries in rank order:
// no view reads more entries than it shows (the counts are kept on the
// review). Another tenant's review → db.ErrNotFound. Leaders and admins
// (the caller checks).
func (s *Store) Review(ctx context.Context, sc db.Scope, id uuid.UUID, f ReviewFilter) (ReviewPage, error) {
	if f.PerPage <= 0 || f.PerPage > 500 {
		f.PerPage = 50
	}
	var p ReviewPage
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		p.Review, err = scanReview(tx.QueryRow(ctx, "SELECT "+reviewCols+" WHERE r.tenant_id = $1 AND r.id = $2", sc.TenantID, id))
		if err != nil {
			return db.NotFound("review", err)
		}
		st, err := readSettings(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		p.KeyCap = st.KeyAccountCap
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM accounts WHERE tenant_id = $1 AND key_status = 'key' AND archived_at IS NULL",
			sc.TenantID).Scan(&p.KeyCount); err != nil {
			return err
		}
		args := []any{sc.TenantID, id}
		where := ""
		switch f.Decision {
		case "":
		case "open":
			where = " AND e.decision IS NULL"
		default:
			args = append(args, f.Decision)
			where = " AND e.decision = $3"
		}
		after, orderBy, limit := reviewOrder.Plan(f.Cursor, f.PerPage, &args)
		rows, _ := tx.Query(ctx, `SELECT e.rank, e.account_id, e.account_name, e.score10, e.scored, e.criteria_total, e.complete,
				e.cells, e.annual_revenue, e.revenue_potential, e.key_status_before, e.kam_name, coalesce(e.decision, ''),
				e.reason, coalesce(u.name, ''), e.decided_at, a.key_status, e.proposed_by, e.proposed_at, e.proposal_reason
			FROM review_entries e JOIN accounts a ON a.tenant_id = e.tenant_id AND a.id = e.account_id
			LEFT JOIN users u ON u.id = e.decided_by
			WHERE e.tenant_id = $1 AND e.review_id = $2`+where+after+`
			ORDER BY `+orderBy+limit, args...)
		entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReviewEntry, error) {
			var e ReviewEntry
			var s10, scored, total int16
			var cj []byte
			err := r.Scan(&e.Rank, &e.AccountID, &e.AccountName, &s10, &scored, &total, &e.Score.Complete, &cj,
				&e.AnnualRevenue, &e.RevenuePotential, &e.KeyStatusBefore, &e.KAMName, &e.Decision, &e.Reason, &e.DecidedBy,
				&e.DecidedAt, &e.KeyStatusNow, &e.ProposedBy, &e.ProposedAt, &e.ProposalReason)
			if err != nil {
				return e, err
			}
			e.Score.Score10, e.Score.Scored, e.Score.Total = int(s10), int(scored), int(total)
			var m map[string]int
			if err := json.Unmarshal(cj, &m); err != nil {
				return e, err
			}
			e.Cells = Cells{}
			for k, v := range m {
				if cid, err := uuid.Parse(k); err == nil {
					e.Cells[cid] = v
				}
			}
			return e, nil
		})
		p.Entries, p.Links = keyset.Finish(entries, f.Cursor, f.PerPage, func(e ReviewEntry) []string {
			return []string{strconv.Itoa(e.Rank)}
		})
		return err
	})
	if err != nil {
		return ReviewPage{}, fmt.Errorf("scoring: review: %w", err)
	}
	return p, nil
}

// OpenReview is the review in progress, or nil when there is none.
func (s *Store) OpenReview(ctx context.Context, sc db.Scope) (*Review, error) {
	return db.Read(ctx, s.DB, sc, "scoring: open review", openReview)
}

func openReview(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (*Review, error) {
	return db.ReadNow(ctx, tx, func(r *db.Reads) **Review { return queueOpenReview(r, tenantID) })
}

// openReviewPart names the open review for db.Kept.
const openReviewPart = "scoring.open-review"

// queueOpenReview is openReview queued in r: nil when no review is open
// (filled when r is sent).
func queueOpenReview(r *db.Reads, tenantID uuid.UUID) **Review {
	out := new(*Review)
	r.One(func(row pgx.Row) error {
		x, err := scanReview(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // no review is open: not an error
		}
		if err != nil {
			return err
		}
		*out = &x
		return nil
	}, "SELECT "+reviewCols+" WHERE r.tenant_id = $1 AND r.closed_at IS NULL", tenantID)
	return out
}

// KeyAccountCount is how many active accounts are key now.
func (s *Store) KeyAccountCount(ctx context.Context, sc db.Scope) (int, error) {
	var n int
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM accounts WHERE tenant_id = $1 AND key_status = 'key' AND archived_at IS NULL",
			sc.TenantID).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("scoring: key account count: %w", err)
	}
	return n, nil
}
