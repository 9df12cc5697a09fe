package visualizer

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/deferred"
)

// The chain pane keeps a Deferred in focus while it waits on another one,
// and marks an unhandled failure.
func TestChainFocusAndUnhandled(t *testing.T) {
	p := newChain()
	p.Update(chainMsg{Events: chainEvents()})
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventFired, ID: 2, Label: "db query", TrackIn: deferred.TrackErrback, InSummary: "timeout"},
	}})
	if p.focus != 1 {
		t.Errorf("focus = #%d; want #1 (it waits on #2)", p.focus)
	}
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventResumed, ID: 1, Label: "fetch user", WaitingOn: 2},
		{Kind: deferred.EventUnhandled, ID: 1, Label: "fetch user", OutSummary: "db: timeout", Site: "demo.go:12"},
	}})
	p.SetSize(70, 10)
	got := ansi.Strip(p.View())
	if !strings.Contains(got, "✗ UNHANDLED failure at end of chain: db: timeout") {
		t.Errorf("View() lacks the unhandled failure:\n%s", got)
	}
	if strings.Contains(got, "paused at") {
		t.Errorf("View() still says paused after EventResumed:\n%s", got)
	}
}

// waitingChains: #1 "user 30" waits on #2 "lookup user 30"; #3 "user 7"
// is another client's chain, running.
func waitingChains() []deferred.TraceEvent {
	return []deferred.TraceEvent{
		{Kind: deferred.EventStepAdded, ID: 1, Label: "user 30", Step: 0, StepKind: deferred.StepCallback},
		{Kind: deferred.EventFired, ID: 1, Label: "user 30", TrackIn: deferred.TrackCallback, InSummary: `"user 30"`},
		{Kind: deferred.EventCreated, ID: 2, Label: "lookup user 30"},
		{Kind: deferred.EventPaused, ID: 1, Label: "user 30", WaitingOn: 2},
		{Kind: deferred.EventStepAdded, ID: 2, Label: "lookup user 30", Step: 0, StepKind: deferred.StepChain, WaitingOn: 1},
		{Kind: deferred.EventCreated, ID: 3, Label: "user 7"},
	}
}

// What happens to a Deferred that a chain waits on is shown on the chain
// that waits: a cancel forwarded from the outer chain to the inner one is
// named on the outer one, which keeps the focus for a while so a learner
// can pause on it.
func TestChainCancelForwarded(t *testing.T) {
	p := newChain()
	p.SetSize(70, 12)
	p.Update(&frameMsg{Now: t0})
	p.Update(chainMsg{Events: waitingChains()})
	if p.focus != 3 {
		t.Fatalf("focus = #%d; want #3, the latest activity", p.focus)
	}
	p.Update(chainMsg{Events: []deferred.TraceEvent{{Kind: deferred.EventCancelled, ID: 2, Label: "lookup user 30"}}})
	if p.focus != 1 {
		t.Fatalf("focus = #%d after the inner lookup was cancelled; want #1, the chain waiting on it", p.focus)
	}
	got := ansi.Strip(p.View())
	if !strings.Contains(got, `■ the cancel reached Deferred #2 "lookup user 30", which it waited on`) {
		t.Errorf("View() lacks the forwarded cancel:\n%s", got)
	}
	p.Update(&frameMsg{Now: t0.Add(time.Second)})
	p.Update(chainMsg{Events: []deferred.TraceEvent{{Kind: deferred.EventStepAdded, ID: 3, Label: "user 7", Step: 1}}})
	if p.focus != 1 {
		t.Errorf("focus = #%d a second after the cancel; want #1 still (held %v)", p.focus, chainHold)
	}
	p.Update(&frameMsg{Now: t0.Add(chainHold + time.Second)})
	p.Update(chainMsg{Events: []deferred.TraceEvent{{Kind: deferred.EventStepAdded, ID: 3, Label: "user 7", Step: 2}}})
	if p.focus != 3 {
		t.Errorf("focus = #%d once the hold is over; want #3 again", p.focus)
	}
}

// Lists and coroutines wait too: an event of a Deferred in a Gather that a
// chain waits on shows that chain, and a coroutine shows the lookup its
// await waits on.
func TestChainWaitsThroughListsAndAwaits(t *testing.T) {
	p := newChain()
	p.SetSize(70, 12)
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventFired, ID: 10, Label: "user 7", TrackIn: deferred.TrackCallback},
		{Kind: deferred.EventStepAdded, ID: 12, Label: "lookup user 7", Step: 0, StepKind: deferred.StepCallbacks, WaitingOn: 11},
		{Kind: deferred.EventStepAdded, ID: 13, Label: "lookup team of 7", Step: 0, StepKind: deferred.StepCallbacks, WaitingOn: 11},
		{Kind: deferred.EventCreated, ID: 11, Label: "gather user+team 7"},
		{Kind: deferred.EventPaused, ID: 10, Label: "user 7", WaitingOn: 11},
		{Kind: deferred.EventStepAdded, ID: 11, Label: "gather user+team 7", Step: 0, StepKind: deferred.StepChain, WaitingOn: 10},
		{Kind: deferred.EventCreated, ID: 30, Label: "elsewhere"},
		{Kind: deferred.EventFired, ID: 13, Label: "lookup team of 7", TrackIn: deferred.TrackCallback},
	}})
	if p.focus != 10 {
		t.Errorf("focus = #%d after a child of the Gather fired; want #10, the chain waiting on the Gather", p.focus)
	}
	p.focus = 11
	if got := ansi.Strip(p.View()); !strings.Contains(got, `▶ waiting on Deferred #12 "lookup user 7" and 1 more`) {
		t.Errorf("the Gather's view does not say what it waits on:\n%s", got)
	}
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventFired, ID: 20, Label: "user 8"},
		{Kind: deferred.EventStepAdded, ID: 21, Label: "lookup user 8", Step: 1, StepKind: deferred.StepBoth, WaitingOn: 20},
		{Kind: deferred.EventCreated, ID: 31, Label: "elsewhere"},
		{Kind: deferred.EventStepRun, ID: 21, Label: "lookup user 8", Step: 0, StepKind: deferred.StepCallback},
	}})
	if p.focus != 20 {
		t.Errorf("focus = #%d after the awaited lookup ran a step; want #20, the coroutine awaiting it", p.focus)
	}
	if got := ansi.Strip(p.View()); !strings.Contains(got, `▶ waiting on Deferred #21 "lookup user 8"`) {
		t.Errorf("the coroutine's view does not say what it awaits:\n%s", got)
	}
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventStepRun, ID: 21, Label: "lookup user 8", Step: 1, StepKind: deferred.StepBoth},
	}})
	if got := ansi.Strip(p.View()); strings.Contains(got, "waiting on") {
		t.Errorf("the coroutine still waits after the lookup handed its result over:\n%s", got)
	}
}

// With the events the deferred package really emits, a coroutine awaiting
// a Gather of two lookups stays the chain in view, from its first await to
// its end, whichever of the Deferreds inside spoke last.
func TestChainFollowsRealDeferreds(t *testing.T) {
	rec := NewChainRecorder(1024)
	defer deferred.Observe(rec.Observe)()
	clock := deferred.NewFakeClock(t0)
	lookup := func(label string, d time.Duration) *deferred.Deferred {
		return deferred.DeferLater(clock, d, func() (any, error) { return label, nil }).SetLabel(label)
	}
	outer := deferred.Coroutine(func(await deferred.Await) (any, error) {
		return await(deferred.Gather([]*deferred.Deferred{lookup("user", time.Second), lookup("team", 2*time.Second)}, true))
	})
	outer.AddCallback(func(any) (any, error) { return nil, nil })
	p := newChain()
	p.SetSize(70, 12)
	for _, at := range []time.Duration{0, time.Second, 2 * time.Second} {
		clock.Advance(at - clock.Now().Sub(t0))
		p.Update(chainMsg{Events: rec.Drain(nil)})
		if p.focus != outer.ID() {
			t.Fatalf("at %v: focus #%d (%s); want the coroutine #%d", at, p.focus, p.byID[p.focus].label, outer.ID())
		}
		waiting := strings.Contains(ansi.Strip(p.View()), "▶ waiting on Deferred")
		if want := at < 2*time.Second; waiting != want {
			t.Errorf("at %v: the coroutine's view says it waits: %v; want %v:\n%s", at, waiting, want, ansi.Strip(p.View()))
		}
	}
}
