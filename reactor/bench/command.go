package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/reactorlab/reactorlab/reactor"
)

// Summary is the one-line description for `reactorlab --help`.
const Summary = "measure the reactor backends: wait (cost of one wait call vs N fds), chain (libevent bench.c)"

// UsageError is a mistake on the command line; the process exits with 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitCode is 2 for usage mistakes.
func (e *UsageError) ExitCode() int { return 2 }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Command runs `reactorlab bench <wait|chain> [flags]`. args are the words
// after "bench".
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("bench: missing experiment; run `reactorlab bench wait` or `reactorlab bench chain` (see --help)")
	}
	switch args[0] {
	case "wait":
		return waitCommand(ctx, args[1:], stdout, stderr)
	case "chain":
		return chainCommand(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stderr, "usage: reactorlab bench <experiment> [flags]\n\n%s\n\nexperiments:\n"+
			"  wait   median cost of one wait call with N fds watched and 1 ready, per backend\n"+
			"  chain  libevent bench.c: N socketpairs, A active, W writes passed along; time per run\n\n"+
			"Run `reactorlab bench wait --help` for the flags of each.\n", Summary)
		return flag.ErrHelp
	}
	return usagef("bench: unknown experiment %q; want wait or chain", args[0])
}

// parseFlags runs fs and turns its errors into the convention: help →
// flag.ErrHelp, anything else → a UsageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return usagef("bench %s: %v (see --help)", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usagef("bench %s: unexpected argument %q (see --help)", fs.Name(), fs.Arg(0))
	}
	return nil
}

// parseInts reads a comma-separated list of positive integers.
func parseInts(name, s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, usagef("--%s: %q is not a positive integer; want a list like 16,64,256", name, f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, usagef("--%s: empty list; want a list like 16,64,256", name)
	}
	return out, nil
}

// parseBackends checks a comma-separated backend list against this platform.
func parseBackends(s string) ([]string, error) {
	avail := reactor.BackendNames()
	if s == "" || s == "all" {
		return avail, nil
	}
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		ok := false
		for _, a := range avail {
			ok = ok || a == f
		}
		if !ok {
			return nil, usagef("--backends: %q is not available here; want some of %s", f, strings.Join(avail, ","))
		}
		out = append(out, f)
	}
	return out, nil
}

// report writes rep as indented JSON when asJSON is set, or as the
// experiment's table otherwise.
func report(w io.Writer, asJSON bool, rep any, table func()) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	table()
	return nil
}
