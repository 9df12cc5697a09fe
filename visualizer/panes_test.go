package visualizer

import (
	"slices"
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

// Only warm waits with timeout 0 become cost samples: a wait that may
// block measures how long nothing happened, not the call — even when it
// ends with ready fds — and the first timeout-0 wait after one that could
// block runs on a cold CPU.
func TestCostPlotCountsOnlyTimeoutZeroWaits(t *testing.T) {
	p := newCostPlot()
	p.Update(frameOf(t0,
		// blocked 78 ms, then found work: ignored
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "select", N: 100, Dur: 100 * time.Millisecond},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 2, Dur: 78 * time.Millisecond},
		// blocked forever until work came: ignored
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "select", N: 100, Dur: -1},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 1, Dur: 5 * time.Millisecond},
		// a cost probe's warm-up: timeout 0, but right after a sleep (cold)
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "select", N: 100, Dur: 0},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 1, Dur: 9 * time.Millisecond},
		// the measured call: counted, even with nothing ready
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "select", N: 100, Dur: 0},
	))
	p.Update(frameOf(t0.Add(frameDur), // the matching WaitEnd arrives a frame later
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 0, Dur: 40 * time.Microsecond},
	))
	if p.samples != 1 {
		t.Fatalf("samples = %d; want 1", p.samples)
	}
	bk := p.buckets["select"][costBucket(100)]
	if bk == nil || bk.median() != int64(40*time.Microsecond) {
		t.Errorf("select bucket for 100 fds = %+v; want one 40µs sample", bk)
	}
	p.SetSize(50, 8)
	got := p.View()
	if !strings.Contains(got, "|                              s") || !strings.Contains(got, "40µs") {
		t.Errorf("View() lacks the select point or its 40µs scale:\n%s", got)
	}
	for _, bad := range []string{"78ms", "9.0ms"} {
		if strings.Contains(got, bad) {
			t.Errorf("View() scales to an ignored wait's %s:\n%s", bad, got)
		}
	}
}

// With no warm timeout-0 waits yet the plot says it is waiting, rather
// than falling back to waits that blocked.
func TestCostPlotWaitsForSamples(t *testing.T) {
	p := newCostPlot()
	p.Update(frameOf(t0,
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "epoll", N: 10, Dur: 50 * time.Millisecond},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 3, Dur: 20 * time.Millisecond},
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "epoll", N: 10, Dur: 0},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 0, Dur: 9 * time.Microsecond},
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "epoll", N: 10, Dur: 10 * time.Millisecond},
		reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 1, Dur: 3 * time.Millisecond},
	))
	if p.samples != 0 {
		t.Errorf("samples = %d; want 0", p.samples)
	}
	p.SetSize(60, 9)
	got := p.View()
	if !strings.Contains(got, "waiting for samples") {
		t.Errorf("View() lacks the waiting line:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if _, plot, ok := strings.Cut(line, "|"); ok && strings.TrimSpace(plot) != "" {
			t.Errorf("View() plots a point from a blocked wait:\n%s", got)
			break
		}
	}
}

// A bucket's point is the median of its recent samples: one stretched
// sample (a page fault, the scheduler) does not move it, and old samples
// age out.
func TestCostBucketMedian(t *testing.T) {
	us := int64(time.Microsecond)
	tests := []struct {
		name    string
		samples []int64
		want    int64
	}{
		{"none", nil, 0},
		{"one", []int64{7 * us}, 7 * us},
		{"outlier ignored", []int64{3 * us, 4 * us, 90000 * us, 3 * us, 5 * us}, 4 * us},
		{"even count takes the upper middle", []int64{1 * us, 2 * us, 3 * us, 4 * us}, 3 * us},
		{"old samples age out", append(slices.Repeat([]int64{100 * us}, costKeep), slices.Repeat([]int64{2 * us}, costKeep/2+1)...), 2 * us},
	}
	for _, tc := range tests {
		var b costBk
		for _, v := range tc.samples {
			b.add(v)
		}
		if got := b.median(); got != tc.want {
			t.Errorf("%s: median() = %v; want %v", tc.name, time.Duration(got), time.Duration(tc.want))
		}
	}
}

// The y scale is linear from 0 unless the points span more than 100×;
// either way the axis says which, and the top label covers the largest
// point.
func TestCostScale(t *testing.T) {
	us := int64(time.Microsecond)
	tests := []struct {
		lo, hi  int64
		wantLog bool
		wantTop string
		wantBot string
	}{
		{2 * us, 37 * us, false, "40µs", "0"},
		{1 * us, 9 * us, false, "10µs", "0"},
		{500, 300 * us, true, "1.0ms", "100ns"},
	}
	for _, tc := range tests {
		sc := newCostScale(tc.lo, tc.hi)
		if sc.log != tc.wantLog {
			t.Errorf("newCostScale(%d, %d).log = %v; want %v", tc.lo, tc.hi, sc.log, tc.wantLog)
		}
		if got := sc.label(0, 6); got != tc.wantTop {
			t.Errorf("newCostScale(%d, %d) top label = %q; want %q", tc.lo, tc.hi, got, tc.wantTop)
		}
		if got := sc.label(5, 6); got != tc.wantBot {
			t.Errorf("newCostScale(%d, %d) bottom label = %q; want %q", tc.lo, tc.hi, got, tc.wantBot)
		}
		if got := sc.row(tc.hi, 6); got < 4 {
			t.Errorf("newCostScale(%d, %d).row(hi) = %d; want 4 or 5 (at the top)", tc.lo, tc.hi, got)
		}
	}
}

// Growth shows: on a linear scale select's points climb with fds watched
// while epoll's stay on one row.
func TestCostPlotShowsGrowth(t *testing.T) {
	p := newCostPlot()
	for fds := int64(32); fds <= 1024; fds += 32 {
		p.add("select", fds, 2000+fds*30) // 2µs + 30ns per fd
		p.add("epoll", fds, 1500)
	}
	if p.points()[0].g != 'e' {
		t.Errorf("points()[0] = %+v; want epoll first (name order)", p.points()[0])
	}
	p.SetSize(60, 12)
	lines := strings.Split(p.View(), "\n")
	col := func(g byte) (first, last int) {
		first, last = -1, -1
		for i, l := range lines[:8] {
			if strings.IndexByte(l[9:], g) >= 0 {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		return first, last
	}
	if top, bot := col('s'); top < 0 || bot-top < 4 {
		t.Errorf("select points span rows %d..%d; want at least 5 rows:\n%s", top, bot, p.View())
	}
	if top, bot := col('e'); top < 0 || top != bot {
		t.Errorf("epoll points span rows %d..%d; want one flat row:\n%s", top, bot, p.View())
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
