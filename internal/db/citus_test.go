package db_test

import "context"
import "errors"
import "fmt"
import "io/fs"
import "path/filepath"
import "slices"
import "testing"
import "testing/fstest"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/internal/db/dbtest"
import "pareto/migrations"

// The Citus tests run on a cluster (make test-citus); on plain PostgreSQL
// the Citus commands must refuse clearly instead.
func TestCitusCommandsRefuseWithoutCitus(t *testing.T) {
	if dbtest.Citus() {
		t.Skip("plain PostgreSQL only")
	}
	ctx := context.Background()
	u := dbtest.URL(t)
	if _, err := db.Distribute(ctx, u); !errors.Is(err, db.ErrNoCitus) {
		t.Fatalf("distribute: %v, want ErrNoCitus", err)
	}
	if _, err := db.TenantPlacement(ctx, u, uuid.New()); !errors.Is(err, db.ErrNoCitus) {
		t.Fatalf("placement: %v, want ErrNoCitus", err)
	}
}

func citusOnly(t *testing.T) {
	t.Helper()
	if !dbtest.Citus() {
		t.Skip("needs a Citus cluster: make test-citus")
	}
}

// spread makes tenants (each with an admin membership) until both workers
// hold some, and returns them with the node holding each.
func spread(t *testing.T, d *db.DB, u string) map[uuid.UUID]string {
	t.Helper()
	nodes := map[uuid.UUID]string{}
	seen := map[string]bool{}
	for i := 0; len(seen) < 2; i++ {
		if i == 40 {
			t.Fatalf("40 tenants all landed on %v", seen)
		}
		tenant, _ := makeTenant(t, d, fmt.Sprintf("spread%02d", i))
		p, err := db.TenantPlacement(context.Background(), u, tenant)
		if err != nil {
			t.Fatal(err)
		}
		nodes[tenant] = p.Node
		seen[p.Node] = true
	}
	return nodes
}

// shardRows reads, as superuser on each worker, the tenant ids in every
// shard of table there: proof of where the rows really are.
func shardRows(t *testing.T, u, table string) map[string][]uuid.UUID {
	t.Helper()
	ctx := context.Background()
	coord, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer coord.Close(ctx)
	rows, _ := coord.Query(ctx, `SELECT shard_name, nodename || ':' || nodeport FROM citus_shards WHERE table_name = $1::regclass`, table)
	shards, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Name, Node string }])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]uuid.UUID{}
	for _, w := range dbtest.CitusWorkers(t, u) {
		conn, err := pgx.Connect(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		node := conn.Config().Host + ":" + fmt.Sprint(conn.Config().Port)
		for _, s := range shards {
			if s.Node != node {
				continue
			}
			rows, _ := conn.Query(ctx, "SELECT tenant_id FROM "+pgx.Identifier{s.Name}.Sanitize())
			ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			if err != nil {
				t.Fatalf("%s on %s: %v", s.Name, node, err)
			}
			out[node] = append(out[node], ids...)
		}
		conn.Close(ctx)
	}
	return out
}

// Tenant rows land on both workers, each where its placement says, and
// row-level security filters them on the workers themselves.
func TestCitusTenantsOnBothWorkersIsolatedByRLSOnWorkers(t *testing.T) {
	citusOnly(t)
	ctx := context.Background()
	u := dbtest.URL(t)
	d, err := db.Open(ctx, u, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	nodes := spread(t, d, u)

	onWorker := shardRows(t, u, "memberships")
	if len(onWorker) != 2 {
		t.Fatalf("membership rows on %d workers, want 2: %v", len(onWorker), onWorker)
	}
	for tenant, node := range nodes {
		if !slices.Contains(onWorker[node], tenant) {
			t.Errorf("tenant %s: placement says %s, its membership is not there", tenant, node)
		}
	}

	// Through the coordinator: a query without a tenant filter runs on
	// every shard of both workers; only the scoped tenant's row comes back,
	// so the tenant setting reached the workers (none would give 0).
	for tenant := range nodes {
		if n := countMemberships(t, d, db.Scope{TenantID: tenant}); n != 1 {
			t.Fatalf("tenant %s sees %d memberships through the coordinator, want 1", tenant, n)
		}
		break
	}

	// On a worker, as the request role, straight on a shard.
	coord, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer coord.Close(ctx)
	for _, w := range dbtest.CitusWorkers(t, u) {
		wu, err := db.AppURL(w)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, wu)
		if err != nil {
			t.Fatalf("the request role cannot log in to the worker: %v", err)
		}
		node := conn.Config().Host + ":" + fmt.Sprint(conn.Config().Port)
		var mine uuid.UUID
		for tenant, n := range nodes {
			if n == node {
				mine = tenant
			}
		}
		var shard string
		if err := coord.QueryRow(ctx, `SELECT shard_name FROM citus_shards
			WHERE table_name = 'memberships'::regclass AND shardid = get_shard_id_for_distribution_column('memberships', $1::uuid)`, mine).Scan(&shard); err != nil {
			t.Fatal(err)
		}
		table := pgx.Identifier{shard}.Sanitize()
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s on %s with no tenant: %d rows, %v; want 0", shard, node, n, err)
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "SET LOCAL app.tenant_id = '"+mine.String()+"'"); err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		rows, _ := tx.Query(ctx, "SELECT tenant_id FROM "+table)
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil || !slices.Equal(ids, []uuid.UUID{mine}) {
			t.Fatalf("%s on %s as tenant %s: %v %v; want only its own row", shard, node, mine, ids, err)
		}
		_, err = tx.Exec(ctx, "INSERT INTO "+table+" (tenant_id, user_id, role, tenant_name) VALUES ($1, $2, 'admin', 'x')", uuid.New(), uuid.New())
		var pe interface{ SQLState() string }
		if !errors.As(err, &pe) || pe.SQLState() != "42501" {
			t.Fatalf("writing another tenant's row on the worker: %v, want a row-level security violation", err)
		}
		tx.Rollback(ctx)
		conn.Close(ctx)
	}
}

// Distribute is idempotent, and a later migration's tables (written to by
// the migration after it) are distributed when migrate up applies them.
func TestCitusDistributeCoversLaterMigrations(t *testing.T) {
	citusOnly(t)
	ctx := context.Background()
	u := dbtest.URL(t)
	res, err := db.Distribute(ctx, u)
	if err != nil || len(res.Changed) != 0 {
		t.Fatalf("second distribution changed %v (%v), want nothing", res.Changed, err)
	}
	if !slices.Contains(res.Names(db.KindReference), "users") || !slices.Contains(res.Names(db.KindLocal), "sessions") {
		t.Fatalf("kinds %v", res.Tables)
	}
	checkEveryTenantTableColocated(t, u)

	later := fstest.MapFS{
		"99990_later_table.sql": {Data: []byte(`-- +goose Up
CREATE TABLE later_notes (
    tenant_id  uuid NOT NULL DEFAULT app_tenant() REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL,
    author_id  uuid NULL REFERENCES users (id),
    body       text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX later_notes_account_idx ON later_notes (tenant_id, account_id);
ALTER TABLE later_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE later_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON later_notes USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
GRANT SELECT, INSERT ON later_notes TO pareto_app;
CREATE TABLE later_global (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL REFERENCES users (id));
-- +goose Down
DROP TABLE later_global, later_notes;
`)},
		"99991_later_fill.sql": {Data: []byte(`-- +goose Up
INSERT INTO tenants (id, name) VALUES ('00000000-0000-4000-8000-000000099991', 'Later');
INSERT INTO users (id, email, name, password_hash) VALUES ('00000000-0000-4000-8000-000000099992', 'later@example.test', 'Later', 'x');
INSERT INTO accounts (tenant_id, id, name) VALUES ('00000000-0000-4000-8000-000000099991', '00000000-0000-4000-8000-000000099993', 'Later account');
INSERT INTO later_notes (tenant_id, account_id, author_id, body)
    VALUES ('00000000-0000-4000-8000-000000099991', '00000000-0000-4000-8000-000000099993', '00000000-0000-4000-8000-000000099992', 'written by the next migration');
INSERT INTO later_global (user_id) VALUES ('00000000-0000-4000-8000-000000099992');
-- +goose Down
DELETE FROM later_global;
DELETE FROM tenants WHERE id = '00000000-0000-4000-8000-000000099991';
DELETE FROM users WHERE id = '00000000-0000-4000-8000-000000099992';
`)},
	}
	fsys := mergeFS(t, migrations.FS, later)
	m, err := db.NewMigratorFS(u, fsys)
	if err != nil {
		t.Fatal(err)
	}
	before, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	version := before[len(before)-3].Source.Version // the application's newest
	t.Cleanup(func() {
		if err := m.DownTo(context.Background(), version); err != nil {
			t.Errorf("rolling the test migrations back: %v", err)
		}
		m.Close()
	})
	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatalf("migrate up on a distributed database: %v", err)
	}
	if len(applied) != 2 {
		t.Fatalf("applied %d migrations, want the 2 later ones", len(applied))
	}
	checkEveryTenantTableColocated(t, u)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var kind string
	if err := conn.QueryRow(ctx, `SELECT CASE WHEN partmethod = 'n' AND repmodel = 's' THEN 'citus local' ELSE partmethod::text END
		FROM pg_dist_partition WHERE logicalrelid = 'later_global'::regclass`).Scan(&kind); err != nil || kind != db.KindCitusLocal {
		t.Fatalf("later_global: %q %v, want a Citus-local table (it points at the users reference table)", kind, err)
	}

	// The application reads the note through its tenant's scope.
	d, err := db.Open(ctx, u, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var body string
	err = d.Tx(ctx, db.Scope{TenantID: uuid.MustParse("00000000-0000-4000-8000-000000099991")}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT n.body FROM later_notes n JOIN accounts a ON a.tenant_id = n.tenant_id AND a.id = n.account_id").Scan(&body)
	})
	if err != nil || body != "written by the next migration" {
		t.Fatalf("note %q, %v", body, err)
	}
}

// checkEveryTenantTableColocated: every table with a tenant_id column is
// hash-distributed and co-located with tenants.
func checkEveryTenantTableColocated(t *testing.T, u string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
		  AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid AND p.partmethod = 'h'
		      AND p.colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'tenants'::regclass))`)
	bad, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(bad) > 0 {
		t.Fatalf("tenant tables not distributed with tenants: %v %v", bad, err)
	}
}

// mergeFS is the migration files of a and b together.
func mergeFS(t *testing.T, a fs.FS, b fstest.MapFS) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	files, err := fs.Glob(a, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(a, f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = &fstest.MapFile{Data: data}
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// A big tenant moves to a shard group of its own on the other worker; its
// rows and everyone else's stay readable.
func TestCitusIsolateTenant(t *testing.T) {
	citusOnly(t)
	ctx := context.Background()
	u := dbtest.URL(t)
	d, err := db.Open(ctx, u, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	nodes := spread(t, d, u)
	var big uuid.UUID
	for tenant := range nodes {
		big = tenant
		break
	}
	from := nodes[big]
	var to string
	for _, n := range nodes {
		if n != from {
			to = n
		}
	}
	p, err := db.IsolateTenant(ctx, u, big, to)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Isolated || p.Node != to {
		t.Fatalf("after isolation: %+v, want isolated on %s", p, to)
	}
	if again, err := db.TenantPlacement(ctx, u, big); err != nil || again != p {
		t.Fatalf("placement %+v %v, want %+v", again, err, p)
	}
	if onWorker := shardRows(t, u, "memberships"); !slices.Contains(onWorker[to], big) || slices.Contains(onWorker[from], big) {
		t.Fatalf("the tenant's membership is not (only) on %s: %v", to, onWorker)
	}
	for tenant, node := range nodes {
		if n := countMemberships(t, d, db.Scope{TenantID: tenant}); n != 1 {
			t.Fatalf("tenant %s sees %d memberships after the isolation, want 1", tenant, n)
		}
		if tenant != big {
			if q, err := db.TenantPlacement(ctx, u, tenant); err != nil || q.Node != node || q.Isolated {
				t.Fatalf("another tenant moved: %+v %v, was on %s", q, err, node)
			}
		}
	}
}

// A backup by a login that row-level security applies to fails; it never
// writes an archive without the tenants' rows (on Citus that is what
// pg_dump through the coordinator would do).
func TestBackupByLoginUnderRLSFails(t *testing.T) {
	ctx := context.Background()
	u := dbtest.URL(t)
	app, err := db.AppURL(u)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Backup(ctx, app, filepath.Join(t.TempDir(), "x.dump"))
	if err == nil {
		t.Fatal("backup as the request role succeeded")
	}
	if dbtest.Citus() && !errors.Is(err, db.ErrBackupNeedsBypass) {
		t.Fatalf("got %v, want ErrBackupNeedsBypass", err)
	}
}
