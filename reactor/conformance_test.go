package reactor

import (
	"errors"
	"runtime"
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
	for _, b := range BackendNames() {
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
	for _, to := range BackendNames() {
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
