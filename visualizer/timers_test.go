package visualizer

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/reactor"
)

const (
	tickFunc   = "github.com/reactorlab/reactorlab/lessons.(*ticker).tick-fm"
	expireFunc = "github.com/reactorlab/reactorlab/lessons.(*idleConn).expire-fm"
)

// timerFrame is a frame at now carrying evs, stamped on the loop's clock
// as if drained at once (At = now − t0).
func timerFrame(now time.Time, evs ...reactor.TraceEvent) *frameMsg {
	for i := range evs {
		if evs[i].At == 0 {
			evs[i].At = int64(now.Sub(t0))
		}
	}
	return &frameMsg{Now: now, Events: evs}
}

func viewOf(p pane, w, h int) string {
	p.SetSize(w, h)
	return ansi.Strip(p.View())
}

// The pane follows the heap: scheduled timers are pending by due time,
// cancelled ones stay until dropped at the top or compacted away, fired
// ones leave.
func TestTimersFollowTheHeap(t *testing.T) {
	p := newTimers()
	evs := []reactor.TraceEvent{{Kind: reactor.KindTimerScheduled, N: 3, Dur: 250 * time.Millisecond, Label: tickFunc}}
	for id := int64(10); id < 15; id++ {
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: id, Dur: 8 * time.Second, Label: expireFunc})
	}
	evs = append(evs, reactor.TraceEvent{Kind: reactor.KindTimerCancelled, N: 11}, reactor.TraceEvent{Kind: reactor.KindTimerCancelled, N: 12})
	p.Update(timerFrame(t0, evs...))
	got := viewOf(p, 60, 12)
	for _, want := range []string{"heap 6: 4 pending + 2 cancelled", "due→ ●●××●●", "  250ms     #3  lessons.(*ticker).tick",
		"×   8.00s    #11  (cancelled) lessons.(*idleConn).expire"} {
		if !strings.Contains(got, want) {
			t.Errorf("after scheduling: View() lacks %q:\n%s", want, got)
		}
	}
	// Id 11 reaches the top and is dropped; a compaction takes 12; 3 fires.
	p.Update(timerFrame(t0.Add(frameDur),
		reactor.TraceEvent{Kind: reactor.KindTimerDiscarded, N: 11},
		reactor.TraceEvent{Kind: reactor.KindTimerCompacted, N: 1, Dur: 18 * time.Microsecond},
		reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 3, Dur: 2 * time.Millisecond, Label: tickFunc},
	))
	got = viewOf(p, 60, 12)
	for _, want := range []string{"heap 3: 3 pending + 0 cancelled", "compacted 1× (last: 1 in 18µs) · 1 dropped at top",
		"fired in 10 s: 1, 0 late · worst 2.0ms"} {
		if !strings.Contains(got, want) {
			t.Errorf("after drop, compaction and firing: View() lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "(cancelled)") {
		t.Errorf("cancelled timers still listed after they left the heap:\n%s", got)
	}
}

// A timer due before a pass that has ended has fired, even if the trace
// lost the event that said so: the pane drops it rather than show it
// pending forever.
func TestTimersLostFiringPruned(t *testing.T) {
	p := newTimers()
	p.Update(timerFrame(t0, reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: 5, Dur: 10 * time.Millisecond, Label: tickFunc}))
	later := t0.Add(50 * time.Millisecond)
	p.Update(timerFrame(later,
		reactor.TraceEvent{Kind: reactor.KindOverflow, N: 3},
		reactor.TraceEvent{Kind: reactor.KindPassStart, N: 9},
		reactor.TraceEvent{Kind: reactor.KindPassEnd},
	))
	got := viewOf(p, 60, 8)
	if !strings.Contains(got, "heap 0: 0 pending") || !strings.Contains(got, "approx") {
		t.Errorf("a timer due before an ended pass still pending, or the overflow not admitted:\n%s", got)
	}
}

// A stall makes timers late: the summary names the worst and whose it
// was, and the list shows each firing's lateness.
func TestTimersLateness(t *testing.T) {
	p := newTimers()
	p.Update(timerFrame(t0,
		reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 3, Dur: 302 * time.Millisecond, Label: tickFunc},
		reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 7, Dur: 280 * time.Millisecond, Label: expireFunc},
		reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 8, Dur: 300 * time.Microsecond, Label: expireFunc},
	))
	got := viewOf(p, 70, 12)
	for _, want := range []string{"fired in 10 s: 3, 2 late · worst 302ms lessons.(*ticker).tick", "  302ms     #3  lessons.(*ticker).tick",
		"  280ms     #7  lessons.(*idleConn).expire"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	// Ten seconds on, the summary has forgotten them.
	p.Update(timerFrame(t0.Add(11 * time.Second)))
	if got := viewOf(p, 70, 12); !strings.Contains(got, "fired in 10 s: none") {
		t.Errorf("old firings still summed:\n%s", got)
	}
}

// Calls from other goroutines are counted as the loop runs them, beside
// the waker writes they cost since the pane started.
func TestTimersWakeLine(t *testing.T) {
	p := newTimers()
	f := timerFrame(t0)
	f.Stats.WakeWrites = 40
	p.Update(f)
	f = timerFrame(t0.Add(frameDur), reactor.TraceEvent{Kind: reactor.KindWake, N: 900}, reactor.TraceEvent{Kind: reactor.KindWake, N: 100})
	f.Stats.WakeWrites = 42
	p.Update(f)
	if got := viewOf(p, 90, 6); !strings.Contains(got, "calls from goroutines 1.0k → run in 2 passes, 2 waker writes (max 900/pass)") {
		t.Errorf("wake line wrong:\n%s", got)
	}
	if got := viewOf(p, 42, 6); !strings.Contains(got, "goroutine calls 1.0k → 2 waker writes") {
		t.Errorf("narrow wake line wrong:\n%s", got)
	}
}

// timersScenario feeds a lesson-11-like run: a ticker every 250 ms, idle
// timeouts reset by cancel-and-reschedule (cancelled timers pile up and
// are compacted), a burst of calls from goroutines, then a 300 ms stall
// that makes the timers due during it fire late.
func timersScenario(live *fakeLive, m *App) {
	s := &synth{}
	now := t0
	var st reactor.Stats
	id := int64(100)
	next := map[int]int64{} // conn -> current timer id
	for f := 0; f < 40; f++ {
		s.at = int64(time.Duration(f) * frameDur)
		s.emit(reactor.TraceEvent{Kind: reactor.KindPassStart, N: int64(f + 1)})
		if f%8 == 0 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 3, Dur: time.Duration(f%3) * 300 * time.Microsecond, Label: tickFunc})
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: 3, Dur: 250 * time.Millisecond, Label: tickFunc})
		}
		conn := f % 6
		if old, ok := next[conn]; ok {
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerCancelled, N: old})
		}
		id++
		next[conn] = id
		s.emit(reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: id, Dur: 8 * time.Second, Label: expireFunc})
		if f == 20 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindWake, N: 1000})
			st.WakeWrites += 2
		}
		if f == 30 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerCompacted, N: 24, Dur: 11 * time.Microsecond})
		}
		if f == 36 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindStall, Label: "blocking handler (sleeps 300ms)", Dur: 300 * time.Millisecond})
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 3, Dur: 302 * time.Millisecond, Label: tickFunc})
			s.emit(reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: 3, Dur: 250 * time.Millisecond, Label: tickFunc})
		}
		s.emit(reactor.TraceEvent{Kind: reactor.KindPassEnd, Dur: time.Millisecond})
		live.src.push(s.take()...)
		st.Passes++
		st.WaitCalls++
		live.mu.Lock()
		live.stats = st
		live.mu.Unlock()
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
	}
}

// paneLesson is a one-page lesson showing panes, for pane goldens.
func paneLesson(panes ...PaneID) []Lesson {
	return []Lesson{&fakeLesson{slug: "panes", title: "Pane under test", panes: panes,
		pages:    []string{"# A page\n\nThe pane is beside this text.\n\nTry: press `space`."},
		controls: []ControlID{CtlPause}}}
}

func TestTimersView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			lessons := paneLesson(PaneTimers, PaneStalls)
			m := openLesson(t, lessons, "panes", sz.w, sz.h)
			timersScenario(lessons[0].(*fakeLesson).live, m)
			got := m.View().Content
			checkSize(t, got, sz.w, sz.h)
			golden(t, got)
		})
	}
}

// The loop's clock at a frame is the newest event's time plus the wall
// time since: it runs on through a stall that emits nothing, and an event
// drained a little after its frame's tick does not move it backwards.
func TestLoopClock(t *testing.T) {
	var c loopClock
	if c.at(t0) != 0 {
		t.Errorf("at() before any event = %d; want 0", c.at(t0))
	}
	c.see(t0, int64(5*time.Second))
	c.see(t0, int64(4*time.Second)) // older: ignored
	if got := time.Duration(c.at(t0.Add(300 * time.Millisecond))); got != 5300*time.Millisecond {
		t.Errorf("at(+300ms) = %v; want 5.3s", got)
	}
	c.see(t0.Add(time.Second), int64(6*time.Second+20*time.Millisecond))
	if got := time.Duration(c.at(t0.Add(time.Second))); got != 6020*time.Millisecond {
		t.Errorf("at(+1s) = %v; want 6.02s, the newest event", got)
	}
}
