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
)

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
