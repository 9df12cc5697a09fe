package reactor

import (
	"math"
	"strings"
	"testing"
	"time"
)

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

// BenchmarkTimers: schedule + cancel against a heap of 100,000 pending
// timers, and schedule + fire.
func BenchmarkTimers(b *testing.B) {
	b.Run("schedule+cancel/pending=100000", func(b *testing.B) {
		l := newLoop(b, DefaultBackend())
		fn := func() {}
		for i := range 100000 {
			l.CallLater(time.Hour+time.Duration(i)*time.Microsecond, fn)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			t := l.CallLater(time.Hour+time.Duration(i%100000)*time.Microsecond, fn)
			t.Cancel()
		}
	})
	b.Run("schedule+fire", func(b *testing.B) {
		l := newLoop(b, DefaultBackend())
		n := 0
		fn := func() { n++ }
		b.ReportAllocs()
		for b.Loop() {
			l.CallLater(0, fn)
			l.runTimers()
		}
	})
}

// A delay too long to represent saturates: the timer is due as late as
// can be, not at a deadline that wrapped around into the past.
func testTimerSaturates(t *testing.T, backend string) {
	l := newLoop(t, backend)
	fired := 0
	huge := l.CallLater(math.MaxInt64, func() { fired++ })
	near := l.CallLater(math.MaxInt64-time.Duration(l.since()), func() { fired++ })
	reset := l.CallLater(time.Millisecond, func() { fired++ })
	reset.Reset(math.MaxInt64)
	for range 3 {
		if err := l.Iterate(0); err != nil {
			t.Fatal(err)
		}
	}
	if fired != 0 {
		t.Errorf("%d of the far-future timers fired; want none", fired)
	}
	far := time.Now().Add(100 * 365 * 24 * time.Hour)
	for _, tm := range []*Timer{huge, near, reset} {
		if !tm.Active() || !tm.When().After(far) {
			t.Errorf("timer %d: Active() = %v, When() = %v; want active and more than a century away", tm.ID(), tm.Active(), tm.When())
		}
	}
	if got := l.PendingTimers(); got != 3 {
		t.Errorf("PendingTimers = %d; want 3", got)
	}
	for _, tm := range []*Timer{huge, near, reset} {
		tm.Cancel()
	}
}

// The trace tells a timers pane everything about the heap: what is
// scheduled (with the func it will call), a cancelled timer dropped when
// it reaches the top, and a compaction with how many it dropped.
func TestTimerTrace(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(1024)
	defer sub.Close()
	var ts []*Timer
	for range 60 {
		ts = append(ts, l.CallLater(time.Hour, timerTraceTarget))
	}
	for _, x := range ts[:51] { // the 51st cancel passes both thresholds
		x.Cancel()
	}
	early := l.CallLater(time.Millisecond, timerTraceTarget)
	early.Cancel()
	if err := l.Iterate(0); err != nil { // its wait looks at the top: the cancelled one goes
		t.Fatal(err)
	}
	evs := drainAll(sub)
	if e, ok := hasKind(evs, KindTimerScheduled); !ok || !strings.HasSuffix(e.Label, "reactor.timerTraceTarget") || e.Dur != time.Hour {
		t.Errorf("timer-scheduled = %+v, %v; want the func name and the delay", e, ok)
	}
	if e, ok := hasKind(evs, KindTimerCompacted); !ok || e.N != 51 {
		t.Errorf("timer-compacted = %+v, %v; want N = 51 dropped", e, ok)
	}
	if e, ok := hasKind(evs, KindTimerDiscarded); !ok || e.N != int64(early.ID()) {
		t.Errorf("timer-discarded = %+v, %v; want N = %d, the early cancelled timer", e, ok, early.ID())
	}
	for _, x := range ts[51:] {
		x.Cancel()
	}
}

func timerTraceTarget() {}
