package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sportello/sportello/internal/model"
)

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 1 << 20

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// DecodeJSON reads one JSON object from the body into dst, refusing
// unknown fields, trailing data and bodies over max bytes, with errors the
// client can read.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, max int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &model.Error{Code: model.CodeInvalid, Key: "error.json.content_type", Message: "send a JSON body with Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, max)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return &model.Error{Code: model.CodeInvalid, Key: "error.json.malformed", Message: "the body must hold a single JSON object"}
	}
	return nil
}

func jsonError(err error, max int64) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return &model.Error{Code: model.CodeTooLarge, Key: "error.json.too_large", Args: map[string]any{"Limit": formatBytes(max)}, Message: "the body is too large"}
	case errors.As(err, &typeErr):
		return &model.Error{Code: model.CodeInvalid, Key: "error.json.type", Field: typeErr.Field, Args: map[string]any{"Field": typeErr.Field}, Message: "wrong type for " + typeErr.Field}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &model.Error{Code: model.CodeInvalid, Key: "error.json.unknown_field", Field: f, Args: map[string]any{"Field": f}, Message: "unknown field " + f}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &model.Error{Code: model.CodeInvalid, Key: "error.json.malformed", Message: "malformed JSON"}
	}
	return &model.Error{Code: model.CodeInvalid, Key: "error.json.malformed", Message: "malformed JSON", Err: err}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return itoa(n>>20) + " MB"
	case n >= 1<<10:
		return itoa(n>>10) + " KB"
	}
	return itoa(n) + " B"
}
