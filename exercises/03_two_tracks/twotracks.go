// Package twotracks is exercise 03: finish a Deferred chain so that errors are
// recovered by an errback, results flow to the end, and a lookup that takes
// too long times out on the (fake) clock.
//
// Grade it from the exercises/ directory with:
//
//	go test ./03_two_tracks/
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
	// TODO: recover from ErrNotFound and ErrNoName with Stranger, from a
	// timeout with TimedOut, and pass every other failure on unchanged.
	return nil, errors.New("not implemented yet: rescue — recover the failures you know, pass on the rest (see HINTS.md)")
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
	// TODO: add the timeout (lookup.AddTimeout), the callback (greet) and
	// the errback (rescue). Their ORDER matters: which steps see a
	// timeout, and does rescue see greet's errors?
	return lookup.AddBoth(func(any) (any, error) {
		return nil, errors.New("not implemented yet: Greeting — add the timeout, greet and rescue in the right order (see HINTS.md)")
	})
}
