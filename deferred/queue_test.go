package deferred

import (
	"errors"
	"testing"
)

// Values and Gets meet in FIFO order, whichever comes first.
func TestDeferredQueueOrder(t *testing.T) {
	q := NewDeferredQueue(Unbounded, Unbounded)
	g1, g2 := q.Get(), q.Get()
	if err := q.Put("a"); err != nil {
		t.Fatal(err)
	}
	if got := resultOf(t, g1); got != "a" {
		t.Fatalf("first Get = %v; want a", got)
	}
	noResult(t, g2)
	q.Put("b")
	q.Put("c")
	if got := resultOf(t, g2); got != "b" || q.Len() != 1 {
		t.Fatalf("second Get = %v, Len() = %d; want b, 1", got, q.Len())
	}
	if got := resultOf(t, q.Get()); got != "c" {
		t.Fatalf("third Get = %v; want c", got)
	}
}

// A full queue refuses Put; too many waiting Gets fail with ErrQueueUnderflow.
func TestDeferredQueueLimits(t *testing.T) {
	q := NewDeferredQueue(1, 1)
	if err := q.Put(1); err != nil {
		t.Fatal(err)
	}
	if err := q.Put(2); !errors.Is(err, ErrQueueOverflow) {
		t.Fatalf("Put on a full queue = %v; want ErrQueueOverflow", err)
	}
	resultOf(t, q.Get())
	q.Get() // waits
	failureOf(t, q.Get(), ErrQueueUnderflow)
	zero := NewDeferredQueue(0, Unbounded)
	if err := zero.Put(1); !errors.Is(err, ErrQueueOverflow) {
		t.Fatalf("Put on a size-0 queue with no Get = %v; want ErrQueueOverflow", err)
	}
}

// Cancelling a waiting Get takes it out of the line: no value is lost to it.
func TestDeferredQueueCancelGet(t *testing.T) {
	q := NewDeferredQueue(Unbounded, Unbounded)
	cancelled, next := q.Get(), q.Get()
	cancelled.Cancel()
	failureOf(t, cancelled, ErrCancelled)
	q.Put("v")
	if got := resultOf(t, next); got != "v" || q.Waiting() != 0 {
		t.Fatalf("Get after a cancelled one = %v, Waiting() = %d; want v, 0", got, q.Waiting())
	}
}
