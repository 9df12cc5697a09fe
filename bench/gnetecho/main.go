//go:build linux

// Command gnetecho is a gnet v2 echo server with a single event loop, for
// reactor/tcp/internal/echobench's -external flag. It lives in its own
// module so the main module does not depend on gnet.
//
// It prints "addr HOST:PORT", answers "mem" lines on stdin with
// "mem rss=BYTES go=BYTES", and exits when stdin closes.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

type echo struct{ gnet.BuiltinEventEngine }

// OnBoot reports the bound address (gnet was asked for port 0).
func (e *echo) OnBoot(eng gnet.Engine) gnet.Action {
	fd, err := eng.Dup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnetecho: dup listener:", err)
		return gnet.Shutdown
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnetecho: getsockname:", err)
		return gnet.Shutdown
	}
	if a, ok := sa.(*unix.SockaddrInet4); ok {
		fmt.Printf("addr %d.%d.%d.%d:%d\n", a.Addr[0], a.Addr[1], a.Addr[2], a.Addr[3], a.Port)
	}
	return gnet.None
}

// OnTraffic echoes whatever arrived.
func (e *echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	c.Write(buf)
	return gnet.None
}

func main() {
	runtime.GOMAXPROCS(1)
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			if in.Text() == "mem" {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				fmt.Printf("mem rss=%d go=%d\n", rss(), ms.HeapInuse+ms.StackInuse)
			}
		}
		os.Exit(0)
	}()
	err := gnet.Run(&echo{}, "tcp://127.0.0.1:0", gnet.WithMulticore(false), gnet.WithNumEventLoop(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnetecho:", err)
		os.Exit(1)
	}
}

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
