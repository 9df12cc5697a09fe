package tcp

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// A write to a socket that can no longer send is an EPIPE error for the
// transport, never a SIGPIPE for the program. The Go runtime ignores
// SIGPIPE on fds other than 1 and 2 only until someone asks for it: an
// embedding program that calls signal.Notify for SIGPIPE would get one
// per failed write(2). SIGWINCH, sent after the write returned, is the
// marker: the runtime queues a SIGPIPE raised by the write before it.
func TestWriteRaisesNoSIGPIPE(t *testing.T) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGPIPE, syscall.SIGWINCH)
	defer signal.Stop(sigs)
	loop := startLoop(t, "")
	r := newRecorder()
	ln := listen(t, loop, one(r))
	dial(t, ln.Addr())
	tr := <-r.made
	var werr error
	onLoop(loop, func() {
		// Shut the socket's sending side behind the transport's back: the
		// next send fails with EPIPE, the error that raises SIGPIPE.
		unix.Shutdown(tr.Fd(), unix.SHUT_WR)
		_, werr = tr.Write([]byte("into the void"))
	})
	if !errors.Is(werr, unix.EPIPE) {
		t.Fatalf("Write after shutdown = %v; want EPIPE", werr)
	}
	if err := waitErr(t, r.lost); !errors.Is(err, ErrConnectionReset) {
		t.Errorf("ConnectionLost(%v); want ErrConnectionReset (broken pipe)", err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	if got := <-sigs; got != syscall.SIGWINCH {
		t.Errorf("first signal after the failed write = %v; want SIGWINCH (no SIGPIPE)", got)
	}
}

// With a read budget, a client that floods the server cannot starve a
// quiet one: the quiet client's request is answered while the flood goes on.
func TestReadBudgetSharesTheLoop(t *testing.T) {
	loop := startLoop(t, "")
	f, _ := NewFactory("echo", ProtocolOptions{})
	ln := listen(t, loop, f, WithReadBudget(16<<10))
	flood := dial(t, ln.Addr())
	quiet := dial(t, ln.Addr())
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // flood: write and read as fast as possible until told to stop
		defer close(done)
		go io.Copy(io.Discard, flood)
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := flood.Write(buf); err != nil {
				return
			}
		}
	}()
	for range 20 {
		quiet.Write([]byte("hi"))
		if _, err := io.ReadFull(quiet, make([]byte, 2)); err != nil {
			t.Fatalf("quiet client: %v", err)
		}
	}
	close(stop)
	flood.Close()
	<-done
}

// upperLines answers every line with its upper-case form, written one byte
// per Write call, so output is chunked as finely as input.
type upperLines struct {
	t    *Transport
	fr   LineFramer
	seen chan int // size of each DataReceived
}

func (u *upperLines) ConnectionMade(t *Transport) { u.t = t }

func (u *upperLines) ConnectionLost(error) {}

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
