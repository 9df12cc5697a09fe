package lessons

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Injectors are the lessons' own faults and fixes: each does the real
// wrong (or right) thing on the running scenario's real fds, and each is
// offered only by the lessons whose scenario names it. The screen knows
// only its declaration (visualizer.Injector: ID, key, help, a line for ?,
// one-shot or switch); what it does is here.
//
// To add one: a row in injectorTable, its ID in the Scenario.Injectors of
// the lessons that use it, and a "Try this" that names its key. Demo
// scripts and recordings then name it by its ID.

// injector is one row of injectorTable.
type injector struct {
	visualizer.Injector
	// set does it: a one-shot ignores on, a switch turns on or off. It is
	// called on the UI goroutine, so anything touching the loop must be
	// posted (d.post) and its failure reported (d.report).
	set func(d *Driver, on bool) error
	// on reports a switch's state (nil for a one-shot). It is called on
	// every frame: read an atomic, never the loop.
	on func(d *Driver) bool
}

// Injector IDs named by scenarios.
const injStall = "stall"

// Lessons 11 (timers) and 12 (backpressure).
const (
	injResetTimer   = "reset-timer"
	injForgetCancel = "forget-cancel"
	injBurst        = "goroutine-burst"
	injSlowReader   = "slow-reader"
	injFlowControl  = "flow-control"
	injDropSlow     = "drop-slow"
)

// injectorTable lists every injector.
var injectorTable = []injector{
	{
		Injector: visualizer.Injector{ID: injStall, Key: "k", Help: "inject stall",
			Doc: "a handler that sleeps " + stallFor.String() + " blocks the loop: every client waits"},
		set: func(d *Driver, _ bool) error {
			d.post(func() { d.report(d.injectStall(stallFor)) })
			return nil
		},
	},
	switchOf(visualizer.Injector{ID: injResetTimer, Key: "r", Help: "reset in place",
		Doc: "push idle deadlines back with Timer.Reset"},
		func(s *idleServer) *atomic.Bool { return &s.resetInPlace }),
	switchOf(visualizer.Injector{ID: injForgetCancel, Key: "f", Help: "forget cancel",
		Doc: "the bug: a new idle timer, the old one left armed"},
		func(s *idleServer) *atomic.Bool { return &s.forgetCancel }),
	{
		Injector: visualizer.Injector{ID: injBurst, Key: "g", Help: "goroutine burst",
			Doc: burstDoc},
		set: func(d *Driver, _ bool) error { return with(d, func(s *idleServer) { s.burst() }) },
	},
	{
		Injector: visualizer.Injector{ID: injSlowReader, Key: "s", Help: "+1 slow reader",
			Doc: "a member that reads 4 KiB every 250 ms"},
		set: func(d *Driver, _ bool) error {
			return with(d, func(*roomServer) { d.clients.addSlow(1) })
		},
	},
	switchOf(visualizer.Injector{ID: injFlowControl, Key: "w", Help: "watermarks",
		Doc: "the bot pauses above the high watermark"},
		func(r *roomServer) *atomic.Bool { return &r.flowControl }),
	switchOf(visualizer.Injector{ID: injDropSlow, Key: "d", Help: "drop slow",
		Doc: "hang up on a member more than 1 MiB behind"},
		func(r *roomServer) *atomic.Bool { return &r.dropSlow }),
}

// with runs fn on the scenario's own server state, if it is a T (lesson
// 11's *idleServer, lesson 12's *roomServer). The switches fn flips are
// atomics, so it runs on the UI goroutine.
func with[T any](d *Driver, fn func(T)) error {
	s, ok := d.ext.(T)
	if !ok {
		return fmt.Errorf("this scenario has no %T", s)
	}
	fn(s)
	return nil
}

// switchOf is the row of a switch injector whose state is an atomic flag
// in the scenario's own state T: the scenario reads the flag as it goes.
func switchOf[T any](inj visualizer.Injector, flag func(T) *atomic.Bool) injector {
	inj.Switch = true
	return injector{Injector: inj,
		set: func(d *Driver, on bool) error { return with(d, func(s T) { flag(s).Store(on) }) },
		on: func(d *Driver) bool {
			s, ok := d.ext.(T)
			return ok && flag(s).Load()
		},
	}
}

func findInjector(id string) (injector, bool) {
	i := slices.IndexFunc(injectorTable, func(inj injector) bool { return inj.ID == id })
	if i < 0 {
		return injector{}, false
	}
	return injectorTable[i], true
}

// declare is the screen's view of the injectors ids.
func declare(ids []string) []visualizer.Injector {
	var out []visualizer.Injector
	for _, id := range ids {
		if inj, ok := findInjector(id); ok {
			out = append(out, inj.Injector)
		}
	}
	return out
}

// Inject runs injector id on the scenario (visualizer.Injectable). Only the
// injectors the scenario names are accepted.
func (d *Driver) Inject(id string, on bool) error {
	inj, ok := findInjector(id)
	if !ok || !slices.Contains(d.injectors, id) {
		return fmt.Errorf("no injector %q in this scenario", id)
	}
	return inj.set(d, on)
}

// InjectorOn reports whether switch id is on (visualizer.Injectable).
func (d *Driver) InjectorOn(id string) bool {
	inj, ok := findInjector(id)
	return ok && inj.on != nil && slices.Contains(d.injectors, id) && inj.on(d)
}

var _ visualizer.Injectable = (*Driver)(nil)
