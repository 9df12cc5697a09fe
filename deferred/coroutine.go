package deferred

import (
	"errors"
	"iter"
)

// Await suspends the coroutine that received it until d fires, and returns
// d's result: the value, or the *Failure as the error. Like a step added to
// d, it takes the result: after it, d's chain continues with nil. A
// Deferred that has already fired is taken at once, without suspending.
type Await func(d *Deferred) (any, error)

// ErrAwaitOutside is the error of an Await called outside the function
// Coroutine is running (kept and called later, or from a callback).
var ErrAwaitOutside = errors.New("deferred: await called outside its coroutine: call it from the coroutine's own function")

// ErrCoroutineReturnedDeferred is the failure of a coroutine whose function
// returned a *Deferred as its value: return await(d) to wait for it.
var ErrCoroutineReturnedDeferred = errors.New("deferred: a coroutine returned a *Deferred: return await(d) to wait for it")

// Coroutine runs fn as a coroutine and returns a Deferred that fires with
// what fn returns: Twisted's inlineCallbacks, the Go way. Inside fn, a chain
// reads as straight-line code; each await(d) suspends fn until d fires, and
// a failure comes back as a Go error:
//
//	d := deferred.Coroutine(func(await deferred.Await) (any, error) {
//		user, err := await(fetchUser(42))
//		if err != nil {
//			return nil, err // the returned Deferred fails with it
//		}
//		return await(fetchName(user))
//	})
//
// fn starts at once and runs until its first await that has to wait; it
// resumes inside whatever fires the awaited Deferred. A panic in fn fails
// the Deferred, as in a step. Cancelling the Deferred cancels the Deferred
// fn is awaiting, and fn decides what follows: the cancel comes back from
// await as ErrCancelled, and whatever fn returns then is the result.
//
// # A coroutine is still the loop
//
// fn is not a goroutine doing work in parallel. It runs on a goroutine of
// its own (iter.Pull's), but only while the loop waits for it: control
// passes back and forth, and exactly one of them runs at a time. So
// everything that holds for a callback holds for fn. Call it on the loop
// goroutine, and never block in it: time.Sleep, a blocking read, a channel
// receive or Wait in fn stop the loop as surely as in a callback, and every
// connection waits. await is the only way to wait, because it does not
// wait at all: it suspends fn and returns control to the loop. Wait refuses
// to run inside a coroutine for that reason.
//
// A coroutine whose awaited Deferred never fires stays suspended, holding
// its goroutine; cancel its Deferred to end it.
func Coroutine(fn func(await Await) (any, error)) *Deferred {
	c := &coroutine{fn: fn}
	c.deliverStep = c.deliver // one closure for every await, not one each
	c.d = newDeferred(nil, func(*Deferred) { c.cancel() }, 1)
	c.d.cancelFiresLater = true
	c.next, _ = iter.Pull(c.run)
	c.resume()
	return c.d
}

// coroutine drives one Coroutine. All fields are used on the loop's side
// and fn's side in turn, never at once: iter.Pull hands control over.
type coroutine struct {
	fn          func(Await) (any, error)
	d           *Deferred // what the coroutine fires
	next        func() (struct{}, bool)
	yield       func(struct{}) bool
	inBody      bool      // fn is running: await may be called
	waitingOn   *Deferred // the Deferred await suspended on
	got         any       // the result handed to await
	have        bool      // got is set
	suspended   bool      // fn is suspended in await
	deliverStep CallbackFunc
	v           any // what fn returned
	err         error
}

// run is the iterator iter.Pull runs on the coroutine's goroutine.
func (c *coroutine) run(yield func(struct{}) bool) {
	c.yield = yield
	c.v, c.err = c.body()
}

// body runs fn, turning a panic into a failure, as in a step.
func (c *coroutine) body() (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, panicFailure(r)
		}
	}()
	return c.fn(c.await)
}

// resume runs fn until it suspends or returns, then fires d if it returned.
func (c *coroutine) resume() {
	c.inBody = true
	_, more := c.next()
	c.inBody = false
	if more {
		return
	}
	switch inner, isDeferred := c.v.(*Deferred); {
	case c.err != nil:
		c.d.start(failureFromStep(c.err, c.fn, c.d.dbg != nil))
	case isDeferred && inner != nil:
		c.d.start(failureFromStep(ErrCoroutineReturnedDeferred, c.fn, false))
	default:
		c.d.start(c.v)
	}
}

func (c *coroutine) await(d *Deferred) (any, error) {
	switch {
	case !c.inBody || c.suspended:
		return nil, ErrAwaitOutside
	case d == nil:
		return nil, ErrNilDeferred
	case d == c.d:
		return nil, ErrChainedToSelf
	}
	c.d.join(d.b)
	c.have, c.waitingOn = false, d
	d.addStepFor(step{cb: c.deliverStep, kind: StepBoth}, c.d)
	if !c.have {
		c.suspended = true
		c.yield(struct{}{}) // back to resume's caller; returns when deliver resumes fn
	}
	r := c.got
	c.got, c.have, c.waitingOn = nil, false, nil
	if f, ok := r.(*Failure); ok {
		return nil, f
	}
	return r, nil
}

// deliver is the step await adds to the awaited Deferred: it hands the
// result to fn, resuming it if it had to suspend, and takes the result.
func (c *coroutine) deliver(r any) (any, error) {
	c.got, c.have = r, true
	if c.suspended {
		c.suspended = false
		c.resume()
	}
	return nil, nil
}

// cancel is d's canceller: the cancel goes to the awaited Deferred.
func (c *coroutine) cancel() {
	if w := c.waitingOn; w != nil {
		w.Cancel()
	}
}
