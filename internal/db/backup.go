package db

import "bytes"
import "context"
import "errors"
import "fmt"
import "os"
import "os/exec"
import "path/filepath"
import "strings"
import "time"

import "github.com/jackc/pgx/v5"

// pgTool finds a PostgreSQL client program (pg_dump, pg_restore) next to
// the server binaries, or on PATH.
func pgTool(name string) (string, error) {
	if dir, err := FindPostgresBin(); err == nil {
		p := filepath.Join(dir, name)
		if _, err := exec.LookPath(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: install the PostgreSQL client programs (Debian: postgresql-client)", name)
	}
	return p, nil
}

// ErrBackupNeedsBypass says a backup of a Citus database was asked of a
// login that row-level security applies to.
var ErrBackupNeedsBypass = errors.New("backup: on Citus, pg_dump reads the shards through the coordinator, and the workers " +
	"apply row-level security with no tenant set: this login would dump every tenant table empty. Run the backup as a " +
	"superuser or a BYPASSRLS role (e.g. --database-url postgres://postgres@coordinator/pareto), or back up every node " +
	"physically (pg_basebackup); see docs/scaling.md")

// Backup writes a pg_dump archive (custom format) of the database at url
// to file. On Citus the coordinator serves every table's rows from the
// shards, so the archive holds the whole database as plain tables (Restore
// distributes them again on a Citus target); that needs a login that
// bypasses row-level security, and Backup refuses any other
// (ErrBackupNeedsBypass) rather than write an archive without tenant rows.
func Backup(ctx context.Context, url, file string) error {
	bin, conn, err := toolAndConn(ctx, "pg_dump", url, "backup")
	if err != nil {
		return err
	}
	citus, err := HasCitus(ctx, conn)
	var bypass bool
	if err == nil && citus {
		err = conn.QueryRow(ctx, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&bypass)
	}
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if citus && !bypass {
		return ErrBackupNeedsBypass
	}
	return runTool(exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+file, "--dbname="+url), "backup: pg_dump")
}

// Restore replaces the contents of the database at url with a Backup
// archive. The application role must exist first, since the archive grants
// to it; the database should be empty or a previous copy of the same app.
// An archive of a Citus database restores anywhere (its citus extension
// entry is skipped); on a Citus target the tables are then distributed
// (Distribute).
func Restore(ctx context.Context, url, file string) error {
	bin, conn, err := toolAndConn(ctx, "pg_restore", url, "restore")
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+AppRole+`') THEN
			CREATE ROLE `+AppRole+` LOGIN NOBYPASSRLS;
		END IF; END $$; GRANT `+AppRole+` TO CURRENT_USER`)
	var citus bool
	if err == nil {
		citus, err = HasCitus(ctx, conn)
	}
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("restore: application role: %w", err)
	}
	list, err := restoreList(ctx, bin, file)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
		"--use-list="+list, "--dbname="+url, file)
	if citus {
		// Dropping distributed tables in one transaction with foreign
		// keys to a reference table needs sequential shard commands, and
		// dropping their triggers the explicit permission.
		cmd.Env = append(os.Environ(), "PGOPTIONS=-c citus.multi_shard_modify_mode=sequential -c citus.enable_unsafe_triggers=on")
	}
	err = runTool(cmd, "restore: pg_restore")
	os.Remove(list)
	if err != nil {
		return err
	}
	if err := moveDataVersions(ctx, url, time.Now()); err != nil {
		return err
	}
	if citus {
		if _, err := Distribute(ctx, url); err != nil {
			return fmt.Errorf("restore: the data is restored as plain tables; distributing them failed (retry with pareto citus distribute): %w", err)
		}
	}
	return nil
}

// toolAndConn finds PostgreSQL's program tool and connects to the
// database at url, what a backup and a restore (op, in errors) start
// with.
func toolAndConn(ctx context.Context, tool, url, op string) (string, *pgx.Conn, error) {
	bin, err := pgTool(tool)
	if err != nil {
		return "", nil, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", nil, fmt.Errorf("%s: connect: %w", op, err)
	}
	return bin, conn, nil
}

// runTool runs cmd; its error (what, in it) carries the program's standard
// error.
func runTool(cmd *exec.Cmd, what string) error {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", what, err, stderr.String())
	}
	return nil
}

// restoreList writes the archive's table of contents without the citus
// extension (an archive of a Citus coordinator has it; the target either
// has it already or cannot load it) to a temporary file for --use-list.
func restoreList(ctx context.Context, bin, file string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, "--list", file).Output()
	if err != nil {
		return "", fmt.Errorf("restore: read the archive's contents: %w", err)
	}
	var keep strings.Builder
	for line := range strings.Lines(string(out)) {
		if strings.HasSuffix(strings.TrimSpace(line), " EXTENSION - citus") || strings.HasSuffix(strings.TrimSpace(line), " COMMENT - EXTENSION citus") {
			continue
		}
		keep.WriteString(line)
	}
	f, err := os.CreateTemp("", "pareto-restore-*.list")
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(keep.String()); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("restore: %w", err)
	}
	return f.Name(), nil
}

// moveDataVersions moves every tenant's data version past any a server
// may have kept a part under (db.Kept): to now in microseconds, at least
// one more than restored. A restore takes the database back to an
// earlier version, and the writes after it would count up again through
// versions that servers still running saw with other data, so they would
// serve those parts as current. A version counts writes from a restored
// value up; microseconds since 1970 are far above any count of writes
// before the restore (a write a microsecond would take 56 years to reach
// them), and a later restore moves them past its own time again.
func moveDataVersions(ctx context.Context, url string, now time.Time) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("restore: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE tenants SET data_version = greatest(data_version + 1, $1)", now.UnixMicro()); err != nil {
		return fmt.Errorf("restore: move the tenants' data versions: %w", err)
	}
	return nil
}
