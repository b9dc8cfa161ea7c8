// Package config builds the server's configuration from command-line flags
// and SPORTELLO_* environment variables. Flags win over the environment,
// the environment over the defaults. The result is a plain value passed
// down; nothing here is global.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sportello/sportello/internal/store"
)

// Config is what every subcommand shares, plus what serve needs.
type Config struct {
	Addr        string // listen address
	DataDir     string // SQLite file, attachments
	DatabaseURL string // empty: the SQLite file in DataDir
	Demo        bool   // load demo data into an empty database
	BaseURL     string // public URL, for links in e-mails and webhooks
	TrustProxy  bool   // believe X-Forwarded-For / X-Forwarded-Proto
	ChatRate    int    // messages a web chat visitor (and a client address) may send per 10 s; 0: the default
	DebugAddr   string // loopback address for Go's profiler (net/http/pprof); empty: off
	LogLevel    slog.Level
	LogFormat   string // "text" or "json"
}

// Defaults.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultDataDir = "./sportello-data"
)

// Getenv reads an environment variable; tests pass a map's lookup.
type Getenv func(string) string

// Bind registers the shared flags (--data, --database) on fs, with the
// environment as defaults. withServe adds the serve-only flags.
func Bind(fs *flag.FlagSet, getenv Getenv, withServe bool) *Config {
	c := &Config{}
	fs.StringVar(&c.DataDir, "data", envOr(getenv, "SPORTELLO_DATA_DIR", DefaultDataDir), "data directory: the SQLite database and attachments (SPORTELLO_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database", getenv("SPORTELLO_DATABASE_URL"), "database URL: a postgres:// URL selects PostgreSQL; default the SQLite file in the data directory (SPORTELLO_DATABASE_URL)")
	c.LogFormat = envOr(getenv, "SPORTELLO_LOG_FORMAT", "text")
	c.LogLevel = slog.LevelInfo
	if v := getenv("SPORTELLO_LOG_LEVEL"); v != "" {
		_ = c.LogLevel.UnmarshalText([]byte(v)) // checked in Validate
	}
	if withServe {
		fs.StringVar(&c.Addr, "addr", envOr(getenv, "SPORTELLO_ADDR", DefaultAddr), "listen address (SPORTELLO_ADDR)")
		fs.BoolVar(&c.Demo, "demo", envBool(getenv, "SPORTELLO_DEMO"), "load demo data into an empty database (SPORTELLO_DEMO=1)")
		fs.StringVar(&c.BaseURL, "base-url", getenv("SPORTELLO_BASE_URL"), "public base URL, e.g. https://desk.example.org (SPORTELLO_BASE_URL)")
		fs.IntVar(&c.ChatRate, "chat-rate-limit", envInt(getenv, "SPORTELLO_CHAT_RATE_LIMIT"), "messages a web chat visitor, and a client address, may send per 10 seconds; 0: 20 (SPORTELLO_CHAT_RATE_LIMIT); raise it only for load tests or behind a proxy that hides addresses")
		fs.StringVar(&c.DebugAddr, "debug-addr", getenv("SPORTELLO_DEBUG_ADDR"), "loopback address serving Go's profiler at /debug/pprof/, e.g. 127.0.0.1:6060; empty: off (SPORTELLO_DEBUG_ADDR)")
		fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool(getenv, "SPORTELLO_TRUST_PROXY"), "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy (SPORTELLO_TRUST_PROXY=1)")
		fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (SPORTELLO_LOG_FORMAT)")
		fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error (SPORTELLO_LOG_LEVEL)")
	}
	return c
}

func envOr(getenv Getenv, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(getenv Getenv, key string) int {
	n, _ := strconv.Atoi(getenv(key))
	return n
}

func envBool(getenv Getenv, key string) bool {
	b, _ := strconv.ParseBool(getenv(key))
	return b
}

// Validate checks the values and fills the derived ones. Its errors are one
// clear line each, for stderr.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data: the data directory must not be empty")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "sportello.db")
	}
	if _, _, err := store.ParseURL(c.DatabaseURL); err != nil {
		return fmt.Errorf("--database: %w", err)
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("--addr: %q is not host:port (e.g. 127.0.0.1:8080)", c.Addr)
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url: %q is not an http(s) URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	if c.DebugAddr != "" {
		host, _, err := net.SplitHostPort(c.DebugAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return fmt.Errorf("--debug-addr: %q is not a loopback host:port (e.g. 127.0.0.1:6060): the profiler must not be reachable from outside", c.DebugAddr)
		}
	}
	if c.ChatRate < 0 {
		return fmt.Errorf("--chat-rate-limit: %d is negative", c.ChatRate)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format: %q is neither text nor json", c.LogFormat)
	}
	return nil
}

// PrepareDataDir creates the data directory if needed and checks that it
// is writable, so a mistake shows at start and not at the first upload.
func (c *Config) PrepareDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory %s: %w", c.DataDir, unwrapPath(err))
	}
	f, err := os.CreateTemp(c.DataDir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", c.DataDir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Logger builds the process logger.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
