package twotracks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// Failure messages end with revisit (lesson_gen_test.go, generated from
// README.md's front matter): the lesson to read again.

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

type scenario struct {
	name string
	// act fires lookup and/or moves the clock, given the chain's timeout.
	act  func(lookup *deferred.Deferred, clock *deferred.FakeClock, timeout time.Duration)
	want string // the value expected at the end; "" = a failure wrapping wantErr
	err  error
}

var scenarios = []scenario{
	{
		name: "the user is found at once",
		act: func(l *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Callback(User{ID: 1, Name: "Ada"})
		},
		want: "hello, Ada",
	},
	{
		name: "the user is found just before the timeout",
		act: func(l *deferred.Deferred, c *deferred.FakeClock, timeout time.Duration) {
			c.Advance(timeout - time.Millisecond)
			l.Callback(User{ID: 2, Name: "Grace"})
			c.Advance(time.Hour) // the timeout must not fire any more
		},
		want: "hello, Grace",
	},
	{
		name: "no such user (ErrNotFound)",
		act: func(l *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Errback(ErrNotFound)
		},
		want: Stranger,
	},
	{
		name: "a user with no name (greet fails with ErrNoName)",
		act: func(l *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Callback(User{ID: 3})
		},
		want: Stranger,
	},
	{
		name: "the lookup never answers",
		act: func(_ *deferred.Deferred, c *deferred.FakeClock, timeout time.Duration) {
			c.Advance(timeout)
		},
		want: TimedOut,
	},
	{
		name: "the lookup answers after the timeout",
		act: func(l *deferred.Deferred, c *deferred.FakeClock, timeout time.Duration) {
			c.Advance(timeout + time.Millisecond)
			l.Callback(User{ID: 4, Name: "Late"}) // eaten: the Deferred was cancelled
		},
		want: TimedOut,
	},
	{
		name: "the database is down (an error rescue does not know)",
		act: func(l *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Errback(errDatabaseDown)
		},
		err: errDatabaseDown,
	},
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
				d := Greeting(lookup, clock, timeout)
				if d == nil {
					t.Fatalf("Greeting returned nil; want the lookup Deferred with the chain added.%s", revisit)
				}
				sc.act(lookup, clock, timeout)
				got := end(d)
				defer consume(d)
				where := fmt.Sprintf("(seed %d, timeout %v)", seed, timeout)
				if sc.err != nil {
					if got.failure == nil || !errors.Is(got.failure, sc.err) {
						t.Fatalf("%s %s: the chain ended with %v.\n\tExpected: a failure wrapping %q — rescue must pass on the errors it does not know, not hide them.%s",
							sc.name, where, got, sc.err, revisit)
					}
					return
				}
				if !got.fired || got.failure != nil || got.value != sc.want {
					t.Fatalf("%s %s: the chain ended with %v.\n\tExpected: the value %q at the end of the chain.%s",
						sc.name, where, got, sc.want, revisit)
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

// Before lookup fires and before the timeout, the chain has no result.
func TestGreetingWaits(t *testing.T) {
	clock := deferred.NewFakeClock(start)
	lookup := deferred.New(nil)
	d := Greeting(lookup, clock, 3*time.Second)
	clock.Advance(2 * time.Second)
	if got := end(d); got.fired {
		t.Fatalf("2s into a 3s timeout with no answer, the chain ended with %v; want no result yet.\n\tNothing may fire before the lookup answers or the timeout passes.%s", got, revisit)
	}
	if clock.Pending() != 1 {
		t.Errorf("clock.Pending() = %d 2s into a 3s timeout; want 1 (the timeout's timer).\n\tDid you add the timeout with lookup.AddTimeout(timeout, clock)?%s", clock.Pending(), revisit)
	}
	lookup.Callback(User{ID: 9, Name: "Linus"})
	if got := end(d); got.value != "hello, Linus" {
		t.Errorf("after the answer, the chain ended with %v; want \"hello, Linus\".%s", got, revisit)
	}
	consume(d)
}

// rescue on its own: it handles what it knows and passes on the rest.
func TestRescue(t *testing.T) {
	tests := []struct {
		err     error
		want    any   // value when handled
		passErr error // error expected when passed on
	}{
		{err: ErrNotFound, want: Stranger},
		{err: ErrNoName, want: Stranger},
		{err: fmt.Errorf("wrapped: %w", ErrNotFound), want: Stranger},
		{err: &deferred.TimeoutError{After: time.Second}, want: TimedOut},
		{err: errDatabaseDown, passErr: errDatabaseDown},
	}
	for _, tc := range tests {
		var got outcome
		d := deferred.Fail(tc.err).AddErrback(rescue)
		got = end(d)
		consume(d)
		if tc.passErr != nil {
			if got.failure == nil || !errors.Is(got.failure, tc.passErr) {
				t.Errorf("rescue(failure %q) led to %v; want the failure passed on (return it as the error).%s", tc.err, got, revisit)
			}
			continue
		}
		if got.failure != nil || got.value != tc.want {
			t.Errorf("rescue(failure %q) led to %v; want the value %q.%s", tc.err, got, tc.want, revisit)
		}
	}
}
