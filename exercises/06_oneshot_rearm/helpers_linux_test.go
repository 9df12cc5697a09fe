package oneshot

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/fdtest"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// client is one connection: the Server watches server, the test plays the
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

// recorder collects what the Server reported through its callbacks. Passes
// may run on several goroutines at once, so it locks; it also notices two
// callbacks for one fd running at the same time.
type recorder struct {
	mu       sync.Mutex
	data     map[int][]byte
	closes   map[int]int
	inflight map[int]int // callbacks running now, per fd
	overlaps []string    // callbacks that ran while another for the same fd was running
	hook     func(fd int, data []byte)
}

func (rec *recorder) reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.data, rec.closes, rec.inflight, rec.overlaps = map[int][]byte{}, map[int]int{}, map[int]int{}, nil
}

// onData records one OnData call; hook (if set) runs outside the lock,
// while the call still counts as in flight.
func (rec *recorder) onData(fd int, b []byte) {
	rec.mu.Lock()
	rec.data[fd] = append(rec.data[fd], b...)
	if rec.inflight[fd] > 0 {
		rec.overlaps = append(rec.overlaps, fmt.Sprintf("OnData(%d, %q)", fd, b))
	}
	rec.inflight[fd]++
	hook := rec.hook
	rec.mu.Unlock()
	if hook != nil {
		hook(fd, b)
	}
	rec.mu.Lock()
	rec.inflight[fd]--
	rec.mu.Unlock()
}

func (rec *recorder) onClose(fd int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.closes[fd]++
}

// got returns what OnData delivered for fd so far, and how many OnClose
// calls it had.
func (rec *recorder) got(fd int) ([]byte, int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]byte(nil), rec.data[fd]...), rec.closes[fd]
}

// setup returns a new Server (closed when the test ends) with n connected
// clients added, and a recorder its callbacks write to.
func setup(t *testing.T, n int) (*Server, *recorder, []*client) {
	t.Helper()
	s := newServer(t)
	rec := &recorder{}
	rec.reset()
	s.OnData = rec.onData
	s.OnClose = rec.onClose
	var clients []*client
	for i := range n {
		c := newClient(t, i)
		clients = append(clients, c)
		add(t, s, c.server)
	}
	return s, rec, clients
}

// newServer calls New and closes the Server when the test ends.
func newServer(t *testing.T) *Server {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatalf("New() = %v; want a Server.%s", err, revisit)
	}
	t.Cleanup(func() { s.Close() })
	return s
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

// add calls s.Add(fd) through the guard and fails the test if it fails.
func add(t *testing.T, s *Server, fd int) {
	t.Helper()
	var err error
	if stuck := guard.Run(t, fmt.Sprintf("Add(%d)", fd), func() { err = s.Add(fd) }); stuck != nil {
		t.Fatalf("%v.\n\tExpected: Add makes one epoll_ctl call and returns.%s", stuck, revisit)
	}
	if err != nil {
		t.Fatalf("Add(%d) = %v; want nil (fd %d is an open, non-blocking socket).%s", fd, err, fd, revisit)
	}
}

// pass runs s.Pass(timeout) through the guard, so a Pass that spins, blocks
// or waits fails the test within seconds, saying which, instead of hanging
// it.
func pass(t *testing.T, s *Server, timeout time.Duration) (int, error) {
	t.Helper()
	var n int
	var err error
	call := guard.Start(t, fmt.Sprintf("Pass(%v)", timeout), func() { n, err = s.Pass(timeout) })
	if stuck := call.Wait(max(timeout, 0) + guard.Limit); stuck != nil {
		t.Fatalf("%v.\n\tExpected: one epoll_wait, waiting at most the timeout, then one read per event.\n\t%s%s", stuck, whyStuck(stuck, timeout), revisit)
	}
	return n, err
}

// whyStuck explains a Pass(timeout) that did not return, from how it is
// stuck.
func whyStuck(s *guard.Stuck, timeout time.Duration) string {
	inWait := strings.Contains(s.Where, "EpollWait")
	switch {
	case s.Kind == guard.Spinning:
		return "Pass must call epoll_wait once and return: a loop that calls epoll_wait (or read) until something is ready never ends when nobody writes. Wait in that one call, for at most the timeout."
	case s.Kind == guard.Blocked && inWait && timeout >= 0:
		return fmt.Sprintf("Nobody was ready, and epoll_wait is waiting far longer than %v: it was not given the timeout in MILLISECONDS. int(timeout) passes nanoseconds (%v becomes %d ms, hours), and -1 waits forever; convert with int(timeout.Milliseconds()), rounded up.", timeout, timeout, timeout.Nanoseconds())
	case s.Kind == guard.Blocked && inWait:
		return "A client was ready, but epoll_wait did not report it: was it registered (EPOLL_CTL_ADD), and re-armed (EPOLL_CTL_MOD) after its last event?"
	case s.Kind == guard.Blocked && strings.Contains(s.Where, "Read"):
		return "read(2) is waiting: the fd is in blocking mode. A report is a hint, not a promise — leave every fd non-blocking, and treat EAGAIN as \"nothing after all\"."
	case s.Kind == guard.Blocked:
		return fmt.Sprintf("Pass is waiting in %s: its only wait is the one epoll_wait call per pass.", cmp.Or(s.Where, "a system call"))
	case s.Kind == guard.Waiting:
		return "Pass waits for a channel or a lock that nothing will release — most likely a lock another Pass holds while it runs a callback. Never hold a lock across a callback. Pass needs none: the event carries the fd, and one-shot already makes sure that only one pass at a time handles it."
	case s.Kind == guard.Sleeping:
		return "Pass sleeps. Its only wait is epoll_wait's timeout."
	}
	return "Pass must return after one epoll_wait: after at most the timeout when nobody is ready, at once when someone is."
}

// peerWrite sends msg from c's peer.
func peerWrite(t *testing.T, c *client, msg []byte) {
	t.Helper()
	if n, err := unix.Write(c.peer, msg); err != nil || n != len(msg) {
		t.Fatalf("test setup: write to %v: n=%d err=%v", c, n, err)
	}
}

// interestList returns what epoll fd epfd watches, read from the kernel
// (/proc/self/fdinfo): for each registered fd number, its events and data.
func interestList(t *testing.T, epfd int) map[int]fdtest.Registration {
	t.Helper()
	regs, err := fdtest.InterestList(epfd)
	if err != nil {
		t.Fatalf("test setup: reading the epoll interest list: %v (is s.epfd still the fd New returned?)", err)
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

// dupOf returns a dup of fd that the test holds (as a child process that
// inherited it, or a library keeping a copy, would), closed when the test
// ends.
func dupOf(t *testing.T, fd int) int {
	t.Helper()
	d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("test setup: dup(%d): %v", fd, err)
	}
	t.Cleanup(func() { unix.Close(d) })
	return d
}
