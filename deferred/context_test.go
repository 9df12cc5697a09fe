package deferred

import (
	"context"
	"errors"
	"testing"
	"time"
)

var errSlow = errors.New("upstream too slow")

// A ContextError matches both ctx.Err() and the cause, and says both.
func TestContextError(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() context.Context
		matches []error
		want    string
	}{
		{"cancelled", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, []error{context.Canceled}, "context canceled"},
		{"deadline with a cause", func() context.Context {
			ctx, cancel := context.WithDeadlineCause(context.Background(), epoch, errSlow)
			t.Cleanup(cancel)
			return ctx
		}, []error{context.DeadlineExceeded, errSlow}, "context deadline exceeded: upstream too slow"},
	}
	for _, tc := range tests {
		err := contextError(tc.ctx())
		for _, target := range tc.matches {
			if !errors.Is(err, target) {
				t.Errorf("%s: errors.Is(%v, %v) = false; want true", tc.name, err, target)
			}
		}
		if err.Error() != tc.want {
			t.Errorf("%s: Error() = %q; want %q", tc.name, err.Error(), tc.want)
		}
	}
}

// FromContext fails on the loop when the context ends, keeping its cause.
func TestFromContext(t *testing.T) {
	loop := newFakeLoop()
	ctx, cancel := context.WithTimeoutCause(context.Background(), time.Millisecond, errSlow)
	defer cancel()
	d := FromContext(loop, ctx)
	noResult(t, d)
	loop.runOne() // the AfterFunc's call, once the deadline has passed
	f := failureOf(t, d, context.DeadlineExceeded)
	if !errors.Is(f, errSlow) {
		t.Fatalf("failure = %v; want it to keep the cause", f)
	}
}

// A context that has already ended fails FromContext at once; cancelling a
// FromContext Deferred stops watching the context.
func TestFromContextEndedAndCancelled(t *testing.T) {
	loop := newFakeLoop()
	ctx, cancel := context.WithCancel(context.Background())
	d := FromContext(loop, ctx)
	d.Cancel()
	failureOf(t, d, ErrCancelled)
	cancel()
	if n := len(loop.calls); n != 0 {
		t.Fatalf("%d calls sent to the loop after Cancel; want 0", n)
	}
	failureOf(t, FromContext(loop, ctx), context.Canceled)
}

// AddContext cancels a Deferred when its context ends: steps before it see
// ErrCancelled, steps after see the context's *ContextError.
func TestAddContextCancels(t *testing.T) {
	loop := newFakeLoop()
	var before error
	inner := New(nil)
	d := Succeed(0).AddCallback(func(any) (any, error) { return inner, nil })
	d.AddErrback(func(f *Failure) (any, error) { before = f.Check(ErrCancelled); return nil, f })
	ctx, cancel := context.WithCancelCause(context.Background())
	d.AddContext(ctx, loop)
	cancel(errSlow)
	loop.runOne()
	f := failureOf(t, d, context.Canceled)
	if !errors.Is(f, errSlow) || before != ErrCancelled || !inner.Called() {
		t.Fatalf("failure = %v, step before saw %v, inner cancelled = %v; want the cause, ErrCancelled, true", f, before, inner.Called())
	}
}

// A Deferred that fires in time stops watching its context; one whose
// context has already ended is cancelled at once.
func TestAddContextInTimeAndAlreadyEnded(t *testing.T) {
	loop := newFakeLoop()
	ctx, cancel := context.WithCancel(context.Background())
	d := New(nil).AddContext(ctx, loop)
	d.Callback("in time")
	cancel()
	if n := len(loop.calls); n != 0 {
		t.Fatalf("%d calls sent to the loop after d fired; want 0", n)
	}
	if got := resultOf(t, d); got != "in time" {
		t.Fatalf("result = %v; want in time", got)
	}
	failureOf(t, New(nil).AddContext(ctx, loop), context.Canceled)
}
