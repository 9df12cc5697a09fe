package tcp

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Headless writes the listen event first; the server echoes; a cancelled
// context stops it gracefully, leaving nothing open.
func TestHeadlessRun(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			fds, g := openFDs(t), runtime.NumGoroutine()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			loop, err := reactor.New(reactor.Config{Backend: b})
			if err != nil {
				t.Fatal(err)
			}
			h := NewHeadless(loop, pw)
			srv, err := NewServer(loop, "127.0.0.1:0", "echo")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				err := h.Run(ctx, srv)
				pw.Close()
				done <- err
			}()
			lines := bufio.NewScanner(pr)
			if !lines.Scan() {
				t.Fatalf("no output: %v", lines.Err())
			}
			var first JSONEvent
			if err := json.Unmarshal(lines.Bytes(), &first); err != nil || first.Kind != "listen" {
				t.Fatalf("first line %q (%v); want a listen event", lines.Text(), err)
			}
			c, err := net.Dial("tcp", first.Text)
			if err != nil {
				t.Fatalf("dial %s from the listen event: %v", first.Text, err)
			}
			c.Write([]byte("ping"))
			got := make([]byte, 4)
			if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
				t.Errorf("echo = %q, %v; want ping", got, err)
			}
			// Keep reading the trace until the accepted event shows up.
			for lines.Scan() {
				var ev JSONEvent
				json.Unmarshal(lines.Bytes(), &ev)
				if ev.Kind == "bytes-out" {
					break
				}
			}
			cancel()
			go io.Copy(io.Discard, pr)
			if err := <-done; err != nil {
				t.Errorf("Headless.Run = %v; want nil after cancel", err)
			}
			// The graceful stop closed our connection cleanly.
			if n, err := c.Read(got); n != 0 || err != io.EOF {
				t.Errorf("client read after stop = %d, %v; want EOF", n, err)
			}
			c.Close()
			if s := FinalCounters(srv, time.Second); !strings.Contains(s, "1 accepted") {
				t.Errorf("FinalCounters after the run = %q; want 1 accepted", s)
			}
			loop.Close()
			checkLeaks(t, fds, g)
		})
	}
}

// listenFirst moves listen events to the front and keeps the others in order.
func TestListenFirst(t *testing.T) {
	evs := []reactor.TraceEvent{{Kind: reactor.KindRegister, Fd: 1}, {Kind: reactor.KindPassStart, N: 1},
		{Kind: reactor.KindListen, Fd: 7}, {Kind: reactor.KindRegister, Fd: 7}}
	listenFirst(evs)
	want := []reactor.TraceEvent{{Kind: reactor.KindListen, Fd: 7}, {Kind: reactor.KindRegister, Fd: 1},
		{Kind: reactor.KindPassStart, N: 1}, {Kind: reactor.KindRegister, Fd: 7}}
	for i := range want {
		if evs[i].Kind != want[i].Kind || evs[i].Fd != want[i].Fd {
			t.Errorf("after listenFirst, event %d = %v fd %d; want %v fd %d", i, evs[i].Kind, evs[i].Fd, want[i].Kind, want[i].Fd)
		}
	}
}
