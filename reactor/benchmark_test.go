package reactor

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// idleFds opens n-1 unbound UDP sockets (one fd each, never readable) plus
// one socketpair end made permanently readable, so exactly one of n
// watched fds is ready. One-fd objects let N reach 10,000 under a 20,000
// RLIMIT_NOFILE (perf.md §8).
func idleFds(b *testing.B, n int) (fds []int, ready int) {
	b.Helper()
	raiseLimit(b, n+64)
	a, w := socketpair(b)
	write(b, w, "x")
	for range n - 1 {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			for _, fd := range fds {
				unix.Close(fd)
			}
			b.Skipf("socket #%d: %v", len(fds), err)
		}
		fds = append(fds, fd)
	}
	b.Cleanup(func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	})
	// the ready fd sits in the middle of the set
	mid := len(fds) / 2
	fds = append(fds[:mid], append([]int{a}, fds[mid:]...)...)
	return fds, a
}

func raiseLimit(b *testing.B, need int) {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil || rl.Cur >= uint64(need) {
		return
	}
	if rl.Max < uint64(need) {
		b.Skipf("RLIMIT_NOFILE hard limit %d < %d", rl.Max, need)
	}
	rl.Cur = rl.Max
	unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
}

// BenchmarkWait measures one wait call (timeout 0) with N fds watched and
// exactly one ready: O(N) for select and poll, O(ready) for epoll.
func BenchmarkWait(b *testing.B) {
	for _, backend := range BackendNames() {
		b.Run(backend, func(b *testing.B) {
			for _, n := range []int{16, 64, 256, 1000, 4096, 10000} {
				b.Run(fmt.Sprintf("fds=%d", n), func(b *testing.B) {
					fds, _ := idleFds(b, n)
					p, err := NewPoller(backend)
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					for _, fd := range fds {
						if err := p.Register(fd, MakeToken(fd, 1), Readable); err != nil {
							b.Skipf("%v", err) // select: fd >= 1024
						}
					}
					evs := make([]Event, 128)
					b.ReportAllocs()
					for b.Loop() {
						if k, err := p.Wait(evs, 0); k != 1 || err != nil {
							b.Fatalf("Wait = %d, %v; want 1, nil", k, err)
						}
					}
				})
			}
		})
	}
}

// dispatchLoop registers k permanently readable fds: every pass
// dispatches k events.
func dispatchLoop(b *testing.B, backend string, k int) *Loop {
	return handlerLoop(b, backend, k, false)
}

// handlerLoop is dispatchLoop with, if rw, a realistic handler: read the
// byte and write it back through the peer (two syscalls per event), so
// the fd is readable again next pass.
func handlerLoop(b *testing.B, backend string, k int, rw bool) *Loop {
	l := newLoop(b, backend)
	buf := make([]byte, 1)
	for range k {
		a, w := socketpair(b)
		write(b, w, "x")
		h := func(int, Ready) {}
		if rw {
			h = func(fd int, _ Ready) {
				unix.Read(fd, buf)
				unix.Write(w, buf)
			}
		}
		l.Register(a, Readable, "bench", h)
	}
	return l
}

const dispatchFds = 8

// BenchmarkDispatch is one pass dispatching 8 ready events: wait, handler
// lookup by fd, generation check, timing, handler call. 0 allocs/op.
func BenchmarkDispatch(b *testing.B) {
	for _, backend := range BackendNames() {
		b.Run(backend, func(b *testing.B) {
			l := dispatchLoop(b, backend, dispatchFds)
			b.ReportAllocs()
			for b.Loop() {
				l.Iterate(0)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(l.Stats().Events), "ns/event")
		})
	}
}

// BenchmarkDispatchTrace runs three identical loops side by side, in
// alternating chunks so machine noise hits them alike: one with no
// subscriber; one whose subscriber is drained between chunks, outside the
// timed region (the loop's own cost of tracing); and one drained by
// another goroutine every millisecond, as the TUI does on a tick (adds
// the reader's CPU and cache traffic, which on a 2-core machine competes
// with the loop). Ratios are per chunk, then the median. Run it again with
// `-tags reactor_notrace` for the cost of the idle hooks.
func BenchmarkDispatchTrace(b *testing.B) {
	b.Run("handler=empty", func(b *testing.B) { benchDispatchTrace(b, false) })
	b.Run("handler=read+write", func(b *testing.B) { benchDispatchTrace(b, true) })
}

func benchDispatchTrace(b *testing.B, rw bool) {
	plain := handlerLoop(b, DefaultBackend(), dispatchFds, rw)
	inline := handlerLoop(b, DefaultBackend(), dispatchFds, rw)
	reader := handlerLoop(b, DefaultBackend(), dispatchFds, rw)
	isub := inline.Subscribe(1 << 14)
	defer isub.Close()
	rsub := reader.Subscribe(1 << 14)
	defer rsub.Close()
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]TraceEvent, 0, 1<<14+1)
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for !stop.Load() {
			<-tk.C
			buf = rsub.Drain(buf[:0])
		}
	}()
	defer func() {
		stop.Store(true)
		<-done
	}()
	ibuf := make([]TraceEvent, 0, 1<<14+1)
	const chunk = 200
	timeChunk := func(l *Loop) float64 {
		e0 := l.Stats().Events
		t0 := time.Now()
		for range chunk {
			l.Iterate(0)
		}
		return float64(time.Since(t0)) / float64(l.Stats().Events-e0)
	}
	var rInline, rReader, nsPlain []float64
	b.ReportAllocs()
	for i := 0; i < b.N; i += 3 * chunk {
		p := timeChunk(plain)
		in := timeChunk(inline)
		ibuf = isub.Drain(ibuf[:0])
		rd := timeChunk(reader)
		nsPlain = append(nsPlain, p)
		rInline = append(rInline, in/p)
		rReader = append(rReader, rd/p)
	}
	med := func(s []float64) float64 {
		slices.Sort(s)
		return s[len(s)/2]
	}
	b.ReportMetric(med(nsPlain), "ns/event-none")
	b.ReportMetric(100*(med(rInline)-1), "%overhead-loop")
	b.ReportMetric(100*(med(rReader)-1), "%overhead-with-reader")
	b.ReportMetric(float64(reader.Stats().Dropped)/float64(reader.Stats().Events), "dropped/event")
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
