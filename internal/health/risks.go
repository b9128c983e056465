package health

import "context"
import "encoding/csv"
import "fmt"
import "io"
import "strconv"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/csvcell"
import "pareto/internal/db"
import "pareto/internal/keyset"

// The portfolio risk list: every warning in force (account_risks, kept
// with the health), one row per account and kind, by account name. It
// pages by position (keyset) on indexes that lead with each filter, so a
// page costs the same at any portfolio size.

// RiskFilter narrows the risk list.
type RiskFilter struct {
	Kind  Kind      // "" every kind
	KAMID uuid.UUID // uuid.Nil every KAM's
	Key   string    // "key": key accounts only; "other": the others; "" both
}

// where is f's condition on account_risks r (the list), adding its
// values to args.
func (f RiskFilter) where(args *[]any) string {
	return f.cond(args, "r", "r.key_status = 'key'", "r.key_status <> 'key'")
}

// tallyWhere is f's condition on risk_tallies t (the list's kept counts).
func (f RiskFilter) tallyWhere(args *[]any) string {
	return f.cond(args, "t", "t.is_key", "NOT t.is_key")
}

// cond is f's condition on table alias t, whose key and other conditions
// are given.
func (f RiskFilter) cond(args *[]any, t, key, other string) string {
	w := t + ".tenant_id = $1"
	add := func(col string, v any) {
		*args = append(*args, v)
		w += " AND " + t + "." + col + " = $" + strconv.Itoa(len(*args))
	}
	if f.Kind != "" {
		add("kind", string(f.Kind))
	}
	if f.KAMID != uuid.Nil {
		add("kam_user_id", f.KAMID)
	}
	switch f.Key {
	case "key":
		w += " AND " + key
	case "other":
		w += " AND " + other
	}
	return w
}

// Risk is one warning in the list.
type Risk struct {
	AccountID   uuid.UUID
	AccountName string
	KeyStatus   string
	KAMName     string
	Kind        Kind
	Detail      string
	Health      *int
	Since       time.Time
}

// RiskPage is one page of the risk list.
type RiskPage struct {
	Risks []Risk
	Links keyset.Links
	Total int // warnings matching the filter (kept: risk_tallies)
}

// RiskPerPage is the risk list's page length.
const RiskPerPage = 50

var riskOrder = keyset.Order{Cols: []keyset.Col{{SQL: "r.sort_name", Type: "text"}, {SQL: "r.account_id", Type: "uuid"},
	{SQL: "r.kind", Type: "text"}}}

const riskCols = `r.account_id, a.name, r.key_status, coalesce(u.name, ''), r.kind, r.detail, r.health, r.since, r.sort_name`

const riskFrom = `account_risks r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
	LEFT JOIN users u ON u.id = r.kam_user_id`

func scanRisk(row pgx.Row, sortName *string) (Risk, error) {
	var x Risk
	var h *int16
	err := row.Scan(&x.AccountID, &x.AccountName, &x.KeyStatus, &x.KAMName, &x.Kind, &x.Detail, &h, &x.Since, sortName)
	if h != nil {
		v := int(*h)
		x.Health = &v
	}
	x.Since = dateOf(x.Since)
	return x, err
}

// Risks returns the page of the risk list at cursor c. Anybody signed in
// may read it.
func (s *Store) Risks(ctx context.Context, sc db.Scope, f RiskFilter, c keyset.Cursor) (RiskPage, error) {
	var out RiskPage
	err := s.DB.Tx(ctx, sc, func(tx pgx.Tx) error {
		targs := []any{sc.TenantID}
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM risk_tallies t WHERE `+f.tallyWhere(&targs),
			targs...).Scan(&out.Total); err != nil {
			return err
		}
		args := []any{sc.TenantID}
		where := f.where(&args)
		cond, orderBy, limit := riskOrder.Plan(c, RiskPerPage, &args)
		rows, _ := tx.Query(ctx, `SELECT `+riskCols+` FROM `+riskFrom+` WHERE `+where+cond+` ORDER BY `+orderBy+limit, args...)
		type keyed struct {
			Risk
			sortName string
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (keyed, error) {
			var k keyed
			var err error
			k.Risk, err = scanRisk(r, &k.sortName)
			return k, err
		})
		if err != nil {
			return err
		}
		list, out.Links = keyset.Finish(list, c, RiskPerPage, func(k keyed) []string {
			return []string{k.sortName, k.AccountID.String(), string(k.Kind)}
		})
		for _, k := range list {
			out.Risks = append(out.Risks, k.Risk)
		}
		return nil
	})
	return out, wrap("risks", err)
}

// AccountRisks are the warnings in force on kamID's accounts (every
// account when uuid.Nil), by account name, at most limit, and how many
// there are: the home page's list.
func (s *Store) AccountRisks(ctx context.Context, sc db.Scope, kamID uuid.UUID, limit int) ([]Risk, int, error) {
	p, err := s.Risks(ctx, sc, RiskFilter{KAMID: kamID, Key: "key"}, keyset.Cursor{})
	if err != nil {
		return nil, 0, err
	}
	return p.Risks[:min(limit, len(p.Risks))], p.Total, nil
}

// RisksCSV writes every warning matching f as CSV, in the list's order,
// walking the index page by page.
func (s *Store) RisksCSV(ctx context.Context, sc db.Scope, f RiskFilter, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"account_id", "account", "key_status", "kam", "warning", "detail", "health", "since"}); err != nil {
		return err
	}
	c := keyset.Cursor{}
	for {
		p, err := s.Risks(ctx, sc, f, c)
		if err != nil {
			return err
		}
		for _, r := range p.Risks {
			h := ""
			if r.Health != nil {
				h = strconv.Itoa(*r.Health)
			}
			if err := cw.Write([]string{r.AccountID.String(), csvcell.Safe(r.AccountName), r.KeyStatus, csvcell.Safe(r.KAMName),
				string(r.Kind), csvcell.Safe(r.Detail), h, r.Since.Format(time.DateOnly)}); err != nil {
				return err
			}
		}
		if !p.Links.HasNext {
			break
		}
		c = p.Links.Next
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("health: risks csv: %w", err)
	}
	return nil
}
