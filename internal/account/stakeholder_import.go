package account

import "context"
import "errors"
import "strings"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/importer"

// StakeholderImport is the stakeholder import: each row names an account
// (external reference, exact name or id, see Refs) and a person there. A
// row matches the account's stakeholder with the same email, or, without
// one, with the same name; other rows add stakeholders. Only mapped
// columns change a stakeholder (an empty buying role or strength keeps
// the current one). Every member may import; a KAM only for the accounts
// they manage (checked row by row). Reports-to is left as it is.
var StakeholderImport = &importer.Kind{
	Name:   "stakeholders",
	Entity: "stakeholder",
	Fields: []importer.Field{
		{Key: "account", Label: "Account", Required: true, Hint: "The account's external reference, exact name or id",
			Aliases: []string{"account_name", "account_ref", "account_id", "company", "company_name", "customer", "organization"}},
		{Key: "name", Label: "Name", Hint: "The person's full name (or First name and Last name)",
			Aliases: []string{"full_name", "contact", "contact_name", "person", "stakeholder"}},
		{Key: "first_name", Label: "First name", Hint: "With Last name, instead of Name (CRM exports)",
			Aliases: []string{"given_name", "firstname"}},
		{Key: "last_name", Label: "Last name", Hint: "With First name, instead of Name",
			Aliases: []string{"surname", "family_name", "lastname"}},
		{Key: "title", Label: "Title", Hint: "Job title", Aliases: []string{"job_title", "position"}},
		{Key: "email", Label: "Email", Hint: "Matches the person when given", Aliases: []string{"email_address", "e_mail", "mail"}},
		{Key: "phone", Label: "Phone", Aliases: []string{"phone_number", "telephone", "mobile", "tel"}},
		{Key: "buying_role", Label: "Buying role", Hint: "Decision maker, economic buyer, champion, executive sponsor, influencer, user or blocker",
			Aliases: []string{"role", "persona"}},
		{Key: "strength", Label: "Relationship strength", Hint: "Strong, neutral, weak or none",
			Aliases: []string{"relationship", "strength", "relationship_strength"}},
		{Key: "notes", Label: "Notes", Aliases: []string{"note", "comments", "comment"}},
	},
	CheckMapping: func(has func(string) bool) string {
		if !has("name") && !has("first_name") && !has("last_name") {
			return "Map a column to Name, or columns to First name and Last name."
		}
		if has("name") && (has("first_name") || has("last_name")) {
			return "Map either Name or First name and Last name, not both."
		}
		return ""
	},
	Presets: contactPresets,
	Plan:    planStakeholders,
	Target: importer.Target{Table: "stakeholders", Key: []string{"id"}, Versioned: true,
		Columns: []string{"id", "account_id", "name", "title", "email", "phone", "buying_role", "strength", "notes"}},
}

// stakeholderKey finds a stakeholder within an account: by email, or by
// name (both lower case).
type stakeholderKey struct {
	account uuid.UUID
	by      string // "email" or "name"
	value   string
}

func planStakeholders(ctx context.Context, tx pgx.Tx, a importer.Actor, rows []importer.Row, p *importer.Plan) error {
	refs, err := LoadRefs(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	q, _ := tx.Query(ctx, "SELECT "+stakeholderCols+" FROM stakeholders WHERE tenant_id = $1", a.TenantID)
	existing, err := pgx.CollectRows(q, func(r pgx.CollectableRow) (Stakeholder, error) { return scanStakeholder(r) })
	if err != nil {
		return err
	}
	known := map[stakeholderKey][]int{}
	for i, st := range existing {
		if st.Email != "" {
			k := stakeholderKey{st.AccountID, "email", strings.ToLower(st.Email)}
			known[k] = append(known[k], i)
		}
		k := stakeholderKey{st.AccountID, "name", strings.ToLower(st.Name)}
		known[k] = append(known[k], i)
	}
	seen := map[stakeholderKey]int{}
	for _, r := range rows {
		acct, msg := refs.FindEditable(r.Value("account"), a.Role, a.UserID, "stakeholders")
		if msg != "" {
			p.Fail(r, "account", msg)
			continue
		}
		key := stakeholderKey{acct.ID, "name", strings.ToLower(personName(r))}
		if email := r.Value("email"); email != "" {
			key = stakeholderKey{acct.ID, "email", strings.ToLower(email)}
		}
		if l, dup := seen[key]; dup {
			p.Failf(r, key.by, "This person of %s is also on line %d.", acct.Name, l)
			continue
		}
		seen[key] = r.Line
		var cur *Stakeholder
		matches := known[key]
		if key.by == "email" && len(matches) == 0 {
			// Someone recorded without an email, now given one.
			for _, i := range known[stakeholderKey{acct.ID, "name", strings.ToLower(personName(r))}] {
				if existing[i].Email == "" {
					matches = append(matches, i)
				}
			}
		}
		switch len(matches) {
		case 0:
		case 1:
			cur = &existing[matches[0]]
		default:
			p.Fail(r, key.by, "Several stakeholders of this account match; give their email to say which one.")
			continue
		}
		if err := planStakeholder(r, acct, cur, p); err != nil {
			return err
		}
	}
	return nil
}

// personName is row r's person: its Name, or its First name and Last
// name (CRM exports give both).
func personName(r importer.Row) string {
	if r.Mapped("name") {
		return r.Value("name")
	}
	return strings.TrimSpace(r.Value("first_name") + " " + r.Value("last_name"))
}

// planStakeholder reads row r over cur (nil for a new stakeholder).
func planStakeholder(r importer.Row, acct Ref, cur *Stakeholder, p *importer.Plan) error {
	var base StakeholderFields
	id := importer.NewID()
	if cur != nil {
		base, id = cur.StakeholderFields, cur.ID
	}
	in := base.FormValues()
	if cur == nil {
		in.Role, in.Strength = string(RoleUser), string(StrengthNone)
	}
	if r.Mapped("name") || r.Mapped("first_name") || r.Mapped("last_name") {
		in.Name = personName(r)
	}
	for key, dst := range map[string]*string{"title": &in.Title, "email": &in.Email, "phone": &in.Phone, "notes": &in.Notes} {
		if r.Mapped(key) {
			*dst = r.Value(key)
		}
	}
	roleOK := choiceCell(r, p, "buying_role", BuyingRoles, BuyingRole.Label, &in.Role,
		"Use decision maker, economic buyer, champion, executive sponsor, influencer, user or blocker.")
	strengthOK := choiceCell(r, p, "strength", Strengths, Strength.Label, &in.Strength, "Use strong, neutral, weak or none.")
	bad := !roleOK || !strengthOK
	f, err := in.Parse()
	var fe db.FieldErrors
	if errors.As(err, &fe) {
		for _, key := range []string{"name", "title", "email", "phone", "buying_role", "strength", "notes"} {
			if msg, ok := fe[key]; ok {
				if key == "name" && !r.Mapped("name") {
					key = "last_name" // the name was made of first and last name
				}
				p.Fail(r, key, msg)
			}
		}
		return nil
	}
	if err != nil || bad {
		return err
	}
	rec := f.Name + " · " + acct.Name
	values := []any{id, acct.ID, f.Name, f.Title, f.Email, f.Phone, string(f.Role), string(f.Strength), f.Notes}
	switch {
	case cur == nil:
		return p.Create(r, importer.Change{Record: rec, EntityID: id.String(), After: f.audit(), Values: values})
	case base == f:
		p.Keep(r, rec, id.String())
		return nil
	}
	var changed []string
	for _, c := range []struct {
		label string
		same  bool
	}{{"Name", base.Name == f.Name}, {"Title", base.Title == f.Title}, {"Email", base.Email == f.Email},
		{"Phone", base.Phone == f.Phone}, {"Buying role", base.Role == f.Role},
		{"Relationship strength", base.Strength == f.Strength}, {"Notes", base.Notes == f.Notes}} {
		if !c.same {
			changed = append(changed, c.label)
		}
	}
	return p.Update(r, importer.Change{Record: rec, EntityID: id.String(), Changed: changed, Before: base.audit(),
		After: f.audit(), Values: values, Version: cur.Version})
}

// choiceCell reads row r's cell key, when not empty, as one of all (by
// key or label) into dst; a value that is none of them fails the cell
// with msg (false).
func choiceCell[T ~string](r importer.Row, p *importer.Plan, key string, all []T, label func(T) string, dst *string, msg string) bool {
	v := r.Value(key)
	if v == "" {
		return true
	}
	c := byKeyOrLabel(v, all, label)
	if c == "" {
		p.Fail(r, key, msg)
		return false
	}
	*dst = string(c)
	return true
}

// byKeyOrLabel finds the value of all whose key or label s names, in any
// case and spacing ("Decision maker", "decision_maker").
func byKeyOrLabel[T ~string](s string, all []T, label func(T) string) T {
	k := importer.HeaderKey(s)
	for _, v := range all {
		if k == string(v) || k == importer.HeaderKey(label(v)) {
			return v
		}
	}
	return ""
}
