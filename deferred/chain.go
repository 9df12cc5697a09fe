package deferred

import (
	"errors"
	"time"
)

// runCallbacks advances the chain of d, and of every Deferred that was
// waiting on it, as far as it can go. It is Twisted's _runCallbacks: an
// explicit stack of Deferreds replaces recursion, so a chain of a million
// steps, or a hundred thousand Deferreds each waiting on the next, runs in
// constant Go stack.
//
// The stack grows when a finished Deferred hands its result to a Deferred
// that was waiting on it (a StepChain step): the waiter is pushed and runs
// next. A Deferred is popped when its chain has run out of steps or when it
// starts waiting on another Deferred.
func (d *Deferred) runCallbacks() {
	if d.running {
		// A step of d is adding steps to d (or firing it): the runner
		// already executing below us will pick the new steps up.
		return
	}
	var buf [8]*Deferred
	chain := append(buf[:0], d)
	for len(chain) > 0 {
		cur := chain[len(chain)-1]
		if cur.paused > 0 {
			// cur will not produce a result now; everything below it on
			// the stack keeps waiting too (as in Twisted).
			return
		}
		finished := true
		cur.chainedTo = nil
		for {
			if cur.next == len(cur.steps) {
				if len(cur.more) == 0 {
					break
				}
				cur.steps, cur.next = cur.more[0], 0 // move on to the next block
				cur.more[0] = nil
				cur.more = cur.more[1:]
				continue
			}
			s := cur.steps[cur.next]
			cur.steps[cur.next] = step{} // drop references to closures that have run
			cur.next++
			index := cur.ran
			cur.ran++

			if s.kind == StepChain {
				// Hand our result to the Deferred waiting on us, forget
				// it ourselves, and run the waiter before our own
				// remaining steps.
				waiter := s.chainee
				waiter.result = cur.result
				cur.result = nil
				waiter.paused--
				// The waiter no longer waits, even if a Pause of its
				// own keeps it from running now: clear chainedTo here,
				// not when it next runs, or its Unpause would take it
				// for the runner's pause and ignore it.
				waiter.chainedTo = nil
				if cur.observed() || waiter.observed() {
					tr := trackOf(waiter.result)
					cur.emit(TraceEvent{Kind: EventStepRun, ID: cur.id, Label: cur.label, Step: index, StepKind: StepChain,
						TrackIn: tr, TrackOut: tr, InSummary: summarize(waiter.result), OutSummary: "→ " + idName(waiter.id), WaitingOn: waiter.id})
					waiter.emit(TraceEvent{Kind: EventResumed, ID: waiter.id, Label: waiter.label, WaitingOn: cur.id})
				}
				chain = append(chain, waiter)
				finished = false
				break
			}
			cur.runStep(&s, index)

			if inner, ok := cur.result.(*Deferred); ok {
				if !inner.called || inner.paused > 0 {
					// The inner Deferred has no result yet: wait for
					// it. Appending directly is safe because inner is
					// not running its chain now.
					cur.paused++
					cur.chainedTo = inner
					inner.join(cur.b)
					if cur.observed() {
						cur.emit(TraceEvent{Kind: EventPaused, ID: cur.id, Label: cur.label, WaitingOn: inner.id})
						inner.emit(TraceEvent{Kind: EventStepAdded, ID: inner.id, Label: inner.label, Step: inner.added, StepKind: StepChain, WaitingOn: cur.id})
					}
					inner.push(step{kind: StepChain, chainee: cur})
					break
				}
				// The inner Deferred already has a result: take it.
				cur.result = inner.result
				inner.result = nil
				inner.noteFinished()
			}
		}
		if finished {
			cur.noteFinished()
			chain = chain[:len(chain)-1]
		}
	}
}

// ChainDeferred hands d's result to other: it adds one step that fires
// other with the value, or errbacks it with the *Failure, and leaves nil on
// d's chain (the result now belongs to other, so a failure counts as
// handled on d). It returns d. Twisted's chainDeferred.
//
// Returning other from a step (rule 4) is usually what you want instead: it
// makes d wait for other, rather than other wait for d. ChainDeferred fires
// other from inside d's step, so a long line of Deferreds chained this way
// nests one runner per link on the Go stack (Twisted's warns of the same).
// If other has fired already, the step fails with ErrAlreadyCalled.
func (d *Deferred) ChainDeferred(other *Deferred) *Deferred {
	return d.AddCallbacks(
		func(v any) (any, error) { other.Callback(v); return nil, nil },
		func(f *Failure) (any, error) { other.Errback(f); return nil, nil },
	)
}

// maxBlock is the largest block of steps. Steps live in a queue of blocks
// rather than one growing slice: a million-step chain is never copied.
const maxBlock = 512

// push appends a step to the chain.
func (d *Deferred) push(s step) {
	if len(d.more) == 0 && d.next == len(d.steps) {
		// Everything has run: start the current block over.
		d.steps, d.next = d.steps[:0], 0
	}
	last := &d.steps
	if n := len(d.more); n > 0 {
		last = &d.more[n-1]
	}
	if len(*last) == cap(*last) {
		size := min(max(4*cap(*last), 8), maxBlock)
		d.more = append(d.more, make([]step, 0, size))
		last = &d.more[len(d.more)-1]
	}
	*last = append(*last, s)
	d.added++
}

// runStep runs one step on cur's current result, replacing it.
func (cur *Deferred) runStep(s *step, index int) {
	in := cur.result
	fail, isFail := in.(*Failure)
	var fn any // the function this track calls; nil = passthru
	switch {
	case !isFail && s.cb != nil:
		fn = s.cb
	case isFail && s.eb != nil:
		fn = s.eb
	case isFail && s.kind == StepBoth:
		fn = s.cb
	}
	obs := cur.observed()
	if fn == nil {
		if obs {
			tr := trackOf(in)
			cur.emit(TraceEvent{Kind: EventStepRun, ID: cur.id, Label: cur.label, Step: index, StepKind: s.kind,
				TrackIn: tr, TrackOut: tr, Passthru: true, InSummary: summarize(in), OutSummary: summarize(in)})
		}
		return
	}
	var t0 time.Time
	var inSum string
	if obs {
		inSum = summarize(in)
		t0 = time.Now()
	}
	cur.running = true
	if isFail && s.eb != nil {
		cur.result = invoke(nil, s.eb, fail, cur.dbg != nil)
	} else {
		cur.result = invoke(s.cb, nil, in, cur.dbg != nil)
	}
	cur.running = false
	if inner, ok := cur.result.(*Deferred); ok && inner == nil {
		cur.result = failureFromStep(ErrNilDeferred, fn, cur.dbg != nil)
	} else if cur.result == cur {
		// Twisted only warns here and then waits on itself forever.
		cur.result = failureFor(ErrChainedToSelf, -1)
	}
	if obs {
		cur.emit(TraceEvent{Kind: EventStepRun, ID: cur.id, Label: cur.label, Step: index, StepKind: s.kind,
			TrackIn: trackOf(in), TrackOut: trackOf(cur.result), InSummary: inSum, OutSummary: summarize(cur.result), Dur: time.Since(t0)})
	}
}

// invoke calls cb(arg) or eb(arg) and converts the outcome into the next
// result: a returned error or a panic becomes a *Failure (with a stack, for
// a returned error, in debug mode).
func invoke(cb CallbackFunc, eb ErrbackFunc, arg any, debug bool) (res any) {
	defer func() {
		if r := recover(); r != nil {
			res = panicFailure(r)
		}
	}()
	var v any
	var err error
	if eb != nil {
		v, err = eb(arg.(*Failure))
	} else {
		v, err = cb(arg)
	}
	if err != nil {
		if eb != nil {
			return failureFromStep(err, eb, debug)
		}
		return failureFromStep(err, cb, debug)
	}
	return v
}

// call0 runs fn the way a step runs: error or panic become a *Failure.
func call0(fn func() (any, error), debug bool) (res any) {
	defer func() {
		if r := recover(); r != nil {
			res = panicFailure(r)
		}
	}()
	v, err := fn()
	if err != nil {
		return failureFromStep(err, fn, debug)
	}
	return v
}

// ErrNilDeferred is the failure given to a chain whose step returned a nil
// *Deferred (usually a Deferred that was never created), and of
// MaybeDeferred when its function does: there is nothing to wait on, and
// treating it as a value would hide the bug.
var ErrNilDeferred = errors.New("deferred: a step returned a nil *Deferred")

// ErrChainedToSelf is the failure given to a chain whose step returned the
// Deferred it belongs to (Twisted warns, then hangs forever).
var ErrChainedToSelf = errors.New("deferred: a callback returned the Deferred it was added to")
