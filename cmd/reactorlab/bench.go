package main

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/bench"
)

func init() {
	register(&command{
		name: "bench", args: "wait|chain [flags]", rank: 60,
		summary: "measure the backends: cost of one wait call vs fds watched (wait); libevent's bench.c (chain)",
		about: `Measure the reactor's backends on this machine. Both experiments raise the soft
open-file limit to the hard one and cap N by it, with a note.`,
		subs: []*command{
			{name: "wait", args: "[flags]", files: labFiles,
				summary: "median cost of one wait call with N fds watched and 1 ready, per backend",
				about: `For each backend and each N, register N socketpairs with exactly one readable
and report the median cost of one wait call (timeout 0). select refuses fds
at or above 1024, and the table says so.`,
				setup: func(fs *flag.FlagSet) runFunc {
					o := &benchWaitFlags{WaitOptions: bench.DefaultWaitOptions()}
					o.define(fs, o.Ns, "watch N socketpairs for each N in the comma-separated `LIST`")
					fs.IntVar(&o.Rounds, "rounds", o.Rounds, "`N` interleaved measurement rounds per cell (the median is reported)")
					fs.DurationVar(&o.Batch, "batch", o.Batch, "target `DURATION` of one timed batch of wait calls")
					return o.run
				}},
			{name: "chain", args: "[flags]", files: labFiles,
				summary: "libevent's bench.c: N socketpairs, A active, W writes passed along; time per run",
				about: `A port of libevent's test/bench.c: N socketpairs, A made active, and W one-byte
writes passed along by the read handlers. Reports the time per run.`,
				setup: func(fs *flag.FlagSet) runFunc {
					o := &benchChainFlags{ChainOptions: bench.DefaultChainOptions()}
					o.define(fs, o.Ns, "run with N socketpairs for each N in the comma-separated `LIST` (bench.c -n)")
					fs.IntVar(&o.Active, "a", o.Active, "`A` active pipes made readable at the start of each run (bench.c -a)")
					fs.IntVar(&o.Writes, "w", o.Writes, "`W` writes passed along from pipe to pipe per run (bench.c -w)")
					fs.IntVar(&o.Runs, "runs", o.Runs, "`N` runs per cell (the median is reported)")
					return o.run
				}},
		},
	})
}

// benchFlags are the flags both experiments take.
type benchFlags struct {
	ns, backends string
	json         bool
}

func (b *benchFlags) define(fs *flag.FlagSet, ns []int, nUsage string) {
	b.ns = joinInts(ns)
	fs.StringVar(&b.ns, "n", b.ns, nUsage)
	fs.StringVar(&b.backends, "backends", "all", "comma-separated `BACKENDS` to compare: "+strings.Join(reactor.BackendNames(), ","))
	fs.BoolVar(&b.json, "json", false, "print the report as JSON instead of a table")
}

// lists parses -n and --backends.
func (b *benchFlags) lists() (ns []int, backends []string, err error) {
	if ns, err = parseInts("-n", b.ns); err != nil {
		return nil, nil, err
	}
	backends, err = parseBackends(b.backends)
	return ns, backends, err
}

// report prints rep as JSON with --json, else as the experiment's table.
func (b *benchFlags) report(e *env, rep any, table func()) error {
	if b.json {
		return writeJSON(e.stdout, rep)
	}
	table()
	return nil
}

type benchWaitFlags struct {
	bench.WaitOptions
	benchFlags
}

func (o *benchWaitFlags) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	var err error
	if o.Ns, o.Backends, err = o.lists(); err != nil {
		return err
	}
	if o.Rounds < 1 {
		return usagef("--rounds %d: use at least 1", o.Rounds)
	}
	if o.Batch <= 0 {
		return usagef("--batch %s: use a positive duration, e.g. 10ms", o.Batch)
	}
	rep, err := bench.Wait(ctx, o.WaitOptions)
	if err != nil {
		return err
	}
	return o.report(e, rep, func() { bench.PrintWait(e.stdout, rep, o.Backends) })
}

type benchChainFlags struct {
	bench.ChainOptions
	benchFlags
}

func (o *benchChainFlags) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	var err error
	if o.Ns, o.Backends, err = o.lists(); err != nil {
		return err
	}
	switch {
	case o.Active < 1:
		return usagef("-a %d: use at least 1 active pipe", o.Active)
	case o.Writes < 0:
		return usagef("-w %d: use 0 or more writes", o.Writes)
	case o.Runs < 1:
		return usagef("--runs %d: use at least 1", o.Runs)
	}
	for _, n := range o.Ns {
		if o.Active > n {
			return usagef("-a %d is more than -n %d; want at most one active pipe per socketpair", o.Active, n)
		}
	}
	rep, err := bench.Chain(ctx, o.ChainOptions)
	if err != nil {
		return err
	}
	return o.report(e, rep, func() { bench.PrintChain(e.stdout, rep, o.Backends) })
}

// parseInts reads a comma-separated list of positive integers.
func parseInts(flagName, s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, usagef("%s: %q is not a positive whole number; want a list like 16,64,256", flagName, f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, usagef("%s: empty list; want a list like 16,64,256", flagName)
	}
	return out, nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// parseBackends reads a comma-separated list of backends ("all": every
// one this system has).
func parseBackends(s string) ([]string, error) {
	if s == "" || s == "all" {
		return reactor.BackendNames(), nil
	}
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if err := checkBackend("--backends", f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
