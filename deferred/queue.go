package deferred

import "errors"

// ErrQueueOverflow is the error of Put on a DeferredQueue that holds its
// maximum of values with no Get waiting (Twisted's QueueOverflow).
var ErrQueueOverflow = errors.New("deferred: queue full")

// ErrQueueUnderflow is the failure of Get on an empty DeferredQueue that
// already has its maximum of Gets waiting (Twisted's QueueUnderflow).
var ErrQueueUnderflow = errors.New("deferred: too many Gets waiting on an empty queue")

// Unbounded, as a DeferredQueue's size or backlog, sets no limit.
const Unbounded = -1

// DeferredQueue is a FIFO queue whose Get returns a Deferred: it fires with
// the next value as soon as there is one. A Put hands its value straight to
// the oldest waiting Get, or keeps it for the next Get. It is the loop's
// answer to a channel: a producer and a consumer that are both callbacks,
// where a channel would need two goroutines. Use it on the loop goroutine
// only (see lock.go).
type DeferredQueue struct {
	pending       []any
	waiting       waitList
	size, backlog int
}

// NewDeferredQueue returns a queue that keeps at most size values and lets
// at most backlog Gets wait; Unbounded (or any negative number) sets no
// limit. A size of 0 keeps nothing: a Put succeeds only if a Get waits.
func NewDeferredQueue(size, backlog int) *DeferredQueue {
	return &DeferredQueue{size: size, backlog: backlog}
}

// Put adds v to the queue: it fires the oldest waiting Get with v, or keeps
// v if there is room, or returns ErrQueueOverflow and drops nothing.
func (q *DeferredQueue) Put(v any) error {
	if d := q.waiting.pop(); d != nil {
		d.Callback(v)
		return nil
	}
	if q.size >= 0 && len(q.pending) >= q.size {
		return ErrQueueOverflow
	}
	q.pending = append(q.pending, v)
	return nil
}

// Get returns a Deferred that fires with the next value: at once if the
// queue holds one, otherwise when a Put brings one. Cancelling it while it
// waits takes it out of the line (it fails with ErrCancelled) and no value
// is lost. With backlog Gets already waiting, it fails with
// ErrQueueUnderflow.
func (q *DeferredQueue) Get() *Deferred {
	if len(q.pending) > 0 {
		v := q.pending[0]
		q.pending[0] = nil
		q.pending = q.pending[1:]
		return succeedOn(nil, v)
	}
	if q.backlog >= 0 && len(q.waiting) >= q.backlog {
		return failOn(nil, ErrQueueUnderflow)
	}
	return q.waiting.wait()
}

// Len returns the number of values waiting for a Get.
func (q *DeferredQueue) Len() int { return len(q.pending) }

// Waiting returns the number of Gets waiting for a value.
func (q *DeferredQueue) Waiting() int { return len(q.waiting) }
