package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor/load"
)

// Bad load flags are usage errors naming the flag, caught before any
// connection is made.
func TestLoadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "unknown flag --nope"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--addr", "nocolon"}, `--addr "nocolon" is not HOST:PORT`},
		{[]string{"--conns", "0"}, "--conns 0"},
		{[]string{"--idle", "-1"}, "--idle -1"},
		{[]string{"--size", "0"}, "--size 0"},
		{[]string{"--size", "999999999"}, "--size 999999999"},
		{[]string{"--rate", "-1"}, "--rate -1"},
		{[]string{"--rate", "NaN"}, "--rate NaN"},
		{[]string{"--rate", "-Inf"}, "--rate -Inf"},
		{[]string{"--duration", "0s"}, "--duration 0s"},
		{[]string{"--warmup", "-1s"}, "--warmup -1s"},
		{[]string{"--mode", "x"}, `--mode "x"`},
		{[]string{"--server-pid", "-5"}, "--server-pid -5"},
		{[]string{"--server-pid", "999999999"}, "--server-pid 999999999"},
		{[]string{"--conns", "99999999999"}, "need 100000000031 open files"},
		{[]string{"--conns", "1", "--idle", "2000000"}, "--idle 2000000 need 2000033 open files"},
	}
	for _, tc := range tests {
		_, errOut, code := runArgs(t, append([]string{"load"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("load %q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// echoServer answers every connection with what it sends (or, with
// corrupt, with every byte flipped) until the test ends.
func echoServer(t *testing.T, corrupt bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if corrupt {
						for i := range buf[:n] {
							buf[i] ^= 0xff
						}
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestLoadRuns(t *testing.T) {
	addr := echoServer(t, false)
	out, errOut, code := runArgs(t, "load", "--addr", addr, "--conns", "2", "--duration", "100ms", "--verify")
	if code != 0 || !strings.Contains(out, "latency") {
		t.Errorf("load --verify against an echo server: exit %d, stdout %q, stderr %q; want a report", code, out, errOut)
	}
	out, _, code = runArgs(t, "load", "--addr", addr, "--conns", "2", "--duration", "100ms", "--json")
	var rep load.Report
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Requests == 0 {
		t.Errorf("load --json: exit %d, %v, %d requests; want a JSON report with requests:\n%s", code, err, rep.Requests, out)
	}
}

// --verify makes corrupted echoes a failing exit status (1, not a usage error).
func TestLoadVerifyFails(t *testing.T) {
	addr := echoServer(t, true)
	_, errOut, code := runArgs(t, "load", "--addr", addr, "--conns", "1", "--duration", "100ms", "--verify")
	if code != 1 || !strings.Contains(errOut, "load: ") || !strings.Contains(errOut, "errors with --verify") {
		t.Errorf("load --verify against a corrupting server: exit %d, stderr %q; want exit 1 naming the errors", code, errOut)
	}
}

// Nothing listening: one line, exit 1.
func TestLoadCannotConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, errOut, code := runArgs(t, "load", "--addr", addr, "--conns", "1", "--duration", "100ms")
	if code != 1 || !strings.HasPrefix(errOut, "reactorlab: load: could not connect to "+addr) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("load against a closed port: exit %d, stderr %q; want one line saying it could not connect", code, errOut)
	}
}
