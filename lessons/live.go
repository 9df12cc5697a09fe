package lessons

import (
	"errors"
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The Driver's side of visualizer.Live: what the screen reads and the
// controls behind its keys. Reads are goroutine-safe snapshots; every
// control posts its work to the loop goroutine and returns at once.

// Subscribe attaches a trace reader. Errors the TCP layer reports in the
// trace (such as select refusing fd 1024) are also copied to Errors as the
// reader drains them.
func (d *Driver) Subscribe(capacity int) visualizer.TraceSource {
	return &watchedSource{sub: d.loop.Subscribe(capacity), r: &d.refusals}
}

// Stats is a snapshot of the loop's counters.
func (d *Driver) Stats() reactor.Stats { return d.loop.Stats() }

// Backend names the backend in use.
func (d *Driver) Backend() string { return d.loop.Backend() }

// Pause stops the loop after the current pass.
func (d *Driver) Pause() {
	d.paused.Store(true)
	d.loop.CallFromGoroutine(func() {}) // cut the current wait short
	d.poke()                            // and a slow-motion rest
}

// Resume lets the loop iterate again.
func (d *Driver) Resume() {
	d.paused.Store(false)
	d.poke()
}

// Paused reports whether the loop is paused.
func (d *Driver) Paused() bool { return d.paused.Load() }

// Step runs exactly one pass while paused; it does nothing while running.
// The pass does not wait in the kernel: it reports what is ready now.
func (d *Driver) Step() {
	var step func()
	step = func() {
		switch {
		case !d.paused.Load():
			// running: a step means nothing
		case d.inPass:
			// drained inside a pass: step after it, between passes
			d.cmdMu.Lock()
			d.cmds = append(d.cmds, step)
			d.cmdMu.Unlock()
			d.poke()
		default:
			d.pass(0)
		}
	}
	d.cmdMu.Lock()
	d.cmds = append(d.cmds, step)
	d.cmdMu.Unlock()
	d.poke()
}

// SetDelay sets the slow-motion delay between passes (0 = full speed).
func (d *Driver) SetDelay(dl time.Duration) {
	d.delay.Store(int64(max(dl, 0)))
	d.poke()
}

// Delay is the current slow-motion delay.
func (d *Driver) Delay() time.Duration { return time.Duration(d.delay.Load()) }

// SwitchBackend switches the loop's backend live. A refusal (select and an
// fd >= 1024) leaves the old backend in place and arrives on Errors.
func (d *Driver) SwitchBackend(name string) {
	d.post(func() {
		err := d.loop.SwitchBackend(name)
		if errors.Is(err, reactor.ErrFDSetSize) {
			// Lead with the point: beside the prose at 80 columns the
			// line keeps about 33 cells.
			err = fmt.Errorf("select cannot take fds ≥ 1024, so the loop stays on %s; drop clients first (%w)",
				d.loop.Backend(), err)
		}
		d.report(err)
	})
}

// AddClients connects n simulated clients to the server.
func (d *Driver) AddClients(n int, active bool) { d.clients.add(n, active) }

// DropClients closes every simulated client.
func (d *Driver) DropClients() { d.clients.dropAll() }

// Watched is a snapshot of the interest set, taken on the loop goroutine.
// If the loop does not answer within 100 ms (stalled) the previous
// snapshot is returned.
func (d *Driver) Watched() []reactor.WatchInfo {
	ch := make(chan struct{})
	d.post(func() {
		w := d.loop.Watched()
		d.watched.Store(&w)
		close(ch)
	})
	t := time.NewTimer(100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-d.done:
	}
	if w := d.watched.Load(); w != nil {
		return *w
	}
	return nil
}

// DrainLatency hands the screen what the simulated clients measured
// since the last frame (visualizer.LatencySource).
func (d *Driver) DrainLatency(dst []visualizer.LatencyEvent) []visualizer.LatencyEvent {
	if d.latency == nil {
		return dst
	}
	return d.latency.Drain(dst)
}

// timeClients makes the simulated clients time each request to its reply
// for the latency pane. Before start.
func (d *Driver) timeClients() {
	d.latency = visualizer.NewLatencyRecorder(latencyBuffer)
	d.clients.lat = d.latency
}

// latencyBuffer is how many client measurements are kept between two
// frames: a thousand busy clients for a frame or two.
const latencyBuffer = 1 << 13

// Info is the line shown above the panes.
func (d *Driver) Info() string { return d.info }

// Errors delivers errors to show on screen.
func (d *Driver) Errors() <-chan error { return d.errs }

// Close drops every client, stops the driver goroutine, and releases the
// server and the loop. Safe to call more than once.
func (d *Driver) Close() error {
	d.closeOnce.Do(func() {
		d.clients.close()
		close(d.quit)
		d.loop.CallFromGoroutine(func() {}) // cut the current wait short
		<-d.done
	})
	return d.closeErr
}

// Clients counts the simulated clients: connected, alive (dialling and
// hanging up too) and the cap (visualizer.ClientCounter). A demo's
// "clients N" waits on it.
func (d *Driver) Clients() visualizer.ClientCount { return d.clients.count() }

var _ visualizer.ClientCounter = (*Driver)(nil)
