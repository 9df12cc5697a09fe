package deferred

import (
	"strings"
	"testing"
)

// In debug mode a returned error gets a stack, as a panic does: where it
// entered the chain. Outside debug mode it does not (it costs a stack walk).
func TestDebugStackForReturnedErrors(t *testing.T) {
	for _, debug := range []bool{false, true} {
		SetDebugging(debug)
		fromStep := failureOf(t, debugFire(New(nil).AddCallback(fail(errBoom))))
		fromErrback := failureOf(t, debugErrback(New(nil)))
		fromFail := failureOf(t, Fail(errBoom))
		SetDebugging(false)
		for name, c := range map[string]struct {
			f     *Failure
			frame string
		}{
			"step error": {fromStep, "debugFire"},
			"Errback":    {fromErrback, "debugErrback"},
			"Fail":       {fromFail, "TestDebugStackForReturnedErrors"},
		} {
			if has := strings.Contains(c.f.Stack, c.frame); has != debug {
				t.Errorf("debug %v, %s: Stack has %s = %v; want %v\n%s", debug, name, c.frame, has, debug, c.f.Stack)
			}
		}
	}
}

// A Binding's debug flag covers its Deferreds only.
func TestBindingDebugging(t *testing.T) {
	b := &Binding{}
	b.SetDebugging(true)
	if !b.Debugging() || Debugging() {
		t.Fatalf("Binding.Debugging, Debugging = %v, %v; want true, false", b.Debugging(), Debugging())
	}
	if f := failureOf(t, b.Fail(errBoom)); f.Stack == "" {
		t.Fatalf("failure of a debug Binding's Deferred has no stack")
	}
	if f := failureOf(t, Fail(errBoom)); f.Stack != "" {
		t.Fatalf("failure of a process-wide Deferred has a stack; want none (debug off)")
	}
}

//go:noinline
func debugFire(d *Deferred) *Deferred { d.Callback(1); return d }

//go:noinline
func debugErrback(d *Deferred) *Deferred { d.Errback(errBoom); return d }
