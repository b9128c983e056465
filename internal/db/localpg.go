package db

import "context"
import "errors"
import "fmt"
import "net/url"
import "os"
import "os/exec"
import "os/user"
import "path/filepath"
import "sort"
import "strconv"
import "strings"
import "syscall"
import "time"

import "github.com/jackc/pgx/v5"

// LocalCluster is a private PostgreSQL cluster run from the system's
// binaries: data and unix socket in a folder of its own, no TCP port.
type LocalCluster struct {
	Dir       string // the folder holding data/, the log and (usually) the socket
	SocketDir string
	binDir    string
	cmd       *exec.Cmd
	exited    chan error
	cred      *syscall.Credential
	// ownedSocketDir is true when the socket folder was made outside Dir
	// (path too long for a unix socket) and must be removed on Stop.
	ownedSocketDir bool
}

// LocalOptions tune a LocalCluster. Fast trades durability for speed and is
// meant for throwaway test clusters only.
type LocalOptions struct {
	Fast bool
}

const superuser = "pareto"

// ErrNoPostgres says the PostgreSQL server binaries could not be found.
var ErrNoPostgres = errors.New("no PostgreSQL server binaries found (looked for initdb and postgres on PATH and in /usr/lib/postgresql/*/bin); " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to use your own server")

// FindPostgresBin returns the folder holding initdb and postgres.
func FindPostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	// Highest major version first.
	sort.Slice(matches, func(i, j int) bool {
		return pgMajor(matches[i]) > pgMajor(matches[j])
	})
	for _, m := range matches {
		dir := filepath.Dir(m)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", ErrNoPostgres
}

func pgMajor(path string) int {
	parts := strings.Split(path, string(filepath.Separator))
	for i, p := range parts {
		if p == "postgresql" && i+1 < len(parts) {
			n, _ := strconv.Atoi(parts[i+1])
			return n
		}
	}
	return 0
}

// StartLocal starts (initialising on first use) a cluster in dir.
func StartLocal(ctx context.Context, dir string, opts LocalOptions) (*LocalCluster, error) {
	binDir, err := FindPostgresBin()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	c := &LocalCluster{Dir: dir, binDir: binDir, exited: make(chan error, 1)}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		c.cred, err = unprivilegedUser()
		if err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("localpg: make %s: %w", dir, err)
	}
	if err := c.prepareSocketDir(); err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx, dataDir); err != nil {
			return nil, err
		}
	}
	if err := c.start(ctx, dataDir, opts); err != nil {
		return nil, err
	}
	return c, nil
}

func unprivilegedUser() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("localpg: running as root and no unprivileged user (postgres or nobody) exists to run PostgreSQL; create one or set DATABASE_URL")
}

func (c *LocalCluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("localpg: chown %s: %w", path, err)
	}
	return nil
}

// Unix socket paths are limited to about 107 bytes; PostgreSQL appends
// "/.s.PGSQL.5432" to the folder.
const maxSocketDirLen = 90

func (c *LocalCluster) prepareSocketDir() error {
	sock := filepath.Join(c.Dir, "run")
	if len(sock) > maxSocketDirLen {
		d, err := os.MkdirTemp("", "pgsock")
		if err != nil {
			return fmt.Errorf("localpg: socket folder: %w", err)
		}
		sock, c.ownedSocketDir = d, true
	} else if err := os.MkdirAll(sock, 0o700); err != nil {
		return fmt.Errorf("localpg: socket folder: %w", err)
	}
	if err := os.Chmod(sock, 0o700); err != nil {
		return fmt.Errorf("localpg: socket folder: %w", err)
	}
	c.SocketDir = sock
	return c.chown(sock)
}

func (c *LocalCluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	// The server's working folder must be readable by the server's user.
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: c.cred,
		// Own process group: a Ctrl-C in the terminal reaches us, and we
		// stop the server in order, rather than both racing.
		Setpgid: true,
		// A killed parent must not leave the cluster running.
		Pdeathsig: syscall.SIGQUIT,
	}
	return cmd
}

func (c *LocalCluster) initdb(ctx context.Context, dataDir string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("localpg: make data folder: %w", err)
	}
	if err := c.chown(c.Dir); err != nil {
		return err
	}
	if err := c.chown(dataDir); err != nil {
		return err
	}
	cmd := c.command(ctx, "initdb", "-D", dataDir, "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--no-locale", "--no-instructions")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("localpg: initdb: %w\n%s", err, out)
	}
	return nil
}

func (c *LocalCluster) start(ctx context.Context, dataDir string, opts LocalOptions) error {
	logPath := filepath.Join(c.Dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("localpg: open log: %w", err)
	}
	args := []string{"-D", dataDir, "-k", c.SocketDir, "-c", "listen_addresses=",
		"-c", "max_connections=200", "-c", "unix_socket_permissions=0700"}
	if opts.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	// Not CommandContext: the server must outlive the start-up context.
	cmd := c.command(context.Background(), "postgres", args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("localpg: start postgres: %w", err)
	}
	c.cmd = cmd
	go func() {
		c.exited <- cmd.Wait()
		logFile.Close()
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case werr := <-c.exited:
			c.exited <- werr
			return fmt.Errorf("localpg: postgres exited during start-up (%v); see %s:\n%s", werr, logPath, tail(logPath, 20))
		case <-ctx.Done():
			c.Stop()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.Stop()
			return fmt.Errorf("localpg: postgres not ready after 30s: %w; see %s", err, logPath)
		}
	}
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// URL returns a connection URL to database name over the unix socket.
func (c *LocalCluster) URL(name string) string {
	q := url.Values{"host": {c.SocketDir}, "user": {superuser}}
	return "postgres:///" + url.PathEscape(name) + "?" + q.Encode()
}

// EnsureDatabase creates database name if it does not exist yet.
func (c *LocalCluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("localpg: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("localpg: check database: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("localpg: create database: %w", err)
	}
	return nil
}

// Stop shuts the server down cleanly (fast shutdown), waiting up to 30s
// before killing it.
func (c *LocalCluster) Stop() error {
	if c == nil || c.cmd == nil || c.cmd.Process == nil {
		return nil
	}
	defer func() {
		if c.ownedSocketDir {
			os.RemoveAll(c.SocketDir)
		}
	}()
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return errors.New("localpg: postgres did not stop within 30s and was killed")
	}
}
