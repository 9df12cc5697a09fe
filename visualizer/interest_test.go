package visualizer

import (
	"strings"
	"testing"
	"time"

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
	for _, want := range []string{"listener", "client 8     rw|et     128B", "read 28B"} {
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

// Bytes waiting unread in a socket (sampled on the loop side and traced
// as KindUnread) get their own column once the scenario publishes them.
func TestInterestUnread(t *testing.T) {
	p := newInterest()
	p.Update(frameOf(t0,
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 8, Interest: reactor.Readable | reactor.EdgeTriggered, Label: "echo :4000"},
		reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: 8, N: 1},
	))
	p.SetSize(70, 4)
	if got := p.View(); strings.Contains(got, "unread") {
		t.Errorf("unread column shown before any sample:\n%s", got)
	}
	p.Update(frameOf(t0, reactor.TraceEvent{Kind: reactor.KindUnread, Fd: 8, N: 15}))
	got := p.View()
	if !strings.Contains(got, "unread") || !strings.Contains(got, "r|et      15B    1B      0B") {
		t.Errorf("View() with 15 bytes unread lacks the column or the count:\n%s", got)
	}
	p.Update(frameOf(t0, reactor.TraceEvent{Kind: reactor.KindUnread, Fd: 8, N: 0}))
	if got := p.View(); strings.Contains(got, "15B") {
		t.Errorf("View() after the queue drained still shows 15B:\n%s", got)
	}
}

// A snapshot requested before a registration ended must not bring its
// row back.
func TestInterestSnapshotAfterEnd(t *testing.T) {
	p := newInterest()
	p.Update(frameOf(t0, reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 8, Label: "client 8"}))
	p.Update(frameOf(t0.Add(time.Millisecond), reactor.TraceEvent{Kind: reactor.KindDeregister, Fd: 8}))
	p.Update(watchedMsg{At: t0, List: []reactor.WatchInfo{{Fd: 8, Label: "client 8"}}})
	if _, ok := p.fds[8]; ok {
		t.Errorf("a snapshot older than the deregistration brought fd 8 back")
	}
	p.Update(watchedMsg{At: t0.Add(time.Second), List: []reactor.WatchInfo{{Fd: 8, Label: "client 8 again"}}})
	if _, ok := p.fds[8]; !ok {
		t.Errorf("a snapshot newer than the deregistration did not show fd 8's new registration")
	}
}

// Short of room, the interest pane keeps the rows worth reading: bytes
// left unread first, then the latest to do something.
func TestInterestShortOfRoom(t *testing.T) {
	p := newInterest()
	p.Update(frameOf(t0,
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 5, Label: "listener"},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 6, Label: "idle"},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 8, Label: "quiet"},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 9, Label: "stuck"},
	))
	p.Update(frameOf(t0.Add(time.Second), reactor.TraceEvent{Kind: reactor.KindUnread, Fd: 9, N: 12}))
	p.Update(frameOf(t0.Add(2*time.Second), reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: 8, N: 3}))
	p.SetSize(70, 3) // header, one row, the count
	got := p.View()
	if !strings.Contains(got, "stuck") || strings.Contains(got, "quiet") || !strings.Contains(got, "3 more") {
		t.Errorf("View() with room for one row: want the row with unread bytes and a count:\n%s", got)
	}
	p.SetSize(70, 4)
	if got := p.View(); !strings.Contains(got, "stuck") || !strings.Contains(got, "quiet") || strings.Contains(got, "listener") || strings.Contains(got, "idle") {
		t.Errorf("View() with room for two rows: want the stuck and the latest, not the idle ones:\n%s", got)
	}
}
