package dbtest

import "context"
import "fmt"
import "io/fs"
import "net"
import "net/url"
import "os"
import "slices"
import "strconv"
import "strings"
import "testing"
import "time"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"
import "pareto/migrations"

// Citus mode: with TEST_CITUS_URL set (a database on the coordinator of a
// running Citus cluster, as a superuser, workers registered: what
// `make test-citus` brings up with ../shared/citus/cluster.sh), tests run on
// distributed databases instead of a fresh database each. A Citus database
// cannot be copied from a template (the Citus maintenance daemon stays
// connected to it), and preparing one (a database on every node, the
// extension, the nodes, the migrations, the distribution) takes tens of
// seconds, so a few are prepared once per cluster and shared: a test takes
// a free one for its whole life (a session advisory lock on the
// coordinator, so test binaries running in parallel share them too), and
// finds it emptied (every table truncated, the migrations' version table
// kept). TEST_CITUS_DBS sets how many (default 4).

const citusLockKey = 70160 // advisory lock class of the shared databases

var citusNodes struct {
	admin   string   // TEST_CITUS_URL
	workers []string // host:port of each worker
	slots   int
	shards  int // citus.shard_count of the databases; 0: Citus's default (32)
}

// Citus reports whether the tests run on a Citus cluster (TEST_CITUS_URL).
func Citus() bool { return os.Getenv("TEST_CITUS_URL") != "" }

// KnownCitusFailure skips t on a Citus cluster: a known failure there,
// being fixed, which scripts/test-citus.sh lists on every run (it finds the
// calls in the source). Remove the call with the fix.
func KnownCitusFailure(t testing.TB, reason string) {
	t.Helper()
	if Citus() {
		t.Skip("known Citus failure: " + reason)
	}
}

func setupCitus(ctx context.Context, admin string) error {
	citusNodes.admin = admin
	citusNodes.slots = 4
	for _, e := range []struct {
		name string
		to   *int
	}{{"TEST_CITUS_DBS", &citusNodes.slots}, {"TEST_CITUS_SHARDS", &citusNodes.shards}} {
		if v := os.Getenv(e.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("dbtest: %s=%q: want a number ≥ 1", e.name, v)
			}
			*e.to = n
		}
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("dbtest: citus: connect to TEST_CITUS_URL: %w", err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT nodename || ':' || nodeport FROM pg_dist_node
		WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport`)
	citusNodes.workers, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("dbtest: citus: list workers (is TEST_CITUS_URL a Citus coordinator?): %w", err)
	}
	if len(citusNodes.workers) == 0 {
		return fmt.Errorf("dbtest: citus: no workers registered in TEST_CITUS_URL's database")
	}
	return nil
}

// citusURL lends t one of the shared distributed databases, emptied.
func citusURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	lock := citusAdmin(t) // closed when t ends, which releases the lock
	slot := -1
	for deadline := time.Now().Add(10 * time.Minute); slot < 0; {
		for i := range citusNodes.slots {
			var ok bool
			if err := lock.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", citusLockKey, i).Scan(&ok); err != nil {
				t.Fatalf("dbtest: citus: lock: %v", err)
			}
			if ok {
				slot = i
				break
			}
		}
		if slot < 0 {
			if time.Now().After(deadline) {
				t.Fatalf("dbtest: citus: all %d shared databases stayed busy for 10 minutes (TEST_CITUS_DBS)", citusNodes.slots)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	name := fmt.Sprintf("pareto_citus_%d", slot)
	u, err := withDatabase(citusNodes.admin, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := prepareCitus(ctx, lock, name, u); err != nil {
		t.Fatalf("dbtest: citus: prepare %s: %v", name, err)
	}
	// A test that leaves the schema otherwise than it found it (migrating
	// down and failing half way, say) gets the database prepared afresh
	// for the next one. Registered after the lock's release, so it runs
	// first.
	t.Cleanup(func() {
		if v, err := migratedTo(context.Background(), u); err != nil || v != latestMigration() {
			_ = exec(context.Background(), citusNodes.admin, "COMMENT ON DATABASE "+name+" IS NULL")
		}
	})
	if err := emptyCitus(ctx, u); err != nil {
		t.Fatalf("dbtest: citus: empty %s: %v", name, err)
	}
	return u
}

// citusAdmin connects to the coordinator's admin database for t; the
// connection closes when t ends.
func citusAdmin(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), citusNodes.admin)
	if err != nil {
		t.Fatalf("dbtest: citus: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// citusNodeHosts is the coordinator's host:port, then every worker's.
func citusNodeHosts(coord *url.URL) []string {
	return append([]string{coord.Host}, citusNodes.workers...)
}

// nodeURL is coord's URL pointed at database dbname on node (host:port).
func nodeURL(coord *url.URL, node, dbname string) string {
	u := *coord
	u.Host, u.Path = node, "/"+dbname
	return u.String()
}

// freshCitusURL makes a distributed database for t alone, migrated, and
// drops it (on every node) when t ends.
func freshCitusURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin := citusAdmin(t)
	name := fmt.Sprintf("pareto_citus_fresh_%d_%d", os.Getpid(), counter.Add(1))
	u, err := withDatabase(citusNodes.admin, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		coord, err := url.Parse(citusNodes.admin)
		if err != nil {
			return
		}
		for _, node := range citusNodeHosts(coord) {
			_ = exec(context.Background(), nodeURL(coord, node, "postgres"), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
	})
	if err := prepareCitus(ctx, admin, name, u); err != nil {
		t.Fatalf("dbtest: citus: prepare %s: %v", name, err)
	}
	return u
}

// citusReady marks a prepared database, with the newest migration's version:
// a database prepared by older code is prepared again.
func citusReady() string { return fmt.Sprintf("pareto dbtest: distributed at %d", latestMigration()) }

// latestMigration is the newest migration's version.
func latestMigration() int64 {
	files, _ := fs.Glob(migrations.FS, "*.sql")
	var latest int64
	for _, f := range files {
		v, _, _ := strings.Cut(f, "_")
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > latest {
			latest = n
		}
	}
	return latest
}

// migratedTo is the newest migration applied to the database at u.
func migratedTo(ctx context.Context, u string) (int64, error) {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var v int64
	err = conn.QueryRow(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}

// prepareCitus makes database name on every node, with the extension, the
// workers registered, migrated and distributed, unless that was done.
func prepareCitus(ctx context.Context, admin *pgx.Conn, name, u string) error {
	// One preparation at a time on the cluster: the migrations create
	// cluster-wide roles (a check-then-create two could race), and heavy
	// DDL on the same nodes goes no faster in parallel.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1, -1)", citusLockKey); err != nil {
		return err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock($1, -1)", citusLockKey) //nolint:errcheck // released with the connection anyway
	var comment string
	err := admin.QueryRow(ctx, `SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
	if err == nil && comment == citusReady() {
		return nil
	}
	if err != nil && err != pgx.ErrNoRows {
		return err
	}
	coord, err := url.Parse(citusNodes.admin)
	if err != nil {
		return err
	}
	for _, node := range citusNodeHosts(coord) {
		for _, sql := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
			if err := exec(ctx, nodeURL(coord, node, "postgres"), sql); err != nil {
				return fmt.Errorf("node %s: %w", node, err)
			}
		}
		if err := exec(ctx, nodeURL(coord, node, name), "CREATE EXTENSION citus"); err != nil {
			return fmt.Errorf("node %s: %w", node, err)
		}
	}
	host, port, err := net.SplitHostPort(coord.Host)
	if err != nil {
		return fmt.Errorf("TEST_CITUS_URL needs host:port: %w", err)
	}
	register := fmt.Sprintf("SELECT citus_set_coordinator_host('%s', %s)", host, port)
	for _, w := range citusNodes.workers {
		wh, wp, err := net.SplitHostPort(w)
		if err != nil {
			return err
		}
		register += fmt.Sprintf("; SELECT citus_add_node('%s', %s)", wh, wp)
	}
	if err := exec(ctx, u, register); err != nil {
		return err
	}
	if citusNodes.shards > 0 {
		if err := exec(ctx, u, fmt.Sprintf("ALTER DATABASE %s SET citus.shard_count = %d", name, citusNodes.shards)); err != nil {
			return err
		}
	}
	if err := db.MigrateUp(ctx, u); err != nil {
		return err
	}
	// The shared databases are emptied by truncation between tests, which
	// would drop rows a migration put in: refuse rather than lose them.
	if err := onTables(ctx, u, func(conn *pgx.Conn, names []string) error {
		for _, t := range names {
			var n int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("a migration put %d rows in %s; dbtest's Citus mode empties tables between tests and would lose them: teach emptyCitus to keep them", n, t)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return exec(ctx, citusNodes.admin, fmt.Sprintf("COMMENT ON DATABASE %s IS '%s'", name, citusReady()))
}

// emptyCitus deletes every row of every table but the migrations' version
// table, referencing tables before the tables they reference. (TRUNCATE
// takes seconds here: it truncates every shard's files; a DELETE of the few
// rows a test leaves takes milliseconds.)
func emptyCitus(ctx context.Context, u string) error {
	return onTables(ctx, u, func(conn *pgx.Conn, names []string) error {
		rows, _ := conn.Query(ctx, `SELECT DISTINCT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
			WHERE contype = 'f' AND conrelid <> confrelid AND connamespace = 'public'::regnamespace`)
		refs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ From, To string }])
		if err != nil {
			return fmt.Errorf("list foreign keys: %w", err)
		}
		left := map[string]bool{}
		for _, n := range names {
			left[n] = true
		}
		for len(left) > 0 {
			progress := false
			for _, n := range names {
				if !left[n] || slices.ContainsFunc(refs, func(r struct{ From, To string }) bool { return r.To == n && left[r.From] }) {
					continue
				}
				if _, err := conn.Exec(ctx, "DELETE FROM "+pgx.Identifier{n}.Sanitize()); err != nil {
					return fmt.Errorf("empty %s: %w", n, err)
				}
				delete(left, n)
				progress = true
			}
			if !progress {
				return fmt.Errorf("foreign keys form a cycle among %v", left)
			}
		}
		return nil
	})
}

// onTables connects to the database at u and calls f with the
// connection and its tables (tables).
func onTables(ctx context.Context, u string, f func(conn *pgx.Conn, names []string) error) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	names, err := tables(ctx, conn)
	if err != nil {
		return err
	}
	return f(conn, names)
}

// tables lists the tables of the public schema but goose's.
func tables(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	rows, _ := conn.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'goose_db_version'
		ORDER BY c.relname`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

// CitusWorkers returns, in Citus mode, the URLs of the same database as u
// on each worker (same login), for tests that look at the shards
// themselves. Outside Citus mode it fails t.
func CitusWorkers(t testing.TB, u string) []string {
	t.Helper()
	if !Citus() {
		t.Fatal("dbtest: CitusWorkers outside Citus mode (TEST_CITUS_URL)")
	}
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range citusNodes.workers {
		wu := *p
		wu.Host = w
		out = append(out, wu.String())
	}
	return out
}
