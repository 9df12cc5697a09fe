package reactor

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Mode and limit cases of the conformance table: edge-triggered and
// one-shot, select's fd limit, and allocations on the hot path.

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
