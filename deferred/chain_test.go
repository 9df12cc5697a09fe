package deferred

import (
	"errors"
	"testing"
)

// A step returning an unfired Deferred pauses the outer chain until the inner one fires.
func TestReturnedUnfiredDeferredPausesOuter(t *testing.T) {
	inner := New(nil)
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil }).AddCallback(add(10))
	noResult(t, outer)
	if outer.ChainedTo() != inner || outer.Paused() != 1 {
		t.Fatalf("ChainedTo() = %v, Paused() = %d; want inner, 1", outer.ChainedTo(), outer.Paused())
	}
	inner.Callback(5)
	if got := resultOf(t, outer); got != 15 {
		t.Fatalf("outer result = %v; want 15", got)
	}
	if outer.ChainedTo() != nil {
		t.Fatalf("ChainedTo() = %v after resuming; want nil", outer.ChainedTo())
	}
}

// The inner Deferred gives its result away: afterwards it holds nil, as in Twisted.
func TestInnerResultIsHandedOver(t *testing.T) {
	inner := New(nil)
	Succeed(1).AddCallback(func(any) (any, error) { return inner, nil })
	inner.Callback(5)
	if got := resultOf(t, inner); got != nil {
		t.Fatalf("inner result after hand-over = %v; want nil", got)
	}
}

// An already-fired inner Deferred's result is taken at once.
func TestReturnedFiredDeferredTakenAtOnce(t *testing.T) {
	d := Succeed(1).AddCallback(func(any) (any, error) { return Succeed(41), nil }).AddCallback(add(1))
	if got := resultOf(t, d); got != 42 {
		t.Fatalf("result = %v; want 42", got)
	}
}

// An inner failure continues down the outer chain's errback track.
func TestInnerFailureFlowsToOuterErrback(t *testing.T) {
	inner := New(nil)
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil })
	inner.Errback(errBoom)
	failureOf(t, outer, errBoom)
}

// Steps added to the inner Deferred before the outer chained to it run first.
func TestInnerOwnStepsRunBeforeHandOver(t *testing.T) {
	inner := New(nil).AddCallback(add(100))
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil })
	inner.Callback(1)
	if got := resultOf(t, outer); got != 101 {
		t.Fatalf("outer result = %v; want 101", got)
	}
}

// A step returning its own Deferred fails with ErrChainedToSelf instead of hanging.
func TestChainedToSelfFails(t *testing.T) {
	d := New(nil)
	d.AddCallback(func(any) (any, error) { return d, nil })
	d.Callback(1)
	failureOf(t, d, ErrChainedToSelf)
}

// A paused inner Deferred counts as not fired: the outer waits for its Unpause.
func TestPausedInnerIsWaitedOn(t *testing.T) {
	inner := Succeed(3)
	inner.Pause()
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil })
	noResult(t, outer)
	inner.Unpause()
	if got := resultOf(t, outer); got != 3 {
		t.Fatalf("outer result = %v; want 3", got)
	}
}

// A chain of 1,000,000 steps runs without growing the stack.
func TestDeepChainOfSteps(t *testing.T) {
	const n = 1_000_000
	d := New(nil)
	inc := add(1)
	for range n {
		d.AddCallback(inc)
	}
	d.Callback(0)
	if got := resultOf(t, d); got != n {
		t.Fatalf("result = %v; want %d", got, n)
	}
}

// 100,000 Deferreds each waiting on the next unwind iteratively when the innermost fires.
func TestDeepNestedUnfiredDeferreds(t *testing.T) {
	const n = 100_000
	ds := make([]*Deferred, n+1)
	for i := range ds {
		ds[i] = New(nil)
	}
	for i := range n {
		next := ds[i+1]
		ds[i].AddCallback(func(any) (any, error) { return next, nil })
		ds[i].AddCallback(add(1))
	}
	for i := range n {
		ds[i].Callback(0) // now waits on ds[i+1]
	}
	ds[n].Callback(0)
	if got := resultOf(t, ds[0]); got != n {
		t.Fatalf("outermost result = %v; want %d", got, n)
	}
}

// 100,000 nested steps that each return an already-fired Deferred stay flat too.
func TestDeepNestedFiredDeferreds(t *testing.T) {
	const n = 100_000
	d := New(nil)
	for range n {
		d.AddCallback(func(v any) (any, error) { return Succeed(v.(int) + 1), nil })
	}
	d.Callback(0)
	if got := resultOf(t, d); got != n {
		t.Fatalf("result = %v; want %d", got, n)
	}
}

// Cancel without a canceller errbacks with ErrCancelled and eats the one late Callback.
func TestCancelWithoutCanceller(t *testing.T) {
	d := New(nil)
	d.Cancel()
	f := failureOf(t, d, ErrCancelled)
	if !errors.Is(f, ErrCancelled) {
		t.Fatalf("errors.Is(f, ErrCancelled) = false; want true")
	}
	d.Callback("late") // suppressed, no panic
	if err := catchPanic(func() { d.Callback("later") }); !errors.Is(err, ErrAlreadyCalled) {
		t.Fatalf("second late Callback panicked with %v; want ErrAlreadyCalled", err)
	}
}

// Cancel calls the canceller; if it did not fire the Deferred, Cancel errbacks with ErrCancelled.
func TestCancelCallsCanceller(t *testing.T) {
	calls := 0
	d := New(func(*Deferred) { calls++ })
	d.Cancel()
	failureOf(t, d, ErrCancelled)
	if calls != 1 {
		t.Fatalf("canceller calls = %d; want 1", calls)
	}
}

// A canceller that fires the Deferred decides the result.
func TestCancellerThatFiresWins(t *testing.T) {
	d := New(func(d *Deferred) { d.Callback("stopped cleanly") })
	d.Cancel()
	if got := resultOf(t, d); got != "stopped cleanly" {
		t.Fatalf("result = %v; want stopped cleanly", got)
	}
}

// Cancel is idempotent and does nothing to a fired Deferred.
func TestCancelIdempotent(t *testing.T) {
	calls := 0
	d := New(func(*Deferred) { calls++ })
	d.Cancel()
	d.Cancel()
	if calls != 1 {
		t.Fatalf("canceller calls = %d after two Cancel; want 1", calls)
	}
	failureOf(t, d, ErrCancelled)
	s := Succeed(1)
	s.Cancel()
	if got := resultOf(t, s); got != 1 {
		t.Fatalf("fired Deferred after Cancel = %v; want 1", got)
	}
}

// Cancelling a Deferred that waits on another forwards the cancel to the inner one.
func TestCancelForwardsToChained(t *testing.T) {
	innerCancelled := false
	inner := New(func(*Deferred) { innerCancelled = true })
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil })
	outer.Cancel()
	if !innerCancelled {
		t.Fatalf("inner canceller not called; want the cancel forwarded")
	}
	failureOf(t, outer, ErrCancelled)
}

// An extra Unpause cannot release a Deferred that waits on another (Twisted bug #12726).
func TestUnpauseDoesNotBreakChaining(t *testing.T) {
	inner := New(nil)
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil }).AddCallback(add(1))
	outer.Unpause()
	noResult(t, outer)
	inner.Callback(10)
	if got := resultOf(t, outer); got != 11 {
		t.Fatalf("result = %v; want 11", got)
	}
}

// A step returning a nil *Deferred fails the chain with ErrNilDeferred
// instead of crashing (defect 2), whether the Deferred had fired or not.
func TestStepReturningNilDeferredFails(t *testing.T) {
	nilStep := func(any) (any, error) { var d *Deferred; return d, nil }
	var fired, pending *Deferred
	if err := catchPanic(func() { fired = Succeed(1).AddCallback(nilStep) }); err != nil || fired == nil {
		t.Fatalf("AddCallback on a fired Deferred panicked: %v; want a failure on the chain", err)
	}
	failureOf(t, fired, ErrNilDeferred)
	pending = New(nil).AddCallback(nilStep)
	if err := catchPanic(func() { pending.Callback(1) }); err != nil {
		t.Fatalf("Callback panicked: %v; want a failure on the chain", err)
	}
	failureOf(t, pending, ErrNilDeferred)
}

// ChainDeferred hands the result to another Deferred and leaves nil behind.
func TestChainDeferred(t *testing.T) {
	a, b := New(nil), New(nil)
	a.ChainDeferred(b)
	a.Callback(3)
	if got := resultOf(t, b); got != 3 {
		t.Fatalf("other = %v; want 3", got)
	}
	if got := resultOf(t, a); got != nil {
		t.Fatalf("d after ChainDeferred = %v; want nil", got)
	}
	c, e := New(nil), New(nil)
	c.ChainDeferred(e)
	c.Errback(errBoom)
	failureOf(t, e, errBoom)
	if got := resultOf(t, c); got != nil {
		t.Fatalf("d after handing on its failure = %v; want nil (handled)", got)
	}
	failureOf(t, Succeed(1).ChainDeferred(Succeed(2)), ErrAlreadyCalled)
}
