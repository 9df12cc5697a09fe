package visualizer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// demoLive is a fakeLive that counts its clients, as the lessons' driver
// does, and whose stall shows in its trace the way a real one does.
type demoLive struct {
	*fakeLive
	mu       sync.Mutex
	clients  int
	dialling int // clients on their way, never arriving
	most     int // cap; 0 = none
}

func newDemoLive() *demoLive { return &demoLive{fakeLive: newFakeLive()} }

func (l *demoLive) AddClients(n int, active bool) {
	l.fakeLive.AddClients(n, active)
	l.mu.Lock()
	l.clients += n
	if l.most > 0 {
		l.clients = min(l.clients, l.most)
	}
	l.mu.Unlock()
}

func (l *demoLive) DropClients() {
	l.fakeLive.DropClients()
	l.mu.Lock()
	l.clients = 0
	l.mu.Unlock()
}

func (l *demoLive) Clients() ClientCount {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ClientCount{Connected: l.clients, Alive: l.clients + l.dialling, Most: l.most}
}

func (l *demoLive) Inject(id string, on bool) error {
	if err := l.fakeLive.Inject(id, on); err != nil {
		return err
	}
	if id == "stall" {
		l.src.push(reactor.TraceEvent{Kind: reactor.KindStall, Label: "blocking handler", Dur: 300 * time.Millisecond})
	}
	return nil
}

// liveState is what a presenter sees of a scenario: it must be the same
// whether a step was reached going forward or rebuilt going back.
type liveState struct {
	backend string
	paused  bool
	delay   time.Duration
	clients int
	partial bool
	calls   string
}

func (l *demoLive) state() liveState {
	return liveState{backend: l.Backend(), paused: l.Paused(), delay: l.Delay(), clients: l.Clients().Connected,
		partial: l.InjectorOn("partial-read"), calls: strings.Join(l.Calls(), "; ")}
}

// act is an action op; wait a wait op.
func act(line int, s string) DemoOp {
	a, err := ParseAction(s)
	if err != nil {
		panic(err)
	}
	return DemoOp{Line: line, Action: a}
}

func wait(line int, s string, within time.Duration) DemoOp {
	c, err := ParseCond(s)
	if err != nil {
		panic(err)
	}
	return DemoOp{Line: line, Wait: c, Within: within}
}

// testDemo is a four-step demo over demoLives; every Start appends the
// new scenario to *lives.
func testDemo(lives *[]*demoLive) *Demo {
	return &Demo{
		Name: "test", Title: "Four steps on a fake", Source: "test.demo",
		Panes:     []PaneID{PaneReadiness, PaneLoop, PaneCounters},
		Injectors: testInjectors,
		Start: func(context.Context) (Live, error) {
			l := newDemoLive()
			*lives = append(*lives, l)
			return l, nil
		},
		Steps: []DemoStep{
			{Line: 3, Caption: "Three clients are typing.", Panes: []PaneID{PaneReadiness},
				Ops: []DemoOp{act(4, "add-active 3"), wait(5, "clients 3", 0)}},
			{Line: 6, Caption: "Switch to poll, then a hundred idle clients and partial reads.", Panes: []PaneID{PaneCounters, PaneReadiness},
				Ops: []DemoOp{act(7, "backend poll"), wait(8, "backend poll", 0), act(9, "add-idle 100"),
					wait(10, "clients 103", 0), act(11, "partial-read on")}},
			{Line: 12, Caption: "Pause, in slow motion.", Panes: []PaneID{PaneLoop},
				Ops: []DemoOp{act(13, "slower 2"), act(14, "pause on"), wait(15, "paused", 0)}},
			{Line: 16, Caption: "A stall.", Panes: []PaneID{PaneLoop},
				Ops: []DemoOp{act(17, "stall"), wait(18, "stall", time.Second)}},
		},
	}
}

// newDemoApp builds the player for d, sized, started, frames by hand.
func newDemoApp(t *testing.T, d *Demo, play DemoPlay, w, h int) *App {
	t.Helper()
	m, err := NewDemo(d, play, manual, WithStateDir(""))
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	runCmds(m, m.Init())
	return m
}

func demoOf(m *App) *demoScreen { return m.active.(*demoScreen) }

// → runs the next step's ops; ← rebuilds the step before from a fresh
// scenario, whose state is then exactly what going forward reached; r
// starts over.
func TestDemoPresenterKeys(t *testing.T) {
	var lives []*demoLive
	m := newDemoApp(t, testDemo(&lives), DemoPlay{}, 100, 30)
	if len(lives) != 1 {
		t.Fatalf("after Init: %d scenarios started; want 1", len(lives))
	}
	after := []liveState{lives[0].state()}
	for range 2 {
		do(m, press("right"))
		after = append(after, lives[0].state())
	}
	s := demoOf(m)
	if s.step != 2 || s.wait != nil || s.doneAt.IsZero() {
		t.Fatalf("after → → : step %d (wait %v, done %v); want step 3 done", s.step+1, s.wait, !s.doneAt.IsZero())
	}
	want := liveState{backend: "poll", paused: true, delay: 50 * time.Millisecond, clients: 103, partial: true}
	if got := after[2]; got.backend != want.backend || got.paused != want.paused || got.delay != want.delay ||
		got.clients != want.clients || got.partial != want.partial {
		t.Fatalf("state at step 3 = %+v; want %+v", got, want)
	}

	do(m, press("right")) // step 4: the stall, waited for
	do(m, press("left"))  // back to step 3, rebuilt
	if len(lives) != 2 {
		t.Fatalf("after ←: %d scenarios started; want 2 (a fresh one)", len(lives))
	}
	if !lives[0].closed {
		t.Error("after ←: the old scenario is still open")
	}
	if got := lives[1].state(); got != after[2] {
		t.Errorf("step 3 rebuilt by ←:\n got  %+v\nwant %+v (as reached going forward)", got, after[2])
	}
	if s.target != 2 || s.step != 2 || !strings.Contains(screenOf(m), "step 3 of 4") {
		t.Errorf("after ←: step %d target %d; want 3 shown; screen:\n%s", s.step+1, s.target+1, screenOf(m))
	}

	do(m, press("left")) // and again, to step 2
	if got := lives[2].state(); got != after[1] {
		t.Errorf("step 2 rebuilt by ←:\n got  %+v\nwant %+v", got, after[1])
	}

	do(m, press("r"))
	if len(lives) != 4 || lives[3].state() != after[0] {
		t.Errorf("after r: %d scenarios, last in %+v; want a 4th in %+v", len(lives), lives[3].state(), after[0])
	}
	if r := m.DemoReport(); r.Reached != 4 || r.Finished || len(r.Problems) != 0 {
		t.Errorf("report = %+v; want 4 steps reached, not finished, no problems", r)
	}
	do(m, press("left")) // nothing before step 1
	if len(lives) != 4 {
		t.Errorf("← on step 1 started a scenario; want nothing to happen")
	}
}

// A start still on its way when the presenter presses keys is not
// doubled: the keys move the aim, and the one scenario replays to it.
func TestDemoKeysWhileStarting(t *testing.T) {
	var lives []*demoLive
	m := newDemoApp(t, testDemo(&lives), DemoPlay{}, 100, 30)
	start := send(m, press("r")) // the new scenario's Cmd, not run yet
	if cmd := send(m, press("r")); cmd != nil {
		t.Error("a second r while starting returned a Cmd; want it to re-aim only")
	}
	send(m, press("right"))
	send(m, press("right"))
	if !strings.Contains(screenOf(m), "rebuilding step 3: starting a fresh scenario") {
		t.Errorf("while starting, aimed at step 3: screen does not say so:\n%s", screenOf(m))
	}
	runCmds(m, start)
	if len(lives) != 2 {
		t.Fatalf("%d scenarios started; want 2", len(lives))
	}
	if s := demoOf(m); s.step != 2 || lives[1].Backend() != "poll" || !lives[1].Paused() {
		t.Errorf("after the start: step %d, backend %s, paused %v; want step 3 replayed (poll, paused)",
			s.step+1, lives[1].Backend(), lives[1].Paused())
	}
}

// While a rebuild replays a step that waits, the status line says which
// step it is rebuilding and how the wait stands.
func TestDemoRebuildStatus(t *testing.T) {
	var lives []*demoLive
	d := testDemo(&lives)
	d.Start = func(context.Context) (Live, error) {
		l := newDemoLive()
		l.dialling = 5 // clients on their way that never arrive: step 1's wait stays open
		lives = append(lives, l)
		return l, nil
	}
	d.Steps[0].Ops = []DemoOp{wait(4, "clients 3", time.Minute)}
	m := newDemoApp(t, d, DemoPlay{}, 100, 30)
	do(m, press("right")) // skips the wait
	do(m, press("right"))
	do(m, press("left")) // rebuild step 2: step 1 replayed, its wait open
	want := "⟲ rebuilding step 2 on a fresh scenario: replaying step 1 (now 1: 0 connected)"
	if s := screenOf(m); !strings.Contains(s, want) || !strings.Contains(s, "step 2 of 4") {
		t.Errorf("screen during the rebuild lacks %q and step 2:\n%s", want, s)
	}
	if f := footerOf(m); !strings.Contains(f, "aim one step further") {
		t.Errorf("footer during the rebuild = %q; want → to aim further", f)
	}
}

// tick sends one frame at t.
func tick(m *App, t time.Time) bool { return do(m, tickMsg(t)) }

// --auto plays every step, each for its hold (divided by the speed),
// waits for what each waits for, and ends the program after the last.
func TestDemoAutoPlay(t *testing.T) {
	var lives []*demoLive
	m := newDemoApp(t, testDemo(&lives), DemoPlay{Auto: true, Speed: 100}, 100, 30)
	now := time.Now()
	quit := false
	for f := 0; f < 2000 && !quit; f++ {
		now = now.Add(frameDur)
		quit = tick(m, now)
	}
	if !quit {
		t.Fatalf("auto-play did not end after 2000 frames; screen:\n%s", screenOf(m))
	}
	r := m.DemoReport()
	if r.Reached != 4 || !r.Finished || len(r.Problems) != 0 {
		t.Errorf("report = %+v; want all 4 steps, finished, no problems", r)
	}
	if len(lives) != 1 || !strings.Contains(strings.Join(lives[0].Calls(), ";"), "inject stall") {
		t.Errorf("scenarios %d, calls %q; want one scenario that saw the stall", len(lives), lives[0].Calls())
	}
}

// Auto-play with Loop starts over after the last step (a booth).
func TestDemoAutoLoop(t *testing.T) {
	var lives []*demoLive
	m := newDemoApp(t, testDemo(&lives), DemoPlay{Auto: true, Loop: true, Speed: 100}, 100, 30)
	now := time.Now()
	for f := 0; f < 2000 && len(lives) < 2; f++ {
		now = now.Add(frameDur)
		if tick(m, now) {
			t.Fatal("a looping demo quit")
		}
	}
	if len(lives) < 2 || !m.DemoReport().Finished || demoOf(m).target != 0 {
		t.Errorf("after the last step: %d scenarios, report %+v; want a second round from step 1", len(lives), m.DemoReport())
	}
}

// A wait that is not met in its time is reported with its line, on the
// screen and in the report, and the demo goes on.
func TestDemoWaitNotMet(t *testing.T) {
	var lives []*demoLive
	d := testDemo(&lives)
	d.Steps[0].Ops = append(d.Steps[0].Ops, wait(9, "clients 500", time.Second), act(10, "add-idle 1"))
	d.Start = func(context.Context) (Live, error) {
		l := newDemoLive()
		l.dialling = 1000 // on their way, and never arriving
		lives = append(lives, l)
		return l, nil
	}
	m := newDemoApp(t, d, DemoPlay{}, 100, 30)
	now := time.Now()
	tick(m, now)
	if s := screenOf(m); !strings.Contains(s, "waiting for 500 clients connected: 3 connected") {
		t.Errorf("while waiting, the screen does not say for what:\n%s", s)
	}
	tick(m, now.Add(2*time.Second))
	s := screenOf(m)
	if !strings.Contains(s, "✗ line 9: waited 1.00s for 500 clients connected; 3 connected") {
		t.Errorf("after the wait's time: the screen does not say it was not met:\n%s", s)
	}
	if n := lives[0].Clients().Connected; n != 4 {
		t.Errorf("clients = %d; want 4: the step's ops go on after a wait not met", n)
	}
	want := []string{"test.demo:9: waited 1.00s for 500 clients connected; 3 connected"}
	if r := m.DemoReport(); !slices.Equal(r.Problems, want) {
		t.Errorf("report problems = %q; want %q", r.Problems, want)
	}
}

// A clients wait that cannot be met any more (every client has either
// connected or given up) ends at once, saying how many are missing.
func TestDemoClientsSettledShort(t *testing.T) {
	var lives []*demoLive
	d := testDemo(&lives)
	d.Steps[0].Ops = append(d.Steps[0].Ops, wait(9, "clients 500", time.Minute))
	m := newDemoApp(t, d, DemoPlay{}, 100, 30)
	want := []string{"test.demo:9: wait clients 500: 3 connected and none on the way: 497 could not connect (refused, reset, or out of fds) or were never added"}
	if r := m.DemoReport(); !slices.Equal(r.Problems, want) {
		t.Errorf("problems %q; want %q", r.Problems, want)
	}
}

// → during a wait skips it: the rest of the step's actions run, then the
// next step.
func TestDemoSkipWait(t *testing.T) {
	var lives []*demoLive
	d := testDemo(&lives)
	d.Steps[0].Ops = []DemoOp{wait(4, "stall", 0), act(5, "add-active 3")}
	m := newDemoApp(t, d, DemoPlay{}, 100, 30)
	if s := demoOf(m); s.wait == nil || !strings.Contains(footerOf(m), "skip the wait") {
		t.Fatalf("step 1 is not waiting, or the footer does not offer to skip: %q", footerOf(m))
	}
	do(m, press("space"))
	if s := demoOf(m); s.step != 1 || lives[0].Backend() != "poll" {
		t.Errorf("after space: step %d, backend %s; want step 2 running", s.step+1, lives[0].Backend())
	}
	if n := lives[0].Clients().Connected; n != 103 {
		t.Errorf("clients = %d; want 103: the skipped step's add-active ran", n)
	}
	if r := m.DemoReport(); len(r.Problems) != 0 {
		t.Errorf("problems %q; a skipped wait is not one", r.Problems)
	}
}

// A wait that can never be met on this scenario fails at once, saying why.
func TestDemoWaitCannotBeMet(t *testing.T) {
	d := &Demo{Name: "x", Source: "x.demo", Panes: []PaneID{PaneLoop},
		Start: func(context.Context) (Live, error) { return newFakeLive(), nil }, // counts no clients
		Steps: []DemoStep{{Line: 1, Caption: "c", Panes: []PaneID{PaneLoop}, Ops: []DemoOp{wait(2, "clients 1", 0)}}}}
	m := newDemoApp(t, d, DemoPlay{}, 100, 30)
	want := []string{"x.demo:2: wait clients 1: this scenario does not count its clients"}
	if r := m.DemoReport(); !slices.Equal(r.Problems, want) {
		t.Errorf("problems %q; want %q", r.Problems, want)
	}
}

// At the end of a presented demo the player stays, says so, offers r.
func TestDemoEnd(t *testing.T) {
	var lives []*demoLive
	m := newDemoApp(t, testDemo(&lives), DemoPlay{}, 100, 30)
	for range 3 {
		do(m, press("right"))
	}
	lives[0].src.push(reactor.TraceEvent{Kind: reactor.KindStall, Label: "x"})
	tick(m, time.Now())
	if f := footerOf(m); !strings.Contains(f, "finish") {
		t.Errorf("on the last step, done: footer %q; want it to offer to finish", f)
	}
	if do(m, press("right")) {
		t.Fatal("the presented demo quit at its end; want it to stay")
	}
	if s := screenOf(m); !strings.Contains(s, "end of the demo") || !strings.Contains(footerOf(m), "r start again") {
		t.Errorf("after the end: screen/footer do not say so:\n%s\n%s", s, footerOf(m))
	}
	if !m.DemoReport().Finished {
		t.Error("report not Finished after the last step")
	}
	do(m, press("left"))
	if s := demoOf(m); s.ended || s.target != 2 {
		t.Errorf("← from the end: target %d, ended %v; want step 3 rebuilt", s.target+1, s.ended)
	}
}

// A scenario that does not start says why, in place of the panes.
func TestDemoStartError(t *testing.T) {
	d := &Demo{Name: "x", Title: "x", Panes: []PaneID{PaneLoop},
		Start: func(context.Context) (Live, error) { return nil, errors.New("epoll: not on darwin") },
		Steps: []DemoStep{{Line: 1, Caption: "c", Panes: []PaneID{PaneLoop}}}}
	m := newDemoApp(t, d, DemoPlay{}, 100, 30)
	if s := screenOf(m); !strings.Contains(s, "could not start the scenario: epoll: not on darwin") {
		t.Errorf("screen does not say the scenario failed:\n%s", s)
	}
}

// demoView plays the test demo to step 2 with a synthetic trace, so the
// panes have something to draw.
func demoView(t *testing.T, w, h int) *App {
	var lives []*demoLive
	d := testDemo(&lives)
	d.Notice = "at most 9950 of this demo's 10003 clients can connect here"
	m := newDemoApp(t, d, DemoPlay{}, w, h)
	do(m, press("right"))
	s := &synth{}
	s.register(12)
	now := t0
	for f := 0; f < 30; f++ {
		s.at = int64(time.Duration(f) * frameDur)
		s.passes(3, 12, "poll", 114)
		lives[0].src.push(s.take()...)
		now = now.Add(frameDur)
		tick(m, now)
	}
	return m
}

// The projector layout at 100×30 (the classroom's) and 80×24: the band
// with the caption, the status line, the step's two panes, one key.
func TestDemoView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{100, 30}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := demoView(t, sz.w, sz.h)
			v := m.View().Content
			checkSize(t, v, sz.w, sz.h)
			golden(t, v)
		})
	}
}

// The ? screen lists the presenter's keys and the steps, this one marked.
func TestDemoHelp(t *testing.T) {
	m := demoView(t, 100, 30)
	do(m, press("?"))
	s := screenOf(m)
	for _, want := range []string{"next step", "previous step", "restart from step 1", "auto-play on/off",
		"Demo: Four steps on a fake (test.demo)", " ▶ 2. Switch to poll"} {
		if !strings.Contains(s, want) {
			t.Errorf("? screen lacks %q:\n%s", want, s)
		}
	}
}
