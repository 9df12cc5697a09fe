package selectloop

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Failure messages end with revisit (lesson_gen_test.go, generated from
// README.md's front matter): the lesson to read again.

// client is one connection: the server watches server, the test plays the
// peer on peer.
type client struct {
	id     int // order in which it was added to the Server
	server int
	peer   int
}

func (c client) String() string { return fmt.Sprintf("client %d (fd %d)", c.id, c.server) }

// recorder collects what the Server reported through its callbacks.
type recorder struct {
	data   map[int][]byte
	closes map[int]int
}

func (r *recorder) reset() { r.data, r.closes = map[int][]byte{}, map[int]int{} }

// setup creates n connected clients added to a new Server in a seeded
// shuffled order, with unused fds in between so that fd numbers have gaps and
// the highest fd is not the last one added.
func setup(t *testing.T, n int, seed uint64) (*Server, *recorder, []client) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	rec := &recorder{}
	rec.reset()
	s := &Server{
		OnData:  func(fd int, b []byte) { rec.data[fd] = append(rec.data[fd], b...) },
		OnClose: func(fd int) { rec.closes[fd]++ },
	}
	var pairs [][2]int
	var spare []int
	for range n {
		fds, err := nonblockingPair()
		if err != nil {
			t.Fatalf("socketpair: %v", err)
		}
		pairs = append(pairs, [2]int{fds[0], fds[1]})
		if rng.IntN(2) == 0 {
			gap, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatalf("socketpair: %v", err)
			}
			spare = append(spare, gap[0], gap[1])
		}
	}
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	clients := make([]client, n)
	for i, p := range pairs {
		clients[i] = client{id: i, server: p[0], peer: p[1]}
		if err := s.Add(p[0]); err != nil {
			t.Fatalf("Add(%d): %v", p[0], err)
		}
	}
	t.Cleanup(func() {
		for _, fd := range spare {
			unix.Close(fd)
		}
		for _, c := range clients {
			unix.Close(c.peer)
			if rec.closes[c.server] == 0 && slices.Contains(s.clients, c.server) {
				unix.Close(c.server)
			}
		}
	})
	return s, rec, clients
}

// pass runs s.Pass in a goroutine so a Pass that never returns fails the
// test with an explanation instead of hanging it.
func pass(t *testing.T, s *Server, timeout time.Duration) (int, error) {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := s.Pass(timeout)
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		return r.n, r.err
	case <-time.After(timeout + 3*time.Second):
		t.Fatalf("Pass(%v) did not return within %v.\n\tExpected: select waits at most the timeout, and reads never block on non-blocking fds.\n\tHappened: Pass is stuck — check how you convert the timeout (unix.NsecToTimeval) and that you only read ready fds.%s", timeout, timeout+3*time.Second, revisit)
	}
	return 0, nil
}

// peerWrite sends msg from the peer side.
func peerWrite(t *testing.T, c client, msg []byte) {
	t.Helper()
	if n, err := unix.Write(c.peer, msg); err != nil || n != len(msg) {
		t.Fatalf("test setup: write to %v: n=%d err=%v", c, n, err)
	}
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

type round struct {
	name    string
	writers []int // client ids whose peers send a message before the pass
	closers []int // client ids whose peers hang up before the pass
}

// check runs one pass after the round's writes and hang-ups and compares what
// the Server did with what it should have done.
func check(t *testing.T, s *Server, rec *recorder, clients []client, live map[int]bool, rd round, seed uint64) {
	t.Helper()
	rec.reset()
	msgs := map[int][]byte{}
	for _, id := range rd.writers {
		msgs[id] = fmt.Appendf(nil, "round %q: hello from client %d\n", rd.name, id)
		peerWrite(t, clients[id], msgs[id])
	}
	for _, id := range rd.closers {
		peerHangUp(t, clients[id])
	}
	// Everything is already in the sockets, so a correct Pass returns at
	// once; the timeout only bounds how long a buggy one keeps us waiting.
	timeout := 500 * time.Millisecond
	if len(rd.writers)+len(rd.closers) == 0 {
		timeout = 20 * time.Millisecond // nothing will be ready: just wait out the timeout
	}
	served, err := pass(t, s, timeout)
	prefix := fmt.Sprintf("round %q (seed %d)", rd.name, seed)
	if err != nil {
		t.Fatalf("%s: Pass returned error: %v; want nil.%s", prefix, err, revisit)
	}
	var missed, extra []string
	for _, c := range clients {
		got, want := rec.data[c.server], msgs[c.id]
		switch {
		case want != nil && got == nil:
			missed = append(missed, fmt.Sprintf("%v sent %q but OnData was not called for it", c, want))
		case want != nil && !bytes.Equal(got, want):
			missed = append(missed, fmt.Sprintf("%v sent %q but OnData got %q", c, want, got))
		case want == nil && got != nil:
			extra = append(extra, fmt.Sprintf("OnData(%d, %q) for %v, which sent nothing", c.server, got, c))
		}
		hungUp := slices.Contains(rd.closers, c.id)
		switch n := rec.closes[c.server]; {
		case hungUp && n == 0:
			missed = append(missed, fmt.Sprintf("%v hung up but OnClose was not called", c))
		case hungUp && n > 1:
			extra = append(extra, fmt.Sprintf("OnClose called %d times for %v; want once", n, c))
		case !hungUp && n > 0:
			extra = append(extra, fmt.Sprintf("OnClose(%d) for %v, which is still connected", c.server, c))
		case hungUp && !serverClosed(c):
			missed = append(missed, fmt.Sprintf("%v hung up and OnClose was called, but its fd was not closed (call unix.Close)", c))
		}
	}
	if len(missed) > 0 {
		t.Errorf("%s: every client that was ready before the pass must be served IN THIS PASS, but:\n\t\t%s\n\tIf you remove clients while looping over them, make sure the next client is not skipped; if you reuse the fd set, remember select overwrote it.%s",
			prefix, strings.Join(missed, "\n\t\t"), revisit)
	}
	if len(extra) > 0 {
		t.Errorf("%s: callbacks that should not have happened:\n\t\t%s%s", prefix, strings.Join(extra, "\n\t\t"), revisit)
	}
	if want := len(rd.writers) + len(rd.closers); served != want {
		t.Errorf("%s: Pass returned served = %d; want %d (one per OnData or OnClose call).%s", prefix, served, want, revisit)
	}
	for _, id := range rd.closers {
		delete(live, id)
	}
	var want []int
	for id := range live {
		want = append(want, clients[id].server)
	}
	got := s.Clients()
	sort.Ints(got)
	sort.Ints(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: Clients() = %v; want %v (every client that has not hung up, nobody else).%s", prefix, got, want, revisit)
	}
}

func allLive(n int) map[int]bool {
	m := map[int]bool{}
	for i := range n {
		m[i] = true
	}
	return m
}

// A scripted sequence of passes aimed at the classic bugs: a reused fd set,
// nfds too small, and skipping the client after a removed one.
func TestPassScripted(t *testing.T) {
	const seed = 1
	s, rec, clients := setup(t, 6, seed)
	live := allLive(6)
	rounds := []round{
		{name: "one client writes", writers: []int{2}},
		{name: "a different client writes (the fd set must be rebuilt)", writers: []int{4}},
		{name: "the highest fd writes", writers: []int{highest(clients)}},
		{name: "the first client hangs up while the last one writes", writers: []int{5}, closers: []int{0}},
		{name: "two neighbours hang up; the client after them writes", writers: []int{3}, closers: []int{1, 2}},
		{name: "nobody is ready", writers: nil},
		{name: "everyone left writes", writers: []int{3, 4, 5}},
		{name: "everyone left hangs up", closers: []int{3, 4, 5}},
	}
	for _, rd := range rounds {
		check(t, s, rec, clients, live, rd, seed)
		if t.Failed() {
			return // later rounds depend on this one
		}
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

// Seeded random rounds: random writers and hang-ups among the live clients.
func TestPassRandomRounds(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			s, rec, clients := setup(t, 10, seed)
			live := allLive(10)
			rng := rand.New(rand.NewPCG(seed, 4))
			for r := 0; len(live) > 0 && !t.Failed(); r++ {
				rd := round{name: fmt.Sprintf("random round %d", r)}
				for _, id := range sortedKeys(live) {
					switch rng.IntN(4) {
					case 0:
						rd.writers = append(rd.writers, id)
					case 1:
						rd.closers = append(rd.closers, id)
					}
				}
				check(t, s, rec, clients, live, rd, seed)
			}
		})
	}
}

func sortedKeys(m map[int]bool) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
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
