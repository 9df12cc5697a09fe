package lessons

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// Lesson 13 runs two echo servers as child processes of the lab — the
// reactor's, and a goroutine-per-connection one on Go's net package — so
// that one counter (ptrace, see internal/syscount) measures both the same
// way, and neither shares a process with the screen. A child is this same
// executable, started with ChildEnv naming its role; the command's main
// calls RunChild first thing.
//
// The child speaks a tiny protocol with the lab over its stdio:
//
//	stdout: "addr 127.0.0.1:PORT" once listening
//	stdin:  "mem"  → stdout: "mem heap=BYTES stack=BYTES conns=N goroutines=N"
//	        (after a GC: live heap objects, and the stack spans in use)
//	stdin at EOF: exit
//
// Each runs with GOMAXPROCS=1: one core each, as the reactor uses one.

// ChildEnv is the environment variable that makes this executable one of
// lesson 13's servers instead of the lab.
const ChildEnv = "REACTORLAB_CHILD"

// The children's roles.
const (
	childGoNet   = "gonet-echo"
	childReactor = "reactor-echo"
)

// goNetBuffer is the read buffer each connection's goroutine holds: what
// a Go programmer writes first (bufio's default size).
const goNetBuffer = 4 << 10

// RunChild runs the child role named by ChildEnv, if any, and returns its
// exit status; ok is false when this process is not a child (the lab goes
// on as usual). The lab's main calls it before anything else.
func RunChild() (status int, ok bool) {
	role := os.Getenv(ChildEnv)
	if role == "" {
		return 0, false
	}
	if err := runChild(role, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", role, err)
		return 1, true
	}
	return 0, true
}

// runChild serves role until in reaches EOF.
func runChild(role string, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var conns func() int64
	var serve func() error
	switch role {
	case childGoNet:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		var open atomic.Int64
		conns = open.Load
		context.AfterFunc(ctx, func() { ln.Close() })
		fmt.Fprintf(out, "addr %s\n", ln.Addr())
		serve = func() error { return serveGoNetEcho(ln, &open) }
	case childReactor:
		loop, err := reactor.New(reactor.Config{Heartbeat: -1})
		if err != nil {
			return err
		}
		defer loop.Close()
		srv, err := tcp.NewServer(loop, "127.0.0.1:0", "echo")
		if err != nil {
			return err
		}
		conns = func() int64 { return srv.Counters().Open }
		fmt.Fprintf(out, "addr %s\n", srv.Addr())
		serve = func() error { return srv.Run(ctx) }
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	go func() {
		defer cancel() // EOF: the lab is done with us
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			if sc.Text() == "mem" {
				fmt.Fprintln(out, memLine(conns()))
			}
		}
	}()
	return serve()
}

// serveGoNetEcho is the server Go programmers write first: a goroutine per
// connection, blocking reads and writes. Under them, Go's runtime parks
// each goroutine on its netpoller (epoll) whenever a read finds nothing.
func serveGoNetEcho(ln net.Listener, open *atomic.Int64) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil // closed: the lab is done
		}
		open.Add(1)
		go func() {
			defer open.Add(-1)
			defer c.Close()
			buf := make([]byte, goNetBuffer)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

// memLine measures this process after a GC.
func memLine(conns int64) string {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("mem heap=%d stack=%d conns=%d goroutines=%d", ms.HeapAlloc, ms.StackInuse, conns, runtime.NumGoroutine())
}

// childMem is a parsed "mem" reply.
type childMem struct {
	heap, stack, conns, goroutines int64
}

func parseMem(line string) (childMem, bool) {
	rest, ok := strings.CutPrefix(line, "mem ")
	if !ok {
		return childMem{}, false
	}
	var m childMem
	for _, kv := range strings.Fields(rest) {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return childMem{}, false
		}
		switch k {
		case "heap":
			m.heap = n
		case "stack":
			m.stack = n
		case "conns":
			m.conns = n
		case "goroutines":
			m.goroutines = n
		}
	}
	return m, true
}
