package tcp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// upperLines answers every line with its upper-case form, written one byte
// per Write call, so output is chunked as finely as input.
type upperLines struct {
	t    *Transport
	fr   LineFramer
	seen chan int // size of each DataReceived
}

func (u *upperLines) ConnectionMade(t *Transport) { u.t = t }
func (u *upperLines) ConnectionLost(error)        {}
func (u *upperLines) DataReceived(b []byte) {
	u.seen <- len(b)
	u.fr.Feed(b, func(line []byte) bool {
		for _, c := range append(bytes.ToUpper(line), '\n') {
			u.t.Write([]byte{c})
		}
		return true
	})
}

// A protocol must cope with one byte at a time in both directions.
func TestOneByteChunks(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			u := &upperLines{seen: make(chan int, 100)}
			ln := listen(t, loop, one(u))
			c := dial(t, ln.Addr())
			msg := "hello\nworld\n"
			for i := range len(msg) {
				if _, err := c.Write([]byte{msg[i]}); err != nil {
					t.Fatal(err)
				}
				// Wait until the server saw this byte, so every
				// DataReceived gets exactly one.
				if n := <-u.seen; n != 1 {
					t.Fatalf("DataReceived got %d bytes; want 1", n)
				}
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatal(err)
			}
			if want := "HELLO\nWORLD\n"; string(got) != want {
				t.Errorf("reply = %q; want %q", got, want)
			}
		})
	}
}

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

// Addresses are reported on both ends, for IPv4 and IPv6.
func TestAddresses(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			loop := startLoop(t, "")
			r := newRecorder()
			var ln *Listener
			var err error
			onLoop(loop, func() { ln, err = ListenTCP(loop, addr, one(r)) })
			if err != nil {
				t.Skipf("ListenTCP(%s) = %v (no IPv6 here?)", addr, err)
			}
			defer onLoop(loop, func() { ln.Close() })
			if ln.Addr().Port == 0 {
				t.Fatalf("Addr() = %v; want the real port", ln.Addr())
			}
			c := dial(t, ln.Addr())
			tr := <-r.made
			var local, remote string
			onLoop(loop, func() { local, remote = tr.LocalAddr().String(), tr.RemoteAddr().String() })
			if local != c.RemoteAddr().String() || remote != c.LocalAddr().String() {
				t.Errorf("transport local %s remote %s; want %s and %s", local, remote, c.RemoteAddr(), c.LocalAddr())
			}
			c.Close()
			waitErr(t, r.lost)
		})
	}
}

var _ net.Addr = (*net.TCPAddr)(nil)

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
