package visualizer

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/deferred"
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

func frameOf(now time.Time, evs ...reactor.TraceEvent) *frameMsg {
	return &frameMsg{Now: now, Events: evs, Backend: "poll"}
}

// Only waits that returned ready fds become cost samples; a wait that
// timed out measured the timeout, not the call.
func TestCostPlotCountsOnlyWaitsWithWork(t *testing.T) {
	p := newCostPlot()
	p.Update(frameOf(t0,
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "select", N: 100},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 0, Dur: 100 * time.Millisecond},
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "select", N: 100},
	))
	p.Update(frameOf(t0.Add(frameDur), // the matching WaitEnd arrives a frame later
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 2, Dur: 40 * time.Microsecond},
	))
	if p.samples != 1 {
		t.Fatalf("samples = %d; want 1", p.samples)
	}
	bk := p.buckets["select"][costBucket(100)]
	if bk == nil || bk.fastest() != int64(40*time.Microsecond) {
		t.Errorf("select bucket for 100 fds = %+v; want one 40µs sample", bk)
	}
	p.SetSize(50, 8)
	if got := p.View(); !strings.Contains(got, "s") || !strings.Contains(got, "40µs") {
		t.Errorf("View() lacks the select point or its 40µs scale:\n%s", got)
	}
}

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

func TestFmtDur(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {-1, "∞"}, {850, "850ns"}, {1500, "1.5µs"}, {12 * time.Microsecond, "12µs"},
		{3400 * time.Microsecond, "3.4ms"}, {300 * time.Millisecond, "300ms"}, {1200 * time.Millisecond, "1.20s"},
	} {
		if got := fmtDur(tc.d); got != tc.want {
			t.Errorf("fmtDur(%d) = %q; want %q", tc.d, got, tc.want)
		}
	}
}

func TestFitWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 5, "abc  "}, {"abcdef", 4, "abc…"}, {"µs→x", 3, "µs…"}, {"µs", 4, "µs  "}, {"x", 0, ""},
	} {
		if got := fit(tc.s, tc.w); got != tc.want {
			t.Errorf("fit(%q, %d) = %q; want %q", tc.s, tc.w, got, tc.want)
		}
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
