package deferred

import (
	"errors"
	"sync"
	"time"
)

// DefaultPoolSize is the number of workers of the default pool, as in
// Twisted's reactor thread pool.
const DefaultPoolSize = 10

// ErrPoolClosed is the failure of work submitted to a closed Pool.
var ErrPoolClosed = errors.New("deferred: pool closed")

// Pool runs blocking functions on a bounded set of worker goroutines and
// delivers their results back to a loop as Deferreds (Twisted's ThreadPool
// plus deferToThreadPool). Work beyond the worker count waits in an unbounded
// FIFO queue — which is exactly how a pool gets "wedged" when queued work
// waits for other queued work.
type Pool struct {
	mu        sync.Mutex
	cond      *sync.Cond
	queue     []*job
	max       int
	workers   int // goroutines started (they stay until Close)
	busy      int // workers running a function now
	returning int // results handed to their loop, not delivered yet
	jobs      uint64
	closed    bool
	obs       observers[PoolEvent]
}

type job struct {
	fn    func() (any, error)
	loop  Loop
	d     *Deferred
	id    uint64
	label string
	// stamp is when the job reached its current stage (queued, started,
	// handed back), taken only while someone observes the pool: each
	// event's Dur is the time since the previous one. Zero when unobserved.
	stamp time.Time
}

// PoolStats is a snapshot of a Pool.
type PoolStats struct {
	Max       int // worker limit
	Workers   int // worker goroutines started so far
	Busy      int // workers running a function
	Queued    int // functions waiting for a free worker
	Returning int // results handed back to their loop that it has not delivered yet
}

// NewPool returns a pool of at most workers goroutines (started on demand).
func NewPool(workers int) *Pool {
	if workers < 1 {
		workers = 1
	}
	p := &Pool{max: workers}
	p.cond = sync.NewCond(&p.mu)
	return p
}

var (
	defaultPoolOnce sync.Once
	defaultPool     *Pool
)

// DefaultPool returns the shared pool of DefaultPoolSize workers used by
// DeferToGoroutine.
func DefaultPool() *Pool {
	defaultPoolOnce.Do(func() { defaultPool = NewPool(DefaultPoolSize) })
	return defaultPool
}

// DeferToGoroutine runs fn on the default pool and returns a Deferred that
// fires, on the loop goroutine, with fn's result (Twisted's deferToThread).
// Call it on the loop goroutine. fn must not touch the Deferred or anything
// else owned by the loop: a Deferred is not safe for concurrent use, which is
// why the result travels back through loop.CallFromGoroutine.
//
// This is the honest way to stop blocking code from blocking the loop:
// wrapping it in a Deferred does not help, running it elsewhere does.
func DeferToGoroutine(loop Loop, fn func() (any, error)) *Deferred {
	return DefaultPool().defer1(loop, "", fn, 2)
}

// Defer is DeferToGoroutine on this pool. Cancelling the Deferred while fn
// is still queued removes it from the queue; a running fn cannot be stopped,
// and its late result is dropped.
func (p *Pool) Defer(loop Loop, fn func() (any, error)) *Deferred {
	return p.defer1(loop, "", fn, 2)
}

// DeferLabel is Defer with a label: the Deferred gets it (SetLabel), and
// the pool's events name the job by it, so a pane can say what each worker
// is running ("report 17").
func (p *Pool) DeferLabel(loop Loop, label string, fn func() (any, error)) *Deferred {
	return p.defer1(loop, label, fn, 2)
}

func (p *Pool) defer1(loop Loop, label string, fn func() (any, error), skip int) *Deferred {
	j := &job{fn: fn, loop: loop, label: label}
	j.d = newDeferred(bindingOf(loop), func(*Deferred) { p.unqueue(j) }, skip)
	if label != "" {
		j.d.SetLabel(label)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		j.d.Errback(ErrPoolClosed)
		return j.d
	}
	p.jobs++
	j.id = p.jobs
	p.queue = append(p.queue, j)
	if p.workers-p.busy < len(p.queue) && p.workers < p.max {
		p.workers++
		go p.work(p.workers)
	} else {
		p.cond.Signal()
	}
	if p.obs.listening() {
		j.stamp = p.stage(j, PoolQueued, 0, false)
	}
	p.mu.Unlock()
	return j.d
}

// unqueue removes a cancelled job that has not started (on the loop goroutine).
func (p *Pool) unqueue(j *job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.queue {
		if x == j {
			p.queue = append(p.queue[:i], p.queue[i+1:]...)
			if p.obs.listening() {
				p.stage(j, PoolDropped, 0, false)
			}
			return
		}
	}
}

// work is worker number w (from 1).
func (p *Pool) work(w int) {
	p.mu.Lock()
	for {
		for len(p.queue) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.queue) == 0 { // closed and drained
			p.workers--
			p.mu.Unlock()
			return
		}
		j := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.busy++
		if p.obs.listening() {
			j.stamp = p.stage(j, PoolStarted, w, false)
		}
		p.mu.Unlock()

		res := call0(j.fn, j.d.dbg != nil) // a panic becomes a *Failure here, not a crash

		p.mu.Lock()
		p.busy--
		p.returning++
		if p.obs.listening() {
			_, failed := res.(*Failure)
			j.stamp = p.stage(j, PoolReturned, w, failed)
		}
		p.mu.Unlock()
		j.loop.CallFromGoroutine(func() { p.deliver(j, res) })
		p.mu.Lock()
	}
}

// deliver fires j's Deferred with the result its worker handed back; it
// runs on the loop goroutine, whenever the loop gets to it.
func (p *Pool) deliver(j *job, res any) {
	d := j.d
	p.mu.Lock()
	p.returning--
	if p.obs.listening() {
		_, failed := res.(*Failure)
		kind := PoolDelivered
		if d.called { // cancelled meanwhile: the late result is dropped
			kind = PoolDropped
		}
		p.stage(j, kind, 0, failed)
	}
	p.mu.Unlock()
	if d.called {
		return
	}
	d.start(fromGoroutine(res))
}

// Stats returns a snapshot of the pool; safe from any goroutine.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats()
}

func (p *Pool) stats() PoolStats {
	return PoolStats{Max: p.max, Workers: p.workers, Busy: p.busy, Queued: len(p.queue), Returning: p.returning}
}

// Close stops the workers once the queue has drained; later submissions fail
// with ErrPoolClosed. Close does not wait.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// PoolEventKind says what happened to a job in a Pool.
type PoolEventKind uint8

// The pool's events, in the order a job meets them. The fields each one
// fills are listed beside it; Job, Label, At and Stats are always set.
const (
	PoolQueued    PoolEventKind = iota + 1 // Defer took the function; it waits for a worker
	PoolStarted                            // a worker took it: Worker, Dur = time it waited in the queue
	PoolReturned                           // it returned on its worker and the result is handed to the loop: Worker, Dur = run time, Failed
	PoolDelivered                          // the loop fired the Deferred with it: Dur = time between the hand-back and now, Failed
	PoolDropped                            // cancelled: taken off the queue before it ran (Dur = time queued), or its late result dropped (Dur as Delivered)
)

var poolEventNames = [...]string{"?", "queued", "started", "returned", "delivered", "dropped"}

// String returns a short lower-case name such as "started".
func (k PoolEventKind) String() string {
	if int(k) < len(poolEventNames) {
		return poolEventNames[k]
	}
	return "?"
}

// PoolEvent is one step of a job through a Pool: what a pane needs to draw
// the workers, the queue and the results on their way back to the loop.
type PoolEvent struct {
	Kind   PoolEventKind
	Job    uint64 // the job's number in its pool, from 1
	Label  string // DeferLabel's label ("" for Defer)
	Worker int    // PoolStarted, PoolReturned: the worker, from 1 to Max
	At     time.Time
	Dur    time.Duration
	Failed bool      // PoolReturned, PoolDelivered, PoolDropped: the result is a failure
	Stats  PoolStats // the pool just after the event
}

// Observe registers fn to receive the pool's events and returns a function
// that removes it. fn is called on the goroutine where the event happens —
// the loop's for PoolQueued and PoolDelivered, a worker's for PoolStarted
// and PoolReturned — with the pool's lock held, so events arrive in the
// order they happened and each one's Stats is exact: fn must be quick
// (append to a buffer) and must not call the pool. While nobody observes,
// no event is built, no clock is read and nothing is allocated.
func (p *Pool) Observe(fn func(PoolEvent)) (cancel func()) {
	return p.obs.add(nil, fn)
}

// emit builds one event and hands it to the observers; p.mu is held.
func (p *Pool) emit(kind PoolEventKind, j *job, worker int, d time.Duration, failed bool, at time.Time) {
	p.obs.emit(PoolEvent{Kind: kind, Job: j.id, Label: j.label, Worker: worker, At: at, Dur: d, Failed: failed, Stats: p.stats()})
}

// stage emits the event of j reaching its next stage, timed from the
// previous one, and returns the time it happened; p.mu is held.
func (p *Pool) stage(j *job, kind PoolEventKind, worker int, failed bool) time.Time {
	now := time.Now()
	p.emit(kind, j, worker, since(j.stamp, now), failed, now)
	return now
}

// since is now-t, or 0 when t was not stamped (the observer came later).
func since(t, now time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return now.Sub(t)
}
