package visualizer

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/reactor"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got (ANSI stripped) with testdata/<test name>.golden.
func golden(t *testing.T, got string) {
	t.Helper()
	got = ansi.Strip(got)
	path := filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v (run go test -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("View() differs from %s (run with -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// dashboardScenario drives a dashboard through a scripted run: twelve
// clients, three backends at growing fd counts, a 300 ms stall, a select
// refusal and a Deferred chain. Everything is synthetic and deterministic.
func dashboardScenario(w, h int) (*App, *fakeLive) {
	live := newFakeLive()
	live.watched = []reactor.WatchInfo{{Fd: 3, Label: "listener", Interest: reactor.Readable}}
	m := NewDashboard("reactorlab serve — echo", live, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(watchedMsg{At: t0, List: live.watched})
	s := &synth{}
	s.register(12)
	now := t0
	var st reactor.Stats
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
		m.Update(tickMsg(now))
	}
	return m, live
}

func TestDashboardView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{120, 40}, {100, 30}, {80, 24}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			m, _ := dashboardScenario(sz.w, sz.h)
			got := m.View().Content
			if n := strings.Count(got, "\n") + 1; n != sz.h {
				t.Errorf("View() has %d lines; want %d", n, sz.h)
			}
			for i, line := range strings.Split(ansi.Strip(got), "\n") {
				if w := ansi.StringWidth(line); w > sz.w {
					t.Errorf("line %d is %d cells wide; want <= %d: %q", i, w, sz.w, line)
				}
			}
			golden(t, got)
		})
	}
}

func TestTooSmallView(t *testing.T) {
	m, _ := dashboardScenario(79, 24)
	got := ansi.Strip(m.View().Content)
	if !strings.Contains(got, "terminal too small (need 80×24)") {
		t.Errorf("View() at 79×24 = %q; want the too-small notice", got)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := ansi.Strip(m.View().Content); strings.Contains(got, "too small") {
		t.Errorf("after resizing to 100×30 the notice is still shown")
	}
}
