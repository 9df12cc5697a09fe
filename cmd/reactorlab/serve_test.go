package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// Every serve flag is checked before anything is bound; what the server
// would silently replace is refused. Accepted flags get as far as the
// terminal check (these tests have no terminal), which also comes before
// binding.
func TestServeFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // "" = accepted; else a substring of the usage error
	}{
		{"defaults", nil, ""},
		{"every protocol", []string{"--protocol", "slow"}, ""},
		{"unknown protocol", []string{"--protocol", "http"}, `unknown --protocol "http"; choose one of echo, chat, discard, slow`},
		{"unknown backend", []string{"--backend", "kqueue"}, `unknown --backend "kqueue"; this system has`},
		{"bad listen", []string{"--listen", "7007"}, "not HOST:PORT"},
		{"public needs the flag", []string{"--listen", "0.0.0.0:0"}, "--public"},
		{"empty host needs the flag", []string{"--listen", ":7007"}, "--public"},
		{"public allowed", []string{"--listen", "0.0.0.0:0", "--public"}, ""},
		{"ipv6 loopback", []string{"--listen", "[::1]:0"}, ""},
		{"read budget 0", []string{"--read-budget", "0"}, "--read-budget 0"},
		{"read budget -2", []string{"--read-budget", "-2"}, "--read-budget -2"},
		{"read budget -1 is no budget", []string{"--read-budget", "-1"}, ""},
		{"max line 0", []string{"--max-line", "0"}, "--max-line 0"},
		{"max line -1", []string{"--max-line", "-1"}, "--max-line -1"},
		{"max line huge", []string{"--max-line", "1000000000"}, "--max-line 1000000000"},
		{"slow delay 0", []string{"--slow-delay", "0s"}, "--slow-delay 0s"},
		{"slow delay -1s", []string{"--slow-delay", "-1s"}, "--slow-delay -1s"},
		{"slow delay 1h", []string{"--slow-delay", "1h"}, "--slow-delay 1h0m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runArgs(t, append([]string{"serve"}, tc.args...)...)
			switch {
			case tc.want == "" && (code != 1 || !strings.Contains(errOut, "needs a terminal")):
				t.Errorf("serve %q: exit %d, %q; want the flags accepted", tc.args, code, errOut)
			case tc.want != "" && (code != 2 || !strings.Contains(errOut, tc.want)):
				t.Errorf("serve %q: exit %d, %q; want a usage error containing %q", tc.args, code, errOut, tc.want)
			}
		})
	}
}

// serve --headless prints the listen event first and echoes; a cancelled
// context (what SIGINT, SIGTERM and SIGHUP do) stops it gracefully with one
// line of final counters on stderr.
func TestServeHeadless(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: &stderr,
		fileLimit: func() (uint64, uint64, error) { return 1 << 20, 1 << 20, nil }}
	done := make(chan int, 1)
	go func() {
		code := exitCode(run(ctx, []string{"serve", "--headless", "--listen", "127.0.0.1:0"}, e), &stderr)
		pw.Close()
		done <- code
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no output: %v", lines.Err())
	}
	var first tcp.JSONEvent
	if err := json.Unmarshal(lines.Bytes(), &first); err != nil || first.Kind != "listen" {
		t.Fatalf("first line %q (%v); want a listen event", lines.Text(), err)
	}
	c, err := net.Dial("tcp", first.Text)
	if err != nil {
		t.Fatalf("dial %s from the listen event: %v", first.Text, err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
		t.Errorf("echo = %q, %v; want ping", got, err)
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != 0 {
		t.Errorf("serve --headless after cancel: exit %d, stderr %q; want 0", code, stderr.String())
	}
	if s := stderr.String(); strings.Count(s, "\n") != 1 || !strings.HasPrefix(s, "serve: stopped after") || !strings.Contains(s, "1 accepted") {
		t.Errorf("stderr = %q; want one line of final counters with 1 accepted", s)
	}
}
