package idletimeout

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// The tests run a real reactor loop, one pass at a time, on socketpairs
// (the server owns one end, the test plays the client on the other), and
// give the server a deferred.FakeClock: time moves only when a test
// advances it. They run in this file's order, the most specific first.

// start is the fake clock's epoch.
var start = time.Date(2009, 11, 10, 23, 0, 0, 0, time.UTC)

// idle is the servers' idle time in these tests.
const idle = 10 * time.Second

// lab is one server under test with its loop and clock.
type lab struct {
	t      *testing.T
	loop   *reactor.Loop
	clock  *deferred.FakeClock
	srv    *Server
	data   map[int]string   // what onData received, per server fd
	closes map[int][]string // onClose calls, per server fd
}

// client is one connection: the server holds fd, the test plays peer.
type client struct {
	id   int
	fd   int // the server's end
	peer int
}

func (c client) String() string { return fmt.Sprintf("client %d (fd %d)", c.id, c.fd) }

func newLab(t *testing.T) *lab {
	t.Helper()
	loop, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		t.Fatalf("reactor.New: %v", err)
	}
	t.Cleanup(func() { loop.Close() })
	l := &lab{t: t, loop: loop, clock: deferred.NewFakeClock(start), data: map[int]string{}, closes: map[int][]string{}}
	call(t, "New(loop, clock, 10s, ...)", func() {
		l.srv = New(loop, l.clock, idle,
			func(fd int, b []byte) { l.data[fd] += string(b) },
			func(fd int, why string) { l.closes[fd] = append(l.closes[fd], why) })
	})
	return l
}

// call runs f, which calls into the learner's code, through the guard.
func call(t *testing.T, what string, f func()) {
	t.Helper()
	if stuck := guard.Run(t, what, f); stuck != nil {
		t.Fatalf("%v.\n\tExpected: it returns at once. Every callback runs on the loop: while it waits, no connection is served and no timer fires.\n\t%s%s", stuck, whyStuck(stuck), revisit)
	}
}

// whyStuck explains code that did not return, from how it is stuck.
func whyStuck(s *guard.Stuck) string {
	switch s.Kind {
	case guard.Spinning:
		return "A loop that waits for the idle time to pass never ends: the clock moves only when the loop gets control back. Schedule the drop with s.clock.CallLater(s.idle, ...) and return; the clock calls it when the time comes."
	case guard.Sleeping:
		return "time.Sleep holds the loop (every connection waits), and it is real time, not the clock you are given. Schedule the drop with s.clock.CallLater(s.idle, ...) and return."
	case guard.Waiting, guard.Blocked:
		return "It waits for something only the loop or the clock can do, and they cannot while you wait: a deadlock. Schedule the drop with s.clock.CallLater(s.idle, ...) and return."
	}
	return "Add, readable and drop must each return at once."
}

// connect makes a socketpair, hands the server's end to Add and returns it.
func (l *lab) connect(id int) client {
	l.t.Helper()
	fds, err := nonblockingPair()
	if err != nil {
		l.t.Fatalf("socketpair: %v", err)
	}
	c := client{id: id, fd: fds[0], peer: fds[1]}
	l.t.Cleanup(func() { unix.Close(c.peer) }) // the server end is the server's to close
	var aerr error
	call(l.t, fmt.Sprintf("Add(%d)", c.fd), func() { aerr = l.srv.Add(c.fd) })
	if aerr != nil {
		l.t.Fatalf("Add(%d) for %s = %v; want nil.%s%s", c.fd, c, aerr, l.reused(c.fd, aerr), revisit)
	}
	return c
}

// reused explains an Add refused because the fd number is still registered.
func (l *lab) reused(fd int, err error) string {
	if !strings.Contains(err.Error(), "already registered") {
		return ""
	}
	return fmt.Sprintf("\n\tfd %d is a new connection, but the loop still has fd %d registered: a connection that was dropped earlier closed it without deregistering. The kernel reuses the lowest free number, so the next connection cannot be registered. Close the Registration (it deregisters, then closes), never the fd alone.", fd, fd)
}

// send writes msg as c's client.
func (l *lab) send(c client, msg string) {
	l.t.Helper()
	if _, err := unix.Write(c.peer, []byte(msg)); err != nil {
		l.t.Fatalf("%s: the client's write: %v", c, err)
	}
}

// hangUp closes c's client end.
func (l *lab) hangUp(c client) {
	l.t.Helper()
	unix.Shutdown(c.peer, unix.SHUT_WR)
}

// pass runs one loop pass that does not wait: what the clients sent is
// already in the sockets.
func (l *lab) pass() {
	l.t.Helper()
	var err error
	call(l.t, "a loop pass (the server reading)", func() { err = l.loop.Iterate(0) })
	if err != nil {
		l.t.Fatalf("loop.Iterate: %v", err)
	}
}

// advance moves the clock on by d, running the timers that come due.
func (l *lab) advance(d time.Duration) {
	l.t.Helper()
	call(l.t, fmt.Sprintf("the clock moving on %v (to %s)", d, l.at(l.clock.Now().Add(d))), func() { l.clock.Advance(d) })
}

// at shows a clock time as the time since start: "t=9.999s".
func (l *lab) at(when time.Time) string { return "t=" + when.Sub(start).String() }

// closedForClient reports whether c's client sees the server's close (end of
// file) rather than an open, quiet socket.
func closedForClient(c client) bool {
	var b [64]byte
	for {
		n, err := unix.Read(c.peer, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err != unix.EAGAIN // EAGAIN: open, nothing sent
		case n == 0:
			return true
		}
	}
}

// registered reports whether the loop still watches fd.
func (l *lab) registered(fd int) bool {
	for _, w := range l.loop.Watched() {
		if w.Fd == fd {
			return true
		}
	}
	return false
}

// timers describes the calls pending on the clock: "2 (due at t=10s, t=19s)".
func (l *lab) timers() string {
	calls := l.clock.Calls()
	var due []string
	for _, c := range calls {
		due = append(due, l.at(c.Time()))
	}
	if len(due) == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (due at %s)", len(calls), strings.Join(due, ", "))
}

// checkOneTimer checks that exactly one timer is pending, due at want,
// for the single connection c whose last activity was at last.
func (l *lab) checkOneTimer(c client, last, want time.Time) {
	l.t.Helper()
	calls := l.clock.Calls()
	switch {
	case len(calls) == 0:
		l.t.Fatalf("no timer is pending on the clock for %s (last activity at %s).\n\tExpected: one idle timer, due at %s. Schedule it on the clock you are given — s.clock.CallLater(s.idle, ...) — not with time.AfterFunc or a goroutine: the tests' time is that clock.%s",
			c, l.at(last), l.at(want), revisit)
	case len(calls) > 1:
		l.t.Fatalf("%s timers are pending on the clock for %s alone (last activity at %s).\n\tExpected: one idle timer, due at %s. Restarting the timer without cancelling the old one leaves the old one running: at its old time it drops a connection that is busy. Cancel the old timer (c.timer.Cancel()), then schedule the new one.%s",
			l.timers(), c, l.at(last), l.at(want), revisit)
	case !calls[0].Time().Equal(want) && !last.Equal(start) && calls[0].Time().Equal(start.Add(idle)):
		l.t.Fatalf("after %s sent data at %s, its idle timer is still due at %s, as set by Add.\n\tExpected: activity restarts it: due at %s, idle after the last activity. Never resetting it drops busy connections: restart it in readable when data arrives.%s",
			c, l.at(last), l.at(calls[0].Time()), l.at(want), revisit)
	case !calls[0].Time().Equal(want):
		l.t.Fatalf("the idle timer for %s (last activity at %s) is due at %s; want %s: idle (%v) after the last activity.%s",
			c, l.at(last), l.at(calls[0].Time()), l.at(want), idle, revisit)
	}
}

// checkDropped checks that c has been dropped for why: closed for its
// client, no longer watched by the loop, reported once, and forgotten.
func (l *lab) checkDropped(c client, why, when string) {
	l.t.Helper()
	closes := l.closes[c.fd]
	switch {
	case !closedForClient(c) && len(closes) == 0:
		l.t.Fatalf("%s: %s is still open (its client sees no end of file, onClose was not called).\n\tExpected: the server closes it (%q).%s", when, c, why, revisit)
	case !closedForClient(c) && l.registered(c.fd):
		l.t.Fatalf("%s: onClose(%d, %q) was called, but %s is still open and registered with the loop.\n\tExpected: drop ends the registration and closes the fd: c.reg.Close() does both, in that order.%s", when, c.fd, closes[0], c, revisit)
	case !closedForClient(c):
		l.t.Fatalf("%s: %s is no longer watched by the loop, but its fd is still open: its client sees no end of file.\n\tExpected: drop closes the fd too. Deregister alone leaks it; c.reg.Close() deregisters, then closes.%s", when, c, revisit)
	case l.registered(c.fd):
		l.t.Fatalf("%s: %s was closed, but the loop still has fd %d registered.\n\tExpected: drop ends the registration before the fd is closed. Closing the fd alone (unix.Close) leaves the loop watching a number that the kernel hands to the next connection. Close the Registration instead: it deregisters, then closes.%s", when, c, c.fd, revisit)
	case len(closes) != 1 || closes[0] != why:
		l.t.Fatalf("%s: onClose was called %d time(s) for %s, with %q; want once, with %q.%s", when, len(closes), c, closes, why, revisit)
	case l.srv.Open() != 0:
		l.t.Fatalf("%s: the server still holds %d connection(s) after dropping %s; want 0: drop forgets the connection (delete it from s.conns).%s", when, l.srv.Open(), c, revisit)
	}
}

// A connection that sends nothing is dropped idle after it was added, not
// a moment earlier; the next connection can then have its fd number.
func TestIdleConnectionIsDropped(t *testing.T) {
	l := newLab(t)
	c := l.connect(1)
	l.checkOneTimer(c, start, start.Add(idle))
	l.advance(idle - time.Millisecond)
	if closedForClient(c) || len(l.closes[c.fd]) > 0 {
		t.Fatalf("%s was dropped at %s, before its idle time (%v) had passed; want it open until %s.%s", c, l.at(l.clock.Now()), idle, l.at(start.Add(idle)), revisit)
	}
	l.advance(time.Millisecond)
	l.checkDropped(c, "idle", fmt.Sprintf("at %s, %v after it was added and silent since", l.at(l.clock.Now()), idle))
	if n := l.clock.Pending(); n != 0 {
		t.Fatalf("after the idle timer dropped %s, %s call(s) are pending on the clock; want 0.%s", c, l.timers(), revisit)
	}
	// The kernel gives the next socket the lowest free number: most
	// likely c's. Its registration must succeed.
	next := l.connect(2)
	l.checkOneTimer(next, l.clock.Now(), l.clock.Now().Add(idle))
}

// Activity restarts the timer: the connection is dropped idle after its
// last chunk, and the timer it replaced never fires.
func TestActivityRestartsTheTimer(t *testing.T) {
	l := newLab(t)
	c := l.connect(1)
	last := start
	for i, gap := range []time.Duration{idle - time.Second, idle - time.Millisecond, time.Second} {
		l.advance(gap)
		msg := fmt.Sprintf("ping %d\n", i)
		l.send(c, msg)
		l.pass()
		last = l.clock.Now()
		if !strings.HasSuffix(l.data[c.fd], msg) {
			t.Fatalf("after %s sent %q at %s and the loop ran a pass, onData has received %q; want it to end with %q.%s", c, msg, l.at(last), l.data[c.fd], msg, revisit)
		}
		if len(l.closes[c.fd]) > 0 || closedForClient(c) {
			t.Fatalf("%s was dropped (%q) at %s although it sent data %v before; want it open.%s", c, l.closes[c.fd], l.at(last), gap, revisit)
		}
		l.checkOneTimer(c, last, last.Add(idle))
	}
	l.advance(idle - time.Millisecond)
	if len(l.closes[c.fd]) > 0 || closedForClient(c) {
		t.Fatalf("%s was dropped (%q) at %s, before %v had passed since its last data at %s.\n\tExpected: it stays open until %s. A timer that was replaced but not cancelled fires at its old time.%s",
			c, l.closes[c.fd], l.at(l.clock.Now()), idle, l.at(last), l.at(last.Add(idle)), revisit)
	}
	l.advance(time.Millisecond)
	l.checkDropped(c, "idle", fmt.Sprintf("at %s, %v after its last data", l.at(l.clock.Now()), idle))
}

// A connection whose client closes is dropped at once, and its idle timer
// goes with it: left behind, it would close the fd number again later.
func TestPeerCloseCancelsTheTimer(t *testing.T) {
	l := newLab(t)
	c := l.connect(1)
	l.advance(idle / 2)
	l.send(c, "bye\n")
	l.hangUp(c)
	l.pass()
	l.checkDropped(c, "eof", fmt.Sprintf("after its client sent %q and closed at %s", "bye\n", l.at(l.clock.Now())))
	if n := l.clock.Pending(); n != 0 {
		t.Fatalf("after %s closed at %s, %s call(s) are still pending on the clock.\n\tExpected: 0. drop cancels the connection's idle timer: left behind, it fires later and closes fd %d again — a number that by then belongs to another connection.%s",
			c, l.at(l.clock.Now()), l.timers(), c.fd, revisit)
	}
	// A new connection takes the number (most likely); the old timer's
	// time passes, the new connection's does not.
	next := l.connect(2)
	before := len(l.closes[next.fd])
	l.advance(idle - time.Millisecond)
	if len(l.closes[next.fd]) > before || closedForClient(next) {
		t.Fatalf("%s, added at %s, was dropped (%q) at %s, before its own idle time had passed.\n\tExpected: it stays open until %s. A timer left behind by the connection that had this fd number before fired, and closed the number again.%s",
			next, l.at(start.Add(idle/2)), l.closes[next.fd][before:], l.at(l.clock.Now()), l.at(start.Add(idle/2+idle)), revisit)
	}
}

// Many connections with seeded activity: after every step the open set is
// exactly the connections whose last activity is less than idle ago.
func TestManyConnections(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		rng := rand.New(rand.NewPCG(seed, 10))
		l := newLab(t)
		var clients []client
		last := map[int]time.Time{} // by client id
		for i := range 6 {
			c := l.connect(i + 1)
			clients = append(clients, c)
			last[c.id] = l.clock.Now()
		}
		open := func(c client) bool { return l.clock.Now().Sub(last[c.id]) < idle }
		for step := range 30 {
			l.advance(time.Duration(500+rng.IntN(2500)) * time.Millisecond)
			for _, c := range clients {
				if open(c) && rng.IntN(4) == 0 {
					l.send(c, fmt.Sprintf("step %d\n", step))
					last[c.id] = l.clock.Now()
				}
			}
			l.pass()
			var want, got []int
			for _, c := range clients {
				if open(c) {
					want = append(want, c.id)
				}
				if len(l.closes[c.fd]) == 0 {
					got = append(got, c.id)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, step %d, at %s: the clients still open are %v; want %v (those whose last data is less than %v old).\n\tPending on the clock: %s.%s", seed, step, l.at(l.clock.Now()), got, want, idle, l.timers(), revisit)
			}
			if n := l.clock.Pending(); n != len(want) {
				t.Fatalf("seed %d, step %d, at %s: %s call(s) pending on the clock for %d open connection(s); want exactly one idle timer per open connection.%s", seed, step, l.at(l.clock.Now()), l.timers(), len(want), revisit)
			}
		}
	}
}

// nonblockingPair returns a connected Unix stream socketpair with both ends
// non-blocking. (SOCK_NONBLOCK is Linux-only, so set the flag afterwards to
// keep the tests portable to macOS.)
func nonblockingPair() ([2]int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return fds, err
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}
