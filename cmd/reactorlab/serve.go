package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

func init() {
	register(&command{
		name: "serve", args: "[flags]", rank: 40, files: labFiles,
		summary: "run a TCP server (" + strings.Join(tcp.Protocols(), ", ") + ") on the reactor with the live dashboard; --headless for a JSON Lines trace",
		about: `Run a TCP server on the reactor. On a terminal the live dashboard shows every
pane over it; with --headless the trace goes to stdout as JSON Lines instead
(first line: the listen event with the bound address) and the final counters
to stderr. Ctrl-C (or SIGTERM, SIGHUP) stops it gracefully.

Hostile clients are expected. A client that does not read its replies is
not read from until it catches up (chat drops a member 1 MiB behind); all
clients together may have at most --output-ceiling of output queued, and a
write past it resets that client's connection; chat shows control bytes
escaped and admits at most --max-members.

The loop never waits for the trace: events that find its buffer full are
dropped, and the final counters say how many. When nobody reads stdout any
more (the pipe was closed), the server stops gracefully as on Ctrl-C. A
reader that stops reading without closing cannot hold up a shutdown: half
a second after the server has stopped, the trace still unwritten is
dropped and counted. --no-trace writes the listen event and nothing else.

Examples:
  reactorlab serve --protocol chat        then: nc 127.0.0.1 7007, in two terminals
  reactorlab serve --listen 127.0.0.1:0 --headless > trace.jsonl
  reactorlab serve --listen 127.0.0.1:0 --headless | head -1
      print the listen event (the bound address), then stop: head closed the pipe
  reactorlab serve --headless --no-trace   serve without a trace, as fast as the loop goes
  reactorlab serve --protocol slow --slow-delay 500ms   one handler blocks everyone
  reactorlab serve --record serve.rlt        then: reactorlab replay serve.rlt`,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &serveFlags{}
			fs.StringVar(&o.protocol, "protocol", "echo", "`NAME` of the protocol to serve: "+strings.Join(tcp.Protocols(), ", "))
			fs.StringVar(&o.listen, "listen", "127.0.0.1:7007", "`HOST:PORT` to listen on (port 0 picks a free one)")
			fs.StringVar(&o.backend, "backend", reactor.DefaultBackend(), "readiness `BACKEND`: "+strings.Join(reactor.BackendNames(), ", "))
			fs.BoolVar(&o.headless, "headless", false, "no dashboard: write the trace to stdout as JSON Lines")
			fs.StringVar(&o.record, "record", "", "also record the trace to `FILE`, with the dashboard or --headless (replay it with 'reactorlab replay FILE')")
			fs.BoolVar(&o.noTrace, "no-trace", false, "with --headless: write only the listen event, then no trace at all")
			fs.BoolVar(&o.public, "public", false, "allow listening on a non-loopback address (reachable from other machines)")
			fs.DurationVar(&o.slowDelay, "slow-delay", tcp.DefaultSlowDelay, "slow protocol: how long each chunk blocks the loop, a `DURATION` of at most "+maxSlowDelay.String())
			fs.IntVar(&o.maxLine, "max-line", tcp.DefaultMaxLineLength, "chat protocol: longest line accepted, in `BYTES`")
			fs.IntVar(&o.readBudget, "read-budget", tcp.DefaultReadBudget, "`BYTES` read per connection per readiness event; -1 = no budget")
			o.ceiling = tcp.DefaultOutputCeiling
			fs.Var(&o.ceiling, "output-ceiling", "most `BYTES` of output queued for all clients together, e.g. 512KiB or 1GiB; a write past it resets that client's connection")
			fs.IntVar(&o.maxMembers, "max-members", tcp.DefaultChatMembers, "chat protocol: most members in the room, a `NUMBER`; the next client is told the room is full")
			return o.run
		},
	})
}

// serveFlags are the flags of `reactorlab serve`.
type serveFlags struct {
	protocol, listen, backend string
	record                    string
	headless, public, noTrace bool
	slowDelay                 time.Duration
	maxLine, readBudget       int
	ceiling                   byteSize
	maxMembers                int
}

// Bounds of the serve flags. A slow handler blocks the loop, so Ctrl-C
// waits for it; a line limit above 16 MiB is a memory risk, not a lesson.
const (
	maxSlowDelay = 10 * time.Second
	maxMaxLine   = 16 << 20
	// One client must be able to reach its own backpressure watermark.
	minOutputCeiling = tcp.DefaultHighWater
	maxOutputCeiling = 64 << 30
	maxMaxMembers    = 1 << 20
)

// check refuses what the server would silently replace or cannot do.
func (o *serveFlags) check() error {
	if !slices.Contains(tcp.Protocols(), o.protocol) {
		return usagef("unknown --protocol %q; choose one of %s", o.protocol, strings.Join(tcp.Protocols(), ", "))
	}
	if err := checkBackend("--backend", o.backend); err != nil {
		return err
	}
	if err := checkListen("--listen", o.listen, o.public); err != nil {
		return err
	}
	if o.record != "" {
		if err := checkRecordPath(o.record); err != nil {
			return err
		}
	}
	switch {
	case o.noTrace && !o.headless:
		return usagef("--no-trace needs --headless: the dashboard draws from the trace")
	case o.noTrace && o.record != "":
		return usagef("--no-trace and --record: a recording is the trace; drop one of them")
	case o.readBudget == 0 || o.readBudget < -1:
		return usagef("--read-budget %d: use a positive number of bytes, or -1 for no budget", o.readBudget)
	case o.maxLine < 1 || o.maxLine > maxMaxLine:
		return usagef("--max-line %d: use 1 to %d bytes (default %d)", o.maxLine, maxMaxLine, tcp.DefaultMaxLineLength)
	case o.slowDelay <= 0 || o.slowDelay > maxSlowDelay:
		return usagef("--slow-delay %s: use a positive duration up to %s, e.g. 200ms", o.slowDelay, maxSlowDelay)
	case o.ceiling < minOutputCeiling || o.ceiling > maxOutputCeiling:
		return usagef("--output-ceiling %s: use %s to %s (default %s)", o.ceiling, byteSize(minOutputCeiling), byteSize(maxOutputCeiling), byteSize(tcp.DefaultOutputCeiling))
	case o.maxMembers < 1 || o.maxMembers > maxMaxMembers:
		return usagef("--max-members %d: use 1 to %d members (default %d)", o.maxMembers, maxMaxMembers, tcp.DefaultChatMembers)
	}
	return nil
}

func (o *serveFlags) run(ctx context.Context, e *env, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	// Before anything is bound: a dashboard needs somewhere to draw.
	if !o.headless && !isTerminal(e.stdout) {
		return errors.New("the live dashboard needs a terminal and stdout is not one; add --headless to write the trace as JSON Lines instead")
	}

	loop, err := reactor.New(reactor.Config{Backend: o.backend})
	if err != nil {
		return err
	}
	defer loop.Close()
	var headless *tcp.Headless
	if o.headless {
		var opts []tcp.HeadlessOption
		if o.noTrace {
			opts = append(opts, tcp.WithoutTrace())
		}
		headless = tcp.NewHeadless(loop, e.stdout, opts...) // before the server: its listen event comes first
		defer headless.Close()
		// A write to a closed pipe on stdout would kill the process with
		// SIGPIPE (the Go runtime's rule for fds 1 and 2) before the final
		// counters. Asking for the signal turns it into an EPIPE error,
		// which stops the server gracefully instead.
		sigpipe := make(chan os.Signal, 1)
		signal.Notify(sigpipe, syscall.SIGPIPE)
		defer signal.Stop(sigpipe)
	}
	srv, err := tcp.NewServer(loop, o.listen, o.protocol, tcp.WithReadBudget(o.readBudget),
		tcp.WithOutputCeiling(int(o.ceiling)),
		tcp.WithProtocolOptions(tcp.ProtocolOptions{SlowDelay: o.slowDelay, MaxLine: o.maxLine, MaxMembers: o.maxMembers}))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen on %s: %w; is another server running there? pick another port, or --listen 127.0.0.1:0 for a free one", o.listen, err)
		}
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	var rec *record.Recorder
	var dashOpts []lessons.DashboardOption
	if o.record != "" {
		// After the server (its address is in the file's header), before
		// the loop runs: the first keyframe holds the listener.
		if rec, err = lessons.RecordServer(srv, o.record, programVersion()); err != nil {
			srv.Close()
			return err
		}
		dashOpts = append(dashOpts, lessons.WithRecorder(rec))
	}
	started := time.Now()
	if o.headless {
		releaseStartupMemory()
		err = headless.Run(ctx, srv)
	} else {
		// The dashboard drives the loop itself while it is up; once it
		// returns nobody iterates the loop, so the server closes at once.
		err = lessons.Dashboard(ctx, srv, dashOpts...)
		srv.Close()
	}
	counters := tcp.FinalCounters(srv, time.Since(started))
	if headless != nil {
		counters += "; " + headless.Summary()
		if errors.Is(err, syscall.EPIPE) {
			// The reader of stdout left (`| head -1`): a normal way to end.
			counters += "; stdout was closed by its reader"
			err = nil
		}
	}
	fmt.Fprintln(e.stderr, "serve:", counters)
	if rec != nil {
		err = errors.Join(err, rec.Close())
		reportRecording(e, o.record, rec.Totals())
	}
	return err
}

// byteSize is a flag value in bytes, written plainly or with a binary
// unit: 65536, 64KiB, 64MiB, 1GiB (K, M and G mean the same).
type byteSize int64

var byteUnits = []struct {
	name  string
	short string
	size  int64
}{{"GiB", "G", 1 << 30}, {"MiB", "M", 1 << 20}, {"KiB", "K", 1 << 10}}

// String writes the size in the largest unit that divides it exactly.
func (s byteSize) String() string {
	for _, u := range byteUnits {
		if s != 0 && int64(s)%u.size == 0 {
			return strconv.FormatInt(int64(s)/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(s), 10)
}

func (s *byteSize) Set(v string) error {
	num, mult := v, int64(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(v, u.name); ok {
			num, mult = n, u.size
			break
		}
		if n, ok := strings.CutSuffix(v, u.short); ok {
			num, mult = n, u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return errors.New("want a size in bytes such as 65536, 512KiB or 64MiB")
	}
	*s = byteSize(n * mult)
	return nil
}

func (s *byteSize) Get() any { return *s }
