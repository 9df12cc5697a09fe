package deferred

import (
	"strings"
	"testing"
)

// record observes events for the test's duration, keeping those of the given Deferreds.
func record(t *testing.T) *[]TraceEvent {
	var evs []TraceEvent
	t.Cleanup(Observe(func(ev TraceEvent) { evs = append(evs, ev) }))
	return &evs
}

func eventLines(evs []TraceEvent, ids ...uint64) []string {
	keep := map[uint64]bool{}
	for _, id := range ids {
		keep[id] = true
	}
	var lines []string
	for _, ev := range evs {
		if keep[ev.ID] {
			ev.ID = 0 // ids differ between runs
			ev.WaitingOn = 0
			ev.Dur = 0
			lines = append(lines, strings.TrimPrefix(ev.String(), "d0 "))
		}
	}
	return lines
}

// Every step is observable: creation, steps added, firing, each run with track in → out.
func TestTraceOfAChain(t *testing.T) {
	evs := record(t)
	d := New(nil).SetLabel("job")
	d.AddCallback(fail(errBoom))
	d.AddCallback(add(1))
	d.AddErrback(func(*Failure) (any, error) { return "ok", nil })
	d.Callback(1)
	got := eventLines(*evs, d.ID())
	want := []string{
		"created at deferred/trace_test.go:",
		`labelled "job"`,
		"step-added #0 callback",
		"step-added #1 callback",
		"step-added #2 errback",
		"fired callback 1",
		"step-run #0 callback callback→errback 1 → Failure(boom)",
		"step-run #1 callback errback→errback Failure(boom) → Failure(boom) (passthru)",
		`step-run #2 errback errback→callback Failure(boom) → "ok"`,
	}
	if len(got) != len(want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Fatalf("event %d = %q; want %q", i, got[i], want[i])
		}
	}
}

// Chaining shows as paused (waiting on the inner), a chain step on the inner, and resumed.
func TestTraceOfChaining(t *testing.T) {
	evs := record(t)
	inner := New(nil)
	outer := Succeed(0).AddCallback(func(any) (any, error) { return inner, nil })
	inner.Callback(7)
	var sawPause, sawChain, sawResume bool
	for _, ev := range *evs {
		switch {
		case ev.Kind == EventPaused && ev.ID == outer.ID() && ev.WaitingOn == inner.ID():
			sawPause = true
		case ev.Kind == EventStepRun && ev.ID == inner.ID() && ev.StepKind == StepChain && ev.WaitingOn == outer.ID():
			sawChain = true
		case ev.Kind == EventResumed && ev.ID == outer.ID() && ev.WaitingOn == inner.ID():
			sawResume = true
		}
	}
	if !sawPause || !sawChain || !sawResume {
		t.Fatalf("paused/chain/resumed = %v/%v/%v; want all true", sawPause, sawChain, sawResume)
	}
	if got := resultOf(t, outer); got != 7 {
		t.Fatalf("result = %v; want 7", got)
	}
}

// counted counts how often it is rendered.
type counted struct{ n *int }

func (c counted) String() string { *c.n++; return "counted" }

// Summaries are built only while someone observes.
func TestSummariesOnlyWhenObserved(t *testing.T) {
	n := 0
	Succeed(counted{&n}).AddCallback(func(v any) (any, error) { return v, nil })
	if n != 0 {
		t.Fatalf("value rendered %d times with no observer; want 0", n)
	}
	stop := Observe(func(TraceEvent) {})
	Succeed(counted{&n}).AddCallback(func(v any) (any, error) { return v, nil })
	stop()
	if n == 0 {
		t.Fatalf("value never rendered with an observer; want summaries")
	}
}

// Summaries are short single lines.
func TestSummarize(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "nil"},
		{42, "42"},
		{"hi", `"hi"`},
		{&Failure{Err: errBoom}, "Failure(boom)"},
		{"line1\nline2", `"line1\nline2"`},
		{strings.Repeat("a", 100), `"` + strings.Repeat("a", 38) + "…"},
	}
	for _, tc := range tests {
		if got := summarize(tc.in); got != tc.want {
			t.Errorf("summarize(%v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// Cancel and timeout emit their own events.
func TestTraceCancelAndTimeout(t *testing.T) {
	evs := record(t)
	c := NewFakeClock(epoch)
	d := New(nil).AddTimeout(1, c)
	c.Advance(1)
	failureOf(t, d, ErrTimeout)
	kinds := map[EventKind]bool{}
	for _, ev := range *evs {
		if ev.ID == d.ID() {
			kinds[ev.Kind] = true
		}
	}
	if !kinds[EventTimedOut] || !kinds[EventCancelled] {
		t.Fatalf("event kinds = %v; want timed-out and cancelled", kinds)
	}
}

// String dumps the state: fired, paused, waiting on, pending steps, result.
func TestDeferredString(t *testing.T) {
	inner := New(nil)
	outer := Succeed(1).SetLabel("fetch")
	outer.AddCallback(func(any) (any, error) { return inner, nil }).AddCallback(add(1))
	want := idName(outer.ID()) + ` "fetch" fired, paused 1, waiting on ` + idName(inner.ID()) + ", 1 steps pending"
	if got := outer.String(); got != want {
		t.Fatalf("String() = %q; want %q", got, want)
	}
	inner.Callback(1)
	if got, want := outer.String(), idName(outer.ID())+` "fetch" fired, result 2`; got != want {
		t.Fatalf("String() = %q; want %q", got, want)
	}
	if got, want := New(nil).String(), "not fired"; !strings.HasSuffix(got, want) {
		t.Fatalf("String() = %q; want suffix %q", got, want)
	}
}

// A step that hands a Deferred's result on names who waits for it: the
// DeferredList (or Gather, or Race) it is in, or the Coroutine awaiting
// it, as a chain's StepChain names the chain that waits.
func TestTraceNamesWhoWaits(t *testing.T) {
	evs := record(t)
	waiterOf := func(d *Deferred) uint64 {
		for _, ev := range *evs {
			if ev.ID == d.ID() && ev.Kind == EventStepAdded {
				return ev.WaitingOn
			}
		}
		return 0
	}
	a, b := New(nil), New(nil)
	list := Gather([]*Deferred{a, b}, true)
	r1, r2 := New(nil), New(nil)
	race := Race([]*Deferred{r1, r2})
	c := New(nil)
	co := Coroutine(func(await Await) (any, error) { return await(c) })
	for _, tt := range []struct {
		name         string
		child, group *Deferred
	}{{"Gather", a, list}, {"Gather", b, list}, {"Race", r2, race}, {"Coroutine", c, co}} {
		if got := waiterOf(tt.child); got != tt.group.ID() {
			t.Errorf("%s: the step added to its Deferred names d%d as waiting; want d%d", tt.name, got, tt.group.ID())
		}
	}
	for _, d := range []*Deferred{a, b, r1, c} {
		d.Callback(1)
	}
}
