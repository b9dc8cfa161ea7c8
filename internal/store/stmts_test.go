package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello/internal/model"
)

func openSQLiteForTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *stmtCache) has(query string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.m[query]
	return ok
}

// Reads are prepared at their first run; writes are noted in the
// transaction and prepared between two, then run prepared inside the
// next ones (the single write connection is never asked for twice).
func TestStatementsArePreparedOnceAndReused(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteForTest(t)
	org := &model.Organization{Slug: "st", Name: "Statements"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	const read = "SELECT name FROM organizations WHERE id = ?"
	for range 3 {
		var name string
		if err := s.reader().row(ctx, read, org.ID).Scan(&name); err != nil || name != "Statements" {
			t.Fatalf("read: %q, %v", name, err)
		}
	}
	if !s.readStmts.has(read) {
		t.Error("a read run three times is not in the read pool's cache")
	}
	const write = "UPDATE organizations SET name = ? WHERE id = ?"
	for i := range 3 {
		if err := s.inTx(ctx, func(tx q) error {
			_, err := tx.exec(ctx, write, fmt.Sprint("Statements ", i), org.ID)
			return err
		}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if !s.writeStmts.has(write) {
		t.Error("a write run in three transactions is not in the write pool's cache")
	}
	got, err := s.Organization(ctx, org.ID)
	if err != nil || got.Name != "Statements 2" {
		t.Errorf("after prepared writes: %+v, %v", got, err)
	}
	// A prepared statement left in the cache must not hold a read open:
	// the WAL still folds back and a backup still runs.
	if _, err := s.write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Errorf("checkpoint with cached statements: %v", err)
	}
	if err := s.Backup(ctx, filepath.Join(t.TempDir(), "copy.db")); err != nil {
		t.Errorf("backup with cached statements: %v", err)
	}
}

// Texts built at run time must not grow the cache without bound: a text
// run once takes no place, and past the cache's size texts run unprepared,
// and still run.
func TestStatementCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteForTest(t)
	once := "SELECT 7 + ?"
	if err := s.reader().row(ctx, once, 1).Scan(new(int)); err != nil {
		t.Fatal(err)
	}
	if s.readStmts.has(once) {
		t.Error("a text run once was prepared")
	}
	for i := range stmtCacheMax + 20 {
		for range 2 {
			var n int
			if err := s.reader().row(ctx, fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&n); err != nil || n != i+1 {
				t.Fatalf("query %d: %d, %v", i, n, err)
			}
		}
	}
	s.readStmts.mu.RLock()
	size := len(s.readStmts.m)
	s.readStmts.mu.RUnlock()
	if size > stmtCacheMax {
		t.Errorf("cache holds %d statements, more than %d", size, stmtCacheMax)
	}
	// A statement that does not prepare reports its error when run.
	if err := s.reader().row(ctx, "SELECT nope FROM nowhere").Scan(new(int)); err == nil {
		t.Error("a broken statement ran without error")
	}
}
