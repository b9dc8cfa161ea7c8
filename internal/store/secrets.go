package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// minSecretSize is the least entropy a signing secret may have.
const minSecretSize = 32

// Secret returns the server secret called name, creating it with size
// random bytes the first time anyone asks. Every instance on the same
// database gets the same bytes, whichever created them: when two start
// together, the first insert wins and both read it back. The secret never
// leaves the database except to the caller.
func (s *Store) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	if name == "" || len(name) > 100 {
		return nil, fmt.Errorf("store: secret name %q", name)
	}
	if size < minSecretSize {
		return nil, fmt.Errorf("store: secret %s: %d bytes is too little; use at least %d", name, size, minSecretSize)
	}
	var v string
	err := s.reader().row(ctx, "SELECT value FROM secrets WHERE name = ?", name).Scan(&v)
	if err == nil {
		return decodeSecret(name, v)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	fresh := make([]byte, size)
	rand.Read(fresh) // never fails since Go 1.24
	err = s.inTx(ctx, func(tx q) error {
		if _, err := tx.exec(ctx, "INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			name, hex.EncodeToString(fresh), ms(s.now().UTC().Truncate(time.Millisecond))); err != nil {
			return err
		}
		return tx.row(ctx, "SELECT value FROM secrets WHERE name = ?", name).Scan(&v)
	})
	if err != nil {
		return nil, err
	}
	return decodeSecret(name, v)
}

func decodeSecret(name, v string) ([]byte, error) {
	b, err := hex.DecodeString(v)
	if err != nil || len(b) < minSecretSize {
		return nil, fmt.Errorf("store: secret %s is damaged in the database", name)
	}
	return b, nil
}
