// Package twotracks is the solution to exercise 03_two_tracks: a Deferred
// chain whose errback recovers known failures, whose results flow to the
// end, and which times out on the clock.
package twotracks

import (
	"errors"
	"fmt"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// User is what a successful lookup produces.
type User struct {
	ID   int
	Name string
}

// Errors a lookup chain can meet.
var (
	// ErrNotFound is how the lookup fails for an unknown user.
	ErrNotFound = errors.New("lookup: no such user")
	// ErrNoName is what greet fails with for a user whose Name is empty.
	ErrNoName = errors.New("greeting: the user has no name")
)

// The strings a finished chain can end with besides "hello, <Name>".
const (
	Stranger = "hello, stranger"
	TimedOut = "sorry, the lookup took too long"
)

// greet is the chain's callback: it turns a User into "hello, <Name>", and
// fails with ErrNoName when the name is empty. It is finished: use it as is.
func greet(v any) (any, error) {
	u, ok := v.(User)
	if !ok {
		return nil, fmt.Errorf("greet: want a User, got %T", v)
	}
	if u.Name == "" {
		return nil, ErrNoName
	}
	return "hello, " + u.Name, nil
}

// rescue is the chain's errback. It recovers from the failures it knows
// (returning a string with a nil error moves the result back to the
// callback track):
//
//   - ErrNotFound or ErrNoName → Stranger
//   - a timeout (errors.Is(err, deferred.ErrTimeout)) → TimedOut
//
// Any other failure is not its business: it returns the failure as its error
// so the result stays on the errback track (see deferred.Failure.Trap).
func rescue(f *deferred.Failure) (any, error) {
	// Check answers "which of these is it?" through errors.Is, so wrapped
	// errors and *deferred.TimeoutError (whose Is method matches
	// ErrTimeout) are recognised too.
	switch f.Check(ErrNotFound, ErrNoName, deferred.ErrTimeout) {
	case ErrNotFound, ErrNoName:
		// Returning a plain value with a nil error HANDLES the failure:
		// the result moves back to the callback track (switching rule 3).
		return Stranger, nil
	case deferred.ErrTimeout:
		return TimedOut, nil
	}
	// Not ours. Returning the failure as the error keeps the result on the
	// errback track, unchanged, so whoever is at the end still sees the
	// original error (errors.Is works through *Failure). Returning a value
	// here would quietly turn an outage into a greeting.
	return nil, f
}

// Greeting finishes the chain on lookup, a Deferred that will fire later with
// a User or fail, and returns lookup. When lookup fires (or the timeout
// passes on clock), the result at the END of the chain must be:
//
//   - "hello, <Name>" for a User with a name;
//   - Stranger for ErrNotFound, and for a User with no name (greet's
//     ErrNoName must be recovered too);
//   - TimedOut when lookup has not fired after timeout on clock;
//   - any other failure, unchanged: a *deferred.Failure that still wraps
//     the original error (a database outage must not turn into a greeting).
//
// Steps added to the returned Deferred later see that result.
func Greeting(lookup *deferred.Deferred, clock deferred.Clock, timeout time.Duration) *deferred.Deferred {
	// 1. The timeout comes FIRST. AddTimeout cancels lookup after timeout
	//    and converts the ErrCancelled failure into a *TimeoutError with a
	//    step of its own, so only steps added AFTER it see the timeout; a
	//    rescue added before it would see ErrCancelled instead. When lookup
	//    fires in time, the timer is cancelled (nothing left on the clock).
	lookup.AddTimeout(timeout, clock)

	// 2. greet and rescue are two SEPARATE steps, rescue after greet, so
	//    rescue also sees greet's own failure (ErrNoName). With
	//    AddCallbacks(greet, rescue) they would be one step and alternatives:
	//    an error returned by greet would skip rescue and reach the end.
	lookup.AddCallback(greet)
	lookup.AddErrback(rescue)

	// Each Add* returns the same Deferred, so the caller's later steps are
	// appended after rescue and see its string (or the unknown failure).
	return lookup
}
