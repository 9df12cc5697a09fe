package tcp

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A burst of connections fills the first accept batch and grows it.
// The test polls the counters (each poll is a loop round trip) until all
// 300 are in.
func TestAcceptBatchAdapts(t *testing.T) {
	loop := startLoop(t, "")
	ready := make(chan struct{})
	release := make(chan struct{})
	// Hold the loop while 300 clients connect, so they are all queued in
	// the kernel when the loop next looks at the listener.
	f, _ := NewFactory("discard", ProtocolOptions{})
	ln := listen(t, loop, f)
	loop.CallFromGoroutine(func() { close(ready); <-release })
	<-ready
	var cs []net.Conn
	for range 300 {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), safety)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	close(release)
	for {
		var c Counters
		var batch int
		onLoop(loop, func() { c, batch = ln.Counters(), ln.AcceptBatch() })
		if c.Accepted == 300 {
			// 300 queued: passes of 100, 150 and the last 50 leave the
			// batch between the two, above where it started.
			if batch <= DefaultAcceptBatch {
				t.Errorf("AcceptBatch() = %d after a burst of 300; want > %d", batch, DefaultAcceptBatch)
			}
			return
		}
	}
}

// ConnectTCP connects to a listener on the same loop; a refused connect
// reaches ClientConnectionFailed.
func TestConnectTCP(t *testing.T) {
	loop := startLoop(t, "")
	f, _ := NewFactory("echo", ProtocolOptions{})
	ln := listen(t, loop, f)

	client := newRecorder()
	client.onMade = func(tr *Transport) { tr.Write([]byte("ping")) }
	client.onData = func(tr *Transport, _ []byte) { tr.LoseConnection() }
	var conn *Connector
	var err error
	onLoop(loop, func() { conn, err = ConnectTCP(loop, ln.Addr().String(), one(client), time.Minute) })
	if err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, client.lost); !errors.Is(err, ErrConnectionDone) {
		t.Errorf("client ConnectionLost(%v); want ErrConnectionDone", err)
	}
	if got := <-client.got; string(got) != "ping" {
		t.Errorf("client got %q; want ping", got)
	}
	onLoop(loop, func() {
		if conn.Transport() == nil {
			t.Errorf("Connector.Transport() = nil after connecting")
		}
	})

	// Nothing listens on a closed listener's port: connect is refused.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	failed := make(chan error, 1)
	cf := clientFactory{Factory: one(newRecorder()), failed: failed}
	onLoop(loop, func() { _, err = ConnectTCP(loop, addr, cf, time.Minute) })
	if err == nil {
		err = waitErr(t, failed)
	}
	if err == nil {
		t.Errorf("connect to a closed port succeeded; want an error")
	}
}

type clientFactory struct {
	Factory
	failed chan error
}

func (c clientFactory) ClientConnectionFailed(err error) { c.failed <- err }

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

// A connect that never completes (the server's accept queue is full, so
// its SYNs are dropped) fails with ErrConnectTimeout.
func TestConnectTimeout(t *testing.T) {
	a, _ := resolve("127.0.0.1:0")
	fd, bound, err := listenSocket(a, 0) // never accepts: the queue fills at once
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var fillers []net.Conn
	defer func() {
		for _, c := range fillers {
			c.Close()
		}
	}()
	for range 8 { // fill the queue: stop at the first dial that cannot complete
		c, err := net.DialTimeout("tcp", bound.String(), 200*time.Millisecond)
		if err != nil {
			break
		}
		fillers = append(fillers, c)
	}
	loop := startLoop(t, "")
	failed := make(chan error, 1)
	cf := clientFactory{Factory: one(newRecorder()), failed: failed}
	var conn *Connector
	onLoop(loop, func() { conn, err = ConnectTCP(loop, bound.String(), cf, 50*time.Millisecond) })
	if err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, failed); !errors.Is(err, ErrConnectTimeout) {
		t.Errorf("ClientConnectionFailed(%v); want ErrConnectTimeout", err)
	}
	onLoop(loop, func() { conn.Stop() }) // no-op after failure
}
