package db

import "context"
import "database/sql"
import "errors"
import "fmt"
import "io/fs"
import "time"

import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/stdlib"
import "github.com/pressly/goose/v3"
import "github.com/pressly/goose/v3/lock"

import "pareto/migrations"

// Migrator applies the embedded goose migrations as the login role (the
// owner of the tables), not as AppRole.
type Migrator struct {
	url   string
	citus bool
	// Distributed lists the tables Up distributed (or made reference or
	// Citus-local tables) on a Citus coordinator, in order.
	Distributed []string
	sqlDB       *sql.DB
	provider    *goose.Provider
}

// NewMigrator opens a migrations connection to url. A Postgres session
// lock keeps two instances starting at once from both migrating.
func NewMigrator(url string) (*Migrator, error) { return newMigrator(url, migrations.FS) }

// newMigrator is NewMigrator with the migration files of fsys.
func newMigrator(url string, fsys fs.FS) (*Migrator, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("migrate: parse url: %w", err)
	}
	citus, err := detectCitus(cfg)
	if err != nil {
		return nil, err
	}
	if citus {
		// A later migration's CREATE TABLE points at distributed tables
		// (tenants) and at the users reference table; with this on, Citus
		// would make the new table a Citus-local one, which may not point
		// at distributed tables, and refuse. Off, it stays a plain table
		// until Up distributes it. Triggers (same-tenant rows only, see
		// Distribute) need the explicit permission on distributed tables.
		// A migration is one transaction mixing DDL on distributed tables
		// with function and trigger DDL, which Citus runs only with
		// sequential shard commands.
		cfg.RuntimeParams["citus.enable_local_reference_table_foreign_keys"] = "off"
		cfg.RuntimeParams["citus.enable_unsafe_triggers"] = "on"
		cfg.RuntimeParams["citus.multi_shard_modify_mode"] = "sequential"
	}
	sqlDB := stdlib.OpenDB(*cfg)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("migrate: locker: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("migrate: provider: %w", err)
	}
	return &Migrator{url: url, citus: citus, sqlDB: sqlDB, provider: p}, nil
}

// detectCitus reports whether the database has the citus extension.
func detectCitus(cfg *pgx.ConnConfig) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close(ctx)
	return HasCitus(ctx, conn)
}

// Up applies every pending migration. On a Citus coordinator it then
// distributes the schema (Distribute): all at the end on a database not
// distributed yet, and after each migration on one that is, so a table a
// migration creates is distributed before the next one writes into it.
func (m *Migrator) Up(ctx context.Context) ([]*goose.MigrationResult, error) {
	if !m.citus {
		res, err := m.provider.Up(ctx)
		if err != nil {
			return res, fmt.Errorf("migrate: up: %w", err)
		}
		return res, nil
	}
	conn, err := pgx.Connect(ctx, m.url)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect: %w", err)
	}
	distributed, err := isDistributed(ctx, conn)
	conn.Close(ctx)
	if err != nil {
		return nil, err
	}
	var all []*goose.MigrationResult
	for {
		var res []*goose.MigrationResult
		if distributed {
			r, err := m.provider.UpByOne(ctx)
			if errors.Is(err, goose.ErrNoNextVersion) {
				break
			}
			if r != nil {
				res = []*goose.MigrationResult{r}
			}
			if err != nil {
				return append(all, res...), fmt.Errorf("migrate: up: %w", err)
			}
		} else if res, err = m.provider.Up(ctx); err != nil {
			return append(all, res...), fmt.Errorf("migrate: up: %w", err)
		}
		all = append(all, res...)
		if err := m.distribute(ctx); err != nil {
			return all, fmt.Errorf("migrate: up: after %d migrations: %w", len(all), err)
		}
		if !distributed {
			break
		}
	}
	if len(all) == 0 && distributed {
		// Nothing pending: still make sure every table is in place.
		if err := m.distribute(ctx); err != nil {
			return nil, fmt.Errorf("migrate: up: %w", err)
		}
	}
	return all, nil
}

func (m *Migrator) distribute(ctx context.Context) error {
	res, err := Distribute(ctx, m.url)
	m.Distributed = append(m.Distributed, res.Changed...)
	return err
}

// Down rolls back the newest migration.
func (m *Migrator) Down(ctx context.Context) (*goose.MigrationResult, error) {
	res, err := m.provider.Down(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate: down: %w", err)
	}
	return res, nil
}

// DownTo rolls back to version (0 = everything).
func (m *Migrator) DownTo(ctx context.Context, version int64) error {
	if _, err := m.provider.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrate: down to %d: %w", version, err)
	}
	return nil
}

// Status lists every migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context) ([]*goose.MigrationStatus, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: status: %w", err)
	}
	return st, nil
}

// Close closes the migrations connection.
func (m *Migrator) Close() error { return m.sqlDB.Close() }

// MigrateUp is the one-call form used at start-up and by tests.
func MigrateUp(ctx context.Context, url string) error {
	m, err := NewMigrator(url)
	if err != nil {
		return err
	}
	defer m.Close()
	_, err = m.Up(ctx)
	return err
}
