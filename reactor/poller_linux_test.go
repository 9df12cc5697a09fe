//go:build linux

package reactor

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A signal that interrupts a wait must not restart the full timeout: a
// steady stream of signals (a terminal being resized sends SIGWINCH by the
// dozen) would otherwise hold the loop past every timer for as long as the
// signals keep coming. SIGURG is the Go runtime's own preemption signal; it
// ignores ones it did not ask for, so it is safe to send here.
func TestWaitEINTRKeepsDeadline(t *testing.T) {
	for _, b := range BackendNames() {
		t.Run(b, func(t *testing.T) {
			p, err := NewPoller(b)
			if err != nil {
				t.Fatalf("NewPoller(%q) = %v", b, err)
			}
			defer p.Close()
			a, _ := socketpair(t)
			if err := p.Register(a, MakeToken(a, 1), Readable); err != nil {
				t.Fatalf("Register = %v", err)
			}

			tids := make(chan int, 1)
			type result struct {
				n   int
				err error
			}
			done := make(chan result, 1)
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				tids <- unix.Gettid()
				n, err := p.Wait(make([]Event, 8), 30*time.Millisecond)
				done <- result{n, err}
			}()
			tid := <-tids

			stop := make(chan struct{})
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				tick := time.NewTicker(time.Millisecond) // paces the signals; not synchronisation
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						unix.Tgkill(unix.Getpid(), tid, unix.SIGURG)
					}
				}
			}()

			var got result
			select {
			case got = <-done:
				close(stop)
			case <-time.After(10 * time.Second):
				close(stop)
				<-done
				t.Fatalf("Wait(30ms) still blocked after 10s of signals; want it to return once 30ms have passed in total")
			}
			<-stopped
			if got.err != nil || got.n != 0 {
				t.Errorf("Wait = %d, %v; want 0, nil (timeout)", got.n, got.err)
			}
		})
	}
}
