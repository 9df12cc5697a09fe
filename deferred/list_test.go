package deferred

import (
	"errors"
	"testing"
)

// DeferredList fires with (success, value) pairs in order and never errbacks by default.
func TestDeferredListDefault(t *testing.T) {
	a, b := New(nil), New(nil)
	list := DeferredList([]*Deferred{a, b}, ListOptions{})
	b.Errback(errBoom)
	noResult(t, list)
	a.Callback(1)
	got := resultOf(t, list).([]ListResult)
	if len(got) != 2 || !got[0].Success || got[0].Value != 1 || got[1].Success {
		t.Fatalf("results = %v; want [{true 1} {false boom}]", got)
	}
	// Without ConsumeErrors the failure also stays on b's own chain.
	failureOf(t, b, errBoom)
}

// ConsumeErrors turns a child's failure into nil on its own chain.
func TestDeferredListConsumeErrors(t *testing.T) {
	b := Fail(errBoom)
	resultOf(t, DeferredList([]*Deferred{b}, ListOptions{ConsumeErrors: true}))
	if got := resultOf(t, b); got != nil {
		t.Fatalf("child after consume = %v; want nil", got)
	}
}

// FireOnOneCallback fires with the first success and its index.
func TestDeferredListFireOnOneCallback(t *testing.T) {
	a, b := New(nil), New(nil)
	list := DeferredList([]*Deferred{a, b}, ListOptions{FireOnOneCallback: true})
	b.Callback("b")
	got := resultOf(t, list).(FirstResult)
	if got.Value != "b" || got.Index != 1 {
		t.Fatalf("result = %+v; want {b 1}", got)
	}
	a.Callback("a") // no second firing of the list
}

// FireOnOneErrback errbacks with a FirstError naming the failing index.
func TestDeferredListFireOnOneErrback(t *testing.T) {
	a, b := New(nil), New(nil)
	list := DeferredList([]*Deferred{a, b}, ListOptions{FireOnOneErrback: true, ConsumeErrors: true})
	b.Errback(errBoom)
	f := failureOf(t, list, errBoom)
	var fe *FirstError
	if !errors.As(f, &fe) || fe.Index != 1 {
		t.Fatalf("failure = %v; want *FirstError at index 1", f)
	}
	a.Callback(1)
}

// An empty DeferredList fires at once with no results.
func TestDeferredListEmpty(t *testing.T) {
	if got := resultOf(t, DeferredList(nil, ListOptions{})).([]ListResult); len(got) != 0 {
		t.Fatalf("results = %v; want []", got)
	}
}

// Cancelling a DeferredList cancels every child.
func TestDeferredListCancel(t *testing.T) {
	a, b := New(nil), New(nil)
	list := DeferredList([]*Deferred{a, b}, ListOptions{ConsumeErrors: true})
	list.Cancel()
	allCancelled(t, list)
}

// allCancelled checks that list fired with every child cancelled.
func allCancelled(t *testing.T, list *Deferred) {
	t.Helper()
	for i, r := range resultOf(t, list).([]ListResult) {
		if r.Success || r.Value.(*Failure).Check(ErrCancelled) == nil {
			t.Fatalf("child %d = %+v; want cancelled", i, r)
		}
	}
}

// Gather fires with the plain values once all succeed.
func TestGather(t *testing.T) {
	a, b := New(nil), New(nil)
	g := Gather([]*Deferred{a, b}, false)
	b.Callback(2)
	a.Callback(1)
	got := resultOf(t, g).([]any)
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("Gather = %v; want [1 2]", got)
	}
}

// Gather errbacks at the first failure, without waiting for the rest.
func TestGatherFirstFailureWins(t *testing.T) {
	a, b := New(nil), New(nil)
	g := Gather([]*Deferred{a, b}, true)
	b.Errback(errBoom)
	failureOf(t, g, errBoom)
	noResult(t, a)
	a.Callback(1)
}

// Race fires with the first success and cancels the others.
func TestRaceFirstSuccessWins(t *testing.T) {
	a, b := New(nil), New(nil)
	r := Race([]*Deferred{a, b})
	b.Callback("b")
	got := resultOf(t, r).(FirstResult)
	if got.Value != "b" || got.Index != 1 {
		t.Fatalf("Race = %+v; want {b 1}", got)
	}
	if !a.Called() {
		t.Fatalf("loser not cancelled")
	}
}

// Race errbacks with a FailureGroup when every Deferred fails.
func TestRaceAllFail(t *testing.T) {
	r := Race([]*Deferred{Fail(errBoom), Fail(errOther)})
	f := failureOf(t, r, errBoom)
	var g *FailureGroup
	if !errors.As(f, &g) || len(g.Failures) != 2 || !errors.Is(f, errOther) {
		t.Fatalf("failure = %v; want a FailureGroup of boom and other", f)
	}
}

// Cancelling a DeferredList whose child is paused leaves the list pending
// until that child can deliver, as in Twisted (defect 4).
func TestDeferredListCancelWithPausedChild(t *testing.T) {
	a, b := New(nil), New(nil)
	a.Pause()
	list := DeferredList([]*Deferred{a, b}, ListOptions{ConsumeErrors: true})
	list.Cancel()
	noResult(t, list)
	a.Unpause()
	allCancelled(t, list)
}

// A child canceller that panics does not stop the other children from being
// cancelled; the panic is reported, not thrown at Cancel's caller (defect 4).
func TestDeferredListCancelSurvivesPanickingCanceller(t *testing.T) {
	reports, want := capture(t)
	a := New(func(*Deferred) { panic(errBoom) })
	b := New(nil)
	want(a)
	list := DeferredList([]*Deferred{a, b}, ListOptions{ConsumeErrors: true})
	if err := catchPanic(list.Cancel); err != nil {
		t.Fatalf("list.Cancel() panicked with %v; want the panic reported and the other children cancelled", err)
	}
	if !b.Called() {
		t.Fatalf("second child not cancelled after the first one's canceller panicked")
	}
	got := reports()
	if len(got) != 1 || got[0].Failure.Check(errBoom) == nil || !got[0].Failure.Panicked() {
		t.Fatalf("reports = %+v; want one for the panicking canceller", got)
	}
}
