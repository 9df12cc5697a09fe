package reactor

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMain fails the package if any test leaked a file descriptor or a
// goroutine.
func TestMain(m *testing.M) {
	before := openFds()
	code := m.Run()
	if code == 0 {
		// Goroutines the tests started have signalled completion but may
		// still be returning: give them a few scheduler turns.
		leaked := leakedGoroutines()
		for i := 0; i < 10000 && leaked != ""; i++ {
			runtime.Gosched()
			leaked = leakedGoroutines()
		}
		if leaked != "" {
			fmt.Fprintf(os.Stderr, "leaked goroutines; want none:\n%s\n", leaked)
			code = 1
		}
	}
	if code == 0 && before != nil {
		after := openFds()
		var leaked []string
		for _, fd := range after {
			if !slices.Contains(before, fd) {
				target, _ := os.Readlink("/proc/self/fd/" + fd)
				leaked = append(leaked, fd+" -> "+target)
			}
		}
		if len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leaked fds after tests: %v; want none\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines returns the stacks of goroutines still running code
// from this package, other than TestMain's own. Runtime and testing
// goroutines (the finalizer, timers) are not counted.
func leakedGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var leaked []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "reactorlab/reactor.") && !strings.Contains(g, "reactor.TestMain") {
			leaked = append(leaked, g)
		}
	}
	return strings.Join(leaked, "\n\n")
}

// openFds lists /proc/self/fd (nil where there is no /proc).
func openFds() []string {
	if runtime.GOOS != "linux" {
		return nil
	}
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	self := fmt.Sprint(d.Fd())
	names = slices.DeleteFunc(names, func(s string) bool { return s == self })
	return names
}

// socketpair returns two connected non-blocking AF_UNIX stream sockets,
// closed when the test ends (closing twice is harmless: the error is ignored).
func socketpair(t testing.TB) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatalf("SetNonblock: %v", err)
		}
	}
	t.Cleanup(func() {
		closeFd(fds[0])
		closeFd(fds[1])
	})
	return fds[0], fds[1]
}

// closed tracks fds a test closed itself so the cleanup does not close a
// reused number owned by someone else.
var closedFds = map[int]bool{}

func closeFd(fd int) {
	if closedFds[fd] {
		delete(closedFds, fd)
		return
	}
	unix.Close(fd)
}

// closeNow closes fd during a test and records it.
func closeNow(fd int) {
	unix.Close(fd)
	closedFds[fd] = true
}

func newLoop(t testing.TB, backend string, cfg ...Config) *Loop {
	t.Helper()
	c := Config{Backend: backend, Heartbeat: -1}
	if len(cfg) > 0 {
		c = cfg[0]
		c.Backend = backend
	}
	l, err := New(c)
	if err != nil {
		t.Fatalf("New(%q) = %v; want a loop", backend, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// iterateUntil runs passes until cond holds. Each pass blocks in the
// kernel for at most 20ms, so this never spins; the generous pass limit
// keeps a loaded machine from failing the test.
func iterateUntil(t testing.TB, l *Loop, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		if err := l.Iterate(20 * time.Millisecond); err != nil {
			t.Fatalf("Iterate: %v (waiting for %s)", err, what)
		}
	}
	if !cond() {
		t.Fatalf("after 1000 passes: still waiting for %s", what)
	}
}

func write(t testing.TB, fd int, s string) {
	t.Helper()
	if n, err := unix.Write(fd, []byte(s)); err != nil || n != len(s) {
		t.Fatalf("write(%d, %q) = %d, %v; want %d, nil", fd, s, n, err, len(s))
	}
}

// readAll reads until EAGAIN or EOF and reports what it got and whether
// EOF was seen.
func readAll(fd int) (string, bool) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return string(out), false
		}
		if n == 0 {
			return string(out), true
		}
		out = append(out, buf[:n]...)
	}
}

// drainKinds collects the kinds seen by sub.
func drainAll(sub *Subscription) []TraceEvent { return sub.Drain(nil) }

func hasKind(evs []TraceEvent, k Kind) (TraceEvent, bool) {
	for _, e := range evs {
		if e.Kind == k {
			return e, true
		}
	}
	return TraceEvent{}, false
}

// idleFds opens n-1 unbound UDP sockets (one fd each, never readable) plus
// one socketpair end made permanently readable, so exactly one of n
// watched fds is ready. One-fd objects let N reach 10,000 under a 20,000
// RLIMIT_NOFILE (perf.md §8).
func idleFds(b *testing.B, n int) (fds []int, ready int) {
	b.Helper()
	raiseLimit(b, n+64)
	a, w := socketpair(b)
	write(b, w, "x")
	for range n - 1 {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			for _, fd := range fds {
				unix.Close(fd)
			}
			b.Skipf("socket #%d: %v", len(fds), err)
		}
		fds = append(fds, fd)
	}
	b.Cleanup(func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	})
	// the ready fd sits in the middle of the set
	mid := len(fds) / 2
	fds = append(fds[:mid], append([]int{a}, fds[mid:]...)...)
	return fds, a
}

func raiseLimit(b *testing.B, need int) {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil || rl.Cur >= uint64(need) {
		return
	}
	if rl.Max < uint64(need) {
		b.Skipf("RLIMIT_NOFILE hard limit %d < %d", rl.Max, need)
	}
	rl.Cur = rl.Max
	unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
}

// register registers fd on l or fails the test.
func register(t testing.TB, l *Loop, fd int, in Interest, label string, h Handler) Registration {
	t.Helper()
	reg, err := l.Register(fd, in, label, h)
	if err != nil {
		t.Fatalf("Register(fd %d, %v) = %v; want nil", fd, in, err)
	}
	return reg
}

// tcpPair returns the two ends of a loopback TCP connection, non-blocking
// raw fds, closed when the test ends. Some cases need TCP: a reset, or a
// peer's close that leaves this side able to write, do not exist for
// AF_UNIX socketpairs.
func tcpPair(t testing.TB) (int, int) {
	t.Helper()
	check := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	check("socket", err)
	defer unix.Close(ln)
	check("bind", unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	check("listen", unix.Listen(ln, 1))
	sa, err := unix.Getsockname(ln)
	check("getsockname", err)
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	check("socket", err)
	check("connect", unix.Connect(c, sa)) // blocking: loopback completes at once
	s, _, err := unix.Accept(ln)
	check("accept", err)
	for _, fd := range []int{c, s} {
		unix.CloseOnExec(fd)
		check("SetNonblock", unix.SetNonblock(fd, true))
	}
	t.Cleanup(func() {
		closeFd(c)
		closeFd(s)
	})
	return s, c
}

// pipe returns a non-blocking pipe (read end, write end), closed when the
// test ends.
func pipe(t testing.TB) (int, int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatalf("pipe: %v", err)
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatalf("SetNonblock: %v", err)
		}
	}
	t.Cleanup(func() {
		closeFd(p[0])
		closeFd(p[1])
	})
	return p[0], p[1]
}

// reset closes fd with SO_LINGER 0, so the peer gets a reset.
func reset(t testing.TB, fd int) {
	t.Helper()
	if err := unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1}); err != nil {
		t.Fatalf("SO_LINGER: %v", err)
	}
	closeNow(fd)
}
