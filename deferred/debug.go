package deferred

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// ErrAlreadyCalled is matched (errors.Is) by the *AlreadyCalledError that
// Callback and Errback panic with when a Deferred fires a second time.
var ErrAlreadyCalled = errors.New("deferred: already called")

// SetDebugging turns debug mode on or off for Deferreds created afterwards
// (Twisted's defer.setDebugging), process-wide; Binding.SetDebugging turns it
// on for one loop's Deferreds. In debug mode each Deferred records the stack
// where it was created and where it first fired, and an AlreadyCalledError
// or unhandled-failure report prints both; a failure that starts as a
// returned error (Errback, Fail, or a step's error) records a stack too (see
// Failure.Stack). It costs a stack capture per Deferred, per firing and per
// error: use it while hunting a bug.
func SetDebugging(on bool) { process.debug.Store(on) }

// Debugging reports whether the process-wide debug mode is on.
func Debugging() bool { return process.debug.Load() }

// failure turns err into a *Failure raised skip frames above failure's
// caller, with a stack when d is in debug mode and the Failure is new.
func (d *Deferred) failure(err error, skip int) *Failure {
	f := failureFor(err, skip+1)
	if _, given := err.(*Failure); d.dbg != nil && !given {
		f.Stack = stackText(callers(skip + 2))
	}
	return f
}

// debugInfo holds the stacks recorded in debug mode.
type debugInfo struct {
	created []uintptr
	fired   []uintptr
}

// AlreadyCalledError is the panic value of a second Callback/Errback.
type AlreadyCalledError struct {
	ID          uint64
	Label       string
	Created     string // creation site (stack in debug mode)
	FirstFired  string // first firing stack: debug mode only
	SecondFired string // where the second firing happened
}

// Error describes both firings.
func (e *AlreadyCalledError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "deferred: %s", idName(e.ID))
	if e.Label != "" {
		fmt.Fprintf(&b, " (%s)", e.Label)
	}
	b.WriteString(" already called: a Deferred fires once")
	fmt.Fprintf(&b, "\n  second firing at: %s", e.SecondFired)
	if e.FirstFired != "" {
		fmt.Fprintf(&b, "\n  first firing at:\n%s", e.FirstFired)
	} else {
		b.WriteString("\n  first firing: unknown (call deferred.SetDebugging(true) to record it)")
	}
	fmt.Fprintf(&b, "\n  created at: %s", e.Created)
	return b.String()
}

// Is makes errors.Is(err, ErrAlreadyCalled) true.
func (e *AlreadyCalledError) Is(target error) bool { return target == ErrAlreadyCalled }

// alreadyCalled builds the error for a second firing; skip counts frames
// above alreadyCalled's caller to the user's Callback/Errback call.
func (d *Deferred) alreadyCalled(skip int) *AlreadyCalledError {
	e := &AlreadyCalledError{ID: d.id, Label: d.label, Created: d.Site()}
	var pcs [1]uintptr
	if runtime.Callers(2+skip, pcs[:]) == 1 {
		e.SecondFired = siteOf(pcs[0])
	}
	if d.dbg != nil {
		e.Created = formatStack(d.dbg.created)
		e.FirstFired = formatStack(d.dbg.fired)
	}
	return e
}

// Site returns "file:line" of the call that created the Deferred.
func (d *Deferred) Site() string { return siteOf(d.createdPC) }

// callers captures up to 16 frames above its caller's caller (skip as in
// runtime.Callers, counted from callers' caller).
func callers(skip int) []uintptr {
	var pcs [16]uintptr
	n := runtime.Callers(skip+1, pcs[:])
	return append([]uintptr(nil), pcs[:n]...)
}

func formatStack(pcs []uintptr) string {
	if len(pcs) == 0 {
		return ""
	}
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		fr, more := frames.Next()
		if strings.HasPrefix(fr.Function, "runtime.") || strings.HasPrefix(fr.Function, "testing.") {
			if !more {
				break
			}
			continue
		}
		fmt.Fprintf(&b, "    %s\n        %s:%d\n", fr.Function, shortFile(fr.File), fr.Line)
		if !more {
			break
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
