package db

import "context"
import "errors"
import "fmt"
import "slices"
import "strings"

import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/pgconn"

// Citus: the schema distributed by tenant (see docs/scaling.md).
//
// Every table with a tenant_id column is hash-distributed on it and
// co-located with tenants (distributed on id), so all of one tenant's rows
// sit in one shard group on one node and every join, foreign key and unique
// check stays on that node. A global table that a distributed or reference
// table points to with a foreign key (users) becomes a reference table,
// copied to every node. Every other global table (sessions, throttles,
// goose's version table) stays on the coordinator: as a Citus-local table
// when it points at a reference table, else as a plain one. The tables are
// found in the catalog, so a table another migration adds is covered
// without a change here.

// TenantsTable is the table every tenant-owned table is co-located with.
const TenantsTable = "tenants"

// ErrNoCitus says the database has no citus extension.
var ErrNoCitus = errors.New("the citus extension is not installed in this database: on the coordinator, as a superuser, " +
	"run CREATE EXTENSION citus and add the workers (SELECT citus_set_coordinator_host(...); SELECT citus_add_node(...)); see docs/scaling.md")

// querier is what the Citus helpers need of a connection or transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// HasCitus reports whether the citus extension is installed in the
// database q is connected to.
func HasCitus(ctx context.Context, q querier) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')").Scan(&ok); err != nil {
		return false, fmt.Errorf("citus: detect extension: %w", err)
	}
	return ok, nil
}

// isDistributed reports whether the tenants table is already distributed.
func isDistributed(ctx context.Context, q querier) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass($1))`, TenantsTable).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("citus: read distribution: %w", err)
	}
	return ok, nil
}

// Table kinds on Citus.
const (
	KindDistributed = "distributed"
	KindReference   = "reference"
	KindCitusLocal  = "citus local"
	KindLocal       = "local"
)

// Distribution is what Distribute found and did.
type Distribution struct {
	// Tables maps every table of the schema to its kind after the run.
	Tables map[string]string
	// Changed lists the tables this run distributed or made reference
	// tables, in the order it did so (empty when all was in place).
	Changed []string
}

// Names returns the tables of one kind, sorted.
func (d Distribution) Names(kind string) []string {
	var out []string
	for t, k := range d.Tables {
		if k == kind {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Distribute distributes the schema of the database at url (a Citus
// coordinator, connected as the tables' owner) by tenant. It is idempotent:
// tables already in place are left alone, so it also distributes the tables
// a later migration added. It works on an empty and on a populated database
// (Citus copies existing rows into the shards). Everything happens in one
// transaction: on error nothing changed.
func Distribute(ctx context.Context, url string) (Distribution, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return Distribution{}, fmt.Errorf("citus: connect: %w", err)
	}
	defer conn.Close(ctx)
	if ok, err := HasCitus(ctx, conn); err != nil {
		return Distribution{}, err
	} else if !ok {
		return Distribution{}, ErrNoCitus
	}
	var res Distribution
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		res, err = distribute(ctx, tx)
		return err
	})
	return res, err
}

type tableInfo struct {
	name      string
	hasTenant bool
	kind      string // current kind
}

type foreignKey struct {
	from, name, def, to string
}

func distribute(ctx context.Context, tx pgx.Tx) (Distribution, error) {
	// Re-adding foreign keys to reference tables after distributing in the
	// same transaction needs sequential shard commands; triggers (only
	// ones that touch the same tenant's rows, see the migrations) need the
	// explicit permission.
	// One run at a time (two instances starting at once both migrate).
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('pareto: citus distribute'))"); err != nil {
		return Distribution{}, fmt.Errorf("citus: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'; SET LOCAL citus.enable_unsafe_triggers = on"); err != nil {
		return Distribution{}, fmt.Errorf("citus: settings: %w", err)
	}
	tables, err := schemaTables(ctx, tx)
	if err != nil {
		return Distribution{}, err
	}
	fks, err := foreignKeys(ctx, tx)
	if err != nil {
		return Distribution{}, err
	}
	want := targetKinds(tables, fks)

	res := Distribution{Tables: map[string]string{}}
	change := map[string]bool{}
	for _, t := range tables {
		res.Tables[t.name] = t.kind
		w := want[t.name]
		switch {
		case w == t.kind, w == KindLocal && t.kind == KindCitusLocal:
		case t.kind == KindLocal, t.kind == KindCitusLocal && w != KindCitusLocal:
			change[t.name] = true
		default:
			return Distribution{}, fmt.Errorf("citus: table %s is a %s table but should be %s; Distribute does not convert it (do it by hand, see docs/scaling.md)", t.name, t.kind, w)
		}
	}
	if len(change) == 0 {
		return res, nil
	}
	if !change[TenantsTable] && res.Tables[TenantsTable] != KindDistributed {
		return Distribution{}, fmt.Errorf("citus: no %s table to co-locate with", TenantsTable)
	}

	// Citus refuses to distribute a table that local tables point at, or
	// that points at local tables: drop the foreign keys touching the
	// tables to convert, convert them, and put the keys back.
	var dropped []foreignKey
	for _, fk := range fks {
		if change[fk.from] || change[fk.to] {
			if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", pgx.Identifier{fk.from}.Sanitize(), pgx.Identifier{fk.name}.Sanitize())); err != nil {
				return Distribution{}, fmt.Errorf("citus: drop foreign key %s on %s: %w", fk.name, fk.from, err)
			}
			dropped = append(dropped, fk)
		}
	}
	for _, kind := range []string{KindReference, KindDistributed, KindCitusLocal} {
		for _, t := range distributionOrder(tables, change, want, kind) {
			if err := convert(ctx, tx, t, kind); err != nil {
				return Distribution{}, err
			}
			res.Tables[t] = kind
			res.Changed = append(res.Changed, t)
		}
	}
	for _, fk := range dropped {
		if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", pgx.Identifier{fk.from}.Sanitize(), pgx.Identifier{fk.name}.Sanitize(), fk.def)); err != nil {
			return Distribution{}, fmt.Errorf("citus: restore foreign key %s on %s (%s): %w", fk.name, fk.from, fk.def, err)
		}
	}
	return res, nil
}

// distributionOrder lists the tables to convert to kind: tenants first
// (the others are co-located with it), then by name.
func distributionOrder(tables []tableInfo, change map[string]bool, want map[string]string, kind string) []string {
	var out []string
	for _, t := range tables {
		if change[t.name] && want[t.name] == kind {
			out = append(out, t.name)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if (a == TenantsTable) != (b == TenantsTable) {
			if a == TenantsTable {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

func convert(ctx context.Context, tx pgx.Tx, table, kind string) error {
	var err error
	switch {
	case kind == KindReference:
		_, err = tx.Exec(ctx, "SELECT create_reference_table($1)", table)
	case kind == KindCitusLocal:
		_, err = tx.Exec(ctx, "SELECT citus_add_local_table_to_metadata($1)", table)
	case table == TenantsTable:
		_, err = tx.Exec(ctx, "SELECT create_distributed_table($1, 'id')", table)
	default:
		_, err = tx.Exec(ctx, "SELECT create_distributed_table($1, 'tenant_id', colocate_with => $2)", table, TenantsTable)
	}
	if err != nil {
		return fmt.Errorf("citus: make %s a %s table: %w", table, kind, err)
	}
	return nil
}

// targetKinds decides each table's kind: tenants and every table with a
// tenant_id column are distributed; a global table a distributed or
// reference table points to is a reference table (transitively); the rest
// stay local.
func targetKinds(tables []tableInfo, fks []foreignKey) map[string]string {
	want := map[string]string{}
	for _, t := range tables {
		want[t.name] = KindLocal
		if t.hasTenant || t.name == TenantsTable {
			want[t.name] = KindDistributed
		}
	}
	for grown := true; grown; {
		grown = false
		for _, fk := range fks {
			if want[fk.from] != KindLocal && want[fk.to] == KindLocal {
				want[fk.to] = KindReference
				grown = true
			}
		}
	}
	// A local table may point at a reference table only as a Citus-local
	// table (its key then checks the coordinator's copy).
	for _, fk := range fks {
		if want[fk.from] == KindLocal && want[fk.to] == KindReference {
			want[fk.from] = KindCitusLocal
		}
	}
	return want
}

// schemaTables lists the ordinary tables of the current schema that belong
// to no extension, with their kind on Citus.
func schemaTables(ctx context.Context, tx pgx.Tx) ([]tableInfo, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.relname,
		       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
		       CASE WHEN p.partmethod = 'h' THEN 'distributed'
		            WHEN p.partmethod = 'n' AND p.repmodel = 't' THEN 'reference'
		            WHEN p.partmethod IS NOT NULL THEN 'citus local'
		            ELSE 'local' END
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
		ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("citus: list tables: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableInfo, error) {
		var t tableInfo
		return t, r.Scan(&t.name, &t.hasTenant, &t.kind)
	})
	if err != nil {
		return nil, fmt.Errorf("citus: list tables: %w", err)
	}
	return out, nil
}

// foreignKeys lists the foreign keys between tables of the current schema.
func foreignKeys(ctx context.Context, tx pgx.Tx) ([]foreignKey, error) {
	rows, err := tx.Query(ctx, `
		SELECT f.relname, c.conname, pg_get_constraintdef(c.oid), t.relname
		FROM pg_constraint c
		JOIN pg_class f ON f.oid = c.conrelid
		JOIN pg_class t ON t.oid = c.confrelid
		WHERE c.contype = 'f' AND f.relnamespace = current_schema()::regnamespace
		  AND t.relnamespace = current_schema()::regnamespace AND c.conparentid = 0
		ORDER BY f.relname, c.conname`)
	if err != nil {
		return nil, fmt.Errorf("citus: list foreign keys: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (foreignKey, error) {
		var fk foreignKey
		return fk, r.Scan(&fk.from, &fk.name, &fk.def, &fk.to)
	})
	if err != nil {
		return nil, fmt.Errorf("citus: list foreign keys: %w", err)
	}
	return out, nil
}
