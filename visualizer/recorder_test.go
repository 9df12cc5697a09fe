package visualizer

import (
	"slices"
	"sync"
	"testing"
)

// A Recorder hands events over oldest first, across the end of its ring,
// and when nobody drains in time it keeps the newest and counts the rest.
func TestRecorder(t *testing.T) {
	r := NewRecorder[int](16)
	for i := range 10 {
		r.Observe(i)
	}
	if got := r.Drain(nil); !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("Drain = %v; want 0..9", got)
	}
	for i := range 12 { // wraps: the ring restarted at 0 after the drain
		r.Observe(100 + i)
	}
	if got := r.Drain(nil); len(got) != 12 || got[0] != 100 || got[11] != 111 {
		t.Fatalf("Drain = %v; want 100..111", got)
	}
	for i := range 40 {
		r.Observe(i)
	}
	got := r.Drain([]int{-1})
	want := append([]int{-1}, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39)
	if !slices.Equal(got, want) {
		t.Errorf("Drain after overflow = %v; want the newest 16 after dst's own", got)
	}
	if d := r.Dropped(); d != 24 {
		t.Errorf("Dropped() = %d; want 24", d)
	}
	if got := r.Drain(nil); len(got) != 0 {
		t.Errorf("second Drain = %v; want nothing", got)
	}
}

// Observe is safe from many goroutines while another drains.
func TestRecorderConcurrent(t *testing.T) {
	r := NewLatencyRecorder(1 << 10)
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				r.Observe(LatencyEvent{Kind: LatencySent, Client: c})
			}
		}()
	}
	var got []LatencyEvent
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		got = r.DrainLatency(got)
		select {
		case <-done:
			got = r.DrainLatency(got)
			if n := uint64(len(got)) + r.Dropped(); n != 2000 {
				t.Errorf("drained %d + dropped %d = %d; want 2000", len(got), r.Dropped(), n)
			}
			return
		default:
		}
	}
}
