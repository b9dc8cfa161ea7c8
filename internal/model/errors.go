// Package model holds the desk's domain types, their validation and the
// error codes shared by every layer. It imports nothing of ours.
package model

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edges: the HTTP layer maps it to a
// status, the command line to an exit message.
type Code string

const (
	CodeInvalid      Code = "invalid"      // the input is malformed or breaks a rule
	CodeNotFound     Code = "not_found"    // no such record in the caller's organisation
	CodeConflict     Code = "conflict"     // a unique value is taken, or the state forbids it
	CodeUnauthorized Code = "unauthorized" // no valid credentials
	CodeForbidden    Code = "forbidden"    // credentials valid, permission missing
	CodeTooLarge     Code = "too_large"    // a body or file over its limit
	CodeRateLimited  Code = "rate_limited" // too many requests
	CodeUnavailable  Code = "unavailable"  // a dependency is down
	CodeInternal     Code = "internal"     // a bug or an unexpected failure
)

// Error is a domain error: a code for the edges, a translation key with its
// arguments for the user's language, and optionally the field it concerns.
// Message is the English text, used in logs and as the fallback.
type Error struct {
	Code    Code
	Key     string         // translation key, e.g. "error.contact.not_found"
	Args    map[string]any // arguments for the translated message
	Field   string         // the input field at fault, if any
	Message string         // English text for logs and fallback
	Err     error          // the wrapped cause, if any
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Code)
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a domain error with an English message formatted from
// format and args; the translation key carries no arguments.
func Errorf(code Code, key, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports a validation failure on one field.
func Invalid(field, key, message string, args map[string]any) *Error {
	return &Error{Code: CodeInvalid, Key: key, Field: field, Message: message, Args: args}
}

// NotFound reports a missing record of the given kind ("conversation").
func NotFound(kind string) *Error {
	return &Error{
		Code:    CodeNotFound,
		Key:     "error.not_found",
		Args:    map[string]any{"Kind": kind},
		Message: kind + " not found",
	}
}

// ErrNotFound and ErrDuplicate are the store's generic failures, matched
// with errors.Is whatever the engine said.
var (
	ErrNotFound  = &Error{Code: CodeNotFound, Key: "error.not_found", Message: "not found"}
	ErrDuplicate = &Error{Code: CodeConflict, Key: "error.duplicate", Message: "already exists"}
)

// Is makes errors.Is(err, ErrNotFound) true for any not-found domain error,
// and likewise for duplicates, whatever their key.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t == ErrNotFound || t == ErrDuplicate {
		return e.Code == t.Code && (t == ErrNotFound || e.Key == t.Key)
	}
	return e == t
}

// ErrorCode returns the code of the first domain error in err's chain, or
// CodeInternal when there is none.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns the first domain error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrorIs reports whether err carries a domain error with the given code.
func ErrorIs(err error, code Code) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}
