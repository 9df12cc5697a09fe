package deferred

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/reactorlab/reactorlab/reactor"
)

// Crossing goroutines: a Deferred lives on its loop's goroutine, and these
// are the only ways to or from another goroutine. Wait blocks a goroutine
// that is NOT the loop until a Deferred fires; FromChan (and FromContext,
// in context.go) fire a Deferred on the loop when another goroutine
// delivers. Each goes through Loop.CallFromGoroutine, never touching the
// Deferred from the wrong goroutine.

// ErrWaitOnLoop is the error of Wait called where blocking would deadlock:
// on the goroutine of a loop, or inside a Coroutine. The loop that must
// fire the Deferred would be the one waiting.
var ErrWaitOnLoop = errors.New("deferred: Wait would block the loop that must fire the Deferred: add a callback instead (or await it in a Coroutine)")

// ErrNoLoop is the error of Wait on a Deferred whose Binding is attached to
// no loop, so nothing can carry the result to another goroutine.
var ErrNoLoop = errors.New("deferred: Wait needs the Deferred's loop: create it on a bound loop (Bind, or BindLoop and its Binding)")

// ErrChanClosed is the failure of a FromChan Deferred whose channel was
// closed without a value being sent.
var ErrChanClosed = errors.New("deferred: channel closed without a value")

// Wait blocks until d has a result or ctx ends, for code that is not on the
// loop goroutine: a test, main, a worker goroutine. It returns d's result
// at the end of the chain as it stands when the loop gets Wait's request,
// and the *Failure as the error; if ctx ends first, a *ContextError (so
// errors.Is(err, context.DeadlineExceeded) holds). Ending ctx does not
// cancel d; use AddContext for that.
//
// Wait adds a step at the end of d's chain (on the loop goroutine): a value
// passes through it unchanged, and a failure it delivers is handled there,
// the chain going on with nil, because the caller of Wait now holds it. A
// failure that arrives after ctx ended stays on the chain.
//
// On the loop goroutine Wait would deadlock: the loop cannot fire d while
// it waits. So there, and inside a Coroutine or a loop pass, Wait returns
// ErrWaitOnLoop at once. It finds d's loop through d's Binding (Bind or
// BindLoop); without one it returns ErrNoLoop. If the loop stops before
// firing d, Wait returns when ctx ends: give it a deadline.
func (d *Deferred) Wait(ctx context.Context) (any, error) {
	if where := blockingDeadlocks(); where != "" {
		return nil, fmt.Errorf("%w (called %s)", ErrWaitOnLoop, where)
	}
	a := d.binding().att.Load()
	if a == nil || a.remote == nil {
		return nil, ErrNoLoop
	}
	w := &waiter{ch: make(chan any, 1)}
	a.remote(func() { d.AddBoth(w.take) })
	select {
	case r := <-w.ch:
		return outcome(r)
	case <-ctx.Done():
		if w.state.CompareAndSwap(waiting, gaveUp) {
			return nil, contextError(ctx)
		}
		return outcome(<-w.ch) // the result won the race
	}
}

const (
	waiting int32 = iota
	delivered
	gaveUp
)

// waiter is one Wait: whichever of the result and ctx comes first wins.
type waiter struct {
	state atomic.Int32
	ch    chan any
}

func (w *waiter) take(r any) (any, error) {
	if !w.state.CompareAndSwap(waiting, delivered) {
		return r, nil // Wait gave up: the result stays on the chain
	}
	w.ch <- r
	if _, failed := r.(*Failure); failed {
		return nil, nil // the caller of Wait holds the failure now
	}
	return r, nil
}

func outcome(r any) (any, error) {
	if f, ok := r.(*Failure); ok {
		return nil, f
	}
	return r, nil
}

// Functions whose frames on the stack mean "this goroutine is running a
// loop pass or a coroutine": blocking here blocks the loop.
var loopFrames = []string{
	funcName((*reactor.Loop).Run),
	funcName((*reactor.Loop).Iterate),
	funcName((*coroutine).run),
}

func funcName(fn any) string {
	return runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
}

// blockingDeadlocks says where the caller is if blocking it would stop a
// loop: on a bound loop's goroutine (even between passes), inside a pass
// of any loop, or inside a coroutine. "" means it is safe to block.
func blockingDeadlocks() string {
	if onLoopGoroutine() {
		return "on a loop goroutine"
	}
	var pcs [256]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for {
		fr, more := frames.Next()
		for i, name := range loopFrames {
			if strings.HasPrefix(fr.Function, name) {
				return [...]string{"inside a loop pass", "inside a loop pass", "inside a Coroutine"}[i]
			}
		}
		if !more {
			return ""
		}
	}
}

// FromChan returns a Deferred that fires on loop's goroutine with the first
// value received from ch, or fails with ErrChanClosed if ch is closed
// first. A goroutine waits on ch meanwhile; cancelling the Deferred stops
// it (and a value sent afterwards is left in ch). Call it on the loop
// goroutine: the channel side is the only part that crosses goroutines.
//
// A Deferred that is never fired nor cancelled keeps that goroutine
// waiting, as a goroutine blocked on ch would.
func FromChan[T any](loop Loop, ch <-chan T) *Deferred {
	stop := make(chan struct{})
	d := newDeferred(bindingOf(loop), func(*Deferred) { close(stop) }, 1)
	go func() {
		var res any
		select {
		case v, ok := <-ch:
			res = fromGoroutine(v)
			if !ok {
				res = failureFor(ErrChanClosed, -1)
			}
		case <-stop:
			return
		}
		loop.CallFromGoroutine(func() {
			if !d.called { // not cancelled meanwhile
				d.start(res)
			}
		})
	}()
	return d
}

// fromGoroutine checks a result made on another goroutine: a *Deferred
// belongs to the loop goroutine and cannot cross.
func fromGoroutine(v any) any {
	if _, ok := v.(*Deferred); ok {
		return failureFor(errors.New("deferred: a *Deferred came back from another goroutine; Deferreds belong to the loop goroutine"), -1)
	}
	return v
}
