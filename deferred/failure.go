package deferred

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Failure is an error travelling down the errback track: Go's answer to
// Twisted's twisted.python.failure.Failure. It wraps the original error, so
// errors.Is and errors.As see through it, and records where it was raised.
type Failure struct {
	// Err is the original error. For a panic it is a *PanicError.
	Err error
	// Site is "file:line" where the failure was raised: the caller of Errback
	// or Fail, the panicking line, or the step function that returned the error.
	Site string
	// Stack is the goroutine stack at the panic, for a panic. In debug mode
	// (SetDebugging) a returned error gets one too: a Go error carries no
	// stack, so it is the stack where the error entered the chain — the
	// call of Errback or Fail, or, for an error returned by a step, the
	// calls that ran the step (who fired or extended the Deferred).
	Stack string
}

// PanicError is the error inside a Failure made from a panic in a step.
type PanicError struct {
	Value any // the value passed to panic
}

// Error returns "panic: " and the panic value.
func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic value if it is an error, so errors.Is sees it.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// noError is the message of a Failure that holds no error: the zero
// Failure, or a nil *Failure.
const noError = "deferred: Failure with no error"

// Error returns the original error's message. The zero Failure and a nil
// *Failure say that they hold no error rather than panic.
func (f *Failure) Error() string {
	if f == nil || f.Err == nil {
		return noError
	}
	return f.Err.Error()
}

// Unwrap returns the original error (nil for the zero Failure).
func (f *Failure) Unwrap() error {
	if f == nil {
		return nil
	}
	return f.Err
}

// Panicked reports whether the failure came from a panic.
func (f *Failure) Panicked() bool {
	if f == nil {
		return false
	}
	_, ok := f.Err.(*PanicError)
	return ok
}

// Check returns the first of targets that the failure matches (errors.Is),
// or nil if none does. Twisted's Failure.check.
func (f *Failure) Check(targets ...error) error {
	if f == nil {
		return nil
	}
	for _, t := range targets {
		if errors.Is(f.Err, t) {
			return t
		}
	}
	return nil
}

// Trap returns nil if the failure matches one of targets, and otherwise the
// failure itself, so an errback can pass on what it does not handle:
//
//	d.AddErrback(func(f *deferred.Failure) (any, error) {
//		if err := f.Trap(ErrNotFound); err != nil {
//			return nil, err // not ours: stay on the errback track
//		}
//		return defaultValue, nil // handled: back to the callback track
//	})
//
// (Twisted's trap re-raises; returning the error is the Go form of that.)
func (f *Failure) Trap(targets ...error) error {
	if f == nil || f.Check(targets...) != nil {
		return nil
	}
	return f
}

// TrapAs is Trap by type, errors.As style: if the failure's error is (or
// wraps) an error that target can point to, TrapAs sets *target to it and
// returns nil; otherwise it returns the failure, to pass on. target must be
// a non-nil pointer to a type implementing error, or to an interface type,
// as for errors.As.
//
//	d.AddErrback(func(f *deferred.Failure) (any, error) {
//		var pe *fs.PathError
//		if err := f.TrapAs(&pe); err != nil {
//			return nil, err // not ours: stay on the errback track
//		}
//		return "no such file: " + pe.Path, nil
//	})
//
// Catch is the same as a whole errback, with the type as a type parameter.
func (f *Failure) TrapAs(target any) error {
	if f == nil || errors.As(f.Err, target) {
		return nil
	}
	return f
}

// Format implements fmt.Formatter: %v prints the message, %+v adds the site
// and, for panics, the stack.
func (f *Failure) Format(s fmt.State, verb rune) {
	switch {
	case verb == 'v' && s.Flag('+') && f != nil:
		fmt.Fprint(s, f.Error())
		if f.Site != "" {
			fmt.Fprintf(s, " (raised at %s)", f.Site)
		}
		if f.Stack != "" {
			fmt.Fprintf(s, "\n%s", f.Stack)
		}
	case verb == 'q':
		fmt.Fprintf(s, "%q", f.Error())
	default:
		fmt.Fprint(s, f.Error())
	}
}

// failureFor turns err into a *Failure raised by the caller skip frames
// above failureFor's caller (skip < 0: no site). A *Failure is returned as is.
func failureFor(err error, skip int) *Failure {
	if f, ok := err.(*Failure); ok {
		return f
	}
	f := &Failure{Err: err}
	if skip >= 0 {
		var pcs [1]uintptr
		if runtime.Callers(2+skip, pcs[:]) == 1 {
			f.Site = siteOf(pcs[0])
		}
	}
	return f
}

// failureFromStep turns an error returned by fn into a *Failure whose site is
// fn's source position (we cannot see the return statement); with debug,
// it also records the stack that ran fn.
func failureFromStep(err error, fn any, debug bool) *Failure {
	if f, ok := err.(*Failure); ok {
		return f
	}
	f := &Failure{Err: err}
	if rf := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); rf != nil {
		file, line := rf.FileLine(rf.Entry())
		f.Site = fmt.Sprintf("%s:%d", shortFile(file), line)
	}
	if debug {
		f.Stack = stackText(callers(2))
	}
	return f
}

// stackText renders pcs the way a panic's Failure.Stack reads: function,
// then tab and file:line, one frame per two lines.
func stackText(pcs []uintptr) string {
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		fr, more := frames.Next()
		if fr.Function != "runtime.goexit" {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", fr.Function, fr.File, fr.Line)
		}
		if !more {
			return b.String()
		}
	}
}

// panicFailure builds a Failure from a recovered panic value. It must be
// called from the deferred function that recovered, so the panicking frames
// are still on the stack.
func panicFailure(r any) *Failure {
	if f, ok := r.(*Failure); ok {
		return f
	}
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:]) // skip Callers, panicFailure, the recovering func
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	site := ""
	inPanic := true
	for {
		fr, more := frames.Next()
		if inPanic {
			// Skip runtime frames up to and including gopanic.
			if strings.HasPrefix(fr.Function, "runtime.") {
				if more {
					continue
				}
			}
			inPanic = false
		}
		if site == "" {
			site = fmt.Sprintf("%s:%d", shortFile(fr.File), fr.Line)
		}
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", fr.Function, fr.File, fr.Line)
		if !more {
			break
		}
	}
	return &Failure{Err: &PanicError{Value: r}, Site: site, Stack: b.String()}
}

// siteOf resolves a return PC (as recorded by runtime.Callers) to "file:line".
func siteOf(pc uintptr) string {
	if pc == 0 {
		return ""
	}
	fr, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	return fmt.Sprintf("%s:%d", shortFile(fr.File), fr.Line)
}

// shortFile keeps the last two path elements: "deferred/chain.go".
func shortFile(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
			return file[j+1:]
		}
	}
	return file
}
