package scoring

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"pareto/internal/account"
	"pareto/internal/audit"
	"pareto/internal/auth"
	"pareto/internal/db"
	"pareto/internal/keyset"
	"pareto/internal/limits"
	"pareto/internal/webhook"
)

// KeyStatuses are the values of accounts.key_status, in display order.
var KeyStatuses = []string{"candidate", "key", "watch", "declined", "former"}

// KeyStatusLabel names a key status for people.
func KeyStatusLabel(s string) string {
	switch s {
	case "candidate":
		return "Candidate"
	case "key":
		return "Key account"
	case "watch":
		return "Watch"
	case "declined":
		return "Declined"
	case "former":
		return "Former key"
	}
	return s
}

// CanScore says who may score an account: admins and leaders any, a key
// account manager only the accounts they manage.
func CanScore(role auth.Role, userID uuid.UUID, kamUserID *uuid.UUID) bool {
	kam := uuid.Nil
	if kamUserID != nil {
		kam = *kamUserID
	}
	return account.CanEditManagedBy(role, userID, kam)
}

// Filter narrows the matrix and the shortlist, like the account list.
// Zero values mean no filter.
type Filter struct {
	Query     string // part of the name or external reference
	Industry  string
	Region    string
	Segment   string
	KeyStatus string
	KAM       string // a user id, or "none" for unassigned
	Coverage  string // "complete", "incomplete", "unscored" (matrix only)
	Sort      string // shortlist: "rank" (default), "name", "revenue", "headroom", "potential"
	Desc      bool
	Cursor    keyset.Cursor // where the page starts (the zero Cursor: the first page)
	PerPage   int
}

func (f *Filter) normalize(defaultPer int) {
	if f.PerPage <= 0 || f.PerPage > 500 {
		f.PerPage = defaultPer
	}
	f.Query = strings.TrimSpace(f.Query)
}

// where adds f's account conditions for the accounts alias a to args and
// returns them as SQL (each starting with AND).
func (f Filter) where(a string, args *[]any) string {
	var b strings.Builder
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	if f.Query != "" {
		p := arg("%" + likeEscape(f.Query) + "%")
		fmt.Fprintf(&b, " AND (%[1]s.name ILIKE %[2]s OR %[1]s.external_ref ILIKE %[2]s)", a, p)
	}
	for col, v := range map[string]string{"industry": f.Industry, "region": f.Region, "segment": f.Segment, "key_status": f.KeyStatus} {
		if v != "" {
			fmt.Fprintf(&b, " AND %s.%s = %s", a, col, arg(v))
		}
	}
	switch f.KAM {
	case "":
	case "none":
		fmt.Fprintf(&b, " AND %s.kam_user_id IS NULL", a)
	default:
		id, err := uuid.Parse(f.KAM)
		if err != nil {
			// Matches nothing; a constant false would stop Citus from
			// planning the matrix's outer join.
			fmt.Fprintf(&b, " AND %s.id IS NULL", a)
		} else {
			fmt.Fprintf(&b, " AND %s.kam_user_id = %s", a, arg(id))
		}
	}
	return b.String()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FilterOptions are the values the filters offer.
type FilterOptions struct {
	Industries []string
	Regions    []string
	Segments   []string
	KAMs       []Person
}

// Person is a member shown by name.
type Person struct {
	ID   uuid.UUID
	Name string
}

// FilterOptions lists the distinct industries, regions and segments of the
// tenant's accounts and its key account managers.
func (s *Store) FilterOptions(ctx context.Context, sc db.Scope) (FilterOptions, error) {
	return db.Read(ctx, s.DB, sc, "scoring: filter options", filterOptions)
}

func filterOptions(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (FilterOptions, error) {
	var o FilterOptions
	// The values the active accounts have, from the kept tallies.
	ts, err := account.Tallies(ctx, tx, tenantID, account.DimIndustry, account.DimRegion, account.DimSegment)
	if err != nil {
		return FilterOptions{}, err
	}
	for dim, dst := range map[account.Dim]*[]string{account.DimIndustry: &o.Industries, account.DimRegion: &o.Regions,
		account.DimSegment: &o.Segments} {
		for v := range ts[dim] {
			if v != "" {
				*dst = append(*dst, v)
			}
		}
		slices.Sort(*dst)
	}
	rows, _ := tx.Query(ctx, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = $1 AND m.role = 'kam' AND m.active ORDER BY lower(u.name), u.id`, tenantID)
	o.KAMs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Person, error) {
		var p Person
		return p, r.Scan(&p.ID, &p.Name)
	})
	return o, err
}

// Cell is one scored cell of the matrix.
type Cell struct {
	Score    int
	Evidence string
}

// MatrixRow is one account of the matrix.
type MatrixRow struct {
	AccountID uuid.UUID
	Name      string
	KAMUserID *uuid.UUID
	KAMName   string
	KeyStatus string
	Cells     map[uuid.UUID]Cell
	Score     Score
}

// Matrix is one page of the scoring matrix.
type Matrix struct {
	Config Config
	Rows   []MatrixRow
	// Total is how many accounts the filter lets through: exact when Exact
	// (kept tallies: no filter or one), else counted up to countCap.
	Total int
	Exact bool
	Links keyset.Links
}

// Matrix lists one page of accounts (by name) with their cells over the
// active criteria. Everyone in the tenant may read it. The complete and
// incomplete filters list from the ranking (account_rankings_name_idx,
// account_rankings_incomplete_idx), the others from the accounts' name
// indexes; pages are keyset pages by name.
func (s *Store) Matrix(ctx context.Context, sc db.Scope, f Filter) (Matrix, error) {
	f.normalize(50)
	var m Matrix
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var err error
		if m.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		fargs := []any{sc.TenantID}
		from := `accounts a LEFT JOIN users u ON u.id = a.kam_user_id`
		base := ` WHERE a.tenant_id = $1 AND a.archived_at IS NULL`
		order := keyset.Order{Cols: []keyset.Col{{SQL: "a.sort_name", Type: "text"}, {SQL: "a.id", Type: "uuid"}}}
		switch f.Coverage {
		case "complete", "incomplete":
			from = `account_rankings r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
				LEFT JOIN users u ON u.id = a.kam_user_id`
			base = ` WHERE r.tenant_id = $1 AND NOT r.archived AND ` + map[string]string{"complete": "r.complete", "incomplete": "NOT r.complete"}[f.Coverage]
			order = keyset.Order{Cols: []keyset.Col{{SQL: "r.sort_name", Type: "text"}, {SQL: "r.account_id", Type: "uuid"}}}
		case "unscored":
			// An anti-join, not a sub-select in the WHERE: Citus plans a
			// join of co-located tables, not a sub-select beside the outer
			// join to users.
			from = `accounts a LEFT JOIN account_rankings r ON r.tenant_id = a.tenant_id AND r.account_id = a.id
				LEFT JOIN users u ON u.id = a.kam_user_id`
			base += ` AND r.account_id IS NULL`
		}
		filter := base + f.where("a", &fargs)
		args := slices.Clone(fargs)
		where, orderBy, limit := order.Plan(f.Cursor, f.PerPage, &args)
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, a.kam_user_id, coalesce(u.name, ''), a.key_status, `+
			order.Cols[0].SQL+` FROM `+from+filter+where+` ORDER BY `+orderBy+limit, args...)
		var sortNames = map[uuid.UUID]string{}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MatrixRow, error) {
			x := MatrixRow{Cells: map[uuid.UUID]Cell{}}
			var sortName string
			err := r.Scan(&x.AccountID, &x.Name, &x.KAMUserID, &x.KAMName, &x.KeyStatus, &sortName)
			sortNames[x.AccountID] = sortName
			return x, err
		})
		if err != nil {
			return err
		}
		m.Rows, m.Links = keyset.Finish(list, f.Cursor, f.PerPage, func(x MatrixRow) []string {
			return []string{sortNames[x.AccountID], x.AccountID.String()}
		})
		if m.Total, m.Exact, err = f.matrixTotal(ctx, tx, sc.TenantID, from+filter+" ORDER BY "+order.Cols[0].SQL+", "+order.Cols[1].SQL, fargs); err != nil {
			return err
		}
		return fillCells(ctx, tx, sc.TenantID, m.Rows, m.Config.Weights)
	})
	if err != nil {
		return Matrix{}, fmt.Errorf("scoring: matrix: %w", err)
	}
	return m, nil
}

// matrixTotal is how many accounts f lets through: from the kept tallies
// for no filter or one, else counted up to countCap (query: FROM … ORDER BY
// of the list).
func (f Filter) matrixTotal(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, query string, args []any) (int, bool, error) {
	dim, value, ok := f.tallied()
	if ok {
		t, err := account.TallyOf(ctx, tx, tenantID, dim, value)
		switch f.Coverage {
		case "complete":
			return t.Complete, true, err
		case "incomplete":
			return t.Incomplete(), true, err
		case "unscored":
			return t.Accounts - t.Ranked, true, err
		}
		return t.Accounts, true, err
	}
	var total int
	// In the list's order, so the walk stops at countCap on its index.
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+query+` LIMIT `+strconv.Itoa(countCap+1)+`) x`, args...).Scan(&total)
	return min(total, countCap), total <= countCap, err
}

// tallied says which kept tally counts f's accounts: f filters by at most
// one account field (and coverage, which the tally's ranked and complete
// counts give) and has no search.
func (f Filter) tallied() (account.Dim, string, bool) {
	dim, value, n := account.DimAll, "", 0
	for d, v := range map[account.Dim]string{account.DimIndustry: f.Industry, account.DimRegion: f.Region,
		account.DimSegment: f.Segment, account.DimKeyStatus: f.KeyStatus, account.DimKAM: f.KAM} {
		if v != "" {
			dim, value, n = d, v, n+1
		}
	}
	if f.Query != "" || n > 1 {
		return "", "", false
	}
	if dim == account.DimKAM {
		if value == "none" {
			value = ""
		} else if id, err := uuid.Parse(value); err == nil {
			value = id.String()
		} else {
			value = "not a KAM" // no account has it: a count of 0
		}
	}
	return dim, value, true
}

func fillCells(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, rs []MatrixRow, ws []Weight) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(rs))
	byID := make(map[uuid.UUID]*MatrixRow, len(rs))
	for i := range rs {
		ids[i] = rs[i].AccountID
		byID[rs[i].AccountID] = &rs[i]
	}
	rows, _ := tx.Query(ctx, `SELECT account_id, criterion_id, score, evidence FROM account_scores
		WHERE tenant_id = $1 AND account_id = ANY($2)`, tenantID, ids)
	var acc, crit uuid.UUID
	var c Cell
	_, err := pgx.ForEachRow(rows, []any{&acc, &crit, &c.Score, &c.Evidence}, func() error {
		byID[acc].Cells[crit] = c
		return nil
	})
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Score = ComputeScore(cellScores(rs[i].Cells), ws)
	}
	return nil
}

func cellScores(cs map[uuid.UUID]Cell) Cells {
	out := make(Cells, len(cs))
	for k, v := range cs {
		out[k] = v.Score
	}
	return out
}

// CellInput is one cell as submitted: the score as typed ("" leaves the
// cell as it is) and, when the form had the field, the evidence. Was and
// WasEvidence, when the form has them, are what the person saw when the
// page was made: they turn a stale edit into a conflict instead of a
// silent overwrite.
type CellInput struct {
	CriterionID    uuid.UUID
	Score          string
	Evidence       string
	HasEvidence    bool
	Was            string
	HasWas         bool
	WasEvidence    string
	HasWasEvidence bool
}

// ScoreConflict says cells were changed by someone else after the person
// saw them; nothing was saved. It wraps db.ErrConflict.
type ScoreConflict struct {
	Cells []ConflictCell
}

// ConflictCell is one cell: the saved value beside the one submitted.
type ConflictCell struct {
	Criterion    Criterion
	Theirs       Cell
	HadTheirs    bool
	By           string
	At           time.Time
	YourScore    string
	YourEvidence string
}

func (e *ScoreConflict) add(c Criterion, theirs Cell, had bool, by string, at time.Time, score, evidence string) {
	e.Cells = append(e.Cells, ConflictCell{Criterion: c, Theirs: theirs, HadTheirs: had, By: by, At: at,
		YourScore: score, YourEvidence: evidence})
}

func (e *ScoreConflict) Error() string {
	return fmt.Sprintf("%d cells changed by someone else", len(e.Cells))
}

func (e *ScoreConflict) Unwrap() error { return db.ErrConflict }

// WasField and WasEvidenceField name the fields that carry what the
// person saw.
func WasField(id uuid.UUID) string         { return "was_" + id.String() }
func WasEvidenceField(id uuid.UUID) string { return "was_evidence_" + id.String() }

// ScoreField and EvidenceField name a cell's form fields.
func ScoreField(id uuid.UUID) string    { return "score_" + id.String() }
func EvidenceField(id uuid.UUID) string { return "evidence_" + id.String() }

// SaveScores saves an account's cells. Admins and leaders may score any
// account, a key account manager only their own (db.ErrForbidden). An
// account of another tenant or none → db.ErrNotFound, checked before the
// permission. A score that is not a whole number from 1 to 10, evidence
// over 2,000 characters or a criterion that is not active →
// db.FieldErrors keyed by field, and nothing is saved. Every changed cell
// is kept in the history (old → new, evidence). Returns how many cells
// changed.
func (s *Store) SaveScores(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, in []CellInput) (int, error) {
	changed := 0
	now := s.Now()
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		var kam *uuid.UUID
		var archived *time.Time
		err := tx.QueryRow(ctx, `SELECT kam_user_id, archived_at FROM accounts WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE`,
			sc.TenantID, accountID).Scan(&kam, &archived)
		if err != nil {
			return db.NotFound("account", err)
		}
		if !CanScore(role, sc.UserID, kam) {
			return fmt.Errorf("%s may score only the accounts they manage: %w", role, db.ErrForbidden)
		}
		if archived != nil {
			return db.FieldErrors{"account": "This account is archived; restore it before scoring it."}
		}
		cfg, err := readConfig(ctx, tx, sc.TenantID)
		if err != nil {
			return err
		}
		current, err := scoredCells(ctx, tx, sc.TenantID, accountID, "system")
		if err != nil {
			return err
		}
		conflict := &ScoreConflict{}

		type write struct {
			crit     Criterion
			old      *Cell
			score    int // 0 clears the cell
			evidence string
		}
		var writes []write
		fe := db.FieldErrors{}
		for _, x := range in {
			sf, ef := ScoreField(x.CriterionID), EvidenceField(x.CriterionID)
			crit, ok := cfg.Criterion(x.CriterionID)
			if !ok || !crit.Active {
				fe.Add(sf, "This criterion is not active any more; reload the page.")
				continue
			}
			x.Evidence = strings.TrimSpace(x.Evidence)
			if utf8.RuneCountInString(x.Evidence) > limits.Paragraph {
				fe.Add(ef, "Keep the evidence to 2,000 characters.")
			}
			cur, had := current[x.CriterionID]
			old := cur.Cell
			raw := strings.TrimSpace(x.Score)
			curScore := ""
			if had {
				curScore = strconv.Itoa(old.Score)
			}
			// With what the person saw (Was), a value they did not edit is no
			// change, and a cell someone else changed meanwhile is a conflict
			// unless both now agree.
			// A scored cell the person emptied is cleared back to unscored.
			clear := x.HasWas && raw == "" && strings.TrimSpace(x.Was) != "" && had
			if x.HasWas && raw == strings.TrimSpace(x.Was) {
				raw = ""
			} else if x.HasWas && curScore != strings.TrimSpace(x.Was) && raw != curScore {
				conflict.add(crit, cur.Cell, had, cur.by, cur.at, raw, x.Evidence)
				continue
			}
			if x.HasEvidence && x.HasWasEvidence {
				was := strings.TrimSpace(x.WasEvidence)
				switch {
				case x.Evidence == was:
					x.HasEvidence = false
				case old.Evidence != was && x.Evidence != old.Evidence:
					conflict.add(crit, cur.Cell, had, cur.by, cur.at, raw, x.Evidence)
					continue
				}
			}
			var score int
			switch {
			case clear && curScore == strings.TrimSpace(x.Was):
				writes = append(writes, write{crit: crit, old: &old, score: 0, evidence: ""})
				continue
			case raw == "" && !had:
				if x.HasEvidence && x.Evidence != "" {
					fe.Add(sf, "Add a score from 1 to 10 to go with the evidence.")
				}
				continue
			case raw == "":
				score = old.Score
			default:
				v, err := strconv.Atoi(raw)
				if err != nil || v < 1 || v > 10 {
					fe.Add(sf, "Enter a whole number from 1 to 10.")
					continue
				}
				score = v
			}
			evidence := old.Evidence
			if x.HasEvidence {
				evidence = x.Evidence
			}
			if had && score == old.Score && evidence == old.Evidence {
				continue
			}
			w := write{crit: crit, score: score, evidence: evidence}
			if had {
				o := old
				w.old = &o
			}
			writes = append(writes, w)
		}
		if len(conflict.Cells) > 0 {
			return conflict
		}
		if len(fe) > 0 {
			return fe
		}
		before, after := map[string]any{}, map[string]any{}
		for _, w := range writes {
			if w.score == 0 {
				if err := clearCell(ctx, tx, sc, accountID, w.crit, *w.old, now); err != nil {
					return err
				}
				before[w.crit.Name] = map[string]any{"score": w.old.Score, "evidence": w.old.Evidence}
				after[w.crit.Name] = map[string]any{"score": nil, "evidence": ""}
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO account_scores (account_id, criterion_id, score, evidence, scored_by, scored_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (tenant_id, account_id, criterion_id)
				DO UPDATE SET score = EXCLUDED.score, evidence = EXCLUDED.evidence, scored_by = EXCLUDED.scored_by,
					scored_at = EXCLUDED.scored_at`,
				accountID, w.crit.ID, w.score, w.evidence, nullID(sc.UserID), now); err != nil {
				return err
			}
			var oldScore *int
			if w.old != nil {
				oldScore = &w.old.Score
				before[w.crit.Name] = map[string]any{"score": w.old.Score, "evidence": w.old.Evidence}
			}
			after[w.crit.Name] = map[string]any{"score": w.score, "evidence": w.evidence}
			if _, err := tx.Exec(ctx, `INSERT INTO score_changes (account_id, criterion_id, old_score, new_score, evidence, changed_by, changed_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, accountID, w.crit.ID, oldScore, w.score, w.evidence, nullID(sc.UserID), now); err != nil {
				return err
			}
		}
		changed = len(writes)
		if changed == 0 {
			return nil
		}
		if err := rerank(ctx, tx, sc.TenantID, cfg.Weights, &accountID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "score", Entity: "account", EntityID: accountID.String(),
			Before: before, After: after}); err != nil {
			return err
		}
		return webhook.Emit(ctx, tx, sc.TenantID, webhook.Change(webhook.ScoreChanged, "account", accountID, before, after))
	})
	if err != nil {
		return 0, keepFields("scoring: save scores", err)
	}
	return changed, nil
}

// clearCell removes an account's score on crit, keeping the clearing in
// the history (a change from old to no score).
func clearCell(ctx context.Context, tx pgx.Tx, sc db.Scope, accountID uuid.UUID, crit Criterion, old Cell, now time.Time) error {
	if _, err := tx.Exec(ctx, "DELETE FROM account_scores WHERE tenant_id = $1 AND account_id = $2 AND criterion_id = $3",
		sc.TenantID, accountID, crit.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO score_changes (account_id, criterion_id, old_score, new_score, evidence, changed_by, changed_at)
		VALUES ($1, $2, $3, NULL, '', $4, $5)`, accountID, crit.ID, old.Score, nullID(sc.UserID), now)
	return err
}

func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// AccountInfo is what the scoring pages show about an account.
type AccountInfo struct {
	ID        uuid.UUID
	Name      string
	KeyStatus string
	KAMUserID *uuid.UUID
	KAMName   string
	// Revenue is the account's one revenue (account/revenue.go), cents;
	// RevenueFromFigures false says it is annual revenue as entered.
	Revenue            int64
	RevenueFromFigures bool
	RevenuePotential   int64 // cents
	Archived           bool
	ExternalRef        string
	Industry, Region   string
}

// Headroom is revenue potential minus revenue, in cents.
func (a AccountInfo) Headroom() int64 { return a.RevenuePotential - a.Revenue }

// CellDetail is one active criterion of an account's breakdown.
type CellDetail struct {
	Criterion    Criterion
	Contribution Contribution
	Evidence     string
	ScoredBy     string
	ScoredAt     time.Time
}

// Change is one change of a cell, with the account's score after it
// (under today's weights).
type Change struct {
	At            time.Time
	By            string
	CriterionID   uuid.UUID
	CriterionName string
	Old           *int
	New           int // 0: the cell was cleared back to unscored
	Evidence      string
	ScoreAfter    Score
}

// SeriesPoint is the account's score after one save.
type SeriesPoint struct {
	At    time.Time
	Score Score
}

// KeyChange is one change of the account's key status.
type KeyChange struct {
	At         time.Time
	By         string
	Old, New   string
	Reason     string
	ReviewID   *uuid.UUID
	ReviewName string
}

// Breakdown explains one account's score.
type Breakdown struct {
	Account     AccountInfo
	Config      Config
	Score       Score
	Cells       []CellDetail // one per active criterion, in importance order
	Changes     []Change     // newest first, at most MaxChanges
	MoreChanges int          // changes beyond MaxChanges
	Series      []SeriesPoint
	KeyChanges  []KeyChange // newest first
}

// MaxChanges caps the history a breakdown lists.
const MaxChanges = 100

// Breakdown reads an account's score, the contribution of each active
// criterion, every change of its cells and its key-status history.
// Everyone in the tenant may read it; another tenant's account →
// db.ErrNotFound.
func (s *Store) Breakdown(ctx context.Context, sc db.Scope, accountID uuid.UUID) (Breakdown, error) {
	var b Breakdown
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		a, err := readAccount(ctx, tx, sc.TenantID, accountID)
		if err != nil {
			return err
		}
		b.Account = a
		if b.Config, err = readConfig(ctx, tx, sc.TenantID); err != nil {
			return err
		}
		cells, err := scoredCells(ctx, tx, sc.TenantID, accountID, "")
		if err != nil {
			return err
		}
		scores := Cells{}
		for id, c := range cells {
			scores[id] = c.Score
		}
		b.Score = ComputeScore(scores, b.Config.Weights)
		for _, con := range Contributions(scores, b.Config.Weights) {
			crit, _ := b.Config.Criterion(con.Weight.CriterionID)
			c := cells[crit.ID]
			b.Cells = append(b.Cells, CellDetail{Criterion: crit, Contribution: con, Evidence: c.Evidence, ScoredBy: c.by, ScoredAt: c.at})
		}

		rows, _ := tx.Query(ctx, `SELECT c.changed_at, coalesce(u.name, 'system'), c.criterion_id, k.name, c.old_score, c.new_score, c.evidence
			FROM score_changes c JOIN scoring_criteria k ON k.tenant_id = c.tenant_id AND k.id = c.criterion_id
			LEFT JOIN users u ON u.id = c.changed_by
			WHERE c.tenant_id = $1 AND c.account_id = $2 ORDER BY c.changed_at, c.id`, sc.TenantID, accountID)
		changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Change, error) {
			var c Change
			var old *int16
			var nw *int16 // NULL: cleared
			err := r.Scan(&c.At, &c.By, &c.CriterionID, &c.CriterionName, &old, &nw, &c.Evidence)
			if old != nil {
				v := int(*old)
				c.Old = &v
			}
			if nw != nil {
				c.New = int(*nw)
			}
			return c, err
		})
		if err != nil {
			return err
		}
		b.Series = Replay(changes, b.Config.Weights)
		for i, j := 0, len(changes)-1; i < j; i, j = i+1, j-1 {
			changes[i], changes[j] = changes[j], changes[i]
		}
		if len(changes) > MaxChanges {
			b.MoreChanges = len(changes) - MaxChanges
			changes = changes[:MaxChanges]
		}
		b.Changes = changes

		rows, _ = tx.Query(ctx, `SELECT k.changed_at, coalesce(u.name, 'system'), k.old_status, k.new_status, k.reason,
				k.review_id, coalesce(r.name, '')
			FROM key_status_changes k LEFT JOIN users u ON u.id = k.changed_by
			LEFT JOIN scoring_reviews r ON r.tenant_id = k.tenant_id AND r.id = k.review_id
			WHERE k.tenant_id = $1 AND k.account_id = $2 ORDER BY k.changed_at DESC, k.id DESC`, sc.TenantID, accountID)
		b.KeyChanges, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (KeyChange, error) {
			var k KeyChange
			return k, r.Scan(&k.At, &k.By, &k.Old, &k.New, &k.Reason, &k.ReviewID, &k.ReviewName)
		})
		return err
	})
	if err != nil {
		return Breakdown{}, fmt.Errorf("scoring: breakdown: %w", err)
	}
	return b, nil
}

// Replay rebuilds an account's score over time from its cell changes
// (chronological) under weights, filling each change's ScoreAfter. Changes
// saved together (same instant) make one point.
func Replay(changes []Change, weights []Weight) []SeriesPoint {
	cells := Cells{}
	var out []SeriesPoint
	for i := range changes {
		if changes[i].New == 0 {
			delete(cells, changes[i].CriterionID)
		} else {
			cells[changes[i].CriterionID] = changes[i].New
		}
		changes[i].ScoreAfter = ComputeScore(cells, weights)
		p := SeriesPoint{At: changes[i].At, Score: changes[i].ScoreAfter}
		if n := len(out); n > 0 && out[n-1].At.Equal(p.At) {
			out[n-1] = p
		} else {
			out = append(out, p)
		}
	}
	return out
}

func readAccount(ctx context.Context, tx pgx.Tx, tenantID, id uuid.UUID) (AccountInfo, error) {
	var a AccountInfo
	var archived *time.Time
	err := tx.QueryRow(ctx, `SELECT a.id, a.name, a.key_status, a.kam_user_id, coalesce(u.name, ''),
			a.revenue_cents, a.revenue_recorded IS NOT NULL, (a.revenue_potential * 100)::bigint, a.archived_at,
			coalesce(a.external_ref, ''), a.industry, a.region
		FROM accounts a LEFT JOIN users u ON u.id = a.kam_user_id
		WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id).
		Scan(&a.ID, &a.Name, &a.KeyStatus, &a.KAMUserID, &a.KAMName, &a.Revenue, &a.RevenueFromFigures, &a.RevenuePotential, &archived,
			&a.ExternalRef, &a.Industry, &a.Region)
	if err != nil {
		return AccountInfo{}, db.NotFound("account", err)
	}
	a.Archived = archived != nil
	return a, nil
}

// scoredCell is a stored cell with who scored it and when.
type scoredCell struct {
	Cell
	by string
	at time.Time
}

// scoredCells reads accountID's stored cells by criterion; nobody names
// the scorer no user row stands for (a system write).
func scoredCells(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID, nobody string) (map[uuid.UUID]scoredCell, error) {
	cells := map[uuid.UUID]scoredCell{}
	rows, _ := tx.Query(ctx, `SELECT s.criterion_id, s.score, s.evidence, coalesce(u.name, $3), s.scored_at
		FROM account_scores s LEFT JOIN users u ON u.id = s.scored_by
		WHERE s.tenant_id = $1 AND s.account_id = $2`, tenantID, accountID, nobody)
	var crit uuid.UUID
	var c scoredCell
	_, err := pgx.ForEachRow(rows, []any{&crit, &c.Score, &c.Evidence, &c.by, &c.at}, func() error {
		cells[crit] = c
		return nil
	})
	return cells, err
}
