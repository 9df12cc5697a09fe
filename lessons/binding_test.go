package lessons

import (
	"context"
	"errors"
	"testing"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// TestLookupRestartKeepsUnhandledReports: leaving lesson 3 and opening it
// again starts the new scenario while the old one may still be closing.
// The new scenario must still own the process-wide unhandled-failure
// binding once the old one is gone, so a Failure left at the end of one of
// its chains reaches its trace (and the screen) instead of stderr.
func TestLookupRestartKeepsUnhandledReports(t *testing.T) {
	checkNoLeaks(t)
	sc := Scenario{Backend: "poll", Server: lookupProtocol}
	old, err := Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	type started struct {
		d   *Driver
		err error
	}
	next := make(chan started, 1)
	go func() {
		d, err := Start(context.Background(), sc)
		next <- started{d, err}
	}()
	// Close the old scenario only once the new one has either started or
	// is waiting for the binding: the order a quick esc, enter gives.
	var got *started
	waitFor(t, "the second scenario to start or wait", func() bool {
		select {
		case s := <-next:
			got = &s
			return true
		default:
			return bindingWaiters() > 0
		}
	})
	if err := old.Close(); err != nil {
		t.Errorf("old Close() = %v; want nil", err)
	}
	if got == nil {
		s := <-next
		got = &s
	}
	if got.err != nil {
		t.Fatal(got.err)
	}
	d := got.d
	defer d.Close()

	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	d.post(func() { deferred.Fail(errors.New("nobody handles this")) })
	var buf []reactor.TraceEvent
	waitFor(t, "the unhandled failure in the new scenario's trace", func() bool {
		buf = sub.Drain(buf[:0])
		for _, ev := range buf {
			if ev.Kind == reactor.KindError && ev.Label == deferred.UnhandledLabel {
				return true
			}
		}
		return false
	})
}
