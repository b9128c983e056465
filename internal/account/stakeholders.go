package account

import "context"
import "fmt"
import "net/mail"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/auth"
import "pareto/internal/db"
import "pareto/internal/limits"

// BuyingRole is a stakeholder's part in the buying decision.
//
//	RoleDecisionMaker    "decision_maker"    "Decision maker"
//	RoleEconomicBuyer    "economic_buyer"    "Economic buyer"
//	RoleChampion         "champion"          "Champion"
//	RoleExecutiveSponsor "executive_sponsor" "Executive sponsor" // the client's executive who sponsors the relationship (ours is an account team role)
//	RoleInfluencer       "influencer"        "Influencer"
//	RoleUser             "user"              "User"
//	RoleBlocker          "blocker"           "Blocker"
//
//enumgen:values BuyingRoles
type BuyingRole string

// DecisionRoles are the roles a relationship should have mapped: who
// decides, who holds the budget, who argues for us inside, and which
// executive sponsors the relationship (the health score's coverage).
var DecisionRoles = []BuyingRole{RoleDecisionMaker, RoleEconomicBuyer, RoleChampion, RoleExecutiveSponsor}

// Decides reports whether r is one of the DecisionRoles.
func (r BuyingRole) Decides() bool {
	return r == RoleDecisionMaker || r == RoleEconomicBuyer || r == RoleChampion || r == RoleExecutiveSponsor
}

// Strength is how good our relationship with a stakeholder is, strongest
// first.
//
//	StrengthStrong  "strong"  "Strong"
//	StrengthNeutral "neutral" "Neutral"
//	StrengthWeak    "weak"    "Weak"
//	StrengthNone    "none"    "No relationship"
//
//enumgen:values Strengths
type Strength string

// StakeholderFields are the editable facts of a stakeholder.
type StakeholderFields struct {
	Name        string
	Title       string
	Email       string
	Phone       string
	Role        BuyingRole
	Strength    Strength
	ReportsToID uuid.UUID // uuid.Nil when none
	Notes       string
	// LeftOn is the day the person left the company (midnight UTC); zero
	// while they are there. A stakeholder who left keeps their history but
	// no longer counts as a contact.
	LeftOn time.Time
}

// Left reports whether the stakeholder has left the company.
func (f StakeholderFields) Left() bool { return !f.LeftOn.IsZero() }

// Stakeholder is a person at an account.
type Stakeholder struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	StakeholderFields
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StakeholderInput is the stakeholder form as typed.
type StakeholderInput struct {
	Name, Title, Email, Phone, Role, Strength, ReportsTo, Notes string
	LeftOn                                                      string // a date, "" while they are there
}

// Parse validates in; errors are db.FieldErrors keyed by form field name
// (name, title, email, phone, buying_role, strength, reports_to, notes,
// left_on).
func (in StakeholderInput) Parse() (StakeholderFields, error) {
	fe := db.FieldErrors{}
	var f StakeholderFields
	var err error
	if f.Name, err = text(in.Name, limits.Name, true); err != nil {
		fe.Add("name", err.Error())
	}
	if f.Title, err = text(in.Title, limits.Name, false); err != nil {
		fe.Add("title", err.Error())
	}
	if f.Email, err = text(in.Email, limits.Email, false); err != nil {
		fe.Add("email", err.Error())
	} else if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email {
			fe.Add("email", "Enter a valid email address, like name@example.com.")
		}
	}
	if f.Phone, err = text(in.Phone, limits.Phone, false); err != nil {
		fe.Add("phone", err.Error())
	} else if strings.ContainsFunc(f.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-()./ x", r) }) {
		fe.Add("phone", "Use digits, spaces and + - ( ) . / only.")
	}
	f.Role = BuyingRole(in.Role)
	if !f.Role.Valid() {
		fe.Add("buying_role", "Choose a buying role.")
	}
	f.Strength = Strength(in.Strength)
	if in.Strength == "" {
		f.Strength = StrengthNone
	}
	if !f.Strength.Valid() {
		fe.Add("strength", "Choose a relationship strength.")
	}
	if in.ReportsTo != "" {
		if f.ReportsToID, err = uuid.Parse(in.ReportsTo); err != nil {
			fe.Add("reports_to", "Choose a stakeholder of this account.")
		}
	}
	if f.Notes, err = longText(in.Notes, limits.Notes); err != nil {
		fe.Add("notes", err.Error())
	}
	if f.LeftOn, err = ParseDate(in.LeftOn, false); err != nil {
		fe.Add("left_on", err.Error())
	} else if f.LeftOn.After(time.Now()) {
		fe.Add("left_on", "Use the day they left, not a date to come.")
	}
	if err := fe.Err(); err != nil {
		return StakeholderFields{}, err
	}
	return f, nil
}

// FormValues are f as the form shows them.
func (f StakeholderFields) FormValues() StakeholderInput {
	in := StakeholderInput{Name: f.Name, Title: f.Title, Email: f.Email, Phone: f.Phone, Role: string(f.Role),
		Strength: string(f.Strength), Notes: f.Notes}
	if f.ReportsToID != uuid.Nil {
		in.ReportsTo = f.ReportsToID.String()
	}
	if f.Left() {
		in.LeftOn = f.LeftOn.Format(time.DateOnly)
	}
	return in
}

func (f StakeholderFields) audit() map[string]string {
	v := f.FormValues()
	return map[string]string{"name": f.Name, "title": f.Title, "email": f.Email, "phone": f.Phone,
		"buying_role": string(f.Role), "strength": string(f.Strength), "reports_to": v.ReportsTo, "left_on": v.LeftOn}
}

const stakeholderCols = `id, account_id, name, title, email, phone, buying_role, strength, reports_to_id, notes, left_on,
	version, created_at, updated_at`

func scanStakeholder(row pgx.Row) (Stakeholder, error) {
	var st Stakeholder
	var rt *uuid.UUID
	var left *time.Time
	err := row.Scan(&st.ID, &st.AccountID, &st.Name, &st.Title, &st.Email, &st.Phone, &st.Role, &st.Strength, &rt,
		&st.Notes, &left, &st.Version, &st.CreatedAt, &st.UpdatedAt)
	if rt != nil {
		st.ReportsToID = *rt
	}
	if left != nil {
		st.LeftOn = time.Date(left.Year(), left.Month(), left.Day(), 0, 0, 0, 0, time.UTC)
	}
	return st, err
}

func listStakeholders(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID) ([]Stakeholder, error) {
	rows, _ := tx.Query(ctx, "SELECT "+stakeholderCols+` FROM stakeholders WHERE tenant_id = $1 AND account_id = $2
		ORDER BY left_on IS NOT NULL, CASE buying_role WHEN 'decision_maker' THEN 0 WHEN 'economic_buyer' THEN 1
		WHEN 'champion' THEN 2 WHEN 'executive_sponsor' THEN 3 WHEN 'influencer' THEN 4 WHEN 'blocker' THEN 5 ELSE 6 END,
		lower(name), id`, tenantID, accountID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Stakeholder, error) { return scanStakeholder(r) })
}

// Stakeholders lists an account's stakeholders, decision makers first.
// Returns db.ErrNotFound when the account does not exist in the tenant.
func (s *Store) Stakeholders(ctx context.Context, sc db.Scope, accountID uuid.UUID) ([]Stakeholder, error) {
	var out []Stakeholder
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := getAccount(ctx, tx, sc.TenantID, accountID, false); err != nil {
			return err
		}
		var err error
		out, err = listStakeholders(ctx, tx, sc.TenantID, accountID)
		return err
	})
	return out, wrap("stakeholders", err)
}

// Stakeholder returns one stakeholder of an account (db.ErrNotFound).
func (s *Store) Stakeholder(ctx context.Context, sc db.Scope, accountID, id uuid.UUID) (Stakeholder, error) {
	return stakeholders.one(ctx, s.DB, sc, accountID, id)
}

func getStakeholder(ctx context.Context, tx pgx.Tx, tenantID, accountID, id uuid.UUID, lock bool) (Stakeholder, error) {
	return db.One(ctx, tx, "stakeholder", scanStakeholder, lock, " FOR UPDATE",
		"SELECT "+stakeholderCols+" FROM stakeholders WHERE tenant_id = $1 AND account_id = $2 AND id = $3", tenantID, accountID, id)
}

// editableAccount loads an account for a change to it or its records and
// checks CanEdit. It locks the account row (FOR SHARE) so the KAM cannot
// change under the check.
func editableAccount(ctx context.Context, tx pgx.Tx, sc db.Scope, role auth.Role, accountID uuid.UUID) (Account, error) {
	a, err := getAccount(ctx, tx, sc.TenantID, accountID, false)
	if err != nil {
		return Account{}, err
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM accounts WHERE tenant_id = $1 AND id = $2 FOR SHARE", sc.TenantID, accountID); err != nil {
		return Account{}, err
	}
	if !CanEdit(role, sc.UserID, a) {
		return Account{}, fmt.Errorf("edit account %s as %s: %w", accountID, role, db.ErrForbidden)
	}
	return a, nil
}

// editTx runs write in one transaction of the scope's tenant once the
// member may edit the account (editableAccount: db.ErrNotFound,
// db.ErrForbidden; the account is share-locked).
func editTx(ctx context.Context, d *db.DB, sc db.Scope, role auth.Role, accountID uuid.UUID, write func(tx pgx.Tx) error) error {
	return d.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := editableAccount(ctx, tx, sc, role, accountID); err != nil {
			return err
		}
		return write(tx)
	})
}

// checkReportsTo makes sure the manager is a stakeholder of the same
// account and that id would not end up reporting to itself.
func checkReportsTo(ctx context.Context, tx pgx.Tx, sc db.Scope, accountID, id, reportsTo uuid.UUID) error {
	if reportsTo == uuid.Nil {
		return nil
	}
	if reportsTo == id {
		return db.FieldErrors{"reports_to": "A person cannot report to themselves."}
	}
	sts, err := listStakeholders(ctx, tx, sc.TenantID, accountID)
	if err != nil {
		return err
	}
	parent := map[uuid.UUID]uuid.UUID{}
	for _, st := range sts {
		parent[st.ID] = st.ReportsToID
	}
	if _, ok := parent[reportsTo]; !ok {
		return db.FieldErrors{"reports_to": "Choose a stakeholder of this account."}
	}
	for cur, n := reportsTo, 0; cur != uuid.Nil && n <= len(sts); cur, n = parent[cur], n+1 {
		if cur == id {
			return db.FieldErrors{"reports_to": "That would make a reporting loop: this person already manages them."}
		}
	}
	return nil
}

// CreateStakeholder adds a stakeholder to an account. Needs CanEdit on the
// account (db.ErrForbidden); db.ErrNotFound for a missing account.
func (s *Store) CreateStakeholder(ctx context.Context, sc db.Scope, role auth.Role, accountID uuid.UUID, f StakeholderFields) (Stakeholder, error) {
	var st Stakeholder
	err := editTx(ctx, s.DB, sc, role, accountID, func(tx pgx.Tx) error {
		if err := checkReportsTo(ctx, tx, sc, accountID, uuid.Nil, f.ReportsToID); err != nil {
			return err
		}
		var err error
		st, err = scanStakeholder(tx.QueryRow(ctx, `INSERT INTO stakeholders (account_id, name, title, email, phone,
				buying_role, strength, reports_to_id, notes, left_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING `+stakeholderCols,
			accountID, f.Name, f.Title, f.Email, f.Phone, f.Role, f.Strength, db.Null(f.ReportsToID), f.Notes, db.NullTime(f.LeftOn)))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "create", Entity: "stakeholder",
			EntityID: st.ID.String(), After: f.audit()})
	})
	return st, wrap("create stakeholder", err)
}

// UpdateStakeholder saves f over a stakeholder when version is current
// (db.ErrConflict otherwise). Needs CanEdit on the account.
func (s *Store) UpdateStakeholder(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID, f StakeholderFields, version int) (Stakeholder, error) {
	var st Stakeholder
	err := editTx(ctx, s.DB, sc, role, accountID, func(tx pgx.Tx) error {
		cur, err := stakeholders.locked(ctx, tx, sc.TenantID, accountID, id, version)
		if err != nil {
			return err
		}
		if cur.StakeholderFields == f {
			st = cur
			return nil
		}
		if err := checkReportsTo(ctx, tx, sc, accountID, id, f.ReportsToID); err != nil {
			return err
		}
		st, err = scanStakeholder(tx.QueryRow(ctx, `UPDATE stakeholders SET name = $4, title = $5, email = $6, phone = $7,
				buying_role = $8, strength = $9, reports_to_id = $10, notes = $11, left_on = $12, version = version + 1,
				updated_at = now()
			WHERE tenant_id = $1 AND account_id = $2 AND id = $3 RETURNING `+stakeholderCols,
			sc.TenantID, accountID, id, f.Name, f.Title, f.Email, f.Phone, f.Role, f.Strength, db.Null(f.ReportsToID), f.Notes,
			db.NullTime(f.LeftOn)))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: sc.UserID, Action: "update", Entity: "stakeholder",
			EntityID: id.String(), Before: cur.audit(), After: f.audit()})
	})
	return st, wrap("update stakeholder", err)
}

// DeleteStakeholder removes a stakeholder; the people reporting to them
// then report to nobody, and they leave the interactions they took part
// in. Needs CanEdit on the account.
func (s *Store) DeleteStakeholder(ctx context.Context, sc db.Scope, role auth.Role, accountID, id uuid.UUID) error {
	return stakeholders.remove(ctx, s.DB, sc, role, accountID, id)
}

// MapNode is a stakeholder in the reporting tree.
type MapNode struct {
	Stakeholder
	Children []*MapNode
}

// ReportingTree arranges stakeholders by reports-to: the roots are the
// people who report to nobody on the list. It never loops, even on bad
// data: a cycle is broken at the first person met twice.
func ReportingTree(sts []Stakeholder) []*MapNode {
	nodes := make(map[uuid.UUID]*MapNode, len(sts))
	for _, st := range sts {
		nodes[st.ID] = &MapNode{Stakeholder: st}
	}
	var roots []*MapNode
	for _, st := range sts {
		parent, ok := nodes[st.ReportsToID]
		if !ok || st.ReportsToID == st.ID || reaches(nodes, st.ReportsToID, st.ID, len(sts)) {
			roots = append(roots, nodes[st.ID])
		} else {
			parent.Children = append(parent.Children, nodes[st.ID])
		}
	}
	return roots
}

// reaches reports whether walking up from start meets target.
func reaches(nodes map[uuid.UUID]*MapNode, start, target uuid.UUID, limit int) bool {
	for cur, n := start, 0; n <= limit; n++ {
		if cur == target {
			return true
		}
		node, ok := nodes[cur]
		if !ok {
			return false
		}
		cur = node.ReportsToID
	}
	return true // too deep means a loop
}

// Warnings are what a KAM should worry about in an account's relationships:
// no champion, no decision maker known, a decision maker we barely know.
func Warnings(sts []Stakeholder) []string {
	if len(sts) == 0 {
		return []string{"No stakeholders recorded yet: add the people you deal with, starting with the decision maker."}
	}
	var out []string
	var champion, dm bool
	current := sts[:0:0]
	for _, st := range sts {
		if !st.Left() { // who left no longer speaks for the account
			current = append(current, st)
		}
	}
	sts = current
	for _, st := range sts {
		champion = champion || st.Role == RoleChampion
		dm = dm || st.Role == RoleDecisionMaker
	}
	if !dm {
		out = append(out, "No decision maker known: find out who signs.")
	}
	if !champion {
		out = append(out, "No champion: nobody inside the account argues for us.")
	}
	for _, st := range sts {
		if st.Role != RoleDecisionMaker {
			continue
		}
		switch st.Strength {
		case StrengthWeak:
			out = append(out, "Decision maker "+st.Name+" has only a weak relationship with us.")
		case StrengthNone:
			out = append(out, "Decision maker "+st.Name+" has no relationship with us yet.")
		}
	}
	return out
}
