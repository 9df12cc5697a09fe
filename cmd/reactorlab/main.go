// Command reactorlab is a terminal lab that teaches event-driven I/O by
// letting you watch a real reactor work: select, poll and epoll readiness,
// Twisted-style Deferred callback chains, and what happens when a handler
// blocks the loop.
//
// main stays thin: it hands the command line to run (cli.go), prints any
// error to stderr and turns it into an exit status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(exitCode(err))
}

// exitCode prints err (if any) and maps it to the process exit status:
// 0 for success or an explicit request for help, 2 for a usage mistake,
// 1 for anything else.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(os.Stderr, "reactorlab:", err)
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		if code := coded.ExitCode(); code != 0 {
			if code == 2 {
				fmt.Fprintln(os.Stderr, "Run 'reactorlab --help' for usage.")
			}
			return code
		}
	}
	return 1
}
