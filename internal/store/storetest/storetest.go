// Package storetest opens fresh, migrated databases for tests: a SQLite file
// in a temporary directory always, and a new PostgreSQL database when
// SPORTELLO_TEST_POSTGRES_URL names a server. Each test gets its own
// database and drops it afterwards; nothing depends on an earlier run.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello/internal/store"
)

// EnvPostgres names the environment variable with the PostgreSQL server
// URL, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvPostgres = "SPORTELLO_TEST_POSTGRES_URL"

// Engines lists the engines to test on: SQLite always, PostgreSQL when the
// environment names a server.
func Engines() []store.Engine {
	if os.Getenv(EnvPostgres) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// Each runs fn as a subtest on every engine, with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated store on engine e, closed and dropped when
// the test ends.
func Open(t testing.TB, e store.Engine) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, e), store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return s
}

// URL returns the URL of a new empty database on engine e, dropped when
// the test ends.
func URL(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "sportello.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set", EnvPostgres)
	}
	return NewPostgresDB(t, base)
}

// NewPostgresDB creates a database with a random name on the server of
// base and returns its URL; the database is dropped when the test ends.
func NewPostgresDB(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "sportello_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
