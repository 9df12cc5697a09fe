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
	"github.com/reactorlab/reactorlab/reactor/tcp"
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
	stalls   stallSet    // loop goroutine only: injected handlers' pipes, by read fd
	delay    atomic.Int64
	watched  atomic.Pointer[[]reactor.WatchInfo]

	probeEvery time.Duration // cost probes (probe.go); 0 = none
	lastProbe  time.Time     // loop goroutine only

	errs      chan error
	clients   *clientSet
	closeOnce sync.Once
	closeErr  error

	refusals refusalReporter

	chains    *visualizer.ChainRecorder // Deferred events for the chain pane (lesson 3); nil = none
	injectors []string                  // IDs of the injectors this scenario offers (injectors.go)
	ext       any                       // the scenario's own server state, for its injectors (server.ext)

	latency *visualizer.LatencyRecorder // what the simulated clients measure; nil = the server answers no lines
	pool    *visualizer.PoolRecorder    // the scenario's goroutine pool's events; nil = no pool
	work    *workServer                 // lessons 8 and 9's server (their injectors drive it); nil = another
	profile *profileServer              // lesson 10's; nil = another

	// What the injectors of lessons 4–7 act on, and what they show.
	srv       *tcp.Server  // the built-in protocols' server; nil = another kind
	lab       *labEcho     // the hand-written echo of lessons 5 and 6; nil = another kind
	limit     fdLimit      // lesson 7's lowered RLIMIT_NOFILE, put back on every way out
	guardOff  atomic.Bool  // the reserve-fd-off injector is on
	rebuild   atomic.Bool  // the loop rebuilds its epoll set after the dup trap
	sampleFDs bool         // count the fd table (the fds pane shows it)
	meter     sampler      // loop goroutine: when the CPU and the fd table were last read
	cpu       atomic.Int64 // the loop thread's CPU time, ns (LoopCPU)
	fdOpen    atomic.Int64 // fds open at the last count
	fdSoft    atomic.Uint64
	fdHard    atomic.Uint64 // RLIMIT_NOFILE at the last count
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
	// measures the loop alone (see loopCPU, and threadCPU in meter.go).
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
		now := time.Now()
		d.sample(now)
		if d.probeDue(now) && !d.probe() {
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
	errs := []error{d.limit.restore()} // first: whatever else fails, the limit comes back
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
