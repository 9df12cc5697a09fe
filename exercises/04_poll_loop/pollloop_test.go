package pollloop

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/fdtest"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// The tests run in this file's order, the most specific first, so the first
// failure a learner reads names the mistake. The helpers are in
// helpers_test.go.

// An fd closed behind the loop's back while still in the array: poll
// reports POLLNVAL for it. That is not a hang-up — the fd is not open any
// more — so Pass drops the entry, calls OnInvalid, and neither reads nor
// closes the number.
func TestPassInvalidFd(t *testing.T) {
	s, rec, clients := setup(t, 4, 5)
	x := clients[1]
	unix.Close(x.server) // behind the loop's back
	served, err := pass(t, s, 500*time.Millisecond)
	prefix := fmt.Sprintf("%v was closed behind the loop's back, so poll reported POLLNVAL for it", x)
	const notHangUp = "POLLNVAL is not a hang-up: it means fd %d was not open when poll looked — someone closed it behind the loop's back. It is not yours to read or close any more (the number is free, and may name another file a moment later): drop its entry and call OnInvalid(%d). Check POLLNVAL before POLLIN/POLLHUP."
	switch {
	case errors.Is(err, unix.EBADF):
		t.Fatalf("%s: Pass returned error %v; want nil.\n\tPass read or closed fd %d after poll said POLLNVAL. "+notHangUp+"%s", prefix, err, x.server, x.server, x.server, revisit)
	case err != nil:
		t.Fatalf("%s: Pass returned error %v; want nil.%s", prefix, err, revisit)
	case rec.closes[x.server] > 0:
		t.Fatalf("%s: Pass called OnClose(%d), as for a client that hung up.\n\t"+notHangUp+"%s", prefix, x.server, x.server, x.server, revisit)
	case rec.invalids[x.server] == 0 && slices.Contains(s.Clients(), x.server):
		t.Fatalf("%s: Pass left its entry in the array and did not call OnInvalid.\n\tA POLLNVAL entry is reported again, at once, by every later poll call: the loop never waits again — it spins. Drop the entry and call OnInvalid(%d).%s", prefix, x.server, revisit)
	case rec.invalids[x.server] == 0:
		t.Fatalf("%s: Pass dropped fd %d but did not call OnInvalid(%d); want it called once, so the program learns about the bug that closed it.%s", prefix, x.server, x.server, revisit)
	case rec.invalids[x.server] > 1:
		t.Fatalf("%s: OnInvalid(%d) called %d times; want once.%s", prefix, x.server, rec.invalids[x.server], revisit)
	}
	if len(rec.early) > 0 {
		t.Errorf("%s: %s.\n\tCall OnInvalid once the entry is gone from the array: the callback may call Clients() and must see the truth.%s", prefix, strings.Join(rec.early, "; "), revisit)
	}
	if len(rec.data) > 0 || len(rec.closes) > 0 {
		t.Errorf("%s: callbacks for clients that did nothing: %v.%s", prefix, rec.order, revisit)
	}
	if served != 1 {
		t.Errorf("%s: Pass returned served = %d; want 1 (one OnInvalid call).%s", prefix, served, revisit)
	}
	checkArray(t, prefix, s, fdsOf(clients[0], clients[2], clients[3]))
}

// The harm in treating POLLNVAL like a hang-up: by the time Pass handles
// the entry, the number may name another file. Here a callback earlier in
// the same pass opens one (as a handler that accepts a connection would),
// and the kernel hands it the free number. Pass must leave that file alone.
func TestPassInvalidFdNumberReused(t *testing.T) {
	a, x, b := newSocketClient(t), newSocketClient(t), newSocketClient(t)
	s, rec, _ := serve(t, []*client{a, x, b}) // the array: a, x, b

	// Another file, with bytes of its own waiting, that will take x's
	// number. (Opened before x is closed, or it would get the number now.)
	other, err := fdtest.NonblockingPair()
	if err != nil {
		t.Fatalf("test setup: socketpair: %v", err)
	}
	t.Cleanup(func() { unix.Close(other[0]); unix.Close(other[1]) })
	unix.Close(x.server) // behind the loop's back
	theirs := []byte("not yours\n")
	if _, err := unix.Write(other[1], theirs); err != nil {
		t.Fatalf("test setup: %v", err)
	}
	otherFile := fileOf(t, other[0])
	reused := false
	onData := s.OnData
	s.OnData = func(fd int, data []byte) {
		onData(fd, data)
		if !reused && fd != x.server {
			reused = true
			if err := unix.Dup2(other[0], x.server); err != nil {
				t.Errorf("test setup: dup2: %v", err)
			}
			unix.CloseOnExec(x.server)
		}
	}
	t.Cleanup(func() {
		if otherFile.Names(x.server) {
			unix.Close(x.server)
		}
	})
	peerWrite(t, a, []byte("from a\n"))
	peerWrite(t, b, []byte("from b\n"))

	served, err := pass(t, s, 500*time.Millisecond)
	prefix := fmt.Sprintf("fd %d was closed behind the loop's back (poll reported POLLNVAL), and during the pass a callback opened another file, which the kernel numbered %d", x.server, x.server)
	treat := fmt.Sprintf("Pass treated POLLNVAL like a readable fd or a hang-up. POLLNVAL means fd %d was not open when poll looked; by the time Pass got to the entry, the number named someone else's file. Never read or close a POLLNVAL fd: drop its entry and call OnInvalid(%d).", x.server, x.server)
	if !reused {
		t.Fatalf("%s: Pass called OnData for neither of the two clients that wrote (%v, %v); want both served.%s", prefix, a, b, revisit)
	}
	if !otherFile.Names(x.server) {
		t.Fatalf("%s: after the pass, fd %d is closed: Pass closed the other file.\n\t%s%s", prefix, x.server, treat, revisit)
	}
	var peek [64]byte
	if n, _, err := unix.Recvfrom(x.server, peek[:], unix.MSG_PEEK|unix.MSG_DONTWAIT); err != nil || !bytes.Equal(peek[:n], theirs) {
		t.Fatalf("%s: Pass read the other file's bytes (%q waited there; now %d are left).\n\t%s%s", prefix, theirs, max(n, 0), treat, revisit)
	}
	if got := rec.data[x.server]; got != nil {
		t.Fatalf("%s: OnData(%d, %q).\n\t%s%s", prefix, x.server, got, treat, revisit)
	}
	if rec.closes[x.server] > 0 {
		t.Fatalf("%s: OnClose(%d).\n\t%s%s", prefix, x.server, treat, revisit)
	}
	if err != nil {
		t.Fatalf("%s: Pass returned error %v; want nil.%s", prefix, err, revisit)
	}
	var missed []string
	for _, c := range []*client{a, b} {
		if want := fmt.Appendf(nil, "from %s\n", map[*client]string{a: "a", b: "b"}[c]); !bytes.Equal(rec.data[c.server], want) {
			missed = append(missed, fmt.Sprintf("%v sent %q but OnData got %q", c, want, rec.data[c.server]))
		}
	}
	if len(missed) > 0 {
		t.Fatalf("%s: every client that was ready must be served IN THIS PASS, but:\n\t\t%s\n\t%s%s", prefix, strings.Join(missed, "\n\t\t"), hintSkip, revisit)
	}
	if rec.invalids[x.server] != 1 {
		t.Fatalf("%s: OnInvalid(%d) called %d times; want once.%s", prefix, x.server, rec.invalids[x.server], revisit)
	}
	if served != 3 {
		t.Errorf("%s: Pass returned served = %d; want 3 (two OnData calls and one OnInvalid).%s", prefix, served, revisit)
	}
	checkArray(t, prefix, s, fdsOf(a, b))
}

// A client that sends its last bytes and closes: poll reports POLLIN and
// POLLHUP together. The bytes come first; the 0-byte read that says "gone"
// comes after them.
func TestPassHangUpWithData(t *testing.T) {
	s, rec, clients := setup(t, 3, 7)
	c := clients[1]
	bye := []byte("last words\n")
	peerWrite(t, c, bye)
	c.closePeer() // a full close: POLLIN|POLLHUP
	prefix := fmt.Sprintf("%v sent %q and closed its end (poll reports POLLIN|POLLHUP: the bytes and the hang-up together)", c, bye)
	passes := 0
	for ; passes < 3 && rec.closes[c.server] == 0; passes++ {
		if _, err := pass(t, s, 500*time.Millisecond); err != nil {
			t.Fatalf("%s: Pass returned error %v; want nil.%s", prefix, err, revisit)
		}
	}
	switch got := rec.data[c.server]; {
	case rec.closes[c.server] > 0 && got == nil:
		t.Fatalf("%s: Pass called OnClose(%d) without ever calling OnData: the last bytes were lost.\n\tClosing on POLLHUP throws away what is still buffered. Treat POLLHUP like POLLIN: read. The bytes come out first; once they are out, read returns 0, and that is when the client is gone.%s", prefix, c.server, revisit)
	case !bytes.Equal(got, bye):
		t.Fatalf("%s: OnData got %q; want %q.%s", prefix, got, bye, revisit)
	case rec.closes[c.server] == 0:
		t.Fatalf("%s: after %d passes OnClose(%d) was never called; want it once the bytes are read (the next read returns 0 bytes: end of file).%s", prefix, passes, c.server, revisit)
	case !slices.Equal(rec.order, []string{fmt.Sprintf("data %d", c.server), fmt.Sprintf("close %d", c.server)}):
		t.Fatalf("%s: callbacks %v; want OnData, then OnClose.%s", prefix, rec.order, revisit)
	}
	if len(rec.early) > 0 {
		t.Errorf("%s: %s.\n\tCall OnClose only once the fd is closed and gone from the array.%s", prefix, strings.Join(rec.early, "; "), revisit)
	}
	checkArray(t, prefix, s, fdsOf(clients[0], clients[2]))
}

// A pipe whose writer closed with nothing left to read: poll reports
// POLLHUP alone, no POLLIN. poll reports it whether or not the entry asked
// for it, and on every call until the loop acts.
func TestPassHangUpPipe(t *testing.T) {
	a, p, b := newSocketClient(t), newPipeClient(t), newSocketClient(t)
	s, rec, _ := serve(t, []*client{a, p, b})
	peerHangUp(t, p) // closes the pipe's write end
	prefix := fmt.Sprintf("the writer of %v closed it with nothing left to read: poll reports POLLHUP alone, without POLLIN", p)
	served, err := pass(t, s, 500*time.Millisecond)
	if err != nil {
		t.Fatalf("%s: Pass returned error %v; want nil.%s", prefix, err, revisit)
	}
	if rec.closes[p.server] == 0 && slices.Contains(s.Clients(), p.server) {
		t.Fatalf("%s: Pass did nothing with it: no OnClose, its entry still in the array.\n\tpoll sets POLLHUP (and POLLERR) in revents even though Events asked only for POLLIN, and sets it again on every call until you act, so every later pass returns at once: the loop spins. Treat POLLHUP like POLLIN: read; the 0-byte read says the writer is gone; close the fd, drop the entry, call OnClose.%s", prefix, revisit)
	}
	if rec.closes[p.server] != 1 {
		t.Fatalf("%s: OnClose(%d) called %d times; want once.%s", prefix, p.server, rec.closes[p.server], revisit)
	}
	if len(rec.early) > 0 {
		t.Errorf("%s: %s.\n\tCall OnClose only once the fd is closed and gone from the array.%s", prefix, strings.Join(rec.early, "; "), revisit)
	}
	if served != 1 {
		t.Errorf("%s: Pass returned served = %d; want 1.%s", prefix, served, revisit)
	}
	checkArray(t, prefix, s, fdsOf(a, b))
}

type round struct {
	name    string
	writers func(live []int) []int // fds whose peers send a message before the pass
	closers func(live []int) []int // fds whose peers hang up before the pass
	hint    string                 // what a client missed in this round most likely means
}

// The hints of the scripted rounds, each aimed at one classic bug.
const (
	hintEntry   = "Every client has an entry in s.fds with Events: unix.POLLIN; call unix.Poll(s.fds, ms) and look at each entry's Revents."
	hintSkip    = "Removing an entry while scanning skipped the one that moved into its place. After copying the last entry into slot i (or shifting the rest down), look at slot i AGAIN instead of moving on: the entry there has revents of its own from this poll call."
	hintGeneric = "If you remove entries while scanning the array, make sure the entry that takes a removed one's place is still looked at in this pass."
)

// at picks the fds at the given positions of the array (-1 is the last).
func at(pos ...int) func(live []int) []int {
	return func(live []int) []int {
		var fds []int
		for _, p := range pos {
			if p < 0 {
				p += len(live)
			}
			fds = append(fds, live[p])
		}
		return fds
	}
}

func everyone(live []int) []int { return live }

// A scripted sequence of passes aimed at the classic bugs: an entry not
// watched, and the entry that moves into a removed one's slot skipped.
// Positions are taken from the array as it is before each round.
func TestPassScripted(t *testing.T) {
	const seed = 1
	s, rec, clients := setup(t, 6, seed)
	rounds := []round{
		{name: "one client writes", writers: at(2), hint: hintEntry},
		{name: "a different client writes", writers: at(4), hint: hintEntry},
		{name: "the client at the front of the array hangs up while the one at the back writes", writers: at(-1), closers: at(0), hint: hintSkip},
		{name: "two neighbours hang up; the client after them writes", writers: at(3), closers: at(1, 2), hint: hintSkip},
		{name: "nobody is ready"},
		{name: "everyone left writes", writers: everyone, hint: hintGeneric},
		{name: "everyone left hangs up", closers: everyone, hint: hintSkip},
	}
	for _, rd := range rounds {
		check(t, s, rec, clients, rd, seed)
		if t.Failed() {
			return // later rounds depend on this one
		}
	}
}

// check runs one pass after the round's writes and hang-ups and compares what
// the Server did with what it should have done.
func check(t *testing.T, s *Server, rec *recorder, clients []*client, rd round, seed uint64) {
	t.Helper()
	rec.reset()
	live := s.Clients()
	var writers, closers []int
	if rd.writers != nil {
		writers = rd.writers(live)
	}
	if rd.closers != nil {
		closers = rd.closers(live)
	}
	byFd := map[int]*client{}
	for _, c := range clients {
		byFd[c.server] = c
	}
	msgs := map[int][]byte{}
	for _, fd := range writers {
		msgs[fd] = fmt.Appendf(nil, "round %q: hello from client %d\n", rd.name, byFd[fd].id)
		peerWrite(t, byFd[fd], msgs[fd])
	}
	for _, fd := range closers {
		peerHangUp(t, byFd[fd])
	}
	// Everything is already in the sockets, so a correct Pass returns at
	// once; the timeout only bounds how long a buggy one keeps us waiting.
	timeout := 500 * time.Millisecond
	if len(writers)+len(closers) == 0 {
		timeout = 20 * time.Millisecond // nothing will be ready: just wait out the timeout
	}
	served, err := pass(t, s, timeout)
	prefix := fmt.Sprintf("round %q (seed %d)", rd.name, seed)
	if err != nil {
		t.Fatalf("%s: Pass returned error: %v; want nil.%s", prefix, err, revisit)
	}
	var missed, extra []string
	for _, c := range clients {
		got, want := rec.data[c.server], msgs[c.server]
		switch {
		case want != nil && got == nil:
			missed = append(missed, fmt.Sprintf("%v sent %q but OnData was not called for it", c, want))
		case want != nil && !bytes.Equal(got, want):
			missed = append(missed, fmt.Sprintf("%v sent %q but OnData got %q", c, want, got))
		case want == nil && got != nil:
			extra = append(extra, fmt.Sprintf("OnData(%d, %q) for %v, which sent nothing", c.server, got, c))
		}
		hungUp := slices.Contains(closers, c.server)
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
		if rec.invalids[c.server] > 0 {
			extra = append(extra, fmt.Sprintf("OnInvalid(%d) for %v, whose fd is open: only POLLNVAL means that", c.server, c))
		}
	}
	if len(missed) > 0 {
		t.Errorf("%s: every client that was ready before the pass must be served IN THIS PASS, but:\n\t\t%s\n\t%s%s",
			prefix, strings.Join(missed, "\n\t\t"), rd.hint, revisit)
	}
	if len(extra) > 0 {
		t.Errorf("%s: callbacks that should not have happened:\n\t\t%s%s", prefix, strings.Join(extra, "\n\t\t"), revisit)
	}
	if len(rec.early) > 0 {
		t.Errorf("%s: %s.\n\tCall OnClose only once the fd is closed and its entry gone from the array: OnClose may call Clients() or Add, and must see the truth.%s",
			prefix, strings.Join(rec.early, "; "), revisit)
	}
	if want := len(writers) + len(closers); served != want {
		t.Errorf("%s: Pass returned served = %d; want %d (one per OnData or OnClose call).%s", prefix, served, want, revisit)
	}
	var want []int
	for _, fd := range live {
		if !slices.Contains(closers, fd) {
			want = append(want, fd)
		}
	}
	checkArray(t, prefix, s, want)
}

// Pass reads only the entries poll reported. The test makes the other
// clients write while the pass is already serving (from inside the first
// OnData): they were not ready when poll answered, so they must wait for the
// next pass. A Pass that reads every client on every pass serves them at
// once — and spends a read(2) per idle client, the very work poll exists to
// save.
func TestPassReadsOnlyReadyClients(t *testing.T) {
	for _, ready := range []string{"first", "last"} {
		t.Run("the ready client is "+ready+" in the array", func(t *testing.T) {
			s, rec, clients := setup(t, 5, 9)
			trigger := clients[0]
			if ready == "last" {
				trigger = clients[len(clients)-1]
			}
			var late []*client
			var lateErr error
			onData := s.OnData
			s.OnData = func(fd int, b []byte) {
				onData(fd, b)
				if late != nil {
					return
				}
				for _, c := range clients {
					if c != trigger {
						late = append(late, c)
						lateErr = errors.Join(lateErr, write(c, []byte("late\n")))
					}
				}
			}
			peerWrite(t, trigger, []byte("ready\n"))
			served, err := pass(t, s, 500*time.Millisecond)
			if err != nil || lateErr != nil {
				t.Fatalf("Pass returned error %v; want nil.%s", errors.Join(err, lateErr), revisit)
			}
			var early []string
			for _, c := range late {
				if rec.data[c.server] != nil {
					early = append(early, c.String())
				}
			}
			if len(early) > 0 {
				t.Fatalf("Pass called OnData for %s in the same pass as %v, but they wrote only after poll had answered (from inside OnData for %v): poll could not have reported them.\n\tPass read entries whose Revents poll left at 0. Read only where Revents is set: reading every client on every pass throws away what poll is for, and costs one read(2) per idle client per pass.%s",
					strings.Join(early, ", "), trigger, trigger, revisit)
			}
			if served != 1 || string(rec.data[trigger.server]) != "ready\n" {
				t.Fatalf("Pass with only %v ready: served = %d, OnData got %q; want 1 and %q.%s", trigger, served, rec.data[trigger.server], "ready\n", revisit)
			}
			if late == nil {
				t.Fatalf("Pass served %v but OnData was never called.%s", trigger, revisit)
			}
			rec.reset()
			served, err = pass(t, s, 500*time.Millisecond)
			if err != nil || served != len(late) {
				t.Fatalf("the next Pass: served = %d, err = %v; want %d (the clients that wrote during the last pass), nil.%s", served, err, len(late), revisit)
			}
		})
	}
}

// With nobody ready, a pass lasts its timeout. The test counts the passes
// that fit in a measured interval rather than timing any one of them: poll
// never returns before its timeout unless something is ready (or a signal
// interrupts it), so a correct Pass cannot exceed the count, however slow
// the machine. A Pass whose poll does not wait returns at once, and a loop
// of them spins: thousands of passes, one core at 100%.
func TestPassWaitsOutItsTimeout(t *testing.T) {
	const timeout, window = 100 * time.Millisecond, 400 * time.Millisecond
	s, _, _ := setup(t, 3, 31)
	passes, err := countPasses(t, s, timeout, window)
	if err != nil {
		t.Fatalf("Pass(%v) with nobody ready returned error %v; want 0, nil.%s", timeout, err, revisit)
	}
	if limit := int(window/timeout) + 4; passes > limit { // +1 for the pass that ends the window, +3 for stray signals (EINTR)
		t.Fatalf("Pass(%v) with nobody ready ran %d times in %v; want at most %d: each pass must wait for its timeout.\n\tpoll is not given the timeout: with 0 (or a value in the wrong units that rounds to 0) it returns at once, and a loop of passes spins, burning a core. poll wants MILLISECONDS: int(timeout.Milliseconds()), rounded up, and -1 only for a negative timeout.%s",
			timeout, passes, window, limit, revisit)
	}
}

// countPasses runs Pass(timeout) again and again until window has passed
// and returns how many passes ran.
func countPasses(t *testing.T, s *Server, timeout, window time.Duration) (int, error) {
	t.Helper()
	passes := 0
	var err error
	call := guard.Start(t, fmt.Sprintf("Pass(%v), again and again for %v,", timeout, window), func() {
		for start := time.Now(); time.Since(start) < window && err == nil; passes++ {
			_, err = s.Pass(timeout)
		}
	})
	if stuck := call.Wait(window + timeout + guard.Limit); stuck != nil {
		t.Fatalf("%v.\n\tExpected: each pass with nobody ready returns after its timeout.\n\t%s%s", stuck, whyStuck(stuck, timeout), revisit)
	}
	return passes, err
}

// A negative timeout means "wait until a client is ready": Pass(-1) must
// not return while nobody is, and must return once someone writes.
func TestPassBlocksUntilReady(t *testing.T) {
	s, rec, clients := setup(t, 3, 41)
	var n, empty int
	var err error
	call := guard.Start(t, "Pass(-1)", func() {
		// A signal can interrupt even a correct wait (EINTR: an empty
		// pass), so empty passes are counted, not failed at once. A Pass
		// that polls instead of waiting returns thousands of them.
		for n, err = s.Pass(-1); n == 0 && err == nil; n, err = s.Pass(-1) {
			empty++
		}
	})
	// The test writes only after this interval. Nothing can make a correct
	// Pass return in it more than once in a blue moon, however slow the
	// machine; its length only decides how surely a polling Pass is caught.
	select {
	case <-call.Done():
	case <-time.After(250 * time.Millisecond):
	}
	msg := []byte("at last\n")
	peerWrite(t, clients[1], msg)
	if stuck := call.Wait(guard.Limit); stuck != nil {
		t.Fatalf("%v after %v wrote.\n\tExpected: Pass(-1) returns as soon as a client is ready.\n\t%s%s", stuck, clients[1], whyStuck(stuck, -1), revisit)
	}
	switch {
	case empty > 2:
		t.Fatalf("Pass(-1) returned 0, nil %d times in 250ms while no client was ready.\n\tExpected: it waits until a client is ready. A negative timeout means \"block\": give poll -1. Made into 0, poll returns at once, and a loop around it spins.%s", empty, revisit)
	case err != nil:
		t.Fatalf("Pass(-1) returned error %v; want it to wait until a client is ready, then serve it.%s", err, revisit)
	case n != 1 || !bytes.Equal(rec.data[clients[1].server], msg):
		t.Fatalf("Pass(-1) after %v wrote %q = %d, nil with OnData getting %q; want 1, nil and %q.%s", clients[1], msg, n, rec.data[clients[1].server], msg, revisit)
	}
}

// A signal that arrives while poll waits makes it fail with EINTR. That is
// not an error: nothing failed, the pass is simply empty, and the caller
// runs the next one. The test sends a real signal to the thread sitting in
// poll.
func TestPassSurvivesEINTR(t *testing.T) {
	if signalThread == nil {
		t.Skip("aiming a signal at one thread needs tgkill: Linux only")
	}
	s, _, _ := setup(t, 2, 51)
	tids := make(chan int, 1)
	var n int
	var err error
	call := guard.Start(t, "Pass(-1)", func() {
		runtime.LockOSThread() // the signal must reach the thread that sits in poll
		defer runtime.UnlockOSThread()
		tids <- threadID()
		n, err = s.Pass(-1)
	})
	tid := <-tids
	// A signal that lands before poll starts is handled and forgotten, so
	// keep sending until Pass returns.
	for deadline := time.Now().Add(guard.Limit); time.Now().Before(deadline); {
		if err := signalThread(tid); err != nil {
			t.Fatalf("test setup: signal thread %d: %v", tid, err)
		}
		select {
		case <-call.Done():
			deadline = time.Time{}
		case <-time.After(20 * time.Millisecond): // between signals, not synchronisation
		}
	}
	if stuck := call.Wait(0); stuck != nil {
		t.Fatalf("%v, though a signal interrupted its poll every 20ms.\n\tExpected: poll fails with EINTR and Pass returns 0, nil.\n\t%s%s", stuck, whyStuck(stuck, -1), revisit)
	}
	if err != nil {
		t.Fatalf("Pass(-1) returned error %v after a signal interrupted poll; want 0, nil.\n\tEINTR means a signal arrived while poll waited: nothing failed. Return an empty pass (0, nil); the caller simply runs the next one.%s", err, revisit)
	}
	if n != 0 {
		t.Fatalf("Pass(-1) interrupted by a signal with nobody ready = %d, nil; want 0, nil.%s", n, revisit)
	}
}

// Seeded random rounds: random writers and hang-ups among the live clients.
func TestPassRandomRounds(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			s, rec, clients := setup(t, 10, seed)
			rng := rand.New(rand.NewPCG(seed, 4))
			for r := 0; len(s.fds) > 0 && !t.Failed(); r++ {
				var writers, closers []int
				for _, fd := range s.Clients() {
					switch rng.IntN(4) {
					case 0:
						writers = append(writers, fd)
					case 1:
						closers = append(closers, fd)
					}
				}
				check(t, s, rec, clients, round{
					name:    fmt.Sprintf("random round %d", r),
					writers: func([]int) []int { return writers },
					closers: func([]int) []int { return closers },
					hint:    hintGeneric,
				}, seed)
				if r > 100 {
					t.Fatalf("(seed %d) clients still served after 100 rounds: %v.%s", seed, s.Clients(), revisit)
				}
			}
		})
	}
}

// Clients write from their own goroutines with seeded random chunk sizes and
// pauses, then hang up. Running passes until nobody is left must deliver
// every client's bytes, in order, and close everyone.
func TestPassConcurrentClients(t *testing.T) {
	const seed, n = 21, 5
	s, _, clients := setup(t, n, seed)
	got := map[int][]byte{}
	closed := map[int]bool{}
	s.OnData = func(fd int, b []byte) { got[fd] = append(got[fd], b...) }
	s.OnClose = func(fd int) { closed[fd] = true }

	want := make([][]byte, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		for range 15 {
			want[i] = fmt.Appendf(want[i], "%d:%s|", i, strings.Repeat("x", rng.IntN(2000)))
		}
		pauses := make([]time.Duration, 15)
		for j := range pauses {
			pauses[j] = time.Duration(rng.IntN(800)) * time.Microsecond
		}
		peer := c.peer
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := want[i]
			for j := 0; len(data) > 0; j++ {
				time.Sleep(pauses[j%len(pauses)]) // jitter only; the server synchronises with poll
				k := min(len(data), 1+len(data)/(15-min(j, 14)))
				for chunk := data[:k]; len(chunk) > 0; {
					m, err := unix.Write(peer, chunk)
					if err == unix.EAGAIN || err == unix.EINTR {
						unix.Poll([]unix.PollFd{{Fd: int32(peer), Events: unix.POLLOUT}}, 50)
						continue
					}
					if err != nil {
						return
					}
					chunk = chunk[m:]
				}
				data = data[k:]
			}
			unix.Shutdown(peer, unix.SHUT_WR)
		}()
	}
	defer wg.Wait()

	// Run passes until everyone is gone. Once every writer has finished,
	// all remaining data and hang-ups are already in the sockets, so a few
	// passes in a row with no callback at all mean the loop is missing
	// someone: stop early instead of waiting out the deadline.
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	deadline := time.Now().Add(3 * time.Second)
	idle := 0
	for len(s.Clients()) > 0 && time.Now().Before(deadline) && idle < 5 {
		before := callbacks(got, closed)
		if _, err := pass(t, s, 50*time.Millisecond); err != nil {
			t.Fatalf("(seed %d) Pass returned error %v; want nil.%s", seed, err, revisit)
		}
		select {
		case <-writersDone:
			if callbacks(got, closed) == before {
				idle++
			} else {
				idle = 0
			}
		default:
		}
	}
	for i, c := range clients {
		if !bytes.Equal(got[c.server], want[i]) {
			t.Errorf("(seed %d) %v: received %d bytes; want the %d bytes it sent, in order.%s", seed, c, len(got[c.server]), len(want[i]), revisit)
		}
		if !closed[c.server] {
			t.Errorf("(seed %d) %v hung up but OnClose was never called (still watching: %v).%s", seed, c, s.Clients(), revisit)
		}
	}
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

// fdsOf returns the server fds of clients.
func fdsOf(clients ...*client) []int {
	var fds []int
	for _, c := range clients {
		fds = append(fds, c.server)
	}
	return fds
}
