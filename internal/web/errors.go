// Package web holds what every HTTP surface shares: the one table from
// domain error codes to HTTP statuses, strict JSON decoding, the standard
// middleware (request log, panic recovery, security headers, cross-origin
// protection, metrics), the client's language and the signed-in actor.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/sportello/sportello/internal/desk"
	"github.com/sportello/sportello/internal/locale"
	"github.com/sportello/sportello/internal/model"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[model.Code]int{
	model.CodeInvalid:      http.StatusBadRequest,
	model.CodeNotFound:     http.StatusNotFound,
	model.CodeConflict:     http.StatusConflict,
	model.CodeUnauthorized: http.StatusUnauthorized,
	model.CodeForbidden:    http.StatusForbidden,
	model.CodeTooLarge:     http.StatusRequestEntityTooLarge,
	model.CodeRateLimited:  http.StatusTooManyRequests,
	model.CodeUnavailable:  http.StatusServiceUnavailable,
	model.CodeInternal:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	var rl *desk.RateLimitError
	if errors.As(err, &rl) {
		return http.StatusTooManyRequests
	}
	if s, ok := statusOf[model.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail has a stable code, a message in the client's language and
// the field at fault, if any.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Detail describes err for a client: internal failures are logged with
// the request id and shown as a generic message, never their text.
func Detail(r *http.Request, log *slog.Logger, p *locale.Printer, err error) (int, ErrorDetail) {
	status := Status(err)
	var rl *desk.RateLimitError
	if errors.As(err, &rl) {
		mins := int(rl.RetryAfter.Minutes()) + 1
		return status, ErrorDetail{Code: string(model.CodeRateLimited), Message: p.N("login.too_many_attempts", mins, nil)}
	}
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", RequestID(r.Context()), "path", r.URL.Path)
		return status, ErrorDetail{Code: string(model.CodeInternal), Message: p.T("error.internal", nil)}
	}
	d := ErrorDetail{Code: string(model.ErrorCode(err)), Message: p.Error(err)}
	if e, ok := model.AsError(err); ok {
		d.Field = e.Field
	}
	return status, d
}

// WriteError answers with err as JSON.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, p *locale.Printer, err error) {
	status, d := Detail(r, log, p, err)
	var rl *desk.RateLimitError
	if errors.As(err, &rl) {
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
	}
	WriteJSON(w, status, ErrorBody{Error: d})
}
