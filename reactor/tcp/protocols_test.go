package tcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
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

// 1,000 concurrent clients send random amounts in random chunks through the
// echo protocol; every byte must come back, in order, on its own connection.
// select is skipped: with clients and server in one process the fds pass
// FD_SETSIZE (1024), which select cannot watch.
func TestEchoIntegrityManyConnections(t *testing.T) {
	const conns = 1000
	for _, b := range backends() {
		if b == "select" {
			continue
		}
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			f, _ := NewFactory("echo", ProtocolOptions{})
			ln := listen(t, loop, f)
			var wg sync.WaitGroup
			errs := make(chan error, conns)
			for i := range conns {
				wg.Go(func() {
					if err := echoClient(ln.Addr(), uint64(i)); err != nil {
						errs <- fmt.Errorf("client %d: %w", i, err)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			var c Counters
			onLoop(loop, func() { c = ln.Counters() })
			if c.Accepted != conns || c.BytesIn != c.BytesOut {
				t.Errorf("counters %+v; want %d accepted and bytes in == bytes out", c, conns)
			}
		})
	}
}

// echoClient writes a random payload in random chunks from one goroutine
// while reading it back in another, and compares every byte.
func echoClient(addr net.Addr, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 42))
	payload := make([]byte, 1+rng.IntN(16<<10))
	for i := range payload {
		payload[i] = byte(rng.Uint32())
	}
	c, err := net.DialTimeout("tcp", addr.String(), safety)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(safety))
	werr := make(chan error, 1)
	go func() {
		rest := payload
		for len(rest) > 0 {
			n := min(len(rest), 1+rng.IntN(4096))
			if _, err := c.Write(rest[:n]); err != nil {
				werr <- err
				return
			}
			rest = rest[n:]
		}
		werr <- c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err := errors.Join(err, <-werr); err != nil {
		return err
	}
	if !bytes.Equal(got, payload) {
		i := 0
		for i < len(got) && i < len(payload) && got[i] == payload[i] {
			i++
		}
		return fmt.Errorf("echo of %d bytes came back as %d bytes, first difference at %d", len(payload), len(got), i)
	}
	return nil
}

// BenchmarkEchoRoundTrip measures one 64-byte request/response through the
// echo protocol on the default backend (client and loop in one process, so
// this is for allocation counts and profiles, not for comparisons; see
// internal/echobench for those).
func BenchmarkEchoRoundTrip(b *testing.B) {
	loop := startLoopB(b)
	f, _ := NewFactory("echo", ProtocolOptions{})
	var ln *Listener
	onLoop(loop, func() { ln, _ = ListenTCP(loop, "127.0.0.1:0", f) })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg, reply := make([]byte, 64), make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		c.Write(msg)
		if _, err := io.ReadFull(c, reply); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	onLoop(loop, func() { ln.Close() })
}
