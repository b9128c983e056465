// Package notify keeps people's in-app notifications and sends the weekly
// email digest of them (docs/notifications.md says what notifies whom and
// when). It is a leaf: the domain packages that see an event (health's
// keeper for the clock's events, assignment and account for who is put
// on an account) build Items and write them with AddTx in their own
// transaction. The unique key of notifications (user, kind, record,
// period) is the event, so the same event never notifies twice.
package notify

import "context"
import "errors"
import "fmt"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/keyset"

// Kind is a sort of notification, in the digest's order.
//
//	Assigned      "assigned"       "Accounts assigned to you"   // you were made an account's KAM
//	TeamAdded     "team_added"     "Account teams you joined"   // you were put on an account's team
//	ActionOverdue "action_overdue" "Overdue actions"            // an open action of yours is past its due date
//	ActionDue     "action_due"     "Actions due soon"           // an open action of yours falls due within ActionDays
//	GoalStatus    "goal_status"    "Goals at risk or off track" // a goal of your account turned at risk or off track
//	ReviewDue     "review_due"     "Reviews due"                // your key account's review falls due within ReviewDays
//	Risk          "risk"           "Relationship warnings"      // a relationship warning came into force on your account
//
//enumgen:values
type Kind string

// Kinds are every kind, in the digest's order.
func Kinds() []Kind { return kindLabels.Values() }

// How far ahead the daily run looks.
const (
	ActionDays = 7  // an action due within a week notifies its owner
	ReviewDays = 14 // a review due within two weeks notifies the KAM
)

// Item is one event for one person. Kind, RecordID and Period are the
// event: Period tells occurrences of the same kind on the same record
// apart (an action's due date, the day a warning began, the day a goal
// turned). AccountID (optional) ties it to an account: archiving does not
// delete it, deleting the account does.
type Item struct {
	UserID    uuid.UUID
	Kind      Kind
	RecordID  uuid.UUID
	Period    string
	AccountID uuid.UUID // uuid.Nil: none
	Title     string
	Link      string // a path in the app
}

// AddTx writes items in tx for tenantID at now, skipping events already
// notified (the unique key: ON CONFLICT DO NOTHING). Returns how many
// were new.
func AddTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, now time.Time, items ...Item) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	rows := make([][]any, 0, len(items))
	for _, it := range items {
		var acct *uuid.UUID
		if it.AccountID != uuid.Nil {
			acct = &it.AccountID
		}
		title := it.Title
		if r := []rune(title); len(r) > 500 {
			title = string(r[:499]) + "…"
		}
		rows = append(rows, []any{tenantID, uuid.New(), it.UserID, string(it.Kind), it.RecordID, it.Period, acct, title, it.Link, now})
	}
	n, err := db.InsertRows(ctx, tx, "notifications",
		[]string{"tenant_id", "id", "user_id", "kind", "record_id", "period", "account_id", "title", "link", "created_at"}, rows,
		"ON CONFLICT (tenant_id, user_id, kind, record_id, period) DO NOTHING")
	if err != nil {
		return 0, fmt.Errorf("notify: add: %w", err)
	}
	return int(n), nil
}

// Notification is one as its person sees it.
type Notification struct {
	ID        uuid.UUID
	Kind      Kind
	Title     string
	Link      string
	CreatedAt time.Time
	Read      bool
}

// Store reads and changes people's notifications.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// CountCap is the most the bell counts: past it, it says "99+".
const CountCap = 99

// Unread counts the scope's person's unread notifications, up to
// CountCap+1 (an index walk of at most that many rows of theirs,
// whatever the tenant's size).
func (s *Store) Unread(ctx context.Context, sc db.Scope) (int, error) {
	return db.ReadQueued(ctx, s.DB, sc, "notify: unread", func(r *db.Reads) *int { return queueUnread(r, sc) })
}

// UnreadLater is Unread queued ahead (db.Prefetch) to go with the
// request's next batch; the function it returns gives the count then (and
// reads it on its own if it did not go).
func (s *Store) UnreadLater(ctx context.Context, sc db.Scope) func(context.Context) (int, error) {
	return db.Later(ctx, s.DB, sc, "notify: unread", func(r *db.Reads) *int { return queueUnread(r, sc) })
}

// queueUnread writes the cap into the SQL, not as a parameter: the
// planner's generic plan cannot see a parameter's LIMIT and costs it as a
// tenth of the rows, which could keep the batch's one-row statement
// (db.Reads.One), this read among others, on a custom plan made anew on
// every execution.
func queueUnread(r *db.Reads, sc db.Scope) *int {
	n := new(int)
	r.One(func(row pgx.Row) error { return row.Scan(n) }, `SELECT count(*) FROM (SELECT 1 FROM notifications
			WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL LIMIT `+strconv.Itoa(CountCap+1)+`) x`, sc.TenantID, sc.UserID)
	return n
}

// Filter is a page of a person's list.
type Filter struct {
	Unread  bool // only the unread ones
	Cursor  keyset.Cursor
	PerPage int // default 25
}

// Page is one page of the list, newest first.
type Page struct {
	Notifications []Notification
	Links         keyset.Links
}

var order = keyset.Order{Desc: true, Cols: []keyset.Col{{SQL: "created_at", Type: "timestamptz"}, {SQL: "id", Type: "uuid"}}}

// List reads one page of the scope's person's notifications, newest
// first (keyset on notifications_user_idx, or the unread index).
func (s *Store) List(ctx context.Context, sc db.Scope, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	return db.Read(ctx, s.DB, sc, "notify: list", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Page, error) {
		args := []any{tenantID, sc.UserID}
		where := "tenant_id = $1 AND user_id = $2"
		if f.Unread {
			where += " AND read_at IS NULL"
		}
		after, orderBy, limit := order.Plan(f.Cursor, f.PerPage, &args)
		rows, _ := tx.Query(ctx, `SELECT id, kind, title, link, created_at, read_at IS NOT NULL FROM notifications
			WHERE `+where+after+" ORDER BY "+orderBy+limit, args...)
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
			var n Notification
			return n, r.Scan(&n.ID, &n.Kind, &n.Title, &n.Link, &n.CreatedAt, &n.Read)
		})
		if err != nil {
			return Page{}, err
		}
		var p Page
		p.Notifications, p.Links = keyset.Finish(list, f.Cursor, f.PerPage, func(n Notification) []string {
			return []string{n.CreatedAt.Format(time.RFC3339Nano), n.ID.String()}
		})
		return p, nil
	})
}

// MarkRead marks one of the scope's person's notifications read and
// returns it (its link). db.ErrNotFound when it is not theirs (another
// person's, another tenant's, or none).
func (s *Store) MarkRead(ctx context.Context, sc db.Scope, id uuid.UUID) (Notification, error) {
	var n Notification
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE notifications SET read_at = coalesce(read_at, $4::timestamptz)
			WHERE tenant_id = $1 AND user_id = $2 AND id = $3
			RETURNING id, kind, title, link, created_at`, sc.TenantID, sc.UserID, id, s.Now()).
			Scan(&n.ID, &n.Kind, &n.Title, &n.Link, &n.CreatedAt)
		n.Read = true
		if err != nil {
			return db.NotFound("notification", err)
		}
		return nil
	})
	return n, db.Wrap("notify: mark read", err)
}

// MarkAllRead marks every unread notification of the scope's person
// read; returns how many.
func (s *Store) MarkAllRead(ctx context.Context, sc db.Scope) (int, error) {
	var n int64
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE notifications SET read_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`,
			sc.TenantID, sc.UserID, s.Now())
		n = tag.RowsAffected()
		return err
	})
	return int(n), db.Wrap("notify: mark all read", err)
}

// Settings are a person's notification settings in a tenant.
type Settings struct {
	Digest     bool      // the weekly email digest (default on)
	DigestWeek string    // the ISO week of the last one sent ("" none)
	DigestSent time.Time // when (zero: never)
}

// SettingsOf reads the scope's person's settings (the defaults when they
// never changed them).
func (s *Store) SettingsOf(ctx context.Context, sc db.Scope) (Settings, error) {
	return db.Read(ctx, s.DB, sc, "notify: settings", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) (Settings, error) {
		st := Settings{Digest: true}
		var week *string
		var sent *time.Time
		err := tx.QueryRow(ctx, `SELECT digest, digest_week, digest_sent_at FROM notification_settings WHERE tenant_id = $1 AND user_id = $2`,
			tenantID, sc.UserID).Scan(&st.Digest, &week, &sent)
		if errors.Is(err, pgx.ErrNoRows) {
			return st, nil
		}
		if week != nil {
			st.DigestWeek = *week
		}
		if sent != nil {
			st.DigestSent = *sent
		}
		return st, err
	})
}

// SetDigest turns the scope's person's weekly digest on or off.
func (s *Store) SetDigest(ctx context.Context, sc db.Scope, on bool) error {
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO notification_settings (tenant_id, user_id, digest, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at`,
			sc.TenantID, sc.UserID, on, s.Now())
		return err
	})
	return db.Wrap("notify: set digest", err)
}

// Week is t's ISO week, as digest_week keeps it ("2026-W49").
func Week(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Group is the digest's notifications of one kind, newest first.
type Group struct {
	Kind  Kind
	Items []Notification
}

// Digest is one person's weekly email: their unread notifications
// grouped by kind (at most DigestMax of them; Unread counts them all up
// to CountCap+1).
type Digest struct {
	UserID uuid.UUID
	Email  string
	Name   string
	Week   string
	Groups []Group
	Shown  int
	Unread int
}

// DigestMax is the most notifications one digest lists.
const DigestMax = 50

// TakeDigests claims this week's digest of every active member of the
// scope's tenant who has it on, has unread notifications and has had no
// digest this ISO week, and returns them to send. The claim (digest_week
// set to this week, in the same transaction) is what makes it at most
// one a week, whichever run gets there first; a digest that the mail
// queue then fails to deliver is not sent again that week. Bounded by the
// tenant's members, each read on the unread index.
func (s *Store) TakeDigests(ctx context.Context, sc db.Scope) ([]Digest, error) {
	now := s.Now()
	week := Week(now)
	return db.Read(ctx, s.DB, sc, "notify: digests", func(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]Digest, error) {
		rows, _ := tx.Query(ctx, `SELECT m.user_id, u.email, u.name FROM memberships m
			JOIN users u ON u.id = m.user_id
			LEFT JOIN notification_settings s ON s.tenant_id = m.tenant_id AND s.user_id = m.user_id
			WHERE m.tenant_id = $1 AND m.active AND coalesce(s.digest, true) AND s.digest_week IS DISTINCT FROM $2
			  AND EXISTS (SELECT 1 FROM notifications n WHERE n.tenant_id = m.tenant_id AND n.user_id = m.user_id AND n.read_at IS NULL)
			ORDER BY m.user_id`, tenantID, week)
		ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Digest, error) {
			d := Digest{Week: week}
			return d, r.Scan(&d.UserID, &d.Email, &d.Name)
		})
		if err != nil {
			return nil, err
		}
		var out []Digest
		for _, d := range ds {
			tag, err := tx.Exec(ctx, `INSERT INTO notification_settings (tenant_id, user_id, digest, digest_week, digest_sent_at, updated_at)
				VALUES ($1, $2, true, $3, $4, $4)
				ON CONFLICT (tenant_id, user_id) DO UPDATE SET digest_week = EXCLUDED.digest_week, digest_sent_at = EXCLUDED.digest_sent_at
				WHERE notification_settings.digest AND notification_settings.digest_week IS DISTINCT FROM EXCLUDED.digest_week`,
				tenantID, d.UserID, week, now)
			if err != nil {
				return nil, err
			}
			if tag.RowsAffected() != 1 {
				continue // another run took it, or they opted out meanwhile
			}
			if err := fillDigest(ctx, tx, tenantID, &d); err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// fillDigest reads d's person's unread notifications into its groups.
func fillDigest(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, d *Digest) error {
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications
		WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL LIMIT $3) x`, tenantID, d.UserID, CountCap+1).Scan(&d.Unread); err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, `SELECT id, kind, title, link, created_at FROM notifications
		WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $3`,
		tenantID, d.UserID, DigestMax)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
		var n Notification
		return n, r.Scan(&n.ID, &n.Kind, &n.Title, &n.Link, &n.CreatedAt)
	})
	if err != nil {
		return err
	}
	d.Shown = len(list)
	for _, k := range Kinds() {
		g := Group{Kind: k}
		for _, n := range list {
			if n.Kind == k {
				g.Items = append(g.Items, n)
			}
		}
		if len(g.Items) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	return nil
}
