package reactor

import (
	"sync"
	"sync/atomic"
	"testing"
)

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
	if _, err := l.Register(0, Readable, "", nil); err != ErrStopped {
		t.Errorf("Register after Close = %v; want ErrStopped", err)
	}
}

// BenchmarkCallFromGoroutine: many goroutines call into a running loop.
// The coalescing flag keeps wake-up writes at most one per pass.
func BenchmarkCallFromGoroutine(b *testing.B) {
	l := newLoop(b, DefaultBackend())
	errc := make(chan error, 1)
	go func() { errc <- l.Run() }()
	var ran atomic.Int64
	fn := func() { ran.Add(1) }
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.CallFromGoroutine(fn)
		}
	})
	l.CallFromGoroutine(l.Stop)
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	s := l.Stats()
	b.ReportMetric(float64(s.WakeWrites)/float64(b.N), "writes/call")
	b.ReportMetric(float64(s.WakeWrites)/float64(max(s.Passes, 1)), "writes/pass")
}
