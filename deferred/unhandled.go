package deferred

import (
	"fmt"
	"os"
	"runtime"
	"sync"
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

var (
	hookMu sync.Mutex
	hook   func(UnhandledFailure) = defaultHook

	// bound, when set (by Bind), checks chains at the end of each loop
	// pass. Unset: reports happen at garbage collection.
	bound atomic.Pointer[binding]
)

// binding is one Bind: how to schedule the end-of-pass check, and the
// Deferreds waiting for it. A new binding starts clean even if an old loop
// never ran its queued check.
type binding struct {
	schedule  func(func())
	mu        sync.Mutex
	pending   []*Deferred
	scheduled bool
}

func defaultHook(u UnhandledFailure) { fmt.Fprintln(os.Stderr, u.String()) }

// SetUnhandledHook replaces the function that reports unhandled failures and
// returns the previous one (nil restores the default, which prints to
// stderr). Bind installs a hook that also emits a reactor trace event.
func SetUnhandledHook(h func(UnhandledFailure)) (previous func(UnhandledFailure)) {
	if h == nil {
		h = defaultHook
	}
	hookMu.Lock()
	defer hookMu.Unlock()
	previous, hook = hook, h
	return previous
}

// setEndOfPass installs the end-of-pass scheduler (nil = report at GC) and
// returns a function restoring the previous one.
func setEndOfPass(schedule func(func())) (restore func()) {
	var b *binding
	if schedule != nil {
		b = &binding{schedule: schedule}
	}
	old := bound.Swap(b)
	return func() { bound.Store(old) }
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
	d.fs.failure.Store(f)
	if b := bound.Load(); b != nil {
		b.mu.Lock()
		b.pending = append(b.pending, d)
		schedule := !b.scheduled
		b.scheduled = true
		b.mu.Unlock()
		if schedule {
			b.schedule(b.checkPending)
		}
	}
}

// checkPending runs at the end of a loop pass: every Deferred whose chain
// ended holding a Failure, and still does with nothing left to run, is
// reported now rather than whenever the GC gets to it.
func (b *binding) checkPending() {
	b.mu.Lock()
	list := b.pending
	b.pending = nil
	b.scheduled = false
	b.mu.Unlock()
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
	if !atGC && observing() {
		emit(TraceEvent{Kind: EventUnhandled, ID: u.ID, Label: u.Label, Site: siteOf(fs.pc), OutSummary: summarize(f)})
	}
	hookMu.Lock()
	h := hook
	hookMu.Unlock()
	h(u)
}

// reportPanic reports a panic caught while the package acted on d, such as
// a canceller that panicked while a DeferredList cancelled its children.
func reportPanic(d *Deferred, f *Failure, while string) {
	u := UnhandledFailure{ID: d.id, Label: d.label, Failure: f, Created: d.Site(), While: while}
	if observing() {
		emit(TraceEvent{Kind: EventUnhandled, ID: u.ID, Label: u.Label, Site: u.Created, OutSummary: summarize(f)})
	}
	hookMu.Lock()
	h := hook
	hookMu.Unlock()
	h(u)
}
