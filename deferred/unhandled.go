package deferred

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
)

// UnhandledFailure describes a chain that ended holding a *Failure with no
// errback left to handle it — Twisted's "Unhandled error in Deferred".
type UnhandledFailure struct {
	ID      uint64
	Label   string
	Failure *Failure
	Created string // "file:line" where the Deferred was created (a stack in debug mode)
	Fired   string // debug mode only: the stack that first fired it
	// AtGC is true when the report comes from the garbage collector (no loop
	// was bound): the hook then runs on a runtime goroutine, not the loop.
	AtGC bool
	// While is set when the failure did not end a chain but was caught
	// while the package did something on the Deferred's behalf, such as
	// "cancelling DeferredList d9" for a canceller that panicked.
	While string
}

// String renders the report the way the default hook prints it.
func (u UnhandledFailure) String() string {
	name := idName(u.ID)
	if u.Label != "" {
		name += " (" + u.Label + ")"
	}
	s := fmt.Sprintf("Unhandled failure in Deferred %s created at %s:\n  %+v", name, u.Created, u.Failure)
	if u.While != "" {
		s = fmt.Sprintf("Unhandled failure in Deferred %s created at %s, while %s:\n  %+v", name, u.Created, u.While, u.Failure)
	}
	if u.Fired != "" {
		s += "\n  first fired at:\n" + u.Fired
	}
	return s
}

func defaultHook(u UnhandledFailure) { fmt.Fprintln(os.Stderr, u.String()) }

// SetUnhandledHook replaces the process-wide function that reports unhandled
// failures and returns the previous one (nil restores the default, which
// prints to stderr). It reports the Deferreds of every Binding that has no
// hook of its own (Binding.SetUnhandledHook). On a bound loop each report
// also becomes a reactor trace event first (see Bind).
func SetUnhandledHook(h func(UnhandledFailure)) (previous func(UnhandledFailure)) {
	if h == nil {
		h = defaultHook
	}
	return *process.hook.Swap(&h)
}

// setEndOfPass attaches the process-wide Binding to a fake loop whose
// end-of-pass scheduler is schedule (nil: to none) and returns a function
// restoring the previous attachment. Tests stand in for a loop with it.
func setEndOfPass(schedule func(func())) (restore func()) {
	var a *attachment
	if schedule != nil {
		a = &attachment{schedule: schedule}
	}
	return process.attach(a)
}

// failState is the part of a Deferred the GC cleanup may read. It must not
// point back at the Deferred, or the Deferred could never be collected.
type failState struct {
	id       uint64
	pc       uintptr
	label    atomic.Pointer[string]
	created  string                  // debug-mode creation stack, else ""
	fired    string                  // debug-mode first-firing stack, else ""
	failure  atomic.Pointer[Failure] // the Failure the chain ended with; nil = handled
	reported atomic.Pointer[Failure] // the last Failure reported (report each once)
	b        atomic.Pointer[Binding] // the Deferred's Binding; nil = process-wide
}

// noteFinished is called when d's chain has run as far as it can. It tracks
// a Failure left at the end of the chain so it can be reported.
func (d *Deferred) noteFinished() {
	f, ok := d.result.(*Failure)
	if !ok {
		if d.fs != nil {
			d.fs.failure.Store(nil)
		}
		return
	}
	if d.fs == nil {
		d.fs = &failState{id: d.id, pc: d.createdPC}
		if d.dbg != nil {
			d.fs.created = formatStack(d.dbg.created)
			d.fs.fired = formatStack(d.dbg.fired)
		}
		// Outside a loop, the last chance to notice is collection.
		runtime.AddCleanup(d, reportAtGC, d.fs)
	}
	label := d.label
	d.fs.label.Store(&label)
	d.fs.b.Store(d.b)
	d.fs.failure.Store(f)
	if a := d.binding().att.Load(); a != nil {
		a.mu.Lock()
		a.pending = append(a.pending, d)
		schedule := !a.scheduled
		a.scheduled = true
		a.mu.Unlock()
		if schedule {
			a.schedule(a.checkPending)
		}
	}
}

// checkPending runs at the end of a loop pass: every Deferred whose chain
// ended holding a Failure, and still does with nothing left to run, is
// reported now rather than whenever the GC gets to it.
func (a *attachment) checkPending() {
	if a.remote != nil {
		a.learn() // we are on the loop goroutine: keep it current
	}
	a.mu.Lock()
	list := a.pending
	a.pending = nil
	a.scheduled = false
	a.mu.Unlock()
	for _, d := range list {
		if d.fs == nil || d.paused > 0 || d.PendingSteps() > 0 {
			continue
		}
		report(d.fs, false)
	}
}

func reportAtGC(fs *failState) { report(fs, true) }

func report(fs *failState, atGC bool) {
	f := fs.failure.Load()
	if f == nil || fs.reported.Swap(f) == f {
		return
	}
	u := UnhandledFailure{ID: fs.id, Failure: f, Created: siteOf(fs.pc), Fired: fs.fired, AtGC: atGC}
	if fs.created != "" {
		u.Created = "\n" + fs.created
	}
	if l := fs.label.Load(); l != nil {
		u.Label = *l
	}
	b := fs.b.Load()
	if !atGC && observedVia(b) {
		emitVia(b, TraceEvent{Kind: EventUnhandled, ID: u.ID, Label: u.Label, Site: siteOf(fs.pc), OutSummary: summarize(f)})
	}
	deliver(b, u)
}

// reportPanic reports a panic caught while the package acted on d, such as
// a canceller that panicked while a DeferredList cancelled its children.
func reportPanic(d *Deferred, f *Failure, while string) {
	u := UnhandledFailure{ID: d.id, Label: d.label, Failure: f, Created: d.Site(), While: while}
	if d.observed() {
		d.emit(TraceEvent{Kind: EventUnhandled, ID: u.ID, Label: u.Label, Site: u.Created, OutSummary: summarize(f)})
	}
	deliver(d.b, u)
}

// deliver hands a report to the Binding b (nil: the process-wide one): to
// its loop's trace if it is attached to one, then to its hook.
func deliver(b *Binding, u UnhandledFailure) {
	if b == nil {
		b = process
	}
	if a := b.att.Load(); a != nil && a.loop != nil {
		traceUnhandled(a, u)
	}
	b.reportTo()(u)
}
