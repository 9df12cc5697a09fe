//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// pinSelf makes the whole process run on one CPU by re-executing itself
// under taskset (sched_setaffinity on the running process would pin only
// the calling thread, not the runtime's other threads). Without taskset it
// pins what it can and says so.
func pinSelf(cpu int) {
	const env = "ECHOBENCH_PINNED"
	if os.Getenv(env) != "" {
		return
	}
	tp, err := exec.LookPath("taskset")
	if err != nil {
		fmt.Fprintln(os.Stderr, "echobench: taskset not found; running unpinned")
		return
	}
	argv := append([]string{tp, "-c", strconv.Itoa(cpu)}, os.Args...)
	err = syscall.Exec(tp, argv, append(os.Environ(), env+"=1"))
	fmt.Fprintln(os.Stderr, "echobench: exec taskset:", err)
}

// serve runs one echo server (kind "gonet", a reactor backend name, or
// one with "-blocking" appended) on CPU 0 with GOMAXPROCS=1. It prints
// "addr HOST:PORT", answers "mem" lines on stdin with its memory use, and
// exits when stdin closes.
func serve(kind string) error {
	runtime.GOMAXPROCS(1) // the parent also pins this process to CPU 0 with taskset
	if path := os.Getenv("ECHOBENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			if in.Text() == "mem" {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				fmt.Printf("mem rss=%d go=%d\n", rss(), ms.HeapInuse+ms.StackInuse)
			}
		}
		cancel()
	}()
	if kind == "gonet" {
		return serveGoNet(ctx)
	}
	// "epoll-blocking": the backend blocking in its wait syscall instead
	// of parking on Go's netpoller, for comparison.
	backend, blocking := strings.CutSuffix(kind, "-blocking")
	loop, err := reactor.New(reactor.Config{Backend: backend, Heartbeat: -1, BlockingWait: blocking})
	if err != nil {
		return err
	}
	defer loop.Close()
	srv, err := tcp.NewServer(loop, "127.0.0.1:0", "echo", tcp.WithBacklog(4096))
	if err != nil {
		return err
	}
	fmt.Printf("addr %s\n", srv.Addr())
	return srv.Run(ctx)
}

// serveGoNet is the goroutine-per-connection echo server Go programmers
// write first: one goroutine and one 16 KiB buffer per client.
func serveGoNet(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("addr %s\n", ln.Addr())
	context.AfterFunc(ctx, func() { ln.Close() })
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 16<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					if err != io.EOF {
						return
					}
					return
				}
			}
		}()
	}
}

// rss returns this process's resident set size in bytes.
func rss() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
