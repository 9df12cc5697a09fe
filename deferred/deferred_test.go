package deferred

import (
	"errors"
	"strings"
	"testing"
)

// Each step's return value is the next step's input, and its type may change.
func TestReturnValueFeedsNextStep(t *testing.T) {
	d := New(nil)
	d.AddCallback(add(1)).AddCallback(func(v any) (any, error) {
		return strings.Repeat("x", v.(int)), nil
	})
	d.Callback(2)
	if got := resultOf(t, d); got != "xxx" {
		t.Fatalf("result = %v; want xxx", got)
	}
}

// A returned error moves the result to the errback track, skipping callbacks.
func TestReturnedErrorSwitchesToErrback(t *testing.T) {
	d := New(nil)
	skipped := true
	d.AddCallback(fail(errBoom)).AddCallback(func(v any) (any, error) { skipped = false; return v, nil })
	d.Callback(1)
	failureOf(t, d, errBoom)
	if !skipped {
		t.Fatalf("callback after the error ran; want it skipped")
	}
}

// Returning a *Failure as the value also moves to the errback track.
func TestReturnedFailureValueSwitchesToErrback(t *testing.T) {
	d := Succeed(1).AddCallback(func(any) (any, error) { return &Failure{Err: errBoom}, nil })
	failureOf(t, d, errBoom)
}

// A panic becomes a Failure holding the panic value, its site and its stack.
func TestPanicBecomesFailure(t *testing.T) {
	d := Succeed(1).AddCallback(func(any) (any, error) { panic(errBoom) })
	f := failureOf(t, d, errBoom)
	if !f.Panicked() {
		t.Fatalf("Panicked() = false; want true")
	}
	if !strings.HasPrefix(f.Site, "deferred/deferred_test.go:") {
		t.Fatalf("Site = %q; want the panicking line in deferred_test.go", f.Site)
	}
	if !strings.Contains(f.Stack, "TestPanicBecomesFailure") {
		t.Fatalf("Stack = %q; want it to contain the test function", f.Stack)
	}
	var pe *PanicError
	if !errors.As(f, &pe) || pe.Value != errBoom {
		t.Fatalf("errors.As(f, *PanicError) = %v; want Value errBoom", pe)
	}
}

// An errback that returns a plain value handles the failure: back to the callback track.
func TestErrbackValueSwitchesBackToCallback(t *testing.T) {
	d := Fail(errBoom).AddErrback(func(*Failure) (any, error) { return 7, nil }).AddCallback(add(1))
	if got := resultOf(t, d); got != 8 {
		t.Fatalf("result = %v; want 8", got)
	}
}

// An errback that returns nil, nil also handles the failure, with nil as the value.
func TestErrbackNilHandles(t *testing.T) {
	d := Fail(errBoom).AddErrback(func(*Failure) (any, error) { return nil, nil })
	if got := resultOf(t, d); got != nil {
		t.Fatalf("result = %v; want nil", got)
	}
}

// Trap passes on a failure it does not match, so the next errback sees it.
func TestTrapPassesOnUnmatched(t *testing.T) {
	d := Fail(errOther).AddErrback(func(f *Failure) (any, error) {
		if err := f.Trap(errBoom); err != nil {
			return nil, err
		}
		return "trapped", nil
	})
	f := failureOf(t, d, errOther)
	if f.Check(errBoom) != nil {
		t.Fatalf("Check(errBoom) = non-nil; want nil")
	}
	d2 := Fail(errBoom).AddErrback(func(f *Failure) (any, error) { return "trapped", f.Trap(errOther, errBoom) })
	if got := resultOf(t, d2); got != "trapped" {
		t.Fatalf("result = %v; want trapped", got)
	}
}

// AddCallbacks(cb, eb) is one step: eb does NOT see an error returned by cb.
func TestAddCallbacksGotcha(t *testing.T) {
	sawError := false
	d := Succeed(1).AddCallbacks(fail(errBoom), func(f *Failure) (any, error) { sawError = true; return nil, nil })
	failureOf(t, d, errBoom)
	if sawError {
		t.Fatalf("eb of the same AddCallbacks step saw cb's error; want it to be skipped")
	}
}

// AddCallback(cb).AddErrback(eb) is two steps: eb does catch cb's error.
func TestAddCallbackThenAddErrbackCatches(t *testing.T) {
	d := Succeed(1).AddCallback(fail(errBoom)).AddErrback(func(*Failure) (any, error) { return "caught", nil })
	if got := resultOf(t, d); got != "caught" {
		t.Fatalf("result = %v; want caught", got)
	}
}

// AddBoth runs its function on either track, seeing the value or the *Failure.
func TestAddBothSeesBothTracks(t *testing.T) {
	var seen []any
	both := func(v any) (any, error) { seen = append(seen, v); return v, nil }
	Succeed(5).AddBoth(both)
	d := Fail(errBoom).AddBoth(both)
	failureOf(t, d, errBoom)
	if len(seen) != 2 || seen[0] != 5 {
		t.Fatalf("AddBoth saw %v; want [5 failure]", seen)
	}
	if _, ok := seen[1].(*Failure); !ok {
		t.Fatalf("AddBoth saw %T on the errback track; want *Failure", seen[1])
	}
}

// Adding a step to a fired Deferred runs it synchronously, before Add returns.
func TestAddToFiredRunsSynchronously(t *testing.T) {
	d := Succeed(1)
	ran := false
	d.AddCallback(func(v any) (any, error) { ran = true; return v, nil })
	if !ran {
		t.Fatalf("callback added after firing did not run synchronously")
	}
}

// Callbacks added before firing run only when the Deferred fires.
func TestStepsWaitForFiring(t *testing.T) {
	d := New(nil)
	d.AddCallback(add(1))
	noResult(t, d)
	d.Callback(1)
	if got := resultOf(t, d); got != 2 {
		t.Fatalf("result = %v; want 2", got)
	}
}

// Firing twice panics with ErrAlreadyCalled: it is never silently ignored.
func TestFiringTwicePanics(t *testing.T) {
	tests := []struct {
		name   string
		second func(d *Deferred)
	}{
		{"callback", func(d *Deferred) { d.Callback(2) }},
		{"errback", func(d *Deferred) { d.Errback(errBoom) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(nil)
			d.Callback(1)
			err := catchPanic(func() { tc.second(d) })
			if !errors.Is(err, ErrAlreadyCalled) {
				t.Fatalf("second firing panicked with %v; want ErrAlreadyCalled", err)
			}
			if !strings.Contains(err.Error(), "deferred_test.go") {
				t.Fatalf("error %q; want it to name the second firing site", err)
			}
		})
	}
}

// In debug mode the AlreadyCalledError shows where the Deferred was created and first fired.
func TestAlreadyCalledDebugShowsBothSites(t *testing.T) {
	SetDebugging(true)
	defer SetDebugging(false)
	d := New(nil)
	firstFire(d)
	err := catchPanic(func() { d.Callback(2) })
	var ace *AlreadyCalledError
	if !errors.As(err, &ace) {
		t.Fatalf("panic = %v; want *AlreadyCalledError", err)
	}
	if !strings.Contains(ace.FirstFired, "firstFire") {
		t.Fatalf("FirstFired = %q; want the firstFire frame", ace.FirstFired)
	}
	if !strings.Contains(ace.Created, "TestAlreadyCalledDebugShowsBothSites") {
		t.Fatalf("Created = %q; want the creating test", ace.Created)
	}
	if !strings.Contains(ace.SecondFired, "deferred_test.go") {
		t.Fatalf("SecondFired = %q; want deferred_test.go", ace.SecondFired)
	}
}

//go:noinline
func firstFire(d *Deferred) { d.Callback(1) }

func catchPanic(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err, _ = r.(error)
		}
	}()
	fn()
	return nil
}

// Callback with a *Failure behaves like Errback.
func TestCallbackWithFailureIsErrback(t *testing.T) {
	d := New(nil)
	d.Callback(&Failure{Err: errBoom})
	failureOf(t, d, errBoom)
}

// Errback records the caller as the failure's site and keeps the original error.
func TestErrbackRecordsSite(t *testing.T) {
	d := New(nil)
	d.Errback(errBoom)
	f := failureOf(t, d, errBoom)
	if !strings.HasPrefix(f.Site, "deferred/deferred_test.go:") {
		t.Fatalf("Site = %q; want deferred/deferred_test.go:N", f.Site)
	}
	if f.Error() != "boom" || errors.Unwrap(f) != errBoom {
		t.Fatalf("Failure = %q / %v; want boom wrapping errBoom", f.Error(), errors.Unwrap(f))
	}
}

// New records where the Deferred was created.
func TestSiteIsCreationSite(t *testing.T) {
	d := New(nil)
	if !strings.HasPrefix(d.Site(), "deferred/deferred_test.go:") {
		t.Fatalf("Site() = %q; want deferred/deferred_test.go:N", d.Site())
	}
	if s := Succeed(1).Site(); !strings.HasPrefix(s, "deferred/deferred_test.go:") {
		t.Fatalf("Succeed(1).Site() = %q; want deferred/deferred_test.go:N", s)
	}
}

// MaybeDeferred turns values, errors, panics and Deferreds into a Deferred.
func TestMaybeDeferred(t *testing.T) {
	inner := New(nil)
	if got := MaybeDeferred(func() (any, error) { return inner, nil }); got != inner {
		t.Fatalf("MaybeDeferred(returns d) = %v; want d itself", got)
	}
	if got := resultOf(t, MaybeDeferred(func() (any, error) { return 3, nil })); got != 3 {
		t.Fatalf("MaybeDeferred(3) = %v; want 3", got)
	}
	failureOf(t, MaybeDeferred(func() (any, error) { return nil, errBoom }), errBoom)
	failureOf(t, MaybeDeferred(func() (any, error) { panic(errBoom) }), errBoom)
	failureOf(t, MaybeDeferred(func() (any, error) { return &Failure{Err: errBoom}, nil }), errBoom)
}

// Pause holds a fired chain; the matching Unpause lets it continue.
func TestPauseUnpause(t *testing.T) {
	d := New(nil)
	d.Pause()
	d.Pause()
	d.AddCallback(add(1))
	d.Callback(1)
	if d.PendingSteps() != 1 {
		t.Fatalf("PendingSteps() = %d while paused; want 1", d.PendingSteps())
	}
	d.Unpause()
	if d.PendingSteps() != 1 {
		t.Fatalf("PendingSteps() = %d after one of two Unpause; want 1", d.PendingSteps())
	}
	d.Unpause()
	d.Unpause() // extra: ignored
	if got := resultOf(t, d); got != 2 {
		t.Fatalf("result = %v; want 2", got)
	}
}

// A step may add more steps to its own Deferred; they run after it, in order.
func TestStepAddsStepsToItsOwnDeferred(t *testing.T) {
	d := New(nil)
	var order []int
	d.AddCallback(func(v any) (any, error) {
		order = append(order, 1)
		d.AddCallback(func(v any) (any, error) { order = append(order, 3); return v, nil })
		return v, nil
	})
	d.AddCallback(func(v any) (any, error) { order = append(order, 2); return v, nil })
	d.Callback(0)
	if len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 3 {
		t.Fatalf("order = %v; want [1 2 3]", order)
	}
}

// String-free introspection: Called, Result and PendingSteps describe the state.
func TestStateAccessors(t *testing.T) {
	d := New(nil).SetLabel("fetch")
	if d.Called() || d.Label() != "fetch" {
		t.Fatalf("Called() = %v, Label() = %q; want false, fetch", d.Called(), d.Label())
	}
	d.Callback(4)
	if v, ok := d.Result(); !ok || v != 4 || !d.Called() {
		t.Fatalf("Result() = %v, %v; want 4, true", v, ok)
	}
}

// Firing with a *Deferred, or failing with a nil error, is a programming error that panics.
func TestFiringMisusePanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"Callback(*Deferred)", func() { New(nil).Callback(New(nil)) }},
		{"Succeed(*Deferred)", func() { Succeed(New(nil)) }},
		{"Errback(nil)", func() { New(nil).Errback(nil) }},
		{"Fail(nil)", func() { Fail(nil) }},
	}
	for _, tc := range tests {
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			tc.fn()
			return false
		}()
		if !panicked {
			t.Errorf("%s did not panic; want a panic", tc.name)
		}
	}
}

// MaybeDeferred never returns nil: a nil *Deferred from fn is a failure (defect 2).
func TestMaybeDeferredNilDeferred(t *testing.T) {
	d := MaybeDeferred(func() (any, error) { var nd *Deferred; return nd, nil })
	if d == nil {
		t.Fatalf("MaybeDeferred(returns nil *Deferred) = nil; want a failed Deferred")
	}
	failureOf(t, d, ErrNilDeferred)
}
