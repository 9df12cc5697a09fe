package deferred

import (
	"errors"
	"sync"
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
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*job
	max     int
	workers int // goroutines started (they stay until Close)
	busy    int // workers running a function now
	closed  bool
}

type job struct {
	fn   func() (any, error)
	loop Loop
	d    *Deferred
}

// PoolStats is a snapshot of a Pool.
type PoolStats struct {
	Max     int // worker limit
	Workers int // worker goroutines started so far
	Busy    int // workers running a function
	Queued  int // functions waiting for a free worker
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
	return DefaultPool().defer1(loop, fn, 2)
}

// Defer is DeferToGoroutine on this pool. Cancelling the Deferred while fn
// is still queued removes it from the queue; a running fn cannot be stopped,
// and its late result is dropped.
func (p *Pool) Defer(loop Loop, fn func() (any, error)) *Deferred {
	return p.defer1(loop, fn, 2)
}

func (p *Pool) defer1(loop Loop, fn func() (any, error), skip int) *Deferred {
	j := &job{fn: fn, loop: loop}
	j.d = newDeferred(bindingOf(loop), func(*Deferred) { p.unqueue(j) }, skip)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		j.d.Errback(ErrPoolClosed)
		return j.d
	}
	p.queue = append(p.queue, j)
	if p.workers-p.busy < len(p.queue) && p.workers < p.max {
		p.workers++
		go p.work()
	} else {
		p.cond.Signal()
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
			return
		}
	}
}

func (p *Pool) work() {
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
		p.mu.Unlock()

		res := call0(j.fn, j.d.dbg != nil) // a panic becomes a *Failure here, not a crash
		d := j.d
		j.loop.CallFromGoroutine(func() {
			if d.called { // cancelled meanwhile: drop the late result
				return
			}
			d.start(fromGoroutine(res))
		})

		p.mu.Lock()
		p.busy--
	}
}

// Stats returns a snapshot of the pool; safe from any goroutine.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Max: p.max, Workers: p.workers, Busy: p.busy, Queued: len(p.queue)}
}

// Close stops the workers once the queue has drained; later submissions fail
// with ErrPoolClosed. Close does not wait.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}
