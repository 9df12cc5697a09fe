package reactor

import (
	"runtime"
	"testing"
	"time"
)

// Handlers remove other fds during a pass: every fd is served at most
// once per pass and each is either served or removed, never skipped.
func testRemoveMidPass(t *testing.T, backend string) {
	l := newLoop(t, backend)
	const n = 12
	fds := make([]int, n)
	served := map[int]int{}
	removed := map[int]bool{}
	for i := range fds {
		a, b := socketpair(t)
		write(t, b, "x")
		fds[i] = a
	}
	for _, fd := range fds {
		l.Register(fd, Readable, "", func(fd int, r Ready) {
			served[fd]++
			l.Deregister(fd)
			// Remove the highest-numbered fd still watched, too.
			for i := n - 1; i >= 0; i-- {
				if o := fds[i]; o != fd && !removed[o] && served[o] == 0 {
					l.Deregister(o)
					removed[o] = true
					break
				}
			}
		})
	}
	iterateUntil(t, l, "every fd served or removed", func() bool { return l.Stats().Watched == 0 })
	for _, fd := range fds {
		if served[fd] > 1 {
			t.Errorf("fd %d served %d times; want at most 1", fd, served[fd])
		}
		if served[fd] == 0 && !removed[fd] {
			t.Errorf("fd %d neither served nor removed; want one of them", fd)
		}
		if served[fd] == 1 && removed[fd] {
			t.Errorf("fd %d served after it was removed", fd)
		}
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

func testHeartbeat(t *testing.T, backend string) {
	l := newLoop(t, backend, Config{Heartbeat: time.Millisecond})
	sub := l.Subscribe(256)
	defer sub.Close()
	var evs []TraceEvent
	iterateUntil(t, l, "a lag event", func() bool {
		evs = sub.Drain(evs)
		_, ok := hasKind(evs, KindLag)
		return ok
	})
	if l.PendingTimers() != 0 {
		t.Errorf("PendingTimers = %d; want 0 (the heartbeat is internal)", l.PendingTimers())
	}
}

func TestSubscriptionOverflow(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(10) // rounds up to 64
	if sub.Cap() != 64 {
		t.Fatalf("Cap() = %d; want 64", sub.Cap())
	}
	for i := range 100 {
		l.Trace(TraceEvent{Kind: KindBytesIn, N: int64(i)})
	}
	evs := sub.Drain(nil)
	if len(evs) != 65 || evs[0].Kind != KindOverflow || evs[0].N != 36 {
		t.Fatalf("Drain = %d events, first %v N=%d; want 65, overflow N=36", len(evs), evs[0].Kind, evs[0].N)
	}
	if evs[1].N != 0 || evs[64].N != 63 {
		t.Errorf("kept events N = %d..%d; want 0..63 (oldest kept, newest dropped)", evs[1].N, evs[64].N)
	}
	if sub.Dropped() != 36 || l.Stats().Dropped != 36 {
		t.Errorf("Dropped = %d, Stats.Dropped = %d; want 36, 36", sub.Dropped(), l.Stats().Dropped)
	}
	if evs := sub.Drain(nil); len(evs) != 0 {
		t.Errorf("second Drain = %d events; want 0", len(evs))
	}
	sub.Close()
	if l.Tracing() {
		t.Errorf("Tracing() after the last Close = true; want false")
	}
}

func TestNoSubscriberNothingBuilt(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	if l.Tracing() {
		t.Fatalf("Tracing() with no subscriber = true; want false")
	}
	allocs := testing.AllocsPerRun(100, func() { l.Trace(TraceEvent{Kind: KindBytesIn}) })
	if allocs != 0 {
		t.Errorf("Trace with no subscriber allocs = %v; want 0", allocs)
	}
}

func TestCallAfterClose(t *testing.T) {
	l, err := New(Config{Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	l.CallFromGoroutine(func() {}) // must not write to a closed (maybe reused) fd
	l.Stop()
	if w := l.Stats().WakeWrites; w != 0 {
		t.Errorf("WakeWrites after Close = %d; want 0", w)
	}
	if err := l.Register(0, Readable, "", nil); err != ErrStopped {
		t.Errorf("Register after Close = %v; want ErrStopped", err)
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Readable.String(), "r"},
		{Writable.String(), "w"},
		{(Readable | Writable).String(), "rw"},
		{(Readable | Writable | EdgeTriggered).String(), "rw|et"},
		{(Readable | OneShot).String(), "r|oneshot"},
		{In.String(), "in"},
		{(In | HangUp).String(), "in|hup"},
		{Ready(0).String(), "none"},
		{In.Glyphs(), "I..."},
		{(In | Out).Glyphs(), "IO.."},
		{(In | HangUp).Glyphs(), "I.H."},
		{(In | Out | HangUp | Err).Glyphs(), "IOHE"},
		{KindWaitStart.String(), "wait-start"},
		{Kind(200).String(), "kind(200)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
	tok := MakeToken(1234, 7)
	if tok.Fd() != 1234 || tok.Gen() != 7 {
		t.Errorf("MakeToken(1234, 7) = fd %d gen %d; want 1234, 7", tok.Fd(), tok.Gen())
	}
}

func TestMsTimeout(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int
	}{
		{-1, -1}, {0, 0}, {300 * time.Microsecond, 1}, {time.Millisecond, 1},
		{1500 * time.Microsecond, 2}, {time.Second, 1000},
	}
	for _, tc := range tests {
		if got := msTimeout(tc.in); got != tc.want {
			t.Errorf("msTimeout(%v) = %d; want %d", tc.in, got, tc.want)
		}
	}
}

// An fd closed without Deregister: the loop must not die. poll reports
// POLLNVAL, select preens the set, epoll forgets the fd by itself.
func TestClosedWithoutDeregister(t *testing.T) {
	for _, backend := range BackendNames() {
		t.Run(backend, func(t *testing.T) {
			l := newLoop(t, backend)
			a, _ := socketpair(t)
			got := Ready(0)
			l.Register(a, Readable, "forgotten", func(fd int, r Ready) {
				got |= r
				l.Deregister(fd)
			})
			closeNow(a)
			for range 3 {
				if err := l.Iterate(0); err != nil {
					t.Fatalf("Iterate = %v; want nil", err)
				}
			}
			if backend != "epoll" && got&Err == 0 {
				t.Errorf("ready = %v; want err reported for the closed fd", got)
			}
		})
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
	l.Register(a, Writable, "blocker", func(fd int, _ Ready) {
		<-release
		l.Deregister(fd)
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
