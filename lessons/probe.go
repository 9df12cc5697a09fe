package lessons

import (
	"slices"
	"time"

	"github.com/reactorlab/reactorlab/visualizer"
)

// probeEvery is how often the driver runs a cost probe: one extra pass
// whose wait has timeout 0.
//
// Why: the cost pane plots what one wait call costs against the number of
// fds watched. Most waits block until something is ready, so their kernel
// time is mostly sleep — a wait that slept 78 ms says nothing about how
// long select took to scan its sets. A wait with timeout 0 never sleeps:
// its time is the pure cost of the call (build the sets, scan them, copy
// the answer back). select and poll pay for every fd watched; epoll does
// not. Those are the only waits the cost pane counts.
//
// The probe is one Iterate(0) a few times a second: a few µs of work, no
// timer, no queued call and no handler, so nothing shows in the stall, lag
// or readiness panes. In the trace it reads as a pass whose wait has
// timeout 0 (KindWaitStart.Dur == 0).
const probeEvery = 200 * time.Millisecond

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
