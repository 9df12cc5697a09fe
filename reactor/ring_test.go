package reactor

import (
	"runtime"
	"testing"
	"unsafe"
)

// TestRingEntryIsOneCacheLine: the compact slot is what keeps tracing
// cheap; a field added to it should be a deliberate choice.
func TestRingEntryIsOneCacheLine(t *testing.T) {
	if got := unsafe.Sizeof(entry{}); got != 64 {
		t.Errorf("unsafe.Sizeof(entry{}) = %d; want 64", got)
	}
}

// TestRingRoundTrip: every field of every event comes back out of Drain,
// whether it fits one slot or takes two, including a two-slot event split
// across the end of the ring.
func TestRingRoundTrip(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(64)
	defer sub.Close()
	full := TraceEvent{Kind: KindError, Ready: In | HangUp, Interest: Readable | Writable, Fd: 9,
		At: 123, N: -4, Dur: 5, Dur2: 6, Dur3: 7, Backend: "poll", Label: "lbl", Text: "txt"}
	tests := []struct {
		name string
		ev   TraceEvent
	}{
		{"every field, across the ring's end", full},
		{"one slot", TraceEvent{Kind: KindDispatch, Ready: Out, Fd: 3, At: 11, Dur: 2, Label: "h", Text: "t"}},
		{"backend only", TraceEvent{Kind: KindWaitStart, At: 12, N: 5, Dur: -1, Backend: "epoll"}},
		{"durations only", TraceEvent{Kind: KindPassEnd, At: 13, N: 1, Dur: 3, Dur2: 2, Dur3: 1}},
	}
	var buf []TraceEvent
	// 63 one-slot events, drained, put the first case (two slots) across
	// the ring's end: slots 63 and 0.
	for range 63 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	buf = sub.Drain(buf[:0])
	if len(buf) != 63 {
		t.Fatalf("filler Drain = %d events; want 63", len(buf))
	}
	for _, tt := range tests {
		l.Trace(tt.ev)
		buf = sub.Drain(buf[:0])
		if len(buf) != 1 {
			t.Fatalf("%s: Drain = %d events; want 1", tt.name, len(buf))
		}
		got, want := buf[0], tt.ev
		want.At = got.At // Trace stamps At
		if got != want {
			t.Errorf("%s: got %+v; want %+v", tt.name, got, want)
		}
	}
	if sub.Dropped() != 0 {
		t.Errorf("Dropped = %d; want 0", sub.Dropped())
	}
}

// TestRingTwoSlotEventDroppedWhole: a two-slot event that does not fit
// is dropped whole, never half-written.
func TestRingTwoSlotEventDroppedWhole(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(64)
	defer sub.Close()
	for range 63 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	l.Trace(TraceEvent{Kind: KindWaitStart, Backend: "epoll"}) // needs 2, 1 free
	l.Trace(TraceEvent{Kind: KindBytesOut})                    // fits the last slot
	evs := sub.Drain(nil)
	if len(evs) != 65 || evs[0].Kind != KindOverflow || evs[0].N != 1 {
		t.Fatalf("Drain = %d events, first %v N=%d; want 65, overflow N=1", len(evs), evs[0].Kind, evs[0].N)
	}
	if last := evs[64]; last.Kind != KindBytesOut || last.Backend != "" {
		t.Errorf("last event = %v backend %q; want bytes-out, no backend", last.Kind, last.Backend)
	}
}

// TestRingOverflowIsDated: the KindOverflow event Drain puts first carries
// when the loss began (the first event lost), not at_ns 0.
func TestRingOverflowIsDated(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(64)
	defer sub.Close()
	for range 100 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	evs := sub.Drain(nil)
	if len(evs) != 65 || evs[0].Kind != KindOverflow {
		t.Fatalf("Drain = %d events, first %v; want 65, overflow first", len(evs), evs[0].Kind)
	}
	lastKept, now := evs[64].At, l.since()
	if at := evs[0].At; at == 0 || at < lastKept || at > now {
		t.Errorf("overflow At = %d; want when the first event was lost: between the last one kept (%d) and the drain (%d)", at, lastKept, now)
	}
	// A second overflow is dated by its own first loss.
	for range 100 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	if again := sub.Drain(nil); again[0].Kind != KindOverflow || again[0].At < now {
		t.Errorf("second overflow = %v at %d; want an overflow after %d", again[0].Kind, again[0].At, now)
	}
}

// TestRingHalfFull: the reader is signalled once when the ring passes
// half full, and again only after it drained; a reader that never asked
// is never signalled.
func TestRingHalfFull(t *testing.T) {
	l := newLoop(t, DefaultBackend())
	sub := l.Subscribe(64)
	defer sub.Close()
	wake := sub.HalfFull()
	signalled := func() bool {
		select {
		case <-wake:
			return true
		default:
			return false
		}
	}
	for range 32 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	if signalled() {
		t.Fatalf("signalled at 32 of 64 slots; want only past half")
	}
	l.Trace(TraceEvent{Kind: KindBytesIn})
	if !signalled() {
		t.Fatalf("no signal at 33 of 64 slots; want one")
	}
	for range 20 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	if signalled() {
		t.Errorf("signalled twice before a Drain; want once")
	}
	sub.Drain(nil)
	for range 33 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	if !signalled() {
		t.Errorf("no signal past half full after a Drain; want one")
	}

	quiet := l.Subscribe(64) // never calls HalfFull
	defer quiet.Close()
	for range 40 {
		l.Trace(TraceEvent{Kind: KindBytesIn})
	}
	if len(quiet.halfFull) != 0 {
		t.Errorf("a reader that never asked for HalfFull was signalled; want not")
	}
}

// TestRingHalfFullYields: with one scheduler thread, a reader that waits
// on HalfFull keeps up with a loop that never sleeps (Iterate(0) over
// ready fds): the loop yields after signalling, so nothing is dropped.
// Without the yield the reader would run only when the loop is preempted.
func TestRingHalfFullYields(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	l := dispatchLoop(t, DefaultBackend(), 8)
	sub := l.Subscribe(256)
	defer sub.Close()
	done := make(chan struct{})
	drained := make(chan int)
	wake := sub.HalfFull()
	go func() {
		var buf []TraceEvent
		n := 0
		for {
			select {
			case <-wake:
				buf = sub.Drain(buf[:0])
				n += len(buf)
			case <-done:
				drained <- n + len(sub.Drain(nil))
				return
			}
		}
	}()
	for range 1000 {
		if err := l.Iterate(0); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	n := <-drained
	if d := sub.Dropped(); d != 0 {
		t.Errorf("%d of %d trace events dropped; want 0: the reader should run each time the ring passes half full", d, uint64(n)+d)
	}
}
