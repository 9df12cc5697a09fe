package reactor

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// conformance is the table every backend must pass. Real kernels produce
// spurious events, so cases check "eventually saw X" and tolerate extras.
var conformance = []struct {
	name string
	run  func(t *testing.T, backend string)
}{
	{"readable", testReadable},
	{"writable", testWritable},
	{"eof", testEOF},
	{"hangup with unread data", testHangUpWithData},
	{"modify", testModify},
	{"deregister", testDeregister},
	{"stale event after close in same batch", testStaleInBatch},
	{"switch backend mid-run", testSwitchBackend},
	{"timers order", testTimerOrder},
	{"timers cancel and reset", testTimerCancelReset},
	{"timers lateness", testTimerLateness},
	{"call from goroutine coalescing", testCoalescing},
	{"iterate", testIterate},
	{"stop and restart refused", testStopRestart},
	{"handler panic recovered", testPanic},
	{"stall detection", testStall},
	{"modes", testModes},
	{"fd 1024", testFd1024},
	{"zero allocations per dispatch", testDispatchAllocs},
	{"remove fds mid-pass", testRemoveMidPass},
	{"event batch grows", testBatchGrows},
	{"heartbeat lag", testHeartbeat},
}

func TestConformance(t *testing.T) {
	for _, b := range Backends() {
		t.Run(b, func(t *testing.T) {
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) { c.run(t, b) })
			}
		})
	}
}

func testReadable(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	var got string
	if err := l.Register(a, Readable, "reader", func(fd int, r Ready) {
		if r&In != 0 {
			s, _ := readAll(fd)
			got += s
		}
	}); err != nil {
		t.Fatalf("Register = %v; want nil", err)
	}
	write(t, b, "ping")
	iterateUntil(t, l, "ping", func() bool { return got == "ping" })
	if s := l.Stats(); s.Events == 0 || s.Watched != 1 {
		t.Errorf("Stats = Events %d, Watched %d; want > 0, 1", s.Events, s.Watched)
	}
}

func testWritable(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, _ := socketpair(t)
	var got Ready
	l.Register(a, Writable, "writer", func(fd int, r Ready) { got |= r })
	iterateUntil(t, l, "Out", func() bool { return got&Out != 0 })
	if got&In != 0 {
		t.Errorf("writable-only registration got %v; want no In", got)
	}
}

func testEOF(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	eof := false
	l.Register(a, Readable, "eof", func(fd int, r Ready) {
		if _, e := readAll(fd); e {
			eof = true
			l.Deregister(fd)
		}
	})
	closeNow(b)
	iterateUntil(t, l, "EOF", func() bool { return eof })
}

func testHangUpWithData(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	var got string
	var flags Ready
	eof := false
	l.Register(a, Readable, "hup", func(fd int, r Ready) {
		flags |= r
		// The right order: drain the data first, close on EOF.
		s, e := readAll(fd)
		got += s
		if e {
			eof = true
			l.Deregister(fd)
		}
	})
	write(t, b, "last words")
	closeNow(b)
	iterateUntil(t, l, "data then EOF", func() bool { return eof })
	if got != "last words" {
		t.Errorf("read before EOF = %q; want %q", got, "last words")
	}
	// select has no hang-up bit; poll and epoll report it on Linux.
	if backend != "select" && runtime.GOOS == "linux" && flags&HangUp == 0 {
		t.Errorf("flags = %v; want hup among them", flags)
	}
}

func testModify(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	var got Ready
	l.Register(a, Readable, "m", func(fd int, r Ready) {
		got |= r
		readAll(fd)
	})
	if err := l.Modify(a, Writable); err != nil {
		t.Fatalf("Modify = %v; want nil", err)
	}
	iterateUntil(t, l, "Out after Modify(w)", func() bool { return got&Out != 0 })
	l.Modify(a, Readable)
	got = 0
	write(t, b, "x")
	iterateUntil(t, l, "In after Modify(r)", func() bool { return got&In != 0 })
	if got&Out != 0 {
		t.Errorf("after Modify(r) got %v; want no Out", got)
	}
	if err := l.Modify(b, Readable); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("Modify(unregistered) = %v; want ErrNotRegistered", err)
	}
}

func testDeregister(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	calls := 0
	l.Register(a, Readable, "d", func(int, Ready) { calls++ })
	write(t, b, "x")
	if err := l.Deregister(a); err != nil {
		t.Fatalf("Deregister = %v; want nil", err)
	}
	for range 3 {
		l.Iterate(0)
	}
	if calls != 0 {
		t.Errorf("handler calls after Deregister = %d; want 0", calls)
	}
	if err := l.Deregister(a); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("second Deregister = %v; want ErrNotRegistered", err)
	}
	if err := l.Register(a, Readable, "again", func(int, Ready) { calls++ }); err != nil {
		t.Fatalf("re-Register = %v; want nil", err)
	}
	iterateUntil(t, l, "event after re-register", func() bool { return calls > 0 })
}

// Two readable fds in one batch; whichever handler runs first closes the
// other fd and reuses its number for a fresh registration. The pending
// event for the old registration must be dropped, not delivered to the
// new owner.
func testStaleInBatch(t *testing.T, backend string) {
	l := newLoop(t, backend)
	sub := l.Subscribe(1024)
	defer sub.Close()
	a1, b1 := socketpair(t)
	a2, b2 := socketpair(t)
	write(t, b1, "1")
	write(t, b2, "2")
	first, wrong := -1, 0
	var extra [2]int
	handler := func(fd int, r Ready) {
		if first >= 0 {
			return
		}
		first = fd
		other := a1
		if fd == a1 {
			other = a2
		}
		l.Deregister(other)
		closeNow(other)
		// Reuse the number: dup something onto it and register it anew.
		// The kernel hands out the lowest free number, so a new socket
		// usually lands on it by itself; dup2 makes sure.
		p, q := socketpair(t)
		extra = [2]int{p, q}
		if p != other && q != other {
			if err := unix.Dup2(p, other); err != nil {
				t.Fatalf("dup2: %v", err)
			}
			delete(closedFds, other) // the pair's cleanup closes the dup
		}
		l.Register(other, Readable, "reused", func(int, Ready) { wrong++ })
	}
	l.Register(a1, Readable, "one", handler)
	l.Register(a2, Readable, "two", handler)
	// Both are readable before the wait, so one pass reports both.
	if err := l.Iterate(time.Second); err != nil {
		t.Fatal(err)
	}
	if first < 0 {
		t.Skip("kernel reported neither fd in the first pass")
	}
	if wrong != 0 {
		t.Errorf("stale event delivered to the new owner %d times; want 0", wrong)
	}
	evs := drainAll(sub)
	if e, ok := hasKind(evs, KindStaleDropped); !ok {
		t.Errorf("trace has no %v event; want one", KindStaleDropped)
	} else if int(e.Fd) == first {
		t.Errorf("stale-dropped fd = %d; want the other fd", e.Fd)
	}
	_ = extra
}

func testSwitchBackend(t *testing.T, backend string) {
	for _, to := range Backends() {
		if to == backend {
			continue
		}
		t.Run("to "+to, func(t *testing.T) {
			l := newLoop(t, backend)
			sub := l.Subscribe(256)
			defer sub.Close()
			a, b := socketpair(t)
			var got string
			l.Register(a, Readable, "carried", func(fd int, r Ready) {
				s, _ := readAll(fd)
				got += s
			})
			write(t, b, "before")
			iterateUntil(t, l, "data before switch", func() bool { return got == "before" })
			var err error
			l.CallSoon(func() { err = l.SwitchBackend(to) })
			l.Iterate(0)
			if err != nil {
				t.Fatalf("SwitchBackend(%s) = %v; want nil", to, err)
			}
			if l.Backend() != to {
				t.Fatalf("Backend() = %q; want %q", l.Backend(), to)
			}
			write(t, b, "after")
			iterateUntil(t, l, "data after switch", func() bool { return got == "beforeafter" })
			if w := l.Watched(); len(w) != 1 || w[0].Fd != a || w[0].Label != "carried" {
				t.Errorf("Watched() = %v; want the one carried registration", w)
			}
			if e, ok := hasKind(drainAll(sub), KindBackendSwitched); !ok || e.Backend != to || e.Text != backend {
				t.Errorf("switch event = %+v, %v; want Backend %s Text %s", e, ok, to, backend)
			}
			// Cross-goroutine wake-ups still work on the new poller.
			done := false
			go l.CallFromGoroutine(func() { done = true })
			iterateUntil(t, l, "wake after switch", func() bool { return done })
		})
	}
	l := newLoop(t, backend)
	if err := l.SwitchBackend("nope"); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("SwitchBackend(nope) = %v; want ErrUnknownBackend", err)
	}
}

func testTimerOrder(t *testing.T, backend string) {
	l := newLoop(t, backend)
	var got []string
	l.CallLater(3*time.Millisecond, func() { got = append(got, "c") })
	l.CallLater(time.Millisecond, func() { got = append(got, "a") })
	l.CallLater(2*time.Millisecond, func() { got = append(got, "b") })
	// Equal deadlines fire in scheduling order.
	t1 := l.CallLater(time.Hour, func() { got = append(got, "d") })
	t2 := l.CallLater(time.Hour, func() { got = append(got, "e") })
	t2.when, t2.seq = t1.when, t1.seq+1
	l.fix(t2.index)
	t1.when -= int64(time.Hour) - int64(4*time.Millisecond)
	t2.when = t1.when
	l.fix(t1.index)
	l.fix(t2.index)
	iterateUntil(t, l, "five timers", func() bool { return len(got) == 5 })
	if s := strings.Join(got, ""); s != "abcde" {
		t.Errorf("fire order = %q; want %q", s, "abcde")
	}
	if l.PendingTimers() != 0 {
		t.Errorf("PendingTimers = %d; want 0", l.PendingTimers())
	}
}

func testTimerCancelReset(t *testing.T, backend string) {
	l := newLoop(t, backend)
	fired := map[string]bool{}
	c := l.CallLater(time.Millisecond, func() { fired["cancelled"] = true })
	r := l.CallLater(time.Hour, func() { fired["reset"] = true })
	c.Cancel()
	if c.Active() {
		t.Errorf("Active() after Cancel = true; want false")
	}
	r.Reset(2 * time.Millisecond)
	done := l.CallLater(3*time.Millisecond, func() { fired["done"] = true })
	iterateUntil(t, l, "later timers", func() bool { return fired["done"] })
	if fired["cancelled"] || !fired["reset"] {
		t.Errorf("fired = %v; want reset and done, not cancelled", fired)
	}
	if done.Active() {
		t.Errorf("Active() after firing = true; want false")
	}
	// Lazy cancellation compacts the heap once most of it is cancelled.
	var ts []*Timer
	for range 200 {
		ts = append(ts, l.CallLater(time.Hour, func() {}))
	}
	for _, x := range ts[:150] {
		x.Cancel()
	}
	if n := len(l.timers); n >= 200 {
		t.Errorf("heap size after cancelling 150 of 200 = %d; want compacted below 200", n)
	}
	if n := l.PendingTimers(); n != 50 {
		t.Errorf("PendingTimers = %d; want 50", n)
	}
	for _, x := range ts[150:] {
		x.Cancel()
	}
}

func testTimerLateness(t *testing.T, backend string) {
	l := newLoop(t, backend)
	sub := l.Subscribe(256)
	defer sub.Close()
	fired := false
	tm := l.CallLater(time.Millisecond, func() { fired = true })
	iterateUntil(t, l, "timer", func() bool { return fired })
	if tm.Lateness() < 0 {
		t.Errorf("Lateness = %v; want >= 0", tm.Lateness())
	}
	if !tm.When().Before(time.Now()) {
		t.Errorf("When() = %v; want in the past", tm.When())
	}
	e, ok := hasKind(drainAll(sub), KindTimerFired)
	if !ok || e.Dur < 0 || !strings.Contains(e.Label, "testTimerLateness") {
		t.Errorf("timer-fired event = %+v, %v; want lateness >= 0 and the func name", e, ok)
	}
}

func testCoalescing(t *testing.T, backend string) {
	l := newLoop(t, backend)
	const goroutines, calls = 8, 50
	n := 0
	var wg sync.WaitGroup
	// The loop blocks in one wait while 400 calls arrive: they must cost
	// at most one wake-up write (none if the loop saw them before sleeping).
	passDone := make(chan error)
	go func() { passDone <- l.Iterate(-1) }()
	for range goroutines {
		wg.Go(func() {
			for range calls {
				l.CallFromGoroutine(func() { n++ })
			}
		})
	}
	wg.Wait()
	if err := <-passDone; err != nil {
		t.Fatalf("Iterate = %v", err)
	}
	if w := l.Stats().WakeWrites; w > 1 {
		t.Errorf("WakeWrites after %d calls during one wait = %d; want at most 1", goroutines*calls, w)
	}
	iterateUntil(t, l, "all calls", func() bool { return n == goroutines*calls })
	if w := l.Stats().WakeWrites; w > 1 {
		t.Errorf("WakeWrites after draining = %d; want at most 1", w)
	}
	// Now with the loop running: never more than one write per pass.
	l2 := newLoop(t, backend)
	errc := make(chan error, 1)
	go func() { errc <- l2.Run() }()
	m := 0
	for range goroutines {
		wg.Go(func() {
			for range calls {
				l2.CallFromGoroutine(func() { m++ })
			}
		})
	}
	wg.Wait()
	l2.CallFromGoroutine(l2.Stop)
	if err := <-errc; err != nil {
		t.Fatalf("Run = %v; want nil", err)
	}
	s := l2.Stats()
	if m != goroutines*calls {
		t.Errorf("calls run = %d; want %d", m, goroutines*calls)
	}
	if s.WakeWrites > s.Passes+1 {
		t.Errorf("WakeWrites = %d over %d passes; want at most one per pass", s.WakeWrites, s.Passes)
	}
}

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
	l.Register(a, Writable, "slow", func(fd int, r Ready) {
		seen = true
		l.Deregister(fd)
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

func testModes(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	err := l.Register(a, Readable|EdgeTriggered, "et", func(int, Ready) {})
	if backend != "epoll" {
		if !errors.Is(err, ErrModeUnsupported) {
			t.Errorf("Register(et) on %s = %v; want ErrModeUnsupported", backend, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Register(et) = %v; want nil", err)
	}
	l.Deregister(a)
	// Edge-triggered: one report per arrival, even if the data stays unread.
	calls := 0
	l.Register(a, Readable|EdgeTriggered, "et", func(int, Ready) { calls++ })
	write(t, b, "x")
	iterateUntil(t, l, "edge", func() bool { return calls == 1 })
	for range 3 {
		l.Iterate(0)
	}
	if calls != 1 {
		t.Errorf("ET calls with unread data = %d; want 1", calls)
	}
	l.Deregister(a)
	// One-shot: disarmed after one event until Modify re-arms it.
	calls = 0
	l.Register(a, Readable|OneShot, "once", func(int, Ready) { calls++ })
	iterateUntil(t, l, "one-shot", func() bool { return calls == 1 })
	for range 3 {
		l.Iterate(0)
	}
	if calls != 1 {
		t.Errorf("one-shot calls = %d; want 1", calls)
	}
	l.Modify(a, Readable|OneShot)
	iterateUntil(t, l, "re-armed", func() bool { return calls == 2 })
}

// testFd1024 puts a socket at fd >= 1024: select must refuse it with a
// clear error (never the FdSet panic), poll and epoll must take it.
func testFd1024(t *testing.T, backend string) {
	high := highFd(t)
	l := newLoop(t, backend)
	err := l.Register(high, Readable, "high", func(int, Ready) {})
	if backend == "select" {
		if !errors.Is(err, ErrFDSetSize) {
			t.Fatalf("Register(fd %d) on select = %v; want ErrFDSetSize", high, err)
		}
		for _, want := range []string{"1024", "poll", "epoll"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("Register(fd %d) on %s = %v; want nil", high, backend, err)
	}
	// Switching to select with that fd registered is refused; the loop
	// stays on its backend.
	if err := l.SwitchBackend("select"); !errors.Is(err, ErrFDSetSize) {
		t.Errorf("SwitchBackend(select) with fd %d = %v; want ErrFDSetSize", high, err)
	}
	if l.Backend() != backend {
		t.Errorf("Backend() after refused switch = %q; want %q", l.Backend(), backend)
	}
}

// highFd returns a socket duplicated to fd 1500, raising RLIMIT_NOFILE's
// soft limit to the hard limit if needed; it skips if that is impossible.
func highFd(t *testing.T) int {
	const target = 1500
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if rl.Cur <= target {
		if rl.Max <= target {
			t.Skipf("RLIMIT_NOFILE hard limit %d is too low for fd %d", rl.Max, target)
		}
		rl.Cur = rl.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			t.Skipf("setrlimit: %v", err)
		}
	}
	a, _ := socketpair(t)
	if err := unix.Dup2(a, target); err != nil {
		t.Skipf("dup2 to %d: %v", target, err)
	}
	t.Cleanup(func() { unix.Close(target) })
	return target
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
