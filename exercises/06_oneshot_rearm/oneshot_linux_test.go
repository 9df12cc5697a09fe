package oneshot

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/fdtest"
	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// The tests run in this file's order, the most specific first, so the first
// failure a learner reads names the mistake. The helpers are in
// helpers_linux_test.go.

// Add registers the fd one-shot, for reading, with the fd in the event's
// data. The test reads the kernel's own interest list (/proc/self/fdinfo
// of the epoll fd).
func TestAddRegistersOneShot(t *testing.T) {
	s := newServer(t)
	c := newClient(t, 0)
	add(t, s, c.server)
	reg, ok := interestList(t, s.epfd)[c.server]
	switch {
	case !ok:
		t.Fatalf("Add(%d) returned nil, but epoll does not watch fd %d: the interest list of s.epfd has no entry for it.\n\tRegister it: unix.EpollCtl(s.epfd, unix.EPOLL_CTL_ADD, fd, &ev).%s", c.server, c.server, revisit)
	case reg.Events&unix.EPOLLONESHOT == 0:
		t.Fatalf("Add(%d) registered fd %d with events %#x, without EPOLLONESHOT.\n\tWithout it epoll reports the fd to every pass that waits while it is readable, so two passes on two goroutines can handle one connection at once. Events must be unix.EPOLLIN|unix.EPOLLONESHOT.%s", c.server, c.server, reg.Events, revisit)
	case reg.Events&unix.EPOLLIN == 0:
		t.Fatalf("Add(%d) registered fd %d with events %#x, without EPOLLIN: epoll would never report it readable.\n\tEvents must be unix.EPOLLIN|unix.EPOLLONESHOT.%s", c.server, c.server, reg.Events, revisit)
	case int32(reg.Data) != int32(c.server):
		t.Fatalf("Add(%d) registered fd %d with data %d.\n\tSet Fd: int32(fd) in the EpollEvent: epoll hands the data back with each event, and it is the only way Pass knows which fd is ready.%s", c.server, c.server, int32(reg.Data), revisit)
	}
}

// After each event the kernel disarms a one-shot fd: it stays in the
// interest list but reports nothing until EPOLL_CTL_MOD arms it again. A
// Pass that does not re-arm serves each client once, then never again.
func TestPassRearms(t *testing.T) {
	s, rec, clients := setup(t, 2)
	c := clients[0]
	var want []byte
	for i, msg := range []string{"first\n", "second\n", "third\n"} {
		peerWrite(t, c, []byte(msg))
		want = append(want, msg...)
		n, err := pass(t, s, 500*time.Millisecond)
		prefix := fmt.Sprintf("%v sent %q (message %d)", c, msg, i+1)
		switch {
		case errors.Is(err, unix.EEXIST):
			t.Fatalf("%s: Pass returned error %v; want nil.\n\tRe-arm with EPOLL_CTL_MOD, not EPOLL_CTL_ADD: a one-shot fd that has fired is still in the interest list, disarmed, so adding it again fails with EEXIST.%s", prefix, err, revisit)
		case err != nil:
			t.Fatalf("%s: Pass returned error %v; want nil.%s", prefix, err, revisit)
		}
		got, _ := rec.got(c.server)
		if !bytes.Equal(got, want) {
			left := ""
			if u := fdtest.Unread(c.server); u > 0 {
				left = fmt.Sprintf(" (%d bytes sit unread in its socket)", u)
			}
			t.Fatalf("%s: after the pass (served = %d), OnData has had %q from it; want %q%s.\n\tIf it was served before, it was not re-armed: EPOLLONESHOT disarms an fd after each report. Re-arm it with EPOLL_CTL_MOD once the pass is done with it.%s", prefix, n, got, want, left, revisit)
		}
		reg, ok := interestList(t, s.epfd)[c.server]
		if !ok {
			t.Fatalf("%s: after Pass served it, epoll no longer watches fd %d at all.\n\tKeep it registered and re-arm it with EPOLL_CTL_MOD: it is still connected.%s", prefix, c.server, revisit)
		}
		if !reg.Armed() {
			t.Fatalf("%s: after Pass served it, fd %d is disarmed (events %#x: the EPOLLONESHOT flag and nothing else), so epoll will never report it again: its next bytes would sit unread, the client waiting for an answer forever.\n\tEPOLLONESHOT disarms an fd after each report. Once the pass is done with it (read, and OnData returned), re-arm it: unix.EpollCtl(s.epfd, unix.EPOLL_CTL_MOD, fd, &ev) with Events EPOLLIN|EPOLLONESHOT.%s", prefix, c.server, reg.Events, revisit)
		}
	}
}

// What one-shot is for: several goroutines wait on one epoll instance, and
// a connection is handled by one of them at a time. Pass A is still inside
// OnData for a client when the client sends more; Pass B, on another
// goroutine, must not be told about that client until A is done with it.
func TestPassOneHandlerAtATime(t *testing.T) {
	s, rec, clients := setup(t, 2)
	c := clients[0]
	entered, release := make(chan struct{}), make(chan struct{})
	var enterOnce, releaseOnce sync.Once
	releaseA := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(releaseA)
	rec.hook = func(fd int, b []byte) {
		if fd == c.server && bytes.HasPrefix(b, []byte("first")) {
			enterOnce.Do(func() { close(entered) })
			<-release // A stays in OnData until the test lets it go
		}
	}
	peerWrite(t, c, []byte("first\n"))
	var nA, nB int
	var errA, errB error
	a := guard.Start(t, "Pass(500ms) on goroutine A", func() { nA, errA = s.Pass(500 * time.Millisecond) })
	select {
	case <-entered:
	case <-a.Done():
		t.Fatalf("Pass on goroutine A returned %d, %v without calling OnData for %v, which had sent %q.%s", nA, errA, c, "first\n", revisit)
	case <-time.After(guard.Limit):
		if stuck := a.Wait(0); stuck != nil {
			t.Fatalf("%v.\n\t%s%s", stuck, whyStuck(stuck, 500*time.Millisecond), revisit)
		}
	}

	peerWrite(t, c, []byte("second\n"))
	b := guard.Start(t, "Pass(100ms) on goroutine B, while A was still in OnData", func() { nB, errB = s.Pass(100 * time.Millisecond) })
	stuckB := b.Wait(100*time.Millisecond + guard.Limit)
	gotB, _ := rec.got(c.server)
	rec.mu.Lock()
	overlaps := strings.Join(rec.overlaps, ", ")
	rec.mu.Unlock()
	releaseA()
	if stuckB != nil {
		t.Fatalf("%v.\n\t%s%s", stuckB, whyStuck(stuckB, 100*time.Millisecond), revisit)
	}
	if overlaps != "" || bytes.Contains(gotB, []byte("second")) {
		t.Fatalf("Pass A was still handling %v (inside OnData for %q) when the client sent %q, and Pass B, on another goroutine, got fd %d too: %s — two handlers on one connection at once, free to run out of order.\n\tThat is what EPOLLONESHOT prevents — if you let it. The kernel disarms the fd as it reports it; re-arm (EPOLL_CTL_MOD) only once the pass is done with the fd: after the read AND after OnData returned. Re-armed before the read (or before OnData), the bytes still there, or the next ones, hand the fd to another pass at once.%s",
			c, "first\n", "second\n", c.server, orElse(overlaps, fmt.Sprintf("B read %q", bytes.TrimPrefix(gotB, []byte("first\n")))), revisit)
	}
	if stuck := a.Wait(guard.Limit); stuck != nil {
		t.Fatalf("%v after the test let OnData return.\n\t%s%s", stuck, whyStuck(stuck, 500*time.Millisecond), revisit)
	}
	if errA != nil || errB != nil {
		t.Fatalf("Pass A returned %d, %v and Pass B %d, %v; want nil errors.%s", nA, errA, nB, errB, revisit)
	}
	if nB != 0 {
		t.Fatalf("Pass B, while A was handling %v and nobody else wrote, returned served = %d; want 0.%s", c, nB, revisit)
	}
	// A is done with the fd and has re-armed it: the next pass gets "second".
	if _, err := pass(t, s, 500*time.Millisecond); err != nil {
		t.Fatalf("the pass after A: error %v; want nil.%s", err, revisit)
	}
	if got, _ := rec.got(c.server); string(got) != "first\nsecond\n" {
		t.Fatalf("once Pass A was done with %v, the next pass should have read %q; OnData has had %q in all.\n\tRe-arm the fd when the pass is done with it.%s", c, "second\n", got, revisit)
	}
}

// The dup trap. epoll watches the open FILE behind an fd, not its number.
// The test holds a dup of a client's fd (as a child process that inherited
// it, or a library keeping a copy, would). Remove must deregister the fd
// BEFORE closing it: closed first, the file lives on through the dup, stays
// in the interest list, and keeps reporting for a number the program thinks
// is gone — and EPOLL_CTL_DEL on the closed number fails with EBADF.
func TestRemoveDeregistersBeforeClose(t *testing.T) {
	s, rec, clients := setup(t, 2)
	c := clients[0]
	peerWrite(t, c, []byte("hello\n"))
	if _, err := pass(t, s, 500*time.Millisecond); err != nil {
		t.Fatalf("Pass with %v ready returned error %v; want nil.%s", c, err, revisit)
	}
	d := dupOf(t, c.server)
	var err error
	if stuck := guard.Run(t, fmt.Sprintf("Remove(%d)", c.server), func() { err = s.Remove(c.server) }); stuck != nil {
		t.Fatalf("%v.\n\tExpected: one epoll_ctl and one close.%s", stuck, revisit)
	}
	prefix := fmt.Sprintf("the test holds fd %d, a dup of %v (as a child process or a library might), and called Remove(%d)", d, c, c.server)
	_, stillWatched := interestList(t, s.epfd)[c.server]
	switch {
	case errors.Is(err, unix.EBADF):
		t.Fatalf("%s: Remove returned %v.\n\tEPOLL_CTL_DEL was given a number already closed: deregister FIRST, then close. Closed first, the dup keeps the file open, epoll keeps watching it (it watches files, not numbers), and DEL can no longer name it.%s", prefix, err, revisit)
	case stillWatched:
		t.Fatalf("%s: Remove returned %v, and epoll still watches fd %d's file.\n\tepoll watches the open file behind an fd, not the number, so close(%d) does not end the registration while the dup keeps the file open: events keep coming for an fd the program thinks is gone. Deregister (EPOLL_CTL_DEL) first, then close.%s", prefix, err, c.server, c.server, revisit)
	case err != nil:
		t.Fatalf("%s: Remove returned %v; want nil.%s", prefix, err, revisit)
	case !serverClosed(c):
		t.Fatalf("%s: Remove returned nil but fd %d is still open.\n\tRemove stops watching the fd, then closes it.%s", prefix, c.server, revisit)
	}
	before, _ := rec.got(c.server)
	peerWrite(t, c, []byte("anyone there?\n"))
	if _, err := pass(t, s, 100*time.Millisecond); err != nil {
		t.Fatalf("%s, and the peer wrote: Pass returned error %v; want nil.%s", prefix, err, revisit)
	}
	if got, closes := rec.got(c.server); !bytes.Equal(got, before) || closes > 0 {
		t.Fatalf("%s, and the peer wrote: the next pass still called back for fd %d (OnData has had %q, OnClose %d times): a stale event for an fd that is gone.%s", prefix, c.server, got, closes, revisit)
	}
}

// The same trap when a client leaves: Pass deregisters its fd before
// closing it, whoever else holds the file.
func TestPassDeregistersBeforeClose(t *testing.T) {
	s, rec, clients := setup(t, 2)
	c := clients[1]
	d := dupOf(t, c.server)
	c.closePeer()
	if _, err := pass(t, s, 500*time.Millisecond); err != nil {
		t.Fatalf("%v hung up: Pass returned error %v; want nil.%s", c, err, revisit)
	}
	prefix := fmt.Sprintf("%v hung up while the test held fd %d, a dup of it", c, d)
	_, stillWatched := interestList(t, s.epfd)[c.server]
	switch _, closes := rec.got(c.server); {
	case closes == 0:
		t.Fatalf("%s: OnClose(%d) was not called; want it once (a 0-byte read means the client left).%s", prefix, c.server, revisit)
	case stillWatched:
		t.Fatalf("%s: after OnClose(%d), epoll still watches fd %d's file.\n\tepoll watches the open file, not the number, and the dup keeps the file open: closed before EPOLL_CTL_DEL, the registration stays. Deregister first, then close.%s", prefix, c.server, c.server, revisit)
	case !serverClosed(c):
		t.Fatalf("%s: OnClose(%d) was called but fd %d is still open: close it, after deregistering it.%s", prefix, c.server, c.server, revisit)
	case closes > 1:
		t.Fatalf("%s: OnClose(%d) called %d times; want once.%s", prefix, c.server, closes, revisit)
	}
}

// With nobody ready, a pass lasts its timeout. The test counts the passes
// that fit in a measured interval rather than timing any one of them.
func TestPassWaitsOutItsTimeout(t *testing.T) {
	const timeout, window = 100 * time.Millisecond, 400 * time.Millisecond
	s, _, _ := setup(t, 2)
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
	if err != nil {
		t.Fatalf("Pass(%v) with nobody ready returned error %v; want 0, nil.%s", timeout, err, revisit)
	}
	if limit := int(window/timeout) + 4; passes > limit { // +1 for the pass that ends the window, +3 for stray signals (EINTR)
		t.Fatalf("Pass(%v) with nobody ready ran %d times in %v; want at most %d: each pass must wait for its timeout.\n\tepoll_wait is not given the timeout: with 0 (or a value in the wrong units that rounds to 0) it returns at once, and a loop of passes spins. epoll_wait wants MILLISECONDS: int(timeout.Milliseconds()), rounded up, and -1 only for a negative timeout.%s",
			timeout, passes, window, limit, revisit)
	}
}

// A signal that arrives while epoll_wait waits makes it fail with EINTR:
// an empty pass, not an error. The test sends a real signal (SIGURG, which
// the Go runtime handles and ignores) to the thread sitting in epoll_wait.
func TestPassSurvivesEINTR(t *testing.T) {
	s, _, _ := setup(t, 1)
	tids := make(chan int, 1)
	var n int
	var err error
	call := guard.Start(t, "Pass(-1)", func() {
		runtime.LockOSThread() // the signal must reach the thread that sits in epoll_wait
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		n, err = s.Pass(-1)
	})
	tid := <-tids
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
		t.Fatalf("%v, though a signal interrupted its epoll_wait every 20ms.\n\tExpected: epoll_wait fails with EINTR and Pass returns 0, nil.\n\t%s%s", stuck, whyStuck(stuck, -1), revisit)
	}
	if err != nil || n != 0 {
		t.Fatalf("Pass(-1) interrupted by a signal with nobody ready = %d, %v; want 0, nil.\n\tEINTR means a signal arrived while epoll_wait waited: nothing failed. Return an empty pass; the caller simply runs the next one.%s", n, err, revisit)
	}
}

// Three goroutines run passes on one Server while clients write numbered
// lines with seeded random pauses, then hang up: every client's bytes must
// arrive complete and in order, one handler at a time per client.
func TestPassConcurrentPasses(t *testing.T) {
	const seed, n, lines, workers = 31, 4, 60, 3
	s, rec, clients := setup(t, n)
	allClosed := make(chan struct{})
	var closed atomic.Int32
	s.OnClose = func(fd int) {
		rec.onClose(fd)
		if closed.Add(1) == n {
			close(allClosed)
		}
	}
	want := map[*client][]byte{}
	var wg sync.WaitGroup
	for i, c := range clients {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		for k := range lines {
			want[c] = fmt.Appendf(want[c], "client %d line %d %s\n", i, k, strings.Repeat("·", rng.IntN(200)))
		}
		data, peer := want[c], c.peer
		wg.Add(1)
		go func() {
			defer wg.Done()
			for len(data) > 0 {
				if rng.IntN(4) == 0 {
					time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond) // jitter only
				}
				k := min(len(data), 1+rng.IntN(600))
				m, err := unix.Write(peer, data[:k])
				if err == unix.EAGAIN || err == unix.EINTR {
					unix.Poll([]unix.PollFd{{Fd: int32(peer), Events: unix.POLLOUT}}, 50)
					continue
				}
				if err != nil {
					return
				}
				data = data[m:]
			}
			unix.Shutdown(peer, unix.SHUT_WR)
		}()
	}
	defer wg.Wait()

	var stop atomic.Bool
	errs := make([]error, workers)
	calls := make([]*guard.Call, workers)
	for w := range calls {
		calls[w] = guard.Start(t, fmt.Sprintf("Pass(20ms), again and again on goroutine %d of %d,", w+1, workers), func() {
			for !stop.Load() && errs[w] == nil {
				_, errs[w] = s.Pass(20 * time.Millisecond)
			}
		})
	}
	select {
	case <-allClosed:
	case <-time.After(3 * time.Second): // a bound for a broken Server; the checks below say what went wrong
	}
	stop.Store(true)
	for _, call := range calls {
		if stuck := call.Wait(20*time.Millisecond + guard.Limit); stuck != nil {
			t.Fatalf("%v.\n\t%s%s", stuck, whyStuck(stuck, 20*time.Millisecond), revisit)
		}
	}
	prefix := fmt.Sprintf("(seed %d) %d goroutines ran passes while %d clients wrote %d lines each, then hung up", seed, workers, n, lines)
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("%s: Pass returned error %v; want nil.%s", prefix, err, revisit)
	}
	rec.mu.Lock()
	overlaps := rec.overlaps
	rec.mu.Unlock()
	if len(overlaps) > 0 {
		t.Fatalf("%s: two passes handled one client at the same time: %s ran while another OnData for the same fd was still running.\n\tRe-arm only once the pass is done with the fd (after the read and OnData).%s", prefix, overlaps[0], revisit)
	}
	for _, c := range clients {
		got, closes := rec.got(c.server)
		if !bytes.Equal(got, want[c]) {
			t.Errorf("%s: %v: OnData got %d bytes; want the %d it sent, in order (first difference at byte %d).%s", prefix, c, len(got), len(want[c]), firstDiff(got, want[c]), revisit)
		}
		if closes != 1 {
			t.Errorf("%s: %v hung up; OnClose called %d times, want once.%s", prefix, c, closes, revisit)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
