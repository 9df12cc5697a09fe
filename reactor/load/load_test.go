package load

import (
	"context"
	"io"
	"math"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// server is a tiny goroutine-per-connection test server.
type server struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// startServer runs handle for every accepted connection until the test ends.
func startServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Go(func() { handle(c); c.Close() })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return ln.Addr().String()
}

func echo(c net.Conn)    { io.Copy(c, c) }
func discard(c net.Conn) { io.Copy(io.Discard, c) }

// corrupt echoes everything but flips one bit of the 100th byte.
func corrupt(c net.Conn) {
	buf := make([]byte, 4096)
	total := 0
	for {
		n, err := c.Read(buf)
		for i := range n {
			if total+i == 99 {
				buf[i] ^= 1
			}
		}
		total += n
		if _, werr := c.Write(buf[:n]); werr != nil || err != nil {
			return
		}
	}
}

func quick(addr string) Options {
	o := DefaultOptions()
	o.Addr = addr
	o.Conns = 4
	o.Duration = 200 * time.Millisecond
	return o
}

func TestRunModes(t *testing.T) {
	echoAddr := startServer(t, echo)
	discardAddr := startServer(t, discard)
	tests := []struct {
		name  string
		addr  string
		tweak func(*Options)
		check func(t *testing.T, r *Report)
	}{
		{"closed loop echo", echoAddr, func(o *Options) { o.Verify = true }, func(t *testing.T, r *Report) {
			if r.P50Us <= 0 || r.P99Us < r.P50Us || r.P999Us < r.P99Us || r.MaxUs < r.P999Us {
				t.Errorf("latencies p50 %g p99 %g p99.9 %g max %g; want positive and ordered", r.P50Us, r.P99Us, r.P999Us, r.MaxUs)
			}
			if r.BytesRecv != r.Requests*uint64(r.Size) {
				t.Errorf("BytesRecv = %d; want %d", r.BytesRecv, r.Requests*uint64(r.Size))
			}
		}},
		{"open loop echo", echoAddr, func(o *Options) { o.Rate = 2000; o.Verify = true; o.Size = 1000 }, func(t *testing.T, r *Report) {
			if r.P50Us <= 0 {
				t.Errorf("P50Us = %g; want > 0", r.P50Us)
			}
			// The schedule caps the count: never more than rate*duration (+1 per conn for rounding).
			if max := uint64(2000*r.Seconds) + uint64(r.Conns); r.Requests > max {
				t.Errorf("Requests = %d; want <= %d at 2000/s", r.Requests, max)
			}
		}},
		{"idle connections", echoAddr, func(o *Options) { o.Idle = 20 }, func(t *testing.T, r *Report) {
			if r.Idle != 20 {
				t.Errorf("Idle = %d; want 20", r.Idle)
			}
		}},
		{"stream echo verified", echoAddr, func(o *Options) { o.Mode = ModeStream; o.Verify = true; o.Size = 333 }, func(t *testing.T, r *Report) {
			if r.BytesRecv == 0 {
				t.Errorf("BytesRecv = 0; want > 0")
			}
		}},
		{"stream discard", discardAddr, func(o *Options) { o.Mode = ModeStream }, func(t *testing.T, r *Report) {
			if r.BytesRecv != 0 {
				t.Errorf("BytesRecv = %d; want 0 from a discard server", r.BytesRecv)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer noLeaks(t, runtime.NumGoroutine())
			o := quick(tc.addr)
			tc.tweak(&o)
			r, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatalf("Run = %v; want nil", err)
			}
			if r.ErrorCount != 0 {
				t.Errorf("ErrorCount = %d (%v); want 0", r.ErrorCount, r.Errors)
			}
			if r.Requests == 0 {
				t.Errorf("Requests = 0; want > 0")
			}
			if r.Conns != o.Conns {
				t.Errorf("Conns = %d; want %d", r.Conns, o.Conns)
			}
			tc.check(t, r)
		})
	}
}

func TestVerifyCatchesCorruption(t *testing.T) {
	addr := startServer(t, corrupt)
	for _, mode := range []string{ModeEcho, ModeStream} {
		t.Run(mode, func(t *testing.T) {
			o := quick(addr)
			o.Mode, o.Verify, o.Conns, o.Size = mode, true, 1, 64
			r, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.ErrorCount != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "byte 35") {
				t.Errorf("errors = %d %q; want one verify error at byte 35 of message 1", r.ErrorCount, r.Errors)
			}
		})
	}
}

func TestConnectFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Run(context.Background(), quick(addr), nil)
	if err == nil || !strings.Contains(err.Error(), "could not connect") {
		t.Errorf("Run against a closed port = %v; want a could-not-connect error", err)
	}
}

// Validate refuses every option out of range, NaN and infinite rates too.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		want string // substring of the error; "" = valid
	}{
		{"defaults", func(*Options) {}, ""},
		{"no addr", func(o *Options) { o.Addr = "" }, "Addr"},
		{"addr without port", func(o *Options) { o.Addr = "nocolon" }, "Addr"},
		{"zero conns", func(o *Options) { o.Conns = 0 }, "Conns"},
		{"negative idle", func(o *Options) { o.Idle = -1 }, "Idle"},
		{"zero size", func(o *Options) { o.Size = 0 }, "Size"},
		{"huge size", func(o *Options) { o.Size = MaxSize + 1 }, "Size"},
		{"negative rate", func(o *Options) { o.Rate = -1 }, "Rate"},
		{"NaN rate", func(o *Options) { o.Rate = math.NaN() }, "Rate"},
		{"infinite rate", func(o *Options) { o.Rate = math.Inf(1) }, "Rate"},
		{"zero duration", func(o *Options) { o.Duration = 0 }, "Duration"},
		{"negative warmup", func(o *Options) { o.Warmup = -time.Second }, "Warmup"},
		{"unknown mode", func(o *Options) { o.Mode = "x" }, "Mode"},
		{"negative server pid", func(o *Options) { o.ServerPID = -5 }, "ServerPID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			err := o.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v; want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v; want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestFormatProgress(t *testing.T) {
	tests := []struct {
		p    Progress
		want string
	}{
		{Progress{Elapsed: -300 * time.Millisecond}, "warming up… 0.3s"},
		{Progress{Elapsed: 2 * time.Second, Requests: 1000, BytesIn: 1 << 20, Errors: 2}, " 2.0/5s  1000 req  500 req/s  1.00 MiB in  2 errors"},
	}
	for _, tc := range tests {
		if got := FormatProgress(tc.p, 5*time.Second, ModeEcho); got != tc.want {
			t.Errorf("FormatProgress(%+v) = %q; want %q", tc.p, got, tc.want)
		}
	}
}

// noLeaks waits (bounded) for the goroutine count to fall back to base: the
// test servers' handlers exit a moment after Run closes its connections.
func noLeaks(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines after Run; want <= %d", runtime.NumGoroutine(), base)
			return
		}
		time.Sleep(time.Millisecond)
	}
}
