package pollloop

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/fdtest"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// client is one connection: the server watches server, the test plays the
// peer on peer. A pipe client's server end is a pipe's read end and its
// peer the write end.
type client struct {
	id     int // order in which it was added to the Server
	server int
	peer   int
	pipe   bool
	file   fdtest.File // the open file behind server, to tell "closed" from "still open"
}

// closePeer closes c's peer end once; cleanup then leaves it alone (its
// number may belong to another file by then).
func (c *client) closePeer() {
	if c.peer >= 0 {
		unix.Close(c.peer)
		c.peer = -1
	}
}

func (c *client) String() string {
	if c.pipe {
		return fmt.Sprintf("client %d (fd %d, a pipe)", c.id, c.server)
	}
	return fmt.Sprintf("client %d (fd %d)", c.id, c.server)
}

// recorder collects what the Server reported through its callbacks, and
// what it got wrong while doing so.
type recorder struct {
	data     map[int][]byte
	closes   map[int]int
	invalids map[int]int
	order    []string // "data 7", "close 7", "invalid 9": the callbacks in order
	early    []string // callbacks made before the client was really gone
}

func (r *recorder) reset() {
	r.data, r.closes, r.invalids, r.order, r.early = map[int][]byte{}, map[int]int{}, map[int]int{}, nil, nil
}

// setup creates n connected clients (socketpairs) added to a new Server in
// a seeded shuffled order, so that the array's order is not the order of
// the fd numbers.
func setup(t *testing.T, n int, seed uint64) (*Server, *recorder, []*client) {
	t.Helper()
	var clients []*client
	for range n {
		clients = append(clients, newSocketClient(t))
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	rng.Shuffle(len(clients), func(i, j int) { clients[i], clients[j] = clients[j], clients[i] })
	return serve(t, clients)
}

// newSocketClient returns a client on a fresh non-blocking socketpair.
func newSocketClient(t *testing.T) *client {
	t.Helper()
	fds, err := fdtest.NonblockingPair()
	if err != nil {
		t.Fatalf("test setup: socketpair: %v", err)
	}
	return &client{server: fds[0], peer: fds[1], file: fileOf(t, fds[0])}
}

// newPipeClient returns a client on a fresh non-blocking pipe: the server
// reads its read end, the test writes to (and closes) the write end.
func newPipeClient(t *testing.T) *client {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatalf("test setup: pipe: %v", err)
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatalf("test setup: pipe: %v", err)
		}
	}
	return &client{server: p[0], peer: p[1], pipe: true, file: fileOf(t, p[0])}
}

// serve adds the server ends of clients, in order, to a new Server whose
// callbacks record into a recorder. OnClose and OnInvalid also check that
// Pass has already dropped the fd (and, for OnClose, closed it).
func serve(t *testing.T, clients []*client) (*Server, *recorder, []*client) {
	t.Helper()
	rec := &recorder{}
	rec.reset()
	s := &Server{}
	byFd := map[int]*client{}
	for i, c := range clients {
		c.id = i
		byFd[c.server] = c
	}
	s.OnData = func(fd int, b []byte) {
		rec.data[fd] = append(rec.data[fd], b...)
		rec.order = append(rec.order, fmt.Sprintf("data %d", fd))
	}
	s.OnClose = func(fd int) {
		rec.closes[fd]++
		rec.order = append(rec.order, fmt.Sprintf("close %d", fd))
		if slices.Contains(s.Clients(), fd) {
			rec.early = append(rec.early, fmt.Sprintf("OnClose(%d) ran while Clients() still listed fd %d", fd, fd))
		}
		if c, ok := byFd[fd]; ok && !serverClosed(c) {
			rec.early = append(rec.early, fmt.Sprintf("OnClose(%d) ran before fd %d was closed", fd, fd))
		}
	}
	s.OnInvalid = func(fd int) {
		rec.invalids[fd]++
		rec.order = append(rec.order, fmt.Sprintf("invalid %d", fd))
		if slices.Contains(s.Clients(), fd) {
			rec.early = append(rec.early, fmt.Sprintf("OnInvalid(%d) ran while Clients() still listed fd %d", fd, fd))
		}
	}
	for _, c := range clients {
		var err error
		if stuck := guard.Run(t, fmt.Sprintf("Add(%d)", c.server), func() { err = s.Add(c.server) }); stuck != nil {
			t.Fatalf("%v.\n\tExpected: Add only appends an entry to the array.%s", stuck, revisit)
		}
		if err != nil {
			t.Fatalf("Add(%d) = %v; want nil: poll takes any open fd, there is no FD_SETSIZE.%s", c.server, err, revisit)
		}
	}
	t.Cleanup(func() {
		for _, c := range clients {
			c.closePeer()
			if !serverClosed(c) {
				unix.Close(c.server)
			}
		}
	})
	return s, rec, clients
}

// pass runs s.Pass(timeout) through the guard, so a Pass that spins, blocks
// or waits fails the test within seconds, saying which, instead of hanging it.
func pass(t *testing.T, s *Server, timeout time.Duration) (int, error) {
	t.Helper()
	var n int
	var err error
	call := guard.Start(t, fmt.Sprintf("Pass(%v)", timeout), func() { n, err = s.Pass(timeout) })
	if stuck := call.Wait(max(timeout, 0) + guard.Limit); stuck != nil {
		t.Fatalf("%v.\n\tExpected: one poll call, waiting at most the timeout, then one read per entry poll reported.\n\t%s%s", stuck, whyStuck(stuck, timeout), revisit)
	}
	return n, err
}

// whyStuck explains a Pass(timeout) that did not return, from how it is stuck.
func whyStuck(s *guard.Stuck, timeout time.Duration) string {
	inPoll := strings.Contains(s.Where, "Poll")
	switch {
	case s.Kind == guard.Spinning:
		return "Pass must call poll once and return: a loop that calls poll (or read) until someone is ready never ends when nobody writes. Wait in that one poll call, for at most the timeout."
	case s.Kind == guard.Blocked && inPoll && timeout >= 0:
		return fmt.Sprintf("Nobody was ready, and poll is waiting far longer than %v: it was not given the timeout in MILLISECONDS. int(timeout) passes nanoseconds (%v becomes %d ms, hours), and -1 waits forever; convert with int(timeout.Milliseconds()) (rounded up).", timeout, timeout, timeout.Nanoseconds())
	case s.Kind == guard.Blocked && inPoll:
		return "A client was ready, but poll did not see it: every client needs an entry in s.fds with Events: unix.POLLIN."
	case s.Kind == guard.Blocked && strings.Contains(s.Where, "Read"):
		return "read(2) is waiting: read only the entries poll reported, and never switch a client to blocking mode."
	case s.Kind == guard.Blocked:
		return fmt.Sprintf("Pass is waiting in %s: its only wait is the one poll call per pass.", cmp.Or(s.Where, "a system call"))
	case s.Kind == guard.Waiting:
		return "Pass waits for a channel or a lock that nothing will release — here most likely a lock Pass itself holds while it calls a callback that needs it (OnClose may call Clients). Pass runs on one goroutine, the loop's: it needs no lock."
	case s.Kind == guard.Sleeping:
		return "Pass sleeps. Its only wait is poll's timeout."
	}
	return "Pass must return after one poll call: after at most the timeout when nobody is ready, at once when someone is."
}

// peerWrite sends msg from c's peer.
func peerWrite(t *testing.T, c *client, msg []byte) {
	t.Helper()
	if err := write(c, msg); err != nil {
		t.Fatalf("test setup: %v", err)
	}
}

// write sends msg from c's peer; it may run off the test goroutine.
func write(c *client, msg []byte) error {
	if n, err := unix.Write(c.peer, msg); err != nil || n != len(msg) {
		return fmt.Errorf("write to %v: n=%d err=%v", c, n, err)
	}
	return nil
}

// peerHangUp makes the server see end of file: a socket's peer shuts down
// its writing side (and stays open, so nothing else changes), a pipe's
// write end is closed.
func peerHangUp(t *testing.T, c *client) {
	t.Helper()
	if c.pipe {
		c.closePeer()
		return
	}
	if err := unix.Shutdown(c.peer, unix.SHUT_WR); err != nil {
		t.Fatalf("test setup: shutdown %v: %v", c, err)
	}
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

// serverClosed reports whether the server's fd of c was closed: its number
// no longer names the same file.
func serverClosed(c *client) bool { return !c.file.Names(c.server) }

// checkArray fails the test unless s.fds holds exactly one entry for each
// fd in want and nothing else: no holes (fd -1), no stale entries.
func checkArray(t *testing.T, prefix string, s *Server, want []int) {
	t.Helper()
	holes := 0
	var got []int
	for _, p := range s.fds {
		if p.Fd < 0 {
			holes++
		}
		got = append(got, int(p.Fd))
	}
	if holes > 0 {
		t.Errorf("%s: s.fds has %d entries for %d clients, %d of them with fd -1: %v.\n\tpoll skips negative fds, but the array never shrinks: every call still copies every hole into the kernel, and a busy server's array grows without end. Remove the entry: copy the LAST entry into its slot and shrink the slice by one.%s",
			prefix, len(s.fds), len(want), holes, got, revisit)
		return
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s: s.fds holds fds %v; want %v: one entry per client still served, nobody else.%s", prefix, got, want, revisit)
	}
}

// threadID and signalThread aim a signal at one thread: set on Linux
// (pollloop_linux_test.go), nil elsewhere, where the EINTR test skips.
var (
	threadID     func() int
	signalThread func(tid int) error
)
