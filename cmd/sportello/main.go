// Command sportello is the help desk: one binary that serves the desk and
// administers it. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Rome must load on hosts without a zone database

	"github.com/sportello/sportello/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if err != app.ErrUsage {
			fmt.Fprintln(os.Stderr, "sportello:", err)
		}
		os.Exit(app.ExitCode(err))
	}
}
