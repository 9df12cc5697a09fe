package deferred

import (
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// loopClock adapts a *reactor.Loop to Loop.
type loopClock struct{ l *reactor.Loop }

// LoopClock returns l as a deferred.Loop: a Clock for AddTimeout and
// DeferLater, and the way back to the loop for DeferToGoroutine.
func LoopClock(l *reactor.Loop) Loop { return loopClock{l} }

func (c loopClock) CallLater(d time.Duration, fn func()) Cancellable { return c.l.CallLater(d, fn) }
func (c loopClock) Now() time.Time                                   { return c.l.Now() }
func (c loopClock) CallFromGoroutine(fn func())                      { c.l.CallFromGoroutine(fn) }

// UnhandledLabel is the Label of the reactor KindError event that reports an
// unhandled failure.
const UnhandledLabel = "unhandled failure in Deferred"

// Bind ties unhandled-failure reporting to l. A chain that ends holding a
// Failure is checked at the end of the loop pass instead of at garbage
// collection: the check is queued with l.CallSoon, so it runs in the pass's
// queued-calls phase, after the handlers (a failure raised by a handler is
// checked in the same pass, one raised by a queued call or a timer in the
// next). Each report becomes a reactor KindError trace event (Label
// UnhandledLabel, Text = the failure and the creation site) and is then
// passed to the previous hook, which by default prints it to stderr.
// Binding is global: while bound, use Deferreds only on l's goroutine. Call
// Bind on the loop goroutine before the loop runs; the returned function
// undoes it.
func Bind(l *reactor.Loop) (unbind func()) {
	var prev func(UnhandledFailure)
	prev = SetUnhandledHook(func(u UnhandledFailure) {
		ev := reactor.TraceEvent{Kind: reactor.KindError, Label: UnhandledLabel, Text: u.String()}
		if u.AtGC {
			// GC cleanups run on a runtime goroutine; Trace is loop-only.
			l.CallFromGoroutine(func() { l.Trace(ev) })
		} else {
			l.Trace(ev)
		}
		prev(u)
	})
	restore := setEndOfPass(l.CallSoon)
	return func() {
		restore()
		SetUnhandledHook(prev)
	}
}

// TraceTo forwards every deferred TraceEvent into l's trace as a
// reactor.KindDeferred event (N = the EventKind, Label = the Deferred's label,
// Text = the event's one-line rendering, Dur = its duration), so a recording
// of the loop also holds the chains. It costs nothing while l has no trace
// subscriber. Call it on the loop goroutine; the returned function stops it.
func TraceTo(l *reactor.Loop) (stop func()) {
	return observeWhen(l.Tracing, func(ev TraceEvent) {
		l.Trace(reactor.TraceEvent{Kind: reactor.KindDeferred, N: int64(ev.Kind), Label: ev.Label, Text: ev.String(), Dur: ev.Dur})
	})
}
