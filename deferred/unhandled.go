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
}

// String renders the report the way the default hook prints it.
func (u UnhandledFailure) String() string {
	name := idName(u.ID)
	if u.Label != "" {
		name += " (" + u.Label + ")"
	}
	s := fmt.Sprintf("Unhandled failure in Deferred %s created at %s:\n  %+v", name, u.Created, u.Failure)
	if u.Fired != "" {
		s += "\n  first fired at:\n" + u.Fired
	}
	return s
}

var (
	hookMu sync.Mutex
	hook   func(UnhandledFailure) = defaultHook

	// endOfPass, when set (by Bind), schedules a function to run at the end
	// of the current loop pass. Unset: reports happen at garbage collection.
	endOfPass atomic.Pointer[func(func())]

	pendingMu        sync.Mutex
	pending          []*Deferred
	pendingScheduled bool
)

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
	var p *func(func())
	if schedule != nil {
		p = &schedule
	}
	old := endOfPass.Swap(p)
	return func() { endOfPass.Store(old) }
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
	if p := endOfPass.Load(); p != nil {
		pendingMu.Lock()
		pending = append(pending, d)
		schedule := !pendingScheduled
		pendingScheduled = true
		pendingMu.Unlock()
		if schedule {
			(*p)(checkPending)
		}
	}
}

// checkPending runs at the end of a loop pass: every Deferred whose chain
// ended holding a Failure, and still does with nothing left to run, is
// reported now rather than whenever the GC gets to it.
func checkPending() {
	pendingMu.Lock()
	list := pending
	pending = nil
	pendingScheduled = false
	pendingMu.Unlock()
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
