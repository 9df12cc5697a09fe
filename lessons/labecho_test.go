package lessons

import (
	"bufio"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// labScenario starts the raw echo on backend with every injector of
// lessons 5 and 6 offered.
func labScenario(t *testing.T, backend string, keepGhosts bool) *Driver {
	t.Helper()
	if b, _ := reactor.LookupBackend(backend); !b.Available {
		t.Skipf("%s is not available here", backend)
	}
	return startScenario(t, Scenario{Backend: backend, Server: RawEcho, KeepGhosts: keepGhosts,
		Injectors: []string{injEdge, injPartial, injOneShot, injRearm, injDupTrap, injDeregFirst, injSpurious}})
}

// labClient connects to d's server and waits until the server has
// accepted it (so connections are numbered in the order they dial).
func labClient(t *testing.T, d *Driver) (net.Conn, *bufio.Reader) {
	t.Helper()
	before := labConns(d)
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	waitFor(t, "the server to accept", func() bool { return labConns(d) > before })
	return c, bufio.NewReader(c)
}

// labConns counts the raw echo's connections, on the loop goroutine.
func labConns(d *Driver) int {
	n := make(chan int, 1)
	d.post(func() { n <- len(d.lab.conns) })
	return <-n
}

// onLoop runs fn on the loop goroutine and waits for it.
func onLoop(d *Driver, fn func()) {
	done := make(chan struct{})
	d.post(func() { fn(); close(done) })
	<-done
}

// unreadOf is what the raw echo last sampled as unread on the
// connection whose peer is c.
func unreadOf(d *Driver, c net.Conn) int {
	port := c.LocalAddr().(*net.TCPAddr).Port
	n := -1
	onLoop(d, func() {
		for _, lc := range d.lab.conns {
			if lc.label == "echo :"+strconv.Itoa(port) {
				n = lc.unread
			}
		}
	})
	return n
}

func say(t *testing.T, c net.Conn, r *bufio.Reader, line string) {
	t.Helper()
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound, not a measurement
	got, err := r.ReadString('\n')
	if err != nil || got != line+"\n" {
		t.Fatalf("echo of %q = %q, %v", line, got, err)
	}
}

// The raw echo echoes; with the one-byte handler on a level-triggered
// backend it still does, one report per byte.
func TestLabEchoLevelTriggeredForgives(t *testing.T) {
	checkNoLeaks(t)
	d := labScenario(t, "poll", false)
	c, r := labClient(t, d)
	say(t, c, r, "hello")
	if err := d.Inject(injPartial, true); err != nil {
		t.Fatal(err)
	}
	d.sync()
	before := d.Stats().Reads
	say(t, c, r, "one byte at a time")
	if got := d.Stats().Reads - before; got < uint64(len("one byte at a time\n")) {
		t.Errorf("reads for a 19-byte line with the one-byte handler = %d; want one per byte at least", got)
	}
}

// Under edge triggering the one-byte handler hangs: the second
// connection (edge-triggered) echoes one byte and its line stays unread
// however many passes run, while the first (level-triggered) echoes in
// full. Fixing the handler drains it.
func TestLabEchoEdgeTriggeredHang(t *testing.T) {
	checkNoLeaks(t)
	d := labScenario(t, "epoll", false)
	lc, lr := labClient(t, d) // first: level-triggered
	ec, er := labClient(t, d) // second: edge-triggered
	for _, id := range []string{injPartial, injEdge} {
		if err := d.Inject(id, true); err != nil {
			t.Fatal(err)
		}
	}
	d.sync()
	if _, err := ec.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	ec.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := er.ReadByte(); err != nil || b != 'h' {
		t.Fatalf("first echoed byte = %q, %v; want 'h'", b, err)
	}
	waitFor(t, "the unread sample", func() bool { return unreadOf(d, ec) == 5 })
	passes := d.Stats().Passes
	say(t, lc, lr, "level goes on") // the level-triggered neighbour is fine
	waitFor(t, "twenty more passes", func() bool { return d.Stats().Passes >= passes+20 })
	if n := unreadOf(d, ec); n != 5 {
		t.Fatalf("edge-triggered connection twenty passes on: %d bytes unread; want the 5 still there", n)
	}
	if err := d.Inject(injPartial, false); err != nil { // the fix
		t.Fatal(err)
	}
	if rest, err := er.ReadString('\n'); err != nil || rest != "ello\n" {
		t.Fatalf("after the fix the rest of the echo = %q, %v; want \"ello\\n\"", rest, err)
	}
}

// A one-shot registration that is not re-armed goes silent after one
// report; re-arming reports the line that waited.
func TestLabEchoOneShot(t *testing.T) {
	checkNoLeaks(t)
	d := labScenario(t, "epoll", false)
	c, r := labClient(t, d)
	if err := d.Inject(injOneShot, true); err != nil {
		t.Fatal(err)
	}
	d.sync()
	say(t, c, r, "first") // the one report
	d.sync()              // its handler has returned: the next line is not read in the same go
	if _, err := c.Write([]byte("second\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second line to wait unread", func() bool { return unreadOf(d, c) == 7 })
	if err := d.Inject(injRearm, true); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ReadString('\n'); err != nil || got != "second\n" {
		t.Fatalf("after re-arming: %q, %v; want the second line", got, err)
	}
	say(t, c, r, "third") // re-armed after every report from now on
}

// The dup trap with the loop's safety net off: once the connection is
// closed while registered and its client sends a line, every pass reports
// the file nobody watches; closing the dup ends it. In the right order
// (deregister first) nothing is reported at all.
func TestLabEchoDupTrap(t *testing.T) {
	checkNoLeaks(t)
	for _, first := range []bool{false, true} {
		d := labScenario(t, "epoll", true)
		sub := d.Subscribe(1 << 14)
		c, r := labClient(t, d)
		say(t, c, r, "before")
		if first {
			if err := d.Inject(injDeregFirst, true); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Inject(injDupTrap, true); err != nil {
			t.Fatal(err)
		}
		d.sync()
		if !d.InjectorOn(injDupTrap) {
			t.Fatalf("InjectorOn(dup-trap) = false with a dup held")
		}
		if _, err := c.Write([]byte("into the void\n")); err != nil {
			t.Fatal(err)
		}
		// Count passes with stale reports among the next twenty.
		var evs []reactor.TraceEvent
		passes, stale, staleNow := 0, 0, false
		waitFor(t, "twenty passes", func() bool {
			evs = sub.Drain(evs[:0])
			for _, ev := range evs {
				switch ev.Kind {
				case reactor.KindStaleDropped:
					staleNow = true
				case reactor.KindPassEnd:
					passes++
					if staleNow {
						stale++
					}
					staleNow = false
				}
			}
			return passes >= 20 && (first || stale >= 15)
		})
		if first && stale > 0 {
			t.Errorf("deregister first: %d passes with stale reports; want none", stale)
		}
		if err := d.Inject(injDupTrap, false); err != nil { // close the dup
			t.Fatal(err)
		}
		d.sync()
		sub.Drain(evs[:0])
		passes, stale = 0, 0
		waitFor(t, "ten passes after closing the dup", func() bool {
			evs = sub.Drain(evs[:0])
			for _, ev := range evs {
				switch ev.Kind {
				case reactor.KindStaleDropped:
					stale++
				case reactor.KindPassEnd:
					passes++
				}
			}
			return passes >= 10
		})
		if stale > 1 {
			t.Errorf("deregister first %v: %d stale reports after the dup was closed; want the trap over", first, stale)
		}
		sub.Close()
		d.Close()
	}
}

// A report with nothing behind it, on a blocking fd: the other reader
// answers the line, and the handler's read then waits — the fd blocking,
// the loop held — until the client's next line, which it echoes; then the
// fd is non-blocking again.
func TestLabEchoSpurious(t *testing.T) {
	checkNoLeaks(t)
	d := labScenario(t, "poll", false)
	c, r := labClient(t, d)
	say(t, c, r, "warm up")
	fd := -1
	onLoop(d, func() {
		for _, lc := range d.lab.conns {
			fd = lc.fd
		}
	})
	blocking := func() bool {
		fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		return err == nil && fl&unix.O_NONBLOCK == 0
	}
	if err := d.Inject(injSpurious, true); err != nil {
		t.Fatal(err)
	}
	d.sync()
	say(t, c, r, "stolen") // answered by the other reader
	waitFor(t, "the handler's read to block", blocking)
	say(t, c, r, "unblocks") // the blocking read returns it, and echoes it
	waitFor(t, "the fd non-blocking again", func() bool { return !blocking() })
	say(t, c, r, "non-blocking again")
}
