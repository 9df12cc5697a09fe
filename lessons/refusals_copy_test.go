package lessons

import (
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

// TestPlainTraceErrorNotCopied: the screen shows every KindError in the
// trace itself, as "label: text". Copying such an error to Errors too,
// worded the same way, made one error read "(×2)" on screen (the error
// line counts repeats). Only a refusal the driver rewords (FD_SETSIZE)
// belongs on Errors.
func TestPlainTraceErrorNotCopied(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	d.post(func() {
		d.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Label: "unhandled failure in Deferred", Text: "Unhandled failure in Deferred #7"})
	})
	var evs []reactor.TraceEvent
	waitFor(t, "the error in the trace", func() bool {
		evs = sub.Drain(evs[:0])
		for _, ev := range evs {
			if ev.Kind == reactor.KindError {
				return true
			}
		}
		return false
	})
	select {
	case err := <-d.Errors():
		t.Errorf("Errors() = %q; want nothing: the screen already shows this trace error", err)
	default:
	}
}
