package reactor

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// Loop-level cases of the conformance table: timers, calls, stopping,
// panics and stalls.

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
	if tm.When().After(time.Now()) {
		t.Errorf("When() = %v; want not in the future", tm.When())
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
		// Hold the loop until the clock has visibly moved (a coarse VM
		// clock could otherwise time an empty handler at 0).
		for t0 := time.Now(); time.Since(t0) < 10*time.Microsecond; {
		}
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
