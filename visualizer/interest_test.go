package visualizer

import (
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

func TestInterestTracksRegistrations(t *testing.T) {
	p := newInterest()
	p.Update(frameOf(t0,
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 5, Interest: reactor.Readable, Label: "listener"},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 8, Interest: reactor.Readable, Label: "client 8"},
		reactor.TraceEvent{Kind: reactor.KindModify, Fd: 8, Interest: reactor.Readable | reactor.Writable | reactor.EdgeTriggered},
		reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: 8, N: 100},
		reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: 8, N: 28},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 9, Interest: reactor.Readable, Label: "client 9"},
		reactor.TraceEvent{Kind: reactor.KindDeregister, Fd: 9},
	))
	p.SetSize(70, 5)
	got := p.View()
	for _, want := range []string{"listener", "client 8     rw|et    128B", "read 28B"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "client 9") {
		t.Errorf("deregistered fd 9 still shown:\n%s", got)
	}
}

// After lost trace events, a snapshot of the interest set replaces the
// panes' idea of what is registered.
func TestSnapshotAfterOverflowReplaces(t *testing.T) {
	for _, replace := range []bool{false, true} {
		p := newInterest()
		p.Update(frameOf(t0,
			reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 5, Label: "listener"},
			reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 8, Label: "gone"},
		))
		p.Update(watchedMsg{At: t0, List: []reactor.WatchInfo{{Fd: 5, Label: "listener"}}, Replace: replace})
		if _, kept := p.fds[8]; kept == replace {
			t.Errorf("Replace=%v: fd 8 kept = %v; want %v", replace, kept, !replace)
		}
	}
}
