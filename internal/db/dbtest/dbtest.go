// Package dbtest gives each test its own migrated database on a real
// PostgreSQL: TEST_DATABASE_URL when set, otherwise a throwaway private
// cluster started once per test binary. Tests never skip for lack of one.
// With TEST_CITUS_URL the databases are distributed ones on a Citus
// cluster, shared between tests one at a time (citus.go).
package dbtest

import "context"
import "fmt"
import "net/url"
import "os"
import "strings"
import "sync"
import "sync/atomic"
import "testing"

import "github.com/jackc/pgx/v5"

import "pareto/internal/db"

var (
	setupOnce  sync.Once
	setupErr   error
	cluster    *db.LocalCluster
	clusterDir string
	adminURL   string // a database on the server to issue CREATE DATABASE from
	template   string
	counter    atomic.Int64
)

// Main wraps testing.M.Run so the private cluster, if one was started,
// stops when the package's tests end.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		cluster.Stop()
		os.RemoveAll(clusterDir)
	}
	os.Exit(code)
}

func setup() error {
	ctx := context.Background()
	if u := os.Getenv("TEST_CITUS_URL"); u != "" {
		return setupCitus(ctx, u)
	}
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		adminURL = u
	} else {
		// Not t.TempDir: it sits under a 0700 folder the unprivileged
		// PostgreSQL user cannot reach.
		dir, err := os.MkdirTemp("", "pareto-test-pg")
		if err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		clusterDir = dir
		cluster, err = db.StartLocal(ctx, dir, db.LocalOptions{Fast: true})
		if err != nil {
			return err
		}
		adminURL = cluster.URL("postgres")
	}
	template = fmt.Sprintf("pareto_tpl_%d_%d", os.Getpid(), counter.Add(1))
	if err := exec(ctx, adminURL, "CREATE DATABASE "+template); err != nil {
		return err
	}
	tplURL, err := withDatabase(adminURL, template)
	if err != nil {
		return err
	}
	return db.MigrateUp(ctx, tplURL)
}

// URL returns the connection URL (as the login role, which owns the
// tables) of a fresh migrated database that is dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("dbtest: set up PostgreSQL: %v", setupErr)
	}
	if Citus() {
		return citusURL(t)
	}
	ctx := context.Background()
	name := fmt.Sprintf("pareto_t_%d_%d", os.Getpid(), counter.Add(1))
	if err := exec(ctx, adminURL, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	u, err := withDatabase(adminURL, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec(context.Background(), adminURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return u
}

// OwnURL is URL for a test that changes the schema itself (migrating down
// and up, say): on a Citus cluster its database is made for it alone and
// dropped after, instead of one of the shared ones, so it neither sees what
// earlier tests left in a shared database nor leaves anything for later
// ones. On plain PostgreSQL every database is the test's own anyway.
func OwnURL(t testing.TB) string {
	t.Helper()
	if !Citus() {
		return URL(t)
	}
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("dbtest: set up PostgreSQL: %v", setupErr)
	}
	return freshCitusURL(t)
}

// New returns a pool on a fresh migrated database, closed when t ends.
func New(t testing.TB) *db.DB {
	t.Helper()
	return Open(t, URL(t), db.Options{MaxConns: 8})
}

// Open opens a pool on the database u (URL) with opts, closed when t ends.
func Open(t testing.TB, u string, opts db.Options) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), u, opts)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(d.Close)
	return d
}

func exec(ctx context.Context, connURL, sql string) error {
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return fmt.Errorf("dbtest: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("dbtest: %s: %w", strings.Fields(sql)[0], err)
	}
	return nil
}

// withDatabase swaps the database name in a postgres URL (either form:
// postgres://host/db or postgres:///db?host=/socket).
func withDatabase(connURL, name string) (string, error) {
	u, err := url.Parse(connURL)
	if err != nil {
		return "", fmt.Errorf("dbtest: parse url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
