package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyActor
	keySession
	keyRoute
)

// RequestID returns the id given to the request by Log.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush,
// hijack for WebSockets).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Log gives every request an id, recovers from panics (answering 500 and
// logging the stack) and writes one structured log line per request,
// with the route pattern rather than the raw path so ids and tokens in
// URLs stay out of the log, and records it in the metrics.
func Log(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, "\r\n\"") {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		route := new(string)
		ctx := context.WithValue(context.WithValue(r.Context(), keyRequestID, id), keyRoute, route)
		r = r.WithContext(ctx)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			pattern := *route
			if pattern == "" {
				pattern = r.Pattern
			}
			if pattern == "" {
				pattern = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			m.ObserveRequest(pattern, status, d)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(ctx, level, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("route", pattern), slog.Int("status", status), slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", d))
		}()
		next.ServeHTTP(sw, r)
	})
}

// NoteRoute records the matched route pattern for the request log; the
// mux sets r.Pattern on its own copy of the request, so handlers mounted
// below call this.
func NoteRoute(r *http.Request) {
	if p, ok := r.Context().Value(keyRoute).(*string); ok && *p == "" {
		*p = r.Pattern
	}
}

// CSP is the default Content-Security-Policy: only our own scripts,
// styles and connections; no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecureHeaders sets the security headers every response carries.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if IsHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// CrossOrigin refuses state-changing requests that a browser sent from
// another site (Fetch metadata and Origin checks); API clients outside a
// browser send neither header and pass. denied answers the refusal.
func CrossOrigin(denied http.Handler, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(denied)
	return cop.Handler(next)
}

type proxyKey struct{}

// TrustProxy marks requests as coming through a trusted reverse proxy, so
// ClientIP and IsHTTPS believe the X-Forwarded-* headers.
func TrustProxy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), proxyKey{}, true)))
	})
}

func trusted(r *http.Request) bool { v, _ := r.Context().Value(proxyKey{}).(bool); return v }

// ClientIP is the client's address: the peer, or behind a trusted proxy
// the last address the proxy added.
func ClientIP(r *http.Request) string {
	if trusted(r) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// IsHTTPS reports whether the client reached us over TLS.
func IsHTTPS(r *http.Request) bool {
	return r.TLS != nil || trusted(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
