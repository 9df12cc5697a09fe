// Package visualizer draws a running reactor on the terminal: the shell
// (home, lesson pages, exercises, help) and seven live panes that turn the reactor's
// trace into pictures — readiness per fd and pass, the loop's time split,
// stalls and lag, the interest set, syscall counters, a Deferred's callback
// ladder and the cost of each wait call against the number of fds watched.
//
// # How the screen is fed
//
// The reactor runs on its own goroutine and writes trace events into a
// bounded ring ([reactor.Subscription]); it never waits for the screen. The
// visualizer drains that ring on a frame tick (about 30 Hz), folds what
// arrived into each pane's state and draws. One message per frame, never one
// per event: bubbletea's Program.Send is unbuffered and would throttle the
// reactor. If the ring overflows, the events lost are counted and shown.
// Because the screen samples instead of waiting, a blocked loop never
// freezes it: the time since the last completed pass keeps growing on screen
// and is drawn as a stall.
//
// # The panes
//
// Each pane is one component (its own state, Update, View and SetSize) in
// its own file; none uses colour alone to say anything.
//
//   - readiness.go: one row per watched fd, one column per recent pass;
//     cells I (in), O (out), B (both), H (hang-up), E (error), . (nothing).
//     Footer: backend, fds watched, fds ready this pass, time in the kernel.
//   - looppane.go: per frame, the share of time in the kernel, in handlers
//     and in timers (bar heights), an S band where the loop stalled, loop
//     lag, passes per second and whether the loop is stalled right now.
//   - stalls.go: a stall in progress (with the last handler that ran), lag,
//     the longest stall of the last minute and the handler the reactor
//     blamed, recent stalls, late timers, panics.
//   - interest.go: the interest set as user space sees it: fd, owner,
//     interest (r, w, |et, |oneshot), bytes in and out, last event.
//   - counters.go: syscalls by kind with totals and rates, wake-ups, events.
//   - chain.go: a Deferred's ladder of (callback, errback) steps, fed from
//     deferred.TraceEvent through a [ChainSource] such as [ChainRecorder].
//   - costplot.go: the cost of one wait call against fds watched, one
//     letter per backend (its reactor.Backend glyph: s, p, e), from warm
//     timeout-0 waits only (the lesson driver's cost probes): a wait that
//     may block times the sleep.
//
// Layout (layout.go) stacks the panes a lesson asks for in one or two
// columns, squeezing the least important ones before hiding any. Below
// 80×24 the screen says it is too small instead of drawing a broken layout.
//
// # The shell
//
// [App] is the root model and routes, as glow's ui.go does: it owns what
// is global (the window size, q, ?, the footer, the too-small notice) and
// hands everything else to the one screen showing, a child model of its
// own: home.go (lessons with progress, then exercises with their state),
// lesson.go (prose in a bubbles viewport, prose.go, beside the lesson's
// panes), exercise.go (a task and how to grade it) or dashboard.go (every
// pane over one Live). Screens move between each other with messages.
//
// Keys are bubbles key.Bindings in one [KeyMap] (keys.go) that each screen
// copies and enables from its state: a disabled binding neither matches
// nor shows, so nothing else filters keys. The live controls come from one
// table (controls.go) and a lesson's injectors from the lesson; both are
// named by stable IDs, as demo scripts and recordings name them ([Action]).
//
// # Contract
//
// Scenarios implement [Lesson] and [Live], and [Injectable] when they have
// injectors (live.go, which also states the controls-and-injectors
// contract). Backends come from reactor.Backends: a backend registered
// there joins the b cycle, the cost plot, the counters and the legend with
// no change here. The visualizer makes none of the reactor's syscalls and
// knows nothing about sockets; its only I/O is the learner's progress file
// (progress.go), read before the program starts and written from a Cmd,
// never from Update or View.
package visualizer
