package deferred

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"time"
)

// Cancellable is a scheduled call that can be called off. *reactor.Timer
// satisfies it.
type Cancellable interface{ Cancel() }

// Clock schedules calls in time (Twisted's IReactorTime). The reactor's loop
// implements it (see LoopClock); FakeClock is a deterministic one for tests.
// CallLater's fn runs on the clock's goroutine (the loop goroutine).
type Clock interface {
	CallLater(d time.Duration, fn func()) Cancellable
	Now() time.Time
}

// Loop is a Clock that can also accept work from other goroutines; it is all
// DeferToGoroutine needs. CallFromGoroutine is safe from any goroutine and
// runs fn on the loop goroutine soon.
type Loop interface {
	Clock
	CallFromGoroutine(fn func())
}

// DeferLater returns a Deferred that fires after d on clock with the result of
// fn (nil fn: fires with nil). Cancelling it before then cancels the timer
// and errbacks with ErrCancelled (Twisted's task.deferLater).
func DeferLater(clock Clock, d time.Duration, fn func() (any, error)) *Deferred {
	var timer Cancellable
	dl := newDeferred(bindingOf(clock), func(*Deferred) { timer.Cancel() }, 1)
	if fn != nil {
		dl.AddCallback(func(any) (any, error) { return fn() })
	}
	timer = clock.CallLater(d, func() { dl.Callback(nil) })
	return dl
}

// FakeClock is a Clock whose time moves only when Advance or Pump is called
// (Twisted's task.Clock). Scheduled calls run inside Advance, on the
// goroutine calling it, in time order (ties in scheduling order), so a test
// or an exercise that uses it is deterministic. Its methods are safe from
// any goroutine; the calls themselves run without its lock held, so they
// may schedule, reset or cancel calls.
type FakeClock struct {
	mu    sync.Mutex
	now   time.Time
	seq   uint64
	calls []*DelayedCall // pending, sorted by (when, seq)
}

// DelayedCall is a call scheduled on a FakeClock (Twisted's DelayedCall):
// it can be cancelled, moved, and asked about. FakeClock.CallLater returns
// one as a Cancellable; FakeClock.Schedule returns it as itself.
type DelayedCall struct {
	clock *FakeClock
	when  time.Time
	seq   uint64
	fn    func()
	state callState
}

type callState uint8

const (
	callPending callState = iota
	callRan
	callCancelled
)

// ErrCallCancelled and ErrCallRan are the errors of Reset and Delay on a
// DelayedCall that is no longer pending (Twisted's AlreadyCancelled and
// AlreadyCalled).
var (
	ErrCallCancelled = errors.New("deferred: the delayed call was cancelled")
	ErrCallRan       = errors.New("deferred: the delayed call has run")
)

// NewFakeClock returns a FakeClock reading start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// CallLater schedules fn to run once time has moved d past now. The
// Cancellable it returns is a *DelayedCall; Schedule returns one typed.
func (c *FakeClock) CallLater(d time.Duration, fn func()) Cancellable {
	return c.Schedule(d, fn)
}

// Schedule is CallLater returning the *DelayedCall, to Reset, Delay or
// inspect it.
func (c *FakeClock) Schedule(d time.Duration, fn func()) *DelayedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	call := &DelayedCall{clock: c, when: c.now.Add(d), seq: c.seq, fn: fn}
	c.insert(call)
	return call
}

// insert puts call in its place in the sorted list; c.mu is held.
func (c *FakeClock) insert(call *DelayedCall) {
	i, _ := slices.BinarySearchFunc(c.calls, call, func(x, call *DelayedCall) int {
		if x.when.Equal(call.when) {
			return cmp.Compare(x.seq, call.seq)
		}
		return x.when.Compare(call.when)
	})
	c.calls = slices.Insert(c.calls, i, call)
}

// remove takes call out of the list; c.mu is held.
func (c *FakeClock) remove(call *DelayedCall) {
	if i := slices.Index(c.calls, call); i >= 0 {
		c.calls = slices.Delete(c.calls, i, i+1)
	}
}

// Advance moves time forward by d and runs every call that has come due,
// including calls scheduled by those calls if they are due too.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	for len(c.calls) > 0 && !c.calls[0].when.After(c.now) {
		call := c.calls[0]
		c.calls = slices.Delete(c.calls, 0, 1)
		call.state = callRan
		c.mu.Unlock()
		call.fn()
		c.mu.Lock()
	}
	c.mu.Unlock()
}

// Pump advances the clock by each of steps in turn, running what comes due
// after each, as Twisted's Clock.pump does: Pump(time.Second, time.Second)
// is two Advance calls.
func (c *FakeClock) Pump(steps ...time.Duration) {
	for _, d := range steps {
		c.Advance(d)
	}
}

// Pending returns the number of scheduled calls that have not run or been
// cancelled. A test that ends with Pending() > 0 left a timer behind.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// Calls returns the pending calls in the order they will run (Twisted's
// getDelayedCalls), for a test to inspect or a lesson to draw.
func (c *FakeClock) Calls() []*DelayedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// Cancel removes the call; cancelling a call that ran or was cancelled does
// nothing.
func (dc *DelayedCall) Cancel() {
	c := dc.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	if dc.state == callPending {
		dc.state = callCancelled
		c.remove(dc)
	}
}

// Reset moves the call to d from the clock's current time. It returns
// ErrCallRan or ErrCallCancelled if the call is no longer pending.
func (dc *DelayedCall) Reset(d time.Duration) error {
	return dc.move(func(time.Time) time.Time { return dc.clock.now.Add(d) })
}

// Delay moves the call d later than it was due (earlier for d < 0). It
// returns ErrCallRan or ErrCallCancelled if the call is no longer pending.
func (dc *DelayedCall) Delay(d time.Duration) error {
	return dc.move(func(when time.Time) time.Time { return when.Add(d) })
}

func (dc *DelayedCall) move(to func(time.Time) time.Time) error {
	c := dc.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	switch dc.state {
	case callRan:
		return ErrCallRan
	case callCancelled:
		return ErrCallCancelled
	}
	c.remove(dc)
	dc.when = to(dc.when)
	c.insert(dc)
	return nil
}

// Active reports whether the call is still pending: neither run nor cancelled.
func (dc *DelayedCall) Active() bool { return dc.is(callPending) }

// Ran reports whether the call has run.
func (dc *DelayedCall) Ran() bool { return dc.is(callRan) }

// Cancelled reports whether the call was cancelled before it ran.
func (dc *DelayedCall) Cancelled() bool { return dc.is(callCancelled) }

func (dc *DelayedCall) is(s callState) bool {
	dc.clock.mu.Lock()
	defer dc.clock.mu.Unlock()
	return dc.state == s
}

// Time returns when the call is due.
func (dc *DelayedCall) Time() time.Time {
	dc.clock.mu.Lock()
	defer dc.clock.mu.Unlock()
	return dc.when
}
