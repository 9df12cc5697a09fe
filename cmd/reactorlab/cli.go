package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/lessons/exercises"
	"github.com/reactorlab/reactorlab/reactor/bench"
	"github.com/reactorlab/reactorlab/reactor/load"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// stdio is the program's view of its standard streams, so tests can run
// the whole command line against buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one reactorlab subcommand.
type command struct {
	name    string
	args    string // argument synopsis for help, e.g. "wait|chain [flags]"
	summary string
	run     func(ctx context.Context, args []string, io stdio) error
}

// usageError is a mistake on the command line: it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return 2 }

// commands lists every subcommand that works; --help prints exactly these.
func commands() []command {
	return []command{
		{name: "lessons", summary: "list the lessons as plain text", run: adapt(lessons.ListCommand)},
		{name: "lesson", args: "N|NAME", summary: "open one lesson with its live panes", run: adapt(lessons.LessonCommand)},
		{name: "serve", args: "[flags]", summary: "run a server (echo, chat, discard) on the reactor with the live dashboard; --headless for a JSON Lines trace",
			run: runServe},
		{name: "load", args: "[flags]", summary: "load generator: open-loop clients against a server, latency percentiles",
			run: adapt(load.Command)},
		{name: "bench", args: "wait|chain [flags]", summary: "measure the backends: cost of one wait call vs fds watched; libevent's bench.c",
			run: adapt(bench.Command)},
		{name: "exercises", args: "[list|check|watch]", summary: "graded exercises: progress, grading, watch mode, hints",
			run: adapt(exercises.Command)},
		{name: "version", summary: "print the reactorlab and Go versions", run: runVersion},
	}
}

// adapt turns a package's Command function into a command runner.
func adapt(fn func(ctx context.Context, args []string, stdout, stderr io.Writer) error) func(context.Context, []string, stdio) error {
	return func(ctx context.Context, args []string, io stdio) error { return fn(ctx, args, io.out, io.err) }
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run parses the top level of the command line and hands over to a
// subcommand.
func run(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 {
		return runHome(ctx, io)
	}
	switch first := args[0]; {
	case first == "-h" || first == "-help" || first == "--help" || first == "help":
		if len(args) > 1 && first == "help" {
			if c, ok := findCommand(args[1]); ok {
				return c.run(ctx, []string{"--help"}, io)
			}
		}
		printUsage(io.out)
		return flag.ErrHelp
	case first == "-version" || first == "--version":
		return runVersion(ctx, nil, io)
	case strings.HasPrefix(first, "-"):
		return usageError{fmt.Sprintf("unknown flag %q", first)}
	default:
		c, ok := findCommand(first)
		if !ok {
			return usageError{fmt.Sprintf("unknown command %q", first)}
		}
		return c.run(ctx, args[1:], io)
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `reactorlab — watch a real event loop work.

Usage:
  reactorlab                 open the lab (on a terminal), or print an overview
  reactorlab <command> [arguments]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.args, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Flags:
  -h, --help                 show this help (also: reactorlab help <command>)
      --version              same as 'reactorlab version'

Environment:
  NO_COLOR                   draw without colour (state is never shown by colour alone)
`)
}

// overview is what a bare reactorlab prints when stdout is not a terminal.
func printOverview(w io.Writer) {
	fmt.Fprint(w, `reactorlab is a terminal lab for event-driven I/O. One process, no threads,
one select/poll/epoll loop: lessons let you watch its readiness events,
callback chains and stalls as they happen, break them and fix them.

Stdout is not a terminal, so the lab did not open. Run 'reactorlab' in a
terminal to open it, or use one of these commands:

`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  reactorlab %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'reactorlab --help' for details.")
}

// isTerminal reports whether w is a terminal; anything that is not an
// *os.File (a buffer in tests) is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func runHome(ctx context.Context, io stdio) error {
	if !isTerminal(io.out) {
		printOverview(io.out)
		return nil
	}
	return lessons.Home(ctx, io.out, io.err)
}

// runServe runs the server with the dashboard on a terminal; elsewhere the
// dashboard explains that --headless is the way to go.
func runServe(ctx context.Context, args []string, io stdio) error {
	dashboard := func(ctx context.Context, srv *tcp.Server) error {
		if !isTerminal(io.out) {
			return errors.New("the live dashboard needs a terminal and stdout is not one; add --headless to write the trace as JSON Lines instead")
		}
		return lessons.Dashboard(ctx, srv)
	}
	return tcp.ServeCommand(ctx, args, io.out, io.err, dashboard)
}

func runVersion(_ context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(io.err)
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	fmt.Fprintf(io.out, "reactorlab %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// parseError turns a flag package error into a usage error (exit 2), but
// leaves a request for help alone (exit 0).
func parseError(err error) error {
	if err == flag.ErrHelp {
		return err
	}
	return usageError{err.Error()}
}
