package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/reactorlab/reactorlab/reactor/load"
)

func init() {
	register(&command{
		name: "load", args: "[flags]", rank: 50, files: labFiles,
		summary: "load generator: open-loop clients against a server, throughput and latency percentiles",
		about: `Drive a server with many client connections and report throughput and latency.
Without --rate each connection sends its next request when the reply arrives
(closed loop); with --rate the requests are scheduled in advance (open loop) and
a stalled server is charged for every request it delayed.

Example:
  reactorlab serve --protocol echo --headless > /dev/null &
  reactorlab load --conns 50 --idle 1000 --rate 20000 --duration 5s --verify`,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &loadFlags{Options: load.DefaultOptions()}
			fs.StringVar(&o.Addr, "addr", o.Addr, "server address, `HOST:PORT`")
			fs.IntVar(&o.Conns, "conns", o.Conns, "`N` active connections")
			fs.IntVar(&o.Idle, "idle", o.Idle, "`N` extra silent connections kept open during the run")
			fs.IntVar(&o.Size, "size", o.Size, "message size in `BYTES`")
			fs.Float64Var(&o.Rate, "rate", o.Rate, "`R` requests per second in total, scheduled in advance (open loop); 0 = closed loop")
			fs.DurationVar(&o.Duration, "duration", o.Duration, "measure for `DURATION`")
			fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "run for `DURATION` before measuring")
			fs.StringVar(&o.Mode, "mode", o.Mode, "`MODE`: echo (request/response latency) or stream (write continuously, count what returns)")
			fs.BoolVar(&o.Verify, "verify", false, "check every echoed byte; any error makes the exit status 1")
			fs.BoolVar(&o.json, "json", false, "print the report as JSON")
			fs.IntVar(&o.ServerPID, "server-pid", 0, "also report the CPU time per request of process `PID`, the server (Linux /proc)")
			return o.run
		},
	})
}

// loadFlags are the flags of `reactorlab load`: the library's options and
// how to print the report.
type loadFlags struct {
	load.Options
	json bool
}

// loadSpareFiles is what the load generator needs besides one fd per
// connection: the Go runtime, stdio, the resolver.
const loadSpareFiles = 32

// check refuses values the load generator cannot use, naming the flag.
func (o *loadFlags) check(e *env) error {
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return usagef("--addr %q is not HOST:PORT, e.g. 127.0.0.1:7007", o.Addr)
	}
	switch {
	case o.Conns < 1:
		return usagef("--conns %d: use at least 1 active connection", o.Conns)
	case o.Idle < 0:
		return usagef("--idle %d: use 0 or more idle connections", o.Idle)
	case o.Size < 1 || o.Size > load.MaxSize:
		return usagef("--size %d: use 1 to %d bytes", o.Size, load.MaxSize)
	case math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) || o.Rate < 0:
		return usagef("--rate %g: use a number of requests per second, or 0 for a closed loop", o.Rate)
	case o.Duration <= 0:
		return usagef("--duration %s: use a positive duration, e.g. 5s", o.Duration)
	case o.Warmup < 0:
		return usagef("--warmup %s: use 0 or a positive duration", o.Warmup)
	case o.Mode != load.ModeEcho && o.Mode != load.ModeStream:
		return usagef("--mode %q: use %s or %s", o.Mode, load.ModeEcho, load.ModeStream)
	case o.ServerPID < 0:
		return usagef("--server-pid %d: use the server's process id (0: do not measure its CPU)", o.ServerPID)
	}
	if o.ServerPID > 0 {
		if _, err := os.Stat("/proc/self/stat"); err != nil {
			return usagef("--server-pid needs Linux's /proc, which this system does not have")
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(o.ServerPID) + "/stat"); err != nil {
			return usagef("--server-pid %d: no such process", o.ServerPID)
		}
	}
	// Every connection is a file descriptor here: refuse what the limit
	// cannot hold before allocating anything for it.
	if soft, _, err := e.fileLimit(); err == nil {
		need := uint64(o.Conns) + uint64(o.Idle) + loadSpareFiles
		if need > soft {
			return usagef("--conns %d and --idle %d need %d open files but this process may open %d (ulimit -n); use fewer connections, or raise the limit",
				o.Conns, o.Idle, need, soft)
		}
	}
	if err := o.Validate(); err != nil {
		return usagef("%v", err) // the library's own check, if one above is missing
	}
	return nil
}

func (o *loadFlags) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if err := o.check(e); err != nil {
		return err
	}
	var progress func(load.Progress)
	var mu sync.Mutex
	shown := false
	if isTerminal(e.stderr) && !o.json {
		progress = func(p load.Progress) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stderr, "\r\x1b[K%s", load.FormatProgress(p, o.Duration, o.Mode))
			shown = true
		}
	}
	rep, err := load.Run(ctx, o.Options, progress)
	mu.Lock()
	if shown {
		fmt.Fprint(e.stderr, "\r\x1b[K")
	}
	mu.Unlock()
	if err != nil {
		return err
	}
	if o.json {
		err = writeJSON(e.stdout, rep)
	} else {
		rep.WriteText(e.stdout)
	}
	if err == nil && o.Verify && rep.ErrorCount > 0 {
		// Scripts checking a server with --verify get a failing exit status.
		first := "?"
		if len(rep.Errors) > 0 {
			first = rep.Errors[0]
		}
		err = fmt.Errorf("%d errors with --verify (first: %s)", rep.ErrorCount, first)
	}
	return err
}
