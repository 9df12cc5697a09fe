package chaincancel

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

// The tests play the backend: every query Lookup starts is recorded, and the
// test fires, fails or leaves it as it likes. What the chain did is read from
// the Deferreds' trace events (deferred.Observe): which one was cancelled,
// which one waited on which, whether a timeout fired. The tests run in this
// file's order, the most specific first.

var errBackendDown = errors.New("backend: connection refused")

// start is the fake clock's epoch.
var start = time.Date(2009, 11, 10, 23, 0, 0, 0, time.UTC)

// query is one lookup the backend was asked for.
type query struct {
	what      string // "resolve \"ada\"", "fetch 7"
	d         *deferred.Deferred
	cancelled bool // its canceller ran
}

func (q *query) String() string { return fmt.Sprintf("%s (d%d)", q.what, q.d.ID()) }

// backend records the queries Lookup starts; their Deferreds have a
// canceller that records the cancel (and leaves the firing to Cancel, which
// then errbacks with deferred.ErrCancelled).
type backend struct {
	resolves, fetches []*query
}

func (b *backend) start(what string) *query {
	q := &query{what: what}
	q.d = deferred.New(func(*deferred.Deferred) { q.cancelled = true })
	q.d.SetLabel(what)
	return q
}

func (b *backend) Resolve(name string) *deferred.Deferred {
	q := b.start(fmt.Sprintf("resolve %q", name))
	b.resolves = append(b.resolves, q)
	return q.d
}

func (b *backend) Fetch(id int) *deferred.Deferred {
	q := b.start(fmt.Sprintf("fetch %d", id))
	b.fetches = append(b.fetches, q)
	return q.d
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

// has reports whether Deferred id had an event of kind (waitingOn: for
// EventPaused, the Deferred it waited on; 0 = any).
func (tr *trace) has(kind deferred.EventKind, id, waitingOn uint64) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, ev := range tr.evs {
		if ev.Kind == kind && ev.ID == id && (waitingOn == 0 || ev.WaitingOn == waitingOn) {
			return true
		}
	}
	return false
}

// cancelled reports whether q's Deferred was cancelled: a "cancelled" event
// for it (its canceller ran then, too).
func (tr *trace) cancelled(q *query) bool { return tr.has(deferred.EventCancelled, q.d.ID(), 0) }

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

func (o outcome) is(err error) bool { return o.failure != nil && errors.Is(o.failure, err) }

// call runs f, which calls into the learner's code, through the guard.
func call(t *testing.T, what string, f func()) {
	t.Helper()
	if stuck := guard.Run(t, what, f); stuck != nil {
		t.Fatalf("%v.\n\tExpected: it returns at once. Lookup only starts Resolve and adds steps; they run when the backend answers or the clock moves.\n\t%s%s", stuck, whyStuck(stuck), revisit)
	}
}

// whyStuck explains code that did not return, from how it is stuck.
func whyStuck(s *guard.Stuck) string {
	switch s.Kind {
	case guard.Spinning:
		return "A loop that waits for a step's result never ends: the backend answers only after your code has returned. Add the steps and return; the result reaches them later — that is what a Deferred is for."
	case guard.Sleeping:
		return "Time passes on the clock you are given, not in real time: the tests move a deferred.FakeClock. AddTimeout(timeout, clock) schedules the timeout on it; never time.Sleep."
	case guard.Waiting, guard.Blocked:
		return "It waits for an answer that cannot come yet: the backend answers only after your code has returned, so waiting for it (a channel, a lock, Wait) deadlocks. Return a Deferred that waits: a step that returns Fetch's Deferred."
	}
	return "Lookup and its steps must each return at once."
}

// lookup is one run of Lookup against a fresh backend, clock and trace.
type lookup struct {
	t       *testing.T
	name    string
	timeout time.Duration
	where   string // "(seed 2, timeout 3.1s)" for messages
	be      *backend
	clock   *deferred.FakeClock
	tr      *trace
	d       *deferred.Deferred
}

// begin calls Lookup and checks it started Resolve, and only Resolve, and
// has no result yet.
func begin(t *testing.T, seed uint64) *lookup {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 9))
	timeout := time.Duration(500+rng.IntN(4500)) * time.Millisecond
	l := &lookup{t: t, name: []string{"ada", "grace", "linus"}[seed%3], timeout: timeout,
		where: fmt.Sprintf("(seed %d, timeout %v)", seed, timeout),
		be:    &backend{}, clock: deferred.NewFakeClock(start), tr: observe(t)}
	call(t, fmt.Sprintf("Lookup(backend, %q, clock, %v)", l.name, timeout), func() { l.d = Lookup(l.be, l.name, l.clock, timeout) })
	t.Cleanup(func() {
		if l.d != nil {
			l.d.AddErrback(func(*deferred.Failure) (any, error) { return nil, nil }) // handled: no unhandled-failure report
		}
	})
	if l.d == nil {
		t.Fatalf("Lookup returned nil; want a Deferred that fires with the Profile.%s", revisit)
	}
	if got := l.end(); got.fired {
		t.Fatalf("Lookup's Deferred ended at once with %v, before the backend answered anything %s.\n\tExpected: no result until Resolve and Fetch answer, or the timeout passes.%s", got, l.where, revisit)
	}
	if len(l.be.resolves) != 1 || len(l.be.fetches) != 0 {
		t.Fatalf("Lookup started %d Resolve and %d Fetch queries; want exactly one Resolve(%q), and no Fetch before Resolve has answered.%s", len(l.be.resolves), len(l.be.fetches), l.name, revisit)
	}
	if l.be.resolves[0].what != fmt.Sprintf("resolve %q", l.name) {
		t.Fatalf("Lookup started %s; want resolve %q.%s", l.be.resolves[0].what, l.name, revisit)
	}
	return l
}

func (l *lookup) resolve() *query { return l.be.resolves[0] }

// end reads the result at the end of the returned chain right now.
func (l *lookup) end() outcome {
	v, ok := l.d.Result()
	if !ok {
		return outcome{}
	}
	if f, isF := v.(*deferred.Failure); isF {
		return outcome{fired: true, failure: f}
	}
	return outcome{fired: true, value: v}
}

// answerResolve fires the Resolve query with id and checks Fetch(id) was
// started.
func (l *lookup) answerResolve(id int) *query {
	l.t.Helper()
	call(l.t, fmt.Sprintf("the chain, when %s answers %d,", l.resolve(), id), func() { l.resolve().d.Callback(id) })
	if len(l.be.fetches) != 1 {
		l.t.Fatalf("after %s answered %d, the chain started %d Fetch queries; want exactly one, Fetch(%d).\n\tThe chain ended with %v.%s", l.resolve(), id, len(l.be.fetches), id, l.end(), revisit)
	}
	if f := l.be.fetches[0]; f.what != fmt.Sprintf("fetch %d", id) {
		l.t.Fatalf("after resolve answered %d, the chain started %s; want fetch %d.%s", id, f.what, id, revisit)
	}
	if got := l.end(); got.fired {
		l.t.Fatalf("after resolve answered and %s started, the chain already ended with %v.\n\tExpected: the chain waits for the fetch. A step that RETURNS fetch's Deferred makes the chain wait for it and go on with its result.%s", l.be.fetches[0], got, revisit)
	}
	return l.be.fetches[0]
}

// waitedOn explains whether the returned Deferred waited on the fetch.
func (l *lookup) waitedOn(f *query) string {
	if l.tr.has(deferred.EventPaused, l.d.ID(), f.d.ID()) {
		return ""
	}
	return fmt.Sprintf(" The Deferred Lookup returned (d%d) never waited on %s (no paused event waiting on it): a step must RETURN fetch's Deferred, so the chain waits on it and Cancel is forwarded there.", l.d.ID(), f)
}

// Cancel while Resolve is in flight: the resolve query is cancelled and the
// chain ends with ErrCancelled.
func TestCancelWhileResolving(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		l := begin(t, seed)
		r := l.resolve()
		call(t, "Cancel() on the Deferred Lookup returned", l.d.Cancel)
		got := l.end()
		switch {
		case !l.tr.cancelled(r):
			t.Fatalf("Cancel() on the Deferred Lookup returned (d%d), while %s was in flight %s: the chain ended with %v, but the query was not cancelled (no cancelled event for d%d).\n\tExpected: Cancel reaches the step in flight, so the backend stops working for a client who hung up.\n\tReturn the Deferred Resolve gave you, with your steps added to it — not a new Deferred you fire yourself from its callbacks: cancelling a Deferred you made stops nothing behind it.%s",
				l.d.ID(), r, l.where, got, r.d.ID(), revisit)
		case got.fired && got.failure == nil:
			t.Fatalf("Cancel() while %s was in flight %s: the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled. The cancellation was swallowed as success: an errback that returns a value (even nil) for ErrCancelled tells the caller the lookup worked. Let ErrCancelled reach the end.%s", r, l.where, got, revisit)
		case got.is(deferred.ErrTimeout):
			t.Fatalf("Cancel() while %s was in flight %s: the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled. A cancellation is not a timeout: the caller gave up, nothing took too long.%s", r, l.where, got, revisit)
		case !got.is(deferred.ErrCancelled):
			t.Fatalf("Cancel() while %s was in flight %s: the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled.%s", r, l.where, got, revisit)
		case len(l.be.fetches) > 0:
			t.Fatalf("Cancel() while resolving %s started %s; want no Fetch: Resolve never gave an ID.%s", l.where, l.be.fetches[0], revisit)
		case l.clock.Pending() != 0:
			t.Fatalf("after Cancel() ended the chain %s, %d call(s) are still scheduled on the clock; want 0: a finished chain leaves no timer behind (AddTimeout cancels its own).%s", l.where, l.clock.Pending(), revisit)
		}
	}
}

// Cancel while Fetch is in flight: the outer chain waits on the fetch, so
// the cancel must travel there.
func TestCancelWhileFetching(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		l := begin(t, seed)
		f := l.answerResolve(int(seed) * 7)
		call(t, "Cancel() on the Deferred Lookup returned", l.d.Cancel)
		got := l.end()
		switch {
		case !l.tr.cancelled(f):
			t.Fatalf("Cancel() on the Deferred Lookup returned (d%d), while %s was in flight %s: the chain ended with %v, but the fetch was not cancelled (no cancelled event for d%d).\n\tExpected: Cancel is forwarded to the inner Deferred the chain waits on, so the backend stops.%s\n\tReturn Fetch's Deferred from the step, and return the chain you built on Resolve's Deferred — a Deferred waiting on another forwards Cancel to it; a new one you fire yourself forwards nothing.%s",
				l.d.ID(), f, l.where, got, f.d.ID(), l.waitedOn(f), revisit)
		case got.fired && got.failure == nil:
			t.Fatalf("Cancel() while %s was in flight %s: the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled. The cancellation was swallowed as success: an errback that returns a value (even nil) for ErrCancelled tells the caller the lookup worked. Let ErrCancelled reach the end.%s", f, l.where, got, revisit)
		case got.is(deferred.ErrTimeout):
			t.Fatalf("Cancel() while %s was in flight %s: the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled. A cancellation is not a timeout.%s", f, l.where, got, revisit)
		case !got.is(deferred.ErrCancelled):
			t.Fatalf("Cancel() while %s was in flight %s: the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrCancelled.%s", f, l.where, got, revisit)
		case l.clock.Pending() != 0:
			t.Fatalf("after Cancel() ended the chain %s, %d call(s) are still scheduled on the clock; want 0: a finished chain leaves no timer behind (AddTimeout cancels its own).%s", l.where, l.clock.Pending(), revisit)
		}
	}
}

// checkTimedOut checks the chain after the timeout with q in flight.
func (l *lookup) checkTimedOut(q *query, pendingBefore int) {
	t := l.t
	t.Helper()
	got := l.end()
	timedOut := l.tr.has(deferred.EventTimedOut, l.d.ID(), 0)
	switch {
	case !got.fired && pendingBefore == 0:
		t.Fatalf("at the timeout %s, with %s in flight, nothing happened: the chain ended with %v, and no timer was left on the clock while it waited (clock.Pending() = 0).\n\tExpected: the step in flight is cancelled and the chain fails with deferred.ErrTimeout.\n\tAddTimeout covers only the steps added BEFORE it: when the chain reaches it, its timer stops. Added before the Fetch step, it stopped counting the moment Resolve answered. Add it after the steps it must cover.%s",
			l.where, q, got, revisit)
	case !got.fired:
		t.Fatalf("at the timeout %s, with %s in flight, the chain ended with %v.\n\tExpected: the step in flight is cancelled and the chain fails with deferred.ErrTimeout: d.AddTimeout(timeout, clock) on the Deferred you return.%s", l.where, q, got, revisit)
	case !l.tr.cancelled(q):
		t.Fatalf("at the timeout %s the chain ended with %v, but %s, in flight, was not cancelled (no cancelled event for d%d).\n\tExpected: timing out cancels the step in flight, or the backend goes on working for nobody.\n\tDo not fire a Deferred of your own with a TimeoutError from a timer: AddTimeout on the chain cancels it, and the cancel travels to the Deferred it waits on.%s",
			l.where, got, q, q.d.ID(), revisit)
	case got.failure == nil:
		t.Fatalf("at the timeout %s the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrTimeout. The timeout's cancellation was swallowed as success: let the failure reach the end.%s", l.where, got, revisit)
	case !got.is(deferred.ErrTimeout) && got.is(deferred.ErrCancelled):
		t.Fatalf("at the timeout %s the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrTimeout, not ErrCancelled: AddTimeout turns its cancel into ErrTimeout for the steps added after it.%s", l.where, got, revisit)
	case !got.is(deferred.ErrTimeout):
		t.Fatalf("at the timeout %s the chain ended with %v.\n\tExpected: a failure wrapping deferred.ErrTimeout.%s", l.where, got, revisit)
	case !timedOut:
		t.Fatalf("at the timeout %s the chain ended with ErrTimeout, but the Deferred Lookup returned (d%d) had no timed-out event.\n\tExpected: the timeout belongs to the Deferred you return: d.AddTimeout(timeout, clock).%s", l.where, l.d.ID(), revisit)
	case l.clock.Pending() != 0:
		t.Fatalf("after the timeout ended the chain %s, %d call(s) are still scheduled on the clock; want 0.%s", l.where, l.clock.Pending(), revisit)
	}
}

// The timeout passes while Resolve is in flight.
func TestTimeoutWhileResolving(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		l := begin(t, seed)
		call(t, "the chain, 1ms before the timeout,", func() { l.clock.Advance(l.timeout - time.Millisecond) })
		if got := l.end(); got.fired || l.tr.cancelled(l.resolve()) {
			t.Fatalf("1ms before the timeout %s, the chain ended with %v (resolve cancelled: %v); want no result and nothing cancelled yet.%s", l.where, got, l.tr.cancelled(l.resolve()), revisit)
		}
		pending := l.clock.Pending()
		call(t, "the chain, at the timeout,", func() { l.clock.Advance(time.Millisecond) })
		l.checkTimedOut(l.resolve(), pending)
		if len(l.be.fetches) > 0 {
			t.Fatalf("the timeout while resolving %s started %s; want no Fetch.%s", l.where, l.be.fetches[0], revisit)
		}
	}
}

// The timeout passes while Fetch is in flight: it covers both steps.
func TestTimeoutWhileFetching(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		l := begin(t, seed)
		call(t, "the chain, half way to the timeout,", func() { l.clock.Advance(l.timeout / 2) })
		f := l.answerResolve(40 + int(seed))
		pending := l.clock.Pending()
		call(t, "the chain, at the timeout,", func() { l.clock.Advance(l.timeout - l.timeout/2) })
		l.checkTimedOut(f, pending)
	}
}

// Both steps answer in time, or one fails: what reaches the end.
func TestLookupAnswers(t *testing.T) {
	type result struct {
		value any   // the Profile, when err is nil
		err   error // the failure wrapped at the end
	}
	tests := []struct {
		name string
		act  func(l *lookup)
		want result
	}{
		{"both answer", func(l *lookup) {
			f := l.answerResolve(7)
			call(l.t, "the chain, when "+f.String()+" answers,", func() { f.d.Callback(Profile{ID: 7, Name: "Ada"}) })
		}, result{value: Profile{ID: 7, Name: "Ada"}}},
		{"both answer just before the timeout", func(l *lookup) {
			call(l.t, "the chain, half way to the timeout,", func() { l.clock.Advance(l.timeout / 2) })
			f := l.answerResolve(8)
			call(l.t, "the chain, 1ms before the timeout,", func() { l.clock.Advance(l.timeout - l.timeout/2 - time.Millisecond) })
			call(l.t, "the chain, when "+f.String()+" answers,", func() { f.d.Callback(Profile{ID: 8, Name: "Grace"}) })
			call(l.t, "the chain, an hour later,", func() { l.clock.Advance(time.Hour) }) // nothing may fire any more
		}, result{value: Profile{ID: 8, Name: "Grace"}}},
		{"resolve does not know the user", func(l *lookup) {
			call(l.t, "the chain, when resolve fails,", func() { l.resolve().d.Errback(ErrUnknownUser) })
			if len(l.be.fetches) > 0 {
				l.t.Fatalf("after Resolve failed with ErrUnknownUser, the chain started %s; want no Fetch: there is no ID. Add the Fetch step with AddCallback, which the failure skips.%s", l.be.fetches[0], revisit)
			}
		}, result{err: ErrUnknownUser}},
		{"fetch fails", func(l *lookup) {
			f := l.answerResolve(9)
			call(l.t, "the chain, when "+f.String()+" fails,", func() { f.d.Errback(errBackendDown) })
		}, result{err: errBackendDown}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := begin(t, 2)
			tc.act(l)
			got := l.end()
			if tc.want.err != nil {
				if !got.is(tc.want.err) {
					t.Fatalf("%s %s: the chain ended with %v.\n\tExpected: a failure wrapping %q, unchanged: a step's failure is the caller's to see.%s", tc.name, l.where, got, tc.want.err, revisit)
				}
			} else if !got.fired || got.failure != nil || got.value != tc.want.value {
				why := ""
				if len(l.be.fetches) == 1 {
					why = l.waitedOn(l.be.fetches[0])
				}
				t.Fatalf("%s %s: the chain ended with %v.\n\tExpected: the value %#v at the end of the chain.%s%s", tc.name, l.where, got, tc.want.value, why, revisit)
			}
			if n := l.clock.Pending(); n != 0 {
				t.Fatalf("%s %s: %d call(s) still scheduled on the clock after the chain finished; want 0: a timeout whose chain finished in time must be cancelled (AddTimeout does it for you).%s", tc.name, l.where, n, revisit)
			}
		})
	}
}
