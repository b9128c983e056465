// Package db holds the connection pool, tenant-scoped transactions, the
// error vocabulary shared by the domain packages, the migrations runner and
// the private PostgreSQL cluster manager.
package db

import "context"
import "errors"
import "fmt"
import "net/url"
import "strings"
import "time"
import "unicode/utf8"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/pgconn"
import "github.com/jackc/pgx/v5/pgxpool"

// AppRole is the role the serving pool logs in as. It owns nothing, has no
// BYPASSRLS and is no member of the owner, so row-level security holds on
// every request and a request cannot SET ROLE its way around it. The
// migrations (run as the owner) create it and give it LOGIN.
const AppRole = "pareto_app"

// DB is the application's connection pool.
type DB struct {
	Pool *pgxpool.Pool
	// AcquireTimeout bounds the wait for a free connection, so a request
	// that cannot get one fails fast (503) instead of piling up.
	AcquireTimeout time.Duration
	// plain: Open found no citus extension, so a transaction's tenant
	// context can be one set_config statement (scopeStatements). The
	// zero value keeps the SET LOCALs, which work on both.
	plain bool
	// kept are the tenant-wide parts of pages this process keeps under
	// their tenant's data version (Kept); nil (a DB not made by Open):
	// none.
	kept *keptCache
}

// Options tune the pool.
type Options struct {
	MaxConns         int32
	StatementTimeout time.Duration
	AcquireTimeout   time.Duration
	// AppURL, when set, is the serving login's own URL (for a server that
	// wants a password or another address for it). Empty derives it from
	// the connString given to Open: same server and database, user AppRole.
	AppURL string
	// Tracer, when set, sees every query and batch the pool sends (the
	// tests count a page's round trips with it).
	Tracer pgx.QueryTracer
}

// ErrPrivilegedLogin says the serving login could bypass row-level
// security: Open refuses to serve with it.
var ErrPrivilegedLogin = errors.New("db: the serving login is privileged")

// AppURL returns the URL of the serving login on the server and database
// that url names: the user becomes AppRole and url's password is dropped
// (PostgreSQL then finds AppRole's own in PGPASSFILE/~/.pgpass, or needs
// none on a trusted local socket). Both URL and keyword/value forms work.
func AppURL(connString string) (string, error) {
	if _, err := pgx.ParseConfig(connString); err != nil {
		return "", fmt.Errorf("db: parse url: %w", err)
	}
	if u, err := url.Parse(connString); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.User = url.User(AppRole)
		q := u.Query()
		q.Del("user")
		q.Del("password")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// Keyword/value form: the last value of a keyword wins.
	return connString + " user=" + AppRole + " password=''", nil
}

// Open connects the serving pool. It logs in as AppRole on the server and
// database connString names (see AppURL), or as opts.AppURL when set, and refuses
// (ErrPrivilegedLogin) a login that is a superuser, has BYPASSRLS or may
// act as the owner of the tables: least privilege is checked, not assumed.
func Open(ctx context.Context, connString string, opts Options) (*DB, error) {
	appURL := opts.AppURL
	if appURL == "" {
		var err error
		if appURL, err = AppURL(connString); err != nil {
			return nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(appURL)
	if err != nil {
		return nil, fmt.Errorf("db: parse url: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = 10 * time.Second
	}
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "60000"
	cfg.ConnConfig.RuntimeParams["application_name"] = "pareto"
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		registerUUID(conn.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open pool: %w", err)
	}
	if err := checkLeastPrivilege(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	citus, err := HasCitus(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: open: %w", err)
	}
	if opts.AcquireTimeout == 0 {
		opts.AcquireTimeout = 2 * time.Second
	}
	return &DB{Pool: pool, AcquireTimeout: opts.AcquireTimeout, plain: !citus, kept: newKeptCache(keptParts)}, nil
}

// LoginPrivileges is what the serving login may do that it must not.
type LoginPrivileges struct {
	Login       string
	Superuser   bool
	BypassRLS   bool
	OwnerMember bool // member of (or is) the role owning the tables
}

// Privileged reports whether any privilege is present.
func (p LoginPrivileges) Privileged() bool { return p.Superuser || p.BypassRLS || p.OwnerMember }

// Privileges reads the pool's login privileges (the owner is the owner of
// the tenants table).
func (d *DB) Privileges(ctx context.Context) (LoginPrivileges, error) {
	return readPrivileges(ctx, d.Pool)
}

func readPrivileges(ctx context.Context, pool *pgxpool.Pool) (LoginPrivileges, error) {
	var p LoginPrivileges
	err := pool.QueryRow(ctx, `SELECT r.rolname, r.rolsuper, r.rolbypassrls,
			coalesce((SELECT pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_class c
				WHERE c.oid = to_regclass('tenants')), false)
		FROM pg_roles r WHERE r.rolname = session_user`).Scan(&p.Login, &p.Superuser, &p.BypassRLS, &p.OwnerMember)
	if err != nil {
		return p, fmt.Errorf("db: connect as %s: %w", AppRole, err)
	}
	return p, nil
}

func checkLeastPrivilege(ctx context.Context, pool *pgxpool.Pool) error {
	p, err := readPrivileges(ctx, pool)
	if err != nil {
		return err
	}
	if p.Privileged() {
		return fmt.Errorf("%w: %s (superuser %v, bypassrls %v, may act as the tables' owner %v); serve as %s, see README",
			ErrPrivilegedLogin, p.Login, p.Superuser, p.BypassRLS, p.OwnerMember, AppRole)
	}
	return nil
}

// Close closes the pool.
func (d *DB) Close() { d.Pool.Close() }

// Scope is who a piece of work runs for: the tenant whose rows it may see
// and the person doing it (uuid.Nil for system work).
type Scope struct {
	TenantID uuid.UUID
	UserID   uuid.UUID
}

// Tx runs fn in one transaction scoped to s: row-level security then shows
// only s.TenantID's rows. With a nil tenant it shows no tenant rows at all.
// Inside a request that carries a RequestTx for s (BeginRequest), fn runs
// in that one transaction instead. When fn wrote, the tenant's data
// version goes up by one in the same transaction, just before its COMMIT
// (see Kept): this is the one path of the application's writes to a
// tenant's rows.
func (d *DB) Tx(ctx context.Context, s Scope, fn func(pgx.Tx) error) error {
	if rt := requestTx(ctx, d, s); rt != nil {
		return rt.run(ctx, fn)
	}
	conn, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := d.beginScoped(ctx, conn, s, false, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	if err := fn(tx); err != nil {
		return err
	}
	if s.TenantID != uuid.Nil {
		if _, err := tx.Exec(ctx, d.bumpVersionSQL(), s.TenantID); err != nil {
			return fmt.Errorf("db: bump the tenant's data version: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// beginScoped begins a transaction on conn scoped to s (read-only when
// readOnly), and sends the reads r queued (nil: none) with it: BEGIN,
// the tenant context (scopeStatements) and the reads go in one round
// trip, one pgx batch (pgx.Batch.BeginTx). A BEGIN within the batch's
// implicit transaction opens the explicit one, which outlives the batch.
// When the batch fails, the transaction is rolled back.
func (d *DB) beginScoped(ctx context.Context, conn *pgxpool.Conn, s Scope, readOnly bool, r *Reads) (pgx.Tx, error) {
	var b pgx.Batch
	opts := pgx.TxOptions{}
	if readOnly {
		opts.AccessMode = pgx.ReadOnly
	}
	b.BeginTx(opts)
	d.queueScope(&b, s)
	var sent []func()
	if r != nil {
		var rb *pgx.Batch
		rb, sent = r.take()
		b.QueuedQueries = append(b.QueuedQueries, rb.QueuedQueries...)
	}
	br := conn.SendBatch(ctx, &b)
	tx := br.Tx()
	if err := br.Close(); err != nil {
		_ = tx.Rollback(ctx) // ErrTxClosed when the BEGIN itself failed
		return nil, fmt.Errorf("db: begin scoped transaction: %w", err)
	}
	for _, f := range sent {
		f()
	}
	return tx, nil
}

// queueScope queues the statements that give a transaction s's tenant
// and person. On Citus, the three SET LOCALs (see propagateSetLocal);
// each is prepared once per connection and tenant or person (pgx's
// statement cache, as for TenantLiteral: SET takes no parameters). On
// plain PostgreSQL (d.plain), one statement with the ids as parameters,
// the same transaction-local settings as SET LOCAL makes: two statements
// fewer in every transaction, and one prepared statement per connection
// whoever the request is for.
func (d *DB) queueScope(b *pgx.Batch, s Scope) {
	if d.plain {
		b.Queue(setScope, settingOf(s.TenantID), settingOf(s.UserID))
		return
	}
	b.Queue(propagateSetLocal)
	b.Queue(setLocal("app.tenant_id", s.TenantID))
	b.Queue(setLocal("app.user_id", s.UserID))
}

// setScope sets the tenant and the person for the rest of the transaction
// (set_config's third argument), as SET LOCAL does. pgx encodes no UUID
// into set_config's text parameter: the ids go as strings (settingOf).
const setScope = "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)"

// Read runs read in one transaction scoped to s (as Tx) and returns what it
// read, wrapped with what: the shape of a store's read methods, whose
// lowercase helpers take the transaction and the tenant.
func Read[T any](ctx context.Context, d *DB, s Scope, what string, read func(context.Context, pgx.Tx, uuid.UUID) (T, error)) (T, error) {
	var out T
	err := d.Tx(ctx, s, func(tx pgx.Tx) error {
		var err error
		out, err = read(ctx, tx, s.TenantID)
		return err
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (d *DB) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, d.AcquireTimeout)
	defer cancel()
	conn, err := d.Pool.Acquire(actx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("db: acquire: %w", ctx.Err())
		}
		return nil, fmt.Errorf("db: acquire connection: %w: %w", ErrUnavailable, err)
	}
	return conn, nil
}

// SetTenant re-scopes a running transaction, for the one place that makes a
// tenant and then writes its first rows (signup).
func SetTenant(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	if _, err := tx.Exec(ctx, setLocal("app.tenant_id", id)); err != nil {
		return fmt.Errorf("db: set tenant: %w", err)
	}
	return nil
}

// SetUser re-scopes a running transaction to a person, for login, where the
// person is known only after the transaction began.
func SetUser(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	if _, err := tx.Exec(ctx, setLocal("app.user_id", id)); err != nil {
		return fmt.Errorf("db: set user: %w", err)
	}
	return nil
}

// On Citus the tenant and the person are transaction-local settings made
// with SET LOCAL rather than set_config(..., true): on a Citus coordinator
// only SET LOCAL reaches the workers (where row-level security filters the
// shards), and only with citus.propagate_set_commands = 'local', set first
// in the same transaction. On plain PostgreSQL both make the same
// transaction-local setting, and one set_config statement does (setScope).
// Open looks for the citus extension once: a server started before the
// extension was created keeps set_config, which the workers do not see
// (their policies then show no rows: restart the servers after
// distributing, docs/scaling.md).
const propagateSetLocal = "SET LOCAL citus.propagate_set_commands = 'local'"

// setLocal is a SET LOCAL statement for a tenant or user id. SET takes no
// bind parameters, so the value is inlined; a uuid.UUID prints only hex
// digits and dashes, so the literal is safe by construction.
func setLocal(name string, id uuid.UUID) string {
	return "SET LOCAL " + name + " = '" + settingOf(id) + "'"
}

// settingOf is a tenant or user id as its setting's value: uuid.Nil is
// ” (no one), which the policies read as NULL.
func settingOf(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// TenantLiteral is the tenant id as an SQL literal ('…'::uuid), for a
// read PostgreSQL would otherwise plan again on every execution: a
// statement with a bind parameter for the tenant gets a custom plan each
// time when the planner's estimate for the one tenant beats its generic
// plan's (it does for small tenants beside big ones: measured 0.4 ms of
// planning per execution of the 2×2's read, more than the read itself).
// A statement without parameters is planned once per connection (pgx
// keeps it prepared) and the plan reused. Citus routes it by the constant
// as it would by the parameter. A uuid.UUID prints only hex digits and
// dashes, so the literal is safe by construction. The cost: one prepared
// statement per tenant and connection (pgx's statement cache bounds them).
// Row-level security still filters by the transaction's tenant.
func TenantLiteral(id uuid.UUID) string { return "'" + id.String() + "'::uuid" }

// NowOrNull is the SQL expression now() when on, else NULL: the value of a
// timestamp a write sets or clears (done_at, archived_at). It is chosen
// here rather than with CASE WHEN $n THEN now() END in the statement,
// which Citus refuses in a distributed write.
func NowOrNull(on bool) string {
	if on {
		return "now()"
	}
	return "NULL"
}

// Error vocabulary shared by the domain packages; the server maps each to
// one HTTP status in one place.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnavailable says the database cannot serve now (down, or every
	// connection busy); the server answers 503.
	ErrUnavailable = errors.New("database unavailable")
)

// FieldErrors are validation messages keyed by form field name.
type FieldErrors map[string]string

func (f FieldErrors) Error() string {
	return fmt.Sprintf("invalid input (%d fields)", len(f))
}

// Add records msg for field unless it already has one.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Rows reads the rows of one query in tx, each into a new T through the
// pointers dest gives to its fields.
func Rows[T any](ctx context.Context, tx pgx.Tx, dest func(*T) []any, sql string, args ...any) ([]T, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		var x T
		err := r.Scan(dest(&x)...)
		return x, err
	})
}

// Found tells a QueryRow's Scan error apart: true when a row was read,
// false when there was none (pgx.ErrNoRows is not an error here), and any
// other failure.
func Found(err error) (bool, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Text checks a required text of at most max characters: missing is
// field's message when v is empty, tooLong when v is longer.
func (f FieldErrors) Text(field, v string, max int, missing, tooLong string) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		f.Add(field, missing)
	case n > max:
		f.Add(field, tooLong)
	}
}

// Err returns f as an error, or nil when empty.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// Wrap adds context to err ("what: err") but hands FieldErrors back
// unwrapped, so the handler can show them beside their fields; nil stays
// nil. Every domain store wraps its errors with it.
func Wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return fmt.Errorf("%s: %w", what, err)
}

// NotFound maps pgx.ErrNoRows to ErrNotFound, wrapping with what.
func NotFound(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// One reads the one row q selects (args) with scan, the tenant-scoped
// read of a record by id every store writes: no row is ErrNotFound, and
// an error names what. With lock set, q ends with forUpdate (a FOR UPDATE
// clause) and the row stays locked for the rest of the transaction.
func One[T any](ctx context.Context, tx pgx.Tx, what string, scan func(pgx.Row) (T, error), lock bool, forUpdate, q string,
	args ...any) (T, error) {
	if lock {
		q += forUpdate
	}
	v, err := scan(tx.QueryRow(ctx, q, args...))
	if err != nil {
		var zero T
		return zero, NotFound(what, err)
	}
	return v, nil
}

// IsUniqueViolation reports whether err is a unique-key violation on
// constraint (any constraint when empty).
func IsUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return constraint == "" || constraintIs(constraintName(pe), constraint)
	}
	return false
}

// constraintName is the constraint an integrity error names. Citus relays
// a worker's error without that field, so it is read from the message
// then (`... violates unique constraint "name"`).
func constraintName(pe *pgconn.PgError) string {
	if pe.ConstraintName != "" {
		return pe.ConstraintName
	}
	_, rest, ok := strings.Cut(pe.Message, `constraint "`)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

// constraintIs reports whether name, as an error reports it, is the
// constraint want. On Citus the error comes from a shard, whose constraints
// carry the shard id: want_102008, or, when that would pass PostgreSQL's
// 63-byte limit, a clipped want, an 8-digit hex hash and the shard id.
func constraintIs(name, want string) bool {
	if name == want {
		return true
	}
	i := strings.LastIndexByte(name, '_')
	if i < 0 || !allIn(name[i+1:], "0123456789") {
		return false
	}
	name = name[:i]
	if name == want {
		return true
	}
	j := strings.LastIndexByte(name, '_')
	return j > 0 && len(name)-j-1 == 8 && allIn(name[j+1:], "0123456789abcdef") && strings.HasPrefix(want, name[:j])
}

func allIn(s, chars string) bool {
	return s != "" && strings.Trim(s, chars) == ""
}

// IsUnavailable reports whether err means the database cannot serve now
// (connection refused or lost, pool exhausted, shutting down), so the server
// answers 503 rather than 500.
func IsUnavailable(err error) bool {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "57": // connection exception, operator intervention
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.SafeToRetry(err)
}

// IsBadInput reports whether PostgreSQL refused a value itself (SQLSTATE
// class 22: invalid text encoding, NUL bytes, out-of-range numbers): input
// the domain validation did not catch, which is the client's fault, not a
// server error.
func IsBadInput(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22")
}
