package tcp

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Data that arrives together with the FIN is delivered before
// ConnectionLost, which reports a clean close.
func TestHangUpWithPendingData(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			r := newRecorder()
			ln := listen(t, loop, one(r))
			c := dial(t, ln.Addr())
			want := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 KB: several reads
			if _, err := c.Write(want); err != nil {
				t.Fatal(err)
			}
			c.Close()
			err := waitErr(t, r.lost)
			if !errors.Is(err, ErrConnectionDone) {
				t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
			}
			if got := r.received(); !bytes.Equal(got, want) {
				t.Errorf("received %d bytes before ConnectionLost; want all %d", len(got), len(want))
			}
		})
	}
}

// A client closing with a reset while the server is writing is reported as
// ErrConnectionReset.
func TestResetByPeerMidWrite(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			r := newRecorder()
			big := make([]byte, 8<<20)
			r.onMade = func(tr *Transport) { tr.Write(big) }
			ln := listen(t, loop, one(r))
			c := dial(t, ln.Addr())
			<-r.made
			if _, err := io.ReadFull(c, make([]byte, 1000)); err != nil {
				t.Fatal(err)
			}
			c.SetLinger(0) // close sends RST
			c.Close()
			err := waitErr(t, r.lost)
			if !errors.Is(err, ErrConnectionReset) {
				t.Errorf("ConnectionLost(%v); want ErrConnectionReset", err)
			}
			if got := ReasonText(err); got != "reset" {
				t.Errorf("ReasonText = %q; want reset", got)
			}
		})
	}
}

// The client half-closes: the default protocol flushes its echo, then closes.
func TestClientHalfClose(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			r := newRecorder()
			r.onData = func(tr *Transport, d []byte) { tr.Write(d) }
			ln := listen(t, loop, one(r))
			c := dial(t, ln.Addr())
			c.Write([]byte("last words"))
			c.CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil || string(got) != "last words" {
				t.Errorf("after CloseWrite read %q, %v; want %q, nil (EOF)", got, err, "last words")
			}
			if err := waitErr(t, r.lost); !errors.Is(err, ErrConnectionDone) {
				t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
			}
		})
	}
}

// The server half-closes and keeps reading: a HalfCloser protocol.
func TestServerHalfClose(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			r := newRecorder()
			eof := make(chan struct{})
			r.onMade = func(tr *Transport) {
				tr.Write([]byte("greeting"))
				if err := tr.CloseWrite(); err != nil {
					t.Errorf("CloseWrite() = %v", err)
				}
				if _, err := tr.Write([]byte("x")); !errors.Is(err, ErrClosed) {
					t.Errorf("Write after CloseWrite = %v; want ErrClosed", err)
				}
			}
			r.onEOF = func(*Transport) { close(eof) }
			ln := listen(t, loop, one(halfCloser{r}))
			c := dial(t, ln.Addr())
			got, err := io.ReadAll(c)
			if err != nil || string(got) != "greeting" {
				t.Fatalf("read %q, %v; want greeting then EOF", got, err)
			}
			c.Write([]byte("reply"))
			c.CloseWrite()
			<-eof
			if err := waitErr(t, r.lost); !errors.Is(err, ErrConnectionDone) {
				t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
			}
			if got := string(r.received()); got != "reply" {
				t.Errorf("server received %q after its CloseWrite; want reply", got)
			}
		})
	}
}

// Abort resets the connection: the client sees ECONNRESET.
func TestAbortSendsReset(t *testing.T) {
	loop := startLoop(t, "")
	r := newRecorder()
	r.onData = func(tr *Transport, _ []byte) { tr.Abort() }
	ln := listen(t, loop, one(r))
	c := dial(t, ln.Addr())
	c.Write([]byte("x"))
	_, err := c.Read(make([]byte, 1))
	if !errors.Is(err, unix.ECONNRESET) {
		t.Errorf("client read after Abort = %v; want ECONNRESET", err)
	}
	if err := waitErr(t, r.lost); !errors.Is(err, ErrAborted) {
		t.Errorf("ConnectionLost(%v); want ErrAborted", err)
	}
}

// LoseConnection flushes everything already written before closing.
func TestLoseConnectionFlushes(t *testing.T) {
	loop := startLoop(t, "")
	r := newRecorder()
	big := bytes.Repeat([]byte("abcdefgh"), 1<<18) // 2 MiB: most of it buffered
	r.onMade = func(tr *Transport) {
		unix.SetsockoptInt(tr.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
		tr.Write(big)
		if tr.BufferedBytes() == 0 {
			t.Errorf("BufferedBytes() = 0 after a 2 MiB write; want some buffered")
		}
		tr.LoseConnection()
	}
	ln := listen(t, loop, one(r))
	c := dial(t, ln.Addr())
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("read %d bytes, %v; want all %d then EOF", len(got), err, len(big))
	}
	if err := waitErr(t, r.lost); !errors.Is(err, ErrConnectionDone) {
		t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
	}
}

// A panicking protocol loses its own connection; the loop and the other
// connections carry on.
func TestProtocolPanicClosesOnlyItsConnection(t *testing.T) {
	loop := startLoop(t, "")
	r := newRecorder()
	r.onData = func(*Transport, []byte) { panic("bug in a protocol") }
	f, _ := NewFactory("echo", ProtocolOptions{})
	bad := listen(t, loop, one(r))
	good := listen(t, loop, f)
	c := dial(t, bad.Addr())
	c.Write([]byte("boom"))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("read from the panicking protocol's connection succeeded; want EOF or reset")
	}
	if err := waitErr(t, r.lost); err == nil || ReasonText(err) == "clean" {
		t.Errorf("ConnectionLost(%v); want an error naming the panic", err)
	}
	g := dial(t, good.Addr())
	g.Write([]byte("ok"))
	if _, err := io.ReadFull(g, make([]byte, 2)); err != nil {
		t.Errorf("another connection after the panic: %v", err)
	}
}

// bigReply answers the first bytes of a request with one big reply and
// closes, leaving the rest of the request unread: a plain close(2) then
// resets the connection and the reply still on its way is lost.
type bigReply struct {
	reply []byte
	t     *Transport
	lost  chan error
}

func (p *bigReply) ConnectionMade(t *Transport) { p.t = t }

func (p *bigReply) ConnectionLost(err error) { p.lost <- err }

func (p *bigReply) DataReceived([]byte) {
	if !p.t.Disconnecting() {
		p.t.Write(p.reply)
		p.t.LoseConnection()
	}
}

// A 1 MiB pipelined request answered with 8 MiB: the client gets every
// byte and a clean end of file, never ECONNRESET, on every backend.
func TestLingeringCloseDeliversTheWholeReply(t *testing.T) {
	reply := make([]byte, 8<<20)
	for i := range reply {
		reply[i] = byte(i % 253)
	}
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			p := &bigReply{reply: reply, lost: make(chan error, 1)}
			ln := listen(t, loop, one(p))
			c := dial(t, ln.Addr())
			sent := make(chan error, 1)
			go func() { // the whole request, pipelined: not waiting for the reply
				_, err := c.Write(make([]byte, 1<<20))
				sent <- err
			}()
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, reply) {
				t.Fatalf("client read %d bytes, %v; want all %d then EOF", len(got), err, len(reply))
			}
			if err := <-sent; err != nil {
				t.Errorf("client's request write: %v; want it all taken", err)
			}
			c.Close()
			if err := waitErr(t, p.lost); !errors.Is(err, ErrConnectionDone) {
				t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
			}
		})
	}
}

// A peer that keeps the connection open after the server's FIN does not
// keep it for ever: the linger timeout closes it, and no timer is left.
func TestLingerTimeout(t *testing.T) {
	loop := startLoop(t, "")
	sub := loop.Subscribe(1 << 12)
	defer sub.Close()
	r := newRecorder()
	r.onData = func(tr *Transport, _ []byte) { tr.LoseConnection() }
	ln := listen(t, loop, one(r), WithLinger(time.Millisecond))
	c := dial(t, ln.Addr())
	// Hold the loop while the request goes out, so the server's first
	// read (64 KiB) leaves input the protocol never reads: the close has
	// to linger.
	release := make(chan struct{})
	held := make(chan struct{})
	loop.CallFromGoroutine(func() { close(held); <-release })
	<-held
	if _, err := c.Write(make([]byte, 100<<10)); err != nil {
		t.Fatal(err)
	}
	close(release)
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("client read = %d, %v; want EOF (the server's FIN)", n, err)
	}
	// The client never closes: only the linger timeout ends the connection.
	if err := waitErr(t, r.lost); !errors.Is(err, ErrConnectionDone) {
		t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
	}
	evs := drainUntil(t, loop, sub, func(evs []reactor.TraceEvent) bool {
		return slices.ContainsFunc(evs, func(ev reactor.TraceEvent) bool { return ev.Kind == reactor.KindClosed })
	})
	if !slices.ContainsFunc(evs, func(ev reactor.TraceEvent) bool { return ev.Kind == reactor.KindBytesIn && ev.Text == "discarded" }) {
		t.Errorf("no bytes-in event marked discarded; want the lingering close to have read and dropped input")
	}
	var pending int
	onLoop(loop, func() { pending = loop.PendingTimers() })
	if pending != 0 {
		t.Errorf("PendingTimers after the linger timeout = %d; want 0", pending)
	}
}

// Once closed, a transport no longer hands out its old fd number, which
// may already belong to another connection.
func TestFdAfterClose(t *testing.T) {
	loop := startLoop(t, "")
	r := newRecorder()
	ln := listen(t, loop, one(r))
	c := dial(t, ln.Addr())
	tr := <-r.made
	var before, after int
	onLoop(loop, func() {
		before = tr.Fd()
		tr.Abort()
		after = tr.Fd()
	})
	waitErr(t, r.lost)
	c.Close()
	if before < 0 || after != -1 {
		t.Errorf("Fd() before and after Abort = %d, %d; want the fd, then -1", before, after)
	}
	var lfd int
	onLoop(loop, func() {
		ln.Close()
		lfd = ln.Fd()
	})
	if lfd != -1 {
		t.Errorf("Listener.Fd() after Close = %d; want -1", lfd)
	}
}

// Every connection event reaches the loop's trace: listen, accepted, bytes
// in and out, paused and resumed, closed with its reason.
func TestConnectionEventsAreTraced(t *testing.T) {
	loop := startLoop(t, "")
	sub := loop.Subscribe(1024)
	defer sub.Close()
	r := newRecorder()
	r.onData = func(tr *Transport, d []byte) {
		tr.PauseReading()
		tr.Write(d)
		tr.ResumeReading()
	}
	ln := listen(t, loop, one(r))
	c := dial(t, ln.Addr())
	c.Write([]byte("ping"))
	io.ReadFull(c, make([]byte, 4))
	c.Close()
	waitErr(t, r.lost)

	evs := drainUntil(t, loop, sub, func(evs []reactor.TraceEvent) bool {
		return slices.ContainsFunc(evs, func(ev reactor.TraceEvent) bool { return ev.Kind == reactor.KindClosed })
	})
	seen := map[reactor.Kind]string{}
	for _, ev := range evs {
		if _, ok := seen[ev.Kind]; !ok || ev.Kind == reactor.KindClosed {
			seen[ev.Kind] = ev.Text
		}
	}
	for _, k := range []reactor.Kind{reactor.KindListen, reactor.KindAccepted, reactor.KindBytesIn,
		reactor.KindBytesOut, reactor.KindPaused, reactor.KindResumed, reactor.KindClosed} {
		if _, ok := seen[k]; !ok {
			t.Errorf("no %v event in the trace; kinds seen: %v", k, keys(seen))
		}
	}
	if got := seen[reactor.KindClosed]; got != "clean" {
		t.Errorf("closed event text = %q; want clean", got)
	}
	if got := seen[reactor.KindListen]; got != ln.Addr().String() {
		t.Errorf("listen event text = %q; want %s", got, ln.Addr())
	}
}

func keys(m map[reactor.Kind]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k.String())
	}
	slices.Sort(ks)
	return ks
}

// LoseConnection inside DataReceived must not touch the bytes the
// protocol is still looking at: the read buffer is shared, and draining
// the peer's remaining input for the lingering close reads into it.
func TestLoseConnectionKeepsDataReceivedIntact(t *testing.T) {
	loop := startLoop(t, "")
	r := newRecorder()
	changed := make(chan bool, 1)
	r.onData = func(tr *Transport, d []byte) {
		if tr.Disconnecting() {
			return
		}
		before := append([]byte(nil), d...)
		tr.LoseConnection()
		changed <- !bytes.Equal(before, d)
	}
	ln := listen(t, loop, one(r))
	c := dial(t, ln.Addr())
	release := make(chan struct{})
	held := make(chan struct{})
	loop.CallFromGoroutine(func() { close(held); <-release })
	<-held
	req := append(bytes.Repeat([]byte("a"), readBufferSize), bytes.Repeat([]byte("b"), 32<<10)...)
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	close(release)
	if <-changed {
		t.Errorf("DataReceived's bytes changed under it during LoseConnection; want them intact until it returns")
	}
	io.Copy(io.Discard, c)
	c.Close()
	waitErr(t, r.lost)
}
