package deferred

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// capture installs a hook recording reports for the Deferred ids wanted
// (GC reports from other tests may arrive at any time).
func capture(t *testing.T) (reports func() []UnhandledFailure, want func(*Deferred)) {
	t.Helper()
	ids := map[uint64]bool{}
	var got []UnhandledFailure
	ch := make(chan UnhandledFailure, 16)
	prev := SetUnhandledHook(func(u UnhandledFailure) { ch <- u })
	t.Cleanup(func() { SetUnhandledHook(prev) })
	reports = func() []UnhandledFailure {
		for {
			select {
			case u := <-ch:
				if ids[u.ID] {
					got = append(got, u)
				}
			default:
				return got
			}
		}
	}
	return reports, func(d *Deferred) { ids[d.ID()] = true }
}

// fakePass stands in for a loop: functions scheduled "at the end of the pass" run on endPass.
type fakePass struct{ queued []func() }

func (p *fakePass) schedule(fn func()) { p.queued = append(p.queued, fn) }
func (p *fakePass) endPass() {
	q := p.queued
	p.queued = nil
	for _, fn := range q {
		fn()
	}
}

func bindFakePass(t *testing.T) *fakePass {
	p := &fakePass{}
	t.Cleanup(setEndOfPass(p.schedule))
	return p
}

// Bound to a loop, a chain that ends holding a Failure is reported at the end of the pass.
func TestUnhandledReportedAtEndOfPass(t *testing.T) {
	pass := bindFakePass(t)
	reports, want := capture(t)
	d := New(nil).SetLabel("fetch /index")
	want(d)
	d.AddCallback(fail(errBoom))
	d.Callback(1)
	if got := reports(); len(got) != 0 {
		t.Fatalf("reported before the end of the pass: %v", got)
	}
	pass.endPass()
	got := reports()
	if len(got) != 1 {
		t.Fatalf("got %d reports; want 1", len(got))
	}
	u := got[0]
	if u.Label != "fetch /index" || u.Failure.Check(errBoom) == nil || !strings.Contains(u.Created, "unhandled_test.go") || u.AtGC {
		t.Fatalf("report = %+v; want label, errBoom, creation site in unhandled_test.go, not at GC", u)
	}
	if s := u.String(); !strings.Contains(s, "Unhandled failure in Deferred") || !strings.Contains(s, "fetch /index") {
		t.Fatalf("String() = %q; want the headline and the label", s)
	}
	pass.endPass()
	if got := reports(); len(got) != 1 {
		t.Fatalf("got %d reports after a second pass; want still 1 (reported once)", len(got))
	}
}

// An errback added before the end of the pass handles the failure: no report.
func TestHandledInSamePassNotReported(t *testing.T) {
	pass := bindFakePass(t)
	reports, want := capture(t)
	d := Fail(errBoom)
	want(d)
	d.AddErrback(func(*Failure) (any, error) { return nil, nil })
	pass.endPass()
	if got := reports(); len(got) != 0 {
		t.Fatalf("got %v; want no report", got)
	}
}

// A failure handed to a waiting outer Deferred is the outer's problem, not the inner's.
func TestChainedFailureReportedOnceOnOuter(t *testing.T) {
	pass := bindFakePass(t)
	reports, want := capture(t)
	inner := New(nil)
	outer := Succeed(0).AddCallback(func(any) (any, error) { return inner, nil })
	want(inner)
	want(outer)
	inner.Errback(errBoom)
	pass.endPass()
	got := reports()
	if len(got) != 1 || got[0].ID != outer.ID() {
		t.Fatalf("reports = %v; want one, for the outer Deferred", got)
	}
}

// A failure produced in one pass and handled in a later one has already been reported.
func TestHandledTooLateIsReported(t *testing.T) {
	pass := bindFakePass(t)
	reports, want := capture(t)
	d := Fail(errBoom)
	want(d)
	pass.endPass()
	d.AddErrback(func(*Failure) (any, error) { return nil, nil })
	if got := reports(); len(got) != 1 {
		t.Fatalf("got %d reports; want 1", len(got))
	}
}

// Outside a loop, an unhandled failure is reported when the Deferred is garbage-collected.
func TestUnhandledReportedAtGC(t *testing.T) {
	ch := make(chan UnhandledFailure, 64)
	prev := SetUnhandledHook(func(u UnhandledFailure) { ch <- u })
	t.Cleanup(func() { SetUnhandledHook(prev) })
	id := dropFailedDeferred()
	deadline := time.After(20 * time.Second) // generous: this is a liveness bound, not a timing assert
	for {
		runtime.GC()
		select {
		case u := <-ch:
			if u.ID != id {
				continue
			}
			if !u.AtGC || u.Failure.Check(errBoom) == nil {
				t.Fatalf("report = %+v; want AtGC with errBoom", u)
			}
			return
		case <-deadline:
			t.Fatalf("no report for the collected Deferred")
		default:
			runtime.Gosched()
		}
	}
}

//go:noinline
func dropFailedDeferred() uint64 {
	return Fail(errBoom).SetLabel("dropped").ID()
}

// In debug mode a report carries the creation and first-firing stacks.
func TestUnhandledDebugStacks(t *testing.T) {
	SetDebugging(true)
	defer SetDebugging(false)
	pass := bindFakePass(t)
	reports, want := capture(t)
	d := New(nil)
	want(d)
	firstFireErr(d)
	pass.endPass()
	got := reports()
	if len(got) != 1 || !strings.Contains(got[0].Created, "TestUnhandledDebugStacks") || !strings.Contains(got[0].Fired, "firstFireErr") {
		t.Fatalf("reports = %+v; want creation and firing stacks", got)
	}
}

//go:noinline
func firstFireErr(d *Deferred) { d.Errback(errBoom) }

// A label set after the chain already ended on a failure is the label
// reported (defect 3: Fail(err).SetLabel("x") was reported unlabelled).
func TestLabelSetAfterFailureIsReported(t *testing.T) {
	pass := bindFakePass(t)
	reports, want := capture(t)
	d := Fail(errBoom).SetLabel("x")
	want(d)
	pass.endPass()
	got := reports()
	if len(got) != 1 || got[0].Label != "x" {
		t.Fatalf("reports = %+v; want one labelled \"x\"", got)
	}
}
