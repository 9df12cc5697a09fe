package deferred

import (
	"errors"
	"os"
	"testing"
)

// TestMain keeps the default unhandled-failure hook from printing: many tests
// leave failures behind on purpose, and the GC reports them at random times.
func TestMain(m *testing.M) {
	SetUnhandledHook(func(UnhandledFailure) {})
	os.Exit(m.Run())
}

// resultOf returns d's current result, failing the test if d has not fired or
// holds a failure (trial's successResultOf).
func resultOf(t *testing.T, d *Deferred) any {
	t.Helper()
	var got any
	fired := false
	d.AddBoth(func(v any) (any, error) { got, fired = v, true; return v, nil })
	if !fired {
		t.Fatalf("resultOf(%s): no result yet; want a value", idName(d.id))
	}
	if f, ok := got.(*Failure); ok {
		t.Fatalf("resultOf(%s) = failure %+v; want a value", idName(d.id), f)
	}
	return got
}

// failureOf returns d's failure and consumes it, failing the test if d has
// no result, holds a value, or (when targets are given) a failure matching
// none of them (trial's failureResultOf).
func failureOf(t *testing.T, d *Deferred, targets ...error) *Failure {
	t.Helper()
	var got any
	fired := false
	d.AddBoth(func(v any) (any, error) { got, fired = v, true; return nil, nil })
	if !fired {
		t.Fatalf("failureOf(%s): no result yet; want a failure", idName(d.id))
	}
	f, ok := got.(*Failure)
	if !ok {
		t.Fatalf("failureOf(%s) = value %v; want a failure", idName(d.id), got)
	}
	if len(targets) > 0 && f.Check(targets...) == nil {
		t.Fatalf("failureOf(%s) = %v; want one of %v", idName(d.id), f, targets)
	}
	return f
}

// noResult fails the test if d has a result.
func noResult(t *testing.T, d *Deferred) {
	t.Helper()
	if _, ok := d.Result(); ok {
		t.Fatalf("%s has result %v; want none yet", idName(d.id), summarize(d.result))
	}
}

var (
	errBoom  = errors.New("boom")
	errOther = errors.New("other")
)

func add(n int) CallbackFunc {
	return func(v any) (any, error) { return v.(int) + n, nil }
}

func fail(err error) CallbackFunc {
	return func(any) (any, error) { return nil, err }
}
