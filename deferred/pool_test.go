package deferred

import (
	"sync"
	"testing"
)

// fakeLoop is a Loop whose CallFromGoroutine hands functions to the test
// goroutine through a channel, like a reactor's wake-up queue.
type fakeLoop struct {
	*FakeClock
	calls chan func()
}

func newFakeLoop() *fakeLoop {
	return &fakeLoop{FakeClock: NewFakeClock(epoch), calls: make(chan func(), 64)}
}

func (l *fakeLoop) CallFromGoroutine(fn func()) { l.calls <- fn }

// runOne runs the next function sent back by a worker (blocks until one arrives).
func (l *fakeLoop) runOne() { (<-l.calls)() }

// DeferToGoroutine runs fn elsewhere and fires the Deferred back on the loop goroutine.
func TestDeferToGoroutine(t *testing.T) {
	loop := newFakeLoop()
	const n = 25
	results := make([]*Deferred, n)
	for i := range n {
		results[i] = DeferToGoroutine(loop, func() (any, error) { return i * i, nil })
	}
	for range n {
		loop.runOne()
	}
	for i, d := range results {
		if got := resultOf(t, d); got != i*i {
			t.Fatalf("result %d = %v; want %d", i, got, i*i)
		}
	}
}

// Errors and panics on a worker come back as failures, not crashes.
func TestDeferToGoroutineFailures(t *testing.T) {
	loop := newFakeLoop()
	e := DeferToGoroutine(loop, func() (any, error) { return nil, errBoom })
	p := DeferToGoroutine(loop, func() (any, error) { panic(errOther) })
	loop.runOne()
	loop.runOne()
	failureOf(t, e, errBoom)
	if f := failureOf(t, p, errOther); !f.Panicked() {
		t.Fatalf("Panicked() = false; want true")
	}
}

// The pool never runs more than its worker count at once; the rest queue, observably.
func TestPoolBoundAndStats(t *testing.T) {
	loop := newFakeLoop()
	p := NewPool(2)
	defer p.Close()
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	ds := make([]*Deferred, 4)
	for i := range ds {
		ds[i] = p.Defer(loop, func() (any, error) { started <- struct{}{}; <-release; return i, nil })
	}
	<-started
	<-started
	if st := p.Stats(); st.Busy != 2 || st.Queued != 2 || st.Workers != 2 || st.Max != 2 {
		t.Fatalf("Stats() = %+v; want 2 busy, 2 queued, 2 workers, max 2", st)
	}
	close(release)
	for range ds {
		loop.runOne()
	}
	for i, d := range ds {
		if got := resultOf(t, d); got != i {
			t.Fatalf("result %d = %v; want %d", i, got, i)
		}
	}
}

// Cancelling work that is still queued removes it; it never runs.
func TestPoolCancelQueued(t *testing.T) {
	loop := newFakeLoop()
	p := NewPool(1)
	defer p.Close()
	release := make(chan struct{})
	started := make(chan struct{})
	busy := p.Defer(loop, func() (any, error) { close(started); <-release; return "busy", nil })
	<-started
	var mu sync.Mutex
	ran := false
	queued := p.Defer(loop, func() (any, error) { mu.Lock(); ran = true; mu.Unlock(); return nil, nil })
	queued.Cancel()
	failureOf(t, queued, ErrCancelled)
	if st := p.Stats(); st.Queued != 0 {
		t.Fatalf("Stats().Queued = %d after cancel; want 0", st.Queued)
	}
	close(release)
	loop.runOne()
	resultOf(t, busy)
	p.Close()
	mu.Lock()
	defer mu.Unlock()
	if ran {
		t.Fatalf("cancelled queued function ran")
	}
}

// A running function cannot be stopped: Cancel errbacks now and its late result is dropped.
func TestPoolCancelRunning(t *testing.T) {
	loop := newFakeLoop()
	release := make(chan struct{})
	started := make(chan struct{})
	d := DeferToGoroutine(loop, func() (any, error) { close(started); <-release; return 1, nil })
	<-started
	d.Cancel()
	failureOf(t, d, ErrCancelled)
	close(release)
	loop.runOne() // must not panic with ErrAlreadyCalled
}

// A closed pool refuses new work with ErrPoolClosed.
func TestPoolClosed(t *testing.T) {
	p := NewPool(1)
	p.Close()
	failureOf(t, p.Defer(newFakeLoop(), func() (any, error) { return nil, nil }), ErrPoolClosed)
}
