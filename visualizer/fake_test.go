package visualizer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// fakeSource is a TraceSource fed by the test.
type fakeSource struct {
	mu     sync.Mutex
	evs    []reactor.TraceEvent
	closed bool
}

func (s *fakeSource) push(evs ...reactor.TraceEvent) {
	s.mu.Lock()
	s.evs = append(s.evs, evs...)
	s.mu.Unlock()
}

func (s *fakeSource) Drain(dst []reactor.TraceEvent) []reactor.TraceEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	dst = append(dst, s.evs...)
	s.evs = s.evs[:0]
	return dst
}

func (s *fakeSource) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// fakeLive records control calls and serves scripted trace events.
type fakeLive struct {
	mu      sync.Mutex
	src     fakeSource
	stats   reactor.Stats
	backend string
	paused  bool
	delay   time.Duration
	calls   []string
	errs    chan error
	watched []reactor.WatchInfo
	closed  bool
	chain   *ChainRecorder
	lat     *LatencyRecorder
	pool    *PoolRecorder
	partial bool // the partial-read switch
}

func newFakeLive() *fakeLive {
	return &fakeLive{backend: "epoll", errs: make(chan error, 8), chain: NewChainRecorder(256),
		lat: NewLatencyRecorder(1 << 14), pool: NewPoolRecorder(1 << 12)}
}

func (f *fakeLive) call(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeLive) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeLive) Subscribe(int) TraceSource { return &f.src }
func (f *fakeLive) Stats() reactor.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}
func (f *fakeLive) Backend() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.backend
}
func (f *fakeLive) Pause()  { f.mu.Lock(); f.paused = true; f.mu.Unlock(); f.call("pause") }
func (f *fakeLive) Resume() { f.mu.Lock(); f.paused = false; f.mu.Unlock(); f.call("resume") }
func (f *fakeLive) Paused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused
}
func (f *fakeLive) Step() { f.call("step") }
func (f *fakeLive) SetDelay(d time.Duration) {
	f.mu.Lock()
	f.delay = d
	f.mu.Unlock()
	f.call("delay " + d.String())
}
func (f *fakeLive) Delay() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delay
}
func (f *fakeLive) SwitchBackend(name string) {
	f.call("switch " + name)
	if name == "select" {
		f.errs <- errors.New("reactor: fd 1024 >= FD_SETSIZE (1024): select cannot watch it; switch to poll or epoll")
		return
	}
	f.mu.Lock()
	f.backend = name
	f.mu.Unlock()
}
func (f *fakeLive) AddClients(n int, active bool) {
	if active {
		f.call("add active " + itoa(n))
	} else {
		f.call("add idle " + itoa(n))
	}
}
func (f *fakeLive) DropClients()                 { f.call("drop") }
func (f *fakeLive) Watched() []reactor.WatchInfo { return f.watched }
func (f *fakeLive) Info() string                 { return "echo server on 127.0.0.1:40000 — try: nc 127.0.0.1 40000" }
func (f *fakeLive) Errors() <-chan error         { return f.errs }
func (f *fakeLive) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}
func (f *fakeLive) DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent {
	return f.chain.Drain(dst)
}

func (f *fakeLive) DrainLatency(dst []LatencyEvent) []LatencyEvent { return f.lat.Drain(dst) }
func (f *fakeLive) DrainPool(dst []deferred.PoolEvent) []deferred.PoolEvent {
	return f.pool.Drain(dst)
}

// Inject implements Injectable for the injectors of testInjectors.
func (f *fakeLive) Inject(id string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch id {
	case "stall":
		f.calls = append(f.calls, "inject stall")
	case "partial-read":
		f.partial = on
		f.calls = append(f.calls, fmt.Sprintf("inject partial-read %v", on))
	default:
		return fmt.Errorf("no injector %q", id)
	}
	return nil
}

func (f *fakeLive) InjectorOn(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return id == "partial-read" && f.partial
}

// testInjectors are a one-shot and a switch, as lessons declare them.
var testInjectors = []Injector{
	{ID: "stall", Key: "k", Help: "inject stall", Doc: "a handler sleeps 300 ms: every client waits"},
	{ID: "partial-read", Key: "P", Help: "partial reads", Doc: "handlers read 1 byte per event", Switch: true},
}

// fakeLesson is a Lesson over a fakeLive.
type fakeLesson struct {
	slug, title string
	pages       []string
	panes       []PaneID
	controls    []ControlID
	injectors   []Injector
	live        *fakeLive
}

func (l *fakeLesson) Slug() string          { return l.slug }
func (l *fakeLesson) Title() string         { return l.title }
func (l *fakeLesson) Summary() string       { return "summary of " + l.title }
func (l *fakeLesson) Pages() []string       { return l.pages }
func (l *fakeLesson) Panes() []PaneID       { return l.panes }
func (l *fakeLesson) Controls() []ControlID { return l.controls }
func (l *fakeLesson) Injectors() []Injector { return l.injectors }
func (l *fakeLesson) Start(context.Context) (Live, error) {
	if l.live == nil {
		l.live = newFakeLive()
	}
	return l.live, nil
}

// t0 is the synthetic wall clock's origin.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const frameDur = 33 * time.Millisecond

// synth builds a deterministic stream of trace events.
type synth struct {
	at     int64
	pass   int64
	events []reactor.TraceEvent
}

func (s *synth) emit(ev reactor.TraceEvent) {
	s.at += 1000
	ev.At = s.at
	s.events = append(s.events, ev)
}

// register adds the listener, the waker and n clients starting at fd 7.
func (s *synth) register(n int) {
	s.emit(reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 3, Interest: reactor.Readable, Label: "listener"})
	s.emit(reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 4, Interest: reactor.Readable, Label: "waker"})
	for i := 0; i < n; i++ {
		s.emit(reactor.TraceEvent{Kind: reactor.KindRegister, Fd: int32(7 + i), Interest: reactor.Readable | reactor.Writable,
			Label: "client " + itoa(7+i)})
	}
}

// passes emits k loop passes over fds [3, 7, 7+n) with varied readiness;
// each pass's wait reports work.
func (s *synth) passes(k, n int, backend string, watched int64) {
	for i := 0; i < k; i++ {
		s.pass++
		s.emit(reactor.TraceEvent{Kind: reactor.KindPassStart, N: s.pass})
		s.emit(reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: backend, N: watched, Dur: 100 * time.Millisecond})
		fd := int32(7 + int(s.pass)%max(1, n))
		r := []reactor.Ready{reactor.In, reactor.Out, reactor.In | reactor.Out, reactor.In | reactor.HangUp, reactor.Err}[int(s.pass)%5]
		wait := 2*time.Millisecond + time.Duration(watched)*5*time.Microsecond
		s.at += int64(wait) // the loop sat in the kernel this long
		s.emit(reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 1, Dur: wait})
		s.emit(reactor.TraceEvent{Kind: reactor.KindReady, Fd: fd, Ready: r, Label: "client " + itoa(int(fd))})
		s.emit(reactor.TraceEvent{Kind: reactor.KindDispatch, Fd: fd, Label: "client " + itoa(int(fd)), Dur: 20 * time.Microsecond})
		s.emit(reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: fd, N: 12})
		s.emit(reactor.TraceEvent{Kind: reactor.KindBytesOut, Fd: fd, N: 12})
		if s.pass%7 == 0 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindReady, Fd: 3, Ready: reactor.In, Label: "listener"})
		}
		s.emit(reactor.TraceEvent{Kind: reactor.KindPassEnd, Dur: 2 * time.Millisecond, Dur2: 800 * time.Microsecond, Dur3: 100 * time.Microsecond})
	}
}

// probe emits a cost probe as the lesson driver runs it: two passes whose
// waits have timeout 0, a cold warm-up then the measured call, whose cost
// grows with fds watched on select and poll.
func (s *synth) probe(backend string, watched int64) {
	cost := 1500 * time.Nanosecond
	if backend != "epoll" {
		cost += time.Duration(watched) * 25 * time.Nanosecond
	}
	for _, d := range []time.Duration{cost + 6*time.Microsecond, cost} {
		s.pass++
		s.emit(reactor.TraceEvent{Kind: reactor.KindPassStart, N: s.pass})
		s.emit(reactor.TraceEvent{Kind: reactor.KindWaitStart, Backend: backend, N: watched, Dur: 0})
		s.emit(reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 0, Dur: d})
		s.emit(reactor.TraceEvent{Kind: reactor.KindPassEnd, Dur: d + time.Microsecond})
	}
}

func (s *synth) take() []reactor.TraceEvent {
	out := s.events
	s.events = nil
	return out
}

// chainEvents is a small Deferred story: #1 "fetch user" with three
// steps, pauses waiting on #2 "db query", which fails unhandled.
func chainEvents() []deferred.TraceEvent {
	return []deferred.TraceEvent{
		{Kind: deferred.EventCreated, ID: 1, Site: "lessons/demo.go:12"},
		{Kind: deferred.EventLabelled, ID: 1, Label: "fetch user"},
		{Kind: deferred.EventStepAdded, ID: 1, Label: "fetch user", Step: 0, StepKind: deferred.StepCallback},
		{Kind: deferred.EventStepAdded, ID: 1, Label: "fetch user", Step: 1, StepKind: deferred.StepErrback},
		{Kind: deferred.EventStepAdded, ID: 1, Label: "fetch user", Step: 2, StepKind: deferred.StepBoth},
		{Kind: deferred.EventFired, ID: 1, Label: "fetch user", TrackIn: deferred.TrackCallback, InSummary: `"alice"`},
		{Kind: deferred.EventStepRun, ID: 1, Label: "fetch user", Step: 0, StepKind: deferred.StepCallback,
			TrackIn: deferred.TrackCallback, TrackOut: deferred.TrackCallback, InSummary: `"alice"`, OutSummary: `"ALICE"`},
		{Kind: deferred.EventStepRun, ID: 1, Label: "fetch user", Step: 1, StepKind: deferred.StepErrback, Passthru: true,
			TrackIn: deferred.TrackCallback, TrackOut: deferred.TrackCallback, InSummary: `"ALICE"`, OutSummary: `"ALICE"`},
		{Kind: deferred.EventCreated, ID: 2, Site: "lessons/demo.go:30"},
		{Kind: deferred.EventLabelled, ID: 2, Label: "db query"},
		{Kind: deferred.EventPaused, ID: 1, Label: "fetch user", WaitingOn: 2},
		{Kind: deferred.EventStepAdded, ID: 2, Label: "db query", Step: 0, StepKind: deferred.StepChain, WaitingOn: 1},
	}
}

// manual drives frames by hand: no real tick.
func manual(c *config) { c.noTick = true }

// send is Update for tests that want only the Cmd.
func send(m *App, msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

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
		queue = append(queue, send(m, msg))
	}
	return false
}

// collect runs cmd and everything it batches and returns the messages,
// without handing them to any model.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			out = append(out, collect(v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// do sends msg and runs what it starts.
func do(m *App, msg tea.Msg) bool { return runCmds(m, send(m, msg)) }

// flatten runs cmd and returns the Cmds it batches (cmd itself if it does
// not batch), without running those.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	var out []tea.Cmd
	msg := cmd()
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		for i := 0; i < v.Len(); i++ {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
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
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// screenOf is the App's view with ANSI stripped.
func screenOf(m *App) string { return ansi.Strip(m.View().Content) }

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

// checkSize fails unless view is h lines of at most w cells.
func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(ansi.Strip(view), "\n")
	if len(lines) != h {
		t.Errorf("View() has %d lines; want %d", len(lines), h)
	}
	for i, line := range lines {
		if lw := ansi.StringWidth(line); lw > w {
			t.Errorf("line %d is %d cells wide; want <= %d: %q", i, lw, w, line)
		}
	}
}

func twoLessons() []Lesson {
	return []Lesson{
		&fakeLesson{slug: "one", title: "One process, many connections",
			pages:    []string{"# Page one\n\nEvery connection is an **fd**.\n\nTry: press `c`.", "# Page two\n\nSecond page."},
			panes:    []PaneID{PaneReadiness, PaneCounters},
			controls: []ControlID{CtlAddActive, CtlPause}},
		&fakeLesson{slug: "two", title: "select(): fd sets and the 1024 wall",
			pages: []string{"# Select\n\nProse only."}},
	}
}

// registerTestBackend adds a backend that exists only in tests, the way a
// new backend file in reactor/ registers itself: it must then appear in
// the backend cycle, the cost plot, the counters and the help legend with
// no edit to this package. It returns the undo.
func registerTestBackend() (unregister func()) {
	return reactor.RegisterBackend(reactor.Backend{
		Name: "testpoll", Wait: "testpoll_wait", Ctl: "testpoll_ctl", Glyph: 't', Rank: 1 << 20, Available: true,
		New: func() (reactor.Poller, error) { return nil, errors.New("testpoll exists only in tests") },
	})
}
