package tcp

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// The slow protocol still echoes, but it holds the loop for its delay,
// which the loop reports as a stall blamed on the connection.
func TestSlowProtocolStallsTheLoop(t *testing.T) {
	loop, err := reactor.New(reactor.Config{StallThreshold: 5 * time.Millisecond, Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	sub := loop.Subscribe(4096)
	done := make(chan error, 1)
	go func() { done <- loop.Run() }()
	defer func() { loop.Stop(); <-done; sub.Close(); loop.Close() }()

	var srv *Server
	onLoop(loop, func() {
		srv, err = NewServer(loop, "127.0.0.1:0", "slow", WithProtocolOptions(ProtocolOptions{SlowDelay: 20 * time.Millisecond}))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onLoop(loop, func() { srv.Close() })
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatalf("slow echo: %v", err)
	}
	drainUntil(t, loop, sub, func(evs []reactor.TraceEvent) bool {
		for _, ev := range evs {
			if ev.Kind == reactor.KindStall && ev.Dur >= 20*time.Millisecond {
				return true
			}
		}
		return false
	})
}

func TestNewFactory(t *testing.T) {
	for _, name := range Protocols() {
		if f, err := NewFactory(name, ProtocolOptions{}); err != nil || f == nil {
			t.Errorf("NewFactory(%q) = %v, %v; want a factory", name, f, err)
		}
	}
	if _, err := NewFactory("gopher", ProtocolOptions{}); err == nil {
		t.Errorf("NewFactory(gopher) = nil error; want unknown protocol")
	}
}
