package db

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/jackc/pgx/v5"
)

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

// Backup writes a pg_dump archive (custom format) of the database at url
// to file.
func Backup(ctx context.Context, url, file string) error {
	bin, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+file, "--dbname="+url)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w: %s", err, stderr.String())
	}
	return nil
}

// Restore replaces the contents of the database at url with a Backup
// archive. The application role must exist first, since the archive grants
// to it; the database should be empty or a previous copy of the same app.
func Restore(ctx context.Context, url, file string) error {
	bin, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("restore: connect: %w", err)
	}
	_, err = conn.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+AppRole+`') THEN
			CREATE ROLE `+AppRole+` LOGIN NOBYPASSRLS;
		END IF; END $$; GRANT `+AppRole+` TO CURRENT_USER`)
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("restore: application role: %w", err)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", "--dbname="+url, file)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("restore: pg_restore: %w: %s", err, stderr.String())
	}
	return nil
}
