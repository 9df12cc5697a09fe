// Package coroutine is exercise 12: exercise 03's lookup chain written again
// as a coroutine (deferred.Coroutine, Twisted's inlineCallbacks), reading as
// straight-line code, with the same behaviour.
//
// Grade it from the exercises/ directory with:
//
//	go test ./12_coroutine/
package coroutine

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

// Errors a lookup can meet.
var (
	// ErrNotFound is how the lookup fails for an unknown user.
	ErrNotFound = errors.New("lookup: no such user")
	// ErrNoName is what greet fails with for a user whose Name is empty.
	ErrNoName = errors.New("greeting: the user has no name")
)

// The strings a greeting can end with besides "hello, <Name>".
const (
	Stranger = "hello, stranger"
	TimedOut = "sorry, the lookup took too long"
)

// greet turns a User into "hello, <Name>", and fails with ErrNoName when the
// name is empty. It is finished: use it as is.
func greet(v any) (string, error) {
	u, ok := v.(User)
	if !ok {
		return "", fmt.Errorf("greet: want a User, got %T", v)
	}
	if u.Name == "" {
		return "", ErrNoName
	}
	return "hello, " + u.Name, nil
}

// Greeting waits for lookup, a Deferred that will fire later with a User or
// fail, and returns a Deferred — the coroutine's — that fires with:
//
//   - "hello, <Name>" for a User with a name;
//   - Stranger for ErrNotFound, and for a User with no name (greet's
//     ErrNoName);
//   - TimedOut when lookup has not fired after timeout on clock;
//   - any other failure, unchanged: a failure that still wraps the original
//     error (a database outage must not turn into a greeting);
//   - a failure wrapping deferred.ErrCancelled when the caller cancels it:
//     the cancel reaches lookup, and a cancellation stays a cancellation.
//
// Write it with deferred.Coroutine: await the lookup, then handle the value
// or the error as plain Go — no AddCallback, no AddErrback.
func Greeting(lookup *deferred.Deferred, clock deferred.Clock, timeout time.Duration) *deferred.Deferred {
	// TODO: give lookup its timeout on clock, then return a
	// deferred.Coroutine whose function awaits lookup, greets the user and
	// turns the errors it knows into Stranger or TimedOut — and returns
	// every other error.
	return deferred.Coroutine(func(await deferred.Await) (any, error) {
		return nil, errors.New("not implemented yet: Greeting — await the lookup in a coroutine (see HINTS.md)")
	})
}
