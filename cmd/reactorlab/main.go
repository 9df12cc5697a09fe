// Command reactorlab is a terminal lab that teaches event-driven I/O by
// letting you watch a real reactor work: select, poll and epoll readiness,
// Twisted-style Deferred callback chains, and what happens when a handler
// blocks the loop.
//
// This package is the command-line layer, and the only one: it owns every
// flag, usage error, help text and exit status, one file per command
// (serve.go, load.go, ...). The packages below it take typed options and
// return errors. command.go explains how a command is described and
// registered.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// SIGHUP (a closed terminal window, a dropped SSH session, tmux
	// kill-session) ends the program the way SIGINT and SIGTERM do: the
	// context is cancelled, the screen and the server shut down, and the
	// terminal is restored, instead of the process dying in raw mode.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	e := processEnv()
	code := exitCode(run(ctx, os.Args[1:], e), e.stderr)
	stop()
	os.Exit(code)
}

// exitCode prints err (if any) to w and maps it to the process exit
// status: 0 for success or help, 2 for a usage mistake (one line and a
// hint to the help), 1 for anything else.
func exitCode(err error, w io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(w, "reactorlab:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(w, ue.hint())
		return 2
	}
	return 1
}
