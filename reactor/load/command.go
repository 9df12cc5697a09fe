package load

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// Summary is the one-line description for `reactorlab --help`.
const Summary = "drive a server with many client connections and report throughput and latency"

// Command implements `reactorlab load`. It returns flag.ErrHelp after
// printing help, a *UsageError (exit code 2) for a bad flag or value, and
// other errors for failures.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := DefaultOptions()
	var jsonOut bool
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Addr, "addr", o.Addr, "server address `HOST:PORT`")
	fs.IntVar(&o.Conns, "conns", o.Conns, "active connections")
	fs.IntVar(&o.Idle, "idle", o.Idle, "extra silent connections kept open during the run")
	fs.IntVar(&o.Size, "size", o.Size, "message size in `bytes`")
	fs.Float64Var(&o.Rate, "rate", o.Rate, "total requests per second, scheduled in advance (open loop); 0 = closed loop")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long to measure")
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "run this long before measuring")
	fs.StringVar(&o.Mode, "mode", o.Mode, "echo (request/response latency) or stream (write continuously, count what returns)")
	fs.BoolVar(&o.Verify, "verify", false, "check every echoed byte; any error makes the exit status 1")
	fs.BoolVar(&jsonOut, "json", false, "print the report as JSON")
	fs.IntVar(&o.ServerPID, "server-pid", 0, "also report this process's CPU time per request (Linux /proc)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: reactorlab load [flags]\n\n%s.\n\n", capitalize(Summary))
		fmt.Fprintf(stderr, "Example:\n  reactorlab serve --protocol echo --listen 127.0.0.1:7007 &\n"+
			"  reactorlab load --addr 127.0.0.1:7007 --conns 50 --idle 1000 --rate 20000 --duration 5s --verify\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Msg: "load: " + err.Error() + " (see reactorlab load --help)"}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; all options are flags (see reactorlab load --help)", fs.Arg(0))
	}
	if err := o.validate(); err != nil {
		return err
	}

	var progress func(Progress)
	var mu sync.Mutex
	shown := false
	if f, ok := stderr.(*os.File); ok && !jsonOut && term.IsTerminal(int(f.Fd())) {
		progress = func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stderr, "\r\x1b[K%s", formatProgress(p, o.Duration, o.Mode))
			shown = true
		}
	}
	rep, err := Run(ctx, o, progress)
	mu.Lock()
	if shown {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	mu.Unlock()
	if err != nil {
		return err
	}
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(stdout)
	}
	if o.Verify && rep.ErrorCount > 0 {
		// Scripts checking a server with --verify get a failing exit status.
		return fmt.Errorf("load: %d errors with --verify (first: %s)", rep.ErrorCount, firstOr(rep.Errors, "?"))
	}
	return nil
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
