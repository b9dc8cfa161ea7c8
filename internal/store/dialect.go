package store

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sportello/sportello/internal/model"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// dialect holds the few real differences between the engines. Queries are
// written once, with ? placeholders, and rebound for PostgreSQL.
type dialect struct {
	engine Engine
}

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Question marks
// inside single-quoted literals are left alone.
func (d dialect) rebind(q string) string {
	if d.engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ilike is the case-insensitive LIKE operator.
func (d dialect) ilike() string {
	if d.engine == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// mapError turns both engines' constraint violations into the model's
// generic errors, so callers never look at driver codes.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505": // unique_violation
			return &model.Error{Code: model.CodeConflict, Key: "error.duplicate", Message: "already exists", Err: err}
		case "22021", "22P05": // bad byte sequence for the encoding, untranslatable character
			return &model.Error{Code: model.CodeInvalid, Key: "error.validation.utf8", Message: "not valid text", Err: err}
		case "23503": // foreign_key_violation
			return &model.Error{Code: model.CodeInvalid, Key: "error.reference", Message: "refers to a record that does not exist", Err: err}
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &model.Error{Code: model.CodeConflict, Key: "error.duplicate", Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &model.Error{Code: model.CodeInvalid, Key: "error.reference", Message: "refers to a record that does not exist", Err: err}
		}
	}
	return err
}
