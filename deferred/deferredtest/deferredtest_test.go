package deferredtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/deferred"
)

var errBoom = errors.New("boom")

// recorder is a testing.TB whose Fatalf records the message and stops the
// checked function, as a real test's would.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	panic(r)
}

// check runs fn against a recorder and returns the failure message, or "".
func check(t *testing.T, fn func(tb testing.TB)) (msg string) {
	rec := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != any(rec) {
			panic(p)
		}
		msg = rec.msg
	}()
	fn(rec)
	return ""
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name string
		fn   func(tb testing.TB)
		want string // "" = passes; else a part of the message
	}{
		{"success of a value", func(tb testing.TB) {
			if v := SuccessResultOf(tb, deferred.Succeed(3)); v != 3 {
				t.Errorf("SuccessResultOf = %v; want 3", v)
			}
		}, ""},
		{"success of nothing yet", func(tb testing.TB) { SuccessResultOf(tb, deferred.New(nil)) }, "no result yet (it has not fired); want a value"},
		{"success of a waiting chain", func(tb testing.TB) {
			inner := deferred.New(nil).SetLabel("inner")
			SuccessResultOf(tb, deferred.Succeed(0).AddCallback(func(any) (any, error) { return inner, nil }))
		}, `(it waits on "inner")`},
		{"success of a failure", func(tb testing.TB) { SuccessResultOf(tb, deferred.Fail(errBoom)) }, "holds failure boom"},
		{"failure of a failure", func(tb testing.TB) {
			if f := FailureResultOf(tb, deferred.Fail(errBoom), errBoom); !errors.Is(f, errBoom) {
				t.Errorf("FailureResultOf = %v; want boom", f)
			}
		}, ""},
		{"failure of another failure", func(tb testing.TB) { FailureResultOf(tb, deferred.Fail(errBoom), deferred.ErrTimeout) }, "want one matching"},
		{"failure of a value", func(tb testing.TB) { FailureResultOf(tb, deferred.Succeed(1)) }, "holds value 1"},
		{"failure of nothing yet", func(tb testing.TB) { FailureResultOf(tb, deferred.New(nil)) }, "no result yet (it has not fired); want a failure"},
		{"no result, none", func(tb testing.TB) { AssertNoResult(tb, deferred.New(nil)) }, ""},
		{"no result, a value", func(tb testing.TB) { AssertNoResult(tb, deferred.Succeed(1)) }, "has result 1"},
		{"no result, paused", func(tb testing.TB) {
			d := deferred.Succeed(1)
			d.Pause()
			AssertNoResult(tb, d)
		}, ""},
	}
	for _, tc := range tests {
		got := check(t, tc.fn)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: failure message %q; want %q", tc.name, got, tc.want)
		}
	}
}

// The checks take the result, as Twisted's do; AssertNoResult passes a later one on.
func TestResultsTakenOrPassedOn(t *testing.T) {
	d := deferred.Fail(errBoom)
	FailureResultOf(t, d)
	if v, ok := d.Result(); !ok || v != nil {
		t.Fatalf("after FailureResultOf, Result() = %v, %v; want nil, true", v, ok)
	}
	later := deferred.New(nil)
	AssertNoResult(t, later)
	later.Callback(5)
	if v := SuccessResultOf(t, later); v != 5 {
		t.Fatalf("result after AssertNoResult = %v; want 5, passed on", v)
	}
}
