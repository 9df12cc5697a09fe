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

// Calls lists the pending calls in run order; Reset, Delay and Active work
// as on Twisted's DelayedCall.
func TestFakeClockDelayedCalls(t *testing.T) {
	c := NewFakeClock(epoch)
	var ran []string
	a := c.Schedule(time.Second, func() { ran = append(ran, "a") })
	b := c.Schedule(2*time.Second, func() { ran = append(ran, "b") })
	if calls := c.Calls(); len(calls) != 2 || calls[0] != a || calls[1] != b {
		t.Fatalf("Calls() = %v; want [a b]", calls)
	}
	if err := a.Delay(2 * time.Second); err != nil { // a: 3s, after b
		t.Fatal(err)
	}
	if calls := c.Calls(); calls[0] != b || !a.Time().Equal(epoch.Add(3*time.Second)) {
		t.Fatalf("after Delay, Calls()[0] = %v, a.Time() = %v; want b, epoch+3s", calls[0], a.Time())
	}
	c.Advance(time.Second)
	if err := b.Reset(500 * time.Millisecond); err != nil { // b: 1.5s
		t.Fatal(err)
	}
	c.Advance(499 * time.Millisecond)
	if len(ran) != 0 {
		t.Fatalf("ran %v at 1.499s; want nothing", ran)
	}
	c.Pump(time.Millisecond, 1500*time.Millisecond)
	if len(ran) != 2 || ran[0] != "b" || ran[1] != "a" {
		t.Fatalf("ran %v; want [b a]", ran)
	}
	if a.Active() || !a.Ran() || a.Cancelled() {
		t.Fatalf("a: Active, Ran, Cancelled = %v, %v, %v; want false, true, false", a.Active(), a.Ran(), a.Cancelled())
	}
	if err := a.Reset(time.Second); !errors.Is(err, ErrCallRan) {
		t.Fatalf("Reset of a call that ran = %v; want ErrCallRan", err)
	}
	x := c.Schedule(time.Second, func() {})
	x.Cancel()
	if err := x.Delay(time.Second); !errors.Is(err, ErrCallCancelled) || !x.Cancelled() || c.Pending() != 0 {
		t.Fatalf("Delay of a cancelled call = %v, Cancelled() = %v, Pending() = %d; want ErrCallCancelled, true, 0", err, x.Cancelled(), c.Pending())
	}
}

// A call may reset another, or itself be scheduled, while Advance runs calls.
func TestFakeClockCallsRescheduleDuringAdvance(t *testing.T) {
	c := NewFakeClock(epoch)
	var ran []string
	late := c.Schedule(10*time.Second, func() { ran = append(ran, "late") })
	c.Schedule(time.Second, func() {
		ran = append(ran, "early")
		late.Reset(0) // now due: runs in this same Advance
	})
	c.Advance(time.Second)
	if len(ran) != 2 || ran[1] != "late" {
		t.Fatalf("ran %v; want [early late]", ran)
	}
}
