package record

import (
	"sync"

	"github.com/reactorlab/reactorlab/deferred"
)

// ObserveDeferred records a Deferred event in full; install it with
// deferred.Observe (or a Binding's Observe) for the Deferreds of the
// recorded loop. It runs on the loop goroutine, as observers do.
//
// The event's place among the loop's events is kept exactly: the full
// event waits in a small queue and its trace line (KindDeferred, as
// deferred.TraceTo writes it) goes into the loop's trace, so it lands in
// the recorder's ring in order; the writer pairs each line it drains with
// the next queued event. If the ring drops the line, the queued event is
// withdrawn (the ring counts the loss); if the queue is full, both are
// dropped and counted in the next gap. Use it instead of TraceTo on a
// recorded loop, not beside it: a KindDeferred line the recorder did not
// queue is kept as a plain event.
func (r *Recorder) ObserveDeferred(ev deferred.TraceEvent) {
	if r.closed.Load() {
		return
	}
	if !r.tap.push(ev) {
		return
	}
	before := r.sub.Dropped()
	r.loop.Trace(chainLine(&ev, 0))
	if r.sub.Dropped() != before {
		r.tap.unpush()
	}
}

// chainQueue bounds the Deferred events waiting for the writer: more than
// a drain interval's worth on any lesson.
const chainQueue = 1024

// chainTap is the queue of full Deferred events between the loop
// goroutine (push) and the writer (pop).
type chainTap struct {
	mu         sync.Mutex
	q          [chainQueue]deferred.TraceEvent
	head, size int
	lost       uint64
}

func (t *chainTap) push(ev deferred.TraceEvent) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.size == len(t.q) {
		t.lost++
		return false
	}
	t.q[(t.head+t.size)%len(t.q)] = ev
	t.size++
	return true
}

// unpush withdraws the newest event: its trace line never made it.
func (t *chainTap) unpush() {
	t.mu.Lock()
	t.size--
	t.q[(t.head+t.size)%len(t.q)] = deferred.TraceEvent{}
	t.mu.Unlock()
}

func (t *chainTap) pop() (deferred.TraceEvent, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.size == 0 {
		return deferred.TraceEvent{}, false
	}
	ev := t.q[t.head]
	t.q[t.head] = deferred.TraceEvent{}
	t.head = (t.head + 1) % len(t.q)
	t.size--
	return ev, true
}

func (t *chainTap) takeLost() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.lost
	t.lost = 0
	return n
}
