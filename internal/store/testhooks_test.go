package store

import (
	"context"
	"fmt"
)

// RawExecForTest and RawInt64ForTest let the external tests set up rows
// the public API does not create yet.
func (s *Store) RawExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := s.write.ExecContext(ctx, s.rebind(query), args...)
	return err
}

func (s *Store) RawInt64ForTest(ctx context.Context, query string, args ...any) (int64, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, s.rebind(query), args...).Scan(&v)
	return v, err
}

// MigrationSQLForTest returns the text of this engine's migration number
// version, so that a test can run it again over rows it wrote the way an
// older version did.
func (s *Store) MigrationSQLForTest(version int) (string, error) {
	all, err := s.migrations()
	if err != nil {
		return "", err
	}
	for _, m := range all {
		if m.version == version {
			return m.sql, nil
		}
	}
	return "", fmt.Errorf("no migration %d", version)
}
