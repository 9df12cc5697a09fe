// Package deferredtest checks Deferreds in tests, the way Twisted's trial
// does with successResultOf, failureResultOf and assertNoResult.
//
// A test of code that returns a Deferred should not run a loop and wait:
// drive the Deferred synchronously instead (fire it, or advance a
// deferred.FakeClock), then ask what it holds now. Each function here looks
// at the result the Deferred has at this moment, never waits, and fails
// the test with a message that says what it found:
//
//	func TestGreeting(t *testing.T) {
//		clock := deferred.NewFakeClock(time.Unix(0, 0))
//		d := Greeting(lookup, clock, time.Second)
//		deferredtest.AssertNoResult(t, d)      // still waiting on lookup
//		clock.Advance(time.Second)
//		f := deferredtest.FailureResultOf(t, d, deferred.ErrTimeout)
//		...
//	}
//
// As in Twisted, SuccessResultOf and FailureResultOf take the result: they
// add a step that returns nil, so afterwards the Deferred holds nil, and a
// failure they return counts as handled (it will not be reported as an
// unhandled failure). AssertNoResult adds a step that passes the result on
// untouched when it comes.
package deferredtest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/reactorlab/reactorlab/deferred"
)

// take adds a step that captures d's result now, if it has one, and
// leaves nil in its place.
func take(d *deferred.Deferred) (result any, ok bool) {
	d.AddBoth(func(v any) (any, error) {
		if !ok {
			result, ok = v, true
			return nil, nil
		}
		return v, nil
	})
	return result, ok
}

// SuccessResultOf returns the value d holds now, and fails the test if d
// has no result yet (it has not fired, it is paused, or it waits on another
// Deferred) or holds a failure. It takes the result: d then holds nil.
func SuccessResultOf(t testing.TB, d *deferred.Deferred) any {
	t.Helper()
	v, ok := take(d)
	if !ok {
		t.Fatalf("SuccessResultOf(%s): no result yet (%s); want a value", name(d), waiting(d))
		return nil
	}
	if f, failed := v.(*deferred.Failure); failed {
		t.Fatalf("SuccessResultOf(%s): holds failure %+v; want a value", name(d), f)
		return nil
	}
	return v
}

// FailureResultOf returns the failure d holds now, and fails the test if d
// has no result yet, holds a value, or (when targets are given) holds a
// failure matching none of them (errors.Is, as Failure.Check). It takes
// the failure: d then holds nil, and the failure counts as handled.
func FailureResultOf(t testing.TB, d *deferred.Deferred, targets ...error) *deferred.Failure {
	t.Helper()
	v, ok := take(d)
	if !ok {
		t.Fatalf("FailureResultOf(%s): no result yet (%s); want a failure", name(d), waiting(d))
		return nil
	}
	f, failed := v.(*deferred.Failure)
	if !failed {
		t.Fatalf("FailureResultOf(%s): holds value %v; want a failure", name(d), v)
		return nil
	}
	if len(targets) > 0 && f.Check(targets...) == nil {
		t.Fatalf("FailureResultOf(%s): holds failure %+v; want one matching %q", name(d), f, targets)
		return nil
	}
	return f
}

// AssertNoResult fails the test if d has a result now. A failure found
// there is handled first, so that the test fails once, for the right reason.
func AssertNoResult(t testing.TB, d *deferred.Deferred) {
	t.Helper()
	var result any
	has := false
	d.AddBoth(func(v any) (any, error) {
		result, has = v, true
		if _, failed := v.(*deferred.Failure); failed {
			return nil, nil
		}
		return v, nil
	})
	if has {
		t.Fatalf("AssertNoResult(%s): has result %v; want none yet", name(d), result)
	}
}

// name is d's label, quoted, or else its id ("d7").
func name(d *deferred.Deferred) string {
	if l := d.Label(); l != "" {
		return strconv.Quote(l)
	}
	return fmt.Sprintf("d%d", d.ID())
}

// waiting says why d, which has no result, has none.
func waiting(d *deferred.Deferred) string {
	switch {
	case !d.Called():
		return "it has not fired"
	case d.ChainedTo() != nil:
		return "it waits on " + name(d.ChainedTo())
	}
	return "it is paused"
}
