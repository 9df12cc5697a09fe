package visualizer

import (
	"context"
	"errors"
	"sync"
	"time"

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
}

func newFakeLive() *fakeLive {
	return &fakeLive{backend: "epoll", errs: make(chan error, 8), chain: NewChainRecorder(256)}
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
func (f *fakeLive) InjectStall(d time.Duration)  { f.call("stall " + d.String()) }
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

// fakeLesson is a Lesson over a fakeLive.
type fakeLesson struct {
	slug, title string
	pages       []string
	panes       []PaneID
	controls    Controls
	live        *fakeLive
}

func (l *fakeLesson) Slug() string       { return l.slug }
func (l *fakeLesson) Title() string      { return l.title }
func (l *fakeLesson) Summary() string    { return "summary of " + l.title }
func (l *fakeLesson) Pages() []string    { return l.pages }
func (l *fakeLesson) Panes() []PaneID    { return l.panes }
func (l *fakeLesson) Controls() Controls { return l.controls }
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
	}
}
