package selectloop

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// The tests run in this file's order, the most specific first, so the first
// failure a learner reads names the mistake. The helpers are in
// helpers_test.go.

// An fd select cannot hold is refused up front, with a message that names
// the limit.
func TestAddRefusesLargeFd(t *testing.T) {
	var s Server
	var err error
	if stuck := guard.Run(t, "Add(FD_SETSIZE)", func() { err = s.Add(unix.FD_SETSIZE) }); stuck != nil {
		t.Fatalf("%v.%s", stuck, revisit)
	}
	if err == nil || !strings.Contains(err.Error(), "FD_SETSIZE") {
		t.Fatalf("Add(%d) = %v; want an error naming FD_SETSIZE.%s", unix.FD_SETSIZE, err, revisit)
	}
}

type round struct {
	name    string
	writers []int  // client ids whose peers send a message before the pass
	closers []int  // client ids whose peers hang up before the pass
	hint    string // what a client missed in this round most likely means
}

// The hints of the scripted rounds, each aimed at one classic bug.
const (
	hintSet     = "Put every client in the set (rset.Set(fd)) and pass nfds = the highest fd + 1."
	hintRebuild = "select overwrote the set you gave it last pass with the ready subset: build a fresh unix.FdSet on every pass."
	hintNfds    = "nfds is not a count: select looks only at fds below nfds, so it must be the HIGHEST fd + 1 — not len(clients), not the last fd added, not the highest fd itself."
	hintSkip    = "Removing a client while looping over the list skipped the one after it: build the survivors into a new slice as you go (kept := s.clients[:0]) instead of deleting in place."
	hintGeneric = "If you remove clients while looping over them, make sure the next client is not skipped; if you reuse the fd set, remember select overwrote it."
)

// A scripted sequence of passes aimed at the classic bugs: a set not filled,
// a reused fd set, nfds too small, and skipping the client after a removed
// one.
func TestPassScripted(t *testing.T) {
	const seed = 1
	s, rec, clients := setup(t, 6, seed)
	live := allLive(6)
	rounds := []round{
		{name: "one client writes", writers: []int{2}, hint: hintSet},
		{name: "a different client writes (the fd set must be rebuilt)", writers: []int{4}, hint: hintRebuild},
		{name: "the highest fd writes", writers: []int{highest(clients)}, hint: hintNfds},
		{name: "the first client hangs up while the last one writes", writers: []int{5}, closers: []int{0}, hint: hintSkip},
		{name: "two neighbours hang up; the client after them writes", writers: []int{3}, closers: []int{1, 2}, hint: hintSkip},
		{name: "nobody is ready", writers: nil},
		{name: "everyone left writes", writers: []int{3, 4, 5}, hint: hintGeneric},
		{name: "everyone left hangs up", closers: []int{3, 4, 5}, hint: hintSkip},
	}
	for _, rd := range rounds {
		check(t, s, rec, clients, live, rd, seed)
		if t.Failed() {
			return // later rounds depend on this one
		}
	}
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
	if errors.Is(err, unix.EBADF) {
		t.Fatalf("%s: Pass returned error: %v; want nil.\n\tselect was given a closed fd: the set still holds a client that left — a set kept from an earlier pass, or a client closed but not removed. Build a fresh set, every pass, from the clients you still serve.%s", prefix, err, revisit)
	}
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
		t.Errorf("%s: every client that was ready before the pass must be served IN THIS PASS, but:\n\t\t%s\n\t%s%s",
			prefix, strings.Join(missed, "\n\t\t"), rd.hint, revisit)
	}
	if len(extra) > 0 {
		t.Errorf("%s: callbacks that should not have happened:\n\t\t%s%s", prefix, strings.Join(extra, "\n\t\t"), revisit)
	}
	if len(rec.early) > 0 {
		t.Errorf("%s: %s.\n\tCall OnClose only once the fd is closed and gone from the list (assign the survivors to s.clients first): OnClose may call Clients() or Add, and must see the truth — an Add made from OnClose would otherwise be lost.%s",
			prefix, strings.Join(rec.early, "; "), revisit)
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

// Pass reads only the clients select reported ready. The test makes the
// other clients write while the pass is already serving (from inside the
// first OnData): they were not ready when select answered, so they must wait
// for the next pass. A Pass that reads every client on every pass serves them
// at once — and spends a read(2) per idle client, the very work select
// exists to save. The ready client is first in one run and last in the
// other, in both the order clients were added and fd order.
func TestPassReadsOnlyReadyClients(t *testing.T) {
	for _, ready := range []string{"first", "last"} {
		t.Run("the ready client is "+ready, func(t *testing.T) {
			s, rec, clients := setupOrdered(t, 5)
			trigger := clients[0]
			if ready == "last" {
				trigger = clients[len(clients)-1]
			}
			var late []client
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
				t.Fatalf("Pass called OnData for %s in the same pass as %v, but they wrote only after select had answered (from inside OnData for %v): select could not have reported them ready.\n\tPass read fds select did not report. Read only where rset.IsSet(fd): reading every client on every pass throws away what select is for, and costs one read(2) per idle client per pass.%s",
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
// that fit in a measured interval rather than timing any one of them: select
// never returns before its timeout unless something is ready (or a signal
// interrupts it), so a correct Pass cannot exceed the count, however slow
// the machine. A Pass whose select does not wait returns at once, and a
// loop of them spins: thousands of passes, one core at 100%.
func TestPassWaitsOutItsTimeout(t *testing.T) {
	const timeout, window = 100 * time.Millisecond, 400 * time.Millisecond
	s, _, _ := setup(t, 3, 31)
	passes, err := countPasses(t, s, timeout, window)
	if err != nil {
		t.Fatalf("Pass(%v) with nobody ready returned error %v; want 0, nil.%s", timeout, err, revisit)
	}
	limit := int(window/timeout) + 4 // +1 for the pass that ends the window, +3 for stray signals (EINTR)
	if passes <= limit {
		return
	}
	// Too many passes. Tell a zero timeout from one cut to whole seconds
	// (100ms → 0s) by how long a pass of a whole second takes.
	start := time.Now()
	n, err := pass(t, s, time.Second)
	took := time.Since(start).Round(time.Millisecond)
	if took < time.Millisecond {
		took = time.Since(start).Round(time.Microsecond)
	}
	msg := fmt.Sprintf("Pass(%v) with nobody ready ran %d times in %v; want at most %d: each pass must wait for its timeout.", timeout, passes, window, limit)
	switch {
	case err != nil || n != 0:
		t.Fatalf("%s\n\tPass(1s) with nobody ready returned %d, %v; want 0, nil.%s", msg, n, err, revisit)
	case took >= 900*time.Millisecond:
		t.Fatalf("%s\n\tYet Pass(1s) waits its full second (%v): the timeout keeps only whole seconds, so %v becomes 0 — a zero timeout, and the loop spins. Put the rest in Usec too: unix.NsecToTimeval(timeout.Nanoseconds()) does both.%s",
			msg, took, timeout, revisit)
	default:
		t.Fatalf("%s\n\tPass(1s) returned after %v too: select is not given the timeout — with a zero Timeval (or one in the wrong units) it polls and returns at once, and a loop of passes spins, burning a core. Convert with tv := unix.NsecToTimeval(timeout.Nanoseconds()) and pass &tv.%s",
			msg, took, revisit)
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
		t.Fatalf("Pass(-1) returned 0, nil %d times in 250ms while no client was ready.\n\tExpected: it waits until a client is ready. A negative timeout means \"block\": pass a nil *Timeval to select. Made into a zero timeout, select polls and returns at once, and a loop around it spins.%s", empty, revisit)
	case err != nil:
		t.Fatalf("Pass(-1) returned error %v; want it to wait until a client is ready, then serve it.%s", err, revisit)
	case n != 1 || !bytes.Equal(rec.data[clients[1].server], msg):
		t.Fatalf("Pass(-1) after %v wrote %q = %d, nil with OnData getting %q; want 1, nil and %q.%s", clients[1], msg, n, rec.data[clients[1].server], msg, revisit)
	}
}

// A signal that arrives while select waits makes it fail with EINTR. That is
// not an error: nothing failed, the pass is simply empty, and the caller
// runs the next one. The test sends a real signal to the thread sitting in
// select.
func TestPassSurvivesEINTR(t *testing.T) {
	if signalThread == nil {
		t.Skip("aiming a signal at one thread needs tgkill: Linux only")
	}
	s, _, _ := setup(t, 2, 51)
	tids := make(chan int, 1)
	var n int
	var err error
	call := guard.Start(t, "Pass(-1)", func() {
		runtime.LockOSThread() // the signal must reach the thread that sits in select
		defer runtime.UnlockOSThread()
		tids <- threadID()
		n, err = s.Pass(-1)
	})
	tid := <-tids
	// A signal that lands before select starts is handled and forgotten, so
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
		t.Fatalf("%v, though a signal interrupted its select every 20ms.\n\tExpected: select fails with EINTR and Pass returns 0, nil.\n\t%s%s", stuck, whyStuck(stuck, -1), revisit)
	}
	if err != nil {
		t.Fatalf("Pass(-1) returned error %v after a signal interrupted select; want 0, nil.\n\tEINTR means a signal arrived while select waited: nothing failed. Return an empty pass (0, nil); the caller simply runs the next one.%s", err, revisit)
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
			live := allLive(10)
			rng := rand.New(rand.NewPCG(seed, 4))
			for r := 0; len(live) > 0 && !t.Failed(); r++ {
				rd := round{name: fmt.Sprintf("random round %d", r), hint: hintGeneric}
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := want[i]
			for j := 0; len(data) > 0; j++ {
				time.Sleep(pauses[j%len(pauses)]) // jitter only; the server synchronises with select
				k := min(len(data), 1+len(data)/(15-min(j, 14)))
				for chunk := data[:k]; len(chunk) > 0; {
					m, err := unix.Write(c.peer, chunk)
					if err == unix.EAGAIN || err == unix.EINTR {
						unix.Poll([]unix.PollFd{{Fd: int32(c.peer), Events: unix.POLLOUT}}, 50)
						continue
					}
					if err != nil {
						return
					}
					chunk = chunk[m:]
				}
				data = data[k:]
			}
			unix.Shutdown(c.peer, unix.SHUT_WR)
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
