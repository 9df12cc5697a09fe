// Package deferred is Twisted's Deferred in Go, built so that every step can
// be watched.
//
// "A Deferred is a callback mechanism, nothing more." A function that cannot
// produce its result yet returns a *Deferred instead of blocking. The caller
// attaches what should happen next — a callback chain for the result and
// an errback chain for a failure — and whoever finally has the result
// fires the Deferred with Callback or Errback.
//
//	d := fetchUser(42)                       // returns at once
//	d.AddCallback(func(v any) (any, error) { // runs when the result arrives
//		return v.(User).Name, nil
//	})
//	d.AddErrback(func(f *deferred.Failure) (any, error) {
//		log.Print(f)
//		return "anonymous", nil // handled: back to the callback track
//	})
//
// # The two tracks
//
// A chain is a list of steps, each a (callback, errback) pair. The result
// walks down the list; at each step it takes the callback if it is a value
// and the errback if it is a *Failure. A missing half is "passthru": the
// result goes on unchanged.
//
//	     callback track                   errback track
//	      Callback(v)                      Errback(err)
//	           |                                |
//	step 0 [   cb   ]---- error ---.       [passthru]    AddCallback(cb)
//	           |                    \           |
//	step 1 [passthru]                `---->[   eb   ]    AddErrback(eb)
//	           |                                |
//	           +<---------- value --------------+
//	           |                                |
//	step 2 [   cb   ]                      [   eb   ]    AddCallbacks(cb, eb)
//	           |    \                           |
//	           |     `---- error ---.           |
//	step 3 [   fn   ]                `---->[   fn   ]    AddBoth(fn)
//	           |                                |
//	           v                                v
//	      final value                     final Failure: reported as
//	                                      unhandled unless an errback
//	                                      is added in time
//
// Read it like a railway: a result stays on its track until a step switches
// it. Step 1's errback returned a value, so the result went back to the
// callback track. Step 2's cb and eb are alternatives: an error from cb
// skips step 2's eb and lands on step 3.
//
// # Switching rules
//
//  1. Each step's return value is the next step's input, so the type of the
//     result can change along the chain.
//  2. A step that returns a non-nil error, returns a *Failure as its value,
//     or panics moves the result to the errback track. A panic becomes a
//     Failure that keeps the panic value and its stack.
//  3. An errback that returns a plain value (even nil) with a nil error has
//     HANDLED the failure: the result moves back to the callback track.
//     To keep failing, return the failure: return nil, f (see Failure.Trap).
//  4. A step that returns a *Deferred that has not fired pauses this chain
//     until that Deferred fires; its result then continues down this chain
//     (chaining). A *Deferred that has already fired is unwrapped at once.
//  5. Adding a step to a Deferred that has already fired runs the step now,
//     synchronously, before Add* returns.
//  6. A Deferred fires once. A second Callback or Errback panics with an
//     *AlreadyCalledError (errors.Is(err, ErrAlreadyCalled)), showing both
//     firing sites when SetDebugging(true) is on.
//
// Chains run iteratively with an explicit stack (chain.go), so a chain of a
// million steps or a hundred thousand Deferreds waiting on one another does
// not grow the Go stack.
//
// # The AddCallbacks gotcha
//
// These two are NOT the same:
//
//	d.AddCallbacks(cb, eb)           // one step: eb is cb's alternative
//	d.AddCallback(cb).AddErrback(eb) // two steps: eb comes after cb
//
// In the first form eb only sees a failure that arrived before the step; an
// error returned by cb goes past eb to the next step. In the second form eb
// also catches cb's error. See ExampleDeferred_AddCallbacks.
//
// # A Deferred does not make blocking code non-blocking
//
// The most common misunderstanding in Twisted: wrapping a slow call in a
// Deferred changes nothing.
//
//	d := deferred.MaybeDeferred(func() (any, error) {
//		time.Sleep(time.Second) // the loop is stuck here for a second
//		return 42, nil
//	})
//
// MaybeDeferred calls the function right now, on this goroutine; the
// Deferred merely carries a result that already exists. The loop is blocked
// just as if you had called the function directly, and every connection
// waits. Either make the work asynchronous for real (non-blocking fds, a
// timer via DeferLater), or run it somewhere else with DeferToGoroutine,
// which hands it to a pool of worker goroutines and fires the Deferred back
// on the loop.
//
// # Goroutines
//
// A Deferred is not safe for concurrent use: create, extend and fire it on
// one goroutine — in reactorlab, the loop goroutine. Work done on another
// goroutine comes back through Loop.CallFromGoroutine, which is exactly what
// DeferToGoroutine does.
//
// # Cancellation and time
//
// Cancel calls the canceller given to New; if that did not fire the
// Deferred, it errbacks with ErrCancelled. A Deferred waiting on another
// forwards the cancel to it. AddTimeout(d, clock) cancels after d and turns
// the cancellation into ErrTimeout for the steps added after it. Time comes
// from a Clock: the reactor's loop (LoopClock) or a FakeClock, whose Advance
// makes tests and exercises deterministic.
//
// # Errors that cannot hide
//
// Twisted prints "Unhandled error in Deferred" only when the object is
// garbage-collected — late, or never. Here, once Bind has tied the package to
// a loop, a chain that ends holding a Failure with no errback added by the
// end of the loop pass is reported at once through the hook set with
// SetUnhandledHook (the failure, where the Deferred was created, its label).
// Without a loop the report comes when the Deferred is collected.
//
// # Watching
//
// Observe registers a function that receives a TraceEvent for every
// creation, step added, firing, step run (track in → track out, summaries of
// input and output, duration), pause, resume, cancel, timeout and unhandled
// failure. While nobody observes, nothing is built.
package deferred
