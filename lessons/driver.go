package lessons

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// maxPassWait bounds one pass's wait in the kernel. The loop is woken by
// CallFromGoroutine whenever a control needs it, so this is only a safety
// net; it keeps a missed wake-up from freezing the driver for long.
const maxPassWait = time.Second

// Driver runs a reactor.Loop pass by pass on its own goroutine and lets the
// screen pause, step and slow it, switch its backend and throw simulated
// clients at its server. It implements visualizer.Live.
//
// Every change to the loop is a func queued on cmds and run on the loop
// goroutine: inside the next pass (posted with CallFromGoroutine) when the
// loop is running, or between passes by the parked driver when it is
// paused. Whichever comes first drains the queue.
type Driver struct {
	loop    *reactor.Loop
	addr    string       // server address, "127.0.0.1:PORT"
	info    string       // Info line
	closeFn func() error // releases the server; loop goroutine, after the last pass
	ownLoop bool         // Close closes the loop too

	cmdMu sync.Mutex
	cmds  []func()
	nudge chan struct{} // wakes a parked or slow-motion driver (cap 1)
	quit  chan struct{}
	done  chan struct{}

	paused   atomic.Bool
	finished atomic.Bool // the driver goroutine is done: queued commands are dropped
	inPass   bool        // loop goroutine only: inside Iterate
	stalls   map[int]int // loop goroutine only: injected handlers' pipes, read fd -> write fd
	delay    atomic.Int64
	watched  atomic.Pointer[[]reactor.WatchInfo]

	errs      chan error
	clients   *clientSet
	closeOnce sync.Once
	closeErr  error

	refusals refusalReporter
}

var _ visualizer.Live = (*Driver)(nil)

// newDriver wraps loop. The caller has registered the server already.
func newDriver(loop *reactor.Loop, addr string, ownLoop bool, closeFn func() error) *Driver {
	d := &Driver{
		loop:    loop,
		addr:    addr,
		closeFn: closeFn,
		ownLoop: ownLoop,
		nudge:   make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		errs:    make(chan error, 32),
	}
	dial := addr
	if _, port, err := net.SplitHostPort(addr); err == nil {
		dial = net.JoinHostPort(connectHost(addr), port)
	}
	d.clients = newClientSet(dial, d.report)
	d.refusals.report = d.report
	return d
}

// start launches the driver goroutine.
func (d *Driver) start() { go d.run() }

// run is the loop goroutine: pass after pass until Close.
func (d *Driver) run() {
	// The loop keeps one OS thread for its life, as a real reactor thread
	// would: no hand-offs between passes, and a per-thread CPU clock that
	// measures the loop alone (see loopCPU).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(d.done)
	defer func() {
		if p := recover(); p != nil {
			d.report(fmt.Errorf("scenario driver crashed: %v", p))
		}
		d.finish()
	}()
	for {
		d.runCmds()
		select {
		case <-d.quit:
			return
		default:
		}
		if d.paused.Load() {
			select {
			case <-d.quit:
				return
			case <-d.nudge:
			}
			continue
		}
		if !d.pass(maxPassWait) {
			return
		}
		if dl := time.Duration(d.delay.Load()); dl > 0 && !d.rest(dl) {
			return
		}
	}
}

// rest is slow motion: it waits dl between two passes, still running
// commands as they arrive, and cuts the wait short if the learner pauses or
// speeds up. It reports false when the driver is closing.
func (d *Driver) rest(dl time.Duration) bool {
	t := time.NewTimer(dl)
	defer t.Stop()
	for {
		select {
		case <-d.quit:
			return false
		case <-t.C:
			return true
		case <-d.nudge:
			d.runCmds()
			if d.paused.Load() || time.Duration(d.delay.Load()) < dl {
				return true
			}
		}
	}
}

// pass runs one Iterate; false means the loop is gone.
func (d *Driver) pass(timeout time.Duration) bool {
	d.inPass = true
	err := d.loop.Iterate(timeout)
	d.inPass = false
	switch {
	case err == nil:
		return true
	case errors.Is(err, reactor.ErrStopped):
		return false
	default:
		d.report(fmt.Errorf("loop pass: %w", err))
		return true
	}
}

// finish releases the server and (if ours) the loop, on the loop goroutine.
func (d *Driver) finish() {
	d.runCmds() // let queued work see the loop one last time
	for r := range d.stalls {
		d.endStall(r)
	}
	var errs []error
	if d.closeFn != nil {
		errs = append(errs, d.closeFn())
	}
	if d.ownLoop {
		errs = append(errs, d.loop.Close())
	}
	d.closeErr = errors.Join(errs...)
	d.finished.Store(true)
}

// post queues fn to run on the loop goroutine and wakes whoever will run it.
func (d *Driver) post(fn func()) {
	d.cmdMu.Lock()
	d.cmds = append(d.cmds, fn)
	d.cmdMu.Unlock()
	d.loop.CallFromGoroutine(d.runCmds)
	d.poke()
}

// poke wakes a parked or sleeping driver without blocking.
func (d *Driver) poke() {
	select {
	case d.nudge <- struct{}{}:
	default:
	}
}

// runCmds drains the command queue. Loop goroutine only.
func (d *Driver) runCmds() {
	if d.finished.Load() {
		return // a call left in a caller-owned loop's queue after Close
	}
	d.cmdMu.Lock()
	q := d.cmds
	d.cmds = nil
	d.cmdMu.Unlock()
	for _, fn := range q {
		fn()
	}
}

// report hands err to the screen without ever blocking the caller.
func (d *Driver) report(err error) {
	if err == nil {
		return
	}
	select {
	case d.errs <- err:
	default: // the screen is behind; it already has plenty to show
	}
}

// sync waits until every command posted before it has run. Tests use it
// to order their checks against the loop goroutine.
func (d *Driver) sync() {
	ch := make(chan struct{})
	d.post(func() { close(ch) })
	select {
	case <-ch:
	case <-d.done:
	}
}

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
			// Lead with the point: the line on screen may be cut short.
			err = fmt.Errorf("FD_SETSIZE: select cannot take over fds of 1024 and above, so the loop stays on %s; drop clients first (%w)",
				d.loop.Backend(), err)
		}
		d.report(err)
	})
}

// AddClients connects n simulated clients to the server.
func (d *Driver) AddClients(n int, active bool) { d.clients.add(n, active) }

// DropClients closes every simulated client.
func (d *Driver) DropClients() { d.clients.dropAll() }

// InjectStall makes one handler block the loop for dl.
func (d *Driver) InjectStall(dl time.Duration) {
	d.post(func() { d.report(d.injectStall(dl)) })
}

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

// Info is the line shown above the panes.
func (d *Driver) Info() string { return d.info }

// Addr is the server's address.
func (d *Driver) Addr() string { return d.addr }

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
