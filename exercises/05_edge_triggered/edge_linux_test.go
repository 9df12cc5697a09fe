package edge

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// The tests run in this file's order, the most specific first, so the first
// failure a learner reads names the mistake. The helpers are in
// helpers_linux_test.go.

// Add registers the fd edge-triggered, for reading, with the fd in the
// event's data. The test reads the kernel's own interest list
// (/proc/self/fdinfo of the epoll fd) rather than trusting behaviour: a
// level-triggered Reader would pass every other test.
func TestAddRegistersEdgeTriggered(t *testing.T) {
	r := newReader(t)
	c := newClient(t, 0)
	add(t, r, c.server)
	reg, ok := interestList(t, r.epfd)[c.server]
	switch {
	case !ok:
		t.Fatalf("Add(%d) returned nil, but epoll does not watch fd %d: the interest list of r.epfd has no entry for it.\n\tRegister it: unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &ev).%s", c.server, c.server, revisit)
	case reg.Events&unix.EPOLLET == 0:
		t.Fatalf("Add(%d) registered fd %d with events %#x: level-triggered.\n\tThis Reader is edge-triggered: Events must be unix.EPOLLIN|unix.EPOLLET. (Level-triggered epoll forgives a handler that reads too little — it reports the fd again on every wait — which is exactly what this exercise is about not relying on.)%s", c.server, c.server, reg.Events, revisit)
	case reg.Events&unix.EPOLLIN == 0:
		t.Fatalf("Add(%d) registered fd %d with events %#x, without EPOLLIN: epoll would never report it readable.\n\tEvents must be unix.EPOLLIN|unix.EPOLLET.%s", c.server, c.server, reg.Events, revisit)
	case int32(reg.Data) != int32(c.server):
		t.Fatalf("Add(%d) registered fd %d with data %d.\n\tSet Fd: int32(fd) in the EpollEvent: epoll hands the data back with each event, and it is the only way Wait knows which fd is ready.%s", c.server, c.server, int32(reg.Data), revisit)
	}
}

// Bytes already waiting when the pass starts — a little, exactly one read's
// worth, and many reads' worth — must all be read by the time the loop goes
// idle. Edge triggering reports each fd once: whatever Wait leaves behind
// is never reported again.
func TestWaitDrainsUntilEAGAIN(t *testing.T) {
	r, rec, clients := setup(t, 3)
	sent := map[*client][]byte{
		clients[0]: []byte("hello, edge\n"),
		clients[1]: pattern(1, ReadSize),
		clients[2]: pattern(2, 10*ReadSize+17),
	}
	for _, c := range clients {
		peerWrite(t, c, sent[c])
	}
	const prefix = "three clients wrote 12 bytes, exactly ReadSize, and 10×ReadSize+17 bytes, then waited"
	passes, idle := passUntilIdle(t, r, 50*time.Millisecond, 10, clients)
	if !idle {
		t.Fatalf("%s: Wait still reported events after %d passes, though nothing new arrived.\n\tAn edge-triggered fd is reported once per arrival: register with EPOLLET, read it until EAGAIN, and it stays quiet until more bytes come.%s", prefix, passes, revisit)
	}
	checkNoneLeft(t, prefix, clients, sent)
	for _, c := range clients {
		if rec.closes[c.server] > 0 || serverClosed(c) {
			t.Fatalf("%s: Wait closed %v, which is still connected (OnClose called: %v; fd closed: %v).\n\tEAGAIN is not an error: it means \"drained, for now\". Stop reading that fd and keep it; only a 0-byte read (or a real error) means the client left.%s", prefix, c, rec.closes[c.server] > 0, serverClosed(c), revisit)
		}
	}
	for _, c := range clients {
		if got := rec.data[c.server]; !bytes.Equal(got, sent[c]) {
			t.Errorf("%s: OnData for %v got %s; want the %s it sent, in order.\n\tPass OnData each read's buf[:n], nothing more.%s", prefix, c, describe(got), describe(sent[c]), revisit)
		}
	}
}

// A client that sends its last bytes and closes: one report, with the bytes
// and the hang-up together. The bytes come first; the read after them
// returns 0 (end of file) — and under edge triggering nothing will report
// the fd again, so Wait must get to that read now.
func TestWaitSeesEndOfFile(t *testing.T) {
	r, rec, clients := setup(t, 3)
	bye, still := clients[0], clients[2]
	peerWrite(t, bye, []byte("last words\n"))
	bye.closePeer()
	clients[1].closePeer() // closes with nothing sent
	peerWrite(t, still, []byte("still here\n"))
	const prefix = "client 0 wrote \"last words\\n\" and closed, client 1 closed without a word, client 2 wrote \"still here\\n\" and stays"
	if _, idle := passUntilIdle(t, r, 50*time.Millisecond, 10, clients); !idle {
		t.Fatalf("%s: Wait still reported events after 10 passes, though nothing new arrived.%s", prefix, revisit)
	}
	checkNoneLeft(t, prefix, clients, nil)
	for _, c := range clients[:2] {
		if rec.closes[c.server] == 0 {
			how := "and never saw the end of file"
			if got := rec.data[c.server]; got != nil {
				how = fmt.Sprintf("read %q, and then never saw the end of file", got)
			}
			t.Fatalf("%s: the loop is idle, and Wait %s of %v: OnClose was not called, the fd is still open.\n\tThe hang-up is reported with the bytes, once. A short read is not the end, and neither is the last byte: keep reading until EAGAIN — here the next read returns 0, end of file: deregister the fd, close it, call OnClose.%s", prefix, how, c, revisit)
		}
		if rec.closes[c.server] > 1 {
			t.Fatalf("%s: OnClose(%d) called %d times; want once.%s", prefix, c.server, rec.closes[c.server], revisit)
		}
		if !serverClosed(c) {
			t.Fatalf("%s: OnClose(%d) was called but fd %d is still open: unix.Close it (after EPOLL_CTL_DEL).%s", prefix, c.server, c.server, revisit)
		}
		if _, ok := interestList(t, r.epfd)[c.server]; ok {
			t.Fatalf("%s: after OnClose(%d), epoll still watches fd %d's file.\n\tDeregister (EPOLL_CTL_DEL) before closing.%s", prefix, c.server, c.server, revisit)
		}
	}
	if got, want := string(rec.data[bye.server]), "last words\n"; got != want {
		t.Errorf("%s: OnData for %v got %q; want %q: the bytes before the end of file are the client's last words, read them before closing.%s", prefix, bye, got, want, revisit)
	}
	if want := []string{fmt.Sprintf("data %d", bye.server), fmt.Sprintf("close %d", bye.server)}; !bytes.Contains([]byte(strings.Join(rec.order, ",")), []byte(strings.Join(want, ","))) {
		t.Errorf("%s: callbacks %v; want OnData(%d) right before OnClose(%d).%s", prefix, rec.order, bye.server, bye.server, revisit)
	}
	if rec.closes[still.server] > 0 || serverClosed(still) {
		t.Errorf("%s: Wait closed %v, which is still connected.%s", prefix, still, revisit)
	}
	if got := string(rec.data[still.server]); got != "still here\n" {
		t.Errorf("%s: OnData for %v got %q; want %q.%s", prefix, still, got, "still here\n", revisit)
	}
	if len(rec.early) > 0 {
		t.Errorf("%s: %s.\n\tCall OnClose once the fd is deregistered and closed.%s", prefix, strings.Join(rec.early, "; "), revisit)
	}
}

// A callback may register a new fd — a handler that accepts a connection
// does exactly that. Bytes already waiting on it are reported by the next
// wait (EPOLL_CTL_ADD looks at the fd once, as it adds it).
func TestWaitAddFromCallback(t *testing.T) {
	r, rec, clients := setup(t, 1)
	newcomer := newClient(t, 1)
	peerWrite(t, newcomer, []byte("hi, I'm new\n"))
	added := false
	var addErr error
	onData := r.OnData
	r.OnData = func(fd int, b []byte) {
		onData(fd, b)
		if fd == clients[0].server && !added {
			added = true
			addErr = r.Add(newcomer.server)
		}
	}
	peerWrite(t, clients[0], []byte("let the next one in\n"))
	all := append(clients, newcomer)
	if _, idle := passUntilIdle(t, r, 50*time.Millisecond, 10, all); !idle {
		t.Fatalf("Wait still reported events after 10 passes, though nothing new arrived.%s", revisit)
	}
	switch {
	case !added:
		t.Fatalf("%v wrote, but OnData was never called for it.%s", clients[0], revisit)
	case addErr != nil:
		t.Fatalf("Add(%d), called from OnData, returned %v; want nil.%s", newcomer.server, addErr, revisit)
	}
	checkNoneLeft(t, "a callback added a client whose bytes were already waiting", all, nil)
	if got := string(rec.data[newcomer.server]); got != "hi, I'm new\n" {
		t.Fatalf("a callback added %v, whose bytes were already waiting: OnData got %q; want %q in a later pass.%s", newcomer, got, "hi, I'm new\n", revisit)
	}
}

// With nobody ready, a pass lasts its timeout. The test counts the passes
// that fit in a measured interval rather than timing any one of them:
// epoll_wait never returns before its timeout unless something is ready (or
// a signal interrupts it), so a correct Wait cannot exceed the count,
// however slow the machine.
func TestWaitWaitsOutItsTimeout(t *testing.T) {
	const timeout, window = 100 * time.Millisecond, 400 * time.Millisecond
	r, _, clients := setup(t, 2)
	passes := 0
	var err error
	call := guard.Start(t, fmt.Sprintf("Wait(%v), again and again for %v,", timeout, window), func() {
		for start := time.Now(); time.Since(start) < window && err == nil; passes++ {
			_, err = r.Wait(timeout)
		}
	})
	if stuck := call.Wait(window + timeout + guard.Limit); stuck != nil {
		t.Fatalf("%v.\n\tExpected: each pass with nobody ready returns after its timeout.\n\t%s%s", stuck, whyStuck(stuck, timeout, clients), revisit)
	}
	if err != nil {
		t.Fatalf("Wait(%v) with nobody ready returned error %v; want 0, nil.%s", timeout, err, revisit)
	}
	if limit := int(window/timeout) + 4; passes > limit { // +1 for the pass that ends the window, +3 for stray signals (EINTR)
		t.Fatalf("Wait(%v) with nobody ready ran %d times in %v; want at most %d: each pass must wait for its timeout.\n\tepoll_wait is not given the timeout: with 0 (or a value in the wrong units that rounds to 0) it returns at once, and a loop of passes spins, burning a core. epoll_wait wants MILLISECONDS: int(timeout.Milliseconds()), rounded up, and -1 only for a negative timeout.%s",
			timeout, passes, window, limit, revisit)
	}
}

// A negative timeout means "wait until a client is ready": Wait(-1) must
// not return while nobody is, and must return once someone writes.
func TestWaitBlocksUntilReady(t *testing.T) {
	r, rec, clients := setup(t, 2)
	var n, empty int
	var err error
	call := guard.Start(t, "Wait(-1)", func() {
		// A signal can interrupt even a correct wait (EINTR: an empty
		// pass), so empty passes are counted, not failed at once.
		for n, err = r.Wait(-1); n == 0 && err == nil; n, err = r.Wait(-1) {
			empty++
		}
	})
	select {
	case <-call.Done():
	case <-time.After(250 * time.Millisecond): // only decides how surely a polling Wait is caught
	}
	msg := []byte("at last\n")
	peerWrite(t, clients[1], msg)
	if stuck := call.Wait(guard.Limit); stuck != nil {
		t.Fatalf("%v after %v wrote.\n\tExpected: Wait(-1) returns as soon as a client is ready.\n\t%s%s", stuck, clients[1], whyStuck(stuck, -1, clients), revisit)
	}
	switch {
	case empty > 2:
		t.Fatalf("Wait(-1) returned 0, nil %d times in 250ms while no client was ready.\n\tExpected: it waits until a client is ready. A negative timeout means \"block\": give epoll_wait -1. Made into 0, epoll_wait returns at once, and a loop around it spins.%s", empty, revisit)
	case err != nil:
		t.Fatalf("Wait(-1) returned error %v; want it to wait until a client is ready, then serve it.%s", err, revisit)
	case n != 1 || !bytes.Equal(rec.data[clients[1].server], msg):
		t.Fatalf("Wait(-1) after %v wrote %q = %d, nil with OnData getting %q; want 1, nil and %q.%s", clients[1], msg, n, rec.data[clients[1].server], msg, revisit)
	}
}

// A signal that arrives while epoll_wait waits makes it fail with EINTR:
// an empty pass, not an error. The test sends a real signal (SIGURG, which
// the Go runtime handles and ignores) to the thread sitting in epoll_wait.
func TestWaitSurvivesEINTR(t *testing.T) {
	r, _, clients := setup(t, 1)
	tids := make(chan int, 1)
	var n int
	var err error
	call := guard.Start(t, "Wait(-1)", func() {
		runtime.LockOSThread() // the signal must reach the thread that sits in epoll_wait
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		n, err = r.Wait(-1)
	})
	tid := <-tids
	// A signal that lands before epoll_wait starts is handled and
	// forgotten, so keep sending until Wait returns.
	for deadline := time.Now().Add(guard.Limit); time.Now().Before(deadline); {
		if err := unix.Tgkill(unix.Getpid(), tid, unix.SIGURG); err != nil {
			t.Fatalf("test setup: signal thread %d: %v", tid, err)
		}
		select {
		case <-call.Done():
			deadline = time.Time{}
		case <-time.After(20 * time.Millisecond): // between signals, not synchronisation
		}
	}
	if stuck := call.Wait(0); stuck != nil {
		t.Fatalf("%v, though a signal interrupted its epoll_wait every 20ms.\n\tExpected: epoll_wait fails with EINTR and Wait returns 0, nil.\n\t%s%s", stuck, whyStuck(stuck, -1, clients), revisit)
	}
	if err != nil || n != 0 {
		t.Fatalf("Wait(-1) interrupted by a signal with nobody ready = %d, %v; want 0, nil.\n\tEINTR means a signal arrived while epoll_wait waited: nothing failed. Return an empty pass; the caller simply runs the next one.%s", n, err, revisit)
	}
}

// Clients write from their own goroutines in seeded random chunks with
// random pauses, then hang up. Passes run until everyone is gone or the
// loop goes idle after the writers are done: by then every byte must have
// been read and every client closed.
func TestWaitConcurrentWriters(t *testing.T) {
	const seed, n = 21, 4
	r, rec, clients := setup(t, n)
	want := map[*client][]byte{}
	var wg sync.WaitGroup
	for i, c := range clients {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		want[c] = pattern(uint64(100+i), 3*ReadSize+rng.IntN(20*ReadSize))
		pauses := make([]time.Duration, 16)
		for j := range pauses {
			pauses[j] = time.Duration(rng.IntN(800)) * time.Microsecond
		}
		data, peer := want[c], c.peer
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; len(data) > 0; j++ {
				time.Sleep(pauses[j%len(pauses)]) // jitter only; the Reader synchronises with epoll
				k := min(len(data), 1+rng.IntN(3*ReadSize))
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
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()

	prefix := fmt.Sprintf("(seed %d) %d clients wrote in random chunks with random pauses, then hung up", seed, n)
	deadline := time.Now().Add(3 * time.Second)
	for closed := 0; closed < n && time.Now().Before(deadline); {
		// Whether every byte had been written before this pass began: only
		// then does a pass with no events mean the loop is idle for good.
		written := false
		select {
		case <-writersDone:
			written = true
		default:
		}
		events, err := wait(t, r, 50*time.Millisecond, clients)
		if err != nil {
			t.Fatalf("%s: Wait returned error %v; want nil.%s", prefix, err, revisit)
		}
		closed = len(rec.closes)
		if written && events == 0 {
			checkNoneLeft(t, prefix, clients, want)
			break
		}
	}
	checkNoneLeft(t, prefix, clients, want)
	for _, c := range clients {
		if got := rec.data[c.server]; !bytes.Equal(got, want[c]) {
			t.Errorf("%s: %v: OnData got %d bytes; want the %d bytes it sent, in order.%s", prefix, c, len(got), len(want[c]), revisit)
		}
		if rec.closes[c.server] != 1 {
			t.Errorf("%s: %v hung up; OnClose called %d times, want once.%s", prefix, c, rec.closes[c.server], revisit)
		}
	}
}
