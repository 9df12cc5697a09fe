package deferred

// Flow control: pausing a chain and cancelling the operation behind it.
//
// Both are counters and flags on the Deferred, never goroutines or locks:
// Pause holds the runner (chain.go) off, Cancel asks the canceller given to
// New to stop the work and otherwise fires the Deferred with ErrCancelled.

// Pause stops the chain from advancing until a matching Unpause: pauses are
// counted, and whoever pauses must unpause. While paused, a Deferred that
// fires keeps its result, and steps added to it wait.
//
// Pause holds the runner off when it next looks at this Deferred: when the
// Deferred fires, when a step is added, and when a Deferred it waits on
// hands it a result. Called inside a step of this same Deferred, Pause does
// not stop the chain there: the steps already in the chain still run,
// because the runner does not look at the count between steps (neither does
// Twisted's); only the steps added after the runner has stopped wait. To
// stop after a step, return an unfired Deferred from it instead (rule 4 of
// the package documentation).
func (d *Deferred) Pause() {
	d.paused++
	if d.observed() {
		d.emit(TraceEvent{Kind: EventPaused, ID: d.id, Label: d.label})
	}
}

// Unpause undoes one Pause; when the count reaches zero a fired chain
// continues at once. Extra Unpause calls are ignored, and cannot release the
// pause the runner holds while the Deferred waits on another one (in Twisted
// they can, and break the chain: twisted/twisted#12726).
func (d *Deferred) Unpause() {
	if d.paused == 0 || (d.chainedTo != nil && d.paused == 1) {
		return
	}
	d.paused--
	if d.observed() {
		d.emit(TraceEvent{Kind: EventResumed, ID: d.id, Label: d.label})
	}
	if d.paused == 0 && d.called {
		d.runCallbacks()
	}
}

// Cancel asks for the operation behind the Deferred to stop. If the Deferred
// has not fired, Cancel calls the canceller; if that did not fire it, Cancel
// errbacks with ErrCancelled (and, when there is no canceller, silently eats
// the one late Callback/Errback that the abandoned operation will make). If
// the Deferred is waiting on another Deferred, the cancel is forwarded there.
// Cancel never panics on a fired Deferred and may be called any number of
// times; a canceller that panics panics through Cancel.
//
// A few Deferreds made by this package fire later by design when cancelled:
// a DeferredList cancels its children and fires once they have delivered
// (a paused child keeps it waiting), and a Coroutine hands the cancel to
// the Deferred it awaits and lets its function decide.
func (d *Deferred) Cancel() {
	if !d.called {
		if d.observed() {
			d.emit(TraceEvent{Kind: EventCancelled, ID: d.id, Label: d.label})
		}
		if d.canceller != nil {
			d.canceller(d)
		} else {
			d.suppressAlreadyCalled = true
		}
		if !d.called && !d.cancelFiresLater {
			d.start(d.failure(ErrCancelled, 1))
		}
	} else if d.chainedTo != nil {
		d.chainedTo.Cancel()
	}
}
