package reactor

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The conformance table runs every case on every available backend: the
// contract of poller.go, checked the way a program meets it. Adding a
// backend adds a column; adding a behaviour adds a row.

// conformance is the table every backend must pass. Real kernels produce
// spurious events, so cases check "eventually saw X" and tolerate extras,
// except where the exact report is the point (the closed bits).
var conformance = []struct {
	name string
	run  func(t *testing.T, backend string)
}{
	{"readable", testReadable},
	{"writable", testWritable},
	{"eof", testEOF},
	{"hangup with unread data", testHangUpWithData},
	{"peer shut down writing (half-close)", readyRow(halfClosedByPeer, Readable|Writable, In|Out|ReadClosed)},
	{"half-closed fd still writable", testHalfCloseWritable},
	{"peer closed (TCP)", readyRow(closedByPeerTCP, Readable|Writable, In|Out|ReadClosed)},
	{"peer closed (socketpair)", readyRow(closedByPeerUnix, Readable|Writable, In|Out|HangUp)},
	{"both sides shut down writing", readyRow(bothShutDown, Readable|Writable, In|Out|HangUp)},
	{"peer reset", readyRow(resetByPeer, Readable|Writable, In|Out|HangUp|Err)},
	{"peer reset, watched for reading", readyRow(resetByPeer, Readable, In|HangUp|Err)},
	{"peer reset, watched for writing", readyRow(resetByPeer, Writable, Out|HangUp|Err)},
	{"pipe whose reader left", readyRow(pipeReaderGone, Writable, Out|WriteClosed|Err)},
	{"pipe whose writer left", readyRow(pipeWriterGone, Readable, In|HangUp)},
	{"interest 0 parks the fd", testParked},
	{"modify", testModify},
	{"deregister", testDeregister},
	{"deregister after close (the dup trap)", testDupTrap},
	{"closed while registered", testClosedWhileRegistered},
	{"stale handle cannot touch the next owner", testStaleHandle},
	{"close after the number was reused", testCloseAfterReuse},
	{"stale event after close in same batch", testStaleInBatch},
	{"switch backend mid-run", testSwitchBackend},
	{"timers order", testTimerOrder},
	{"timers cancel and reset", testTimerCancelReset},
	{"timers lateness", testTimerLateness},
	{"timers saturate", testTimerSaturates},
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
	register(t, l, a, Readable, "reader", func(fd int, r Ready) {
		if r&In != 0 {
			s, _ := readAll(fd)
			got += s
		}
	})
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
	register(t, l, a, Writable, "writer", func(fd int, r Ready) { got |= r })
	iterateUntil(t, l, "Out", func() bool { return got&Out != 0 })
	if got&In != 0 {
		t.Errorf("writable-only registration got %v; want no In", got)
	}
}

func testEOF(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	eof := false
	var reg Registration
	reg = register(t, l, a, Readable, "eof", func(fd int, r Ready) {
		if _, e := readAll(fd); e {
			eof = true
			reg.Deregister()
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
	var reg Registration
	reg = register(t, l, a, Readable, "hup", func(fd int, r Ready) {
		flags |= r
		// The right order: drain the data first, close on EOF.
		s, e := readAll(fd)
		got += s
		if e {
			eof = true
			reg.Deregister()
		}
	})
	write(t, b, "last words")
	closeNow(b)
	iterateUntil(t, l, "data then EOF", func() bool { return eof })
	if got != "last words" {
		t.Errorf("read before EOF = %q; want %q", got, "last words")
	}
	if runtime.GOOS == "linux" && flags&ReadClosed == 0 {
		t.Errorf("flags = %v; want read-closed among them", flags)
	}
}

// readyRow is a row of the closed-bits part of the table: provoke a
// condition, watch the fd for in, and require the same exact report on
// every backend. Reports may arrive piecemeal while the kernel catches up
// (loopback delivery can be deferred), so every report must be a subset
// of want, and one must be want itself. The fd is never read, so the
// condition stays reported (level-triggered) until it is complete.
func readyRow(provoke func(t *testing.T) int, in Interest, want Ready) func(*testing.T, string) {
	return func(t *testing.T, backend string) {
		if runtime.GOOS != "linux" {
			t.Skip("the closed bits come from Linux's EPOLLRDHUP/POLLRDHUP; elsewhere see hangup_other.go")
		}
		l := newLoop(t, backend)
		fd := provoke(t)
		var last Ready
		register(t, l, fd, in, "watched", func(_ int, r Ready) {
			if r&^want != 0 {
				t.Errorf("report %v has %v; want only bits of %v", r, r&^want, want)
			}
			last = r
		})
		iterateUntil(t, l, "report "+want.String(), func() bool { return last == want || t.Failed() })
	}
}

func halfClosedByPeer(t *testing.T) int {
	a, b := tcpPair(t)
	unix.Shutdown(b, unix.SHUT_WR)
	return a
}

func closedByPeerTCP(t *testing.T) int {
	a, b := tcpPair(t)
	closeNow(b)
	return a
}

func closedByPeerUnix(t *testing.T) int {
	a, b := socketpair(t)
	closeNow(b)
	return a
}

func bothShutDown(t *testing.T) int {
	a, b := tcpPair(t)
	unix.Shutdown(a, unix.SHUT_WR)
	unix.Shutdown(b, unix.SHUT_WR)
	return a
}

func resetByPeer(t *testing.T) int {
	a, b := tcpPair(t)
	reset(t, b)
	return a
}

func pipeReaderGone(t *testing.T) int {
	r, w := pipe(t)
	closeNow(r)
	return w
}

func pipeWriterGone(t *testing.T) int {
	r, w := pipe(t)
	closeNow(w)
	return r
}

// After the peer's shutdown(SHUT_WR), this side reads to EOF and can still
// write: a handler reading ReadClosed as "gone" would break this.
func testHalfCloseWritable(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := tcpPair(t)
	write(t, b, "question")
	unix.Shutdown(b, unix.SHUT_WR)
	var got string
	answered := false
	var reg Registration
	reg = register(t, l, a, Readable, "half-closed", func(fd int, r Ready) {
		s, eof := readAll(fd)
		got += s
		if eof {
			if r&WriteClosed != 0 {
				t.Errorf("report at EOF = %v; want no write-closed after a half-close", r)
			}
			write(t, fd, "answer")
			unix.Shutdown(fd, unix.SHUT_WR)
			answered = true
			reg.Deregister()
		}
	})
	iterateUntil(t, l, "EOF then answer", func() bool { return answered })
	if got != "question" {
		t.Errorf("read %q before EOF; want question", got)
	}
	var reply string
	for eof := false; !eof; {
		var s string
		s, eof = readAll(b)
		reply += s
		if !eof {
			waitReadable(t, b)
		}
	}
	if reply != "answer" {
		t.Errorf("peer read %q after its half-close; want answer", reply)
	}
}

// waitReadable blocks in poll(2) until fd is readable (a test client's
// wait, not the loop's).
func waitReadable(t *testing.T, fd int) {
	t.Helper()
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(p, 20000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			t.Fatalf("poll for fd %d = %d, %v; want it readable", fd, n, err)
		}
		return
	}
}

// Interest 0 parks an fd: out of the kernel's set, so even the hang-up
// and error the kernel reports whatever the interest reach no handler.
func testParked(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := tcpPair(t)
	reset(t, b)
	calls := 0
	reg := register(t, l, a, 0, "parked", func(int, Ready) { calls++ })
	for range 50 {
		if err := l.Iterate(0); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 0 {
		t.Errorf("handler calls in 50 passes for a reset fd registered with interest 0 = %d; want 0", calls)
	}
	if err := reg.Modify(Readable); err != nil {
		t.Fatalf("Modify(r) = %v; want nil", err)
	}
	iterateUntil(t, l, "the reset once unparked", func() bool { return calls > 0 })
	if err := reg.Modify(0); err != nil {
		t.Fatalf("Modify(0) = %v; want nil", err)
	}
	calls = 0
	for range 50 {
		l.Iterate(0)
	}
	if calls != 0 {
		t.Errorf("handler calls in 50 passes after Modify(0) = %d; want 0", calls)
	}
	if s := l.Stats(); s.Watched != 0 {
		t.Errorf("Stats().Watched with one parked fd = %d; want 0 (the kernel watches nothing)", s.Watched)
	}
	if w := l.Watched(); len(w) != 1 || w[0].Interest != 0 {
		t.Errorf("Watched() = %v; want the parked registration, interest 0", w)
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

// BenchmarkWaitSideBySide measures the wait-cost targets in one
// run: every configuration is timed in short alternating chunks, and each
// ratio is taken within a round (so load on a shared machine hits both
// sides alike), then the median over rounds is reported.
//
//	epoll10000/epoll16   want ≤ 1.2
//	poll/epoll@1000      want ≥ 30
//	poll/epoll@10000     want ≥ 300
func BenchmarkWaitSideBySide(b *testing.B) {
	type cfg struct {
		backend string
		n       int
	}
	cfgs := []cfg{{"epoll", 16}, {"epoll", 1000}, {"poll", 1000}, {"select", 1000}, {"epoll", 10000}, {"poll", 10000}}
	if DefaultBackend() != "epoll" {
		b.Skip("needs epoll")
	}
	sets := map[int][]int{}
	for _, n := range []int{1000, 16, 10000} { // 1000 first: below fd 1024 for select
		sets[n], _ = idleFds(b, n)
	}
	pollers := make([]Poller, len(cfgs))
	for i, c := range cfgs {
		p, err := NewPoller(c.backend)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		for _, fd := range sets[c.n] {
			if err := p.Register(fd, MakeToken(fd, 1), Readable); err != nil {
				b.Fatalf("%s n=%d: %v", c.backend, c.n, err)
			}
		}
		pollers[i] = p
	}
	evs := make([]Event, 128)
	// chunk sizes: about 1ms each
	chunk := make([]int, len(cfgs))
	for i, p := range pollers {
		chunk[i] = calibrateChunk(p, evs, time.Millisecond)
	}
	perCall := make([][]float64, len(cfgs))
	b.ResetTimer()
	round := 0
	for b.Loop() {
		round++
		for k := range pollers {
			i := (k + round) % len(pollers) // rotate: no config always follows the same one
			p := pollers[i]
			t0 := time.Now()
			for range chunk[i] {
				p.Wait(evs, 0)
			}
			perCall[i] = append(perCall[i], float64(time.Since(t0))/float64(chunk[i]))
		}
	}
	ratio := func(num, den int) float64 {
		var r []float64
		for k := range perCall[num] {
			r = append(r, perCall[num][k]/perCall[den][k])
		}
		slices.Sort(r)
		return r[len(r)/2]
	}
	median := func(i int) float64 {
		s := slices.Clone(perCall[i])
		slices.Sort(s)
		return s[len(s)/2]
	}
	b.ReportMetric(median(0), "ns/epoll@16")
	b.ReportMetric(median(4), "ns/epoll@10000")
	b.ReportMetric(median(2), "ns/poll@1000")
	b.ReportMetric(median(5), "ns/poll@10000")
	b.ReportMetric(ratio(4, 0), "epoll10000/epoll16")
	b.ReportMetric(ratio(2, 1), "poll/epoll@1000")
	b.ReportMetric(ratio(3, 1), "select/epoll@1000")
	b.ReportMetric(ratio(5, 4), "poll/epoll@10000")
	b.ReportMetric(0, "ns/op")
}

func calibrateChunk(p Poller, evs []Event, target time.Duration) int {
	k := 1
	for {
		t0 := time.Now()
		for range k {
			p.Wait(evs, 0)
		}
		if d := time.Since(t0); d >= target/2 || k >= 1<<16 {
			return max(1, int(int64(k)*int64(target)/max(int64(d), 1)))
		}
		k *= 2
	}
}
