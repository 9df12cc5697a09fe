package visualizer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

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

// The plot has three backends, so a '*' cell is where two or more of them
// meet: the legend must not call it "both" (the help screen says "several
// in one cell").
func TestCostLegendStar(t *testing.T) {
	p := newCostPlot()
	for _, be := range []string{"select", "poll", "epoll"} {
		p.add(be, 64, 2000) // all three on one cell: a '*'
	}
	p.SetSize(60, 10)
	got := p.View()
	if strings.Contains(got, "* both") {
		t.Errorf("cost legend says %q; want the '*' glyph described for three backends", "* both")
	}
	if !strings.Contains(got, "*") || !strings.Contains(got, "s select  p poll  e epoll  * ") {
		t.Errorf("cost legend lost its glyph list:\n%s", got)
	}
}

// A backend registered with the reactor plots with its own glyph and joins
// the legend: nothing in the visualizer lists backends by hand.
func TestCostPlotNewBackend(t *testing.T) {
	defer registerTestBackend()()
	p := newCostPlot()
	p.add("testpoll", 64, 2000)
	p.add("epoll", 640, 2000)
	p.SetSize(60, 10)
	got := p.View()
	if !strings.Contains(got, "t testpoll") {
		t.Errorf("legend lacks the registered backend's glyph:\n%s", got)
	}
	if got := p.points(); len(got) != 2 || got[1].g != 't' {
		t.Errorf("points() = %+v; want testpoll's point drawn as 't'", got)
	}
}
