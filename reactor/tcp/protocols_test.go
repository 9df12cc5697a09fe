package tcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
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

// lineEcho is a LineHandler that sends every line back: the line-protocol
// base on its own, without chat's room.
type lineEcho struct{ t *Transport }

func (l *lineEcho) ConnectionMade(t *Transport) { l.t = t }
func (l *lineEcho) LineReceived(line []byte) {
	l.t.Write(line)
	l.t.Write([]byte{'\n'})
}
func (l *lineEcho) ConnectionLost(error) {}

// A client that sends without ever reading is the one-line denial of
// service a server must survive. Every built-in protocol bounds what it
// queues for it — echo, slow and line protocols stop reading it above the
// high watermark, discard queues nothing, chat drops a member that falls
// too far behind — and the queue is released when the client leaves. The
// figures come from the listener's counters, on every backend.
func TestProtocolsBoundANonReader(t *testing.T) {
	// What a paused reader may hold: the high watermark plus the replies
	// to the one read that crossed it.
	const paused = DefaultHighWater + readBufferSize
	const backlog = 256 << 10 // the chat room's MaxBacklog here
	lines := bytes.Repeat([]byte(strings.Repeat("spam", 15)+"\n"), 1<<10)
	raw := make([]byte, 64<<10)

	type setup struct {
		factory Factory
		victim  bool // chat: a second member, joined first, that reads nothing either
		chunk   []byte
		settled func(c Counters, conns []*Transport) bool // the flood can do no more
		peak    int64                                     // the most the server may queue
	}
	onePaused := func(_ Counters, conns []*Transport) bool { return len(conns) == 1 && conns[0].ReadingPaused() }
	cases := map[string]func() setup{
		"echo": func() setup {
			f, _ := NewFactory("echo", ProtocolOptions{})
			return setup{factory: f, chunk: raw, settled: onePaused, peak: paused}
		},
		"slow": func() setup {
			f, _ := NewFactory("slow", ProtocolOptions{SlowDelay: time.Microsecond})
			return setup{factory: f, chunk: raw, settled: onePaused, peak: paused}
		},
		"line": func() setup {
			f := FactoryFunc(func(net.Addr) Protocol { return NewLineProtocol(&lineEcho{}, 0) })
			return setup{factory: f, chunk: lines, settled: onePaused, peak: paused}
		},
		"discard": func() setup {
			f, _ := NewFactory("discard", ProtocolOptions{})
			return setup{factory: f, chunk: raw, peak: 0,
				settled: func(c Counters, _ []*Transport) bool { return c.BytesIn >= 8<<20 }}
		},
		"chat": func() setup {
			room := &ChatRoom{MaxBacklog: backlog}
			return setup{factory: room.Factory(), victim: true, chunk: lines, peak: backlog + 4096,
				settled: func(c Counters, _ []*Transport) bool { return c.Closed >= 1 }}
		},
	}
	for _, b := range backends() {
		for _, name := range []string{"echo", "slow", "line", "discard", "chat"} {
			t.Run(b+"/"+name, func(t *testing.T) {
				s := cases[name]()
				loop := startLoop(t, b)
				ln := listen(t, loop, s.factory)
				var clients []net.Conn
				if s.victim {
					clients = append(clients, dial(t, ln.Addr()))
					waitFor(t, loop, "the victim in the room", func() bool { return ln.Counters().Open == 1 })
				}
				attacker := dial(t, ln.Addr())
				clients = append(clients, attacker)
				sent := flood(attacker, s.chunk)

				var c Counters
				waitFor(t, loop, name+" to stop taking the flood", func() bool {
					c = ln.Counters()
					return c.Queued > s.peak || s.settled(c, ln.Conns())
				})
				if c.QueuedPeak > s.peak {
					t.Fatalf("%s queued %d bytes (peak %d) for a client that does not read; want at most %d", name, c.Queued, c.QueuedPeak, s.peak)
				}
				for _, cl := range clients {
					cl.Close()
				}
				n := <-sent
				waitFor(t, loop, "every connection closed", func() bool { c = ln.Counters(); return c.Open == 0 })
				if c.Queued != 0 || c.QueuedPeak > s.peak {
					t.Errorf("after the clients left (the flood sent %d bytes): queued %d, peak %d; want 0 and at most %d", n, c.Queued, c.QueuedPeak, s.peak)
				}
			})
		}
	}
}

// Pausing a client that does not read loses nothing: once it reads, the
// echo resumes, and every byte comes back in order, through as many
// pauses as it takes. Every backend.
func TestEchoResumesAfterPause(t *testing.T) {
	const total = 8 << 20
	payload := make([]byte, total)
	for i := range payload {
		payload[i] = byte(i % 251)
	}
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			f, _ := NewFactory("echo", ProtocolOptions{})
			ln := listen(t, loop, f)
			c := dial(t, ln.Addr())
			werr := make(chan error, 1)
			go func() {
				_, err := c.Write(payload)
				werr <- errors.Join(err, c.CloseWrite())
			}()
			waitFor(t, loop, "the echo to pause its unread client", func() bool {
				conns := ln.Conns()
				return len(conns) == 1 && conns[0].ReadingPaused()
			})
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, payload) {
				t.Errorf("read back %d bytes, %v; want the %d sent, in order", len(got), err, total)
			}
			if err := <-werr; err != nil {
				t.Errorf("writing: %v", err)
			}
			if cs := ln.Counters(); cs.QueuedPeak > DefaultHighWater+readBufferSize {
				t.Errorf("queued at most %d bytes; want at most %d", cs.QueuedPeak, DefaultHighWater+readBufferSize)
			}
		})
	}
}
