package visualizer

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// This file is the contract between the visualizer and the packages that
// run scenarios (lessons/, `reactorlab serve`). The visualizer makes none
// of the reactor's syscalls and knows nothing about sockets (its only I/O
// is the progress file): it only reads what a Live hands it (trace events,
// stats, a snapshot of the interest set) and calls the Live's control
// methods when the learner presses a key.
//
// Entry points:
//
//	RunApp(ctx, lessons, start, opts...)      // home + lessons, on the real terminal
//	RunDashboard(ctx, title, live, opts...)   // every pane over one Live (reactorlab serve)
//	NewApp(lessons, start, opts...) (*App, error) // the tea.Model, for tests
//	NewDashboard(title, live, opts...) *App       // ditto for the dashboard
//
// RunApp closes the open lesson's Live on the way out; RunDashboard leaves
// its Live to the caller. Lesson.Start runs in a tea.Cmd with the ctx given
// to RunApp.
//
// Chain pane: a Live that also implements ChainSource (see chain.go) feeds
// the Deferred chain pane with deferred.TraceEvent values. Use a
// ChainRecorder for that: install rec.Observe with deferred.Observe on the
// loop goroutine and return rec.Drain from DrainDeferred.

// PaneID names one of the visualizer's panes.
type PaneID uint8

// The panes. A lesson lists the ones it wants, in the order it wants them.
const (
	PaneReadiness PaneID = iota + 1 // fds × recent passes, what the kernel reported
	PaneLoop                        // wait vs dispatch vs timers per pass, stall bands, lag, passes/s
	PaneStalls                      // current lag, longest recent stall and the blamed handler, late timers
	PaneInterest                    // the interest set: fd, owner, interest, bytes in/out, last event
	PaneCounters                    // syscalls by kind, wake-ups, events/s
	PaneChain                       // a Deferred's callback/errback ladder (needs a ChainSource)
	PaneCost                        // wait-call cost vs fds watched, per backend
)

// AllPanes lists every pane in dashboard order.
func AllPanes() []PaneID {
	return []PaneID{PaneReadiness, PaneLoop, PaneStalls, PaneInterest, PaneCounters, PaneChain, PaneCost}
}

var paneNames = [...]string{
	PaneReadiness: "readiness", PaneLoop: "loop", PaneStalls: "stalls",
	PaneInterest: "interest", PaneCounters: "counters", PaneChain: "chain", PaneCost: "cost",
}

// String names the pane ("readiness", "loop", ...).
func (p PaneID) String() string {
	if int(p) < len(paneNames) && paneNames[p] != "" {
		return paneNames[p]
	}
	return "pane?"
}

// Controls is the set of live controls a lesson enables. Keys for controls
// that are not enabled are hidden from the footer and ignored.
type Controls uint16

// The live controls and their keys.
const (
	CtlPause     Controls = 1 << iota // space: pause/resume the loop (it really stops iterating)
	CtlStep                           // n: run exactly one pass while paused
	CtlSlow                           // + / -: slow motion (a delay between passes)
	CtlBackend                        // b: cycle backend select → poll → epoll
	CtlAddActive                      // c: add 10 active clients
	CtlAddIdle                        // C: add 100 idle clients
	CtlDrop                           // x: drop the simulated clients
	CtlStall                          // k: inject a 300 ms blocking handler

	// AllControls enables every control (the dashboard uses it).
	AllControls = CtlPause | CtlStep | CtlSlow | CtlBackend | CtlAddActive | CtlAddIdle | CtlDrop | CtlStall
)

// Has reports whether every control in c2 is enabled.
func (c Controls) Has(c2 Controls) bool { return c&c2 == c2 }

// Lesson is one entry in the lesson list. Implementations live in lessons/.
type Lesson interface {
	Slug() string    // stable id used on the command line, e.g. "one-process-many-connections"
	Title() string   // "One process, many connections"
	Summary() string // one line for the home list
	// Pages are the prose, one Markdown document per page (rendered with
	// glamour at the prose column's width). Each page should end with
	// something to try.
	Pages() []string
	// Panes lists the live panes beside the prose, in order. Empty means a
	// prose-only lesson: Start is then never called.
	Panes() []PaneID
	// Controls are the live controls this lesson enables.
	Controls() Controls
	// Start builds and starts the scenario (reactor on its own goroutine).
	// It is called when the learner opens the lesson, from a tea.Cmd (not
	// the UI goroutine), and the Live is closed when they leave it.
	Start(ctx context.Context) (Live, error)
}

// TraceSource is what Live.Subscribe returns; *reactor.Subscription
// satisfies it. The visualizer drains it about 30 times a second from one
// goroutine and closes it when it is done.
type TraceSource interface {
	Drain(dst []reactor.TraceEvent) []reactor.TraceEvent
	Close()
}

// Live is a running scenario. Every method must be safe to call from any
// goroutine and must not block for long (the UI calls most of them from
// Update); control methods should post work to the loop with
// CallFromGoroutine and return at once.
type Live interface {
	// Subscribe attaches a trace subscriber (normally loop.Subscribe).
	Subscribe(capacity int) TraceSource
	// Stats is a snapshot of the loop's counters (loop.Stats()).
	Stats() reactor.Stats
	// Backend names the backend in use now ("select", "poll", "epoll").
	Backend() string

	Pause()                        // stop iterating after the current pass
	Resume()                       // iterate again
	Paused() bool                  // whether the loop is paused
	Step()                         // while paused: run exactly one pass
	SetDelay(d time.Duration)      // slow motion: sleep d between passes (0 = full speed)
	Delay() time.Duration          // current slow-motion delay
	SwitchBackend(name string)     // switch live; failures are reported on Errors()
	AddClients(n int, active bool) // simulated clients over real loopback sockets
	DropClients()                  // close every simulated client
	InjectStall(d time.Duration)   // run one handler that blocks the loop for d

	// Watched is a snapshot of the interest set (fd, label, interest). It
	// is called from a tea.Cmd about once a second, so it may wait briefly
	// for the loop goroutine, but must give up (return the last snapshot)
	// if the loop is stalled or paused rather than block.
	Watched() []reactor.WatchInfo
	// Info is one line shown above the panes, e.g.
	// "echo server on 127.0.0.1:PORT — try: nc 127.0.0.1 PORT".
	Info() string
	// Errors delivers errors to show on screen (e.g. select refusing fd
	// 1024, a failed backend switch). Buffered; never closed before Close.
	// The UI drains it without blocking on every frame.
	Errors() <-chan error
	// Close stops the scenario and releases everything it opened.
	Close() error
}

// Option adjusts RunApp, RunDashboard, NewApp and NewDashboard.
type Option func(*config)

type config struct {
	ctx        context.Context // passed to Lesson.Start
	stateDir   string          // where home progress is kept ("" = XDG_STATE_HOME/reactorlab)
	noState    bool            // keep progress in memory only
	frame      time.Duration   // sampler period (default ~33 ms)
	subCap     int             // trace subscription capacity
	progOpts   []tea.ProgramOption
	stallDelay time.Duration // what k injects (default 300 ms)
	noTick     bool          // tests: drive frames by hand
}

// WithStateDir keeps lesson progress ("visited") in dir/progress instead of
// $XDG_STATE_HOME/reactorlab/progress. An empty dir keeps it in memory only.
func WithStateDir(dir string) Option {
	return func(c *config) { c.stateDir = dir; c.noState = dir == "" }
}

// WithFrameRate sets how often the sampler drains the trace (default 30 Hz).
func WithFrameRate(hz int) Option {
	return func(c *config) {
		if hz > 0 {
			c.frame = time.Second / time.Duration(hz)
		}
	}
}

// WithProgramOptions passes options to tea.NewProgram (tests use WithInput,
// WithOutput, WithWindowSize and WithColorProfile).
func WithProgramOptions(opts ...tea.ProgramOption) Option {
	return func(c *config) { c.progOpts = append(c.progOpts, opts...) }
}

// WithStallDuration sets how long the handler injected by k blocks the loop
// (default 300 ms).
func WithStallDuration(d time.Duration) Option {
	return func(c *config) { c.stallDelay = d }
}

func newConfig(opts []Option) *config {
	c := &config{ctx: context.Background(), frame: time.Second / 30, subCap: 1 << 14, stallDelay: 300 * time.Millisecond}
	for _, o := range opts {
		o(c)
	}
	return c
}
