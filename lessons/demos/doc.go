// Package demos holds reactorlab's projector demos: short scripts that
// walk a class through one live scenario, one claim each (one process
// serves many connections; select's cost and its 1024 wall; epoll flat
// under 10,000 idle connections; one blocking handler freezes everyone; a
// Deferred is not a thread; running out of fds).
//
// A demo is a text file, NN-name.demo, embedded like the lessons: a
// title, the lesson whose scenario it runs, then steps, each a caption, the
// panes to show, and actions and waits on the scenario:
//
//	title   One blocking handler freezes every client
//	lesson  one-process-many-connections
//
//	caption Now one handler sleeps for 300 ms. The whole loop stops with it.
//	panes   loop stalls
//	stall
//	wait    stall
//
// Actions are the live controls and the lesson's injectors, by the IDs
// keys and recordings use (visualizer.Action); waits are conditions read
// from the reactor's trace and counters (visualizer.Cond), never sleeps.
// Reading a script checks every line, so a mistake is reported with its
// line before anything starts (ScriptError). docs/DEMO_FORMAT.md is the
// format's documentation.
//
// [Load] and [LoadFile] return a visualizer.Demo ready for
// visualizer.RunDemo: its Start starts the lesson's scenario afresh each
// time the presenter goes back or restarts, holding the simulated clients
// to what the open-file limit allows, and its Notice says so when that is
// less than the demo asks for. [WriteList] and [WriteOutline] are what
// `reactorlab demo` and `reactorlab demo --check` print.
package demos
