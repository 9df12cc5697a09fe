package visualizer

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/deferred"
)

// The chain pane keeps a Deferred in focus while it waits on another one,
// and marks an unhandled failure.
func TestChainFocusAndUnhandled(t *testing.T) {
	p := newChain()
	p.Update(chainMsg{Events: chainEvents()})
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventFired, ID: 2, Label: "db query", TrackIn: deferred.TrackErrback, InSummary: "timeout"},
	}})
	if p.focus != 1 {
		t.Errorf("focus = #%d; want #1 (it waits on #2)", p.focus)
	}
	p.Update(chainMsg{Events: []deferred.TraceEvent{
		{Kind: deferred.EventResumed, ID: 1, Label: "fetch user", WaitingOn: 2},
		{Kind: deferred.EventUnhandled, ID: 1, Label: "fetch user", OutSummary: "db: timeout", Site: "demo.go:12"},
	}})
	p.SetSize(70, 10)
	got := ansi.Strip(p.View())
	if !strings.Contains(got, "✗ UNHANDLED failure at end of chain: db: timeout") {
		t.Errorf("View() lacks the unhandled failure:\n%s", got)
	}
	if strings.Contains(got, "paused at") {
		t.Errorf("View() still says paused after EventResumed:\n%s", got)
	}
}
