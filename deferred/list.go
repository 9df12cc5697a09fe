package deferred

import (
	"fmt"
	"strings"
)

// ListOptions are DeferredList's switches (Twisted's keyword arguments).
type ListOptions struct {
	// FireOnOneCallback fires the list with a FirstResult as soon as one
	// Deferred succeeds.
	FireOnOneCallback bool
	// FireOnOneErrback errbacks the list with a *FirstError as soon as one
	// Deferred fails.
	FireOnOneErrback bool
	// ConsumeErrors stops failures from continuing down each child's own
	// chain (where, unhandled, they would be reported).
	ConsumeErrors bool
}

// ListResult is one entry of a DeferredList result: Twisted's (success, value)
// pair. When Success is false, Value is the *Failure.
type ListResult struct {
	Success bool
	Value   any
}

// FirstResult is the result of a DeferredList with FireOnOneCallback, and of
// Race: the first successful value and the index of its Deferred.
type FirstResult struct {
	Value any
	Index int
}

// FirstError is the failure of a DeferredList with FireOnOneErrback (and of
// Gather): the first failure and the index of its Deferred.
type FirstError struct {
	Failure *Failure
	Index   int
}

// Error names the index and the failure.
func (e *FirstError) Error() string {
	return fmt.Sprintf("deferred: Deferred %d failed: %v", e.Index, e.Failure)
}

// Unwrap returns the child's failure, so errors.Is reaches the original error.
func (e *FirstError) Unwrap() error { return e.Failure }

// FailureGroup is the failure of Race when every Deferred failed.
type FailureGroup struct {
	Failures []*Failure
}

// Error lists the failures.
func (g *FailureGroup) Error() string {
	msgs := make([]string, len(g.Failures))
	for i, f := range g.Failures {
		msgs[i] = f.Error()
	}
	return "deferred: all failed: [" + strings.Join(msgs, "; ") + "]"
}

// Unwrap returns the failures, so errors.Is matches any of them.
func (g *FailureGroup) Unwrap() []error {
	errs := make([]error, len(g.Failures))
	for i, f := range g.Failures {
		errs[i] = f
	}
	return errs
}

// DeferredList waits for every Deferred in ds and fires with a []ListResult
// in the order of ds. By default it NEVER errbacks: a failure is recorded as
// {false, *Failure} and also carries on down that child's own chain (add
// ConsumeErrors to stop it there). The options change when it fires; see
// ListOptions. An empty list fires at once (unless FireOnOneCallback).
//
// Cancelling the list cancels every child and then lets the children
// decide: the list fires as usual once they have delivered, so a child that
// is paused keeps it pending (as in Twisted). A child whose canceller panics
// is reported through the unhandled-failure hook, and the other children
// are still cancelled.
func DeferredList(ds []*Deferred, opts ListOptions) *Deferred {
	children := append([]*Deferred(nil), ds...)
	results := make([]ListResult, len(children))
	finished := 0
	var list *Deferred
	list = newDeferred(firstBinding(children), func(*Deferred) { cancelAll(children, nil, "cancelling DeferredList "+idName(list.id)) }, 1)
	list.cancelFiresLater = true
	if len(children) == 0 && !opts.FireOnOneCallback {
		list.Callback(results)
	}
	for i, c := range children {
		record := func(result any, success bool) (any, error) {
			results[i] = ListResult{Success: success, Value: result}
			finished++
			if !list.called {
				switch {
				case success && opts.FireOnOneCallback:
					list.Callback(FirstResult{Value: result, Index: i})
				case !success && opts.FireOnOneErrback:
					list.Errback(&Failure{Err: &FirstError{Failure: result.(*Failure), Index: i}, Site: result.(*Failure).Site})
				case finished == len(results):
					list.Callback(results)
				}
			}
			if !success && opts.ConsumeErrors {
				return nil, nil
			}
			return result, nil
		}
		c.addStepFor(step{
			cb:   func(v any) (any, error) { return record(v, true) },
			eb:   func(f *Failure) (any, error) { return record(f, false) },
			kind: StepCallbacks,
		}, list)
	}
	return list
}

// Gather fires with the []any results of ds, in order, once all succeed; the
// first failure errbacks it at once with a *FirstError (Twisted's
// gatherResults). consumeErrors is as in ListOptions.
func Gather(ds []*Deferred, consumeErrors bool) *Deferred {
	list := DeferredList(ds, ListOptions{FireOnOneErrback: true, ConsumeErrors: consumeErrors})
	return list.AddCallback(func(v any) (any, error) {
		pairs := v.([]ListResult)
		values := make([]any, len(pairs))
		for i, p := range pairs {
			values[i] = p.Value
		}
		return values, nil
	})
}

// Race fires with the FirstResult of the first Deferred in ds to succeed and
// cancels the others. If all fail it errbacks with a *FailureGroup holding
// their failures in order. The children's results are consumed. Cancelling
// the race cancels every child. An empty race never fires.
func Race(ds []*Deferred) *Deferred {
	children := append([]*Deferred(nil), ds...)
	var winner *Deferred
	failures := make([]*Failure, len(children))
	failed := 0
	var race *Deferred
	race = newDeferred(firstBinding(children), func(*Deferred) { cancelAll(children, nil, "cancelling Race "+idName(race.id)) }, 1)
	for i, c := range children {
		c.addStepFor(step{kind: StepCallbacks,
			cb: func(v any) (any, error) {
				if winner == nil {
					winner = children[i]
					cancelAll(children, winner, "cancelling the losers of Race "+idName(race.id))
					race.Callback(FirstResult{Value: v, Index: i})
				}
				return nil, nil
			},
			eb: func(f *Failure) (any, error) {
				failures[i] = f
				failed++
				if failed == len(children) {
					race.Errback(&FailureGroup{Failures: failures})
				}
				return nil, nil
			},
		}, race)
	}
	return race
}

// firstBinding returns the Binding of the first of ds that has one, or nil.
func firstBinding(ds []*Deferred) *Binding {
	for _, d := range ds {
		if d.b != nil {
			return d.b
		}
	}
	return nil
}

// cancelAll cancels every child but except. A canceller that panics is
// reported with while (Twisted logs it) and does not stop the others from
// being cancelled.
func cancelAll(children []*Deferred, except *Deferred, while string) {
	for _, c := range children {
		if c != except {
			cancelChild(c, while)
		}
	}
}

func cancelChild(c *Deferred, while string) {
	defer func() {
		if r := recover(); r != nil {
			reportPanic(c, panicFailure(r), while)
		}
	}()
	c.Cancel()
}
