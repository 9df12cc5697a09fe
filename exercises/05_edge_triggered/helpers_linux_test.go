package edge

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/fdtest"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// client is one connection: the Reader watches server, the test plays the
// peer on peer.
type client struct {
	id     int
	server int
	peer   int
	file   fdtest.File // the open file behind server, to tell "closed" from "still open"
}

func (c *client) String() string { return fmt.Sprintf("client %d (fd %d)", c.id, c.server) }

// closePeer closes c's peer end once.
func (c *client) closePeer() {
	if c.peer >= 0 {
		unix.Close(c.peer)
		c.peer = -1
	}
}

// recorder collects what the Reader reported through its callbacks.
type recorder struct {
	data   map[int][]byte
	closes map[int]int
	order  []string // "data 7", "close 7": the callbacks in order
	early  []string // OnClose calls made before the fd was really gone
}

func (rec *recorder) reset() {
	rec.data, rec.closes, rec.order, rec.early = map[int][]byte{}, map[int]int{}, nil, nil
}

// setup returns a new Reader (closed when the test ends) with n connected
// clients added, and a recorder its callbacks write to.
func setup(t *testing.T, n int) (*Reader, *recorder, []*client) {
	t.Helper()
	r := newReader(t)
	rec := &recorder{}
	rec.reset()
	var clients []*client
	byFd := map[int]*client{}
	for i := range n {
		c := newClient(t, i)
		clients = append(clients, c)
		byFd[c.server] = c
	}
	r.OnData = func(fd int, b []byte) {
		rec.data[fd] = append(rec.data[fd], b...)
		rec.order = append(rec.order, fmt.Sprintf("data %d", fd))
	}
	r.OnClose = func(fd int) {
		rec.closes[fd]++
		rec.order = append(rec.order, fmt.Sprintf("close %d", fd))
		if c, ok := byFd[fd]; ok && !serverClosed(c) {
			rec.early = append(rec.early, fmt.Sprintf("OnClose(%d) ran before fd %d was closed", fd, fd))
		}
	}
	for _, c := range clients {
		add(t, r, c.server)
	}
	return r, rec, clients
}

// newReader calls New and closes the Reader when the test ends.
func newReader(t *testing.T) *Reader {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatalf("New() = %v; want a Reader.%s", err, revisit)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// newClient returns a client on a fresh non-blocking socketpair, both ends
// closed when the test ends unless they were closed before.
func newClient(t *testing.T, id int) *client {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("test setup: socketpair: %v", err)
	}
	c := &client{id: id, server: fds[0], peer: fds[1], file: fileOf(t, fds[0])}
	t.Cleanup(func() {
		c.closePeer()
		if !serverClosed(c) {
			unix.Close(c.server)
		}
	})
	return c
}

// add calls r.Add(fd) through the guard and fails the test if it fails.
func add(t *testing.T, r *Reader, fd int) {
	t.Helper()
	var err error
	if stuck := guard.Run(t, fmt.Sprintf("Add(%d)", fd), func() { err = r.Add(fd) }); stuck != nil {
		t.Fatalf("%v.\n\tExpected: Add makes one epoll_ctl call and returns.%s", stuck, revisit)
	}
	if err != nil {
		t.Fatalf("Add(%d) = %v; want nil (fd %d is an open, non-blocking socket).%s", fd, err, fd, revisit)
	}
}

// wait runs r.Wait(timeout) through the guard, so a Wait that spins, blocks
// or waits fails the test within seconds, saying which, instead of hanging
// it. clients are the fds it may be reading, for the diagnosis.
func wait(t *testing.T, r *Reader, timeout time.Duration, clients []*client) (int, error) {
	t.Helper()
	var n int
	var err error
	call := guard.Start(t, fmt.Sprintf("Wait(%v)", timeout), func() { n, err = r.Wait(timeout) })
	if stuck := call.Wait(max(timeout, 0) + guard.Limit); stuck != nil {
		t.Fatalf("%v.\n\tExpected: one epoll_wait, waiting at most the timeout, then every reported fd read until EAGAIN.\n\t%s%s", stuck, whyStuck(stuck, timeout, clients), revisit)
	}
	return n, err
}

// whyStuck explains a Wait(timeout) that did not return, from how it is
// stuck and what is left unread.
func whyStuck(s *guard.Stuck, timeout time.Duration, clients []*client) string {
	inWait := strings.Contains(s.Where, "EpollWait")
	switch {
	case s.Kind == guard.Spinning:
		return "A loop that retries read after EAGAIN spins forever: a non-blocking read never waits, it answers EAGAIN again and again. EAGAIN is the end of the drain: stop reading that fd and go on to the next event. (Or: a loop that calls epoll_wait with a zero timeout until something is ready — wait in one call, for at most the timeout.)"
	case s.Kind == guard.Blocked && inWait:
		if c, n := leftUnread(clients); n > 0 {
			return fmt.Sprintf("epoll_wait is waiting while %d bytes sit unread in %v's receive buffer: the edge-triggered hang. EPOLLET reports that bytes ARRIVED, once; bytes left behind get no second report. After each report, read until EAGAIN.", n, c)
		}
		if timeout >= 0 {
			return fmt.Sprintf("Nobody was ready, and epoll_wait is waiting far longer than %v: it was not given the timeout in MILLISECONDS (-1 waits forever). Convert with int(timeout.Milliseconds()), rounded up, and use -1 only when timeout < 0.", timeout)
		}
		return "A client was ready, but epoll_wait did not see it: register every fd with EPOLL_CTL_ADD, Events EPOLLIN|EPOLLET and Fd set to the fd."
	case s.Kind == guard.Blocked && strings.Contains(s.Where, "Read"):
		return "read(2) is waiting: the fd is in blocking mode. Leave it non-blocking: under edge triggering you read until EAGAIN, and a blocking read never says EAGAIN — it waits."
	case s.Kind == guard.Blocked:
		return fmt.Sprintf("Wait is waiting in %s: its only wait is the one epoll_wait call per pass.", cmp.Or(s.Where, "a system call"))
	case s.Kind == guard.Waiting:
		return "Wait waits for a channel or a lock that nothing will release — here most likely a lock Wait itself holds while it calls a callback, and the callback calls Add (a handler that accepts a connection registers it). Never hold a lock across a callback; a Reader runs on one goroutine and needs none."
	case s.Kind == guard.Sleeping:
		return "Wait sleeps. Its only wait is epoll_wait's timeout."
	}
	return "Wait must return after one epoll_wait: after at most the timeout when nobody is ready, at once when someone is."
}

// leftUnread returns the first client with bytes waiting in its receive
// buffer, and how many.
func leftUnread(clients []*client) (*client, int) {
	for _, c := range clients {
		if serverClosed(c) {
			continue
		}
		if n := fdtest.Unread(c.server); n > 0 {
			return c, n
		}
	}
	return nil, 0
}

// passUntilIdle runs passes of timeout each until one reports no events
// (epoll_wait timed out: the loop is idle), at most max passes. It returns
// how many passes ran and whether the last was idle.
func passUntilIdle(t *testing.T, r *Reader, timeout time.Duration, limit int, clients []*client) (passes int, idle bool) {
	t.Helper()
	for passes < limit {
		passes++
		n, err := wait(t, r, timeout, clients)
		if err != nil {
			t.Fatalf("pass %d: Wait(%v) returned error %v; want nil.%s", passes, timeout, err, revisit)
		}
		if n == 0 {
			return passes, true
		}
	}
	return passes, false
}

// checkNoneLeft fails the test if, now that the loop is idle, bytes still
// wait unread on a client's fd: the edge-triggered hang.
func checkNoneLeft(t *testing.T, prefix string, clients []*client, sent map[*client][]byte) {
	t.Helper()
	c, n := leftUnread(clients)
	if n == 0 {
		return
	}
	of := ""
	if sent[c] != nil {
		of = fmt.Sprintf(" of the %d", len(sent[c]))
	}
	t.Fatalf("%s: Wait reported no events — epoll_wait timed out, the loop is idle — while %d%s bytes %v sent sit unread in its receive buffer.\n\tThis is the edge-triggered hang: EPOLLET reports that bytes ARRIVED, once. It never reports again the bytes a handler left behind, so reading once per report (or a fixed number of times) strands them. In a real server the client now waits for an answer to what it sent and sends nothing more: the connection hangs for good. After each report, read until EAGAIN.%s",
		prefix, n, of, c, revisit)
}

// interestList returns what epoll fd epfd watches, read from the kernel
// (/proc/self/fdinfo): for each registered fd number, its events and data.
func interestList(t *testing.T, epfd int) map[int]fdtest.Registration {
	t.Helper()
	regs, err := fdtest.InterestList(epfd)
	if err != nil {
		t.Fatalf("test setup: reading the epoll interest list: %v (is r.epfd still the fd New returned?)", err)
	}
	return regs
}

// fileOf returns the open file fd names, for telling later whether it was
// closed.
func fileOf(t *testing.T, fd int) fdtest.File {
	t.Helper()
	f, ok := fdtest.FileOf(fd)
	if !ok {
		t.Fatalf("test setup: fstat(%d) failed", fd)
	}
	return f
}

// serverClosed reports whether the server's fd of c was closed.
func serverClosed(c *client) bool { return !c.file.Names(c.server) }

// pattern returns n bytes that are easy to check: a seeded random sequence.
func pattern(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

// describe shows short byte strings and counts long ones.
func describe(b []byte) string {
	if len(b) <= 24 {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%d bytes", len(b))
}

// peerWrite sends all of msg from c's peer (it fits in the socket buffers).
func peerWrite(t *testing.T, c *client, msg []byte) {
	t.Helper()
	for len(msg) > 0 {
		n, err := unix.Write(c.peer, msg)
		if err != nil {
			t.Fatalf("test setup: write to %v: %v", c, err)
		}
		msg = msg[n:]
	}
}
