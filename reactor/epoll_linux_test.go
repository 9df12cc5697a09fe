//go:build linux

package reactor

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitOnce runs one pass that has to wait for the socket: a helper writes
// to w once the trace shows the loop going into its wait. It returns the
// pass's wait-end event and the change in Stats. The helper may write
// before the loop's first epoll_wait (the pass then does not park), so
// callers that need a park retry.
func waitOnce(t *testing.T, l *Loop, sub *Subscription, w int) (TraceEvent, Stats) {
	t.Helper()
	before := l.Stats()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for {
			if _, ok := hasKind(sub.Drain(nil), KindWaitStart); ok {
				write(t, w, "x")
				return
			}
			runtime.Gosched()
		}
	}()
	if err := l.Iterate(10 * time.Second); err != nil {
		t.Fatalf("Iterate = %v", err)
	}
	<-wrote
	evs := sub.Drain(nil)
	end, ok := hasKind(evs, KindWaitEnd)
	if !ok {
		t.Fatalf("no wait-end event in %v", evs)
	}
	after := l.Stats()
	return end, Stats{WaitCalls: after.WaitCalls - before.WaitCalls, Parked: after.Parked - before.Parked,
		Events: after.Events - before.Events}
}

// An epoll loop with nothing ready parks its goroutine on Go's netpoller
// and, once the epoll fd is readable, asks epoll_wait again with timeout
// 0: the trace says so ("netpoller" on the wait-end event), the event
// dispatched is what that second epoll_wait returned, and both calls are
// counted. With BlockingWait the loop blocks in epoll_wait itself.
func TestEpollParksOnTheNetpoller(t *testing.T) {
	for _, tc := range []struct {
		name     string
		blocking bool
	}{{"netpoller", false}, {"blocking", true}} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t, "epoll", Config{Heartbeat: -1, BlockingWait: tc.blocking})
			sub := l.Subscribe(1 << 10)
			defer sub.Close()
			a, w := socketpair(t)
			got := 0
			buf := make([]byte, 16)
			register(t, l, a, Readable, "a", func(fd int, _ Ready) {
				n, _ := unix.Read(fd, buf)
				got += n
			})
			for try := 0; ; try++ {
				end, d := waitOnce(t, l, sub, w)
				if d.Events != 1 || end.N != 1 {
					t.Fatalf("pass dispatched %d events, wait-end N=%d; want 1, 1", d.Events, end.N)
				}
				if tc.blocking {
					if d.Parked != 0 || d.WaitCalls != 1 || end.Text != "" {
						t.Errorf("BlockingWait: parked %d, %d wait calls, wait-end text %q; want 0, 1, \"\"", d.Parked, d.WaitCalls, end.Text)
					}
					break
				}
				if d.Parked == 0 && try < 100 {
					continue // the write beat the first epoll_wait: nothing to park for
				}
				if d.Parked != 1 || d.WaitCalls != 2 || end.Text != "netpoller" {
					t.Errorf("parked %d, %d wait calls, wait-end text %q; want 1, 2 (timeout 0 before and after the park), \"netpoller\"",
						d.Parked, d.WaitCalls, end.Text)
				}
				break
			}
			if got == 0 {
				t.Errorf("handler read nothing; want the bytes written")
			}
		})
	}
}

// A park ends when its timeout passes, with no events (as epoll_wait's own
// timeout would), and costs no allocation however often it runs; a zero
// timeout never parks.
func TestEpollParkTimeout(t *testing.T) {
	l := newLoop(t, "epoll")
	a, _ := socketpair(t)
	register(t, l, a, Readable, "idle", func(int, Ready) { t.Error("handler called; nothing was written") })
	if err := l.Iterate(0); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); st.Parked != 0 || st.WaitCalls != 1 {
		t.Errorf("after Iterate(0): parked %d, %d wait calls; want 0, 1", st.Parked, st.WaitCalls)
	}
	if err := l.Iterate(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); st.Parked != 1 || st.WaitCalls != 2 || st.Events != 0 {
		t.Errorf("after Iterate(1ms): parked %d, %d wait calls, %d events; want 1, 2, 0", st.Parked, st.WaitCalls, st.Events)
	}
	if allocs := testing.AllocsPerRun(20, func() { l.Iterate(time.Millisecond) }); allocs != 0 {
		t.Errorf("a pass that parks until its timeout: %v allocations; want 0", allocs)
	}
}

// A goroutine that wakes the loop reaches it while it is parked, and so
// does Stop.
func TestEpollParkedLoopWakes(t *testing.T) {
	l := newLoop(t, "epoll")
	ran := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	l.CallFromGoroutine(func() { close(ran) })
	<-ran
	l.Stop()
	if err := <-done; err != nil {
		t.Errorf("Run = %v; want nil after Stop", err)
	}
}
