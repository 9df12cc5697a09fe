package tcp

import (
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

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
