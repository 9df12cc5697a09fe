package selectloop

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// client is one connection: the server watches server, the test plays the
// peer on peer.
type client struct {
	id     int // order in which it was added to the Server
	server int
	peer   int
}

func (c client) String() string { return fmt.Sprintf("client %d (fd %d)", c.id, c.server) }

// recorder collects what the Server reported through its callbacks, and
// what it got wrong while doing so.
type recorder struct {
	data   map[int][]byte
	closes map[int]int
	early  []string // OnClose calls made before the client was really gone
}

func (r *recorder) reset() { r.data, r.closes, r.early = map[int][]byte{}, map[int]int{}, nil }

// setup creates n connected clients added to a new Server in a seeded
// shuffled order, with unused fds in between so that fd numbers have gaps and
// the highest fd is not the last one added.
func setup(t *testing.T, n int, seed uint64) (*Server, *recorder, []client) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	var pairs [][2]int
	var spare []int
	for range n {
		pairs = append(pairs, newPair(t))
		if rng.IntN(2) == 0 {
			gap, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatalf("socketpair: %v", err)
			}
			spare = append(spare, gap[0], gap[1])
		}
	}
	t.Cleanup(func() {
		for _, fd := range spare {
			unix.Close(fd)
		}
	})
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	return serve(t, pairs)
}

// setupOrdered creates n clients added in the order of their fd numbers, so
// the first added is also the lowest fd and the last the highest.
func setupOrdered(t *testing.T, n int) (*Server, *recorder, []client) {
	t.Helper()
	var pairs [][2]int
	for range n {
		pairs = append(pairs, newPair(t))
	}
	slices.SortFunc(pairs, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	return serve(t, pairs)
}

// serve adds the server ends of pairs, in order, to a new Server whose
// callbacks record into a recorder. OnClose also checks that Pass has
// already closed the fd and stopped watching it.
func serve(t *testing.T, pairs [][2]int) (*Server, *recorder, []client) {
	t.Helper()
	rec := &recorder{}
	rec.reset()
	s := &Server{}
	clients := make([]client, len(pairs))
	byFd := map[int]client{}
	for i, p := range pairs {
		clients[i] = client{id: i, server: p[0], peer: p[1]}
		byFd[p[0]] = clients[i]
	}
	s.OnData = func(fd int, b []byte) { rec.data[fd] = append(rec.data[fd], b...) }
	s.OnClose = func(fd int) {
		rec.closes[fd]++
		if slices.Contains(s.Clients(), fd) {
			rec.early = append(rec.early, fmt.Sprintf("OnClose(%d) ran while Clients() still listed fd %d", fd, fd))
		}
		if c, ok := byFd[fd]; ok && !serverClosed(c) {
			rec.early = append(rec.early, fmt.Sprintf("OnClose(%d) ran before fd %d was closed", fd, fd))
		}
	}
	for _, c := range clients {
		var err error
		if stuck := guard.Run(t, fmt.Sprintf("Add(%d)", c.server), func() { err = s.Add(c.server) }); stuck != nil {
			t.Fatalf("%v.\n\tExpected: Add only appends the fd to the list.%s", stuck, revisit)
		}
		if err != nil {
			t.Fatalf("Add(%d) = %v; want nil (fd %d is a connected socket within FD_SETSIZE).%s", c.server, err, c.server, revisit)
		}
	}
	t.Cleanup(func() {
		for _, c := range clients {
			unix.Close(c.peer)
			if rec.closes[c.server] == 0 && slices.Contains(s.clients, c.server) {
				unix.Close(c.server)
			}
		}
	})
	return s, rec, clients
}

// newPair returns a connected non-blocking socketpair: [server end, peer end].
func newPair(t *testing.T) [2]int {
	t.Helper()
	fds, err := nonblockingPair()
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	return fds
}

// pass runs s.Pass(timeout) through the guard, so a Pass that spins, blocks
// or waits fails the test within seconds, saying which, instead of hanging it.
func pass(t *testing.T, s *Server, timeout time.Duration) (int, error) {
	t.Helper()
	var n int
	var err error
	call := guard.Start(t, fmt.Sprintf("Pass(%v)", timeout), func() { n, err = s.Pass(timeout) })
	if stuck := call.Wait(max(timeout, 0) + guard.Limit); stuck != nil {
		t.Fatalf("%v.\n\tExpected: one select call, waiting at most the timeout, then one read per ready client.\n\t%s%s", stuck, whyStuck(stuck, timeout), revisit)
	}
	return n, err
}

// whyStuck explains a Pass(timeout) that did not return, from how it is stuck.
func whyStuck(s *guard.Stuck, timeout time.Duration) string {
	inSelect := strings.Contains(s.Where, "Select")
	switch {
	case s.Kind == guard.Spinning:
		return "Pass must call select once and return: a loop that calls select (or read) until someone is ready never ends when nobody writes. Wait in that one select call, for at most the timeout."
	case s.Kind == guard.Blocked && inSelect && timeout >= 0:
		return fmt.Sprintf("Nobody was ready, and select is waiting forever: it was not given the timeout. Only a negative timeout means \"wait until ready\" (a nil *Timeval); convert %v with unix.NsecToTimeval(timeout.Nanoseconds()) and pass &tv.", timeout)
	case s.Kind == guard.Blocked && inSelect:
		return "A client was ready, but select did not see it: put every client in a fresh set and pass nfds = the highest fd + 1."
	case s.Kind == guard.Blocked && strings.Contains(s.Where, "Read"):
		return "read(2) is waiting: read only the fds select reported ready, and never switch a client to blocking mode."
	case s.Kind == guard.Blocked:
		return fmt.Sprintf("Pass is waiting in %s: its only wait is the one select call per pass.", cmp.Or(s.Where, "a system call"))
	case s.Kind == guard.Waiting:
		return "Pass waits for a channel or a lock that nothing will release. Pass runs on one goroutine, the loop's: it needs neither."
	case s.Kind == guard.Sleeping:
		return "Pass sleeps. Its only wait is select's timeout."
	}
	return "Pass must return after one select call: after at most the timeout when nobody is ready, at once when someone is."
}

// peerWrite sends msg from the peer side.
func peerWrite(t *testing.T, c client, msg []byte) {
	t.Helper()
	if err := write(c, msg); err != nil {
		t.Fatalf("test setup: %v", err)
	}
}

// write sends msg from c's peer; it may run off the test goroutine.
func write(c client, msg []byte) error {
	if n, err := unix.Write(c.peer, msg); err != nil || n != len(msg) {
		return fmt.Errorf("write to %v: n=%d err=%v", c, n, err)
	}
	return nil
}

// peerHangUp makes the server see end of file (shutdown of the peer's
// writing side) while the test keeps the peer open, so it can later check
// that the server really closed its own fd.
func peerHangUp(t *testing.T, c client) {
	t.Helper()
	if err := unix.Shutdown(c.peer, unix.SHUT_WR); err != nil {
		t.Fatalf("test setup: shutdown %v: %v", c, err)
	}
}

// serverClosed reports whether the server's end of c was closed: the peer
// then reads end of file instead of EAGAIN.
func serverClosed(c client) bool {
	var b [64]byte
	for {
		n, err := unix.Read(c.peer, b[:])
		if err == unix.EINTR {
			continue
		}
		return err == nil && n == 0
	}
}

// highest returns the id of the client whose server fd is the largest.
func highest(clients []client) int {
	best := 0
	for _, c := range clients {
		if c.server > clients[best].server {
			best = c.id
		}
	}
	return best
}

func allLive(n int) map[int]bool {
	m := map[int]bool{}
	for i := range n {
		m[i] = true
	}
	return m
}

func sortedKeys(m map[int]bool) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

// callbacks sums what the server has reported so far, to tell a pass that
// did something from one that did nothing.
func callbacks(got map[int][]byte, closed map[int]bool) int {
	n := len(closed)
	for _, b := range got {
		n += len(b)
	}
	return n
}

// threadID and signalThread aim a signal at one thread: set on Linux
// (selectloop_linux_test.go), nil elsewhere, where the EINTR test skips.
var (
	threadID     func() int
	signalThread func(tid int) error
)

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
