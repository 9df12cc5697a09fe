package deferred

import (
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

func newLoop(t *testing.T) *reactor.Loop {
	t.Helper()
	l, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		t.Fatalf("reactor.New: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Bound to a real loop, an unhandled failure becomes a KindError trace event within the pass.
func TestBindReportsThroughLoopTrace(t *testing.T) {
	l := newLoop(t)
	sub := l.Subscribe(256)
	defer sub.Close()
	var reported []UnhandledFailure
	prev := SetUnhandledHook(func(u UnhandledFailure) { reported = append(reported, u) })
	t.Cleanup(func() { SetUnhandledHook(prev) })
	unbind := Bind(l)
	defer unbind()

	var d *Deferred
	l.CallSoon(func() { d = Fail(errBoom).SetLabel("bound") })
	for range 3 {
		if err := l.Iterate(0); err != nil {
			t.Fatalf("Iterate: %v", err)
		}
	}
	if len(reported) != 1 || reported[0].ID != d.ID() {
		t.Fatalf("reports = %v; want one for %s", reported, idName(d.ID()))
	}
	var found bool
	for _, ev := range sub.Drain(nil) {
		if ev.Kind == reactor.KindError && ev.Label == UnhandledLabel && strings.Contains(ev.Text, "boom") {
			found = true
		}
	}
	if !found && l.Tracing() { // Tracing is false in the reactor_notrace build
		t.Fatalf("no KindError %q trace event", UnhandledLabel)
	}
}

// DeferToGoroutine and DeferLater work end to end on a real loop through LoopClock.
func TestLoopClockEndToEnd(t *testing.T) {
	l := newLoop(t)
	loop := LoopClock(l)
	var got []any
	collect := func(v any) (any, error) { got = append(got, v); return nil, nil }
	DeferToGoroutine(loop, func() (any, error) { return "from a worker", nil }).AddCallback(collect)
	DeferLater(loop, time.Millisecond, func() (any, error) { return "later", nil }).AddCallback(collect)
	deadline := time.Now().Add(10 * time.Second) // liveness bound only
	for len(got) < 2 && time.Now().Before(deadline) {
		if err := l.Iterate(100 * time.Millisecond); err != nil {
			t.Fatalf("Iterate: %v", err)
		}
	}
	if len(got) != 2 {
		t.Fatalf("got %v; want both results", got)
	}
}

// TraceTo copies deferred events into the loop's trace only while it has a subscriber.
func TestTraceToForwardsWhileSubscribed(t *testing.T) {
	l := newLoop(t)
	stop := TraceTo(l)
	defer stop()
	if process.obs.listening() && !l.Tracing() {
		t.Fatalf("listening = true with no subscriber; want nothing built")
	}
	sub := l.Subscribe(256)
	defer sub.Close()
	d := Succeed(1).AddCallback(add(1))
	n := 0
	for _, ev := range sub.Drain(nil) {
		if ev.Kind == reactor.KindDeferred && strings.HasPrefix(ev.Text, idName(d.ID())+" ") {
			n++
		}
	}
	if n == 0 && l.Tracing() {
		t.Fatalf("no KindDeferred events for %s", idName(d.ID()))
	}
}
