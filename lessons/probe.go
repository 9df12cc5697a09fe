package lessons

import (
	"slices"
	"time"

	"github.com/reactorlab/reactorlab/visualizer"
)

// probeEvery is how often the driver runs a cost probe: two extra passes
// whose waits have timeout 0, back to back.
//
// Why: the cost pane plots what one wait call costs against the number of
// fds watched. Most waits block until something is ready, so their kernel
// time is mostly sleep — a wait that slept 78 ms says nothing about how
// long select took to scan its sets. A wait with timeout 0 never sleeps:
// its time is the pure cost of the call (build the sets, scan them, copy
// the answer back). select and poll pay for every fd watched; epoll does
// not.
//
// Why two: the first call after the loop slept runs on a cold CPU and
// costs several µs more, with a wide spread that hides the per-fd cost.
// The first pass warms up; the cost pane times only a timeout-0 wait that
// directly follows another, i.e. the second.
//
// The probe is cheap — two Iterate(0) calls of a few µs each, no timer,
// no queued call, no handler — so nothing shows in the stall or lag panes.
// In the trace it reads as two passes whose waits have timeout 0
// (KindWaitStart.Dur == 0).
const probeEvery = 300 * time.Millisecond

// probesFor is the probe interval for a screen showing panes: probeEvery
// when it plots wait costs, else 0 (no probes).
func probesFor(panes []visualizer.PaneID) time.Duration {
	if slices.Contains(panes, visualizer.PaneCost) {
		return probeEvery
	}
	return 0
}

// probeDue reports whether a cost probe should run now, and if so starts
// the next interval. Probes run only while the loop runs at full speed:
// never while paused (a step is exactly one pass) nor in slow motion
// (where every pass is meant to be watched). Loop goroutine only.
func (d *Driver) probeDue(now time.Time) bool {
	if d.probeEvery <= 0 || d.paused.Load() || d.delay.Load() > 0 {
		return false
	}
	if now.Sub(d.lastProbe) < d.probeEvery {
		return false
	}
	d.lastProbe = now
	return true
}

// probe runs a cost probe's two timeout-0 passes, warm-up then measured;
// false means the loop is gone. Loop goroutine only.
func (d *Driver) probe() bool {
	if !d.pass(0) {
		return false
	}
	if d.paused.Load() {
		return true // paused meanwhile: from now on, a step is one pass
	}
	return d.pass(0)
}
