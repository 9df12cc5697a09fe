package deferred

import (
	"errors"
	"testing"
	"time"
)

// AddTimeout errbacks with ErrTimeout once the time is up.
func TestAddTimeoutExpires(t *testing.T) {
	c := NewFakeClock(epoch)
	d := New(nil).AddTimeout(5*time.Second, c)
	c.Advance(5 * time.Second)
	f := failureOf(t, d, ErrTimeout)
	var te *TimeoutError
	if !errors.As(f, &te) || te.After != 5*time.Second {
		t.Fatalf("failure = %v; want *TimeoutError after 5s", f)
	}
	if errors.Is(f, ErrCancelled) {
		t.Fatalf("errors.Is(f, ErrCancelled) = true; want the cancel converted")
	}
	d.Callback("late") // the cancel had no canceller: one late firing is eaten
}

// The timeout covers only steps added before it: they see ErrCancelled, later ones ErrTimeout.
func TestAddTimeoutCoversEarlierSteps(t *testing.T) {
	c := NewFakeClock(epoch)
	var before error
	d := New(nil)
	d.AddErrback(func(f *Failure) (any, error) { before = f.Check(ErrCancelled, ErrTimeout); return nil, f })
	d.AddTimeout(time.Second, c)
	c.Advance(time.Second)
	failureOf(t, d, ErrTimeout)
	if before != ErrCancelled {
		t.Fatalf("step before AddTimeout saw %v; want ErrCancelled", before)
	}
}

// Firing in time cancels the timeout's timer and leaves the result alone.
func TestAddTimeoutCancelledOnFire(t *testing.T) {
	c := NewFakeClock(epoch)
	d := New(nil).AddTimeout(time.Second, c)
	d.Callback(1)
	if c.Pending() != 0 {
		t.Fatalf("Pending() = %d after firing; want the timer cancelled", c.Pending())
	}
	if got := resultOf(t, d); got != 1 {
		t.Fatalf("result = %v; want 1", got)
	}
}

// A timeout on a Deferred that waits on another cancels the inner one, and still reads ErrTimeout.
func TestAddTimeoutReachesChained(t *testing.T) {
	c := NewFakeClock(epoch)
	inner := New(nil)
	d := Succeed(0).AddCallback(func(any) (any, error) { return inner, nil }).AddTimeout(time.Second, c)
	c.Advance(time.Second)
	// The inner's ErrCancelled flows into d and through the conversion step.
	failureOf(t, d, ErrTimeout)
	if !inner.Called() {
		t.Fatalf("inner not fired; want it cancelled")
	}
}

// onTimeoutCancel decides what a timed-out Deferred continues with.
func TestAddTimeoutFunc(t *testing.T) {
	c := NewFakeClock(epoch)
	var gotResult any
	var gotTimeout time.Duration
	d := New(nil).AddTimeoutFunc(time.Second, c, func(result any, timeout time.Duration) (any, error) {
		gotResult, gotTimeout = result, timeout
		return "from cache", nil
	})
	c.Advance(time.Second)
	if got := resultOf(t, d); got != "from cache" {
		t.Fatalf("result = %v; want from cache", got)
	}
	if f, ok := gotResult.(*Failure); !ok || f.Check(ErrCancelled) == nil || gotTimeout != time.Second {
		t.Fatalf("onTimeoutCancel got %v, %v; want the ErrCancelled failure and 1s", gotResult, gotTimeout)
	}
	called := false
	inTime := New(nil).AddTimeoutFunc(time.Second, c, func(r any, _ time.Duration) (any, error) { called = true; return r, nil })
	inTime.Callback(1)
	if called || c.Pending() != 0 {
		t.Fatalf("onTimeoutCancel called = %v, Pending() = %d for a Deferred fired in time; want false, 0", called, c.Pending())
	}
}
