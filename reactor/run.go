package reactor

import (
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"time"
)

// Run runs passes until Stop is called, then runs the shutdown hooks and
// returns. A loop runs once: Run on a stopped loop returns
// ErrNotRestartable (as Twisted refuses to restart its reactor).
func (l *Loop) Run() error {
	if l.hooksDone {
		return ErrNotRestartable
	}
	if err := l.enter(); err != nil {
		return err
	}
	defer func() { l.running = false }()
	for !l.stopReq.Load() {
		if err := l.runPass(-1); err != nil {
			return err
		}
	}
	l.shutdown()
	return nil
}

// Iterate runs exactly one pass: wait at most timeout (<0 = until
// something happens), dispatch what is ready, run due timers and queued
// calls. If Stop was called during the pass, the shutdown hooks run.
func (l *Loop) Iterate(timeout time.Duration) error {
	if err := l.enter(); err != nil {
		return err
	}
	l.skipIdleGap()
	defer func() {
		l.running = false
		l.lastIterate = l.since()
	}()
	err := l.runPass(timeout)
	if l.stopReq.Load() {
		l.shutdown()
	}
	return err
}

// skipIdleGap restarts the heartbeat when the caller left the loop alone
// between two Iterate calls for longer than a heartbeat (a paused lab, a
// test stepping by hand): time nobody asked the loop to run is not loop
// lag, and reporting it as lag would look like a stall.
func (l *Loop) skipIdleGap() {
	if l.heartbeat == nil || l.lastIterate == 0 {
		return
	}
	if gap := l.since() - l.lastIterate; gap > int64(l.cfg.Heartbeat) {
		l.schedule(l.heartbeat, l.cfg.Heartbeat)
	}
}

func (l *Loop) enter() error {
	if l.closed || l.hooksDone { // closed, or stopped (a loop runs once)
		return ErrStopped
	}
	if l.running {
		return fmt.Errorf("reactor: Run or Iterate called from inside the loop")
	}
	l.running = true
	return nil
}

// Stop asks the loop to finish its current pass, run the shutdown hooks
// and return from Run. Safe from any goroutine.
func (l *Loop) Stop() {
	if l.stopReq.Swap(true) {
		return
	}
	l.wakeup()
}

func (l *Loop) shutdown() {
	if l.hooksDone {
		return
	}
	l.hooksDone = true
	for _, fn := range l.hooks {
		l.call(fn, "shutdown hook")
	}
}

// runPass is one turn of the loop: wait → dispatch → calls and timers.
func (l *Loop) runPass(timeout time.Duration) error {
	subs := l.subscribers()
	tracing := subs != nil
	// Times are nanoseconds since the loop started, read from the
	// monotonic clock alone: time.Now reads the wall clock too, which
	// the loop never needs (two clock reads instead of one, ~45 ns more
	// on this VM, once per handler).
	passStart := l.since()
	l.inPass = true
	defer l.endPass()
	l.pass++
	l.counters.passes.Add(1)
	if tracing {
		l.emitPass(subs, KindPassStart, passStart|1, int64(l.pass), 0, 0, 0, "", "")
	}

	// How long may we sleep? No longer than the earliest timer...
	wait := timeout
	if t := l.peekTimer(); t != nil {
		d := max(time.Duration(t.when-passStart), 0)
		if wait < 0 || d < wait {
			wait = d
		}
	}
	// ...and not at all if work is queued. inWait is published before
	// the queues are checked, and callers set their flag before reading
	// inWait: one side always sees the other, so a caller either sees
	// the loop will sleep and writes the waker, or the loop sees the
	// call and does not sleep.
	l.inWait.Store(true)
	if len(l.soon) > 0 || l.wakePending.Load() || l.stopReq.Load() {
		wait = 0
	}
	// The kernel time is measured from the pass start: the bookkeeping
	// in between costs a few ns, a clock read 50-150 ns on a VM.
	waitStart := passStart
	if tracing {
		subs = l.subscribers()
		l.emitPass(subs, KindWaitStart, waitStart|1, l.watched.Load(), max(wait, -1), 0, 0, l.Backend(), "")
		l.publish() // the reader sees "waiting" while the loop sleeps
	}
	n, err := l.poller.Wait(l.evs, wait)
	l.inWait.Store(false)
	l.batch++
	waitEnd := l.since()
	calls, parked := 1, false
	if wr, ok := l.poller.(waitReporter); ok {
		calls, parked = wr.lastWait()
	}
	l.counters.wait.Add(uint64(calls))
	how := ""
	if parked {
		l.counters.parked.Add(1)
		how = "netpoller"
	}
	if tracing {
		l.emitPass(l.subscribers(), KindWaitEnd, waitEnd|1, int64(n), time.Duration(waitEnd-waitStart), 0, 0, "", how)
	}
	if err != nil {
		return err
	}

	callsStart, ghosts := l.dispatch(n, waitEnd)
	l.exorcise(ghosts)
	if n == len(l.evs) && len(l.evs) < epollMaxEvents {
		l.evs = make([]Event, 2*len(l.evs)) // a full batch: next time ask for more
	}
	worked := l.runCalls()
	worked = l.runTimers() || worked
	if subs := l.subscribers(); subs != nil {
		end := callsStart // nothing ran: save a clock read
		if worked {
			end = l.since()
		}
		l.emitPass(subs, KindPassEnd, end|1, int64(l.pass), time.Duration(end-passStart),
			time.Duration(callsStart-waitEnd), time.Duration(end-callsStart), "", "")
	}
	return nil
}

// exorcise deals with a pass's ghosts: events for fds the loop does not
// watch (the dup trap, see doc.go). It reports them and rebuilds the
// poller so they stop — unless SetGhostRebuild(false) asked to keep them,
// when it reports only the first pass of each run of haunted passes.
func (l *Loop) exorcise(ghosts int) {
	was := l.haunted
	l.haunted = ghosts > 0
	switch {
	case ghosts == 0:
	case !l.keepGhosts:
		l.report(-1, "", "%s reported %d event(s) for fds the loop does not watch: an fd was closed while registered and a dup keeps its file open (deregister before close); rebuilding the %s set",
			l.poller.Name(), ghosts, l.poller.Name())
		l.rebuildPoller()
	case !was:
		l.report(-1, "", "%s reported %d event(s) for fds the loop does not watch: an fd was closed while registered and a dup keeps its file open (deregister before close); the set is not rebuilt, so they will keep coming",
			l.poller.Name(), ghosts)
	}
}

// SetGhostRebuild turns the loop's recovery from the dup trap on (the
// default) or off. On, events the kernel reports for fds the loop does
// not watch make it rebuild its epoll set, so they stop after one pass.
// Off, they are still dropped (and traced as stale) but the set is left
// as it is: a level-triggered ghost is then reported on every pass and
// the loop spins — what a plain epoll loop lives with. Lessons turn it off
// to show the trap. Loop goroutine only.
func (l *Loop) SetGhostRebuild(on bool) { l.keepGhosts = !on }

// endPass publishes the pass's trace events, even if a timer or call
// panicked through (panics are recovered per call, but be safe).
func (l *Loop) endPass() {
	l.inPass = false
	l.publish()
	if l.yieldReader {
		l.yieldToReaders()
	}
}

// yieldToReaders lets a reader signalled through HalfFull run. With one
// scheduler thread it would otherwise wait until the loop parks or is
// preempted (10ms), and a busy loop fills the rest of the ring first. One
// Gosched does not always hand over (the scheduler sometimes takes the
// global queue, where the yielding goroutine goes, first), so the loop
// yields at every pass end until each signalled reader has drained.
func (l *Loop) yieldToReaders() {
	for _, s := range l.subscribers() {
		if !s.armed.Load() {
			runtime.Gosched()
			return
		}
	}
	l.yieldReader = false
}

// dispatch delivers the first n events of the batch. now is the time the
// wait returned; each handler's end time becomes the next one's start, and
// the last one is returned: one clock read per handler. It also returns
// how many events were ghosts: for an fd the loop does not watch, and not
// because a handler changed it during this batch.
func (l *Loop) dispatch(n int, now int64) (int64, int) {
	ghosts := 0
	for i := range n {
		ev := l.evs[i]
		fd := ev.Fd
		if fd == l.wakeFd && ev.Token.Gen() == 0 {
			l.waker.drain()
			continue
		}
		if fd < 0 || fd >= len(l.slots) || !l.slots[fd].live || l.slots[fd].gen != ev.Token.Gen() {
			// The registration was removed (or the fd reused) by a
			// handler earlier in this batch: the event is not for the
			// current owner. If nothing changed it since the wait, the
			// kernel is watching something the loop is not: a ghost.
			if fd < 0 || fd >= len(l.slots) || l.slots[fd].touched != l.batch {
				ghosts++
			}
			if l.Tracing() {
				l.emit(&TraceEvent{Kind: KindStaleDropped, Fd: int32(fd), Ready: ev.Ready})
			}
			continue
		}
		s := &l.slots[fd]
		r := ev.Ready & s.in.readyMask()
		if r == 0 {
			continue // interest changed earlier in this batch
		}
		l.counters.events.Add(1)
		h, label, gen := s.h, s.label, s.gen
		if subs := l.subscribers(); subs != nil {
			// Hand the events over before the handler runs: if it
			// blocks the loop, the screen can already name it. The
			// trace says Invalid (POLLNVAL) where the handler hears Err.
			l.emitHandler(subs, KindReady, int32(fd), r|ev.Ready&Invalid, label, 0, now|1, true)
		}
		t0 := now
		l.runHandler(h, fd, r, label)
		now = l.since()
		d := time.Duration(now - t0)
		if subs := l.subscribers(); subs != nil { // the handler may have subscribed
			l.emitHandler(subs, KindDispatch, int32(fd), r, label, d, now|1, false)
		}
		if d > l.cfg.StallThreshold {
			if label == "" {
				label = funcName(h)
			}
			l.stall(label, d, fd)
		}
		if ev.Ready&Invalid != 0 {
			l.dropInvalid(fd, gen)
		}
	}
	return now, ghosts
}

// dropInvalid ends a registration whose fd the kernel says is not open
// (poll's POLLNVAL, select's EBADF) if its handler, told Err, did not end
// it itself: reported on every pass, it would make the loop spin.
func (l *Loop) dropInvalid(fd int, gen uint32) {
	s := &l.slots[fd]
	if !s.live || s.gen != gen {
		return
	}
	r := Registration{l: l, fd: fd, gen: gen}
	r.end(s)
	l.counters.ctl.Add(1)
	l.poller.Deregister(fd)
	l.report(fd, s.label, "fd %d was closed while registered: the loop stopped watching it (deregister before close)", fd)
}

// readyMask is the set of Ready bits a registration wants delivered:
// nothing while parked; otherwise the closed bits and error always, in and
// out only when asked for.
func (i Interest) readyMask() Ready {
	if parked(i) {
		return 0
	}
	m := HangUp | Err
	if i&Readable != 0 {
		m |= In
	}
	if i&Writable != 0 {
		m |= Out
	}
	return m
}

func (l *Loop) runHandler(h Handler, fd int, r Ready, label string) {
	defer func() {
		if p := recover(); p != nil {
			l.recovered(p, label, h)
		}
	}()
	h(fd, r)
}

// call runs fn with panic recovery and stall timing.
func (l *Loop) call(fn func(), label string) {
	t0 := l.since()
	l.runCall(fn, label)
	if d := time.Duration(l.since() - t0); d > l.cfg.StallThreshold {
		if label == "" {
			label = funcName(fn)
		}
		l.stall(label, d, -1)
	}
}

func (l *Loop) runCall(fn func(), label string) {
	defer func() {
		if p := recover(); p != nil {
			l.recovered(p, label, fn)
		}
	}()
	fn()
}

func (l *Loop) recovered(p any, label string, fn any) {
	l.counters.panics.Add(1)
	if label == "" {
		label = funcName(fn)
	}
	text := fmt.Sprintf("panic: %v\n\n%s", p, debug.Stack())
	l.logf("reactor: recovered panic in %s: %s\n", label, text)
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindPanic, Label: label, Text: text})
	}
}

func (l *Loop) stall(label string, d time.Duration, fd int) {
	l.counters.stalls.Add(1)
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindStall, Fd: int32(fd), Label: label, Dur: d})
	}
}

// funcName names a func value for stall and panic reports.
func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "?"
	}
	if f := runtime.FuncForPC(v.Pointer()); f != nil {
		return f.Name()
	}
	return "?"
}
