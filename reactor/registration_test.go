package reactor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func testModify(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	var got Ready
	reg := register(t, l, a, Readable, "m", func(fd int, r Ready) {
		got |= r
		readAll(fd)
	})
	if err := reg.Modify(Writable); err != nil {
		t.Fatalf("Modify = %v; want nil", err)
	}
	iterateUntil(t, l, "Out after Modify(w)", func() bool { return got&Out != 0 })
	reg.Modify(Readable)
	got = 0
	write(t, b, "x")
	iterateUntil(t, l, "In after Modify(r)", func() bool { return got&In != 0 })
	if got&Out != 0 {
		t.Errorf("after Modify(r) got %v; want no Out", got)
	}
	if err := (Registration{}).Modify(Readable); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("zero Registration's Modify = %v; want ErrNotRegistered", err)
	}
}

func testDeregister(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	calls := 0
	reg := register(t, l, a, Readable, "d", func(int, Ready) { calls++ })
	write(t, b, "x")
	if err := reg.Deregister(); err != nil {
		t.Fatalf("Deregister = %v; want nil", err)
	}
	for range 3 {
		l.Iterate(0)
	}
	if calls != 0 {
		t.Errorf("handler calls after Deregister = %d; want 0", calls)
	}
	if err := reg.Deregister(); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("second Deregister = %v; want ErrNotRegistered", err)
	}
	if reg.Fd() != -1 || reg.Active() {
		t.Errorf("after Deregister Fd() = %d, Active() = %v; want -1, false", reg.Fd(), reg.Active())
	}
	register(t, l, a, Readable, "again", func(int, Ready) { calls++ })
	iterateUntil(t, l, "event after re-register", func() bool { return calls > 0 })
}

// springDupTrap registers one end of a socketpair with data waiting on
// it, dups it, closes it behind the loop's back and only then
// deregisters, returning what Deregister said. The dup is closed at
// cleanup.
func springDupTrap(t *testing.T, l *Loop) error {
	t.Helper()
	a, b := socketpair(t)
	write(t, b, "unread") // keeps the file readable: level-triggered reports
	reg := register(t, l, a, Readable, "trapped", func(int, Ready) {})
	d, err := unix.Dup(a)
	if err != nil {
		t.Fatalf("dup: %v", err)
	}
	t.Cleanup(func() { unix.Close(d) })
	closeNow(a) // the mistake: close while registered
	return reg.Deregister()
}

// The dup trap. epoll watches the open file, not the fd number: close a
// registered fd while a dup keeps the file open, and EPOLL_CTL_DEL on the
// closed number cannot reach the entry, so epoll goes on reporting it.
// Deregister must say so (on every backend: the order is the same
// mistake everywhere), and the loop must not spin on the reports.
func testDupTrap(t *testing.T, backend string) {
	l := newLoop(t, backend)
	sub := l.Subscribe(1 << 12)
	defer sub.Close()
	err := springDupTrap(t, l)
	if !errors.Is(err, ErrClosedWhileRegistered) {
		t.Fatalf("Deregister after close = %v; want ErrClosedWhileRegistered", err)
	}
	for _, want := range []string{"deregister first", "Close"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	staleEvents, passesWithStale := 0, 0
	var errText string
	for range 20 {
		if err := l.Iterate(0); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range drainAll(sub) {
			switch e.Kind {
			case KindStaleDropped:
				n++
			case KindError:
				errText += e.Text
			}
		}
		staleEvents += n
		if n > 0 {
			passesWithStale++
		}
	}
	if passesWithStale > 1 {
		t.Errorf("%d of 20 passes reported the closed fd (%d events); want at most 1, then the loop recovers", passesWithStale, staleEvents)
	}
	if staleEvents > 0 && !strings.Contains(errText, "deregister before close") {
		t.Errorf("trace errors %q; want one naming the mistake (deregister before close)", errText)
	}
	if s := l.Stats(); s.Watched != 0 {
		t.Errorf("Stats().Watched = %d; want 0", s.Watched)
	}
}

// An fd closed while registered, and never deregistered: poll reports
// POLLNVAL and select EBADF, on every pass. The handler hears Err once;
// if it does not end the registration, the loop does, rather than call it
// on every pass for ever. (epoll forgets a closed fd by itself.)
func testClosedWhileRegistered(t *testing.T, backend string) {
	l := newLoop(t, backend)
	sub := l.Subscribe(256)
	defer sub.Close()
	a, _ := socketpair(t)
	calls := 0
	var got Ready
	reg := register(t, l, a, Readable, "forgotten", func(fd int, r Ready) {
		calls++
		got |= r
	})
	closeNow(a)
	for range 20 {
		if err := l.Iterate(0); err != nil {
			t.Fatalf("Iterate = %v; want nil", err)
		}
	}
	if backend == "epoll" {
		return
	}
	if calls != 1 || got != Err {
		t.Errorf("handler calls = %d, ready %v; want 1, err", calls, got)
	}
	if reg.Active() {
		t.Errorf("Active() = true; want the loop to have ended the registration")
	}
	evs := drainAll(sub)
	if e, ok := hasKind(evs, KindError); !ok || !strings.Contains(e.Text, "deregister before close") {
		t.Errorf("trace error %+v; want one naming the mistake", e)
	}
	// The screen tells POLLNVAL from POLLERR by the trace's Invalid bit.
	if e, ok := hasKind(evs, KindReady); !ok || e.Ready != Err|Invalid {
		t.Errorf("trace ready %+v; want err|nval (the handler hears err alone)", e)
	}
}

// A stale handle — kept in an old closure after its registration ended —
// cannot change or end the registration of the fd number's next owner.
func testStaleHandle(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, _ := socketpair(t)
	old := register(t, l, a, Readable, "old owner", func(int, Ready) {})
	if err := old.Close(); err != nil {
		t.Fatalf("Close = %v; want nil", err)
	}
	closedFds[a] = true
	// The next socket usually gets the lowest free number, a's; dup2 makes
	// sure. Either way a is closed once at cleanup.
	p, q := socketpair(t)
	if p != a {
		if err := unix.Dup2(p, a); err != nil {
			t.Fatalf("dup2: %v", err)
		}
		delete(closedFds, a) // a's pair cleanup closes the dup
	}
	write(t, q, "x")
	calls := 0
	cur := register(t, l, a, Readable, "new owner", func(int, Ready) { calls++ })
	if err := old.Modify(Writable); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("stale Modify = %v; want ErrNotRegistered", err)
	}
	if err := old.Deregister(); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("stale Deregister = %v; want ErrNotRegistered", err)
	}
	if err := old.Close(); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("stale Close = %v; want ErrNotRegistered", err)
	}
	if _, err := unix.FcntlInt(uintptr(a), unix.F_GETFD, 0); err != nil {
		t.Errorf("fd %d after a stale Close: %v; want it still open for its new owner", a, err)
	}
	if old.Fd() != -1 || !cur.Active() || cur.Fd() != a {
		t.Errorf("old.Fd() = %d, cur.Active() = %v, cur.Fd() = %d; want -1, true, %d", old.Fd(), cur.Active(), cur.Fd(), a)
	}
	if w := l.Watched(); len(w) != 1 || w[0].Interest != Readable || w[0].Label != "new owner" {
		t.Errorf("Watched() = %v; want the new owner, readable", w)
	}
	iterateUntil(t, l, "the new owner served", func() bool { return calls > 0 })
}

// Two readable fds in one batch; whichever handler runs first closes the
// other fd and reuses its number for a fresh registration. The pending
// event for the old registration must be dropped, not delivered to the
// new owner.
func testStaleInBatch(t *testing.T, backend string) {
	l := newLoop(t, backend)
	sub := l.Subscribe(1024)
	defer sub.Close()
	a1, b1 := socketpair(t)
	a2, b2 := socketpair(t)
	write(t, b1, "1")
	write(t, b2, "2")
	first, wrong := -1, 0
	var extra [2]int
	var regs map[int]Registration
	handler := func(fd int, r Ready) {
		if first >= 0 {
			return
		}
		first = fd
		other := a1
		if fd == a1 {
			other = a2
		}
		regs[other].Deregister()
		closeNow(other)
		// Reuse the number: dup something onto it and register it anew.
		// The kernel hands out the lowest free number, so a new socket
		// usually lands on it by itself; dup2 makes sure.
		p, q := socketpair(t)
		extra = [2]int{p, q}
		if p != other && q != other {
			if err := unix.Dup2(p, other); err != nil {
				t.Fatalf("dup2: %v", err)
			}
			delete(closedFds, other) // the pair's cleanup closes the dup
		}
		register(t, l, other, Readable, "reused", func(int, Ready) { wrong++ })
	}
	regs = map[int]Registration{}
	regs[a1] = register(t, l, a1, Readable, "one", handler)
	regs[a2] = register(t, l, a2, Readable, "two", handler)
	// Both are readable before the wait, so one pass reports both.
	if err := l.Iterate(time.Second); err != nil {
		t.Fatal(err)
	}
	if first < 0 {
		t.Skip("kernel reported neither fd in the first pass")
	}
	if wrong != 0 {
		t.Errorf("stale event delivered to the new owner %d times; want 0", wrong)
	}
	evs := drainAll(sub)
	if e, ok := hasKind(evs, KindStaleDropped); !ok {
		t.Errorf("trace has no %v event; want one", KindStaleDropped)
	} else if int(e.Fd) == first {
		t.Errorf("stale-dropped fd = %d; want the other fd", e.Fd)
	}
	_ = extra
}

func testSwitchBackend(t *testing.T, backend string) {
	for _, to := range BackendNames() {
		if to == backend {
			continue
		}
		t.Run("to "+to, func(t *testing.T) {
			l := newLoop(t, backend)
			sub := l.Subscribe(256)
			defer sub.Close()
			a, b := socketpair(t)
			var got string
			register(t, l, a, Readable, "carried", func(fd int, r Ready) {
				s, _ := readAll(fd)
				got += s
			})
			write(t, b, "before")
			iterateUntil(t, l, "data before switch", func() bool { return got == "before" })
			var err error
			l.CallSoon(func() { err = l.SwitchBackend(to) })
			l.Iterate(0)
			if err != nil {
				t.Fatalf("SwitchBackend(%s) = %v; want nil", to, err)
			}
			if l.Backend() != to {
				t.Fatalf("Backend() = %q; want %q", l.Backend(), to)
			}
			write(t, b, "after")
			iterateUntil(t, l, "data after switch", func() bool { return got == "beforeafter" })
			if w := l.Watched(); len(w) != 1 || w[0].Fd != a || w[0].Label != "carried" {
				t.Errorf("Watched() = %v; want the one carried registration", w)
			}
			if e, ok := hasKind(drainAll(sub), KindBackendSwitched); !ok || e.Backend != to || e.Text != backend {
				t.Errorf("switch event = %+v, %v; want Backend %s Text %s", e, ok, to, backend)
			}
			// Cross-goroutine wake-ups still work on the new poller.
			done := false
			go l.CallFromGoroutine(func() { done = true })
			iterateUntil(t, l, "wake after switch", func() bool { return done })
		})
	}
	l := newLoop(t, backend)
	if err := l.SwitchBackend("nope"); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("SwitchBackend(nope) = %v; want ErrUnknownBackend", err)
	}
}

// Handlers remove other fds during a pass: every fd is served at most
// once per pass and each is either served or removed, never skipped.
func testRemoveMidPass(t *testing.T, backend string) {
	l := newLoop(t, backend)
	const n = 12
	fds := make([]int, n)
	served := map[int]int{}
	removed := map[int]bool{}
	for i := range fds {
		a, b := socketpair(t)
		write(t, b, "x")
		fds[i] = a
	}
	regs := map[int]Registration{}
	for _, fd := range fds {
		regs[fd] = register(t, l, fd, Readable, "", func(fd int, r Ready) {
			served[fd]++
			regs[fd].Deregister()
			// Remove the highest-numbered fd still watched, too.
			for i := n - 1; i >= 0; i-- {
				if o := fds[i]; o != fd && !removed[o] && served[o] == 0 {
					regs[o].Deregister()
					removed[o] = true
					break
				}
			}
		})
	}
	iterateUntil(t, l, "every fd served or removed", func() bool { return l.Stats().Watched == 0 })
	for _, fd := range fds {
		if served[fd] > 1 {
			t.Errorf("fd %d served %d times; want at most 1", fd, served[fd])
		}
		if served[fd] == 0 && !removed[fd] {
			t.Errorf("fd %d neither served nor removed; want one of them", fd)
		}
		if served[fd] == 1 && removed[fd] {
			t.Errorf("fd %d served after it was removed", fd)
		}
	}
}

// After the loop is closed its kernel set is gone: ending a registration
// then (a server closing its connections after the loop stopped) is not
// an error, and Close still closes the fd.
func TestDeregisterAfterLoopClose(t *testing.T) {
	for _, backend := range BackendNames() {
		t.Run(backend, func(t *testing.T) {
			l := newLoop(t, backend)
			a, _ := socketpair(t)
			reg := register(t, l, a, Readable, "late", func(int, Ready) {})
			l.Close()
			if err := reg.Close(); err != nil {
				t.Errorf("Close after the loop closed = %v; want nil", err)
			}
			closedFds[a] = true
			if _, err := unix.FcntlInt(uintptr(a), unix.F_GETFD, 0); err != unix.EBADF {
				t.Errorf("fd after Registration.Close: %v; want it closed (EBADF)", err)
			}
		})
	}
}

// Close on a registration whose fd was closed behind its back, and whose
// number now belongs to another file, must not close that other file.
func testCloseAfterReuse(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, _ := socketpair(t)
	reg := register(t, l, a, Readable, "old owner", func(int, Ready) {})
	closeNow(a) // behind the loop's back
	p, _ := socketpair(t)
	if p != a {
		if err := unix.Dup2(p, a); err != nil {
			t.Fatalf("dup2: %v", err)
		}
		delete(closedFds, a) // a's pair cleanup closes the dup
	}
	// a is open again, as someone else's file.
	if err := reg.Close(); !errors.Is(err, ErrClosedWhileRegistered) {
		t.Errorf("Close = %v; want ErrClosedWhileRegistered", err)
	}
	if _, err := unix.FcntlInt(uintptr(a), unix.F_GETFD, 0); err != nil {
		t.Errorf("fd %d after the stale Close: %v; want the new owner's file still open", a, err)
	}
}
