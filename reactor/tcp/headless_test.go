package tcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

// stuckWriter accepts its first write, then blocks every write until
// released: a pipe whose reader stopped reading.
type stuckWriter struct {
	first   chan struct{} // closed after the first write
	release chan struct{}
	once    sync.Once
}

func newStuckWriter() *stuckWriter {
	return &stuckWriter{first: make(chan struct{}), release: make(chan struct{})}
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	done := false
	w.once.Do(func() { close(w.first); done = true })
	if done {
		return len(p), nil
	}
	<-w.release
	return 0, io.ErrClosedPipe
}

// failingWriter accepts its first write and fails every later one, as a
// pipe does once its reader has gone (EPIPE).
type failingWriter struct{ n atomic.Int32 }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n.Add(1) == 1 {
		return len(p), nil
	}
	return 0, syscall.EPIPE
}

// headlessServer makes a loop, a Headless over w and an echo server.
func headlessServer(t *testing.T, w io.Writer, opts ...HeadlessOption) (*Headless, *Server) {
	t.Helper()
	loop, err := reactor.New(reactor.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loop.Close() })
	h := NewHeadless(loop, w, opts...)
	srv, err := NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		t.Fatal(err)
	}
	return h, srv
}

// echoes makes n round trips to srv on one connection.
func echoes(t *testing.T, srv *Server, n int) {
	t.Helper()
	c := dial(t, srv.Addr())
	defer c.Close()
	buf := make([]byte, 64)
	for range n {
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
}

// A writer stuck in a write cannot hold Run up once the server stopped:
// Run returns, and what the writer held and the ring kept is counted as
// dropped. (Run used to wait for the writer for as long as it blocked.)
func TestHeadlessStuckWriter(t *testing.T) {
	fds, g := openFDs(t), runtime.NumGoroutine()
	w := newStuckWriter()
	h, srv := headlessServer(t, w)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx, srv) }()
	<-w.first
	echoes(t, srv, 200) // the writer is stuck: this trace cannot be written
	cancel()
	if err := waitErr(t, done); err != nil {
		t.Errorf("Run = %v; want nil: the server stopped cleanly", err)
	}
	if s := h.Summary(); !strings.Contains(s, "unwritten when the server stopped") || strings.Contains(s, " 0 dropped") {
		t.Errorf("Summary() = %q; want the unwritten trace counted as dropped", s)
	}
	close(w.release)
	srv.Loop().Close()
	checkLeaks(t, fds, g)
}

// A write that fails (the pipe's reader has gone) stops the server, and
// Run says why.
func TestHeadlessWriterFails(t *testing.T) {
	fds, g := openFDs(t), runtime.NumGoroutine()
	h, srv := headlessServer(t, &failingWriter{})
	done := make(chan error, 1)
	go func() { done <- h.Run(context.Background(), srv) }()
	// The heartbeat alone makes trace to write, so the second write
	// comes; no client needed.
	if err := waitErr(t, done); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Run = %v; want an error wrapping EPIPE", err)
	}
	if s := h.Summary(); !strings.HasPrefix(s, "trace: ") {
		t.Errorf("Summary() = %q; want the trace's counts", s)
	}
	srv.Loop().Close()
	checkLeaks(t, fds, g)
}

// WithoutTrace writes the listen event and nothing more: the loop has no
// subscriber while the server runs.
func TestHeadlessWithoutTrace(t *testing.T) {
	var out bytes.Buffer
	var mu sync.Mutex
	h, srv := headlessServer(t, writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	}), WithoutTrace())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx, srv) }()
	echoes(t, srv, 10)
	tracing := make(chan bool, 1)
	srv.Loop().CallFromGoroutine(func() { tracing <- srv.Loop().Tracing() })
	if <-tracing {
		t.Errorf("Tracing() while serving = true; want no subscriber")
	}
	cancel()
	if err := waitErr(t, done); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	mu.Unlock()
	var ev JSONEvent
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &ev) != nil || ev.Kind != "listen" {
		t.Errorf("output = %q; want one line, the listen event", lines)
	}
	if s := h.Summary(); s != "trace: off" {
		t.Errorf("Summary() = %q; want the trace off", s)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
