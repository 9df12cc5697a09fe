package deferred

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// loopRun is what one loop's goroutine saw: the reports of its Binding's
// hook, its observer's events and its trace's error events.
type loopRun struct {
	reports []UnhandledFailure
	events  []TraceEvent
	traced  []string
	id      uint64 // the Deferred made on the loop
}

// runBound binds l, makes a failing Deferred labelled label on l's goroutine
// and runs passes until it has been reported.
func runBound(t *testing.T, l *reactor.Loop, label string, debug bool) *loopRun {
	b := BindLoop(l)
	defer b.Unbind()
	b.SetDebugging(debug)
	run := &loopRun{}
	b.SetUnhandledHook(func(u UnhandledFailure) { run.reports = append(run.reports, u) })
	defer b.Observe(func(ev TraceEvent) { run.events = append(run.events, ev) })()
	sub := l.Subscribe(256)
	defer sub.Close()
	l.CallSoon(func() {
		d := b.New(nil).SetLabel(label)
		run.id = d.ID()
		d.AddCallback(fail(errBoom))
		d.Callback(1)
	})
	for range 4 {
		if err := l.Iterate(0); err != nil {
			t.Errorf("Iterate: %v", err)
			return run
		}
	}
	for _, ev := range sub.Drain(nil) {
		if ev.Kind == reactor.KindError && ev.Label == UnhandledLabel {
			run.traced = append(run.traced, ev.Text)
		}
	}
	return run
}

// Two loops, each with its own Binding, run at once in one process: each
// Binding's hook, debug flag, observers and trace see only its own Deferreds.
func TestTwoBoundLoops(t *testing.T) {
	t.Parallel()
	l1, l2 := newLoop(t), newLoop(t)
	var r1, r2 *loopRun
	var wg sync.WaitGroup
	wg.Go(func() { r1 = runBound(t, l1, "one", true) })
	wg.Go(func() { r2 = runBound(t, l2, "two", false) })
	wg.Wait()
	for _, c := range []struct {
		name  string
		run   *loopRun
		label string
		debug bool
	}{{"loop 1", r1, "one", true}, {"loop 2", r2, "two", false}} {
		if len(c.run.reports) != 1 || c.run.reports[0].Label != c.label || c.run.reports[0].ID != c.run.id {
			t.Errorf("%s: reports = %v; want one, for its own Deferred %q", c.name, c.run.reports, c.label)
			continue
		}
		if stack := strings.Contains(c.run.reports[0].Created, "runBound"); stack != c.debug {
			t.Errorf("%s: report has a creation stack = %v; want %v (its Binding's debug flag)", c.name, stack, c.debug)
		}
		for _, ev := range c.run.events {
			if ev.ID != c.run.id {
				t.Errorf("%s: observer got %v; want only events of %s", c.name, ev, idName(c.run.id))
			}
		}
		if len(c.run.events) == 0 {
			t.Errorf("%s: observer got no events", c.name)
		}
		if l1.Tracing() && (len(c.run.traced) != 1 || !strings.Contains(c.run.traced[0], c.label)) {
			t.Errorf("%s: trace errors = %q; want one naming %q", c.name, c.run.traced, c.label)
		}
	}
}

// A Deferred joins a Binding when made by it or from its loop's clock;
// combinators, chained Deferreds and coroutines follow what they are given.
func TestDeferredsJoinTheirBinding(t *testing.T) {
	l := newLoop(t)
	b := BindLoop(l)
	defer b.Unbind()
	if again := BindLoop(l); again != b {
		t.Fatalf("BindLoop(l) twice gave two Bindings; want the same")
	}
	own := b.New(nil)
	later := DeferLater(LoopClock(l), time.Hour, nil)
	plain := New(nil)
	list := DeferredList([]*Deferred{plain, own}, ListOptions{})
	outer := Succeed(0).AddCallback(func(any) (any, error) { return own, nil })
	inner := New(nil)
	chained := b.Succeed(0).AddCallback(func(any) (any, error) { return inner, nil })
	co := Coroutine(func(await Await) (any, error) { return await(later) })
	for _, c := range []struct {
		name string
		d    *Deferred
		want *Binding
	}{
		{"b.New", own, b},
		{"DeferLater(LoopClock(l))", later, b},
		{"New", plain, nil},
		{"DeferredList(plain, own)", list, b},
		{"a plain chain waiting on own", outer, nil},
		{"inner returned to a chain of b", inner, b},
		{"Coroutine awaiting a Deferred of b", co, b},
	} {
		if c.d.b != c.want {
			t.Errorf("%s: Binding = %p; want %p", c.name, c.d.b, c.want)
		}
	}
	co.Cancel()
	failureOf(t, co, ErrCancelled)
	inner.Callback(1)
	resultOf(t, chained)
	if b.Unbind(); bindingOfLoop(l) != nil {
		t.Fatalf("after Unbind, l still has a Binding")
	}
}

// A Binding with no hook of its own reports through the process-wide hook.
func TestBindingFallsBackToProcessHook(t *testing.T) {
	reports, want := capture(t)
	b := &Binding{}
	b.attach(&attachment{schedule: func(fn func()) { fn() }})
	d := b.Fail(errBoom)
	want(d)
	if got := reports(); len(got) != 1 || got[0].ID != d.ID() {
		t.Fatalf("reports = %v; want one through the process-wide hook", got)
	}
	var mine []UnhandledFailure
	if prev := b.SetUnhandledHook(func(u UnhandledFailure) { mine = append(mine, u) }); prev != nil {
		t.Fatalf("SetUnhandledHook returned a previous hook; want nil (none of its own)")
	}
	want(b.Fail(errOther))
	if len(mine) != 1 || len(reports()) != 1 {
		t.Fatalf("own hook got %d, process hook %d; want 1 and still 1", len(mine), len(reports()))
	}
}

// A loop that stops ends its Binding.
func TestBindingEndsWhenLoopStops(t *testing.T) {
	l := newLoop(t)
	b := BindLoop(l)
	l.Stop()
	if err := l.Iterate(0); err != nil {
		t.Fatal(err)
	}
	if bindingOfLoop(l) != nil || b.att.Load() != nil {
		t.Fatalf("after the loop stopped, l's Binding is still registered or attached")
	}
}
