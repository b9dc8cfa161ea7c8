package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupPostgres says that PostgreSQL is backed up with its own tools.
var ErrBackupPostgres = errors.New("the database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=sportello.dump \"$SPORTELLO_DATABASE_URL\", and restore with pg_restore")

// Backup writes a consistent copy of the SQLite database to path while the
// desk keeps running (VACUUM INTO reads one snapshot; writers are not
// blocked). The file must not exist yet.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.engine != SQLite {
		return ErrBackupPostgres
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("%s already exists: choose a new file name", path)
	}
	if dir := filepath.Dir(abs); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("directory %s does not exist", dir)
		}
	}
	// The reader pool is query_only, so the copy goes through a fresh
	// read transaction on the writer's file with its own connection.
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "PRAGMA query_only = 1")
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
