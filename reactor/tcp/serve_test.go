package tcp

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// FinalCounters names how long the server ran and what it accepted.
func TestFinalCounters(t *testing.T) {
	loop, err := reactor.New(reactor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Close()
	srv, err := NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for srv.Counters().Accepted == 0 {
		if err := loop.Iterate(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	srv.Run(ctx)
	got := FinalCounters(srv, 1500*time.Millisecond)
	for _, want := range []string{"stopped after 1.5s", "1 accepted", "passes", "output queued: 0 bytes at most, 0 connections dropped at the ceiling"} {
		if !strings.Contains(got, want) {
			t.Errorf("FinalCounters = %q; want it to contain %q", got, want)
		}
	}
}
