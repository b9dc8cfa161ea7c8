// Package app wires Sportello together: it parses the command line, opens
// and migrates the store, and runs the server or an admin subcommand.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/sportello/sportello/internal/config"
	"github.com/sportello/sportello/internal/store"
)

// ErrUsage means the command line was wrong and the usage was printed.
var ErrUsage = errors.New("usage")

// ExitCode maps an error from Run to the process's exit status.
func ExitCode(err error) int {
	if errors.Is(err, ErrUsage) {
		return 2
	}
	return 1
}

// env is what a subcommand gets: its arguments and the process's streams.
type env struct {
	args   []string
	getenv config.Getenv
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env) error
}

func commands() []command {
	return []command{
		{"serve", "serve the desk (the default)", cmdServe},
		{"migrate", "apply database migrations and exit", cmdMigrate},
		{"org", "manage organisations: org add --slug S --name N", cmdOrg},
		{"user", "manage users: user add --org SLUG --email E --name N --role ROLE [--languages it,en]", cmdUser},
		{"token", "manage API tokens: token create --org SLUG --user EMAIL [--name N] [--json]", cmdToken},
		{"backup", "backup --out FILE: consistent copy of the SQLite database", cmdBackup},
		{"bench", "benchmarks: bench seed|inbox|inbound|chat|webhooks|kb (see docs/BENCHMARKS.md)", cmdBench},
		{"eligibility", "benefit screeners: eligibility list|validate|eval (see docs/ELIGIBILITY.md)", cmdEligibility},
		{"channel", "channels: channel add KIND --org SLUG --name N [--set key=value …] | channel list --org SLUG", cmdChannel},
		{"hours", "opening hours: hours check --org SLUG [--team T] [--channel C] --at RFC3339", cmdHours},
		{"kb", "knowledge base: kb import --org SLUG PATH... | kb export --org SLUG --out DIR", cmdKB},
		{"directory", "directory of services in HSDS: directory import|export (see docs/DIRECTORY.md)", cmdDirectory},
		{"email", "e-mail channels: email import --channel ID FILE.eml … (as if fetched from the mailbox)", cmdEmail},
		{"version", "print the version", cmdVersion},
	}
}

// Run executes the command line args (without the program name).
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env{args: args, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr})
		}
	}
	fmt.Fprintf(stderr, "sportello: unknown command %q\n", name)
	usage(stderr)
	return ErrUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: sportello [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'sportello COMMAND -h' for the flags of a command.")
}

// flags builds a FlagSet for a subcommand with the shared --data and
// --database flags. Errors and help go to stderr.
func flags(name string, e env, withServe bool) (*flag.FlagSet, *config.Config) {
	fs := flag.NewFlagSet("sportello "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg := config.Bind(fs, e.getenv, withServe)
	return fs, cfg
}

// parse parses the subcommand's flags and validates the configuration.
// Positional arguments left over are an error.
func parse(fs *flag.FlagSet, cfg *config.Config, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrUsage
		}
		return ErrUsage // the flag package printed the problem
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ErrUsage
	}
	return cfg.Validate()
}

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	if engine, _, _ := store.ParseURL(cfg.DatabaseURL); engine == store.SQLite {
		if err := cfg.PrepareDataDir(); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return st, nil
}

// Version is set at build time with -ldflags "-X ...app.Version=v1.2.3";
// otherwise the module version or VCS revision is shown.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		if v != "" {
			return v
		}
	}
	return "devel"
}

func cmdVersion(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("sportello version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(e.args); err != nil {
		return ErrUsage
	}
	fmt.Fprintln(e.stdout, "sportello", version())
	return nil
}
