// Package coroutine is the solution to exercise 12_coroutine: exercise 03's
// lookup chain as a coroutine — await instead of steps, plain Go error
// handling instead of an errback — with the same behaviour.
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
	// The timeout stays a property of the lookup, added before anything
	// waits on it: when it fires it cancels lookup, and its conversion step
	// turns that ErrCancelled into ErrTimeout before await sees it. The
	// coroutine could not time itself out with time.Sleep: it would block
	// the loop, and the tests' time is a fake clock anyway.
	lookup.AddTimeout(timeout, clock)

	return deferred.Coroutine(func(await deferred.Await) (any, error) {
		// await suspends this function — it gives control back to whoever
		// called Greeting, and later to the loop — until lookup fires. It
		// never blocks: that is the difference from time.Sleep, a channel
		// receive or Wait, which would hold the loop. A Cancel() on the
		// coroutine's Deferred is forwarded to lookup, the Deferred it
		// awaits, and comes back here as an error wrapping ErrCancelled.
		v, err := await(lookup)
		if err == nil {
			// greet is a plain call now, not a step: its ErrNoName falls
			// into the same error handling as the lookup's errors, which in
			// exercise 03 took a separate errback step after greet.
			var hello string
			if hello, err = greet(v); err == nil {
				return hello, nil
			}
		}
		// What the errback did, as a switch. errors.Is looks through the
		// *deferred.Failure await returns and through any wrapping, and a
		// *deferred.TimeoutError matches ErrTimeout.
		switch {
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrNoName):
			return Stranger, nil
		case errors.Is(err, deferred.ErrTimeout):
			return TimedOut, nil
		}
		// Everything else — a database outage, and a cancellation — is not
		// ours to recover: returning the error fails the coroutine's
		// Deferred with it, still wrapping the original. Catching
		// ErrCancelled here and carrying on would tell a caller who gave up
		// that the lookup worked.
		return nil, err
	})
}
