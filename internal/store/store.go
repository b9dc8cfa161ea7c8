// Package store keeps the desk's data in SQLite (embedded, the default) or
// PostgreSQL (production, several app instances). Queries are written once
// in a portable dialect; only the DDL differs per engine.
//
// Every method that touches tenant data takes the organisation id and puts
// it in the WHERE clause: a row of another organisation is "not found".
// Exported methods own their transaction; private helpers take a *sql.Tx.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/sportello/sportello/internal/model"
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	dialect
	write *sql.DB // SQLite: one connection, so writes never wait on locks
	read  *sql.DB // SQLite: a pool of read-only connections; PostgreSQL: same as write
	batch *committer
	// SQLite: the statements each pool prepared (stmts.go); nil on
	// PostgreSQL.
	readStmts, writeStmts *stmtCache
	writes                atomic.Int64 // write transactions committed (WriteCount)
	path                  string       // SQLite file, for backups
	now                   func() time.Time
	dir                   directoryCache // organisations' directories in memory, by revision
}

// Options tune Open.
type Options struct {
	// Now is the clock; tests set it. Defaults to time.Now.
	Now func() time.Time
	// ReadConns bounds the reader pool (SQLite) or the whole pool
	// (PostgreSQL). Defaults to a value from the number of CPUs.
	ReadConns int
}

// ParseURL tells which engine a database URL selects and checks that it is
// well formed: postgres:// or postgresql:// for PostgreSQL, a file path or
// sqlite:// or file: URL for SQLite.
func ParseURL(raw string) (Engine, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return "", "", fmt.Errorf("malformed PostgreSQL URL (want postgres://user@host:5432/dbname)")
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite://"):
		p := strings.TrimPrefix(raw, "sqlite://")
		if p == "" {
			return "", "", fmt.Errorf("malformed SQLite URL (want sqlite:///path/to/file.db)")
		}
		return SQLite, p, nil
	case strings.HasPrefix(raw, "file:"):
		return SQLite, strings.TrimPrefix(raw, "file:"), nil
	case strings.Contains(raw, "://"):
		return "", "", fmt.Errorf("unsupported database URL scheme %q (use postgres:// or a SQLite file path)", raw[:strings.Index(raw, "://")])
	case raw == "":
		return "", "", fmt.Errorf("empty database URL")
	default:
		return SQLite, raw, nil
	}
}

// Open connects to the database named by rawURL, checks that it answers and
// starts the write batcher. It does not migrate: call Migrate.
func Open(ctx context.Context, rawURL string, opt Options) (*Store, error) {
	engine, target, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.ReadConns <= 0 {
		opt.ReadConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	s := &Store{dialect: dialect{engine: engine}, now: opt.Now}
	switch engine {
	case SQLite:
		err = s.openSQLite(target, opt)
	case Postgres:
		err = s.openPostgres(target, opt)
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pingCtx); err != nil {
		s.closeDBs()
		if engine == Postgres {
			return nil, fmt.Errorf("cannot reach PostgreSQL: %w", err)
		}
		return nil, fmt.Errorf("cannot open SQLite database %s: %w", target, err)
	}
	s.batch = newCommitter(s)
	return s, nil
}

func (s *Store) openSQLite(path string, opt Options) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("cannot create database directory: %w", err)
		}
	}
	s.path = path
	// WAL lets readers work while the single writer commits; FULL makes every
	// acknowledged commit survive a power cut (group commit pays for it).
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return err
	}
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns)
	r.SetConnMaxIdleTime(5 * time.Minute)
	s.write, s.read = w, r
	s.readStmts, s.writeStmts = newStmtCache(r, false), newStmtCache(w, true)
	return nil
}

func (s *Store) openPostgres(dsn string, opt Options) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("malformed PostgreSQL URL: %w", err)
	}
	db.SetMaxOpenConns(opt.ReadConns * 2)
	db.SetMaxIdleConns(opt.ReadConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.write, s.read = db, db
	return nil
}

// Engine tells which database engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// Ping checks that the database answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	return s.read.PingContext(ctx)
}

// Close stops the write batcher and closes the connections.
func (s *Store) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	for _, c := range []*stmtCache{s.readStmts, s.writeStmts} {
		if c != nil {
			c.close()
		}
	}
	var errs []error
	if s.write != nil {
		if s.engine == SQLite {
			// Fold the WAL back into the main file so a copied data directory
			// is complete.
			_, _ = s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
		errs = append(errs, s.write.Close())
	}
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	return errors.Join(errs...)
}

// queryer is what read helpers need: a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// q wraps a queryer so every query is rebound for the engine. With a
// statement cache (SQLite), a query runs as a prepared statement of the
// pool's: on the pool itself, or, in a transaction (tx set), on the
// transaction's connection.
type q struct {
	d     dialect
	db    queryer
	stmts *stmtCache
	tx    *sql.Tx
}

// prepared returns the statement to run query with, or nil to run it as
// text.
func (x q) prepared(ctx context.Context, query string) *sql.Stmt {
	if x.stmts == nil {
		return nil
	}
	st := x.stmts.get(ctx, query)
	if st != nil && x.tx != nil {
		st = x.tx.StmtContext(ctx, st)
	}
	return st
}

func (x q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = x.d.rebind(query)
	if st := x.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return x.db.QueryContext(ctx, query, args...)
}

func (x q) row(ctx context.Context, query string, args ...any) *sql.Row {
	query = x.d.rebind(query)
	if st := x.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return x.db.QueryRowContext(ctx, query, args...)
}

func (x q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = x.d.rebind(query)
	if st := x.prepared(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapError(err)
	}
	res, err := x.db.ExecContext(ctx, query, args...)
	return res, mapError(err)
}

// reader returns a query helper over the read pool.
func (s *Store) reader() q { return q{d: s.dialect, db: s.read, stmts: s.readStmts} }

// writer returns a query helper over tx, a transaction of the write pool.
func (s *Store) writer(tx *sql.Tx) q { return q{d: s.dialect, db: tx, stmts: s.writeStmts, tx: tx} }

// inTx runs fn in a write transaction. On SQLite it goes through the group
// committer, which shares one transaction and one fsync among concurrent
// writers; each fn still succeeds or fails alone (a savepoint each). On
// PostgreSQL it is an ordinary transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx q) error) error {
	if s.engine == SQLite {
		return s.batch.do(ctx, fn)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(s.writer(tx)); err != nil {
		_ = tx.Rollback()
		return mapError(err)
	}
	if err := tx.Commit(); err != nil {
		return mapError(err)
	}
	s.writes.Add(1)
	return nil
}

// WriteCount is the number of write transactions committed since the
// store opened (a batch of the SQLite committer counts each of its
// writers): for metrics, and to show that something writes nothing.
func (s *Store) WriteCount() int64 { return s.writes.Load() }

// Time columns hold Unix milliseconds (UTC) on both engines: one type, one
// scan path, compact indexes.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func nullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}

// notFound converts sql.ErrNoRows into the model's typed not-found error.
func notFound(err error, kind string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return model.NotFound(kind)
	}
	return err
}

// mustAffect turns an UPDATE or DELETE that touched no row into a typed
// not-found error for kind: the row is missing or belongs to another
// organisation.
func mustAffect(res interface{ RowsAffected() (int64, error) }, err error) func(kind string) error {
	return func(kind string) error {
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return model.NotFound(kind)
		}
		return nil
	}
}
