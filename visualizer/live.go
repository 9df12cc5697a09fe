package visualizer

import (
	"context"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// This file is the contract between the visualizer and the packages that
// run scenarios (lessons/, `reactorlab serve`). The visualizer makes none
// of the reactor's syscalls and knows nothing about sockets (its only I/O
// is the progress file): it only reads what a Live hands it (trace events,
// stats, a snapshot of the interest set) and acts on the Live when the
// learner presses a key.
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
// A program that runs the App inside its own model (the SSH classroom)
// calls NewApp, forwards every message to App.Update, reads App.Place
// after it, moves the learner with GoToMsg, writes its own footer line with
// StatusMsg, lowers WithFrameRate when it draws many labs, and calls
// App.Close when the program ends.
//
// Loop CPU: a Live that also implements [CPUSource] has the loop pane show
// the CPU its loop uses, as a share of one core.
//
// Fd table: a Live that also implements [FDSource] (fds.go) feeds the fds
// pane: fds open against RLIMIT_NOFILE and what its listener did at the
// limit.
//
// Chain pane: a Live that also implements ChainSource (see chain.go) feeds
// the Deferred chain pane with deferred.TraceEvent values. Use a
// ChainRecorder for that: install rec.Observe with deferred.Observe on the
// loop goroutine and return rec.Drain from DrainDeferred.
//
// Latency and pool panes: the same way, for facts that happen off the loop
// goroutine and so cannot travel in the reactor's trace. A Live whose
// simulated clients time their requests implements LatencySource
// (latency.go; clients record into a LatencyRecorder), and one whose
// scenario runs a goroutine pool implements PoolSource (pool.go; the
// pool's Observe feeds a PoolRecorder). Each is drained once per frame.
// The dashboard leaves out a pane whose source its Live lacks.
//
// # Controls, injectors and actions
//
// Everything a learner can do to a running scenario has a stable ID, and
// keys, demo scripts and recordings all name it by that ID:
//
//   - A control is built in and works on any scenario (pause, step,
//     slower, faster, backend, add-active, add-idle, drop). Each has ONE row
//     in the control table (controls.go): its ID, its key.Binding, its
//     footer help, its line for the ? screen and what it calls on the Live.
//     A lesson enables the controls it wants (Lesson.Controls); the
//     bindings of the others are disabled (key.Binding.SetEnabled), so they
//     neither match a key nor show in the footer or under ?.
//   - An injector is a lesson's own fault or fix ("stall",
//     "partial-read", "edge-triggered", "reserve-fd-off"): the lesson
//     declares it ([Injector]: ID, key, footer help, one line for ?, and
//     whether it is a one-shot or an on/off switch) in Lesson.Injectors,
//     and its Live runs it through one method, [Injectable].Inject, by ID.
//     A switch's state is read back with InjectorOn and shown on the status
//     line above the panes ("partial-read ON"). Lesson 1's "stall" (k: a
//     handler that sleeps 300 ms) is the worked example: see
//     lessons/injectors.go.
//   - An [Action] is either of them by ID, with an optional argument, in
//     the text form demo scripts and recordings use: "pause", "pause on",
//     "step 3", "backend epoll", "add-idle 100", "stall", "stall 2",
//     "partial-read off". ParseAction reads that form; a key press is the
//     Action with no argument, and anything else sends an [ActionMsg] to
//     the program. Every action, from a key or not, runs through one
//     method (liveView.act): the one place that checks it is offered,
//     applies its default or argument and calls the Live. A Live that
//     implements [ActionTracer] is told of each action there, once it is
//     checked and before it runs: the lessons' driver puts it into the
//     loop's trace as a KindAction event, which is how recordings and
//     `serve --headless` say what the learner did.
//
// To add a control: one row in the control table, and a method on Live if
// it needs a new one. To add an injector: a row in lessons/injectors.go
// and its ID in the lesson's scenario; nothing in this package changes.
//
// # Demos
//
// A [Demo] is a script of steps over one scenario, for a projector: each
// step a caption, the panes to show and a list of actions and waits (a
// [Cond] read from the trace and the stats: "clients 500", "stall",
// "refused"). NewDemo and RunDemo play it (demo.go, demoscreen.go); its
// actions run through liveView.act like keys. The text format and the
// embedded demos live in lessons/demos.

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
	PaneLatency                     // what the simulated clients feel: request → reply, p50/p99 per group (needs a LatencySource)
	PanePool                        // the goroutine pool: workers busy/idle, queue, results handed back (needs a PoolSource)
	PaneFDs                         // the fd table: open vs RLIMIT_NOFILE, accept errors (needs an FDSource)
	PaneTimers                      // the timer heap: pending by due time, cancelled, lateness, wake-ups
	PaneBuffers                     // per connection: bytes queued for writing vs the watermarks, paused producers
	PaneCompare                     // servers side by side: syscalls per request, memory per idle conn (lesson only)
)

// AllPanes lists every pane in dashboard order. PaneCompare is left out:
// it draws what a lesson's scenario measures of servers it runs beside
// the loop, which a dashboard over one Live does not have.
func AllPanes() []PaneID {
	return []PaneID{PaneReadiness, PaneLoop, PaneStalls, PaneInterest, PaneCounters, PaneChain, PaneCost,
		PaneLatency, PanePool, PaneFDs, PaneTimers, PaneBuffers}
}

var paneNames = [...]string{
	PaneReadiness: "readiness", PaneLoop: "loop", PaneStalls: "stalls",
	PaneInterest: "interest", PaneCounters: "counters", PaneChain: "chain", PaneCost: "cost",
	PaneLatency: "latency", PanePool: "pool",
	PaneFDs:    "fds",
	PaneTimers: "timers", PaneBuffers: "buffers", PaneCompare: "compare",
}

// String names the pane ("readiness", "loop", ...).
func (p PaneID) String() string {
	if int(p) < len(paneNames) && paneNames[p] != "" {
		return paneNames[p]
	}
	return "pane?"
}

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
	// Controls are the built-in live controls this lesson enables.
	Controls() []ControlID
	// Injectors are this lesson's own faults and fixes. Their keys must
	// not collide with each other nor with the lab's keys (NewApp checks).
	// A lesson with injectors starts a Live that implements Injectable.
	Injectors() []Injector
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
	// Backend names the backend in use now (one of reactor.Backends()).
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

// Injector declares one of a lesson's own faults or fixes: what the
// screen needs to offer it. What it does lives with the scenario, behind
// [Injectable].
type Injector struct {
	// ID is stable: demo scripts and recordings name the injector by it
	// ("stall", "partial-read"). Lower case words joined by dashes.
	ID string
	// Key is the one key that runs it, as bubbletea names keys ("k", "E",
	// "ctrl+e"). It is offered only in the lessons that declare it.
	Key string
	// Help is the footer's short text ("inject stall").
	Help string
	// Doc is one line for the ? screen: what it does and what to watch.
	Doc string
	// Switch says it stays on until switched off (its key flips it and its
	// state shows above the panes); otherwise it is a one-shot that does
	// its thing once per press.
	Switch bool
}

// Injectable is implemented by a Live that runs injectors. The visualizer
// calls it only with the IDs the lesson (or WithInjectors) declared.
type Injectable interface {
	// Inject runs injector id. For a one-shot, on is always true and each
	// call does it once; for a switch, on is the state wanted. Like the
	// control methods it posts its work to the loop and returns at once:
	// an unknown id is returned as an error, what fails on the loop is
	// reported on Errors.
	Inject(id string, on bool) error
	// InjectorOn reports whether switch id is on (false for a one-shot).
	// It is called on every frame, so it must be cheap.
	InjectorOn(id string) bool
}

// ActionTracer is implemented by a Live that records the actions done to
// it in its trace (a reactor.KindAction event: Label = the ID, Text = the
// argument). The visualizer calls TraceAction once an action is checked,
// just before running it, from the UI goroutine; it must return at once.
type ActionTracer interface {
	TraceAction(a Action)
}

// CPUSource is implemented by a Live that measures the CPU time its loop
// uses (the lessons' driver reads its loop thread's CPU clock, on the
// loop side). The loop pane shows it as a share of one core beside
// passes/s: a loop that spins — ready on every pass with nothing to do,
// as after EMFILE or in the dup trap — runs near 100%, an idle one near 0.
type CPUSource interface {
	// LoopCPU is the CPU time the loop has used so far. It is called on
	// every frame, so it must be cheap (read an atomic).
	LoopCPU() time.Duration
}

// PaneByName is the pane String calls name ("readiness", "cost"); demo
// scripts name panes this way.
func PaneByName(name string) (PaneID, bool) {
	for _, id := range AllPanes() {
		if id.String() == name {
			return id, true
		}
	}
	return 0, false
}

// ClientCounter is implemented by a Live that counts its simulated
// clients (the lessons' driver does). A demo's "clients N" condition
// reads it.
type ClientCounter interface {
	// Clients is a snapshot of the simulated clients. Safe from any
	// goroutine, and cheap.
	Clients() ClientCount
}

// ClientCount is a snapshot of a scenario's simulated clients.
type ClientCount struct {
	Connected int // connected now
	Alive     int // connected, still dialling or hanging up: Alive-Connected are on their way
	Most      int // the most that may be alive at once; 0 = no cap
}
