package deferred

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/reactorlab/reactorlab/reactor"
)

// Binding is the package state that belongs to one loop: where and when the
// unhandled failures of its Deferreds are reported (the hook, and the loop
// whose passes check them), whether they record debug stacks, who observes
// them, and which goroutine runs that loop.
//
// # One process-wide Binding, and one per loop
//
// The package functions SetUnhandledHook, SetDebugging, Observe and Bind act
// on one process-wide Binding, which every Deferred without a Binding of its
// own uses. That is the simple case: one loop, or none (tests on a
// FakeClock). A program or a test with several loops gives each its own
// with BindLoop, so their hooks, debug flags and observers stay apart and
// tests may run in parallel, and creates that loop's Deferreds through it:
//
//	b := deferred.BindLoop(loop)
//	defer b.Unbind()
//	d := b.New(nil)                                             // d belongs to b,
//	t := deferred.DeferLater(deferred.LoopClock(loop), time.Minute, nil) // and so does t
//
// A Deferred joins a Binding when it is made by one (New, Succeed, Fail) or
// from the clock of a bound loop (LoopClock: DeferLater, DeferToGoroutine,
// FromChan, FromContext). Deferreds made from others follow them: a
// DeferredList, Gather or Race joins the Binding of its first child that
// has one, a Deferred returned by a step joins the chain that waits on it,
// and a Coroutine joins the Binding of the first Deferred it awaits.
//
// Why explicit, and not "the loop whose goroutine created it"? Go hides
// goroutine identity on purpose; finding it costs a stack walk (2–10 µs),
// far more than a whole Deferred. The package does look it up where
// cost does not matter: Wait uses it to refuse to block a loop.
//
// A process-wide observer (Observe) sees the events of every Deferred; an
// observer of a Binding (b.Observe) only those of its Deferreds. A Binding
// with no hook of its own reports through the process-wide hook, and debug
// mode is on for a Deferred if either its Binding's or the process-wide
// flag is on. The zero Binding is tied to no loop: its Deferreds' failures
// are reported when they are garbage-collected.
type Binding struct {
	hook  atomic.Pointer[func(UnhandledFailure)] // nil: the process-wide hook
	debug atomic.Bool
	obs   observers[TraceEvent]
	att   atomic.Pointer[attachment] // the loop that checks failures; nil: at garbage collection
	own   *reactor.Loop              // BindLoop's loop; nil for the process-wide Binding
}

// attachment ties a Binding to the passes of one loop. A new attachment
// starts clean even if an old loop never ran its queued check.
type attachment struct {
	loop     *reactor.Loop // nil when a test attaches a fake pass
	schedule func(func())  // runs fn at the end of the pass; loop goroutine only
	remote   func(func())  // runs fn on the loop goroutine, from any goroutine; nil: unknown
	g        atomic.Uint64 // the goroutine running the loop, once it has run a pass

	mu        sync.Mutex
	pending   []*Deferred
	scheduled bool
}

// process is the process-wide Binding.
var process = func() *Binding {
	b := &Binding{}
	h := defaultHook
	b.hook.Store(&h)
	return b
}()

// registry maps each loop to the Binding BindLoop gave it.
var registry struct {
	sync.Mutex
	byLoop map[*reactor.Loop]*Binding
}

func loopAttachment(l *reactor.Loop) *attachment {
	return &attachment{loop: l, schedule: l.CallSoon, remote: l.CallFromGoroutine}
}

// BindLoop gives l a Binding of its own, attached to l's passes as Bind
// attaches the process-wide one: a chain of its Deferreds that ends holding
// a Failure is reported at the end of the pass, as a reactor trace event
// and through the Binding's hook. Calling it again for l returns the same
// Binding. Call it before the loop runs, or on its goroutine. The Binding
// ends (Unbind) when the loop stops; call Unbind yourself for a loop that
// is closed without being stopped.
func BindLoop(l *reactor.Loop) *Binding {
	registry.Lock()
	defer registry.Unlock()
	if b := registry.byLoop[l]; b != nil {
		return b
	}
	if registry.byLoop == nil {
		registry.byLoop = map[*reactor.Loop]*Binding{}
	}
	b := &Binding{own: l}
	b.attach(loopAttachment(l))
	registry.byLoop[l] = b
	l.AddShutdownHook(b.Unbind)
	return b
}

// bindingOfLoop returns l's own Binding, or nil.
func bindingOfLoop(l *reactor.Loop) *Binding {
	registry.Lock()
	defer registry.Unlock()
	return registry.byLoop[l]
}

// Unbind detaches b from its loop: its Deferreds' failures are reported at
// garbage collection from now on, and BindLoop gives the loop a new Binding.
// Calling it again does nothing.
func (b *Binding) Unbind() {
	registry.Lock()
	if b.own != nil && registry.byLoop[b.own] == b {
		delete(registry.byLoop, b.own)
	}
	registry.Unlock()
	b.att.Store(nil)
}

// attach ties b to a's loop (nil: to none) and returns a function restoring
// the previous tie. The loop goroutine is learned on the loop's next pass.
func (b *Binding) attach(a *attachment) (restore func()) {
	old := b.att.Swap(a)
	if a != nil && a.remote != nil {
		a.remote(a.learn)
	}
	return func() { b.att.Store(old) }
}

// learn records the goroutine running the loop; it runs on that goroutine.
func (a *attachment) learn() { a.g.Store(goid()) }

// New returns an unfired Deferred of b (see the package-level New).
func (b *Binding) New(canceller func(*Deferred)) *Deferred {
	return newDeferred(b, canceller, 1)
}

// Succeed returns a Deferred of b that has fired with v (see Succeed).
func (b *Binding) Succeed(v any) *Deferred { return succeedOn(b, v) }

// Fail returns a Deferred of b that has fired with err (see Fail).
func (b *Binding) Fail(err error) *Deferred { return failOn(b, err) }

// SetUnhandledHook replaces the function that reports b's unhandled
// failures and returns the previous one; nil (the default) reports through
// the process-wide hook (SetUnhandledHook).
func (b *Binding) SetUnhandledHook(h func(UnhandledFailure)) (previous func(UnhandledFailure)) {
	var p *func(UnhandledFailure)
	if h != nil {
		p = &h
	}
	if old := b.hook.Swap(p); old != nil {
		previous = *old
	}
	return previous
}

// SetDebugging turns debug mode on or off for b's Deferreds created
// afterwards (see SetDebugging).
func (b *Binding) SetDebugging(on bool) { b.debug.Store(on) }

// Debugging reports whether b's own debug flag is on.
func (b *Binding) Debugging() bool { return b.debug.Load() }

// Observe registers fn to receive the TraceEvents of b's Deferreds and
// returns a function that removes it (see Observe).
func (b *Binding) Observe(fn func(TraceEvent)) (cancel func()) {
	return b.obs.add(nil, fn)
}

// reportTo returns the hook for b's reports.
func (b *Binding) reportTo() func(UnhandledFailure) {
	if h := b.hook.Load(); h != nil {
		return *h
	}
	return *process.hook.Load()
}

// binding returns the Binding d belongs to.
func (d *Deferred) binding() *Binding {
	if d.b != nil {
		return d.b
	}
	return process
}

// join puts d in b if it has no Binding yet.
func (d *Deferred) join(b *Binding) {
	if d.b == nil && b != nil && b != process {
		d.b = b
	}
}

// onLoopGoroutine reports whether the calling goroutine runs a loop that a
// Binding is attached to (as learned on the loop's last pass).
func onLoopGoroutine() bool {
	g := goid()
	on := func(b *Binding) bool {
		a := b.att.Load()
		return a != nil && a.g.Load() == g
	}
	if on(process) {
		return true
	}
	registry.Lock()
	defer registry.Unlock()
	for _, b := range registry.byLoop {
		if on(b) {
			return true
		}
	}
	return false
}

// goid returns the calling goroutine's number, from the header line of its
// stack trace ("goroutine 7 [running]:"). Go offers no cheaper way on
// purpose; it costs a stack walk, so it is only used off the hot paths.
func goid() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	var id uint64
	for _, c := range buf[len("goroutine "):n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
