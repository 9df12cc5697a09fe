package twotracks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again. The two-track model
// is also in `go doc github.com/reactorlab/reactorlab/deferred`.

// The tests run in this file's order, the most specific first: rescue on its
// own, then what Greeting returns, then whole chains.

var errDatabaseDown = errors.New("database is down")

// start is the fake clock's epoch: the Go Tour's, so times are easy to read.
var start = time.Date(2009, 11, 10, 23, 0, 0, 0, time.UTC)

// outcome is where a chain ended: a value, a failure, or nothing yet.
type outcome struct {
	fired   bool
	value   any
	failure *deferred.Failure
}

func (o outcome) String() string {
	switch {
	case !o.fired:
		return "no result yet (the chain is still waiting)"
	case o.failure != nil:
		return fmt.Sprintf("a failure on the errback track: %v", o.failure.Err)
	}
	return fmt.Sprintf("the value %#v", o.value)
}

// end reads the result at the end of d's chain right now.
func end(d *deferred.Deferred) outcome {
	v, ok := d.Result()
	if !ok {
		return outcome{}
	}
	if f, isF := v.(*deferred.Failure); isF {
		return outcome{fired: true, failure: f}
	}
	return outcome{fired: true, value: v}
}

// consume handles any failure left at the end of d so the test does not
// produce an "unhandled failure" report of its own.
func consume(d *deferred.Deferred) {
	d.AddErrback(func(*deferred.Failure) (any, error) { return nil, nil })
}

// call runs f, which calls into the learner's code, through the guard: code
// that spins, sleeps or waits fails the test within seconds, saying which.
func call(t *testing.T, what string, f func()) {
	t.Helper()
	if stuck := guard.Run(t, what, f); stuck != nil {
		t.Fatalf("%v.\n\tExpected: it returns at once. Greeting only adds steps; they run when the lookup fires or the clock moves.\n\t%s%s", stuck, whyStuck(stuck), revisit)
	}
}

// whyStuck explains code that did not return, from how it is stuck.
func whyStuck(s *guard.Stuck) string {
	switch s.Kind {
	case guard.Spinning:
		return "A loop that waits for the chain's result never ends: the lookup fires only after Greeting has returned. Add the steps and return lookup; the result reaches them later — that is what a Deferred is for."
	case guard.Sleeping:
		return "Time passes on the clock you are given, not in real time: the tests move a deferred.FakeClock. lookup.AddTimeout(timeout, clock) schedules the timeout on it; never time.Sleep."
	case guard.Waiting, guard.Blocked:
		return "It waits for a result that cannot come yet: the lookup fires only after Greeting has returned, so waiting for it inside Greeting (or a step) deadlocks. Add the steps and return lookup."
	}
	return "Greeting, greet and rescue must each return at once."
}

type scenario struct {
	name string
	// act fires lookup, cancels what Greeting returned (d) and/or moves the
	// clock, given the chain's timeout.
	act  func(lookup, d *deferred.Deferred, clock *deferred.FakeClock, timeout time.Duration)
	want string // the value expected at the end; "" = a failure wrapping err
	err  error
}

var scenarios = []scenario{
	{
		name: "the user is found at once",
		act: func(l, _ *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Callback(User{ID: 1, Name: "Ada"})
		},
		want: "hello, Ada",
	},
	{
		name: "the user is found just before the timeout",
		act: func(l, _ *deferred.Deferred, c *deferred.FakeClock, timeout time.Duration) {
			c.Advance(timeout - time.Millisecond)
			l.Callback(User{ID: 2, Name: "Grace"})
			c.Advance(time.Hour) // the timeout must not fire any more
		},
		want: "hello, Grace",
	},
	{
		name: "no such user (ErrNotFound)",
		act: func(l, _ *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Errback(ErrNotFound)
		},
		want: Stranger,
	},
	{
		name: "a user with no name (greet fails with ErrNoName)",
		act: func(l, _ *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Callback(User{ID: 3})
		},
		want: Stranger,
	},
	{
		name: "the lookup never answers",
		act: func(_, _ *deferred.Deferred, c *deferred.FakeClock, timeout time.Duration) {
			c.Advance(timeout)
		},
		want: TimedOut,
	},
	{
		name: "the lookup answers after the timeout",
		act: func(l, _ *deferred.Deferred, c *deferred.FakeClock, timeout time.Duration) {
			c.Advance(timeout + time.Millisecond)
			l.Callback(User{ID: 4, Name: "Late"}) // eaten: the Deferred was cancelled
		},
		want: TimedOut,
	},
	{
		name: "the database is down (an error rescue does not know)",
		act: func(l, _ *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Errback(errDatabaseDown)
		},
		err: errDatabaseDown,
	},
	{
		name: "the caller cancels the chain (an explicit Cancel, not a timeout)",
		act: func(_, d *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			d.Cancel()
		},
		err: deferred.ErrCancelled,
	},
}

// rescue on its own: it handles what it knows — also wrapped, as errors.Is
// sees it — and passes on the rest, a cancellation included.
func TestRescue(t *testing.T) {
	tests := []struct {
		err     error
		want    any    // value when handled
		passErr error  // error expected when passed on
		wrapped string // the sentinel err wraps, if it is not the sentinel itself
	}{
		{err: ErrNotFound, want: Stranger},
		{err: ErrNoName, want: Stranger},
		{err: fmt.Errorf("wrapped: %w", ErrNotFound), want: Stranger, wrapped: "ErrNotFound"},
		{err: &deferred.TimeoutError{After: time.Second}, want: TimedOut, wrapped: "deferred.ErrTimeout"},
		{err: deferred.ErrCancelled, passErr: deferred.ErrCancelled},
		{err: errDatabaseDown, passErr: errDatabaseDown},
	}
	for _, tc := range tests {
		var d *deferred.Deferred
		call(t, fmt.Sprintf("rescue(failure %q)", tc.err), func() { d = deferred.Fail(tc.err).AddErrback(rescue) })
		got := end(d)
		consume(d)
		switch {
		case tc.passErr == deferred.ErrCancelled && got.value == TimedOut:
			t.Errorf("rescue(failure %q) led to %v; want the failure passed on.\n\tA cancellation is not a timeout: someone called Cancel(). If rescue turns ErrCancelled into TimedOut, every cancel says \"took too long\". Add the timeout BEFORE rescue, and rescue sees ErrTimeout for a real timeout.%s", tc.err, got, revisit)
		case tc.passErr != nil && (got.failure == nil || !errors.Is(got.failure, tc.passErr)):
			t.Errorf("rescue(failure %q) led to %v; want the failure passed on: rescue handles only what it knows, and returns nil, f for the rest.%s", tc.err, got, revisit)
		case tc.passErr != nil:
		case got.failure != nil && tc.wrapped != "" && errors.Is(got.failure, tc.err):
			t.Errorf("rescue(failure %q) led to %v; want the value %q.\n\tThe error is a %T that wraps %s: f.Err == %s is false for it. Compare with errors.Is(f, %s), or ask f.Check(ErrNotFound, ErrNoName, deferred.ErrTimeout), which looks through wrapping.%s",
				tc.err, got, tc.want, tc.err, tc.wrapped, tc.wrapped, tc.wrapped, revisit)
		case got.failure != nil || got.value != tc.want:
			t.Errorf("rescue(failure %q) led to %v; want the value %q.%s", tc.err, got, tc.want, revisit)
		}
	}
}

// rescues reports whether rescue, called on its own (TestRescue has shown it
// returns), turns a failure wrapping err into a value.
func rescues(err error) bool {
	d := deferred.Fail(err).AddErrback(rescue)
	defer consume(d)
	return end(d).failure == nil
}

// Greeting adds its steps to lookup and returns lookup itself: the caller's
// Cancel, and every step the caller adds, must reach the chain that the
// lookup fires.
func TestGreetingReturnsLookup(t *testing.T) {
	clock := deferred.NewFakeClock(start)
	lookup := deferred.New(nil)
	var d *deferred.Deferred
	call(t, "Greeting(lookup, clock, 10s)", func() { d = Greeting(lookup, clock, 10*time.Second) })
	if d != lookup {
		what := "a different *deferred.Deferred"
		if d == nil {
			what = "nil"
		}
		t.Fatalf("Greeting returned %s; want lookup itself.\n\tAdd the steps to lookup (each Add* returns the same Deferred) and return it. A new Deferred is a second chain: the caller's Cancel() on it never reaches the lookup, and the steps the caller adds are not part of the lookup's chain.%s", what, revisit)
	}
}

// Every scenario runs with timeouts drawn from a few fixed seeds, so a
// failure names the seed and the timeout and reproduces exactly.
func TestGreeting(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		rng := rand.New(rand.NewPCG(seed, 5))
		timeout := time.Duration(500+rng.IntN(4500)) * time.Millisecond
		for _, sc := range scenarios {
			t.Run(fmt.Sprintf("%s/seed=%d", sc.name, seed), func(t *testing.T) {
				clock := deferred.NewFakeClock(start)
				lookup := deferred.New(nil)
				var d *deferred.Deferred
				call(t, fmt.Sprintf("Greeting(lookup, clock, %v)", timeout), func() { d = Greeting(lookup, clock, timeout) })
				if d == nil {
					t.Fatalf("Greeting returned nil; want the lookup Deferred with the chain added.%s", revisit)
				}
				call(t, "the chain, when "+sc.name+",", func() { sc.act(lookup, d, clock, timeout) })
				got := end(d)
				defer consume(d)
				where := fmt.Sprintf("(seed %d, timeout %v)", seed, timeout)
				if sc.err != nil {
					if got.failure == nil || !errors.Is(got.failure, sc.err) {
						t.Fatalf("%s %s: the chain ended with %v.\n\tExpected: a failure wrapping %q. %s%s",
							sc.name, where, got, sc.err, explain(got, sc), revisit)
					}
					return
				}
				if !got.fired || got.failure != nil || got.value != sc.want {
					t.Fatalf("%s %s: the chain ended with %v.\n\tExpected: the value %q at the end of the chain. %s%s",
						sc.name, where, got, sc.want, explain(got, sc), revisit)
				}
				// A step added afterwards runs at once and sees the result.
				var seen any
				d.AddCallback(func(v any) (any, error) { seen = v; return v, nil })
				if seen != sc.want {
					t.Errorf("%s %s: a callback added after the chain finished saw %#v; want %q.%s", sc.name, where, seen, sc.want, revisit)
				}
				if n := clock.Pending(); n != 0 {
					t.Errorf("%s %s: %d call(s) still scheduled on the clock after the chain finished; want 0 (AddTimeout cancels its timer when the Deferred fires in time).%s", sc.name, where, n, revisit)
				}
			})
		}
	}
}

// explain says what a wrong ending most likely means.
func explain(got outcome, sc scenario) string {
	switch {
	case errors.Is(sc.err, deferred.ErrCancelled) && got.value == TimedOut:
		return "An explicit Cancel() became TimedOut: only a timeout may say the lookup took too long. Add the timeout FIRST — steps added after AddTimeout see ErrTimeout when it fires, and ErrCancelled only when someone cancelled — and let rescue pass ErrCancelled on."
	case sc.want == TimedOut && got.failure != nil && errors.Is(got.failure, deferred.ErrCancelled):
		return "rescue saw a cancellation, not a timeout: a timeout reaches rescue as ErrTimeout only through lookup.AddTimeout(timeout, clock), added BEFORE rescue."
	case sc.want == TimedOut && got.failure != nil && errors.Is(got.failure, deferred.ErrTimeout) && rescues(&deferred.TimeoutError{After: time.Second}):
		return "rescue turns a timeout into TimedOut when called on its own, yet the timeout reached the end of the chain: it was added AFTER rescue. Steps added before AddTimeout see ErrCancelled when it fires (rescue passed that on); turning it into ErrTimeout is itself a step. Add the timeout first."
	case sc.want == TimedOut && got.failure != nil && errors.Is(got.failure, deferred.ErrTimeout):
		return "The timeout reached the end unhandled: rescue must turn it (errors.Is(err, deferred.ErrTimeout), or f.Check) into TimedOut."
	case sc.want == Stranger && got.failure != nil && errors.Is(got.failure, ErrNoName):
		return "greet's own ErrNoName went past rescue: rescue must be a step AFTER greet (AddCallback(greet), then AddErrback(rescue)). In AddCallbacks(greet, rescue) they are alternatives on one rung, and an error from greet skips rescue."
	case sc.err != nil:
		return "rescue must pass on the errors it does not know (return nil, f), not hide them."
	}
	return ""
}

// Before lookup fires and before the timeout, the chain has no result.
func TestGreetingWaits(t *testing.T) {
	clock := deferred.NewFakeClock(start)
	lookup := deferred.New(nil)
	var d *deferred.Deferred
	call(t, "Greeting(lookup, clock, 3s)", func() { d = Greeting(lookup, clock, 3*time.Second) })
	call(t, "the chain, 2s into a 3s timeout,", func() { clock.Advance(2 * time.Second) })
	if got := end(d); got.fired {
		t.Fatalf("2s into a 3s timeout with no answer, the chain ended with %v; want no result yet.\n\tNothing may fire before the lookup answers or the timeout passes.%s", got, revisit)
	}
	if clock.Pending() != 1 {
		t.Errorf("clock.Pending() = %d 2s into a 3s timeout; want 1 (the timeout's timer).\n\tDid you add the timeout with lookup.AddTimeout(timeout, clock)?%s", clock.Pending(), revisit)
	}
	call(t, "the chain, when the lookup answers,", func() { lookup.Callback(User{ID: 9, Name: "Linus"}) })
	if got := end(d); got.value != "hello, Linus" {
		t.Errorf("after the answer, the chain ended with %v; want \"hello, Linus\".%s", got, revisit)
	}
	consume(d)
}
