package lessons

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

// Each child role listens, echoes, measures itself on "mem" and exits
// when its stdin ends.
func TestRunChild(t *testing.T) {
	for _, role := range []string{childGoNet, childReactor} {
		t.Run(role, func(t *testing.T) {
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- runChild(role, inR, outW); outW.Close() }()
			out := bufio.NewReader(outR)
			line, err := out.ReadString('\n')
			addr, ok := strings.CutPrefix(strings.TrimSpace(line), "addr ")
			if err != nil || !ok {
				t.Fatalf("first line %q, %v; want \"addr HOST:PORT\"", line, err)
			}
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("hello\n")); err != nil {
				t.Fatal(err)
			}
			if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "hello\n" {
				t.Fatalf("echo = %q, %v; want \"hello\\n\"", got, err)
			}
			io.WriteString(inW, "mem\n")
			line, _ = out.ReadString('\n')
			m, ok := parseMem(strings.TrimSpace(line))
			if !ok || m.heap <= 0 || m.stack <= 0 || m.conns != 1 || m.goroutines < 1 {
				t.Errorf("mem reply %q = %+v, %v; want heap, stacks, 1 conn and goroutines", line, m, ok)
			}
			c.Close()
			inW.Close()
			if err := <-done; err != nil {
				t.Errorf("runChild(%s) after stdin EOF = %v; want nil", role, err)
			}
		})
	}
	if err := runChild("nope", strings.NewReader(""), io.Discard); err == nil {
		t.Error("runChild(nope) = nil; want an error naming the role")
	}
}

func TestParseMem(t *testing.T) {
	m, ok := parseMem("mem heap=100 stack=2000 conns=3 goroutines=7")
	if !ok || m != (childMem{heap: 100, stack: 2000, conns: 3, goroutines: 7}) {
		t.Errorf("parseMem = %+v, %v", m, ok)
	}
	for _, bad := range []string{"", "addr x", "mem heap=x"} {
		if _, ok := parseMem(bad); ok {
			t.Errorf("parseMem(%q) ok; want not", bad)
		}
	}
}
