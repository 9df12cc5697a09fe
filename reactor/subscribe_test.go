package reactor

import "testing"

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

// BenchmarkTracingCheck is the cost of the guard every trace point pays
// when no subscriber is attached.
func BenchmarkTracingCheck(b *testing.B) {
	l := newLoop(b, DefaultBackend())
	n := 0
	for b.Loop() {
		if l.Tracing() {
			n++
		}
	}
	if n != 0 {
		b.Fatal("tracing without a subscriber")
	}
}

// BenchmarkEmit is the cost of one trace event reaching one subscriber
// (drained inline, so nothing is dropped).
func BenchmarkEmit(b *testing.B) {
	l := newLoop(b, DefaultBackend())
	sub := l.Subscribe(1 << 12)
	defer sub.Close()
	buf := make([]TraceEvent, 0, 1<<12)
	ev := TraceEvent{Kind: KindDispatch, Fd: 7, Label: "x", At: 1}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.emit(&ev)
		if i++; i&1023 == 0 {
			buf = sub.Drain(buf[:0])
		}
	}
}
