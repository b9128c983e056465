package account

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

// Relationship facts: what the health score and the relationship warnings
// (package health) read about an account's people and contacts, for many
// accounts at once, as of a day.

// Contact is a stakeholder with how recently and how often we met them.
type Contact struct {
	ID          uuid.UUID
	Name        string
	Role        BuyingRole
	Strength    Strength
	LeftOn      time.Time // zero while they are at the company (as of the day asked)
	LastContact time.Time // the latest interaction they took part in, zero when none
	Recent      int       // interactions they took part in during the recent window
}

// Left reports whether the contact had left the company.
func (c Contact) Left() bool { return !c.LeftOn.IsZero() }

// Facts are one account's relationship facts as of a day.
type Facts struct {
	Contacts []Contact
	// Recent is the number of interactions during the recent window that
	// had at least one stakeholder taking part.
	Recent int
	// OverdueSteps is the open interaction next steps due before the day.
	OverdueSteps int
}

// FactsTx reads, in tx, the relationship facts of accountIDs as of asOf:
// only interactions on or before asOf count, a stakeholder counts as left
// only from their leaving day, and the recent window is the recentDays
// days ending on asOf. Three queries, whatever the number of accounts.
func FactsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accountIDs []uuid.UUID, asOf time.Time, recentDays int) (map[uuid.UUID]*Facts, error) {
	out := make(map[uuid.UUID]*Facts, len(accountIDs))
	for _, id := range accountIDs {
		out[id] = &Facts{}
	}
	if len(accountIDs) == 0 {
		return out, nil
	}
	asOf = dateOnly(asOf)
	since := asOf.AddDate(0, 0, -recentDays)
	// Each stakeholder's last and recent interactions, then the
	// stakeholders: two plain queries (Citus plans no lateral join).
	type contactStats struct {
		last   time.Time
		recent int
	}
	stats := map[uuid.UUID]contactStats{}
	rows, _ := tx.Query(ctx, `SELECT p.stakeholder_id, max(i.occurred_on), count(*) FILTER (WHERE i.occurred_on > $3)
		FROM interaction_participants p
		JOIN interactions i ON i.tenant_id = p.tenant_id AND i.id = p.interaction_id
		WHERE p.tenant_id = $1 AND i.account_id = ANY($2) AND i.occurred_on <= $4
		GROUP BY p.stakeholder_id`, tenantID, accountIDs, since, asOf)
	var sid uuid.UUID
	var cs contactStats
	if _, err := pgx.ForEachRow(rows, []any{&sid, &cs.last, &cs.recent}, func() error {
		stats[sid] = cs
		return nil
	}); err != nil {
		return nil, fmt.Errorf("account: facts: contacts: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT s.account_id, s.id, s.name, s.buying_role, s.strength, s.left_on
		FROM stakeholders s
		WHERE s.tenant_id = $1 AND s.account_id = ANY($2)
		ORDER BY s.account_id, lower(s.name), s.id`, tenantID, accountIDs)
	var acct uuid.UUID
	var c Contact
	var left *time.Time
	_, err := pgx.ForEachRow(rows, []any{&acct, &c.ID, &c.Name, &c.Role, &c.Strength, &left}, func() error {
		x := c
		if left != nil && !dateOnly(*left).After(asOf) {
			x.LeftOn = dateOnly(*left)
		}
		if st, ok := stats[c.ID]; ok {
			x.LastContact, x.Recent = dateOnly(st.last), st.recent
		}
		out[acct].Contacts = append(out[acct].Contacts, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("account: facts: stakeholders: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT i.account_id, count(*) FROM interactions i
		WHERE i.tenant_id = $1 AND i.account_id = ANY($2) AND i.occurred_on > $3 AND i.occurred_on <= $4
		  AND EXISTS (SELECT 1 FROM interaction_participants p WHERE p.tenant_id = i.tenant_id AND p.interaction_id = i.id)
		GROUP BY i.account_id`, tenantID, accountIDs, since, asOf)
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&acct, &n}, func() error {
		out[acct].Recent = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("account: facts: recent interactions: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT i.account_id, count(*) FROM interactions i
		WHERE i.tenant_id = $1 AND i.account_id = ANY($2) AND i.next_step <> '' AND i.next_step_due < $3
		  AND (i.next_step_done_at IS NULL OR i.next_step_done_at >= $3::date + 1)
		GROUP BY i.account_id`, tenantID, accountIDs, asOf)
	if _, err := pgx.ForEachRow(rows, []any{&acct, &n}, func() error {
		out[acct].OverdueSteps = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("account: facts: overdue steps: %w", err)
	}
	return out, nil
}
