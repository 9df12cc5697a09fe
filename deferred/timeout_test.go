package deferred

import (
	"errors"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// FakeClock runs due calls in time order, only when advanced; time jumps first, as in Twisted's Clock.
func TestFakeClockOrder(t *testing.T) {
	c := NewFakeClock(epoch)
	var got []int
	c.CallLater(2*time.Second, func() { got = append(got, 2) })
	c.CallLater(time.Second, func() {
		got = append(got, 1)
		// Now() is already 2.999s here, so this runs after the 2s call, in this Advance.
		c.CallLater(0, func() { got = append(got, 11) })
	})
	cancelled := c.CallLater(time.Second, func() { got = append(got, 99) })
	cancelled.Cancel()
	c.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("after 999ms ran %v; want nothing", got)
	}
	c.Advance(2 * time.Second)
	want := []int{1, 2, 11}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("ran %v; want %v", got, want)
	}
	if c.Pending() != 0 || !c.Now().Equal(epoch.Add(2999*time.Millisecond)) {
		t.Fatalf("Pending() = %d, Now() = %v; want 0, epoch+2.999s", c.Pending(), c.Now())
	}
}

// DeferLater fires with fn's result after the delay.
func TestDeferLater(t *testing.T) {
	c := NewFakeClock(epoch)
	d := DeferLater(c, time.Second, func() (any, error) { return "done", nil })
	c.Advance(time.Second - 1)
	noResult(t, d)
	c.Advance(1)
	if got := resultOf(t, d); got != "done" {
		t.Fatalf("result = %v; want done", got)
	}
}

// Cancelling a DeferLater cancels its timer and errbacks with ErrCancelled.
func TestDeferLaterCancel(t *testing.T) {
	c := NewFakeClock(epoch)
	d := DeferLater(c, time.Second, nil)
	d.Cancel()
	failureOf(t, d, ErrCancelled)
	if c.Pending() != 0 {
		t.Fatalf("Pending() = %d after cancel; want 0", c.Pending())
	}
}

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
