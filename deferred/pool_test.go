package deferred

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
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

// poolLog records a pool's events; safe from any goroutine.
type poolLog struct {
	mu  sync.Mutex
	evs []PoolEvent
}

func (l *poolLog) observe(ev PoolEvent) { l.mu.Lock(); l.evs = append(l.evs, ev); l.mu.Unlock() }

func (l *poolLog) kinds() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, ev := range l.evs {
		out = append(out, fmt.Sprintf("%s #%d %q w%d", ev.Kind, ev.Job, ev.Label, ev.Worker))
	}
	return out
}

func (l *poolLog) last() PoolEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.evs[len(l.evs)-1]
}

// A job's events tell its way through the pool: queued, started on a
// worker, returned (handed to the loop), delivered by the loop. Each
// carries the pool's state just after it, so a pane never needs Stats.
func TestPoolObserve(t *testing.T) {
	loop := newFakeLoop()
	p := NewPool(1)
	defer p.Close()
	var log poolLog
	stop := p.Observe(log.observe)
	release := make(chan struct{})
	d := p.DeferLabel(loop, "report 7", func() (any, error) { <-release; return "ok", nil })
	if d.Label() != "report 7" {
		t.Errorf("Label() = %q; want the job's label", d.Label())
	}
	waitUntil(t, "the job to start", func() bool { return p.Stats().Busy == 1 })
	if st := log.last().Stats; st.Busy != 1 || st.Queued != 0 || st.Workers != 1 {
		t.Errorf("Stats after start = %+v; want 1 busy, 0 queued, 1 worker", st)
	}
	close(release)
	waitUntil(t, "the result to be handed back", func() bool { return p.Stats().Returning == 1 })
	if st := log.last().Stats; st.Busy != 0 || st.Returning != 1 {
		t.Errorf("Stats after return = %+v; want 0 busy, 1 returning (the loop has not run yet)", st)
	}
	loop.runOne()
	if got := resultOf(t, d); got != "ok" {
		t.Errorf("result = %v; want ok", got)
	}
	want := []string{`queued #1 "report 7" w0`, `started #1 "report 7" w1`, `returned #1 "report 7" w1`, `delivered #1 "report 7" w0`}
	if got := log.kinds(); !slices.Equal(got, want) {
		t.Errorf("events = %q; want %q", got, want)
	}
	if st := log.last().Stats; st.Returning != 0 {
		t.Errorf("Stats after delivery = %+v; want nothing returning", st)
	}
	stop()
	p.Defer(loop, func() (any, error) { return nil, nil })
	loop.runOne()
	if n := len(log.kinds()); n != len(want) {
		t.Errorf("%d events after the observer was removed; want none", n-len(want))
	}
}

// Cancelled work shows as dropped: off the queue before it ran, or its
// late result thrown away by the loop. A failed function is marked.
func TestPoolObserveDropped(t *testing.T) {
	loop := newFakeLoop()
	p := NewPool(1)
	defer p.Close()
	var log poolLog
	defer p.Observe(log.observe)()
	release := make(chan struct{})
	running := p.DeferLabel(loop, "running", func() (any, error) { <-release; return nil, errBoom })
	waitUntil(t, "the first job to start", func() bool { return p.Stats().Busy == 1 })
	queued := p.DeferLabel(loop, "queued", func() (any, error) { return nil, nil })
	queued.Cancel()
	running.Cancel()
	close(release)
	loop.runOne()
	failureOf(t, queued, ErrCancelled)
	failureOf(t, running, ErrCancelled)
	want := []string{`queued #1 "running" w0`, `started #1 "running" w1`, `queued #2 "queued" w0`,
		`dropped #2 "queued" w0`, `returned #1 "running" w1`, `dropped #1 "running" w0`}
	if got := log.kinds(); !slices.Equal(got, want) {
		t.Errorf("events = %q; want %q", got, want)
	}
	if ev := log.last(); !ev.Failed {
		t.Errorf("late result of a failing job: Failed = false; want true")
	}
}

// Watching a pool costs nothing while nobody watches: an unobserved job
// allocates what it did before the pool had events (the job, its
// Deferred, the canceller, the closure that hands the result back, and
// the Deferred's first step block or result box).
func TestPoolUnobservedAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	loop := newFakeLoop()
	p := NewPool(1)
	defer p.Close()
	fn := func() (any, error) { return nil, nil }
	allocs := testing.AllocsPerRun(200, func() {
		p.Defer(loop, fn)
		loop.runOne()
	})
	if allocs > 5 {
		t.Errorf("an unobserved Defer round trip allocates %.1f times; want at most 5", allocs)
	}
}

// waitUntil polls cond until it holds or 10 s pass (a deadline, not a delay).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
