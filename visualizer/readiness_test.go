package visualizer

import (
	"strings"
	"testing"
	"time"

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
		{reactor.Err | reactor.Invalid, 'N'},
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

// A registration that ends keeps its row, marked ✗, while its cells are
// on screen: the POLLNVAL that ended it reads N, the passes after it are
// blank, and a stale report for the number (the dup trap) reads !. Passes
// before a registration are blank too.
func TestReadinessEndedRows(t *testing.T) {
	p := newReadiness()
	pass := reactor.TraceEvent{Kind: reactor.KindPassEnd}
	p.Update(frameOf(t0,
		pass,
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 7, Label: "c7"},
		reactor.TraceEvent{Kind: reactor.KindReady, Fd: 7, Ready: reactor.In}, pass,
		pass,
		reactor.TraceEvent{Kind: reactor.KindReady, Fd: 7, Ready: reactor.Err | reactor.Invalid},
		reactor.TraceEvent{Kind: reactor.KindDeregister, Fd: 7}, pass,
		pass,
		reactor.TraceEvent{Kind: reactor.KindStaleDropped, Fd: 7, Ready: reactor.In}, pass,
		pass,
	))
	p.SetSize(30, 8)
	lines := strings.Split(p.View(), "\n")
	if got, want := lines[1], "  7✗c7     ............ I.N ! "; got != want {
		t.Errorf("row for fd 7 = %q; want %q", got, want)
	}
	// Once its last cell has scrolled off, the row goes.
	for range 19 {
		p.Update(frameOf(t0, pass))
	}
	if v := p.View(); strings.Contains(v, "c7") {
		t.Errorf("ended row still shown after its cells scrolled off:\n%s", v)
	}
}

// A short pane (80×24 gives it three fd rows) keeps an ended row in view
// while its cells are on screen, though busier fds were ready after it:
// lesson 4 asks the learner to find the N cell on the row marked ✗.
func TestReadinessEndedRowsFirstWhenShort(t *testing.T) {
	p := newReadiness()
	pass := reactor.TraceEvent{Kind: reactor.KindPassEnd}
	evs := []reactor.TraceEvent{{Kind: reactor.KindRegister, Fd: 7, Label: "closed"}}
	for fd := int32(10); fd < 16; fd++ {
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindRegister, Fd: fd, Label: "busy"})
	}
	evs = append(evs, pass,
		reactor.TraceEvent{Kind: reactor.KindReady, Fd: 7, Ready: reactor.Invalid},
		reactor.TraceEvent{Kind: reactor.KindDeregister, Fd: 7}, pass)
	for fd := int32(10); fd < 16; fd++ {
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindReady, Fd: fd, Ready: reactor.In}, pass)
	}
	p.Update(frameOf(t0, evs...))
	p.SetSize(40, 5) // header, three rows, footer
	v := p.View()
	if !strings.Contains(v, "7✗closed") || !strings.Contains(v, "N") {
		t.Errorf("the ended fd 7 and its N are not in the short pane:\n%s", v)
	}
	if !strings.Contains(v, "more fds with no recent readiness") {
		t.Errorf("the short pane does not say fds were left out:\n%s", v)
	}
}

// A snapshot taken before a registration ended must not bring its row
// back; one taken after it lists a new registration of the number.
func TestReadinessSnapshotAfterEnd(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		back bool
	}{{t0, false}, {t0.Add(time.Second), true}} {
		p := newReadiness()
		p.Update(frameOf(t0, reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 7, Label: "c7"},
			reactor.TraceEvent{Kind: reactor.KindPassEnd}))
		p.Update(frameOf(t0.Add(time.Millisecond), reactor.TraceEvent{Kind: reactor.KindDeregister, Fd: 7}))
		p.Update(watchedMsg{At: tc.at, List: []reactor.WatchInfo{{Fd: 7, Label: "c7"}}})
		if r := p.fds[7]; r.gone() == tc.back {
			t.Errorf("snapshot at %v: row ended = %v; want %v", tc.at.Sub(t0), r.gone(), !tc.back)
		}
	}
}

// After lost trace events, a snapshot that replaces what the pane knew
// ends the rows it does not list (their end was lost) and keeps the rows
// that had ended already.
func TestReadinessSnapshotReplaces(t *testing.T) {
	p := newReadiness()
	p.Update(frameOf(t0,
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 5, Label: "listener"},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 7, Label: "lost"},
		reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 8, Label: "ended"},
		reactor.TraceEvent{Kind: reactor.KindDeregister, Fd: 8},
		reactor.TraceEvent{Kind: reactor.KindPassEnd},
	))
	p.Update(watchedMsg{At: t0.Add(time.Second), List: []reactor.WatchInfo{{Fd: 5, Label: "listener"}}, Replace: true})
	if r := p.fds[5]; r == nil || r.gone() {
		t.Errorf("listed fd 5: %+v; want it watched", r)
	}
	for _, fd := range []int32{7, 8} {
		if r := p.fds[fd]; r == nil || !r.gone() {
			t.Errorf("fd %d: %+v; want its row kept, ended", fd, r)
		}
	}
}

// A four-digit fd takes its cell from the label, which keeps its port.
func TestReadinessWideFd(t *testing.T) {
	p := newReadiness()
	p.Update(frameOf(t0, reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 1218, Label: "echo 127.0.0.1:36210"},
		reactor.TraceEvent{Kind: reactor.KindPassEnd}))
	p.SetSize(60, 8)
	if got := strings.Split(p.View(), "\n")[1]; !strings.HasPrefix(got, "1218 echo 1…:36210 ") {
		t.Errorf("row for fd 1218 = %q; want the port kept", got)
	}
}
