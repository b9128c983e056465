// Command pareto runs the Pareto web application.
//
//	pareto serve            serve HTTP (starts a private PostgreSQL unless DATABASE_URL is set)
//	pareto migrate up|down|status
//	pareto seed --demo      create the demo tenant
//	pareto backup FILE      pg_dump archive of the database
//	pareto restore FILE     replace the database with an archive
//	pareto citus ...        Citus: distribute the schema, tenant placement
package main

import "context"
import "errors"
import "flag"
import "fmt"
import "log/slog"
import "net"
import "net/http"
import "net/http/pprof"
import "net/netip"
import "os"
import "os/signal"
import "path/filepath"
import "runtime/debug"
import "strconv"
import "strings"
import "syscall"
import "time"

import "pareto/internal/db"
import "pareto/internal/demo"
import "pareto/internal/mail"
import "pareto/internal/server"
import "pareto/internal/webhook"

// commands are the subcommands, by name.
var commands = map[string]func(context.Context, []string) error{
	"serve":   serve,
	"migrate": migrate,
	"seed":    seed,
	"backup":  backup,
	"restore": restore,
	"citus":   citus,
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		usage()
		return
	}
	run, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(os.Stderr, "pareto: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, args)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pareto:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: pareto <command> [flags]

commands:
  serve                   serve the web application
  migrate up|down|status  apply, roll back (one step) or list migrations
  seed --demo             create the demo tenant "Acme Industrial"
  backup FILE             write a pg_dump archive of the database to FILE
  restore FILE            replace the database's contents with a backup archive
  citus distribute        distribute the schema by tenant on a Citus coordinator
  citus placement TENANT  the shard group and worker holding a tenant
  citus isolate [--to HOST:PORT] TENANT
                          give a tenant shard groups of its own (and move them)

Run "pareto <command> -h" for a command's flags.
`)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "pareto: ignoring %s=%q: not a duration like 30m\n", name, v)
	}
	return def
}

func envInt64(name string, def int64) int64 {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return n
		}
		fmt.Fprintf(os.Stderr, "pareto: ignoring %s=%q: not a non-negative whole number\n", name, v)
	}
	return def
}

// dbFlags are the database settings every command shares.
type dbFlags struct {
	url     string
	dataDir string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL; empty starts a private cluster in --data-dir (env DATABASE_URL)")
	fs.StringVar(&f.dataDir, "data-dir", env("PARETO_DATA_DIR", ".pareto"), "folder of the private PostgreSQL cluster (env PARETO_DATA_DIR)")
}

// database returns a URL to migrate and serve from: DATABASE_URL, or a
// private cluster it starts (stop it with the returned func).
func (f *dbFlags) database(ctx context.Context, log *slog.Logger) (string, func(), error) {
	if f.url != "" {
		return f.url, func() {}, nil
	}
	start := time.Now()
	c, err := db.StartLocal(ctx, f.dataDir, db.LocalOptions{})
	if err != nil {
		return "", nil, err
	}
	if err := c.EnsureDatabase(ctx, "pareto"); err != nil {
		c.Stop()
		return "", nil, err
	}
	log.Info("private PostgreSQL started", "data_dir", c.Dir, "socket_dir", c.SocketDir, "took", time.Since(start).Round(time.Millisecond))
	return c.URL("pareto"), func() {
		if err := c.Stop(); err != nil {
			log.Error("stop PostgreSQL", "err", err)
		} else {
			log.Info("private PostgreSQL stopped")
		}
	}, nil
}

// onDatabase reads a command's args into fs with the database flags,
// checks them with valid (before any database is touched), then finds or
// starts the database: its URL and how to stop it when done.
func onDatabase(ctx context.Context, fs *flag.FlagSet, args []string, valid func() error) (string, func(), error) {
	var dbf dbFlags
	dbf.register(fs)
	_ = fs.Parse(args)
	if err := valid(); err != nil {
		return "", nil, err
	}
	return dbf.database(ctx, newLogger())
}

func newLogger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if env("PARETO_LOG_FORMAT", "text") == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var dbf dbFlags
	dbf.register(fs)
	addr := fs.String("addr", env("PARETO_ADDR", ":8080"), "address to listen on (env PARETO_ADDR)")
	baseURL := fs.String("base-url", env("PARETO_BASE_URL", "http://localhost:8080"), "public URL, for invitation links; https turns on Secure cookies (env PARETO_BASE_URL)")
	seedDemo := fs.Bool("seed-demo", env("PARETO_SEED_DEMO", "") == "true", "seed the demo tenant when the database is empty (env PARETO_SEED_DEMO=true)")
	idle := fs.Duration("session-idle", envDuration("PARETO_SESSION_IDLE", 30*time.Minute), "session idle timeout (env PARETO_SESSION_IDLE)")
	lifetime := fs.Duration("session-lifetime", envDuration("PARETO_SESSION_LIFETIME", 12*time.Hour), "absolute session lifetime (env PARETO_SESSION_LIFETIME)")
	stmtTimeout := fs.Duration("statement-timeout", envDuration("PARETO_STATEMENT_TIMEOUT", 10*time.Second), "PostgreSQL statement_timeout (env PARETO_STATEMENT_TIMEOUT)")
	maxConns := fs.Int("db-max-conns", 10, "maximum pooled database connections")
	appURL := fs.String("app-database-url", os.Getenv("PARETO_APP_DATABASE_URL"), "PostgreSQL URL of the serving login (role pareto_app); empty: the database URL's server and database as pareto_app (env PARETO_APP_DATABASE_URL)")
	smtpURL := fs.String("smtp-url", os.Getenv("PARETO_SMTP_URL"), "SMTP server for outgoing mail, smtp://user:pass@host:587 (STARTTLS) or smtps://…; empty keeps mail in the outbox folder (env PARETO_SMTP_URL)")
	outboxDir := fs.String("outbox-dir", os.Getenv("PARETO_OUTBOX_DIR"), "folder of the mail outbox when no SMTP server is set; empty: <data-dir>/outbox (env PARETO_OUTBOX_DIR)")
	proxies := fs.String("trusted-proxies", os.Getenv("PARETO_TRUSTED_PROXIES"), "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (env PARETO_TRUSTED_PROXIES)")
	hookKey := fs.String("webhook-key", os.Getenv("PARETO_WEBHOOK_KEY"), "base64 of 32 random bytes sealing webhook signing secrets at rest; empty: kept in <data-dir>/webhook.key, made on first start (env PARETO_WEBHOOK_KEY)")
	hookLocal := fs.Bool("webhooks-allow-http-localhost", env("PARETO_WEBHOOKS_ALLOW_HTTP_LOCALHOST", "") == "true", "development: let webhook endpoints be plain http on localhost and deliveries reach loopback addresses (env PARETO_WEBHOOKS_ALLOW_HTTP_LOCALHOST=true)")
	memLimit := fs.Int64("memory-limit-mib", envInt64("PARETO_MEMORY_LIMIT_MIB", 100), "soft limit of the Go heap in MiB: the garbage collector works harder near it, so bursts (sign-ins hash with 19 MiB each) do not grow the process; 0: none; GOMEMLIMIT wins (env PARETO_MEMORY_LIMIT_MIB)")
	gcPercent := fs.Int("gc-percent", int(envInt64("PARETO_GC_PERCENT", 400)), "garbage collection target percentage (Go's GOGC): the heap may grow this much over what is live before a collection; the memory limit still bounds it, so a small live heap is collected less often without growing past the limit; GOGC wins (env PARETO_GC_PERCENT)")
	pprofAddr := fs.String("pprof-addr", os.Getenv("PARETO_PPROF_ADDR"), "loopback address (127.0.0.1:port) to serve Go's /debug/pprof/ profiles on, for profiling under load; empty: none (env PARETO_PPROF_ADDR)")
	_ = fs.Parse(args)
	trusted, err := server.ParseTrustedProxies(*proxies)
	if err != nil {
		return err
	}
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(*memLimit << 20)
	}
	if *gcPercent > 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(*gcPercent)
	}

	log := newLogger()
	key, err := webhookKey(*hookKey, dbf.dataDir)
	if err != nil {
		return err
	}
	sender, err := mailSender(*smtpURL, *outboxDir, dbf.dataDir, *baseURL, log)
	if err != nil {
		return err
	}
	url, stopDB, err := dbf.database(ctx, log)
	if err != nil {
		return err
	}
	defer stopDB()
	if err := db.MigrateUp(ctx, url); err != nil {
		return err
	}
	d, err := db.Open(ctx, url, db.Options{MaxConns: int32(*maxConns), StatementTimeout: *stmtTimeout, AppURL: *appURL})
	if err != nil {
		return err
	}
	defer d.Close()
	if *seedDemo {
		if empty, err := demo.IsEmpty(ctx, d); err != nil {
			return err
		} else if empty {
			if err := seedAndTell(ctx, d, log); err != nil {
				return err
			}
		}
	}

	srv := server.New(server.Config{
		BaseURL:            *baseURL,
		SecureCookies:      strings.HasPrefix(*baseURL, "https://"),
		IdleTimeout:        *idle,
		SessionLifetime:    *lifetime,
		TrustedProxies:     trusted,
		Mail:               sender,
		WebhookKey:         key,
		WebhooksAllowLocal: *hookLocal,
	}, d, log)
	defer srv.Stop()
	srv.StartWebhooks()
	hs := &http.Server{
		Addr:              *addr,
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if *pprofAddr != "" {
		if err := servePprof(*pprofAddr, log); err != nil {
			return err
		}
	}
	go func() { errc <- hs.ListenAndServe() }()
	log.Info("serving", "addr", *addr, "url", *baseURL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
	}
	return nil
}

// servePprof serves net/http/pprof's handlers on addr, which must be a
// loopback address: profiles show the program's internals and are never
// part of the application's routes.
func servePprof(addr string, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("pprof-addr: %w", err)
	}
	if ip, err := netip.ParseAddr(host); err != nil || !ip.IsLoopback() {
		return fmt.Errorf("pprof-addr %q: must be a loopback address such as 127.0.0.1:6060", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiles served", "addr", addr)
	go func() {
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		_ = hs.Serve(l)
	}()
	return nil
}

// webhookKey is the key given, else the one kept in the data folder.
func webhookKey(given, dataDir string) (*webhook.Key, error) {
	if given != "" {
		return webhook.ParseKey(given)
	}
	return webhook.LoadKey(filepath.Join(dataDir, "webhook.key"))
}

// mailSender is SMTP when smtpURL is set, else the file outbox.
func mailSender(smtpURL, outboxDir, dataDir, baseURL string, log *slog.Logger) (mail.Sender, error) {
	if smtpURL != "" {
		return mail.NewSMTP(smtpURL, mail.DefaultFrom(baseURL))
	}
	if outboxDir == "" {
		outboxDir = filepath.Join(dataDir, "outbox")
	}
	log.Info("no PARETO_SMTP_URL: mail goes to the outbox (admins: /admin/outbox) and the log", "dir", outboxDir)
	return mail.NewOutbox(outboxDir, log)
}

func seedAndTell(ctx context.Context, d *db.DB, log *slog.Logger) error {
	err := demo.Seed(ctx, d)
	if errors.Is(err, demo.ErrAlreadySeeded) {
		log.Info("demo tenant already present")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\n  Demo tenant \"Acme Industrial\" created.\n  Sign in as %s (or leader@acme.test, kam1@acme.test, kam2@acme.test, kam3@acme.test)\n  with the password: %s\n\n", demo.AdminEmail, demo.Password)
	return nil
}

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	url, stopDB, err := onDatabase(ctx, fs, args, func() error {
		if fs.NArg() != 1 {
			return errors.New("migrate needs one of: up, down, status")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer stopDB()
	m, err := db.NewMigrator(url)
	if err != nil {
		return err
	}
	defer m.Close()
	switch fs.Arg(0) {
	case "up":
		res, err := m.Up(ctx)
		for _, r := range res {
			fmt.Printf("applied %s (%s)\n", r.Source.Path, r.Duration.Round(time.Millisecond))
		}
		if err == nil && len(res) == 0 {
			fmt.Println("no pending migrations")
		}
		return err
	case "down":
		r, err := m.Down(ctx)
		if r != nil && r.Source != nil {
			fmt.Printf("rolled back %s\n", r.Source.Path)
		}
		return err
	case "status":
		st, err := m.Status(ctx)
		for _, s := range st {
			at := "pending"
			if s.State == "applied" {
				at = "applied " + s.AppliedAt.Format(time.RFC3339)
			}
			fmt.Printf("%-40s %s\n", s.Source.Path, at)
		}
		return err
	}
	return fmt.Errorf("migrate: unknown action %q (want up, down or status)", fs.Arg(0))
}

func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	demoFlag := fs.Bool("demo", false, "create the demo tenant")
	url, stopDB, err := onDatabase(ctx, fs, args, func() error {
		if !*demoFlag {
			return errors.New("seed: nothing to do; use --demo")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer stopDB()
	if err := db.MigrateUp(ctx, url); err != nil {
		return err
	}
	d, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	return seedAndTell(ctx, d, newLogger())
}

func backup(ctx context.Context, args []string) error {
	return withArchive(ctx, "backup", "write", args, db.Backup, "backup written to")
}

func restore(ctx context.Context, args []string) error {
	return withArchive(ctx, "restore", "read", args, db.Restore, "restored from")
}

// withArchive runs a command that takes one archive file and the database
// flags: backup and restore.
func withArchive(ctx context.Context, name, verb string, args []string, run func(ctx context.Context, url, file string) error, done string) error {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	url, stopDB, err := onDatabase(ctx, fs, args, func() error {
		if fs.NArg() != 1 {
			return fmt.Errorf("%s needs the archive file to %s", name, verb)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer stopDB()
	if err := run(ctx, url, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Println(done, fs.Arg(0))
	return nil
}
