package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

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
		{"output ceiling with a unit", []string{"--output-ceiling", "1MiB"}, ""},
		{"output ceiling in bytes", []string{"--output-ceiling", "1048576"}, ""},
		{"output ceiling too small", []string{"--output-ceiling", "1KiB"}, "--output-ceiling 1KiB: use 64KiB to 64GiB (default 64MiB)"},
		{"output ceiling too big", []string{"--output-ceiling", "65G"}, "--output-ceiling 65GiB: use 64KiB to 64GiB"},
		{"output ceiling not a size", []string{"--output-ceiling", "lots"}, `--output-ceiling "lots": want a size in bytes such as 65536, 512KiB or 64MiB`},
		{"output ceiling negative", []string{"--output-ceiling", "-1"}, `--output-ceiling "-1": want a size in bytes`},
		{"output ceiling overflows", []string{"--output-ceiling", "9000000000000GiB"}, `--output-ceiling "9000000000000GiB": want a size in bytes`},
		{"output ceiling decimal", []string{"--output-ceiling", "1.5MiB"}, `--output-ceiling "1.5MiB": want a size in bytes`},
		{"max members", []string{"--max-members", "5000"}, ""},
		{"max members 0", []string{"--max-members", "0"}, "--max-members 0: use 1 to 1048576 members (default 1000)"},
		{"max members huge", []string{"--max-members", "2000000"}, "--max-members 2000000: use 1 to 1048576"},
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

// startHeadless runs `serve --headless` with args and returns the bound
// address from its first line, and a stop function that cancels it (what
// SIGINT, SIGTERM and SIGHUP do) and returns its exit code and stderr.
func startHeadless(t *testing.T, args ...string) (addr string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: &stderr,
		fileLimit: func() (uint64, uint64, error) { return 1 << 20, 1 << 20, nil }}
	done := make(chan int, 1)
	go func() {
		code := exitCode(run(ctx, append([]string{"serve", "--headless", "--listen", "127.0.0.1:0"}, args...), e), &stderr)
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
	return first.Text, func() (int, string) {
		cancel()
		go io.Copy(io.Discard, pr)
		return <-done, stderr.String()
	}
}

// serve --headless prints the listen event first and echoes; a cancelled
// context stops it gracefully with one line of final counters on stderr.
func TestServeHeadless(t *testing.T) {
	addr, stop := startHeadless(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from the listen event: %v", addr, err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
		t.Errorf("echo = %q, %v; want ping", got, err)
	}
	code, s := stop()
	if code != 0 {
		t.Errorf("serve --headless after cancel: exit %d, stderr %q; want 0", code, s)
	}
	if strings.Count(s, "\n") != 1 || !strings.HasPrefix(s, "serve: stopped after") || !strings.Contains(s, "1 accepted") {
		t.Errorf("stderr = %q; want one line of final counters with 1 accepted", s)
	}
}

// --max-members reaches the chat room: past it a client is told the room
// is full, and the final counters count it refused.
func TestServeMaxMembers(t *testing.T) {
	addr, stop := startHeadless(t, "--protocol", "chat", "--max-members", "1")
	member, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer member.Close()
	if line, err := bufio.NewReader(member).ReadString('\n'); !strings.HasPrefix(line, "* welcome") {
		t.Fatalf("the first client read %q, %v; want its welcome", line, err)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if got, err := io.ReadAll(extra); !strings.Contains(string(got), "the room is full (1 members") || err != nil {
		t.Errorf("the second client read %q, %v; want the room-full line, then EOF", got, err)
	}
	if code, s := stop(); code != 0 || !strings.Contains(s, "1 refused") {
		t.Errorf("exit %d, stderr %q; want 0 and 1 refused in the final counters", code, s)
	}
}

// --output-ceiling reaches the listener: enough clients that never read
// pass it, and the final counters say how many were dropped there.
func TestServeOutputCeiling(t *testing.T) {
	addr, stop := startHeadless(t, "--output-ceiling", "64KiB")
	var floods []net.Conn
	for range 4 { // each may queue up to 128 KiB before it is paused
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		floods = append(floods, c)
	}
	dropped := make(chan error, len(floods))
	for _, c := range floods {
		go func() {
			chunk := make([]byte, 32<<10)
			for {
				if _, err := c.Write(chunk); err != nil {
					dropped <- err
					return
				}
			}
		}()
	}
	if err := <-dropped; !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		t.Errorf("a flooding client's write failed with %v; want a reset from the server", err)
	}
	for _, c := range floods {
		c.Close()
	}
	code, s := stop()
	if code != 0 || strings.Contains(s, " 0 connections dropped at the ceiling") || !strings.Contains(s, "connections dropped at the ceiling") {
		t.Errorf("exit %d, stderr %q; want 0 and the drops in the final counters", code, s)
	}
}

// A byte size reads back the way help shows it.
func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		text string
	}{
		{"65536", 65536, "64KiB"},
		{"64KiB", 64 << 10, "64KiB"},
		{"64K", 64 << 10, "64KiB"},
		{"3MiB", 3 << 20, "3MiB"},
		{"2G", 2 << 30, "2GiB"},
		{"1536KiB", 1536 << 10, "1536KiB"},
		{"1000", 1000, "1000"},
		{"0", 0, "0"},
	}
	for _, tc := range tests {
		var s byteSize
		if err := s.Set(tc.in); err != nil || int64(s) != tc.want || s.String() != tc.text {
			t.Errorf("Set(%q) = %d (%q), %v; want %d (%q)", tc.in, int64(s), s.String(), err, tc.want, tc.text)
		}
	}
	for _, bad := range []string{"", "lots", "-1", "1.5MiB", "1 MiB", "1TiB", "64kb", "9223372036854775807K"} {
		var s byteSize
		if err := s.Set(bad); err == nil {
			t.Errorf("Set(%q) = %d, nil; want an error", bad, int64(s))
		}
	}
}

// reactorlabProcess starts this test binary as reactorlab (see TestMain)
// with its stdout on a pipe whose read end is returned, and reads the
// first line: the listen event.
func reactorlabProcess(t *testing.T, args ...string) (cmd *exec.Cmd, stdout *os.File, stderr *bytes.Buffer, addr string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "REACTORLAB_TEST_MAIN=1")
	stderr = new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = w, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); r.Close() })
	line, err := bufio.NewReader(r).ReadString('\n')
	var ev tcp.JSONEvent
	if err != nil || json.Unmarshal([]byte(line), &ev) != nil || ev.Kind != "listen" {
		t.Fatalf("first line %q (%v); want the listen event", line, err)
	}
	return cmd, r, stderr, ev.Text
}

// exitOf waits for cmd; a server still running after a minute fails the
// test (a hang guard, not a timing assertion).
func exitOf(t *testing.T, cmd *exec.Cmd, what string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still running after a minute", what)
	}
	return cmd.ProcessState.ExitCode()
}

// `serve --headless | head -1` does what serve --help says: the listen
// event, then the server stops gracefully, with its final counters, when
// the pipe's reader has gone. It used to die of SIGPIPE with no counters.
func TestServeHeadlessStdoutClosed(t *testing.T) {
	cmd, stdout, stderr, _ := reactorlabProcess(t, "serve", "--headless", "--listen", "127.0.0.1:0")
	stdout.Close() // what head does after one line
	if code := exitOf(t, cmd, "serve --headless after its stdout was closed"); code != 0 {
		t.Errorf("exit %d; want 0. stderr: %q", code, stderr)
	}
	if s := stderr.String(); !strings.HasPrefix(s, "serve: stopped after") || !strings.Contains(s, "stdout was closed by its reader") ||
		strings.Count(s, "\n") != 1 {
		t.Errorf("stderr = %q; want one line of final counters saying stdout was closed", s)
	}
}

// A reader that stops reading without closing cannot hold the server up:
// SIGTERM stops it and the trace it could not write is counted as
// dropped. It used to wait on the blocked trace writer until the reader
// drained the pipe.
func TestServeHeadlessStdoutBlocked(t *testing.T) {
	cmd, _, stderr, addr := reactorlabProcess(t, "serve", "--headless", "--listen", "127.0.0.1:0")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for range 2000 { // ~6 trace lines per round trip: far more than a pipe holds
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(t, cmd, "serve --headless after SIGTERM with its stdout unread"); code != 0 {
		t.Errorf("exit %d; want 0. stderr: %q", code, stderr)
	}
	if s := stderr.String(); !strings.Contains(s, "1 accepted") || !strings.Contains(s, "unwritten when the server stopped") {
		t.Errorf("stderr = %q; want the final counters, with the unwritten trace counted as dropped", s)
	}
}

// --no-trace: the listen event, then nothing; it needs --headless.
func TestServeNoTrace(t *testing.T) {
	_, errOut, code := runArgs(t, "serve", "--no-trace")
	if code != 2 || !strings.Contains(errOut, "--no-trace needs --headless") {
		t.Errorf("serve --no-trace: exit %d, %q; want a usage error", code, errOut)
	}
	_, errOut, code = runArgs(t, "serve", "--headless", "--no-trace", "--record", t.TempDir()+"/x.rlt")
	if code != 2 || !strings.Contains(errOut, "a recording is the trace") {
		t.Errorf("serve --headless --no-trace --record: exit %d, %q; want a usage error", code, errOut)
	}
	cmd, stdout, stderr, addr := reactorlabProcess(t, "serve", "--headless", "--no-trace", "--listen", "127.0.0.1:0")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("ping"))
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
		t.Errorf("echo = %q, %v; want ping", got, err)
	}
	c.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	rest, _ := io.ReadAll(stdout)
	if code := exitOf(t, cmd, "serve --headless --no-trace after SIGTERM"); code != 0 {
		t.Errorf("exit %d; want 0. stderr: %q", code, stderr)
	}
	if len(rest) != 0 {
		t.Errorf("stdout after the listen event = %q; want nothing", rest)
	}
	if s := stderr.String(); !strings.Contains(s, "1 accepted") || !strings.Contains(s, "trace: off") {
		t.Errorf("stderr = %q; want final counters saying the trace was off", s)
	}
}
