package store

import "context"

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
