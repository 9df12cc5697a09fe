package deferred

import (
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// loopClock adapts a *reactor.Loop to Loop.
type loopClock struct{ l *reactor.Loop }

// LoopClock returns l as a deferred.Loop: a Clock for AddTimeout and
// DeferLater, and the way back to the loop for DeferToGoroutine, FromChan
// and FromContext. The Deferreds those make with it belong to l's own
// Binding, if BindLoop gave it one.
func LoopClock(l *reactor.Loop) Loop { return loopClock{l} }

func (c loopClock) CallLater(d time.Duration, fn func()) Cancellable { return c.l.CallLater(d, fn) }
func (c loopClock) Now() time.Time                                   { return c.l.Now() }
func (c loopClock) CallFromGoroutine(fn func())                      { c.l.CallFromGoroutine(fn) }

// bindingOf returns the Binding of the loop behind clock when clock is
// LoopClock(l) and l has a Binding of its own; otherwise nil.
func bindingOf(clock any) *Binding {
	if c, ok := clock.(loopClock); ok {
		return bindingOfLoop(c.l)
	}
	return nil
}

// UnhandledLabel is the Label of the reactor KindError event that reports an
// unhandled failure.
const UnhandledLabel = "unhandled failure in Deferred"

// Bind attaches the process-wide Binding to l: a chain of a Deferred with
// no Binding of its own that ends holding a Failure is checked at the end
// of l's pass instead of at garbage collection. The check is queued with
// l.CallSoon, so it runs in the pass's queued-calls phase, after the
// handlers (a failure raised by a handler is checked in the same pass, one
// raised by a queued call or a timer in the next). Each report becomes a
// reactor KindError trace event (Label UnhandledLabel, Text = the failure
// and the creation site) and is then passed to the process-wide hook
// (SetUnhandledHook), which by default prints it to stderr.
//
// Binding is process-wide: while bound, use Deferreds without a Binding of
// their own only on l's goroutine. With several loops, give each its own
// with BindLoop. Call Bind on the loop goroutine or before the loop runs;
// the returned function undoes it.
func Bind(l *reactor.Loop) (unbind func()) {
	return process.attach(loopAttachment(l))
}

// traceUnhandled records a report as a KindError event in a's loop trace.
func traceUnhandled(a *attachment, u UnhandledFailure) {
	ev := reactor.TraceEvent{Kind: reactor.KindError, Label: UnhandledLabel, Text: u.String()}
	if u.AtGC {
		// GC cleanups run on a runtime goroutine; Trace is loop-only.
		a.loop.CallFromGoroutine(func() { a.loop.Trace(ev) })
	} else {
		a.loop.Trace(ev)
	}
}

// TraceTo forwards deferred TraceEvents into l's trace as reactor.KindDeferred
// events (N = the EventKind, Label = the Deferred's label, Text = the event's
// one-line rendering, Dur = its duration), so a recording of the loop also
// holds the chains: the events of l's own Binding if BindLoop gave it one,
// else of every Deferred in the process. It costs nothing while l has no
// trace subscriber. Call it on the loop goroutine; the returned function
// stops it.
func TraceTo(l *reactor.Loop) (stop func()) {
	b := bindingOfLoop(l)
	if b == nil {
		b = process
	}
	return b.obs.add(l.Tracing, func(ev TraceEvent) {
		l.Trace(reactor.TraceEvent{Kind: reactor.KindDeferred, N: int64(ev.Kind), Label: ev.Label, Text: ev.String(), Dur: ev.Dur})
	})
}
