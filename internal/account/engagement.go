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

// Non-monetary engagement: what an account does for us that is not a
// sale. It feeds the health score's engagement component and is the
// evidence of the "Referrals and credibility" selection criterion. Who
// may edit the account may log and remove engagement (CanEdit).

// EngagementKind is a sort of non-monetary engagement.
//
//	EngagementReferral     "referral"      "Referral they gave us"
//	EngagementCaseStudy    "case_study"    "Case study"
//	EngagementReference    "reference"     "Reference"
//	EngagementBetaTest     "beta_test"     "Beta test"
//	EngagementJointProject "joint_project" "Joint project"
//	EngagementEvent        "event"         "Event"
//
//enumgen:values EngagementKinds
type EngagementKind string

// Credibility reports whether k lends us credibility with other buyers
// (referrals, case studies, references): the evidence the "Referrals and
// credibility" criterion is scored on.
func (k EngagementKind) Credibility() bool {
	return k == EngagementReferral || k == EngagementCaseStudy || k == EngagementReference
}

// EngagementFields are what a person logs.
type EngagementFields struct {
	Kind       EngagementKind
	OccurredOn time.Time // a date
	Title      string
	Notes      string
}

// Engagement is one logged engagement.
type Engagement struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	EngagementFields
	CreatedByName string
	CreatedAt     time.Time
}

// EngagementInput is the engagement form as typed.
type EngagementInput struct {
	Kind, OccurredOn, Title, Notes string
}

// Parse validates in; errors are db.FieldErrors keyed by form field name
// (engagement_kind, occurred_on, title, notes). The date may not lie
// ahead of now.
func (in EngagementInput) Parse(now time.Time) (EngagementFields, error) {
	fe := db.FieldErrors{}
	var f EngagementFields
	var err error
	if f.Kind = EngagementKind(in.Kind); !f.Kind.Valid() {
		fe.Add("engagement_kind", "Choose what kind of engagement it was.")
	}
	if f.OccurredOn, err = ParseDate(in.OccurredOn, true); err != nil {
		fe.Add("occurred_on", err.Error())
	} else if f.OccurredOn.After(now) {
		fe.Add("occurred_on", "Log engagement that happened: use today or an earlier date.")
	}
	if f.Title, err = text(in.Title, limits.Name, false); err != nil {
		fe.Add("title", err.Error())
	} else if f.Title == "" {
		fe.Add("title", "Say what it was, e.g. “Referred us to Nordwind GmbH”.")
	}
	if f.Notes, err = longText(in.Notes, limits.Notes); err != nil {
		fe.Add("notes", err.Error())
	}
	if err := fe.Err(); err != nil {
		return EngagementFields{}, err
	}
	return f, nil
}

func (f EngagementFields) audit() map[string]string {
	return map[string]string{"kind": string(f.Kind), "occurred_on": f.OccurredOn.Format(time.DateOnly), "title": f.Title}
}

const engagementCols = `e.id, e.account_id, e.kind, e.occurred_on, e.title, e.notes, coalesce(u.name, ''), e.created_at`

func scanEngagement(row pgx.Row) (Engagement, error) {
	var e Engagement
	err := row.Scan(&e.ID, &e.AccountID, &e.Kind, &e.OccurredOn, &e.Title, &e.Notes, &e.CreatedByName, &e.CreatedAt)
	e.OccurredOn = dateOnly(e.OccurredOn)
	return e, err
}

// Engagements lists an account's engagement, newest first, at most limit
// (0: all), with the total count. db.ErrNotFound for a missing account.
func (s *Store) Engagements(ctx context.Context, sc db.Scope, accountID uuid.UUID, limit int) ([]Engagement, int, error) {
	var out []Engagement
	var total int
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) (err error) {
		out, total, err = newestOf(ctx, tx, sc.TenantID, accountID, "engagements", "e",
			"SELECT "+engagementCols+" FROM engagements e LEFT JOIN users u ON u.id = e.created_by", limit, scanEngagement)
		return err
	})
	return out, total, wrap("engagements", err)
}

// CreateEngagement logs engagement for an account. Needs CanEdit on the
// account (db.ErrForbidden); db.ErrNotFound for a missing account.
func (s *Store) CreateEngagement(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, f EngagementFields) (Engagement, error) {
	var e Engagement
	err := editTx(ctx, s.DB, sc, role, accountID, func(tx pgx.Tx) error {
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO engagements (account_id, kind, occurred_on, title, notes, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			accountID, string(f.Kind), f.OccurredOn, f.Title, f.Notes, db.Null(sc.UserID), s.Now()).Scan(&id); err != nil {
			return err
		}
		var err error
		e, err = scanEngagement(tx.QueryRow(ctx, `SELECT `+engagementCols+` FROM engagements e LEFT JOIN users u ON u.id = e.created_by
			WHERE e.tenant_id = $1 AND e.id = $2`, sc.TenantID, id))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "engagement",
			EntityID: id.String(), After: f.audit()})
	})
	return e, wrap("create engagement", err)
}

// DeleteEngagement removes a logged engagement. Needs CanEdit on the
// account; db.ErrNotFound when it is not there (or not the account's).
func (s *Store) DeleteEngagement(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID) error {
	err := editTx(ctx, s.DB, sc, role, accountID, func(tx pgx.Tx) error {
		cur, err := scanEngagement(tx.QueryRow(ctx, `DELETE FROM engagements e WHERE e.tenant_id = $1 AND e.account_id = $2 AND e.id = $3
			RETURNING e.id, e.account_id, e.kind, e.occurred_on, e.title, e.notes, '', e.created_at`, sc.TenantID, accountID, id))
		if err != nil {
			return db.NotFound("engagement", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "delete", Entity: "engagement",
			EntityID: id.String(), Before: cur.audit()})
	})
	return wrap("delete engagement", err)
}

// EngagementCounts are an account's engagement in a window.
type EngagementCounts struct {
	All         int // every kind
	Credibility int // referrals, case studies and references
}

// EngagementCountsTx counts, in tx, the engagement of each of accountIDs
// dated from..to (inclusive), and reports whether the tenant has logged
// any engagement at all (a tenant that does not use the log has no
// engagement to count, which is not the same as none).
func EngagementCountsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, from, to time.Time) (map[uuid.UUID]EngagementCounts, bool, error) {
	out := map[uuid.UUID]EngagementCounts{}
	var used bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM engagements WHERE tenant_id = $1 AND occurred_on <= $2)",
		tenantID, to).Scan(&used); err != nil {
		return nil, false, fmt.Errorf("engagement in use: %w", err)
	}
	if !used || len(accountIDs) == 0 {
		return out, used, nil
	}
	rows, _ := tx.Query(ctx, `SELECT account_id, count(*), count(*) FILTER (WHERE kind IN ('referral', 'case_study', 'reference'))
		FROM engagements WHERE tenant_id = $1 AND account_id = ANY($2) AND occurred_on BETWEEN $3 AND $4
		GROUP BY account_id`, tenantID, accountIDs, from, to)
	var id uuid.UUID
	var c EngagementCounts
	_, err := pgx.ForEachRow(rows, []any{&id, &c.All, &c.Credibility}, func() error {
		out[id] = c
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("engagement counts: %w", err)
	}
	return out, true, nil
}
