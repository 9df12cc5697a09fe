package tcp

import (
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// safety bounds how long a test client waits on a socket: a hung test fails
// instead of blocking forever. It is never used to wait for something to
// happen.
const safety = 20 * time.Second

// backends lists the backends to run a test on.
func backends() []string { return reactor.BackendNames() }

// startLoop runs a loop on its own goroutine until the test ends, then
// checks that the goroutine exited and the loop's fds were released.
func startLoop(t *testing.T, backend string) *reactor.Loop {
	t.Helper()
	fds := openFDs(t)
	g := runtime.NumGoroutine()
	loop, err := reactor.New(reactor.Config{Backend: backend, Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- loop.Run() }()
	t.Cleanup(func() {
		loop.Stop()
		if err := <-done; err != nil {
			t.Errorf("loop.Run() = %v; want nil", err)
		}
		loop.Close()
		checkLeaks(t, fds, g)
	})
	return loop
}

// startLoopB is startLoop for benchmarks (no leak checks).
func startLoopB(b *testing.B) *reactor.Loop {
	loop, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- loop.Run() }()
	b.Cleanup(func() { loop.Stop(); <-done; loop.Close() })
	return loop
}

// onLoop runs fn on the loop goroutine and waits for it.
func onLoop(loop *reactor.Loop, fn func()) {
	done := make(chan struct{})
	loop.CallFromGoroutine(func() { fn(); close(done) })
	<-done
}

// listen starts a listener on 127.0.0.1 on the loop with the given factory.
func listen(t *testing.T, loop *reactor.Loop, f Factory, opts ...Option) *Listener {
	t.Helper()
	ln, err := listenAt(t, loop, "127.0.0.1:0", f, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// listenAt starts a listener on addr; when the test ends it is closed and
// its connections reset, before the loop stops (so none is left open).
func listenAt(t *testing.T, loop *reactor.Loop, addr string, f Factory, opts ...Option) (*Listener, error) {
	t.Helper()
	var ln *Listener
	var err error
	onLoop(loop, func() { ln, err = ListenTCP(loop, addr, f, opts...) })
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		onLoop(loop, func() {
			ln.Close()
			for _, c := range ln.Conns() {
				c.close(ErrAborted, true, false)
			}
		})
	})
	return ln, nil
}

// dial connects a plain Go client.
func dial(t *testing.T, addr net.Addr) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr.String(), safety)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(safety))
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// checkLeaks compares fds and goroutines with a baseline. Goroutines of
// closed client conns may take a moment to exit, so it retries (this is
// waiting for a condition, with a bound, not a fixed sleep).
func checkLeaks(t *testing.T, fds, goroutines int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		gotFDs, gotG := openFDs(t), runtime.NumGoroutine()
		if (fds < 0 || gotFDs <= fds) && gotG <= goroutines {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("after the test: %d fds, %d goroutines; want <= %d fds, <= %d goroutines", gotFDs, gotG, fds, goroutines)
			return
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// recorder is a test protocol that reports its callbacks on channels.
type recorder struct {
	mu     sync.Mutex
	t      *Transport
	data   []byte
	got    chan []byte // each DataReceived (copied)
	made   chan *Transport
	lost   chan error
	onMade func(*Transport)
	onData func(*Transport, []byte)
	onEOF  func(*Transport) // set: the recorder is a HalfCloser
}

func newRecorder() *recorder {
	return &recorder{got: make(chan []byte, 1<<16), made: make(chan *Transport, 1), lost: make(chan error, 1)}
}

func (r *recorder) ConnectionMade(t *Transport) {
	r.t = t
	if r.onMade != nil {
		r.onMade(t)
	}
	r.made <- t
}

func (r *recorder) DataReceived(b []byte) {
	r.mu.Lock()
	r.data = append(r.data, b...)
	r.mu.Unlock()
	select {
	case r.got <- append([]byte(nil), b...):
	default:
	}
	if r.onData != nil {
		r.onData(r.t, b)
	}
}

func (r *recorder) ConnectionLost(err error) { r.lost <- err }

func (r *recorder) received() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.data...)
}

// halfCloser wraps a recorder with the HalfCloser interface.
type halfCloser struct{ *recorder }

func (h halfCloser) ReadConnectionLost() { h.onEOF(h.t) }

// one returns a factory that hands out p once.
func one(p Protocol) Factory {
	used := false
	return FactoryFunc(func(net.Addr) Protocol {
		if used {
			return nil
		}
		used = true
		return p
	})
}

func waitErr(t *testing.T, ch chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(safety):
		t.Fatal("timed out waiting for ConnectionLost")
		return nil
	}
}

// drainUntil collects trace events from sub until found reports true for
// the events so far. The loop publishes a pass's events when the pass ends,
// so each attempt runs on the loop (a new pass) and drains; it gives up
// after the safety bound.
func drainUntil(t *testing.T, loop *reactor.Loop, sub *reactor.Subscription, found func([]reactor.TraceEvent) bool) []reactor.TraceEvent {
	t.Helper()
	var evs []reactor.TraceEvent
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		onLoop(loop, func() { evs = sub.Drain(evs) })
		if found(evs) {
			return evs
		}
	}
	t.Errorf("the trace never had the expected events")
	return evs
}

// waitFor runs cond on the loop goroutine until it reports true, each try
// a new pass; it gives up after the safety bound, naming what it waited
// for. Polling the loop is waiting for a condition, not a fixed sleep.
func waitFor(t *testing.T, loop *reactor.Loop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		ok := false
		onLoop(loop, func() { ok = cond() })
		if ok {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("timed out waiting for %s", what)
}

// flood writes chunk to c over and over, never reading, until a write
// fails (the test closes c, or the server drops it). It returns at once;
// the returned channel reports how many bytes went out when it stops.
func flood(c net.Conn, chunk []byte) <-chan int64 {
	done := make(chan int64, 1)
	go func() {
		var n int64
		for {
			w, err := c.Write(chunk)
			n += int64(w)
			if err != nil {
				done <- n
				return
			}
		}
	}()
	return done
}
