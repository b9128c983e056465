package health

import "context"
import "fmt"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/notify"
import "pareto/internal/plan"

// The keeper's notifications (docs/notifications.md): keep computes the
// accounts a write touched, and every account in the daily run, so it is
// where the events that come with the clock or with other records are
// seen — a warning coming into force (from the warnings keep has just
// written), an action falling due or overdue, a review falling due, a
// goal turning at risk or off track. The notifications table's unique
// key drops the events already notified, so running again (the next
// write, tomorrow's run) adds nothing twice.

// dayKey is how a date reads in a period.
const dayKey = time.DateOnly

// riskNotice is the notification of warning w, in force on account a
// since since, for a's KAM (none without a KAM).
func riskNotice(a accountRow, w Warning, since time.Time) (notify.Item, bool) {
	if a.KAMUserID == nil {
		return notify.Item{}, false
	}
	return notify.Item{UserID: *a.KAMUserID, Kind: notify.Risk, RecordID: a.ID, Period: string(w.Kind) + "@" + since.Format(dayKey),
		AccountID: a.ID, Title: a.Name + ": " + w.Kind.Label() + " — " + w.Detail, Link: "/accounts/" + a.ID.String() + "/health"}, true
}

// notices adds to items the events of the accounts accts (not archived)
// on today, and writes them all in tx.
func notices(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, accts []accountRow, today, now time.Time, items []notify.Item) error {
	ids := make([]uuid.UUID, 0, len(accts))
	kam := map[uuid.UUID]*uuid.UUID{}
	for _, a := range accts {
		if !a.Archived {
			ids = append(ids, a.ID)
			kam[a.ID] = a.KAMUserID
		}
	}
	if len(ids) == 0 {
		return nil
	}
	more, err := actionNotices(ctx, tx, tenantID, ids, today)
	if err != nil {
		return err
	}
	items = append(items, more...)
	if more, err = reviewNotices(ctx, tx, tenantID, ids, today); err != nil {
		return err
	}
	items = append(items, more...)
	turns, err := plan.GoalTurnsTx(ctx, tx, tenantID, ids, today)
	if err != nil {
		return err
	}
	for _, t := range turns {
		if (t.To != plan.GoalAtRisk && t.To != plan.GoalOffTrack) || kam[t.AccountID] == nil {
			continue
		}
		items = append(items, notify.Item{UserID: *kam[t.AccountID], Kind: notify.GoalStatus, RecordID: t.GoalID,
			Period: string(t.To) + "@" + today.Format(dayKey), AccountID: t.AccountID,
			Title: t.AccountName + ": goal “" + t.Title + "” is " + strings.ToLower(t.To.Label()), Link: "/plans/" + t.PlanID.String()})
	}
	_, err = notify.AddTx(ctx, tx, tenantID, now, items...)
	return err
}

// actionNotices: each open action of an open plan of ids due by
// today + notify.ActionDays, for its owner — due soon, or overdue once
// the date has passed (a moved due date is a new event).
func actionNotices(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids []uuid.UUID, today time.Time) ([]notify.Item, error) {
	rows, _ := tx.Query(ctx, `SELECT x.id, x.description, x.owner_user_id, x.due_date, p.id, p.account_id, a.name
		FROM plan_actions x
		JOIN goal_plans p ON p.tenant_id = x.tenant_id AND p.id = x.plan_id
		JOIN accounts a ON a.tenant_id = p.tenant_id AND a.id = p.account_id
		WHERE x.tenant_id = $1 AND p.account_id = ANY($2) AND p.status <> 'closed' AND x.done_at IS NULL AND x.due_date <= $3`,
		tenantID, ids, today.AddDate(0, 0, notify.ActionDays))
	var out []notify.Item
	var id, owner, planID, acct uuid.UUID
	var desc, name string
	var due time.Time
	_, err := pgx.ForEachRow(rows, []any{&id, &desc, &owner, &due, &planID, &acct, &name}, func() error {
		due = dateOf(due)
		it := notify.Item{UserID: owner, Kind: notify.ActionDue, RecordID: id, Period: due.Format(dayKey), AccountID: acct,
			Title: name + ": action “" + desc + "” is due " + dueText(due, today), Link: "/plans/" + planID.String()}
		if due.Before(today) {
			it.Kind, it.Title = notify.ActionOverdue, name+": action “"+desc+"” is overdue (due "+due.Format("2 Jan 2006")+")"
		}
		out = append(out, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("action notices: %w", err)
	}
	return out, nil
}

// reviewNotices: each key account of ids with a KAM whose next review is
// due by today + notify.ReviewDays, for the KAM (a new date is a new
// event).
func reviewNotices(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, ids []uuid.UUID, today time.Time) ([]notify.Item, error) {
	rows, _ := tx.Query(ctx, `SELECT a.id, a.name, a.kam_user_id, s.next_review_on FROM review_schedules s
		JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id
		WHERE s.tenant_id = $1 AND s.account_id = ANY($2) AND a.key_status = 'key' AND a.kam_user_id IS NOT NULL
		  AND s.next_review_on <= $3`, tenantID, ids, today.AddDate(0, 0, notify.ReviewDays))
	var out []notify.Item
	var acct, kam uuid.UUID
	var name string
	var on time.Time
	_, err := pgx.ForEachRow(rows, []any{&acct, &name, &kam, &on}, func() error {
		on = dateOf(on)
		out = append(out, notify.Item{UserID: kam, Kind: notify.ReviewDue, RecordID: acct, Period: on.Format(dayKey), AccountID: acct,
			Title: name + ": account review due " + dueText(on, today), Link: "/accounts/" + acct.String() + "/reviews"})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review notices: %w", err)
	}
	return out, nil
}

// dueText says when d falls due, seen on today: a date, not "tomorrow"
// (the title is kept, and read days later).
func dueText(d, today time.Time) string {
	if d.Before(today) {
		return "since " + d.Format("2 Jan 2006")
	}
	return "on " + d.Format("Mon 2 Jan 2006")
}
