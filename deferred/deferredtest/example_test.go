package deferredtest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/deferred/deferredtest"
)

// printer is a testing.TB that prints a failed check instead of stopping
// a test, so the examples can show what a failing test would say.
type printer struct{ testing.TB }

func (printer) Helper()                           {}
func (printer) Fatalf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }

// A test drives the Deferred by hand and asks what it holds at each point:
// here a lookup with a timeout on a fake clock.
func Example() {
	var t testing.TB = printer{} // in a real test: the *testing.T
	clock := deferred.NewFakeClock(time.Unix(0, 0))

	fast := deferred.New(nil).AddTimeout(time.Second, clock)
	deferredtest.AssertNoResult(t, fast)
	fast.Callback("Ada")
	fmt.Println(deferredtest.SuccessResultOf(t, fast))

	slow := deferred.New(nil).AddTimeout(time.Second, clock)
	clock.Advance(time.Second)
	f := deferredtest.FailureResultOf(t, slow, deferred.ErrTimeout)
	fmt.Println(f)
	// Output:
	// Ada
	// deferred: timed out after 1s
}

// What a failing check says.
func ExampleSuccessResultOf() {
	t := printer{}
	deferredtest.SuccessResultOf(t, deferred.Fail(errors.New("disk full")).SetLabel("save"))
	// Output:
	// FAIL: SuccessResultOf("save"): holds failure disk full (raised at deferredtest/example_test.go:43); want a value
}

// FailureResultOf checks the kind of failure too.
func ExampleFailureResultOf() {
	t := printer{}
	d := deferred.Fail(errors.New("connection refused")).SetLabel("dial")
	deferredtest.FailureResultOf(t, d, deferred.ErrTimeout)
	// Output:
	// FAIL: FailureResultOf("dial"): holds failure connection refused (raised at deferredtest/example_test.go:51); want one matching ["deferred: timed out"]
}

// AssertNoResult fails when the Deferred already has a result.
func ExampleAssertNoResult() {
	t := printer{}
	deferredtest.AssertNoResult(t, deferred.Succeed(42).SetLabel("answer"))
	// Output:
	// FAIL: AssertNoResult("answer"): has result 42; want none yet
}
