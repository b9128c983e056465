package account

import "context"
import "math/big"
import "strings"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/pgtype"

import "pareto/internal/db"
import "pareto/internal/importer"
import "pareto/internal/webhook"

// accountAliases are other header names for the account fields (the
// field keys and labels match already).
var accountAliases = map[string][]string{
	"name": {"account", "account_name", "company", "company_name", "customer", "customer_name"},
	"external_ref": {"external_reference", "reference", "ref", "external_id", "crm_id", "account_id", "customer_id",
		"account_number", "customer_number"},
	"industry":          {"sector", "vertical"},
	"region":            {"territory", "area"},
	"country":           {"country_code"},
	"segment":           {"tier"},
	"status":            {"account_status"},
	"customer_since":    {"since", "first_order", "start_date"},
	"annual_revenue":    {"revenue", "sales", "annual_sales"},
	"revenue_potential": {"potential", "potential_revenue"},
	"notes":             {"note", "comments", "comment"},
}

// Import is the account import: a row whose external reference matches
// an account updates it, a row without one matches an account of the same
// name that has none, other rows create accounts. Only mapped columns
// change an account (an empty status keeps the current one). Admins and
// leaders only (CanCreate).
var Import = &importer.Kind{
	Name:   "accounts",
	Entity: "account",
	Fields: importFields(),
	CheckMapping: func(has func(string) bool) string {
		if !has("name") && !has("external_ref") {
			return "Map a column to Name or External reference, so rows can be matched."
		}
		return ""
	},
	Presets:   accountPresets,
	CanImport: CanCreate,
	Plan:      planAccounts,
	Target: importer.Target{Table: "accounts", Key: []string{"id"}, Versioned: true,
		Columns: []string{"id", "name", "external_ref", "industry", "region", "country", "segment", "status",
			"customer_since", "annual_revenue", "revenue_potential", "notes"},
		// Eight of the accounts indexes sort by name (sort_name is
		// lower(name)).
		InsertOrder: "lower(name), id"},
	Keep:   keepImported,
	Events: &importer.Events{Object: "account", Created: webhook.AccountCreated, Updated: webhook.AccountUpdated},
}

// keepImported keeps the tallies of an account import: by difference for
// a small import, counted again after a large one (as costly as the
// import itself).
func keepImported(ctx context.Context, tx pgx.Tx, a importer.Actor, ids []string) (func() error, error) {
	if len(ids) > tallyByDifference {
		return func() error { return Recount(ctx, tx, a.TenantID) }, nil
	}
	accounts := make([]uuid.UUID, 0, len(ids))
	for _, s := range ids {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, id)
	}
	held, err := Hold(ctx, tx, a.TenantID, accounts...)
	if err != nil {
		return nil, err
	}
	return func() error { return held.Settle(ctx, tx) }, nil
}

// tallyByDifference is the largest write whose tallies are kept by
// difference; larger ones count again.
const tallyByDifference = 2000

func importFields() []importer.Field {
	out := make([]importer.Field, len(AccountFields))
	for i, fd := range AccountFields {
		out[i] = importer.Field{Key: fd.Key, Label: fd.Label, Aliases: accountAliases[fd.Key]}
	}
	return out
}

// existingAccount is what planning needs to know of a saved account.
type existingAccount struct {
	ID      uuid.UUID
	Version int
	Fields
}

func loadExisting(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID) ([]existingAccount, error) {
	rows, _ := tx.Query(ctx, `SELECT id, name, coalesce(external_ref, ''), industry, region, country, segment, status,
			customer_since, (annual_revenue * 100)::bigint, (revenue_potential * 100)::bigint, notes, version
		FROM accounts WHERE tenant_id = $1`, tenantID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (existingAccount, error) {
		var e existingAccount
		var since *time.Time
		err := r.Scan(&e.ID, &e.Name, &e.ExternalRef, &e.Industry, &e.Region, &e.Country, &e.Segment, &e.Status,
			&since, &e.AnnualRevenue, &e.RevenuePotential, &e.Notes, &e.Version)
		if since != nil {
			e.CustomerSince = dateOnly(*since)
		}
		return e, err
	})
}

func planAccounts(ctx context.Context, tx pgx.Tx, a importer.Actor, rows []importer.Row, p *importer.Plan) error {
	existing, err := loadExisting(ctx, tx, a.TenantID)
	if err != nil {
		return err
	}
	return planRows(rows, existing, p)
}

// planRows matches rows to existing accounts: by external reference, or
// (rows without one) by name among accounts without a reference. Pure;
// the same inputs give the same plan, except the ids of new accounts.
func planRows(rows []importer.Row, existing []existingAccount, p *importer.Plan) error {
	byRef := make(map[string]int, len(existing))
	byName := map[string][]int{}
	for i, e := range existing {
		if e.ExternalRef != "" {
			byRef[e.ExternalRef] = i
		} else {
			k := strings.ToLower(e.Name)
			byName[k] = append(byName[k], i)
		}
	}
	industries := caseCanon{}
	for _, e := range existing {
		industries.of(e.Industry)
	}
	refLine, nameLine := map[string]int{}, map[string]int{}
	for _, r := range rows {
		// Match first, so an update starts from the saved values.
		ref, name := r.Value("external_ref"), r.Value("name")
		var match *existingAccount
		if ref != "" {
			if l, dup := refLine[ref]; dup {
				p.Failf(r, "external_ref", "This reference is also on line %d.", l)
				continue
			}
			refLine[ref] = r.Line
			if i, ok := byRef[ref]; ok {
				match = &existing[i]
			}
		} else if k := strings.ToLower(name); k != "" {
			if l, dup := nameLine[k]; dup {
				p.Failf(r, "name", "This name (without a reference) is also on line %d; add external references to tell them apart.", l)
				continue
			}
			nameLine[k] = r.Line
			switch ids := byName[k]; len(ids) {
			case 0:
			case 1:
				match = &existing[ids[0]]
			default:
				p.Fail(r, "name", "Several accounts have this name; add an external reference to say which one.")
				continue
			}
		}
		var base Fields
		if match != nil {
			base = match.Fields
		}
		f, ok := rowFields(r, base, match != nil, p)
		if !ok {
			continue
		}
		if match == nil || !strings.EqualFold(base.Industry, f.Industry) {
			f.Industry = industries.of(f.Industry)
		}
		var err error
		switch {
		case match == nil:
			id := importer.NewID()
			err = p.Create(r, importer.Change{Record: record(f), EntityID: id.String(), After: f.auditFields(), Values: accountValues(id, f)})
		case base.Same(f):
			p.Keep(r, record(f), match.ID.String())
		default:
			before, after := diff(base, f)
			var changed []string
			for _, fd := range AccountFields {
				if _, ok := before[fd.Key]; ok {
					changed = append(changed, fd.Label)
				}
			}
			err = p.Update(r, importer.Change{Record: record(f), EntityID: match.ID.String(), Changed: changed,
				Before: before, After: after, Values: accountValues(match.ID, f), Version: match.Version})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// rowFields reads a row's mapped cells over base (a new account starts as
// a prospect; an update keeps its status when the cell is empty).
func rowFields(r importer.Row, base Fields, found bool, p *importer.Plan) (Fields, bool) {
	f := base
	if !found {
		f = Fields{Status: StatusProspect}
	}
	ok := true
	for _, fd := range AccountFields {
		raw := r.Value(fd.Key)
		if !r.Mapped(fd.Key) || (fd.Key == "status" && raw == "" && found) {
			continue
		}
		if err := fd.set(&f, raw); err != nil {
			p.Fail(r, fd.Key, err.Error())
			ok = false
		}
	}
	if ok && f.Name == "" {
		if r.Mapped("name") {
			p.Fail(r, "name", "Enter a name.")
		} else {
			p.Fail(r, "external_ref", "No account has this reference; map a Name column to create new accounts.")
		}
		ok = false
	}
	return f, ok
}

func record(f Fields) string {
	if f.ExternalRef == "" {
		return f.Name
	}
	return f.Name + " (" + f.ExternalRef + ")"
}

func accountValues(id uuid.UUID, f Fields) []any {
	return []any{pgtype.UUID{Bytes: id, Valid: true}, f.Name, db.Null(f.ExternalRef), f.Industry, f.Region, f.Country, f.Segment, string(f.Status),
		db.NullTime(f.CustomerSince), numeric(f.AnnualRevenue), numeric(f.RevenuePotential), f.Notes}
}

// numeric is an amount as PostgreSQL's numeric, exactly.
func numeric(m Money) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(int64(m)), Exp: -2, Valid: true}
}
