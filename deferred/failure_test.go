package deferred

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// A Failure wraps the original error: errors.Is and errors.As see through it.
func TestFailureWrapsOriginal(t *testing.T) {
	orig := &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}
	f := failureOf(t, Fail(fmt.Errorf("loading config: %w", orig)))
	var pe *fs.PathError
	if !errors.Is(f, fs.ErrNotExist) || !errors.As(f, &pe) || pe.Path != "/x" {
		t.Fatalf("errors.Is/As through %v failed; want both to match", f)
	}
}

// Check returns the first target the failure matches, or nil.
func TestFailureCheck(t *testing.T) {
	f := &Failure{Err: fmt.Errorf("wrapped: %w", errBoom)}
	tests := []struct {
		targets []error
		want    error
	}{
		{[]error{errOther, errBoom}, errBoom},
		{[]error{errOther}, nil},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := f.Check(tc.targets...); got != tc.want {
			t.Errorf("Check(%v) = %v; want %v", tc.targets, got, tc.want)
		}
	}
}

// A panic with a non-error value is still a Failure; only error values unwrap.
func TestFailureFromPanicValue(t *testing.T) {
	f := failureOf(t, Succeed(0).AddCallback(func(any) (any, error) { panic("bad state") }))
	if f.Error() != "panic: bad state" || errors.Unwrap(f.Err) != nil {
		t.Fatalf("Failure = %q, unwrap %v; want \"panic: bad state\", nil", f.Error(), errors.Unwrap(f.Err))
	}
}

// %+v shows where the failure was raised; %v only the message.
func TestFailureFormat(t *testing.T) {
	f := failureOf(t, Fail(errBoom))
	if got := fmt.Sprintf("%v", f); got != "boom" {
		t.Fatalf("%%v = %q; want boom", got)
	}
	if got := fmt.Sprintf("%+v", f); !strings.Contains(got, "raised at deferred/failure_test.go:") {
		t.Fatalf("%%+v = %q; want the raising site", got)
	}
}

// An error returned by a step is located at the step function.
func TestFailureSiteOfReturnedError(t *testing.T) {
	f := failureOf(t, Succeed(0).AddCallback(func(any) (any, error) { return nil, errBoom }))
	if !strings.HasPrefix(f.Site, "deferred/failure_test.go:") {
		t.Fatalf("Site = %q; want the callback in failure_test.go", f.Site)
	}
}

// The zero Failure and a nil *Failure print without panicking (defect 5).
func TestZeroFailureIsSafe(t *testing.T) {
	for _, f := range []*Failure{{}, nil} {
		var out []string
		err := catchAnyPanic(func() {
			out = append(out, f.Error(), fmt.Sprintf("%v", f), fmt.Sprintf("%+v", f), fmt.Sprintf("%q", f), summarize(f))
		})
		if err != nil {
			t.Fatalf("printing a zero or nil Failure (nil: %v) panicked: %v", f == nil, err)
		}
		for _, s := range out {
			if !strings.Contains(s, "no error") {
				t.Errorf("zero Failure printed %q; want it to say it holds no error", s)
			}
		}
	}
	d := New(nil)
	d.Callback(&Failure{})
	if f := failureOf(t, d); f.Err != nil {
		t.Fatalf("Err = %v; want nil", f.Err)
	}
}

func catchAnyPanic(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

// TrapAs sets the target and handles a failure of its type; others pass on.
func TestFailureTrapAs(t *testing.T) {
	f := &Failure{Err: fmt.Errorf("loading: %w", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist})}
	var pe *fs.PathError
	if err := f.TrapAs(&pe); err != nil || pe.Path != "/x" {
		t.Fatalf("TrapAs(*PathError) = %v, target %v; want nil, /x", err, pe)
	}
	g := &Failure{Err: errBoom}
	if err := g.TrapAs(&pe); err != g {
		t.Fatalf("TrapAs on another error = %v; want the failure itself", err)
	}
}
