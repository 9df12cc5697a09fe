package offload

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// The tests run a real reactor loop one pass at a time, each pass through
// the guard, with clients on socketpairs: the loop reads request lines and
// calls Handle. Work is the test's: it records the goroutine it runs on and
// then waits until the test lets it finish, so the test decides the order in
// which requests complete. What is graded are facts, not times: which
// goroutine ran each Work and each Reply, how many loop passes ran while
// the work was in progress, and the order of each client's replies.

// lab is one Server under test on its own loop.
type lab struct {
	t     *testing.T
	loop  *reactor.Loop
	tl    *trackedLoop
	srv   *Server
	loopG atomic.Uint64 // the goroutine running the current pass; 0 between passes

	mu      sync.Mutex
	jobs    map[string]*job
	passes  int           // loop passes run so far
	changed chan struct{} // a job started or a reply was made (capacity 1)
}

// job is one request's Work, held until the test releases it.
type job struct {
	req      string
	started  bool
	onLoop   bool // Work ran on the loop goroutine
	released bool
	gate     chan struct{}
}

// client is one connection: the loop reads fd, the test plays peer.
type client struct {
	l       *lab
	name    string
	fd      int
	peer    int
	pending []byte
	replies []string // in the order Reply was called (under l.mu)
	offLoop []string // replies made on a goroutine that was not running the loop
}

func (c *client) String() string { return "client " + c.name }

// Reply records the reply, and which goroutine made it, and sends it.
func (c *client) Reply(line string) {
	onLoop := goid() == c.l.loopG.Load()
	c.l.mu.Lock()
	c.replies = append(c.replies, line)
	if !onLoop {
		c.offLoop = append(c.offLoop, line)
	}
	c.l.mu.Unlock()
	c.l.notify()
	unix.Write(c.fd, []byte(line+"\n"))
}

// trackedLoop is the loop as the Server sees it: it counts the calls handed
// to the loop from other goroutines (how DeferToGoroutine delivers), and
// how many of them the loop has run.
type trackedLoop struct {
	deferred.Loop
	l           *lab
	handed, ran atomic.Int64
}

func (tl *trackedLoop) CallFromGoroutine(fn func()) {
	tl.handed.Add(1)
	tl.Loop.CallFromGoroutine(func() { fn(); tl.ran.Add(1) })
	tl.l.notify()
}

func newLab(t *testing.T) *lab {
	t.Helper()
	loop, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		t.Fatalf("reactor.New: %v", err)
	}
	l := &lab{t: t, loop: loop, jobs: map[string]*job{}, changed: make(chan struct{}, 1)}
	l.tl = &trackedLoop{Loop: deferred.LoopClock(loop), l: l}
	t.Cleanup(func() {
		l.releaseAll() // no worker stays blocked in a Work
		loop.Close()
	})
	call(t, "New(loop, work)", func() { l.srv = New(l.tl, l.work) })
	return l
}

func (l *lab) notify() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// work is the Work the Server is given: it records where it runs and waits
// for its release — except on the loop goroutine, where waiting would stop
// the test's loop: there it only records the fact and answers at once.
func (l *lab) work(req string) (string, error) {
	onLoop := goid() == l.loopG.Load()
	l.mu.Lock()
	j := l.jobs[req]
	if j == nil {
		j = &job{req: req, gate: make(chan struct{})}
		l.jobs[req] = j
	}
	j.started, j.onLoop = true, onLoop
	l.mu.Unlock()
	l.notify()
	if !onLoop {
		<-j.gate
	}
	if strings.HasPrefix(req, "bad") {
		return "", fmt.Errorf("cannot compute %q", req)
	}
	return answer(req), nil
}

// answer is Work's answer to req.
func answer(req string) string { return "answer to " + req }

// job returns the job of req, creating it (unstarted) if need be.
func (l *lab) job(req string) *job {
	l.mu.Lock()
	defer l.mu.Unlock()
	j := l.jobs[req]
	if j == nil {
		j = &job{req: req, gate: make(chan struct{})}
		l.jobs[req] = j
	}
	return j
}

// release lets the Work of req finish.
func (l *lab) release(req string) {
	j := l.job(req)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !j.released {
		j.released = true
		close(j.gate)
	}
}

func (l *lab) releaseAll() {
	l.mu.Lock()
	var reqs []string
	for r := range l.jobs {
		reqs = append(reqs, r)
	}
	l.mu.Unlock()
	for _, r := range reqs {
		l.release(r)
	}
}

// connect makes a client whose requests the loop reads and hands to Handle.
func (l *lab) connect(name string) *client {
	l.t.Helper()
	fds, err := nonblockingPair()
	if err != nil {
		l.t.Fatalf("socketpair: %v", err)
	}
	c := &client{l: l, name: name, fd: fds[0], peer: fds[1]}
	reg, err := l.loop.Register(c.fd, reactor.Readable, "client "+name, func(int, reactor.Ready) { c.readable() })
	if err != nil {
		l.t.Fatalf("register: %v", err)
	}
	l.t.Cleanup(func() { reg.Close(); unix.Close(c.peer) })
	return c
}

// readable reads request lines and hands each to Handle (the server's read
// side, finished: the exercise is Handle).
func (c *client) readable() {
	var buf [512]byte
	for {
		n, err := unix.Read(c.fd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		c.pending = append(c.pending, buf[:n]...)
		for {
			i := bytes.IndexByte(c.pending, '\n')
			if i < 0 {
				break
			}
			req := string(c.pending[:i])
			c.pending = c.pending[i+1:]
			c.l.srv.Handle(c, req)
		}
	}
}

// send writes requests as c's client, one line each.
func (c *client) send(reqs ...string) {
	c.l.t.Helper()
	for _, r := range reqs {
		c.l.job(r) // its gate exists before its Work can start
		if _, err := unix.Write(c.peer, []byte(r+"\n")); err != nil {
			c.l.t.Fatalf("%s: write: %v", c, err)
		}
	}
}

// got returns c's replies so far.
func (c *client) got() (replies, offLoop []string) {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	return slices.Clone(c.replies), slices.Clone(c.offLoop)
}

// call runs f, which calls into the learner's code, through the guard.
func call(t *testing.T, what string, f func()) {
	t.Helper()
	if stuck := guard.Run(t, what, f); stuck != nil {
		t.Fatalf("%v.\n\tExpected: the pass ends at once; Handle returns as soon as the work is handed to the pool.\n\t%s%s", stuck, whyStuck(stuck), revisit)
	}
}

// whyStuck explains a pass that did not end, from how it is stuck.
func whyStuck(s *guard.Stuck) string {
	switch s.Kind {
	case guard.Spinning:
		return "Handle waits for the result in a loop that never ends: the result can only arrive in a LATER pass of the loop, which cannot run while Handle holds it. Add a callback to the Deferred and return; the callback runs when the result is in."
	case guard.Sleeping:
		return "Handle sleeps on the loop: while it sleeps, no client is served and no result is delivered — blocking the loop is what offloading is meant to avoid. Add a callback to the Deferred and return."
	case guard.Waiting, guard.Blocked:
		return "Handle waits (a channel, a lock, Wait) for a result that must come back through the loop — which is waiting for Handle: a deadlock. Add a callback to DeferToGoroutine's Deferred and return; it runs on the loop when the result is in."
	}
	return "Handle must return at once."
}

// pass runs one loop pass, waiting until something happens (a request
// arrives, a result comes back from a worker).
func (l *lab) pass(what string) {
	l.t.Helper()
	var err error
	call(l.t, what, func() {
		l.loopG.Store(goid())
		defer l.loopG.Store(0)
		err = l.loop.Iterate(-1)
	})
	l.mu.Lock()
	l.passes++
	l.mu.Unlock()
	if err != nil {
		l.t.Fatalf("loop.Iterate: %v", err)
	}
}

// within waits at most guard.Limit for cond, re-checking it each time a job
// starts or a reply is made; it reports whether cond came true.
func (l *lab) within(cond func() bool) bool {
	timer := time.NewTimer(guard.Limit)
	defer timer.Stop()
	for !cond() {
		select {
		case <-l.changed:
		case <-timer.C:
			return cond()
		}
	}
	return true
}

// settle runs passes until every call handed back to the loop has run.
func (l *lab) settle(what string) {
	l.t.Helper()
	for l.tl.ran.Load() < l.tl.handed.Load() {
		l.pass(what)
	}
}

// checkOffLoop fails if any Work ran on the loop goroutine.
func (l *lab) checkOffLoop() {
	l.t.Helper()
	l.mu.Lock()
	var on []string
	for _, j := range l.jobs {
		if j.onLoop {
			on = append(on, j.req)
		}
	}
	l.mu.Unlock()
	slices.Sort(on)
	if len(on) > 0 {
		l.t.Fatalf("Work(%q) ran on the loop goroutine, inside Handle: the loop ran 0 passes until it returned.\n\tExpected: the loop keeps running passes while requests compute. One blocked callback stops the whole process — every client waits, every timer is late.\n\tWrapping the call in a Deferred (deferred.Succeed, MaybeDeferred, a callback) does not move it: a Deferred is a callback mechanism, and its chain runs on the loop. deferred.DeferToGoroutine(s.loop, fn) runs fn on a pool goroutine.%s",
			on[0], revisit)
	}
}

// checkRepliedOnLoop fails if c got a reply from a goroutine that was not
// running the loop.
func (l *lab) checkRepliedOnLoop(c *client) {
	l.t.Helper()
	if _, off := c.got(); len(off) > 0 {
		l.t.Fatalf("%s got the reply %q from a goroutine that was not running the loop.\n\tExpected: every Reply on the loop goroutine. Calling back from the worker goroutine touches the connection while the loop may be using it — a data race. Reply in a callback of DeferToGoroutine's Deferred: it fires on the loop.%s",
			c, off[0], revisit)
	}
}

// waitStarted waits until the Work of every req has started.
func (l *lab) waitStarted(reqs ...string) {
	l.t.Helper()
	started := func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, r := range reqs {
			if j := l.jobs[r]; j == nil || !j.started {
				return false
			}
		}
		return true
	}
	if !l.within(started) {
		var not []string
		l.mu.Lock()
		for _, r := range reqs {
			if j := l.jobs[r]; j == nil || !j.started {
				not = append(not, r)
			}
		}
		l.mu.Unlock()
		l.t.Fatalf("after the loop read the requests and called Handle, Work(%q) had not started within %v.\n\tExpected: Handle starts each request's Work at once, on the pool: deferred.DeferToGoroutine(s.loop, func() (any, error) { return s.work(req) }). Requests compute side by side; only the replies wait their turn.%s",
			not[0], guard.Limit, revisit)
	}
}

// A request's Work runs on a pool goroutine, the loop keeps running passes
// while it computes, and the reply comes back on the loop.
func TestWorkRunsOffTheLoop(t *testing.T) {
	l := newLab(t)
	c := l.connect("A")
	c.send("a1")
	l.pass("a loop pass (reading a1 and calling Handle)")
	l.checkOffLoop()
	l.checkRepliedOnLoop(c)
	l.waitStarted("a1")

	// Work(a1) is in progress. Does the loop still serve? Three pings
	// from another goroutine, one after the other, each answered by a pass.
	var pongs atomic.Int64
	before := l.passes
	for i := range int64(3) {
		l.loop.CallFromGoroutine(func() { pongs.Add(1) })
		for pongs.Load() <= i {
			l.pass("a loop pass while Work(a1) computes (answering a ping)")
		}
	}
	if got, _ := c.got(); len(got) > 0 {
		t.Fatalf("%s got the reply %q while Work(a1) was still in progress.\n\tExpected: the reply waits for the work's result: reply in a callback of DeferToGoroutine's Deferred.%s", c, got[0], revisit)
	}
	during := l.passes - before

	l.release("a1")
	if !l.within(func() bool { r, _ := c.got(); return l.tl.handed.Load() > 0 || len(r) > 0 }) {
		t.Fatalf("Work(a1) finished, and nothing came back to the loop within %v: no reply, no call handed to the loop.\n\tExpected: the result comes back to the loop (DeferToGoroutine's Deferred fires there) and a callback replies.%s", guard.Limit, revisit)
	}
	l.settle("a loop pass delivering a1's result")
	l.checkRepliedOnLoop(c)
	if got, _ := c.got(); !slices.Equal(got, []string{answer("a1")}) {
		t.Fatalf("after Work(a1) finished and the loop delivered its result, %s has the replies %q; want [%q].%s", c, got, answer("a1"), revisit)
	}
	t.Logf("while Work(a1) computed, the loop ran %d pass(es) and answered 3 pings", during)
}

// Requests finish in a scrambled order; each client's replies still go
// out in the order it asked, as soon as they can, and clients do not wait
// for each other.
func TestRepliesInOrderPerClient(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			l := newLab(t)
			asked := map[*client][]string{}
			var all []string
			var clients []*client
			for i, n := range []int{3, 2, 1} {
				c := l.connect(string(rune('A' + i)))
				for k := range n {
					asked[c] = append(asked[c], fmt.Sprintf("%c%d", 'a'+i, k+1))
				}
				c.send(asked[c]...)
				all = append(all, asked[c]...)
				clients = append(clients, c)
			}
			l.pass("a loop pass (reading 6 requests from 3 clients and calling Handle)")
			l.checkOffLoop()
			l.waitStarted(all...)

			order := slices.Clone(all)
			if seed == 1 {
				slices.Reverse(order) // the last request finishes first
			} else {
				rng := rand.New(rand.NewPCG(seed, 8))
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			}
			done := map[string]bool{}
			for _, r := range order {
				l.release(r)
				done[r] = true
				if !l.within(func() bool { return l.tl.handed.Load() >= int64(len(done)) }) {
					for _, c := range clients {
						l.checkRepliedOnLoop(c)
					}
					t.Fatalf("seed %d: Work(%q) finished, and its result was not handed back to the loop within %v.\n\tExpected: the result comes back through the loop: DeferToGoroutine's Deferred fires there.%s", seed, r, guard.Limit, revisit)
				}
				l.settle(fmt.Sprintf("a loop pass delivering %s's result", r))
				for _, c := range clients {
					l.checkRepliedOnLoop(c)
					checkOrder(t, c, asked[c], done, r, order, seed)
				}
			}
		})
	}
}

// checkOrder checks that c has exactly the replies to its requests that
// can go out: those whose work is done, up to the first that is not.
func checkOrder(t *testing.T, c *client, asked []string, done map[string]bool, last string, order []string, seed uint64) {
	t.Helper()
	var want []string
	for _, r := range asked {
		if !done[r] {
			break
		}
		want = append(want, answer(r))
	}
	got, _ := c.got()
	if slices.Equal(got, want) {
		return
	}
	where := fmt.Sprintf("seed %d: the work finished in the order %v; after %s", seed, order, last)
	for i, g := range got {
		if i >= len(asked) || g == answer(asked[i]) {
			continue
		}
		t.Fatalf("%s, %s asked %v and got the replies %q.\n\tExpected: %q — the reply to %s before %q. Work finishes in any order (here %s finished before %s), but each client gets its replies in the order it sent the requests.\n\tReplying in a callback of each request's own Deferred replies in the order the work finished. Queue each reply behind the previous one of the same client: one Deferred per client, whose chain waits for each request's Deferred in turn (a step that returns a Deferred waits for it).%s",
			where, c, asked, got, want, asked[i], g, strings.TrimPrefix(g, "answer to "), asked[i], revisit)
	}
	if len(got) < len(want) {
		t.Fatalf("%s, %s asked %v and got the replies %q.\n\tExpected: %q — every request whose work is done, up to the first one still computing, is answered at once; later requests of the same client wait, and other clients never wait for it.%s",
			where, c, asked, got, want, revisit)
	}
	t.Fatalf("%s, %s asked %v and got the replies %q; want %q.%s", where, c, asked, got, want, revisit)
}

// A request whose Work fails gets an error reply, and the client's later
// requests are still answered.
func TestFailedWorkIsAnswered(t *testing.T) {
	l := newLab(t)
	c := l.connect("A")
	reqs := []string{"bad1", "a2", "a3"}
	c.send(reqs...)
	l.pass("a loop pass (reading 3 requests and calling Handle)")
	l.checkOffLoop()
	l.waitStarted(reqs...)
	for i, r := range reqs {
		l.release(r)
		if !l.within(func() bool { return l.tl.handed.Load() >= int64(i+1) }) {
			l.checkRepliedOnLoop(c)
			t.Fatalf("Work(%q) finished, and its result was not handed back to the loop within %v.%s", r, guard.Limit, revisit)
		}
		l.settle(fmt.Sprintf("a loop pass delivering %s's result", r))
	}
	l.checkRepliedOnLoop(c)
	want := []string{`error: cannot compute "bad1"`, answer("a2"), answer("a3")}
	got, _ := c.got()
	switch {
	case len(got) == 0:
		t.Fatalf("Work(\"bad1\") failed, then a2 and a3 succeeded; %s got no reply at all.\n\tExpected: %q. A failed Work fails its Deferred: an errback must reply \"error: \" and the message, and handle the failure.%s", c, want, revisit)
	case len(got) == 1 && got[0] == want[0]:
		t.Fatalf("after Work(\"bad1\") failed, %s got %q and then nothing: a2 and a3 were never answered.\n\tExpected: %q. The errback replied, but left the client's chain on the errback track (it returned the failure or an error), so every later callback step is skipped. Handle the failure: return a value with a nil error.%s", c, got, want, revisit)
	case len(got) > 1 && got[0] == want[0] && !slices.ContainsFunc(got, func(r string) bool { return r != want[0] }):
		t.Fatalf("after Work(\"bad1\") failed, every later request of %s got bad1's error too: %q.\n\tExpected: %q. The errback replied, but left the failure on the client's chain (it returned the failure or an error), so each later step saw that failure instead of its own result. Handle the failure: return a value with a nil error.%s", c, got, want, revisit)
	case !slices.Equal(got, want):
		t.Fatalf("Work(\"bad1\") failed, then a2 and a3 succeeded; %s got %q.\n\tExpected: %q — one reply per request, in order; a failure replies \"error: \" and the error's message.%s", c, got, want, revisit)
	}
	// The replies went over the socket too, in the same order.
	var buf [512]byte
	n, _ := unix.Read(c.peer, buf[:])
	if wire := string(buf[:max(n, 0)]); wire != strings.Join(want, "\n")+"\n" {
		t.Fatalf("%s's client read %q from its socket; want the three replies, one line each.%s", c, wire, revisit)
	}
}

// goid returns the calling goroutine's number, from its stack header.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	b, _, _ = bytes.Cut(b, []byte(" "))
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
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
