package plan

import "context"
import "fmt"
import "time"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/audit"
import "pareto/internal/db"

const productColumns = "id, name, description, active, version"

func scanProduct(row pgx.Row, p *Product) error {
	return row.Scan(&p.ID, &p.Name, &p.Description, &p.Active, &p.Version)
}

// Products lists the scope's tenant's catalogue by name; only the active
// products when activeOnly.
func Products(ctx context.Context, d *db.DB, s db.Scope, activeOnly bool) ([]Product, error) {
	var out []Product
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var err error
		out, err = productsTx(ctx, tx, s.TenantID, activeOnly)
		return err
	})
	return out, wrap("products", err)
}

func productsTx(ctx context.Context, tx pgx.Tx, tenantID uuid.UUID, activeOnly bool) ([]Product, error) {
	rows, _ := tx.Query(ctx, "SELECT "+productColumns+` FROM products WHERE tenant_id = $1 AND (active OR NOT $2)
		ORDER BY NOT active, lower(name), id`, tenantID, activeOnly)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Product, error) {
		var p Product
		return p, scanProduct(r, &p)
	})
}

// ProductByID returns one product. db.ErrNotFound when it does not exist
// in the scope's tenant.
func ProductByID(ctx context.Context, d *db.DB, s db.Scope, id uuid.UUID) (Product, error) {
	var p Product
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		if err := scanProduct(tx.QueryRow(ctx, "SELECT "+productColumns+" FROM products WHERE tenant_id = $1 AND id = $2",
			s.TenantID, id), &p); err != nil {
			return db.NotFound("product", err)
		}
		return nil
	})
	return p, wrap("product", err)
}

var errProductName = db.FieldErrors{"name": "A product with this name exists already."}

// CreateProduct adds a product to the catalogue. Admin-only (the caller
// checks). db.FieldErrors for bad input or a name in use (case ignored).
func CreateProduct(ctx context.Context, d *db.DB, s db.Scope, in ProductInput) (uuid.UUID, error) {
	in.normalize()
	if fe := in.Validate(); len(fe) > 0 {
		return uuid.Nil, wrap("create product", fe)
	}
	var id uuid.UUID
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO products (tenant_id, name, description, active) VALUES ($1, $2, $3, $4) RETURNING id`,
			s.TenantID, in.Name, in.Description, in.Active).Scan(&id)
		if db.IsUniqueViolation(err, "products_name_key") {
			return errProductName
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: s.UserID, Action: "create", Entity: "product", EntityID: id.String(), After: in})
	})
	return id, wrap("create product", err)
}

// UpdateProduct changes a product. Admin-only (the caller checks).
// db.ErrNotFound, db.ErrConflict for a stale version, db.FieldErrors.
func UpdateProduct(ctx context.Context, d *db.DB, s db.Scope, id uuid.UUID, in ProductInput, version int) error {
	in.normalize()
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var p Product
		if err := scanProduct(tx.QueryRow(ctx, "SELECT "+productColumns+" FROM products WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
			s.TenantID, id), &p); err != nil {
			return db.NotFound("product", err)
		}
		if err := current(p.Version, version, in.Validate()); err != nil {
			return err
		}
		before := ProductInput{Name: p.Name, Description: p.Description, Active: p.Active}
		if before == in {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE products SET name = $3, description = $4, active = $5, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`, s.TenantID, id, in.Name, in.Description, in.Active)
		if db.IsUniqueViolation(err, "products_name_key") {
			return errProductName
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: s.UserID, Action: "update", Entity: "product", EntityID: id.String(),
			Before: before, After: in})
	})
	return wrap("update product", err)
}

// SettingsOf returns the scope's tenant's plan settings (the defaults until
// an admin saves them).
func SettingsOf(ctx context.Context, d *db.DB, s db.Scope) (Settings, error) {
	var out Settings
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var err error
		out, err = settingsTx(ctx, tx, s.TenantID)
		return err
	})
	return out, wrap("settings", err)
}

// SettingsInput is the plan settings form.
type SettingsInput struct {
	FiscalYearStartMonth int
	GoalTolerance        int
}

// Validate checks the month (1–12) and the tolerance (MinTolerance to
// MaxTolerance points).
func (in SettingsInput) Validate() db.FieldErrors {
	fe := db.FieldErrors{}
	if in.FiscalYearStartMonth < 1 || in.FiscalYearStartMonth > 12 {
		fe.Add("fiscal_year_start_month", "Choose a month.")
	}
	if in.GoalTolerance < MinTolerance || in.GoalTolerance > MaxTolerance {
		fe.Add("goal_tolerance", fmt.Sprintf("Enter whole points from %d to %d.", MinTolerance, MaxTolerance))
	}
	return fe
}

// UpdateSettings sets the month the fiscal year starts in and the goal
// status tolerance. Admin-only (the caller checks). version is the one
// read (0 before the first save); db.ErrConflict when stale,
// db.FieldErrors for values out of range.
func UpdateSettings(ctx context.Context, d *db.DB, s db.Scope, in SettingsInput, version int) error {
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		cur, err := settingsTx(ctx, tx, s.TenantID)
		if err != nil {
			return err
		}
		if err := current(cur.Version, version, in.Validate()); err != nil {
			return err
		}
		if cur.FiscalYearStartMonth == in.FiscalYearStartMonth && cur.GoalTolerance == in.GoalTolerance && cur.Version > 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, `INSERT INTO plan_settings (tenant_id, fiscal_year_start_month, goal_tolerance, updated_at)
			VALUES ($1, $2, $3, $5)
			ON CONFLICT (tenant_id) DO UPDATE SET fiscal_year_start_month = EXCLUDED.fiscal_year_start_month,
				goal_tolerance = EXCLUDED.goal_tolerance, version = plan_settings.version + 1, updated_at = EXCLUDED.updated_at
			WHERE plan_settings.version = $4`, s.TenantID, in.FiscalYearStartMonth, in.GoalTolerance, version, time.Now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return db.ErrConflict
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: s.UserID, Action: "update", Entity: "plan_settings", EntityID: s.TenantID.String(),
			Before: map[string]int{"fiscal_year_start_month": cur.FiscalYearStartMonth, "goal_tolerance": cur.GoalTolerance},
			After:  map[string]int{"fiscal_year_start_month": in.FiscalYearStartMonth, "goal_tolerance": in.GoalTolerance}})
	})
	return wrap("update settings", err)
}
