package visualizer

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/reactor"
)

// manual drives frames by hand: no real tick.
func manual(c *config) { c.noTick = true }

// runCmds executes cmd and everything it batches or sequences, feeding
// the resulting messages back into m, until nothing is left. Quit stops it.
func runCmds(m *App, cmd tea.Cmd) (quit bool) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if msg == nil {
			continue
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
			for i := 0; i < v.Len(); i++ {
				queue = append(queue, v.Index(i).Interface().(tea.Cmd))
			}
			continue
		}
		_, next := m.Update(msg)
		queue = append(queue, next)
	}
	return false
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestLiveControlKeys(t *testing.T) {
	tests := []struct {
		key      string
		controls Controls
		want     []string
	}{
		{"space", CtlPause, []string{"pause"}},
		{"n", CtlStep, []string{"step"}},
		{"+", CtlSlow, []string{"delay 10ms"}},
		{"-", CtlSlow, []string{"delay 0s"}},
		{"b", CtlBackend, []string{"switch select"}},
		{"c", CtlAddActive, []string{"add active 10"}},
		{"C", CtlAddIdle, []string{"add idle 100"}},
		{"x", CtlDrop, []string{"drop"}},
		{"k", CtlStall, []string{"stall 300ms"}},
		// disabled controls do nothing
		{"space", CtlStep, nil},
		{"b", CtlPause, nil},
		{"k", AllControls &^ CtlStall, nil},
	}
	for _, tc := range tests {
		live := newFakeLive()
		m := &App{cfg: newConfig([]Option{manual}), keys: DefaultKeyMap(), dashboard: true, state: stateLesson}
		m.live = newLiveView(m.cfg, live, AllPanes(), tc.controls)
		m.Update(press(tc.key))
		if got := live.Calls(); !slices.Equal(got, tc.want) {
			t.Errorf("key %q with controls %b: calls = %q; want %q", tc.key, tc.controls, got, tc.want)
		}
	}
}

func TestSpaceResumesWhenPaused(t *testing.T) {
	live := newFakeLive()
	m := NewDashboard("d", live, manual)
	m.Update(press("space"))
	m.Update(press("space"))
	if got, want := live.Calls(), []string{"pause", "resume"}; !slices.Equal(got, want) {
		t.Errorf("space twice: calls = %q; want %q", got, want)
	}
}

func TestNextBackend(t *testing.T) {
	for _, tc := range []struct{ cur, want string }{{"select", "poll"}, {"poll", "epoll"}, {"epoll", "select"}, {"", "select"}} {
		if got := nextBackend(tc.cur); got != tc.want {
			t.Errorf("nextBackend(%q) = %q; want %q", tc.cur, got, tc.want)
		}
	}
}

func TestStepDelay(t *testing.T) {
	for _, tc := range []struct {
		cur  time.Duration
		dir  int
		want time.Duration
	}{
		{0, +1, 10 * time.Millisecond},
		{0, -1, 0},
		{time.Second, +1, time.Second},
		{50 * time.Millisecond, -1, 10 * time.Millisecond},
		{30 * time.Millisecond, -1, 10 * time.Millisecond},
		{30 * time.Millisecond, +1, 200 * time.Millisecond},
	} {
		if got := stepDelay(tc.cur, tc.dir); got != tc.want {
			t.Errorf("stepDelay(%v, %d) = %v; want %v", tc.cur, tc.dir, got, tc.want)
		}
	}
}

// A loop that left the kernel and never finished its pass is shown as a
// stall that keeps growing, although no event arrives.
func TestStallInProgressShown(t *testing.T) {
	live := newFakeLive()
	m := NewDashboard("d", live, manual)
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
	got := ansi.Strip(m.View().Content)
	for _, want := range []string{"!! STALL NOW: loop busy 297ms", "last handler: slow handler", "STALLED 297ms"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	live.Pause()
	m.Update(tickMsg(now.Add(frameDur)))
	if got := ansi.Strip(m.View().Content); strings.Contains(got, "STALL NOW") || !strings.Contains(got, "PAUSED") {
		t.Errorf("paused loop: View() should say PAUSED, not a stall:\n%s", got)
	}
}

func TestOverflowAndErrorsShown(t *testing.T) {
	live := newFakeLive()
	m := NewDashboard("d", live, manual)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	live.src.push(reactor.TraceEvent{Kind: reactor.KindOverflow, N: 1234})
	m.Update(press("b")) // epoll -> select: the fake refuses with an error
	m.Update(tickMsg(t0))
	got := ansi.Strip(m.View().Content)
	for _, want := range []string{"screen missed 1.2k trace events", "✗ ERROR: reactor: fd 1024 >= FD_SETSIZE"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
}

func twoLessons() []Lesson {
	return []Lesson{
		&fakeLesson{slug: "one", title: "One process, many connections",
			pages:    []string{"# Page one\n\nEvery connection is an **fd**.\n\nTry: press `c`.", "# Page two\n\nSecond page."},
			panes:    []PaneID{PaneReadiness, PaneCounters},
			controls: CtlAddActive | CtlPause},
		&fakeLesson{slug: "two", title: "select(): fd sets and the 1024 wall",
			pages: []string{"# Select\n\nProse only."}},
	}
}

func TestHomeOpenLessonAndBack(t *testing.T) {
	dir := t.TempDir()
	lessons := twoLessons()
	m, err := NewApp(lessons, "", manual, WithStateDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	runCmds(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if m.state != stateHome {
		t.Fatalf("state = %v; want home", m.state)
	}
	runCmds(m, m.Update2(press("enter")))
	if m.state != stateLesson || m.cur != 0 {
		t.Fatalf("after enter: state %v lesson %d; want lesson 0", m.state, m.cur)
	}
	if m.live == nil {
		t.Fatalf("after enter: no live view; start error %v", m.startErr)
	}
	live := lessons[0].(*fakeLesson).live
	runCmds(m, m.Update2(press("c")))
	runCmds(m, m.Update2(press("b"))) // not enabled in this lesson
	if got, want := live.Calls(), []string{"add active 10"}; !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
	runCmds(m, m.Update2(press("right")))
	if m.page != 1 {
		t.Errorf("after →: page = %d; want 1", m.page)
	}
	runCmds(m, m.Update2(press("right")))
	if m.page != 1 {
		t.Errorf("→ on the last page: page = %d; want 1", m.page)
	}
	runCmds(m, m.Update2(press("esc")))
	if m.state != stateHome || m.live != nil {
		t.Errorf("after esc: state %v live %v; want home and no live", m.state, m.live)
	}
	if !live.closed || !live.src.closed {
		t.Errorf("after esc: live closed %v, subscription closed %v; want both", live.closed, live.src.closed)
	}
	b, err := os.ReadFile(filepath.Join(dir, "progress"))
	if err != nil || string(b) != "one\n" {
		t.Errorf("progress file = %q, %v; want %q", b, err, "one\n")
	}
	m2, _ := NewApp(lessons, "", manual, WithStateDir(dir))
	m2.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := ansi.Strip(m2.View().Content); !strings.Contains(got, "✓  1. One process") || !strings.Contains(got, "1 of 2 lessons visited") {
		t.Errorf("home after reload does not show lesson 1 visited:\n%s", got)
	}
}

func TestQuitClosesLive(t *testing.T) {
	lessons := twoLessons()
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	runCmds(m, m.Init())
	live := lessons[0].(*fakeLesson).live
	if quit := runCmds(m, m.Update2(press("q"))); !quit {
		t.Errorf("q did not quit")
	}
	if !live.closed {
		t.Errorf("q left the scenario running")
	}
}

func TestUnknownStartLesson(t *testing.T) {
	if _, err := NewApp(twoLessons(), "nope"); err == nil || !strings.Contains(err.Error(), "reactorlab lessons") {
		t.Errorf("NewApp(start=nope) error = %v; want one naming `reactorlab lessons`", err)
	}
	m, err := NewApp(twoLessons(), "2", manual, WithStateDir(""))
	if err != nil || m.cur != 1 {
		t.Errorf("NewApp(start=2) = lesson %d, %v; want lesson index 1", m.cur, err)
	}
}

func TestHelpToggle(t *testing.T) {
	m, _ := NewApp(twoLessons(), "", manual, WithStateDir(""))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(press("?"))
	got := ansi.Strip(m.View().Content)
	if !strings.Contains(got, "I in (readable)") || !strings.Contains(got, "pause/resume") {
		t.Errorf("? did not show full help:\n%s", got)
	}
	m.Update(press("down"))
	if m.cursor != 0 {
		t.Errorf("down moved the hidden list while help was open")
	}
	m.Update(press("esc"))
	if m.showHelp {
		t.Errorf("esc did not close help")
	}
}

func TestChainRecorderDropsOldest(t *testing.T) {
	r := NewChainRecorder(16)
	evs := chainEvents()
	for i := 0; i < 20; i++ {
		r.Observe(evs[i%len(evs)])
	}
	got := r.Drain(nil)
	if len(got) != 16 || r.Dropped() != 4 {
		t.Errorf("after 20 events into 16: drained %d, dropped %d; want 16, 4", len(got), r.Dropped())
	}
	if len(r.Drain(nil)) != 0 {
		t.Errorf("second Drain returned events; want none")
	}
}

func TestLessonView(t *testing.T) {
	lessons := twoLessons()
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	runCmds(m, m.Init())
	runCmds(m, m.Update2(tea.WindowSizeMsg{Width: 100, Height: 30}))
	live := lessons[0].(*fakeLesson).live
	s := &synth{}
	s.register(3)
	s.passes(20, 3, "epoll", 5)
	live.src.push(s.take()...)
	m.Update(tickMsg(t0))
	golden(t, m.View().Content)
}

// A lesson with five panes beside the prose still shows all five at
// 100×30 and at 80×24 (squeezed, not hidden).
func TestLessonFivePanesFit(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{100, 30}, {80, 24}} {
		lessons := twoLessons()
		l := lessons[0].(*fakeLesson)
		l.panes = []PaneID{PaneReadiness, PaneInterest, PaneLoop, PaneStalls, PaneCounters}
		m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
		runCmds(m, m.Init())
		runCmds(m, m.Update2(tea.WindowSizeMsg{Width: sz.w, Height: sz.h}))
		m.Update(tickMsg(t0))
		got := ansi.Strip(m.View().Content)
		for _, title := range []string{"Readiness", "Interest set", "Loop", "Stalls", "Counters"} {
			if !strings.Contains(got, title) {
				t.Errorf("%dx%d: pane %q missing:\n%s", sz.w, sz.h, title, got)
			}
		}
		if strings.Contains(got, "hidden") {
			t.Errorf("%dx%d: panes hidden:\n%s", sz.w, sz.h, got)
		}
	}
}

// A scenario whose Start finishes after the program ended is closed, not
// leaked.
func TestStartAfterCloseIsClosed(t *testing.T) {
	lessons := twoLessons()
	live := newFakeLive()
	lessons[0].(*fakeLesson).live = live
	m, _ := NewApp(lessons, "one", manual, WithStateDir(""))
	cmd := m.Init()
	m.Close() // the program ended before the Start Cmd ran
	runCmds(m, cmd)
	if !live.closed {
		t.Errorf("Live started after Close was left running")
	}
	if m.live != nil {
		t.Errorf("closed App adopted a Live")
	}
}

// With a real reactor the events of a stalled pass arrive only when the
// pass ends; the live counters show the wait has returned, so the stall is
// on screen while it happens.
func TestStallVisibleFromCountersAlone(t *testing.T) {
	live := newFakeLive()
	m := NewDashboard("d", live, manual)
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
	if got := ansi.Strip(m.View().Content); !strings.Contains(got, "idle in the kernel") {
		t.Fatalf("loop waiting in the kernel not shown as idle:\n%s", got)
	}
	live.mu.Lock()
	live.stats = reactor.Stats{Passes: 1, WaitCalls: 1, Events: 1} // woke up; handler running
	live.mu.Unlock()
	for i := 0; i < 10; i++ {
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
	}
	got := ansi.Strip(m.View().Content)
	if !strings.Contains(got, "last handler: named when the pass ends") {
		t.Errorf("stall from counters not shown:\n%s", got)
	}
}
