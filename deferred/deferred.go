package deferred

import (
	"runtime"
	"sync/atomic"
)

// CallbackFunc is a step on the callback track. It receives the current
// result and returns the next one. Returning a non-nil error, returning a
// *Failure as the value, or panicking moves the chain to the errback track.
// Returning a *Deferred pauses the chain until that Deferred fires.
type CallbackFunc func(result any) (any, error)

// ErrbackFunc is a step on the errback track. It receives the *Failure that
// is travelling down the chain. Returning a plain value (even nil) with a nil
// error HANDLES the failure and moves the chain back to the callback track;
// return the failure (or another error) to keep it on the errback track.
type ErrbackFunc func(f *Failure) (any, error)

// StepKind says how a step was added to a chain.
type StepKind uint8

// The kinds of step. Twisted stores every step as a (callback, errback) pair;
// the kind records which half was "passthru".
const (
	StepCallback  StepKind = iota + 1 // AddCallback: (cb, passthru)
	StepErrback                       // AddErrback: (passthru, eb)
	StepBoth                          // AddBoth: the same function on both tracks
	StepCallbacks                     // AddCallbacks(cb, eb): one step, two functions
	StepChain                         // internal: hands the result to a Deferred waiting on this one
)

var stepKindNames = [...]string{"?", "callback", "errback", "both", "callbacks", "chain"}

// String returns "callback", "errback", "both", "callbacks" or "chain".
func (k StepKind) String() string {
	if int(k) < len(stepKindNames) {
		return stepKindNames[k]
	}
	return "?"
}

// step is one (callback, errback) pair of a chain. A nil function is
// Twisted's "passthru": the result flows through unchanged.
type step struct {
	cb      CallbackFunc // callback track (also the errback track for StepBoth)
	eb      ErrbackFunc  // errback track
	chainee *Deferred    // StepChain only: the Deferred waiting for our result
	kind    StepKind
}

// Deferred is a promise of a result that is not available yet, plus the chain
// of callbacks and errbacks that will process it. It is a callback mechanism,
// nothing more: it does not run anything in the background, and it is NOT
// safe for concurrent use — create, fire and extend a Deferred on one
// goroutine (the loop goroutine). See the package documentation.
//
// State, in Twisted's terms:
//   - called: Callback or Errback has run (the Deferred has a result).
//   - paused: a counter; while it is above zero the chain does not advance.
//     The runner pauses a Deferred itself while it waits on another one.
//   - chainedTo: the Deferred this one is waiting on (a step returned it), or nil.
//   - result: the value flowing down the chain, a *Failure on the errback
//     track, or the awaited *Deferred while chained.
type Deferred struct {
	result    any
	steps     []step   // the block being run: steps[next:] have not run yet
	next      int      // index in steps of the next step to run
	more      [][]step // further blocks of steps, in order; new steps go to the last block
	added     int      // steps ever added (numbers the steps)
	ran       int      // steps ever run
	id        uint64
	label     string
	paused    int
	chainedTo *Deferred
	canceller func(*Deferred)
	b         *Binding   // nil: the process-wide Binding
	createdPC uintptr    // call site of the constructor; resolved lazily
	dbg       *debugInfo // debug mode only
	fs        *failState // set once the chain has ended holding a Failure

	called                bool
	running               bool // a step function is executing: do not re-enter the runner
	suppressAlreadyCalled bool // cancelled without a canceller: eat one late Callback/Errback
	cancelFiresLater      bool // the canceller arranges the firing: Cancel does not errback itself

	inline [2]step // backing store for the first steps: no extra allocation for short chains
}

var lastID atomic.Uint64

// New returns an unfired Deferred. canceller, which may be nil, is called by
// Cancel to stop the underlying operation; see Cancel.
func New(canceller func(*Deferred)) *Deferred {
	return newDeferred(nil, canceller, 1)
}

// newDeferred creates a Deferred of b (nil: of no Binding of its own); skip
// is the number of frames between newDeferred and the user code whose call
// site we record.
func newDeferred(b *Binding, canceller func(*Deferred), skip int) *Deferred {
	d := &Deferred{canceller: canceller, id: lastID.Add(1)}
	d.join(b)
	d.steps = d.inline[:0]
	var pcs [1]uintptr
	runtime.Callers(2+skip, pcs[:])
	d.createdPC = pcs[0]
	if process.debug.Load() || (d.b != nil && d.b.debug.Load()) {
		d.dbg = &debugInfo{created: callers(2 + skip)}
	}
	if d.observed() {
		d.emit(TraceEvent{Kind: EventCreated, ID: d.id, Site: d.Site()})
	}
	return d
}

// Succeed returns a Deferred that has already fired with v on the callback
// track: callbacks added to it run at once. As with Callback, v must not be
// a *Deferred.
func Succeed(v any) *Deferred { return succeedOn(nil, v) }

func succeedOn(b *Binding, v any) *Deferred {
	d := newDeferred(b, nil, 2)
	d.start(v)
	return d
}

// Fail returns a Deferred that has already fired with err on the errback
// track. err becomes a *Failure (unless it already is one).
func Fail(err error) *Deferred { return failOn(nil, err) }

func failOn(b *Binding, err error) *Deferred {
	if err == nil {
		panic("deferred: Fail(nil): pass the error that happened")
	}
	d := newDeferred(b, nil, 2)
	d.start(d.failure(err, 2))
	return d
}

// MaybeDeferred calls fn and always returns a Deferred: a returned *Deferred
// is passed through, a returned error, *Failure or panic gives a failed
// Deferred, and any other value gives a succeeded one.
func MaybeDeferred(fn func() (any, error)) *Deferred {
	res := call0(fn, process.debug.Load())
	if inner, ok := res.(*Deferred); ok {
		if inner != nil {
			return inner
		}
		res = failureFromStep(ErrNilDeferred, fn, false)
	}
	d := newDeferred(nil, nil, 1)
	d.start(res)
	return d
}

// ID returns the Deferred's unique, increasing identifier (as used in trace events).
func (d *Deferred) ID() uint64 { return d.id }

// Label returns the label set with SetLabel.
func (d *Deferred) Label() string { return d.label }

// SetLabel names the Deferred for traces and unhandled-failure reports.
func (d *Deferred) SetLabel(label string) *Deferred {
	d.label = label
	if d.fs != nil {
		// The chain already ended on a failure: report it under this name.
		d.fs.label.Store(&label)
	}
	if d.observed() {
		d.emit(TraceEvent{Kind: EventLabelled, ID: d.id, Label: label})
	}
	return d
}

// Called reports whether Callback or Errback has run.
func (d *Deferred) Called() bool { return d.called }

// Paused reports the pause count (0 = running freely).
func (d *Deferred) Paused() int { return d.paused }

// ChainedTo returns the Deferred this one is waiting on, or nil.
func (d *Deferred) ChainedTo() *Deferred { return d.chainedTo }

// PendingSteps returns how many added steps have not run yet.
func (d *Deferred) PendingSteps() int { return d.added - d.ran }

// Result returns the current result and whether there is one: false before
// the Deferred fires and while it waits on another Deferred. On the errback
// track the result is a *Failure.
func (d *Deferred) Result() (any, bool) {
	if !d.called || d.chainedTo != nil {
		return nil, false
	}
	return d.result, true
}

// Callback fires the Deferred on the callback track with v. A Deferred fires
// once: a second Callback or Errback panics with an *AlreadyCalledError
// (errors.Is(err, ErrAlreadyCalled)). Passing a *Failure behaves like Errback.
// Passing a *Deferred is a programming error (return it from a step to chain).
func (d *Deferred) Callback(v any) {
	d.start(v)
}

// Errback fires the Deferred on the errback track. err becomes a *Failure
// recording where Errback was called. Firing twice panics as in Callback.
func (d *Deferred) Errback(err error) {
	if err == nil {
		panic("deferred: Errback(nil): pass the error that happened")
	}
	d.start(d.failure(err, 1))
}

func (d *Deferred) start(result any) {
	if _, ok := result.(*Deferred); ok {
		panic("deferred: firing with a *Deferred: return the Deferred from a callback to chain it")
	}
	if d.called {
		if d.suppressAlreadyCalled {
			d.suppressAlreadyCalled = false
			return
		}
		panic(d.alreadyCalled(2))
	}
	d.called = true
	d.result = result
	if d.dbg != nil {
		d.dbg.fired = callers(3)
	}
	if d.observed() {
		d.emit(TraceEvent{Kind: EventFired, ID: d.id, Label: d.label, TrackIn: trackOf(result), InSummary: summarize(result)})
	}
	d.runCallbacks()
}

// AddCallbacks adds ONE step holding both functions: cb runs if the result is
// a value, eb if it is a *Failure. Unlike AddCallback(cb).AddErrback(eb), eb
// does not see an error returned by cb — they are alternatives, not a
// sequence. Either may be nil (passthru). If the Deferred has already fired,
// the step runs now, synchronously.
func (d *Deferred) AddCallbacks(cb CallbackFunc, eb ErrbackFunc) *Deferred {
	return d.addStep(step{cb: cb, eb: eb, kind: StepCallbacks})
}

// AddCallback adds a step that runs cb on the callback track and passes a
// *Failure through untouched.
func (d *Deferred) AddCallback(cb CallbackFunc) *Deferred {
	if cb == nil {
		panic("deferred: AddCallback(nil)")
	}
	return d.addStep(step{cb: cb, kind: StepCallback})
}

// AddErrback adds a step that runs eb on the errback track and passes values
// through untouched.
func (d *Deferred) AddErrback(eb ErrbackFunc) *Deferred {
	if eb == nil {
		panic("deferred: AddErrback(nil)")
	}
	return d.addStep(step{eb: eb, kind: StepErrback})
}

// AddBoth adds a step that runs fn on either track: fn receives the value or
// the *Failure (test with a type switch). Like Go's defer or a finally block.
func (d *Deferred) AddBoth(fn CallbackFunc) *Deferred {
	if fn == nil {
		panic("deferred: AddBoth(nil)")
	}
	return d.addStep(step{cb: fn, kind: StepBoth})
}

func (d *Deferred) addStep(s step) *Deferred { return d.addStepFor(s, nil) }

// addStepFor adds s, a step that hands d's result to waiter (a
// DeferredList, a Race, a Coroutine awaiting d): observers learn who waits
// on d, as they do for a chain (StepChain).
func (d *Deferred) addStepFor(s step, waiter *Deferred) *Deferred {
	if d.observed() {
		ev := TraceEvent{Kind: EventStepAdded, ID: d.id, Label: d.label, Step: d.added, StepKind: s.kind}
		if waiter != nil {
			ev.WaitingOn = waiter.id
		}
		d.emit(ev)
	}
	d.push(s)
	if d.called {
		d.runCallbacks()
	}
	return d
}
