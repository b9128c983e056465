package plan

import "context"
import "errors"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

const cellColumns = `c.account_id, c.product_id, c.state, c.estimated_value, c.expected_close, c.version,
	coalesce(u.name, ''), c.updated_at`

func scanCell(row pgx.Row, c *Cell) error {
	return row.Scan(&c.AccountID, &c.ProductID, &c.State, &c.EstimatedValue, &c.ExpectedClose, &c.Version, &c.UpdatedBy, &c.UpdatedAt)
}

type cellState struct {
	State          CellState `json:"state"`
	EstimatedValue *float64  `json:"estimated_value,omitempty"`
	ExpectedClose  string    `json:"expected_close,omitempty"`
}

func cellStateOf(st CellState, v *float64, close *time.Time) *cellState {
	if st == CellNone {
		return nil
	}
	s := &cellState{State: st, EstimatedValue: v}
	if close != nil {
		s.ExpectedClose = close.Format(time.DateOnly)
	}
	return s
}

// SetCell sets what accountID has of productID. version is the cell's
// version as read (0 when it was not assessed yet); State CellNone clears
// the cell. Returns db.ErrNotFound for an unknown account or product,
// db.ErrForbidden when a may not plan the account, db.ErrConflict when the
// cell changed since it was read, db.FieldErrors for bad input.
func SetCell(ctx context.Context, d *db.DB, a Actor, accountID, productID uuid.UUID, in CellInput, version int) error {
	err := d.Tx(ctx, a.Scope, func(tx pgx.Tx) error {
		acct, err := accountFor(ctx, tx, a.TenantID, accountID)
		if err != nil {
			return err
		}
		var active bool
		if err := tx.QueryRow(ctx, "SELECT active FROM products WHERE tenant_id = $1 AND id = $2", a.TenantID, productID).
			Scan(&active); err != nil {
			return db.NotFound("product", err)
		}
		if err := a.mayEdit(acct.KAM); err != nil {
			return err
		}
		cur, err := cellTx(ctx, tx, a.TenantID, accountID, productID, true)
		if err != nil {
			return err
		}
		if err := current(cur.Version, version, in.Validate()); err != nil {
			return err
		}
		if !active && in.State != CellNone {
			return db.FieldErrors{"state": "This product is retired from the catalogue; it can only be cleared."}
		}
		before := cellStateOf(cur.State, cur.EstimatedValue, cur.ExpectedClose)
		after := cellStateOf(in.State, in.EstimatedValue, in.ExpectedClose)
		if before == nil && after == nil {
			return nil
		}
		if before != nil && after != nil && before.State == after.State && sameFloat(before.EstimatedValue, after.EstimatedValue) &&
			before.ExpectedClose == after.ExpectedClose {
			return nil
		}
		action := "update"
		switch {
		case after == nil:
			action = "clear"
			_, err = tx.Exec(ctx, "DELETE FROM whitespace_cells WHERE tenant_id = $1 AND account_id = $2 AND product_id = $3",
				a.TenantID, accountID, productID)
		case before == nil:
			action = "create"
			_, err = tx.Exec(ctx, `INSERT INTO whitespace_cells (tenant_id, account_id, product_id, state, estimated_value, expected_close, updated_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.TenantID, accountID, productID, in.State, in.EstimatedValue, in.ExpectedClose, db.Null(a.UserID))
		default:
			_, err = tx.Exec(ctx, `UPDATE whitespace_cells SET state = $4, estimated_value = $5, expected_close = $6, updated_by = $7,
					version = version + 1, updated_at = now()
				WHERE tenant_id = $1 AND account_id = $2 AND product_id = $3`,
				a.TenantID, accountID, productID, in.State, in.EstimatedValue, in.ExpectedClose, db.Null(a.UserID))
		}
		if db.IsUniqueViolation(err, "") {
			return db.ErrConflict // someone assessed the cell at the same moment
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.UserID, Action: action, Entity: "whitespace_cell",
			EntityID: accountID.String() + "/" + productID.String(), Before: before, After: after})
	})
	return wrap("set cell", err)
}

// cellTx reads one cell; a cell not assessed yet comes back with State
// CellNone and Version 0.
func cellTx(ctx context.Context, tx pgx.Tx, tenantID, accountID, productID uuid.UUID, lock bool) (Cell, error) {
	q := "SELECT " + cellColumns + ` FROM whitespace_cells c LEFT JOIN users u ON u.id = c.updated_by
		WHERE c.tenant_id = $1 AND c.account_id = $2 AND c.product_id = $3`
	if lock {
		q += " FOR UPDATE OF c"
	}
	var c Cell
	err := scanCell(tx.QueryRow(ctx, q, tenantID, accountID, productID), &c)
	if errors.Is(err, pgx.ErrNoRows) {
		return Cell{AccountID: accountID, ProductID: productID}, nil
	}
	if err != nil {
		return Cell{}, fmt.Errorf("cell: %w", err)
	}
	return c, nil
}

// CellView is one cell with its account and product, for the cell's own
// page.
type CellView struct {
	Cell
	AccountName string
	KAMUserID   *uuid.UUID
	Product     Product
}

// CellByID returns one cell. db.ErrNotFound when the account or the
// product does not exist in the scope's tenant.
func CellByID(ctx context.Context, d *db.DB, s db.Scope, accountID, productID uuid.UUID) (CellView, error) {
	var out CellView
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		acct, err := accountFor(ctx, tx, s.TenantID, accountID)
		if err != nil {
			return err
		}
		out.AccountName, out.KAMUserID = acct.Name, acct.KAM
		if err := scanProduct(tx.QueryRow(ctx, "SELECT "+productColumns+" FROM products WHERE tenant_id = $1 AND id = $2",
			s.TenantID, productID), &out.Product); err != nil {
			return db.NotFound("product", err)
		}
		out.Cell, err = cellTx(ctx, tx, s.TenantID, accountID, productID, false)
		return err
	})
	return out, wrap("cell", err)
}

// AccountCell is one product and what an account has of it.
type AccountCell struct {
	Product Product
	Cell    Cell
}

// AccountWhitespace is accountID's row of the grid: every active product,
// and retired ones the account has a cell for, by name.
func AccountWhitespace(ctx context.Context, d *db.DB, s db.Scope, accountID uuid.UUID) ([]AccountCell, error) {
	var out []AccountCell
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		if _, err := accountFor(ctx, tx, s.TenantID, accountID); err != nil {
			return err
		}
		var err error
		out, err = accountWhitespaceTx(ctx, tx, s.TenantID, accountID)
		return err
	})
	return out, wrap("account whitespace", err)
}

func accountWhitespaceTx(ctx context.Context, tx pgx.Tx, tenantID, accountID uuid.UUID) ([]AccountCell, error) {
	rows, _ := tx.Query(ctx, `SELECT p.id, p.name, p.description, p.active, p.version,
			coalesce(c.state, ''), c.estimated_value, c.expected_close, coalesce(c.version, 0), coalesce(u.name, ''),
			coalesce(c.updated_at, 'epoch'::timestamptz)
		FROM products p
		LEFT JOIN whitespace_cells c ON c.tenant_id = p.tenant_id AND c.product_id = p.id AND c.account_id = $2
		LEFT JOIN users u ON u.id = c.updated_by
		WHERE p.tenant_id = $1 AND (p.active OR c.product_id IS NOT NULL)
		ORDER BY lower(p.name), p.id`, tenantID, accountID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccountCell, error) {
		var ac AccountCell
		c := &ac.Cell
		err := r.Scan(&ac.Product.ID, &ac.Product.Name, &ac.Product.Description, &ac.Product.Active, &ac.Product.Version,
			&c.State, &c.EstimatedValue, &c.ExpectedClose, &c.Version, &c.UpdatedBy, &c.UpdatedAt)
		c.AccountID, c.ProductID = accountID, ac.Product.ID
		return ac, err
	})
}

// GridFilter narrows the portfolio grid to one KAM's accounts.
type GridFilter struct {
	KAMID uuid.UUID
}

// GridRow is one key account's row of the grid; Cells line up with
// Grid.Products.
type GridRow struct {
	AccountID   uuid.UUID
	AccountName string
	KAMName     string
	Cells       []Cell
	OpenValue   float64
	Open        int
}

// ProductTotal is one product's column total across the portfolio.
type ProductTotal struct {
	Product       Product
	Owned         int
	Opportunities int
	NotFit        int
	Unassessed    int
	OpenValue     float64
}

// Grid is the portfolio whitespace grid: key accounts × active products.
type Grid struct {
	Products  []Product
	Rows      []GridRow
	Totals    []ProductTotal
	OpenValue float64
	Open      int
}

// Whitespace builds the portfolio grid of the scope's tenant: every key
// account (not archived; one KAM's when f says so) × every active product,
// with totals.
func Whitespace(ctx context.Context, d *db.DB, s db.Scope, f GridFilter) (Grid, error) {
	var g Grid
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var err error
		if g.Products, err = productsTx(ctx, tx, s.TenantID, true); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT a.id, a.name, coalesce(k.name, '') FROM accounts a LEFT JOIN users k ON k.id = a.kam_user_id
			WHERE a.tenant_id = $1 AND a.key_status = 'key' AND a.archived_at IS NULL AND ($2::uuid IS NULL OR a.kam_user_id = $2)
			ORDER BY a.sort_name, a.id`, s.TenantID, db.Null(f.KAMID))
		if g.Rows, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (GridRow, error) {
			var gr GridRow
			return gr, r.Scan(&gr.AccountID, &gr.AccountName, &gr.KAMName)
		}); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, "SELECT "+cellColumns+` FROM whitespace_cells c
			JOIN accounts a ON a.tenant_id = c.tenant_id AND a.id = c.account_id
			JOIN products p ON p.tenant_id = c.tenant_id AND p.id = c.product_id
			LEFT JOIN users u ON u.id = c.updated_by
			WHERE c.tenant_id = $1 AND a.key_status = 'key' AND a.archived_at IS NULL AND p.active`, s.TenantID)
		cells, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Cell, error) {
			var c Cell
			return c, scanCell(r, &c)
		})
		if err != nil {
			return err
		}
		g.place(cells)
		return nil
	})
	return g, wrap("whitespace", err)
}

// place puts cells into the grid's rows and computes the totals.
func (g *Grid) place(cells []Cell) {
	type key struct{ a, p uuid.UUID }
	byKey := make(map[key]Cell, len(cells))
	for _, c := range cells {
		byKey[key{c.AccountID, c.ProductID}] = c
	}
	for i := range g.Rows {
		row := &g.Rows[i]
		row.Cells = make([]Cell, len(g.Products))
		for j, p := range g.Products {
			c, ok := byKey[key{row.AccountID, p.ID}]
			if !ok {
				c = Cell{AccountID: row.AccountID, ProductID: p.ID}
			}
			row.Cells[j] = c
		}
	}
	g.Totals, g.OpenValue, g.Open = Totals(g.Products, g.Rows)
	for i := range g.Rows {
		for _, c := range g.Rows[i].Cells {
			if c.State == CellOpportunity {
				g.Rows[i].Open++
				g.Rows[i].OpenValue += c.OpenValue()
			}
		}
	}
}

// Totals sums the grid by product: how many accounts own each product,
// how many are open opportunities and their value, how many are not a fit
// or not assessed; and the portfolio's open opportunity value and count.
// Each row's Cells must line up with products.
func Totals(products []Product, rows []GridRow) (byProduct []ProductTotal, openValue float64, open int) {
	byProduct = make([]ProductTotal, len(products))
	for j, p := range products {
		t := ProductTotal{Product: p}
		for _, r := range rows {
			if j >= len(r.Cells) {
				t.Unassessed++
				continue
			}
			switch c := r.Cells[j]; c.State {
			case CellOwned:
				t.Owned++
			case CellOpportunity:
				t.Opportunities++
				t.OpenValue += c.OpenValue()
			case CellNotFit:
				t.NotFit++
			default:
				t.Unassessed++
			}
		}
		byProduct[j] = t
		openValue += t.OpenValue
		open += t.Opportunities
	}
	return byProduct, openValue, open
}
