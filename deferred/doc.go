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
// one goroutine — in reactorlab, the loop goroutine. Everything that crosses
// to or from another goroutine goes through Loop.CallFromGoroutine:
//
//   - DeferToGoroutine runs a blocking function on a worker pool and fires
//     the Deferred back on the loop with its result;
//   - FromChan fires a Deferred on the loop with a value another goroutine
//     sends on a channel;
//   - FromContext fails a Deferred on the loop when a context ends, and
//     AddContext cancels one then;
//   - Deferred.Wait blocks a goroutine that is not the loop (main, a test,
//     a worker) until a Deferred fires. On the loop it refuses with
//     ErrWaitOnLoop: the loop cannot fire a Deferred while it waits for it.
//
// # Deferred, channel, errgroup, context
//
// A Go programmer's first question. All four deal with work that finishes
// later; they differ in who waits, and where.
//
//   - A channel is a place where one goroutine waits for another. To get a
//     result you receive, and the receiving goroutine blocks until it comes.
//     Concurrency comes from goroutines, each of which may block.
//   - errgroup (golang.org/x/sync/errgroup) is a WaitGroup that keeps the
//     first error and cancels a context when one goroutine fails: "run these
//     goroutines, wait for all, stop on the first failure".
//   - A context.Context carries a deadline or a cancel, and its cause, down
//     a call tree. It waits for nothing and computes nothing: it is how the
//     other three are told to stop.
//   - A Deferred is a result that nobody waits for. Nothing blocks: you add
//     what should happen to the result, and the loop goroutine runs it when
//     the result arrives. Concurrency comes from one goroutine never
//     blocking, as in the 2006 answer this lab starts from. DeferredList and
//     Gather are its WaitGroup and errgroup; AddTimeout, AddContext and
//     Cancel its context.
//
// A channel receive or an errgroup Wait on the loop goroutine would stop
// the loop; a Deferred is how the loop waits without stopping. Off the loop
// the Go tools are the right ones, and Wait, FromChan and FromContext join
// the two worlds. Example_comparedWithGo runs one task all four ways.
//
// # Coroutines: inlineCallbacks the Go way
//
// A long chain of callbacks reads inside out. Coroutine lets it read as
// straight-line code: its function calls await(d), which suspends it until
// d fires and returns d's result, with a failure as a Go error:
//
//	d := deferred.Coroutine(func(await deferred.Await) (any, error) {
//		id, err := deferred.As[int](await(lookupID(login)))
//		if err != nil {
//			return nil, err
//		}
//		return await(lookupName(id))
//	})
//
// The coroutine is still the loop: it runs only while the loop waits for
// it, so it must not block either (see Coroutine). ExampleCoroutine writes
// the same logic as callbacks, as a coroutine, and with a goroutine and a
// channel.
//
// # Coordination and types
//
// DeferredLock, DeferredSemaphore and DeferredQueue coordinate callbacks
// without blocking: Acquire and Get return a Deferred that fires when the
// lock, the token or the value is yours, and cancelling it leaves the line.
// Then, Catch, GatherOf and As are typed forms of AddCallback, of an
// errback that handles one error type, of Gather and of a result: the type
// assertions a learner would write by hand, with a failure instead of a
// panic when the type is wrong.
//
// # Cancellation and time
//
// Cancel calls the canceller given to New; if that did not fire the
// Deferred, it errbacks with ErrCancelled. A Deferred waiting on another
// forwards the cancel to it. AddTimeout(d, clock) cancels after d and turns
// the cancellation into ErrTimeout for the steps added after it (or into
// what AddTimeoutFunc's onTimeoutCancel returns). Time comes from a Clock:
// the reactor's loop (LoopClock) or a FakeClock, whose Advance and Pump make
// tests and exercises deterministic, and whose Calls and DelayedCall show
// and move what is scheduled.
//
// # Testing
//
// Test code that returns Deferreds without a loop: fire them, or advance a
// FakeClock, then check what they hold with the deferredtest package
// (SuccessResultOf, FailureResultOf, AssertNoResult, after Twisted's trial).
//
// # Errors that cannot hide
//
// Twisted prints "Unhandled error in Deferred" only when the object is
// garbage-collected — late, or never. Here, once Bind has tied the package to
// a loop, a chain that ends holding a Failure with no errback added by the
// end of the loop pass is reported at once through the hook set with
// SetUnhandledHook (the failure, where the Deferred was created, its label).
// Without a loop the report comes when the Deferred is collected. In debug
// mode (SetDebugging) reports and errors carry stacks, returned errors
// included.
//
// # One loop or several
//
// The hook, the debug flag, the observers and the tie to a loop belong to a
// Binding. The package functions use the process-wide one, which is all a
// program with one loop needs; BindLoop gives a loop a Binding of its own,
// so that two loops (or two tests in parallel) do not share them. See
// Binding.
//
// # Watching
//
// Observe registers a function that receives a TraceEvent for every
// creation, step added, firing, step run (track in → track out, summaries of
// input and output, duration), pause, resume, cancel, timeout and unhandled
// failure. While nobody observes, nothing is built.
package deferred
