package tcp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// ServeSummary is the one-line description for `reactorlab --help`.
const ServeSummary = "run a TCP server (echo, chat, discard, slow) on the reactor; watch it live or trace it as JSON"

// UsageError reports a command-line mistake. Its exit code is 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ExitCode returns 2, the conventional exit status for usage mistakes.
func (e *UsageError) ExitCode() int { return 2 }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: "serve: " + fmt.Sprintf(format, args...)}
}

// serveFlags are the parsed flags of `reactorlab serve`.
type serveFlags struct {
	protocol, listen, backend string
	headless, public          bool
	slowDelay                 time.Duration
	maxLine, readBudget       int
}

func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.protocol, "protocol", "echo", "protocol to serve: "+strings.Join(Protocols(), ", "))
	fs.StringVar(&f.listen, "listen", "127.0.0.1:7007", "address to listen on, `HOST:PORT` (port 0 picks a free one)")
	fs.StringVar(&f.backend, "backend", reactor.DefaultBackend(), "readiness backend: "+strings.Join(reactor.BackendNames(), ", "))
	fs.BoolVar(&f.headless, "headless", false, "no dashboard: write the trace to stdout as JSON Lines (first line: the listen event)")
	fs.BoolVar(&f.public, "public", false, "allow listening on a non-loopback address (reachable from other machines)")
	fs.DurationVar(&f.slowDelay, "slow-delay", DefaultSlowDelay, "slow protocol: how long each chunk blocks the loop")
	fs.IntVar(&f.maxLine, "max-line", DefaultMaxLineLength, "chat protocol: longest line accepted, in bytes")
	fs.IntVar(&f.readBudget, "read-budget", DefaultReadBudget, "bytes read per connection per readiness event; -1 = no budget")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: reactorlab serve [flags]\n\nRun a TCP server on the reactor.\n\n"+
			"Examples:\n  reactorlab serve --protocol chat          # then: nc 127.0.0.1 7007 (in two terminals)\n"+
			"  reactorlab serve --listen 127.0.0.1:0 --headless | head -1   # bound address as JSON\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &UsageError{Msg: "serve: " + err.Error() + " (see reactorlab serve --help)"}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q; all options are flags (see reactorlab serve --help)", fs.Arg(0))
	}
	if !slices.Contains(Protocols(), f.protocol) {
		return nil, usagef("unknown --protocol %q; choose one of %s", f.protocol, strings.Join(Protocols(), ", "))
	}
	if !slices.Contains(reactor.BackendNames(), f.backend) {
		return nil, usagef("unknown --backend %q; this platform has %s", f.backend, strings.Join(reactor.BackendNames(), ", "))
	}
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return nil, usagef("--listen %q is not HOST:PORT, e.g. 127.0.0.1:7007", f.listen)
	}
	a, err := resolve(f.listen)
	if err != nil {
		return nil, usagef("--listen %q: %v", f.listen, err)
	}
	if !isLoopback(a) && !f.public {
		return nil, usagef("--listen %s would accept connections from other machines; add --public if you mean it, or use 127.0.0.1", f.listen)
	}
	if f.readBudget == 0 || f.readBudget < -1 {
		return nil, usagef("--read-budget %d: use a positive number of bytes, or -1 for no budget", f.readBudget)
	}
	return f, nil
}

// ServeCommand implements `reactorlab serve`. dashboard, if not nil and
// --headless is not given, shows the live dashboard: it is handed a server
// whose loop is not running yet and must drive that loop itself (Run or
// Iterate on a goroutine of its choice) until it returns, which ends the
// command; ServeCommand then closes the server. Without a dashboard or with
// --headless, ServeCommand runs the loop until ctx ends or SIGINT/SIGTERM
// arrives, then stops gracefully. Either way it prints final counters to
// stderr. It returns flag.ErrHelp after printing help and a *UsageError
// (exit code 2) for bad flags.
func ServeCommand(ctx context.Context, args []string, stdout, stderr io.Writer, dashboard func(ctx context.Context, srv *Server) error) error {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	loop, err := reactor.New(reactor.Config{Backend: f.backend})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer loop.Close()
	var sub *reactor.Subscription
	if f.headless {
		sub = loop.Subscribe(1 << 16)
		defer sub.Close()
	}
	srv, err := NewServer(loop, f.listen, f.protocol, WithReadBudget(f.readBudget),
		WithProtocolOptions(ProtocolOptions{SlowDelay: f.slowDelay, MaxLine: f.maxLine}))
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", f.listen, err)
	}
	started := time.Now()

	switch {
	case f.headless:
		stopTrace := make(chan struct{})
		traceErr := make(chan error, 1)
		go func() { traceErr <- writeTrace(sub, stdout, stopTrace) }()
		err = srv.Run(ctx)
		close(stopTrace)
		err = errors.Join(err, <-traceErr)
	case dashboard == nil:
		fmt.Fprintf(stderr, "serve: the live dashboard is not available in this build; "+
			"serving without it (use --headless for a JSON Lines trace on stdout).\n")
		fmt.Fprintf(stderr, "serve: %s on %s with %s (Ctrl-C to stop); try: nc %s %d\n",
			f.protocol, srv.Addr(), loop.Backend(), srv.ln.Addr().IP, srv.ln.Addr().Port)
		err = srv.Run(ctx)
	default:
		// The dashboard drives the loop itself while it is up; once it
		// returns nobody iterates the loop, so the server is closed at once.
		err = dashboard(ctx, srv)
		srv.Close()
	}
	fmt.Fprintln(stderr, FinalCounters(srv, time.Since(started)))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// FinalCounters summarises a server's run in one line.
func FinalCounters(srv *Server, elapsed time.Duration) string {
	c, st := srv.Counters(), srv.Loop().Stats()
	return fmt.Sprintf("serve: stopped after %s: %d accepted, %d refused, %d closed, %d open; "+
		"%d bytes in, %d bytes out; loop: %d passes, %d waits, %d accept, %d read, %d write syscalls",
		elapsed.Round(time.Millisecond), c.Accepted, c.Refused, c.Closed, c.Open, c.BytesIn, c.BytesOut,
		st.Passes, st.WaitCalls, st.Accepts, st.Reads, st.Writes)
}
