package reactor

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func testIterate(t *testing.T, backend string) {
	l := newLoop(t, backend)
	for i := 1; i <= 3; i++ {
		if err := l.Iterate(0); err != nil {
			t.Fatalf("Iterate(0) = %v; want nil", err)
		}
		if p := l.Stats().Passes; p != uint64(i) {
			t.Errorf("Passes = %d; want %d", p, i)
		}
	}
	ran := false
	l.CallSoon(func() { ran = true })
	// A queued call means the wait must not block, even with timeout -1.
	if err := l.Iterate(-1); err != nil || !ran {
		t.Errorf("Iterate(-1) with a queued call = %v, ran %v; want nil, true", err, ran)
	}
}

func testStopRestart(t *testing.T, backend string) {
	l := newLoop(t, backend)
	hooks := 0
	l.AddShutdownHook(func() { hooks++ })
	errc := make(chan error, 1)
	go func() { errc <- l.Run() }()
	l.CallFromGoroutine(l.Stop)
	if err := <-errc; err != nil {
		t.Fatalf("Run = %v; want nil", err)
	}
	if hooks != 1 {
		t.Errorf("shutdown hooks run = %d; want 1", hooks)
	}
	if err := l.Run(); !errors.Is(err, ErrNotRestartable) {
		t.Errorf("second Run = %v; want ErrNotRestartable", err)
	}
	if err := l.Iterate(0); !errors.Is(err, ErrStopped) {
		t.Errorf("Iterate after Stop = %v; want ErrStopped", err)
	}
	// Stop from inside a pass during Iterate also stops the loop.
	l2 := newLoop(t, backend)
	l2.AddShutdownHook(func() { hooks++ })
	l2.CallSoon(l2.Stop)
	l2.Iterate(0)
	if err := l2.Run(); !errors.Is(err, ErrNotRestartable) || hooks != 2 {
		t.Errorf("Run after Stop in Iterate = %v, hooks %d; want ErrNotRestartable, 2", err, hooks)
	}
}

func testPanic(t *testing.T, backend string) {
	l := newLoop(t, backend)
	sub := l.Subscribe(256)
	defer sub.Close()
	a, b := socketpair(t)
	calls := 0
	l.Register(a, Readable, "bomb", func(fd int, r Ready) {
		calls++
		readAll(fd)
		if calls == 1 {
			panic("boom")
		}
	})
	write(t, b, "1")
	iterateUntil(t, l, "first call", func() bool { return calls == 1 })
	write(t, b, "2")
	iterateUntil(t, l, "loop goes on", func() bool { return calls == 2 })
	if p := l.Stats().Panics; p != 1 {
		t.Errorf("Panics = %d; want 1", p)
	}
	e, ok := hasKind(drainAll(sub), KindPanic)
	if !ok || e.Label != "bomb" || !strings.Contains(e.Text, "boom") || !strings.Contains(e.Text, "goroutine") {
		t.Errorf("panic event = %+v; want label bomb, text with the value and a stack", e)
	}
}

func testStall(t *testing.T, backend string) {
	l := newLoop(t, backend, Config{StallThreshold: time.Nanosecond, Heartbeat: -1})
	sub := l.Subscribe(256)
	defer sub.Close()
	a, _ := socketpair(t)
	seen := false
	var reg Registration
	reg = register(t, l, a, Writable, "slow", func(fd int, r Ready) {
		// Hold the loop until the clock has visibly moved (a coarse VM
		// clock could otherwise time an empty handler at 0).
		for t0 := time.Now(); time.Since(t0) < 10*time.Microsecond; {
		}
		seen = true
		reg.Deregister()
	})
	iterateUntil(t, l, "dispatch", func() bool { return seen })
	if s := l.Stats().Stalls; s == 0 {
		t.Errorf("Stalls = 0 with a 1ns threshold; want > 0")
	}
	e, ok := hasKind(drainAll(sub), KindStall)
	if !ok || e.Label != "slow" || e.Dur <= 0 {
		t.Errorf("stall event = %+v, %v; want label slow and a duration", e, ok)
	}
}

// testDispatchAllocs checks the hot path allocates nothing: a
// level-triggered fd that stays readable is dispatched every pass.
func testDispatchAllocs(t *testing.T, backend string) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	l := newLoop(t, backend)
	a, b := socketpair(t)
	write(t, b, "x")
	n := 0
	l.Register(a, Readable, "hot", func(int, Ready) { n++ })
	l.Iterate(0)
	allocs := testing.AllocsPerRun(200, func() { l.Iterate(0) })
	if allocs != 0 || n == 0 {
		t.Errorf("allocs per pass = %v (dispatches %d); want 0", allocs, n)
	}
	sub := l.Subscribe(1 << 12)
	defer sub.Close()
	buf := make([]TraceEvent, 0, 1<<12)
	allocs = testing.AllocsPerRun(200, func() {
		l.Iterate(0)
		buf = sub.Drain(buf[:0])
	})
	if allocs != 0 {
		t.Errorf("allocs per pass with a subscriber = %v; want 0", allocs)
	}
}

// A wait that fills the event batch doubles it (128 → 256 …, up to 1024).
func testBatchGrows(t *testing.T, backend string) {
	l := newLoop(t, backend)
	for range 140 {
		a, _ := socketpair(t)
		l.Register(a, Writable, "", func(int, Ready) {})
	}
	iterateUntil(t, l, "batch growth", func() bool { return len(l.evs) > epollInitialEvents })
	if len(l.evs) > epollMaxEvents {
		t.Errorf("batch = %d; want at most %d", len(l.evs), epollMaxEvents)
	}
}

// A reader must see wait-start while the loop is still blocked in the
// kernel, not only when the pass ends.
func TestWaitStartVisibleWhileWaiting(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(64)
	defer sub.Close()
	done := make(chan error)
	go func() { done <- l.Iterate(-1) }()
	var evs []TraceEvent
	for {
		evs = sub.Drain(evs)
		if _, ok := hasKind(evs, KindWaitStart); ok {
			break
		}
		runtime.Gosched()
	}
	l.CallFromGoroutine(func() {})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// While a handler blocks the loop, a reader can already see which one:
// its ready event is handed over before it runs.
func TestBlockingHandlerVisible(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(64)
	defer sub.Close()
	a, _ := socketpair(t)
	release := make(chan struct{})
	var reg Registration
	reg = register(t, l, a, Writable, "blocker", func(fd int, _ Ready) {
		<-release
		reg.Deregister()
	})
	done := make(chan error)
	go func() { done <- l.Iterate(-1) }()
	var evs []TraceEvent
	for {
		evs = sub.Drain(evs)
		if e, ok := hasKind(evs, KindReady); ok {
			if e.Label != "blocker" {
				t.Errorf("ready event label = %q; want blocker", e.Label)
			}
			break
		}
		runtime.Gosched()
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestIdleGapIsNotLag checks that time the caller spends away from the loop
// between two Iterate calls (a paused lab) is not reported as loop lag: the
// heartbeat restarts instead of firing a gap's worth late.
func TestIdleGapIsNotLag(t *testing.T) {
	const beat, gap = 10 * time.Millisecond, 200 * time.Millisecond
	l := newLoop(t, DefaultBackend(), Config{Heartbeat: beat})
	if err := l.Iterate(0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(gap) // the thing under test: nobody runs the loop for a while
	sub := l.Subscribe(256)
	defer sub.Close()
	var evs []TraceEvent
	var lag TraceEvent
	iterateUntil(t, l, "a lag event", func() bool {
		evs = sub.Drain(evs[:0])
		ev, ok := hasKind(evs, KindLag)
		lag = ev
		return ok
	})
	// Without the restart the heartbeat would be at least gap-beat late.
	if lag.Dur >= gap-beat {
		t.Errorf("lag after a %v pause = %v; want it not to include the pause", gap, lag.Dur)
	}
}

const dispatchFds = 8

// dispatchLoop registers k permanently readable fds: every pass
// dispatches k events.
func dispatchLoop(b testing.TB, backend string, k int) *Loop {
	return handlerLoop(b, backend, k, false)
}

// handlerLoop is dispatchLoop with, if rw, a realistic handler: read the
// byte and write it back through the peer (two syscalls per event), so
// the fd is readable again next pass.
func handlerLoop(b testing.TB, backend string, k int, rw bool) *Loop {
	l := newLoop(b, backend)
	buf := make([]byte, 1)
	for range k {
		a, w := socketpair(b)
		write(b, w, "x")
		h := func(int, Ready) {}
		if rw {
			h = func(fd int, _ Ready) {
				unix.Read(fd, buf)
				unix.Write(w, buf)
			}
		}
		l.Register(a, Readable, "bench", h)
	}
	return l
}

// BenchmarkDispatch is one pass dispatching 8 ready events: wait, handler
// lookup by fd, generation check, timing, handler call. 0 allocs/op.
func BenchmarkDispatch(b *testing.B) {
	for _, backend := range BackendNames() {
		b.Run(backend, func(b *testing.B) {
			l := dispatchLoop(b, backend, dispatchFds)
			b.ReportAllocs()
			for b.Loop() {
				l.Iterate(0)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(l.Stats().Events), "ns/event")
		})
	}
}

// BenchmarkDispatchTrace runs three identical loops side by side, in
// alternating chunks so machine noise hits them alike: one with no
// subscriber; one whose subscriber is drained between chunks, outside the
// timed region (the loop's own cost of tracing); and one drained by
// another goroutine every millisecond, as the TUI does on a tick (adds
// the reader's CPU and cache traffic, which on a 2-core machine competes
// with the loop). Ratios are per chunk, then the median. Run it again with
// `-tags reactor_notrace` for the cost of the idle hooks.
func BenchmarkDispatchTrace(b *testing.B) {
	b.Run("handler=empty", func(b *testing.B) { benchDispatchTrace(b, false) })
	b.Run("handler=read+write", func(b *testing.B) { benchDispatchTrace(b, true) })
}

func benchDispatchTrace(b *testing.B, rw bool) {
	plain := handlerLoop(b, DefaultBackend(), dispatchFds, rw)
	inline := handlerLoop(b, DefaultBackend(), dispatchFds, rw)
	reader := handlerLoop(b, DefaultBackend(), dispatchFds, rw)
	isub := inline.Subscribe(1 << 14)
	defer isub.Close()
	rsub := reader.Subscribe(1 << 14)
	defer rsub.Close()
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]TraceEvent, 0, 1<<14+1)
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for !stop.Load() {
			<-tk.C
			buf = rsub.Drain(buf[:0])
		}
	}()
	defer func() {
		stop.Store(true)
		<-done
	}()
	ibuf := make([]TraceEvent, 0, 1<<14+1)
	const chunk = 200
	timeChunk := func(l *Loop) float64 {
		e0 := l.Stats().Events
		t0 := time.Now()
		for range chunk {
			l.Iterate(0)
		}
		return float64(time.Since(t0)) / float64(l.Stats().Events-e0)
	}
	var rInline, rReader, nsPlain []float64
	b.ReportAllocs()
	for i := 0; i < b.N; i += 3 * chunk {
		p := timeChunk(plain)
		in := timeChunk(inline)
		ibuf = isub.Drain(ibuf[:0])
		rd := timeChunk(reader)
		nsPlain = append(nsPlain, p)
		rInline = append(rInline, in/p)
		rReader = append(rReader, rd/p)
	}
	med := func(s []float64) float64 {
		slices.Sort(s)
		return s[len(s)/2]
	}
	b.ReportMetric(med(nsPlain), "ns/event-none")
	b.ReportMetric(100*(med(rInline)-1), "%overhead-loop")
	b.ReportMetric(100*(med(rReader)-1), "%overhead-with-reader")
	b.ReportMetric(float64(reader.Stats().Dropped)/float64(reader.Stats().Events), "dropped/event")
}

// With the ghost rebuild off, the dup trap is what a plain epoll loop
// lives with: the closed fd's file is reported on every pass (traced as
// stale), and the mistake is reported once, not once a pass. Turning the
// rebuild back on cures it within a pass.
func TestSetGhostRebuild(t *testing.T) {
	if b, _ := LookupBackend("epoll"); !b.Available {
		t.Skip("epoll only (the dup trap leaks only where the kernel keeps the set)")
	}
	l := newLoop(t, "epoll")
	sub := l.Subscribe(1 << 12)
	defer sub.Close()
	if err := springDupTrap(t, l); !errors.Is(err, ErrClosedWhileRegistered) {
		t.Fatalf("Deregister after close = %v; want ErrClosedWhileRegistered", err)
	}
	drainAll(sub) // Deregister's own error
	passes := func(n int) (stale, haunted, errs int) {
		for range n {
			if err := l.Iterate(0); err != nil {
				t.Fatal(err)
			}
			k := 0
			for _, e := range drainAll(sub) {
				switch e.Kind {
				case KindStaleDropped:
					k++
				case KindError:
					errs++
				}
			}
			stale += k
			if k > 0 {
				haunted++
			}
		}
		return stale, haunted, errs
	}
	l.SetGhostRebuild(false)
	if _, haunted, errs := passes(10); haunted != 10 || errs != 1 {
		t.Errorf("rebuild off: %d of 10 passes had stale events, %d errors; want 10 and 1", haunted, errs)
	}
	l.SetGhostRebuild(true)
	if _, haunted, _ := passes(10); haunted > 1 {
		t.Errorf("rebuild on: %d of 10 passes had stale events; want at most 1", haunted)
	}
}
