package coroutine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// The scenarios are exercise 03's: the same lookups, timeouts and cancels,
// run against the coroutine. The tests run in this file's order, the most
// specific first: the form of the answer, then whole scenarios.

var errDatabaseDown = errors.New("database is down")

// start is the fake clock's epoch.
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
		return "no result yet (the coroutine is still waiting)"
	case o.failure != nil:
		return fmt.Sprintf("a failure: %v", o.failure.Err)
	}
	return fmt.Sprintf("the value %#v", o.value)
}

func (o outcome) is(err error) bool { return o.failure != nil && errors.Is(o.failure, err) }

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

// call runs f, which calls into the learner's code, through the guard.
func call(t *testing.T, what string, f func()) {
	t.Helper()
	if stuck := guard.Run(t, what, f); stuck != nil {
		t.Fatalf("%v.\n\tExpected: it returns at once. The coroutine runs until its first await and then gives control back; it resumes when the lookup fires or the clock moves.\n\t%s%s", stuck, whyStuck(stuck), revisit)
	}
}

// whyStuck explains code that did not return, from how it is stuck.
func whyStuck(s *guard.Stuck) string {
	switch s.Kind {
	case guard.Spinning:
		return "A loop that waits for the lookup's result never ends: the lookup fires only after your code has given control back. await(lookup) is how a coroutine waits: it suspends the function and returns control to the loop."
	case guard.Sleeping:
		return "time.Sleep inside the coroutine blocks the loop like any callback (a coroutine is still the loop), and time passes on the clock you are given, not in real time. Wait with await; give the timeout to lookup.AddTimeout(timeout, clock)."
	case guard.Waiting, guard.Blocked:
		return "A channel receive (or a lock, or a blocking call) inside the coroutine waits for a result that can only come once the coroutine has given control back: a deadlock. await(lookup) suspends the function instead, and resumes it when the lookup fires."
	}
	return "Greeting and the coroutine must give control back at once, at their first await."
}

// trace collects the trace events of every Deferred while a test runs.
type trace struct {
	mu  sync.Mutex
	evs []deferred.TraceEvent
}

func observe(t *testing.T) *trace {
	tr := &trace{}
	stop := deferred.Observe(func(ev deferred.TraceEvent) {
		tr.mu.Lock()
		tr.evs = append(tr.evs, ev)
		tr.mu.Unlock()
	})
	t.Cleanup(stop)
	return tr
}

// stepsOn lists the callback and errback steps added to Deferred id (not
// AddBoth steps: AddTimeout and await add those).
func (tr *trace) stepsOn(id uint64) []deferred.StepKind {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var kinds []deferred.StepKind
	for _, ev := range tr.evs {
		if ev.Kind == deferred.EventStepAdded && ev.ID == id && ev.StepKind != deferred.StepBoth && ev.StepKind != deferred.StepChain {
			kinds = append(kinds, ev.StepKind)
		}
	}
	return kinds
}

func (tr *trace) cancelled(id uint64) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, ev := range tr.evs {
		if ev.Kind == deferred.EventCancelled && ev.ID == id {
			return true
		}
	}
	return false
}

// The answer is a coroutine: a Deferred of its own, waiting on the lookup,
// with the handling inside the function rather than as steps on lookup.
func TestGreetingIsACoroutine(t *testing.T) {
	tr := observe(t)
	clock := deferred.NewFakeClock(start)
	lookup := deferred.New(nil)
	var d *deferred.Deferred
	call(t, "Greeting(lookup, clock, 10s)", func() { d = Greeting(lookup, clock, 10*time.Second) })
	switch {
	case d == nil:
		t.Fatalf("Greeting returned nil; want the Deferred of a deferred.Coroutine.%s", revisit)
	case d == lookup:
		t.Fatalf("Greeting returned lookup itself: that is exercise 03's chain.\n\tExpected: the Deferred deferred.Coroutine returns, whose function awaits lookup and handles the result as plain Go.%s", revisit)
	}
	defer consume(d)
	if got := end(d); got.fired {
		t.Fatalf("before the lookup fired or the timeout passed, Greeting's Deferred ended with %v; want no result yet.\n\tThe coroutine must await the lookup: v, err := await(lookup).%s%s", got, waitNote(got), revisit)
	}
	if steps := tr.stepsOn(lookup.ID()); len(steps) > 0 {
		t.Fatalf("Greeting added %v step(s) to lookup; want none.\n\tExpected: in the coroutine form the handling is plain Go after await(lookup) — greet, then decide what each error means — not AddCallback/AddErrback on the lookup, which is exercise 03's chain.%s", steps, revisit)
	}
	if n := clock.Pending(); n != 1 {
		t.Fatalf("clock.Pending() = %d while Greeting waits for the lookup; want 1 (the timeout's timer).\n\tDid you add the timeout with lookup.AddTimeout(timeout, clock)?%s", n, revisit)
	}
	call(t, "the coroutine, when the lookup answers,", func() { lookup.Callback(User{ID: 9, Name: "Linus"}) })
	if got := end(d); got.value != "hello, Linus" {
		t.Fatalf("after the lookup answered User{Name: \"Linus\"}, Greeting's Deferred ended with %v; want \"hello, Linus\".%s", got, revisit)
	}
}

// A Cancel on the coroutine's Deferred reaches the lookup it awaits.
func TestCancelReachesTheLookup(t *testing.T) {
	tr := observe(t)
	clock := deferred.NewFakeClock(start)
	lookup := deferred.New(nil)
	var d *deferred.Deferred
	call(t, "Greeting(lookup, clock, 10s)", func() { d = Greeting(lookup, clock, 10*time.Second) })
	if d == nil || d == lookup {
		t.Fatalf("Greeting returned %v; want the Deferred of a deferred.Coroutine.%s", d, revisit)
	}
	defer consume(d)
	call(t, "Cancel() on Greeting's Deferred", d.Cancel)
	got := end(d)
	switch {
	case !tr.cancelled(lookup.ID()):
		t.Fatalf("Cancel() on Greeting's Deferred did not cancel the lookup (no cancelled event for it); the coroutine's Deferred ended with %v.\n\tExpected: a coroutine's Cancel is forwarded to the Deferred it awaits. Await lookup itself (v, err := await(lookup)), not a Deferred of your own.%s", got, revisit)
	case got.fired && got.failure == nil && got.value == nil:
		t.Fatalf("after Cancel(), Greeting's Deferred ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled. await returned the cancellation as an error, and the coroutine ended with a nil value instead of the error: a cancel is the caller's news. Every error the coroutine does not recover — a cancellation included — ends it as a failure: return nil, err.%s", got, revisit)
	case got.fired && got.failure == nil:
		t.Fatalf("after Cancel(), Greeting's Deferred ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled. await returned the cancellation as an error, and the coroutine caught it and went on to a greeting: a cancel is the caller's news, not something to recover from. Return the error.%s", got, revisit)
	case !got.is(deferred.ErrCancelled):
		t.Fatalf("after Cancel(), Greeting's Deferred ended with %v; want a failure wrapping deferred.ErrCancelled.%s%s", got, waitNote(got), revisit)
	}
}

// waitNote explains an ending that is Wait's refusal.
func waitNote(got outcome) string {
	if got.is(deferred.ErrWaitOnLoop) {
		return "\n\tWait refused: it would block the loop, and a coroutine is the loop. Use await(lookup)."
	}
	return ""
}

type scenario struct {
	name string
	// act fires lookup, cancels what Greeting returned (d) and/or moves the
	// clock, given the timeout.
	act  func(lookup, d *deferred.Deferred, clock *deferred.FakeClock, timeout time.Duration)
	want string // the value expected at the end; "" = a failure wrapping err
	err  error
}

// scenarios are exercise 03's.
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
		name: "no such user, the error wrapped",
		act: func(l, _ *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Errback(fmt.Errorf("shard 3: %w", ErrNotFound))
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
			l.Callback(User{ID: 4, Name: "Late"}) // eaten: the lookup was cancelled
		},
		want: TimedOut,
	},
	{
		name: "the database is down (an error the greeting does not know)",
		act: func(l, _ *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			l.Errback(errDatabaseDown)
		},
		err: errDatabaseDown,
	},
	{
		name: "the caller cancels (an explicit Cancel, not a timeout)",
		act: func(_, d *deferred.Deferred, _ *deferred.FakeClock, _ time.Duration) {
			d.Cancel()
		},
		err: deferred.ErrCancelled,
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
				var d *deferred.Deferred
				call(t, fmt.Sprintf("Greeting(lookup, clock, %v)", timeout), func() { d = Greeting(lookup, clock, timeout) })
				if d == nil {
					t.Fatalf("Greeting returned nil; want the Deferred of a deferred.Coroutine.%s", revisit)
				}
				call(t, "the coroutine, when "+sc.name+",", func() { sc.act(lookup, d, clock, timeout) })
				got := end(d)
				defer consume(d)
				where := fmt.Sprintf("(seed %d, timeout %v)", seed, timeout)
				if sc.err != nil {
					if !got.is(sc.err) {
						t.Fatalf("%s %s: Greeting's Deferred ended with %v.\n\tExpected: a failure wrapping %q. %s%s",
							sc.name, where, got, sc.err, explain(got, sc), revisit)
					}
					return
				}
				if !got.fired || got.failure != nil || got.value != sc.want {
					t.Fatalf("%s %s: Greeting's Deferred ended with %v.\n\tExpected: the value %q. %s%s",
						sc.name, where, got, sc.want, explain(got, sc), revisit)
				}
				if n := clock.Pending(); n != 0 {
					t.Errorf("%s %s: %d call(s) still scheduled on the clock after the coroutine finished; want 0 (AddTimeout cancels its timer when the lookup fires in time).%s", sc.name, where, n, revisit)
				}
			})
		}
	}
}

// explain says what a wrong ending most likely means.
func explain(got outcome, sc scenario) string {
	switch {
	case got.is(deferred.ErrWaitOnLoop):
		return "Wait refused to block: a coroutine is the loop, and the loop cannot wait for itself. await(lookup) is the coroutine's way to wait."
	case errors.Is(sc.err, deferred.ErrCancelled) && got.fired && got.failure == nil:
		return "An explicit Cancel() became a value: the coroutine caught the cancellation and carried on. Only ErrNotFound, ErrNoName and a timeout are recovered; return every other error — a cancellation included — from the coroutine."
	case sc.err != nil && got.fired && got.failure == nil:
		return "The coroutine did not return the error: an error it does not know must end the coroutine as a failure — return nil, err — not as a value."
	case sc.want == TimedOut && got.is(deferred.ErrCancelled):
		return "await saw a cancellation, not a timeout: a timeout reaches await as ErrTimeout only through lookup.AddTimeout(timeout, clock), added before the coroutine awaits lookup."
	case sc.want == TimedOut && got.is(deferred.ErrTimeout):
		return "The timeout reached the end unhandled: turn errors.Is(err, deferred.ErrTimeout) into TimedOut."
	case sc.want == TimedOut && !got.fired:
		return "Nothing happened at the timeout: give lookup its timeout with lookup.AddTimeout(timeout, clock)."
	case sc.want == Stranger && got.is(ErrNoName):
		return "greet's own ErrNoName must be handled like ErrNotFound: check greet's error too."
	case sc.want == Stranger && got.failure != nil:
		return "Compare with errors.Is(err, ErrNotFound): the error may be wrapped (a *deferred.Failure, a shard's message)."
	}
	return ""
}
