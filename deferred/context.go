package deferred

import (
	"context"
	"errors"
)

// A context.Context is Go's way to say "stop": a deadline or a cancel that
// travels down a call tree. A Deferred's way is Cancel. These connect the
// two, always firing the Deferred on its loop's goroutine.

// ContextError is the failure of a Deferred whose context ended
// (FromContext, AddContext) and the error of a Wait whose context did. It
// keeps both what ctx.Err() said and context.Cause, so errors.Is matches
// either: errors.Is(f, context.DeadlineExceeded) holds for a context that
// timed out even when it was given a cause of its own.
type ContextError struct {
	Err   error // ctx.Err(): context.Canceled or context.DeadlineExceeded
	Cause error // context.Cause(ctx): Err, unless the context was given a cause
}

// Error returns Err's message, followed by the cause when there is one of
// its own: "context deadline exceeded: upstream too slow".
func (e *ContextError) Error() string {
	if e.ownCause() {
		return e.Err.Error() + ": " + e.Cause.Error()
	}
	return e.Err.Error()
}

// Unwrap returns the cause and Err, so errors.Is and errors.As see both.
func (e *ContextError) Unwrap() []error {
	if e.ownCause() {
		return []error{e.Cause, e.Err}
	}
	return []error{e.Err}
}

func (e *ContextError) ownCause() bool {
	return e.Cause != nil && !errors.Is(e.Cause, e.Err)
}

// contextError describes how ctx ended.
func contextError(ctx context.Context) *ContextError {
	return &ContextError{Err: ctx.Err(), Cause: context.Cause(ctx)}
}

// FromContext returns a Deferred that fails with a *ContextError on loop's
// goroutine when ctx ends (at once if it already has). It never succeeds: a
// context only ever ends. Cancelling the Deferred stops watching ctx. Call
// it on the loop goroutine. No goroutine waits meanwhile
// (context.AfterFunc).
//
// It is for a chain that should react to the end of a context; to stop a
// Deferred when a context ends, use AddContext.
func FromContext(loop Loop, ctx context.Context) *Deferred {
	var stop func() bool
	d := newDeferred(bindingOf(loop), func(*Deferred) { stop() }, 1)
	if ctx.Err() != nil {
		stop = func() bool { return false }
		d.start(d.failure(contextError(ctx), 1))
		return d
	}
	stop = context.AfterFunc(ctx, func() {
		loop.CallFromGoroutine(func() {
			if !d.called { // not cancelled meanwhile
				d.start(failureFor(contextError(ctx), -1))
			}
		})
	})
	return d
}

// AddContext cancels d when ctx ends before d has fired, and turns the
// ErrCancelled failure that results into a *ContextError for the steps
// added after it, as AddTimeout turns it into a *TimeoutError. Like
// AddTimeout it covers only the steps added before it, and it stops
// watching ctx once d's result has passed it. If ctx has already ended, d
// is cancelled now. Call it on the loop goroutine; loop is how the end of
// ctx, which happens on another goroutine, reaches it.
func (d *Deferred) AddContext(ctx context.Context, loop Loop) *Deferred {
	ended, passed := false, false
	end := func() {
		if !passed {
			ended = true
			d.Cancel()
		}
	}
	stop := func() bool { return false }
	if ctx.Err() != nil {
		end()
	} else {
		stop = context.AfterFunc(ctx, func() { loop.CallFromGoroutine(end) })
	}
	d.AddBoth(func(result any) (any, error) {
		passed = true
		stop()
		if f, ok := result.(*Failure); ok && ended && f.Check(ErrCancelled) != nil {
			return nil, &Failure{Err: contextError(ctx), Site: f.Site, Stack: f.Stack}
		}
		return result, nil
	})
	return d
}
