package backpressure

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// The tests run a real reactor loop, pass by pass (each through the guard),
// with a real TCP connection on the loopback interface: the server side is
// a tcp.Transport whose protocol calls Stream, the client a raw socket that
// reads a little at a time. The Streamer sees the transport through a spy
// Conn that records every write, the buffer level after it, and whether the
// transport had paused the Streamer at the time.

// The connection's flow control in these tests.
const (
	high     = 32 << 10 // pause above this many bytes queued
	low      = 8 << 10  // resume at or below
	readStep = 2 << 10  // the client reads at most this much per step
)

// spy is the Conn the Streamer writes to: the transport, watched.
type spy struct {
	t    *tcp.Transport
	prod tcp.Producer // the Streamer, as registered

	paused    bool // the transport called PauseProducing and not yet ResumeProducing
	stopped   bool
	depth     int // >0 while the transport or the test is calling into the Streamer
	call      int // numbers those calls
	pauseCall int // the call during which the pause came (-1: outside any)

	writes, bytes     int
	maxBuffered       int
	pauses, resumes   int
	ignored, selfRes  int    // writes while paused: in the call that was paused, or later
	firstWhilePaused  string // describes the first write while paused
	writesAfterResume int    // writes since the last ResumeProducing
	afterStop         int    // writes after StopProducing
	registered        bool
}

func (c *spy) enter() {
	if c.depth == 0 {
		c.call++
	}
	c.depth++
}
func (c *spy) leave() { c.depth-- }

func (c *spy) Write(p []byte) (int, error) {
	if c.stopped {
		c.afterStop++
	}
	if c.paused {
		if c.depth > 0 && c.call == c.pauseCall {
			c.ignored++
		} else {
			c.selfRes++
		}
		if c.firstWhilePaused == "" {
			c.firstWhilePaused = fmt.Sprintf("write %d (%d bytes, %d already queued)", c.writes+1, len(p), c.t.BufferedBytes())
		}
	}
	n, err := c.t.Write(p)
	c.writes++
	c.writesAfterResume++
	c.bytes += n
	c.maxBuffered = max(c.maxBuffered, c.t.BufferedBytes())
	return n, err
}

func (c *spy) BufferedBytes() int  { return c.t.BufferedBytes() }
func (c *spy) UnregisterProducer() { c.t.UnregisterProducer() }
func (c *spy) LoseConnection()     { c.t.LoseConnection() }
func (c *spy) Loop() *reactor.Loop { return c.t.Loop() }
func (c *spy) RegisterProducer(p tcp.Producer) {
	c.prod, c.registered = p, true
	c.t.RegisterProducer(watched{c})
}

// watched is what the transport sees as the producer: it records the
// transport's calls and passes them on to the Streamer.
type watched struct{ c *spy }

func (w watched) PauseProducing() {
	c := w.c
	c.pauses++
	c.paused = true
	c.pauseCall = -1
	if c.depth > 0 {
		c.pauseCall = c.call
	}
	c.prod.PauseProducing()
}

func (w watched) ResumeProducing() {
	c := w.c
	c.resumes++
	c.paused = false
	c.writesAfterResume = 0
	c.enter()
	defer c.leave()
	c.prod.ResumeProducing()
}

func (w watched) StopProducing() {
	c := w.c
	c.stopped = true
	c.enter()
	defer c.leave()
	c.prod.StopProducing()
}

// server is the protocol on the server's side of the connection.
type server struct {
	l *lab
}

func (p server) ConnectionMade(t *tcp.Transport) {
	unix.SetsockoptInt(t.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	c := &spy{t: t}
	p.l.spy = c
	c.enter()
	defer c.leave()
	p.l.streamer = Stream(c, p.l.total)
}
func (p server) DataReceived([]byte)      {}
func (p server) ConnectionLost(err error) { p.l.lost = err }

// lab is one connection under test.
type lab struct {
	t        *testing.T
	loop     *reactor.Loop
	total    int
	spy      *spy
	streamer *Streamer
	lost     error
	client   int // the client's socket
	received int // bytes the client has read
	eof      bool
}

func newLab(t *testing.T, total int) *lab {
	t.Helper()
	loop, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		t.Fatalf("reactor.New: %v", err)
	}
	t.Cleanup(func() { loop.Close() })
	l := &lab{t: t, loop: loop, total: total}
	ln, err := tcp.ListenTCP(loop, "127.0.0.1:0", tcp.FactoryFunc(func(net.Addr) tcp.Protocol { return server{l} }),
		tcp.WithWatermarks(high, low), tcp.WithLinger(-1))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0) // SOCK_NONBLOCK is Linux-only
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatalf("set non-blocking: %v", err)
	}
	l.client = fd
	t.Cleanup(func() {
		if l.client >= 0 {
			unix.Close(l.client)
		}
	})
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
	sa := &unix.SockaddrInet4{Port: ln.Addr().Port, Addr: [4]byte{127, 0, 0, 1}}
	if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
		t.Fatalf("connect: %v", err)
	}
	for l.spy == nil {
		l.pass("a loop pass (accepting the client; its protocol calls Stream)", -1)
	}
	if !l.spy.registered {
		l.t.Fatalf("Stream returned without registering the Streamer as the connection's producer.\n\tExpected: conn.RegisterProducer(s): the connection can only pause a producer it knows.%s", revisit)
	}
	return l
}

// call runs f, which calls into the learner's code, through the guard.
func call(t *testing.T, what string, f func()) {
	t.Helper()
	if stuck := guard.Run(t, what, f); stuck != nil {
		t.Fatalf("%v.\n\tExpected: the pass ends at once: Stream, PauseProducing and ResumeProducing each return at once.\n\t%s%s", stuck, whyStuck(stuck), revisit)
	}
}

// whyStuck explains a pass that did not end, from how it is stuck.
func whyStuck(s *guard.Stuck) string {
	const how = " Only the loop drains the buffer — it writes what the socket takes whenever the socket is writable — and the loop is waiting for you. PauseProducing only notes the pause and returns; the connection calls ResumeProducing when there is room."
	switch s.Kind {
	case guard.Spinning:
		return "A loop that waits for the buffer to drain, or for a resume, never ends." + how
	case guard.Sleeping:
		return "Sleeping until the client catches up holds the loop: nothing is sent meanwhile." + how
	case guard.Waiting, guard.Blocked:
		return "Waiting (on a channel, a lock) for the resume is a deadlock: ResumeProducing can only be called by the loop." + how
	}
	return "Stream, PauseProducing and ResumeProducing must each return at once."
}

// pass runs one loop pass, waiting at most timeout for something to happen.
func (l *lab) pass(what string, timeout time.Duration) {
	l.t.Helper()
	var err error
	call(l.t, what, func() { err = l.loop.Iterate(timeout) })
	if err != nil {
		l.t.Fatalf("loop.Iterate: %v", err)
	}
	l.checkNoWriteWhilePaused()
}

// read reads at most n bytes as the client and checks them.
func (l *lab) read(n int) int {
	l.t.Helper()
	buf := make([]byte, n)
	for {
		got, err := unix.Read(l.client, buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0
		case err != nil:
			l.t.Fatalf("the client's read after %d bytes: %v (the server reset the connection?)%s", l.received, err, revisit)
		case got == 0:
			l.eof = true
			return 0
		}
		for i, b := range buf[:got] {
			if want := byte((l.received + i) % 251); b != want {
				l.t.Fatalf("byte %d of the stream is %d; want %d (byte i is i mod 251).\n\tExpected: every byte once, in order. After a resume, carry on from where the stream stopped (s.sent), neither skipping nor repeating a chunk.%s", l.received+i, b, want, revisit)
			}
		}
		l.received += got
		return got
	}
}

// checkNoWriteWhilePaused fails at the first write the Streamer made while
// the connection had it paused.
func (l *lab) checkNoWriteWhilePaused() {
	l.t.Helper()
	c := l.spy
	if c == nil || c.ignored+c.selfRes == 0 {
		return
	}
	what := fmt.Sprintf("The Streamer wrote while the connection had it paused: %s, after PauseProducing and before the connection's ResumeProducing; %d write(s) like it so far, and the buffer reached %d bytes (high watermark %d).", c.firstWhilePaused, c.ignored+c.selfRes, c.maxBuffered, high)
	if c.ignored > 0 {
		l.t.Fatalf("%s\n\tExpected: not one write between PauseProducing and ResumeProducing. It ignored the pause: the write loop went on in the very call that was paused. PauseProducing must set a flag that the write loop checks before every write — with a slow client, ignoring it lets the buffer, the server's memory, grow without bound.%s", what, revisit)
	}
	l.t.Fatalf("%s\n\tExpected: not one write between PauseProducing and ResumeProducing. It resumed itself: the writes came later, not from the connection's ResumeProducing (a CallSoon, a timer, a resume of its own). Only the connection knows when its buffer has drained to the low watermark: wait for its ResumeProducing.%s", what, revisit)
}

// stream reads the whole stream, 2 KiB per step, checking every step; it
// stops early once stop() says so.
func (l *lab) stream(stop func() bool) {
	l.t.Helper()
	idle := 0
	for !l.eof && !stop() {
		got := l.read(readStep)
		writes := l.spy.writes
		if idle == 0 {
			l.pass("a loop pass (the client read a little)", 0)
		} else {
			l.pass("a loop pass (the client read a little)", 10*time.Millisecond)
		}
		if got == 0 && !l.eof && l.spy.writes == writes && l.spy.t.BufferedBytes() == 0 {
			idle++
		} else {
			idle = 0
		}
		if idle == 50 {
			l.stalled()
		}
	}
}

// stalled fails: the client has read everything there is, the buffer is
// empty, and nothing more is written.
func (l *lab) stalled() {
	l.t.Helper()
	c := l.spy
	switch {
	case c.resumes > 0 && !c.paused && c.writesAfterResume == 0:
		l.t.Fatalf("the stream stalled at %d of %d bytes: the buffer drained, the connection called ResumeProducing (%d pause(s), %d resume(s)), and the Streamer wrote nothing more — the loop had nothing left to do for 50 passes.\n\tExpected: ResumeProducing starts writing again, from where the stream stopped. Clearing the pause flag is not enough: nothing calls produce again unless ResumeProducing does.%s",
			l.received, l.total, c.pauses, c.resumes, revisit)
	case c.paused:
		l.t.Fatalf("the stream stalled at %d of %d bytes with the Streamer paused and the buffer empty: the connection never resumed it (%d pause(s), %d resume(s)). Did the Streamer unregister itself?%s", l.received, l.total, c.pauses, c.resumes, revisit)
	}
	l.t.Fatalf("the stream stalled at %d of %d bytes: the buffer is empty and the Streamer wrote nothing more for 50 passes (%d pause(s), %d resume(s)).\n\tExpected: it writes until the stream is complete, then unregisters and closes the connection.%s", l.received, l.total, c.pauses, c.resumes, revisit)
}

// A slow client: the Streamer is paused and resumed many times, never
// writes while paused, the buffer stays under the high watermark plus a
// chunk, and the client gets every byte, then the close.
func TestSlowClient(t *testing.T) {
	const total = 512 << 10
	l := newLab(t, total)
	l.stream(func() bool { return false })
	c := l.spy
	switch {
	case l.received != total:
		t.Fatalf("the client read %d bytes and then the end of the stream; want %d.%s", l.received, total, revisit)
	case c.maxBuffered > high+Chunk:
		t.Fatalf("the connection's buffer reached %d bytes; want at most %d (the high watermark, %d, plus one chunk).\n\tThe connection paused the Streamer %d time(s). Write only while not paused.%s", c.maxBuffered, high+Chunk, high, c.pauses, revisit)
	case c.pauses == 0 || c.resumes == 0:
		t.Fatalf("a client reading %d bytes at a time never made the connection pause and resume the Streamer (%d pause(s), %d resume(s)); want both. Is it registered with conn.RegisterProducer?%s", readStep, c.pauses, c.resumes, revisit)
	case c.bytes != total:
		t.Fatalf("the Streamer wrote %d bytes in all; want %d, each once.%s", c.bytes, total, revisit)
	}
	t.Logf("%d bytes in %d writes; %d pauses, %d resumes; at most %d bytes queued", c.bytes, c.writes, c.pauses, c.resumes, c.maxBuffered)
}

// A client that goes away mid-stream: StopProducing, and no write after.
func TestClientLeavesMidStream(t *testing.T) {
	const total = 2 << 20
	l := newLab(t, total)
	l.stream(func() bool { return l.received >= 64<<10 })
	// The client hangs up with data unread: the server's next write or
	// read fails, the connection closes and stops its producer.
	unix.SetsockoptLinger(l.client, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	unix.Close(l.client)
	l.client = -1
	for i := 0; l.lost == nil; i++ {
		if i == 100 {
			t.Fatalf("100 loop passes after the client reset the connection, it has not closed on the server's side.%s", revisit)
		}
		l.pass("a loop pass after the client left", 10*time.Millisecond)
	}
	c := l.spy
	if !c.stopped {
		t.Fatalf("the connection closed (%v) without calling StopProducing: is the Streamer still its producer?%s", l.lost, revisit)
	}
	for range 5 {
		l.pass("a loop pass after the connection closed", 0)
	}
	if c.afterStop > 0 {
		t.Fatalf("the Streamer wrote %d time(s) after StopProducing.\n\tExpected: never again: the connection is gone.%s", c.afterStop, revisit)
	}
}
