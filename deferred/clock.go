package deferred

import (
	"sort"
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

// FakeClock is a Clock whose time moves only when Advance is called
// (Twisted's task.Clock). Scheduled calls run inside Advance, on the
// goroutine calling it, in time order (ties in scheduling order).
type FakeClock struct {
	mu    sync.Mutex
	now   time.Time
	seq   uint64
	calls []*fakeCall // sorted by (when, seq)
}

type fakeCall struct {
	clock  *FakeClock
	when   time.Time
	seq    uint64
	fn     func()
	active bool
}

// NewFakeClock returns a FakeClock reading start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// CallLater schedules fn to run once Advance has moved time d past now.
func (c *FakeClock) CallLater(d time.Duration, fn func()) Cancellable {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	call := &fakeCall{clock: c, when: c.now.Add(d), seq: c.seq, fn: fn, active: true}
	i := sort.Search(len(c.calls), func(i int) bool {
		x := c.calls[i]
		return x.when.After(call.when) || (x.when.Equal(call.when) && x.seq > call.seq)
	})
	c.calls = append(c.calls, nil)
	copy(c.calls[i+1:], c.calls[i:])
	c.calls[i] = call
	return call
}

// Advance moves time forward by d and runs every call that has come due,
// including calls scheduled by those calls if they are due too.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	for len(c.calls) > 0 && !c.calls[0].when.After(c.now) {
		call := c.calls[0]
		c.calls = c.calls[1:]
		call.active = false
		c.mu.Unlock()
		call.fn()
		c.mu.Lock()
	}
	c.mu.Unlock()
}

// Pending returns the number of scheduled calls that have not run or been
// cancelled. A test that ends with Pending() > 0 left a timer behind.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// Cancel removes the call; cancelling a call that ran or was cancelled does
// nothing.
func (fc *fakeCall) Cancel() {
	c := fc.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	if !fc.active {
		return
	}
	fc.active = false
	for i, x := range c.calls {
		if x == fc {
			c.calls = append(c.calls[:i], c.calls[i+1:]...)
			break
		}
	}
}

// Active reports whether the call is still scheduled.
func (fc *fakeCall) Active() bool {
	fc.clock.mu.Lock()
	defer fc.clock.mu.Unlock()
	return fc.active
}

// DeferLater returns a Deferred that fires after d on clock with the result of
// fn (nil fn: fires with nil). Cancelling it before then cancels the timer
// and errbacks with ErrCancelled (Twisted's task.deferLater).
func DeferLater(clock Clock, d time.Duration, fn func() (any, error)) *Deferred {
	var timer Cancellable
	dl := newDeferred(func(*Deferred) { timer.Cancel() }, 1)
	if fn != nil {
		dl.AddCallback(func(any) (any, error) { return fn() })
	}
	timer = clock.CallLater(d, func() { dl.Callback(nil) })
	return dl
}
