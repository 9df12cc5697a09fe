package visualizer

import (
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

func TestReadyGlyph(t *testing.T) {
	tests := []struct {
		r    reactor.Ready
		want byte
	}{
		{0, '.'},
		{reactor.In, 'I'},
		{reactor.Out, 'O'},
		{reactor.In | reactor.Out, 'B'},
		{reactor.In | reactor.HangUp, 'H'},
		{reactor.In | reactor.Err, 'E'},
		{reactor.HangUp | reactor.Err, 'E'},
	}
	for _, tc := range tests {
		if got := readyGlyph(tc.r); got != tc.want {
			t.Errorf("readyGlyph(%v) = %q; want %q", tc.r, got, tc.want)
		}
	}
}

// The readiness grid puts each pass in its own column, newest on the right.
func TestReadinessColumns(t *testing.T) {
	p := newReadiness()
	var evs []reactor.TraceEvent
	evs = append(evs, reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 7, Label: "c7"})
	for _, r := range []reactor.Ready{reactor.In, 0, reactor.Out, reactor.In | reactor.HangUp} {
		if r != 0 {
			evs = append(evs, reactor.TraceEvent{Kind: reactor.KindReady, Fd: 7, Ready: r})
		}
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindPassEnd})
	}
	p.Update(frameOf(t0, evs...))
	p.SetSize(30, 8)
	lines := strings.Split(p.View(), "\n")
	if got, want := lines[1], "  7 c7     ...............I.OH"; got != want {
		t.Errorf("row for fd 7 = %q; want %q", got, want)
	}
}
