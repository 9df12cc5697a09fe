package visualizer

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// newDashboard is NewDashboard for tests: frames driven by hand, no
// progress file.
func newDashboard(t testing.TB, live Live, opts ...Option) *App {
	t.Helper()
	m, err := NewDashboard("reactorlab serve — echo", live, append([]Option{manual, WithStateDir("")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// dashboardScenario drives a dashboard through a scripted run: twelve
// clients, three backends at growing fd counts, a 300 ms stall, a select
// refusal, a Deferred chain, clients timing their requests and a pool
// flooded with jobs. Everything is synthetic and deterministic.
func dashboardScenario(t testing.TB, w, h int) (*App, *fakeLive) {
	live := newFakeLive()
	live.watched = []reactor.WatchInfo{{Fd: 3, Label: "listener", Interest: reactor.Readable}}
	m := newDashboard(t, live)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(watchedMsg{At: t0, List: live.watched})
	s := &synth{}
	s.register(12)
	now := t0
	var st reactor.Stats
	lat := latencyStory(t0, 2, t0.Add(1485*time.Millisecond), 300*time.Millisecond)
	pool := poolStoryAt(t0.Add(1600*time.Millisecond), t0.Add(time.Hour), t0.Add(2*time.Second))
	for f := 0; f < 60; f++ {
		backend, watched := "select", int64(14+f*20)
		switch {
		case f >= 40:
			backend, watched = "epoll", int64(14+(f-40)*50)
		case f >= 20:
			backend, watched = "poll", int64(14+(f-20)*50)
		}
		s.at = int64(time.Duration(f) * frameDur) // the loop's clock keeps up with the frames
		s.passes(3, 12, backend, watched)
		s.probe(backend, watched)
		timersAndQueues(s, f)
		if f == 45 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindStall, Label: "client 9", Dur: 300 * time.Millisecond})
			s.emit(reactor.TraceEvent{Kind: reactor.KindLag, Dur: 280 * time.Millisecond})
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerFired, Label: "heartbeat", Dur: 290 * time.Millisecond})
		}
		if f == 50 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindError, Label: "accept", Text: "select: fd 1024 is past FD_SETSIZE (1024); use poll or epoll"})
		}
		live.src.push(s.take()...)
		st.Passes += 5 // three with work, two for the cost probe
		st.Events += 3
		st.WaitCalls += 5
		st.Reads += 3
		st.Writes += 3
		st.Wakes++
		st.CtlCalls = 14
		st.Accepts = 12
		st.Watched = int(watched)
		st.Backend = backend
		live.mu.Lock()
		live.stats, live.backend = st, backend
		live.mu.Unlock()
		if f == 55 {
			for _, ev := range chainEvents() {
				live.chain.Observe(ev)
			}
		}
		now = now.Add(frameDur)
		for len(lat) > 0 && !lat[0].At.After(now) {
			live.lat.Observe(lat[0])
			lat = lat[1:]
		}
		for len(pool) > 0 && !pool[0].At.After(now) {
			live.pool.Observe(pool[0])
			pool = pool[1:]
		}
		m.Update(tickMsg(now))
	}
	return m, live
}

func TestDashboardView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{120, 40}, {100, 30}, {80, 24}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			m, _ := dashboardScenario(t, sz.w, sz.h)
			got := m.View().Content
			checkSize(t, got, sz.w, sz.h)
			golden(t, got)
		})
	}
}

// Every control works on the dashboard, each through its own key; space
// resumes a paused loop.
func TestDashboardControlKeys(t *testing.T) {
	tests := []struct {
		keys []string
		want []string
	}{
		{[]string{"space", "space"}, []string{"pause", "resume"}},
		{[]string{"n"}, []string{"step"}},
		{[]string{"+"}, []string{"delay 10ms"}},
		{[]string{"-"}, []string{"delay 0s"}},
		{[]string{"b"}, []string{"switch " + nextBackend("epoll")}},
		{[]string{"c"}, []string{"add active 10"}},
		{[]string{"C"}, []string{"add idle 100"}},
		{[]string{"x"}, []string{"drop"}},
		{[]string{"k"}, nil}, // no injectors given
	}
	for _, tc := range tests {
		live := newFakeLive()
		m := newDashboard(t, live)
		for _, k := range tc.keys {
			m.Update(press(k))
		}
		if got := live.Calls(); !slices.Equal(got, tc.want) {
			t.Errorf("keys %q: calls = %q; want %q", tc.keys, got, tc.want)
		}
	}
}

// A loop that left the kernel and never finished its pass is shown as a
// stall that keeps growing, although no event arrives.
func TestStallInProgressShown(t *testing.T) {
	live := newFakeLive()
	m := newDashboard(t, live)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s := &synth{}
	s.register(2)
	s.passes(2, 2, "epoll", 4)
	s.emit(reactor.TraceEvent{Kind: reactor.KindPassStart, N: 3})
	s.emit(reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "epoll", N: 4})
	s.emit(reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 1})
	s.emit(reactor.TraceEvent{Kind: reactor.KindReady, Fd: 7, Ready: reactor.In, Label: "slow handler"})
	live.src.push(s.take()...)
	now := t0
	for i := 0; i < 10; i++ {
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
	}
	got := screenOf(m)
	for _, want := range []string{"!! STALL NOW: loop busy 297ms", "last handler: slow handler", "STALLED 297ms"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	live.Pause()
	m.Update(tickMsg(now.Add(frameDur)))
	if got := screenOf(m); strings.Contains(got, "STALL NOW") || !strings.Contains(got, "PAUSED") {
		t.Errorf("paused loop: View() should say PAUSED, not a stall:\n%s", got)
	}
}

func TestOverflowAndErrorsShown(t *testing.T) {
	live := newFakeLive()
	m := newDashboard(t, live)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	live.src.push(reactor.TraceEvent{Kind: reactor.KindOverflow, N: 1234})
	m.Update(press("b")) // epoll -> select: the fake refuses with an error
	m.Update(tickMsg(t0))
	got := screenOf(m)
	for _, want := range []string{"screen missed 1.2k trace events", "✗ ERROR: reactor: fd 1024 >= FD_SETSIZE"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	// The loss is news for a while; then the counters pane keeps the total.
	m.Update(tickMsg(t0.Add(time.Minute)))
	if got := screenOf(m); strings.Contains(got, "screen missed") {
		t.Errorf("a minute later the status line still reports the loss:\n%s", got)
	}
}

// With a real reactor the events of a stalled pass arrive only when the
// pass ends; the live counters show the wait has returned, so the stall is
// on screen while it happens.
func TestStallVisibleFromCountersAlone(t *testing.T) {
	live := newFakeLive()
	m := newDashboard(t, live)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	live.src.push(
		reactor.TraceEvent{Kind: reactor.KindPassStart, N: 1},
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: "epoll", N: 3, Dur: -1},
	)
	live.mu.Lock()
	live.stats = reactor.Stats{Passes: 1, WaitCalls: 0}
	live.mu.Unlock()
	now := t0
	m.Update(tickMsg(now))
	if got := screenOf(m); !strings.Contains(got, "idle in the kernel") {
		t.Fatalf("loop waiting in the kernel not shown as idle:\n%s", got)
	}
	live.mu.Lock()
	live.stats = reactor.Stats{Passes: 1, WaitCalls: 1, Events: 1} // woke up; handler running
	live.mu.Unlock()
	for i := 0; i < 10; i++ {
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
	}
	if got := screenOf(m); !strings.Contains(got, "last handler: named when the pass ends") {
		t.Errorf("stall from counters not shown:\n%s", got)
	}
}

// A dashboard's injectors come from WithInjectors: their keys work, a
// switch's state shows above the panes and under ?, and the quit leaves
// the Live (the caller's) open while closing the trace subscription.
func TestDashboardInjectors(t *testing.T) {
	live := newFakeLive()
	m := newDashboard(t, live, WithInjectors(testInjectors...))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(press("k"))
	m.Update(press("P"))
	m.Update(tickMsg(t0))
	if got, want := live.Calls(), []string{"inject stall", "inject partial-read true"}; !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
	if got := screenOf(m); !strings.Contains(got, "· partial-read ON]") {
		t.Errorf("status line lacks the switch's state:\n%s", got)
	}
	m.Update(press("?"))
	if got := screenOf(m); !strings.Contains(got, "P  partial-read [ON]: handlers read 1 byte per event") {
		t.Errorf("? lacks the injector's line:\n%s", got)
	}
	if quit := do(m, press("q")); !quit {
		t.Fatalf("q did not quit")
	}
	if live.closed || !live.src.closed {
		t.Errorf("after q: Live closed %v, subscription closed %v; want false, true", live.closed, live.src.closed)
	}
}

// A backend registered with the reactor (as a new file in reactor/ does)
// joins the b cycle and the counters name its syscalls, with no edit here.
func TestDashboardNewBackend(t *testing.T) {
	defer registerTestBackend()()
	live := newFakeLive()
	m := newDashboard(t, live)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(press("b")) // epoll -> testpoll: it ranks after every real backend
	if got, want := live.Calls(), []string{"switch testpoll"}; !slices.Equal(got, want) {
		t.Fatalf("b from epoll: calls = %q; want %q", got, want)
	}
	m.Update(tickMsg(t0))
	got := screenOf(m)
	for _, want := range []string{"testpoll_wait()", "testpoll_ctl()", "backend testpoll"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
}

func TestTooSmallView(t *testing.T) {
	m, _ := dashboardScenario(t, 79, 24)
	if got := screenOf(m); !strings.Contains(got, "terminal too small (need 80×24)") {
		t.Errorf("View() at 79×24 = %q; want the too-small notice", got)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := screenOf(m); strings.Contains(got, "too small") {
		t.Errorf("after resizing to 100×30 the notice is still shown")
	}
}

// BenchmarkDashboardView measures one full-dashboard View() at 120×40 over
// the scripted scenario (target ≤ 5 ms).
func BenchmarkDashboardView(b *testing.B) {
	m, _ := dashboardScenario(b, 120, 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkDashboardFrame measures one frame as the program runs it: drain
// 3,400 trace events (about 100k events/s at 30 frames/s), fold them into
// every pane, then View() at 120×40.
func BenchmarkDashboardFrame(b *testing.B) {
	m, live := dashboardScenario(b, 120, 40)
	s := &synth{}
	s.register(40)
	s.passes(400, 40, "epoll", 44) // ~8.5 events per pass
	batch := s.take()
	now := t0.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		live.src.push(batch...)
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
		_ = m.View()
	}
	b.ReportMetric(float64(len(batch)), "events/frame")
}

var _ tea.Model = (*App)(nil)

// An ActionMsg does what a key does, with an argument; a refused one is
// shown on the error line.
func TestDashboardActionMsg(t *testing.T) {
	live := newFakeLive()
	m := newDashboard(t, live, WithInjectors(testInjectors...))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, s := range []string{"add-idle 250", "partial-read on", "partial-read on", "backend poll"} {
		a, err := ParseAction(s)
		if err != nil {
			t.Fatal(err)
		}
		m.Update(ActionMsg(a))
	}
	want := []string{"add idle 250", "inject partial-read true", "inject partial-read true", "switch poll"}
	if got := live.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
	m.Update(ActionMsg{ID: "add-idle", Arg: "lots"})
	m.Update(tickMsg(t0))
	if got := screenOf(m); !strings.Contains(got, `✗ ERROR: add-idle: want a count from 1 to 10000, got "lots"`) {
		t.Errorf("a bad action is not reported:\n%s", got)
	}
}

// The dashboard shows a pane drawn from a source beside the trace only
// when its Live has that source.
func TestDashboardPanesNeedTheirSource(t *testing.T) {
	type plainLive struct{ Live } // a Live and nothing more
	m := newDashboard(t, plainLive{newFakeLive()})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tickMsg(t0))
	got := screenOf(m)
	for _, title := range []string{"Deferred chain", "Latency", "Goroutine pool"} {
		if strings.Contains(got, title) {
			t.Errorf("a Live without its source shows the %q pane:\n%s", title, got)
		}
	}
	m = newDashboard(t, newFakeLive())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tickMsg(t0))
	got = screenOf(m)
	for _, title := range []string{"Deferred chain", "Latency", "Goroutine pool"} {
		if !strings.Contains(got, title) {
			t.Errorf("a Live with every source lacks the %q pane:\n%s", title, got)
		}
	}
}

// fdLive is a Live that reports its fd table.
type fdLive struct{ *fakeLive }

func (fdLive) FDTable() FDTable { return FDTable{Open: 12, Soft: 1024, Hard: 4096} }

// The dashboard shows the fds pane only over a Live that reports its fd
// table, as it shows the chain pane only over a ChainSource.
func TestDashboardFDsPane(t *testing.T) {
	for _, tc := range []struct {
		live Live
		want bool
	}{{newFakeLive(), false}, {fdLive{newFakeLive()}, true}} {
		m := newDashboard(t, tc.live)
		m.Update(tea.WindowSizeMsg{Width: 160, Height: 60})
		m.Update(tickMsg(t0))
		if got := strings.Contains(screenOf(m), "open 12 of 1024"); got != tc.want {
			t.Errorf("%T: fds pane shown = %v; want %v:\n%s", tc.live, got, tc.want, screenOf(m))
		}
	}
}
