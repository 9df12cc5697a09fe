package visualizer

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"golang.org/x/sys/unix"
)

// stepLive is a real loop driven pass by pass by the test, seen as the
// live screen sees a paused lesson stepped with n.
type stepLive struct {
	loop   *reactor.Loop
	src    *prefetch
	chains *ChainRecorder
}

// prefetch is a subscription the test drains before the view does, to
// date the frame by its last event, as the replay dates it.
type prefetch struct {
	sub     *reactor.Subscription
	pending []reactor.TraceEvent
}

// fetch drains the ring; it returns the latest At among the new events.
func (p *prefetch) fetch() (int64, bool) {
	n := len(p.pending)
	p.pending = p.sub.Drain(p.pending)
	var at int64
	for _, ev := range p.pending[n:] {
		at = max(at, ev.At)
	}
	return at, len(p.pending) > n
}

func (p *prefetch) Drain(dst []reactor.TraceEvent) []reactor.TraceEvent {
	dst = append(dst, p.pending...)
	p.pending = p.pending[:0]
	return dst
}

func (p *prefetch) Close() { p.sub.Close() }

func (l *stepLive) Subscribe(n int) TraceSource {
	l.src = &prefetch{sub: l.loop.Subscribe(n)}
	return l.src
}
func (l *stepLive) Stats() reactor.Stats         { return l.loop.Stats() }
func (l *stepLive) Backend() string              { return l.loop.Backend() }
func (l *stepLive) Paused() bool                 { return true }
func (l *stepLive) Delay() time.Duration         { return 0 }
func (l *stepLive) Pause()                       {}
func (l *stepLive) Resume()                      {}
func (l *stepLive) Step()                        {}
func (l *stepLive) SetDelay(time.Duration)       {}
func (l *stepLive) SwitchBackend(string)         {}
func (l *stepLive) AddClients(int, bool)         {}
func (l *stepLive) DropClients()                 {}
func (l *stepLive) Watched() []reactor.WatchInfo { return l.loop.Watched() }
func (l *stepLive) Info() string                 { return "echo server · try: nc (replay test)" }
func (l *stepLive) Errors() <-chan error         { return nil }
func (l *stepLive) Close() error                 { return nil }
func (l *stepLive) DrainDeferred(dst []deferred.TraceEvent) []deferred.TraceEvent {
	return l.chains.Drain(dst)
}

// TestReplayMatchesLive is the replay's promise: drive a real loop (an
// echo server, clients, Deferred chains across passes, a handler that
// stalls the loop) pass by pass under every pane, as a paused lesson
// stepped with n shows it, while recording it; then replay the recording
// and go to every pass in a shuffled order — steps back, jumps, steps
// forward, through checkpoints — and the panes must be exactly what the
// live screen showed at that pass.
func TestReplayMatchesLive(t *testing.T) {
	defer func(n int) { checkpointEvery = n }(checkpointEvery)
	checkpointEvery = 40 // many checkpoints in a short recording

	const w, h = 120, 40
	loop, err := reactor.New(reactor.Config{Backend: reactor.DefaultBackend()})
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Close()
	panes := AllPanes()
	live := &stepLive{loop: loop, chains: NewChainRecorder(4096)}
	v := newLiveView(newConfig(nil), live, panes, nil, nil)
	v.SetSize(w, h)
	path := filepath.Join(t.TempDir(), "live.rlt")
	names := make([]string, len(panes))
	for i, id := range panes {
		names[i] = id.String()
	}
	rec, err := record.Create(path, loop, record.Options{Interval: time.Hour,
		Header: record.Header{Scenario: "test", Panes: names, Info: live.Info()}})
	if err != nil {
		t.Fatal(err)
	}
	rec.SetSampler(func() (bool, time.Duration) { return true, 0 })
	defer deferred.Observe(live.chains.Observe)()
	defer deferred.Observe(rec.ObserveDeferred)()

	srv, err := tcp.NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	clock := deferred.LoopClock(loop)

	var views []string // views[i]: after i passes
	views = append(views, "")
	const passes = 120
	for i := 1; i <= passes; i++ {
		switch {
		case i%15 == 1 && len(conns) < 5:
			c, err := net.Dial("tcp", srv.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		case i%4 == 0:
			fmt.Fprintf(conns[i%len(conns)], "line %d\n", i)
		case i%9 == 0:
			n := i
			d := deferred.DeferLater(clock, time.Millisecond, func() (any, error) { return n, nil }).SetLabel(fmt.Sprint("lookup ", n))
			d.AddCallback(func(v any) (any, error) { return v.(int) * 2, nil })
			if n%2 == 0 {
				d.AddCallback(func(any) (any, error) { return nil, fmt.Errorf("no user %d", n) })
				d.AddErrback(func(*deferred.Failure) (any, error) { return "recovered", nil })
			}
		case i == 50:
			stallOnce(t, loop, 60*time.Millisecond)
		}
		if err := loop.Iterate(0); err != nil {
			t.Fatal(err)
		}
		rec.Sync()
		at, _ := live.src.fetch()
		if cmd := v.sample(loop.Epoch().Add(time.Duration(at))); cmd != nil {
			v.Update(cmd())
		}
		views = append(views, v.View())
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(views, "\n"), "stall blocking") {
		t.Fatal("the live screen never showed the stall: the test does not test it")
	}

	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m := NewReplay(r, WithStateDir(""))
	s := m.active.(*replayScreen)
	s.setSize(w, h+headerRows+timelineRows)
	if len(s.idx.checkpoints) < 5 || !s.idx.exact {
		t.Fatalf("%d checkpoints (exact %v): the test should go through several", len(s.idx.checkpoints), s.idx.exact)
	}
	if got := len(s.idx.frames); got < passes {
		t.Fatalf("%d frames; want one per pass (%d)", got, passes)
	}
	order := rand.New(rand.NewPCG(1, 2)).Perm(passes)
	order = append(order, 30, 29, 28, 29, 30, 31, 50, 49, 50) // steps back and forth around a checkpoint and the stall
	for _, i := range order {
		pass := i + 1
		if i >= passes {
			pass = i
		}
		s.feed.seek(pass)
		// The same screen, but for the info after the state on the first
		// line: a replay says it is a recording (its server is gone).
		got, want := s.lv.View(), views[pass]
		if stateOf(got) != stateOf(want) || restOf(got) != restOf(want) {
			t.Fatalf("pass %d: the replay shows\n%s\nthe live screen showed\n%s", pass, ansi.Strip(got), ansi.Strip(want))
		}
	}
}

// stateOf is the state in brackets that opens a live view's first line.
func stateOf(view string) string {
	first, _, _ := strings.Cut(view, "\n")
	state, _, _ := strings.Cut(first, "]")
	return state
}

// restOf is a view but its first line.
func restOf(view string) string {
	_, rest, _ := strings.Cut(view, "\n")
	return rest
}

// stallOnce registers a pipe whose handler blocks the loop for d, once.
func stallOnce(t *testing.T, loop *reactor.Loop, d time.Duration) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(p[0], true)
	var reg reactor.Registration
	reg, err := loop.Register(p[0], reactor.Readable, "stall blocking handler", func(int, reactor.Ready) {
		time.Sleep(d) // the fault under test: a handler that blocks the loop
		reg.Close()
		unix.Close(p[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	unix.Write(p[1], []byte{1})
}

// synthRecording writes a deterministic recording: registrations, passes,
// a stall, a refusal, an error, an action and a gap.
func synthRecording(t testing.TB, passes int) *record.Recording {
	t.Helper()
	var b bytes.Buffer
	h := record.Header{Program: "reactorlab (test)", Scenario: "lesson one-process-many-connections",
		Title: "One process, many connections", Backend: "epoll", Start: t0, OS: "linux", Arch: "amd64",
		Panes: []string{"readiness", "interest", "loop", "stalls"}, Info: "echo server · try: nc 127.0.0.1 40000"}
	w, err := record.NewWriter(&b, h)
	if err != nil {
		t.Fatal(err)
	}
	put := func(rc record.Record) {
		if err := w.Write(&rc); err != nil {
			t.Fatal(err)
		}
	}
	s := &synth{}
	s.register(3)
	var st reactor.Stats
	for i := 1; i <= passes; i++ {
		s.passes(1, 3, "epoll", 5)
		evs := s.take()
		extra := func(ev reactor.TraceEvent) {
			ev.At = evs[len(evs)-1].At - 10
			evs = append(evs[:len(evs)-1], ev, evs[len(evs)-1])
		}
		switch {
		case i == passes/4:
			extra(reactor.TraceEvent{Kind: reactor.KindAction, Label: "stall"})
		case i == passes/2:
			extra(reactor.TraceEvent{Kind: reactor.KindStall, Label: "blocking handler (sleeps 300ms)", Dur: 300 * time.Millisecond})
		case i == passes*3/4:
			extra(reactor.TraceEvent{Kind: reactor.KindRefused, Text: "EMFILE: out of fds"})
		case i == passes*7/8:
			extra(reactor.TraceEvent{Kind: reactor.KindError, Label: "listener", Text: "accept: EBADF"})
		}
		for _, ev := range evs {
			put(record.Record{Type: record.RecEvent, Event: ev})
		}
		if i == passes-2 {
			put(record.Record{Type: record.RecGap, Lost: 42, Event: reactor.TraceEvent{Kind: reactor.KindOverflow, N: 42, Fd: -1, At: s.at}})
		}
		st.Passes, st.WaitCalls, st.Events, st.Backend, st.Watched = uint64(i), uint64(i), uint64(i), "epoll", 5
		put(record.Record{Type: record.RecSample, Sample: record.Sample{Stats: st}, Event: reactor.TraceEvent{At: s.at}})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := record.Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func replayApp(t testing.TB, r *record.Recording, w, h int) (*App, *replayScreen) {
	m := NewReplay(r, WithStateDir(""), manual)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m, m.active.(*replayScreen)
}

func TestReplayView(t *testing.T) {
	r := synthRecording(t, 80)
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m, _ := replayApp(t, r, sz[0], sz[1])
			do(m, press("s")) // to the stall
			view := screenOf(m)
			checkSize(t, view, sz[0], sz[1])
			golden(t, view)
		})
	}
}

// TestReplayKeys drives the timeline by its keys.
func TestReplayKeys(t *testing.T) {
	r := synthRecording(t, 80)
	m, s := replayApp(t, r, 120, 40)
	pos := func() int { return s.feed.pos }
	if pos() != 1 {
		t.Fatalf("opens at pass %d; want 1", pos())
	}
	steps := []struct {
		key  string
		want int
		show string
	}{
		{"right", 2, "pass 2 of 80"},
		{"left", 1, "pass 1 of 80"},
		{"left", 0, "pass 0 of 80"},
		{"left", 0, "pass 0 of 80"}, // nothing before the start
		{"s", 40, "at this pass: stall 300ms blamed on blocking handler (sleeps 300ms)"},
		{"left", 39, "next ▸ pass 40 (+1): stall 300ms blamed on blocking handler (sleeps 300ms)"},
		{"s", 40, "stalls seen 1"},
		{"S", 40, "stall"}, // no stall before this one
		{"r", 60, "at this pass: refused: EMFILE: out of fds"},
		{"e", 70, "at this pass: error: listener: accept: EBADF"},
		{"R", 60, "refused"},
		{"[", 40, "at this pass: stall"},
		{"]", 60, "refused"},
		{"]", 70, "error"},
		{"]", 79, "at this pass: 42 events lost"},
		{"E", 70, "error"},
		{"home", 0, "pass 0 of 80"},
		{"end", 80, "pass 80 of 80"},
		{"5", 40, "pass 40 of 80"},
		{"pgdown", 44, "pass 44 of 80"},
		{"pgup", 40, "pass 40 of 80"},
		{"0", 0, "next ▸ pass 20 (+20): action: stall"},
	}
	for _, st := range steps {
		do(m, press(st.key))
		if pos() != st.want {
			t.Fatalf("after %s at pass %d; want %d", st.key, pos(), st.want)
		}
		if v := screenOf(m); !strings.Contains(v, st.show) {
			t.Fatalf("after %s the screen does not show %q:\n%s", st.key, st.show, v)
		}
	}
	// Speed: - and + move along the ladder and stop at its ends.
	for range 20 {
		do(m, press("+"))
	}
	if v := screenOf(m); !strings.Contains(v, "×100") {
		t.Errorf("after many + the timeline does not show ×100")
	}
	for range 20 {
		do(m, press("-"))
	}
	if v := screenOf(m); !strings.Contains(v, "×0.1 ") {
		t.Errorf("after many - the timeline does not show ×0.1")
	}
}

// TestReplayPlays plays on frame ticks: the synthetic passes are ~2.4 ms
// apart, so at ×1 one second of ticks shows them all and stops at the end.
func TestReplayPlays(t *testing.T) {
	r := synthRecording(t, 80)
	m, s := replayApp(t, r, 120, 40)
	do(m, press("space"))
	if !s.playing {
		t.Fatal("space did not start playing")
	}
	now := t0
	m.Update(tickMsg(now))
	start := s.feed.pos
	now = now.Add(10 * time.Millisecond)
	m.Update(tickMsg(now))
	mid := s.feed.pos
	if mid <= start || mid >= 80 {
		t.Errorf("after 10 ms at ×1: pass %d (from %d); want a few passes on", mid, start)
	}
	if v := screenOf(m); !strings.Contains(v, "▶ playing ×1") {
		t.Errorf("timeline does not say it plays:\n%s", v)
	}
	now = now.Add(time.Second)
	m.Update(tickMsg(now))
	if s.feed.pos != 80 || s.playing {
		t.Errorf("after a second: pass %d, playing %v; want the end, stopped", s.feed.pos, s.playing)
	}
	do(m, press("space")) // at the end: from the start again
	if !s.playing || s.feed.pos != 0 {
		t.Errorf("space at the end: pass %d, playing %v; want to play from the start", s.feed.pos, s.playing)
	}
}

// TestReplayDamaged shows a file with a corrupted block and a truncated
// end: the skip is an error line and a mark, the bar says the file is
// incomplete, and nothing panics.
func TestReplayDamaged(t *testing.T) {
	var b bytes.Buffer
	w, _ := record.NewWriter(&b, record.Header{Backend: "epoll", Start: t0})
	s := &synth{}
	s.register(2)
	s.passes(3000, 2, "epoll", 4)
	for _, ev := range s.take() {
		w.Write(&record.Record{Type: record.RecEvent, Event: ev})
	}
	w.Close()
	data := b.Bytes()
	data[len(data)/2] ^= 0xff
	data = data[:len(data)-20]
	r, err := record.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 2 {
		t.Fatalf("problems %v; want a corrupted block and a truncated end", r.Problems)
	}
	m, sc := replayApp(t, r, 120, 40)
	do(m, press("]"))
	v := screenOf(m)
	for _, want := range []string{"✗ ERROR: replay: unreadable block at byte", "at this pass: unreadable block", "file incomplete"} {
		if !strings.Contains(v, want) {
			t.Errorf("screen does not show %q:\n%s", want, v)
		}
	}
	do(m, press("home"))
	if v := screenOf(m); !strings.Contains(v, "X") {
		t.Errorf("the bar does not mark the skip with X:\n%s", v)
	}
	do(m, press("end"))
	do(m, press("left"))
	if sc.feed.pos != len(sc.idx.frames)-1 {
		t.Errorf("step back from the end: pass %d; want %d", sc.feed.pos, len(sc.idx.frames)-1)
	}
}

// BenchmarkReplayScrub opens a recording of 1,000,000 events and jumps to
// random places in it: ms/scrub is one jump (restore the checkpoint before
// it, feed the passes up to it, draw), what a key press on the timeline
// costs (mean, median, 99th percentile and slowest, in wall time and in
// the process's CPU time, which a loaded machine does not stretch); open-ms is reading the recording
// once at open (frames, marks, checkpoints).
func BenchmarkReplayScrub(b *testing.B) {
	var buf bytes.Buffer
	w, _ := record.NewWriter(&buf, record.Header{Backend: "epoll", Start: t0,
		Panes: []string{"readiness", "interest", "loop", "stalls"}})
	s := &synth{}
	s.register(20)
	n := 0
	for n < 1_000_000 {
		s.passes(100, 20, "epoll", 22)
		for _, ev := range s.take() {
			w.Write(&record.Record{Type: record.RecEvent, Event: ev})
			n++
		}
	}
	w.Close()
	r, err := record.Parse(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	_, sc := replayApp(b, r, 120, 40)
	open := time.Since(t0)
	rng := rand.New(rand.NewPCG(3, 4))
	frames := len(sc.idx.frames)
	var each, cpu []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t, c := time.Now(), processCPU()
		sc.feed.seek(rng.IntN(frames + 1))
		_ = sc.view()
		each = append(each, time.Since(t))
		cpu = append(cpu, processCPU()-c)
	}
	slices.Sort(each)
	slices.Sort(cpu)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(cpu[len(cpu)/2]), "cpu-p50-ms")
	b.ReportMetric(ms(cpu[len(cpu)*99/100]), "cpu-p99-ms")
	b.ReportMetric(ms(cpu[len(cpu)-1]), "cpu-max-ms")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/scrub")
	b.ReportMetric(ms(each[len(each)/2]), "p50-ms")
	b.ReportMetric(ms(each[len(each)*99/100]), "p99-ms")
	b.ReportMetric(ms(each[len(each)-1]), "max-ms")
	b.ReportMetric(float64(open.Milliseconds()), "open-ms")
	b.ReportMetric(float64(n), "events")
	b.ReportMetric(float64(len(buf.Bytes()))/float64(n), "bytes/event")
}

// TestReplayEmpty opens a recording with no events (a scenario closed at
// once): every key is harmless and the screen says there is nothing.
func TestReplayEmpty(t *testing.T) {
	var b bytes.Buffer
	w, _ := record.NewWriter(&b, record.Header{Backend: "poll", Start: t0})
	w.Close()
	r, err := record.Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	m, s := replayApp(t, r, 80, 24)
	for _, k := range []string{"right", "left", "s", "S", "]", "[", "pgdown", "end", "home", "5", "space", "+"} {
		do(m, press(k))
	}
	m.Update(tickMsg(t0))
	m.Update(tickMsg(t0.Add(time.Second)))
	v := screenOf(m)
	checkSize(t, v, 80, 24)
	if s.feed.pos != 0 || !strings.Contains(v, "pass 0 of 0") || !strings.Contains(v, "no stalls, refusals, errors or actions") {
		t.Errorf("empty recording at pass %d:\n%s", s.feed.pos, v)
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
