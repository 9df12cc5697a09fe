// Package chaincancel is the solution to exercise 09_chain_cancel: a
// two-step lookup whose outer Deferred waits on the inner one, so that a
// cancel or a timeout reaches whichever step is in flight.
package chaincancel

import (
	"errors"
	"fmt"
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
	// The chain is built on the Deferred Resolve returned, and that is what
	// we hand back. It stands for the real query: cancelling it runs the
	// backend's canceller while Resolve is in flight.
	d := b.Resolve(name)

	// A step that RETURNS a Deferred makes the chain wait for it (rule 4):
	// d pauses, "chained to" Fetch's Deferred, and continues with its
	// result. While d waits, d.Cancel() is forwarded to the Deferred it
	// waits on — so Cancel reaches Fetch's query too, with no code of ours.
	// AddCallback, not AddBoth: a failed Resolve skips this step, so no
	// Fetch starts without an ID, and the failure reaches the end as is.
	d.AddCallback(func(v any) (any, error) {
		id, ok := v.(int)
		if !ok {
			return nil, fmt.Errorf("resolve answered %T; want an int account ID", v)
		}
		return b.Fetch(id), nil
	})

	// The timeout comes LAST. AddTimeout's timer calls d.Cancel() — which
	// reaches the step in flight as above — and its conversion step turns
	// the resulting ErrCancelled into ErrTimeout. Its other step stops the
	// timer when the chain reaches it; added before the Fetch step, that
	// would happen as soon as Resolve answered, and a Fetch that never
	// answers would never time out. An explicit Cancel() stays ErrCancelled:
	// the conversion only happens when the timer fired.
	d.AddTimeout(timeout, clock)

	// No errback here: a cancellation or a timeout is the caller's news,
	// and turning it into a value would tell them the lookup worked.
	return d
}
