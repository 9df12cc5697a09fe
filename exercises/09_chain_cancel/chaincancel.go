// Package chaincancel is exercise 09: a lookup that needs two steps, one
// waiting on the other, which forwards a cancellation to whichever step is in
// flight and gives up after a timeout on the (fake) clock.
//
// Grade it from the exercises/ directory with:
//
//	go test ./09_chain_cancel/
package chaincancel

import (
	"errors"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// Profile is what the second step produces.
type Profile struct {
	ID   int
	Name string
}

// Backend is the service behind the two steps. Each call starts a query and
// returns at once with a Deferred that fires later. Cancelling that Deferred
// stops the query: the backend's canceller closes it, so the server stops
// working for a client who no longer waits.
type Backend interface {
	// Resolve finds the account ID of a user name: it fires with an int,
	// or fails with ErrUnknownUser.
	Resolve(name string) *deferred.Deferred
	// Fetch loads the profile of an account ID: it fires with a Profile.
	Fetch(id int) *deferred.Deferred
}

// ErrUnknownUser is how Resolve fails for a name it does not know.
var ErrUnknownUser = errors.New("resolve: no such user")

// Lookup finds the Profile of name in two steps, b.Resolve(name) and then
// b.Fetch(id) with the ID Resolve gave, and returns a Deferred that fires
// with the Profile. It returns at once; the steps run as the backend
// answers. Whatever happens, the END of the returned chain holds:
//
//   - the Profile, when both steps answer in time;
//   - the failure of a step (ErrUnknownUser, a backend error), unchanged;
//   - after timeout on clock, a failure wrapping deferred.ErrTimeout — and
//     the step in flight (Resolve's or Fetch's Deferred) has been cancelled;
//   - after the caller's Cancel() on the returned Deferred, a failure
//     wrapping deferred.ErrCancelled — and, again, the step in flight has
//     been cancelled. A cancellation is never a success, nor a timeout.
func Lookup(b Backend, name string, clock deferred.Clock, timeout time.Duration) *deferred.Deferred {
	// TODO: start with b.Resolve(name); add a step that starts b.Fetch with
	// the ID and makes the chain wait for it; add the timeout (where in
	// the chain?). Return a Deferred whose Cancel reaches the step in
	// flight.
	return deferred.Fail(errors.New("not implemented yet: Lookup — chain Resolve and Fetch, add the timeout (see HINTS.md)"))
}
