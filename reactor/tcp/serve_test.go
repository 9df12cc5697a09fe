package tcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" = ok, "help" = flag.ErrHelp, else a substring of a usage error
	}{
		{"defaults", nil, ""},
		{"help", []string{"--help"}, "help"},
		{"unknown protocol", []string{"--protocol", "http"}, "unknown --protocol"},
		{"unknown backend", []string{"--backend", "kqueue"}, "unknown --backend"},
		{"bad listen", []string{"--listen", "7007"}, "not HOST:PORT"},
		{"public needs flag", []string{"--listen", "0.0.0.0:0"}, "--public"},
		{"empty host needs flag", []string{"--listen", ":7007"}, "--public"},
		{"public allowed", []string{"--listen", "0.0.0.0:0", "--public"}, ""},
		{"ipv6 loopback", []string{"--listen", "[::1]:0"}, ""},
		{"bad budget", []string{"--read-budget", "0"}, "--read-budget"},
		{"stray arg", []string{"now"}, "unexpected argument"},
		{"bad flag", []string{"--nope"}, "not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseServeFlags(tc.args, io.Discard)
			switch tc.wantErr {
			case "":
				if err != nil {
					t.Errorf("parseServeFlags(%q) = %v; want nil", tc.args, err)
				}
			case "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Errorf("parseServeFlags(%q) = %v; want flag.ErrHelp", tc.args, err)
				}
			default:
				var u *UsageError
				if !errors.As(err, &u) || u.ExitCode() != 2 || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("parseServeFlags(%q) = %v; want a usage error (exit 2) mentioning %q", tc.args, err, tc.wantErr)
				}
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve --headless prints the listen event first; the server echoes; a
// cancelled context stops it gracefully with final counters on stderr.
func TestServeHeadless(t *testing.T) {
	// os/signal starts one watcher goroutine for the life of the process
	// on first use; start it now so it is part of the baseline.
	_, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	stop()
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			fds, g := openFDs(t), runtime.NumGoroutine()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			var stderr syncBuffer
			done := make(chan error, 1)
			go func() {
				err := ServeCommand(ctx, []string{"--listen", "127.0.0.1:0", "--headless", "--backend", b}, pw, &stderr, nil)
				pw.Close()
				done <- err
			}()
			lines := bufio.NewScanner(pr)
			if !lines.Scan() {
				t.Fatalf("no output: %v; stderr %q", lines.Err(), stderr.String())
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
				t.Errorf("ServeCommand = %v; want nil after cancel", err)
			}
			// The graceful stop closed our connection cleanly.
			if n, err := c.Read(got); n != 0 || err != io.EOF {
				t.Errorf("client read after stop = %d, %v; want EOF", n, err)
			}
			c.Close()
			if s := stderr.String(); !strings.Contains(s, "1 accepted") || !strings.Contains(s, "stopped after") {
				t.Errorf("stderr = %q; want final counters with 1 accepted", s)
			}
			checkLeaks(t, fds, g)
		})
	}
}

// Without a dashboard, serve says so and serves anyway.
func TestServeWithoutDashboard(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- ServeCommand(ctx, []string{"--listen", "127.0.0.1:0"}, io.Discard, &stderr, nil) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeCommand = %v; want nil", err)
	}
	if s := stderr.String(); !strings.Contains(s, "dashboard is not available") || !strings.Contains(s, "--headless") {
		t.Errorf("stderr = %q; want a clear note that the dashboard is unavailable, suggesting --headless", s)
	}
}

// With a dashboard, serve hands it the server; the dashboard drives the
// loop while it is up.
func TestServeWithDashboard(t *testing.T) {
	var addr string
	dash := func(ctx context.Context, srv *Server) error {
		stop := make(chan struct{})
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				select {
				case <-stop:
					return
				default:
					srv.Loop().Iterate(10 * time.Millisecond)
				}
			}
		}()
		defer func() { close(stop); <-stopped }()
		addr = srv.Addr().String()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		c.Write([]byte("hi"))
		_, err = io.ReadFull(c, make([]byte, 2))
		return err // returning ends serve
	}
	if err := ServeCommand(context.Background(), []string{"--listen", "127.0.0.1:0"}, io.Discard, io.Discard, dash); err != nil {
		t.Errorf("ServeCommand with a dashboard = %v; want nil", err)
	}
	if addr == "" {
		t.Errorf("dashboard did not run")
	}
}
