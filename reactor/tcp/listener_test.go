package tcp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// A burst of connections fills the first accept batch and grows it.
// The test polls the counters (each poll is a loop round trip) until all
// 300 are in.
func TestAcceptBatchAdapts(t *testing.T) {
	loop := startLoop(t, "")
	ready := make(chan struct{})
	release := make(chan struct{})
	// Hold the loop while 300 clients connect, so they are all queued in
	// the kernel when the loop next looks at the listener.
	f, _ := NewFactory("discard", ProtocolOptions{})
	ln := listen(t, loop, f)
	loop.CallFromGoroutine(func() { close(ready); <-release })
	<-ready
	var cs []net.Conn
	for range 300 {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), safety)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	close(release)
	for {
		var c Counters
		var batch int
		onLoop(loop, func() { c, batch = ln.Counters(), ln.AcceptBatch() })
		if c.Accepted == 300 {
			// 300 queued: passes of 100, 150 and the last 50 leave the
			// batch between the two, above where it started.
			if batch <= DefaultAcceptBatch {
				t.Errorf("AcceptBatch() = %d after a burst of 300; want > %d", batch, DefaultAcceptBatch)
			}
			return
		}
	}
}

// At the fd limit accept4 says EMFILE before it looks at the queue, so
// after refusing the last queued client with the spare fd, the next
// accept says EMFILE again and the spare's accept finds the queue empty
// (EAGAIN). That is not a failure: the spare fd is back, and the listener
// must keep watching its socket, not pause for 100 ms.
func TestAcceptAtTheFDLimitKeepsWatching(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop, sub, ln := echoListener(t, b)
			c := dial(t, ln.Addr()) // queued in the kernel, not yet accepted
			restore := exhaustFds(t)
			for i := 0; ln.Counters().Refused == 0; i++ {
				if i == 100 {
					restore()
					t.Fatalf("after 100 passes at the fd limit: %+v; want the queued client refused", ln.Counters())
				}
				loop.Iterate(20 * time.Millisecond)
			}
			restore()
			var texts []string
			for _, ev := range sub.Drain(nil) {
				if ev.Kind == reactor.KindRefused {
					texts = append(texts, ev.Text)
				}
			}
			if len(texts) != 1 || strings.Contains(texts[0], "paused") {
				t.Errorf("refusals traced: %q; want one, without pausing", texts)
			}
			watched := slices.ContainsFunc(loop.Watched(), func(w reactor.WatchInfo) bool {
				return w.Fd == ln.Fd() && w.Interest == reactor.Readable
			})
			if !watched || loop.PendingTimers() != 0 {
				t.Errorf("listener watched for reading: %v, pending timers %d; want true, 0 (no retry pause)", watched, loop.PendingTimers())
			}
			if _, err := c.Read(make([]byte, 1)); err == nil {
				t.Errorf("refused client read succeeded; want EOF or reset")
			}
		})
	}
}

// echoListener is an echo listener on a new loop of backend (no
// heartbeat: the test drives every pass), with a trace subscription; all
// are closed at cleanup.
func echoListener(t *testing.T, backend string) (*reactor.Loop, *reactor.Subscription, *Listener) {
	t.Helper()
	loop, err := reactor.New(reactor.Config{Backend: backend, Heartbeat: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loop.Close() })
	sub := loop.Subscribe(1 << 12)
	t.Cleanup(sub.Close)
	f, _ := NewFactory("echo", ProtocolOptions{})
	ln, err := ListenTCP(loop, "127.0.0.1:0", f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return loop, sub, ln
}

// With the EMFILE guard off, a queued client at the fd limit makes the
// listener ready on every pass and every accept fails: the spin a naive
// loop falls into, reported once rather than on every pass. With the
// guard back on, the queued client is refused with the spare fd and the
// spin stops.
func TestSetFDGuard(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop, sub, ln := echoListener(t, b)
			ln.SetFDGuard(false)
			if ln.FDGuard() {
				t.Fatalf("FDGuard() = true after SetFDGuard(false)")
			}
			c := dial(t, ln.Addr()) // queued in the kernel, not yet accepted
			restore := exhaustFds(t)
			defer restore()
			const passes = 20
			for range passes {
				loop.Iterate(time.Second) // returns at once: the socket stays readable
			}
			ready, errs := 0, 0
			for _, ev := range sub.Drain(nil) {
				switch {
				case ev.Kind == reactor.KindReady && int(ev.Fd) == ln.Fd():
					ready++
				case ev.Kind == reactor.KindError:
					errs++
					if !strings.Contains(ev.Text, "EMFILE") && !strings.Contains(ev.Text, "too many open files") {
						t.Errorf("error traced: %q; want it to name EMFILE", ev.Text)
					}
				}
			}
			if got := ln.Counters(); ready != passes || got.AcceptErrors != passes || got.Refused != 0 || errs != 1 {
				t.Errorf("guard off: listener ready in %d of %d passes, %+v, %d errors traced; want every pass, %d accept errors, none refused, 1 error",
					ready, passes, got, errs, passes)
			}
			ln.SetFDGuard(true)
			for i := 0; ln.Counters().Refused == 0; i++ {
				if i == 100 {
					t.Fatalf("after 100 passes with the guard back on: %+v; want the queued client refused", ln.Counters())
				}
				loop.Iterate(20 * time.Millisecond)
			}
			restore()
			if _, err := c.Read(make([]byte, 1)); err == nil {
				t.Errorf("refused client read succeeded; want EOF or reset")
			}
		})
	}
}

// exhaustFds lowers RLIMIT_NOFILE to just above the fds in use and fills
// every free number below it, so the next fd anyone asks for fails with
// EMFILE. The returned func undoes both. No other goroutine of this test
// may need an fd meanwhile: the test drives its loop with Iterate.
func exhaustFds(t *testing.T) (restore func()) {
	t.Helper()
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	highest := 0
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			highest = max(highest, n)
		}
	}
	lowered := rl
	lowered.Cur = uint64(highest + 1)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lowered); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	var fillers []int
	for {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			break
		}
		fillers = append(fillers, fd)
	}
	return func() {
		for _, fd := range fillers {
			unix.Close(fd)
		}
		fillers = nil
		unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
	}
}

// A listener paused for want of a spare fd leaves no retry timer behind
// when it is closed.
func TestListenerCloseCancelsRetry(t *testing.T) {
	loop := startLoop(t, "")
	f, _ := NewFactory("echo", ProtocolOptions{})
	ln := listen(t, loop, f)
	var pending int
	onLoop(loop, func() {
		ln.closeReserve() // as if something else had taken the spare fd
		ln.refuseOne()    // out of fds with no spare: pause accepting
		if loop.PendingTimers() != 1 {
			t.Errorf("PendingTimers while paused = %d; want 1 (the retry)", loop.PendingTimers())
		}
		ln.Close()
		pending = loop.PendingTimers()
	})
	if pending != 0 {
		t.Errorf("PendingTimers after Close = %d; want 0 (the retry cancelled)", pending)
	}
}

const emfileChildEnv = "REACTORLAB_TCP_EMFILE_CHILD"

// TestEMFILE runs a server in a child process whose fd limit is a handful
// above what it already uses, then drives it past the limit from here:
// while saturated the server keeps serving existing clients, refuses new
// ones without spinning, and accepts again once fds are freed.
func TestEMFILE(t *testing.T) {
	if os.Getenv(emfileChildEnv) != "" {
		t.Skip("running as the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEMFILEChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out := bufio.NewScanner(stdout)
	// expect reads child lines until one starts with prefix.
	expect := func(prefix string) string {
		t.Helper()
		for out.Scan() {
			if line := out.Text(); strings.HasPrefix(line, prefix) {
				return strings.TrimPrefix(line, prefix)
			}
		}
		t.Fatalf("child exited before printing %q: %v", prefix, out.Err())
		return ""
	}
	stats := func() (s childStats) {
		t.Helper()
		fmt.Fprintln(stdin, "stats")
		fmt.Sscanf(expect("stats "), "accepted=%d refused=%d open=%d passes=%d cpu_us=%d",
			&s.accepted, &s.refused, &s.open, &s.passes, &s.cpuUs)
		return s
	}
	addr := expect("addr ")

	// Open clients until the server starts refusing.
	var good []net.Conn
	refused := 0
	for len(good) < 100 && refused < 3 {
		c, ok := tryEcho(t, addr)
		if ok {
			good = append(good, c)
		} else {
			refused++
		}
	}
	if len(good) == 0 || refused == 0 {
		t.Fatalf("%d clients served, %d refused; want some of each", len(good), refused)
	}

	// Saturated: measure the child over a quiet window. A loop spinning
	// on an accept that keeps failing would run thousands of passes.
	before := stats()
	start := time.Now()
	time.Sleep(300 * time.Millisecond) // a measurement window, not synchronisation
	after := stats()
	wall := time.Since(start)
	cpu := time.Duration(after.cpuUs-before.cpuUs) * time.Microsecond
	t.Logf("saturated for %v: %d passes, %v CPU (%d served, %d refused so far)",
		wall.Round(time.Millisecond), after.passes-before.passes, cpu, len(good), after.refused)
	if n := after.passes - before.passes; n > 100 {
		t.Errorf("%d loop passes in %v while saturated; want a quiet loop (no spinning)", n, wall)
	}
	if cpu > wall/4 {
		t.Errorf("child used %v CPU in %v while saturated; want little", cpu, wall)
	}
	if after.refused < uint64(refused) {
		t.Errorf("server counted %d refused; want >= %d", after.refused, refused)
	}

	// Existing clients are still served.
	for i, c := range good {
		if err := echoOnce(c); err != nil {
			t.Errorf("existing client %d while saturated: %v", i, err)
		}
	}

	// Free two fds; the server must accept again (retrying: the server
	// notices the closes asynchronously, refusing meanwhile).
	good[0].Close()
	good[1].Close()
	good = good[2:]
	accepted := false
	for attempt := 0; attempt < 1000 && !accepted; attempt++ {
		var c net.Conn
		if c, accepted = tryEcho(t, addr); accepted {
			good = append(good, c)
		}
	}
	if !accepted {
		t.Errorf("no connection accepted after freeing fds")
	}
	for _, c := range good {
		c.Close()
	}

	fmt.Fprintln(stdin, "quit")
	leak := expect("fds ")
	var fdsBefore, fdsAfter int
	fmt.Sscanf(leak, "before=%d after=%d", &fdsBefore, &fdsAfter)
	if fdsAfter > fdsBefore {
		t.Errorf("child fds before the server %d, after it stopped %d; want no leak", fdsBefore, fdsAfter)
	}
	stdin.Close()
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
}

type childStats struct {
	accepted, refused, passes, cpuUs uint64
	open                             int64
}

// tryEcho connects and does one round trip; false means the server refused.
func tryEcho(t *testing.T, addr string) (net.Conn, bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, safety)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(safety))
	if echoOnce(c) != nil {
		c.Close()
		return nil, false
	}
	return c, true
}

func echoOnce(c net.Conn) error {
	if _, err := c.Write([]byte("x")); err != nil {
		return err
	}
	_, err := io.ReadFull(c, make([]byte, 1))
	return err
}

// TestEMFILEChild is the server side of TestEMFILE; it only runs in the
// child process.
func TestEMFILEChild(t *testing.T) {
	if os.Getenv(emfileChildEnv) == "" {
		t.Skip("only runs as TestEMFILE's child")
	}
	// The Go runtime creates its own epoll fd lazily, on the first timer;
	// make it exist now or it would die for lack of an fd later.
	time.AfterFunc(time.Hour, func() {}).Stop()
	fdsBefore := openFDs(t)
	loop, err := reactor.New(reactor.Config{Backend: "epoll"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(loop, "127.0.0.1:0", "echo")
	if err != nil {
		t.Fatal(err)
	}
	// Room for a few connections only.
	limit := uint64(openFDs(t) + 6)
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
	rl.Cur = limit
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("addr %s\n", srv.Addr())

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			switch in.Text() {
			case "stats":
				c, st := srv.Counters(), loop.Stats()
				var ru unix.Rusage
				unix.Getrusage(unix.RUSAGE_SELF, &ru)
				cpu := ru.Utime.Nano() + ru.Stime.Nano()
				fmt.Printf("stats accepted=%d refused=%d open=%d passes=%d cpu_us=%d\n",
					c.Accepted, c.Refused, c.Open, st.Passes, cpu/1000)
			case "quit":
				cancel()
				return
			}
		}
		cancel()
	}()
	if err := srv.Run(ctx); err != nil {
		t.Error(err)
	}
	loop.Close()
	rl.Cur = rl.Max
	unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
	fmt.Printf("fds before=%d after=%d\n", fdsBefore, openFDs(t))
}
