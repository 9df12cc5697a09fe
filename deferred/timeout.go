package deferred

import (
	"errors"
	"fmt"
	"time"
)

// ErrCancelled is the failure of a Deferred cancelled before it fired
// (Twisted's CancelledError).
var ErrCancelled = errors.New("deferred: cancelled")

// ErrTimeout is matched (errors.Is) by the *TimeoutError of a Deferred whose
// AddTimeout expired (Twisted's defer.TimeoutError).
var ErrTimeout = errors.New("deferred: timed out")

// TimeoutError is the failure AddTimeout puts on the errback track.
type TimeoutError struct {
	After time.Duration
}

// Error says how long the Deferred was given.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("deferred: timed out after %v", e.After)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// AddTimeout cancels the Deferred if it has not fired after timeout on clock,
// and turns the resulting ErrCancelled failure into a *TimeoutError.
//
// As in Twisted, the timeout only covers steps added BEFORE it: the
// conversion is itself a step, so steps added before it see ErrCancelled
// (they ran because of the cancel) and steps added after see ErrTimeout. When
// the Deferred fires in time, the timer is cancelled.
func (d *Deferred) AddTimeout(timeout time.Duration, clock Clock) *Deferred {
	return d.AddTimeoutFunc(timeout, clock, nil)
}

// AddTimeoutFunc is AddTimeout with Twisted's onTimeoutCancel: if the
// Deferred was cancelled because the time ran out, onTimeoutCancel receives
// the result at that point (usually the ErrCancelled *Failure; a value if
// the canceller fired it with one) and the timeout, and what it returns
// continues down the chain, as a step's would. nil gives AddTimeout's
// conversion to a *TimeoutError.
//
//	d.AddTimeoutFunc(time.Second, clock, func(any, time.Duration) (any, error) {
//		return cachedAnswer, nil // too slow: answer from the cache instead
//	})
func (d *Deferred) AddTimeoutFunc(timeout time.Duration, clock Clock, onTimeoutCancel func(result any, timeout time.Duration) (any, error)) *Deferred {
	if onTimeoutCancel == nil {
		onTimeoutCancel = cancelledToTimeout
	}
	timedOut := false
	timer := clock.CallLater(timeout, func() {
		timedOut = true
		if d.observed() {
			d.emit(TraceEvent{Kind: EventTimedOut, ID: d.id, Label: d.label, Dur: timeout})
		}
		d.Cancel()
	})
	d.AddBoth(func(result any) (any, error) {
		if !timedOut {
			return result, nil
		}
		return onTimeoutCancel(result, timeout)
	})
	return d.AddBoth(func(result any) (any, error) {
		timer.Cancel()
		return result, nil
	})
}

// cancelledToTimeout is AddTimeout's onTimeoutCancel: ErrCancelled becomes a
// *TimeoutError raised where the cancel was; anything else passes on.
func cancelledToTimeout(result any, timeout time.Duration) (any, error) {
	if f, ok := result.(*Failure); ok && f.Check(ErrCancelled) != nil {
		return nil, &Failure{Err: &TimeoutError{After: timeout}, Site: f.Site, Stack: f.Stack}
	}
	return result, nil
}
