//go:build linux

package reactor

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// epollPoller keeps the interest list inside the kernel: an fd is added once
// (EPOLL_CTL_ADD) and only touched again (EPOLL_CTL_MOD) when its interest
// changes, so a wait costs O(ready), not O(watched).
//
// A wait that may sleep parks on Go's netpoller instead of blocking in
// epoll_wait: an epoll fd is itself pollable (it reads as ready when its
// set has something to report), so the poller hands it to the Go runtime,
// asks epoll_wait with timeout 0, and if nothing is ready lets the runtime
// park the loop's goroutine until the epoll fd becomes readable or the
// timeout passes, then asks epoll_wait with timeout 0 again. The events
// the loop dispatches are still what that real epoll_wait returned. A
// goroutine blocked inside a syscall keeps its OS thread and, with one
// scheduler thread (GOMAXPROCS=1), makes the runtime's monitor take the
// thread's P back and start another thread; a parked goroutine costs the
// runtime nothing, and its scheduler sleeps in its own epoll_wait. See
// doc.go, "Go's runtime is a reactor too".
type epollPoller struct {
	epfd int
	raw  []unix.EpollEvent
	ints []Interest // fd -> current interest, for "MOD only on change"
	toks []Token
	reg  []bool

	// The epoll instance as Go's netpoller sees it (a dup of epfd); nil
	// until the first wait that may sleep, and for good if the runtime
	// could not watch it or BlockingWait asked not to.
	file     *os.File
	rc       syscall.RawConn
	attached bool // attachNetpoller ran (or must not)
	tryFn    func(uintptr) bool
	// try's batch, and its results: the events of the last epoll_wait,
	// or its error.
	cur []unix.EpollEvent
	n   int
	err error
	// dl is the read deadline the runtime holds for file, valid only
	// while dlSet: re-arming a runtime timer costs more than comparing.
	dl    time.Time
	dlSet bool
	// What the last Wait did: how many epoll_wait calls, and whether the
	// goroutine parked on the netpoller between them.
	calls  int
	parked bool
}

func init() {
	RegisterBackend(Backend{Name: "epoll", Wait: "epoll_wait", Ctl: "epoll_ctl", Glyph: 'e', Rank: 30, Available: true, New: newEpollPoller})
}

func newEpollPoller() (Poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &epollPoller{epfd: fd, raw: make([]unix.EpollEvent, epollInitialEvents)}, nil
}

// attachNetpoller hands the epoll instance to Go's netpoller, once, before
// the first wait that may sleep. os.NewFile registers a non-blocking fd
// with the runtime; it gets a dup of the epoll fd, so the File owns the
// dup and the poller keeps its own number for epoll_ctl and epoll_wait
// (both name the same epoll instance, and O_NONBLOCK, which they share,
// changes nothing for epoll_wait). If the runtime cannot watch it, the
// poller blocks in epoll_wait itself, as it does with BlockingWait.
func (p *epollPoller) attachNetpoller() {
	p.attached = true
	dup, err := unix.FcntlInt(uintptr(p.epfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return
	}
	if err := unix.SetNonblock(dup, true); err != nil {
		unix.Close(dup)
		return
	}
	f := os.NewFile(uintptr(dup), "epoll")
	rc, err := f.SyscallConn()
	if err == nil {
		err = f.SetReadDeadline(time.Time{}) // refused unless the runtime polls f
	}
	if err != nil {
		f.Close()
		return
	}
	p.file, p.rc = f, rc
	p.tryFn = p.try // one method value for every wait: no allocation per wait
}

// setBlocking makes Wait block in epoll_wait itself instead of parking
// on the netpoller (Config.BlockingWait). Before the first Wait.
func (p *epollPoller) setBlocking() { p.attached = true }

// lastWait reports what the last Wait did (see waitReporter).
func (p *epollPoller) lastWait() (calls int, parked bool) { return p.calls, p.parked }

func (p *epollPoller) Name() string { return "epoll" }

func epollEvents(in Interest) uint32 {
	var e uint32
	if in&Readable != 0 {
		e |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if in&Writable != 0 {
		e |= unix.EPOLLOUT
	}
	if in&EdgeTriggered != 0 {
		e |= unix.EPOLLET
	}
	if in&OneShot != 0 {
		e |= unix.EPOLLONESHOT
	}
	return e
}

func (p *epollPoller) grow(fd int) {
	for fd >= len(p.reg) {
		n := len(p.reg) + 64
		p.reg = append(p.reg, make([]bool, n)...)
		p.ints = append(p.ints, make([]Interest, n)...)
		p.toks = append(p.toks, make([]Token, n)...)
	}
}

func (p *epollPoller) ctl(op, fd int, tok Token, in Interest) error {
	ev := unix.EpollEvent{Events: epollEvents(in), Fd: int32(fd), Pad: int32(tok.Gen())}
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (p *epollPoller) Register(fd int, tok Token, in Interest) error {
	if fd < 0 {
		return os.NewSyscallError("epoll_ctl", unix.EBADF)
	}
	p.grow(fd)
	if p.reg[fd] {
		return ErrAlreadyRegistered
	}
	if err := p.ctl(unix.EPOLL_CTL_ADD, fd, tok, in); err != nil {
		return err
	}
	p.reg[fd], p.ints[fd], p.toks[fd] = true, in, tok
	return nil
}

func (p *epollPoller) Modify(fd int, tok Token, in Interest) error {
	if fd < 0 || fd >= len(p.reg) || !p.reg[fd] {
		return ErrNotRegistered
	}
	// A one-shot registration is disarmed after firing: re-arming it
	// needs a MOD even when the interest is unchanged.
	if p.ints[fd] == in && p.toks[fd] == tok && in&OneShot == 0 {
		return nil
	}
	if err := p.ctl(unix.EPOLL_CTL_MOD, fd, tok, in); err != nil {
		return err
	}
	p.ints[fd], p.toks[fd] = in, tok
	return nil
}

func (p *epollPoller) Deregister(fd int) error {
	if fd < 0 || fd >= len(p.reg) || !p.reg[fd] {
		return ErrNotRegistered
	}
	p.reg[fd] = false
	switch err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err {
	case nil:
		return nil
	case unix.EBADF, unix.ENOENT:
		// EBADF: the number is closed. ENOENT: it now names another file.
		// Either way the fd was closed first; if its file is still open
		// (a dup, a child), epoll keeps watching it and nothing can reach
		// that entry through this number any more.
		return fmt.Errorf("%w: %w", ErrClosedWhileRegistered, os.NewSyscallError("epoll_ctl", err))
	default:
		return os.NewSyscallError("epoll_ctl", err)
	}
}

func (p *epollPoller) Wait(evs []Event, timeout time.Duration) (int, error) {
	if p.epfd < 0 {
		return 0, ErrStopped
	}
	want := min(len(evs), epollMaxEvents)
	if len(p.raw) < want {
		p.raw = make([]unix.EpollEvent, want)
	}
	raw := p.raw[:want]
	p.calls, p.parked = 0, false
	if timeout != 0 && !p.attached {
		p.attachNetpoller()
	}
	var n int
	var err error
	switch {
	case timeout == 0:
		p.calls = 1
		n, err = epollWaitNow(p.epfd, raw)
	case p.rc != nil:
		n, err = p.park(raw, timeout)
	default:
		n, err = p.block(raw, timeout)
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	for i := range n {
		e := raw[i].Events
		fd := int(raw[i].Fd)
		in := Readable | Writable // an fd epoll should not know about
		if fd < len(p.reg) && p.reg[fd] {
			in = p.ints[fd]
		}
		r := readyOf(in, e&unix.EPOLLIN != 0, e&unix.EPOLLOUT != 0,
			e&unix.EPOLLRDHUP != 0, e&unix.EPOLLHUP != 0, e&unix.EPOLLERR != 0)
		evs[i] = Event{Fd: fd, Token: MakeToken(fd, uint32(raw[i].Pad)), Ready: r}
	}
	return n, nil
}

// park waits through Go's netpoller: epoll_wait with timeout 0, and while
// it finds nothing, the runtime parks the goroutine until the epoll fd is
// readable (something in the set is ready) or the timeout passes. A
// timeout reports no events, as epoll_wait's own would.
func (p *epollPoller) park(raw []unix.EpollEvent, timeout time.Duration) (int, error) {
	if err := p.setDeadline(timeout); err != nil {
		return p.block(raw, timeout)
	}
	p.cur, p.n, p.err = raw, 0, nil
	err := p.rc.Read(p.tryFn)
	p.cur = nil
	switch {
	case err == nil:
		return p.n, p.err
	case errors.Is(err, os.ErrDeadlineExceeded):
		p.dlSet = false // expired: the next park must set a new one
		return 0, nil
	}
	return 0, err
}

// try is the netpoller's callback: one epoll_wait with timeout 0. It
// reports true (done) when the kernel returned events or an error, false
// to let the runtime park the goroutine until the epoll fd is readable.
func (p *epollPoller) try(uintptr) bool {
	p.calls++
	p.n, p.err = epollWaitNow(p.epfd, p.cur)
	if p.n == 0 && p.err == nil {
		p.parked = true
		return false
	}
	return true
}

// setDeadline gives the runtime the time the park must end. The loop's
// timeout usually points at the same timer pass after pass (the
// heartbeat), so a deadline within a millisecond of the one already set
// is kept: re-arming the runtime's timer costs more than one early or
// late wake-up by under a millisecond (epoll_wait's own timeouts are
// milliseconds, rounded up).
func (p *epollPoller) setDeadline(timeout time.Duration) error {
	var dl time.Time
	if timeout > 0 {
		dl = time.Now().Add(max(timeout, time.Millisecond))
		if p.dlSet && !p.dl.IsZero() && absDuration(p.dl.Sub(dl)) <= time.Millisecond {
			return nil
		}
	} else if p.dlSet && p.dl.IsZero() {
		return nil
	}
	if err := p.file.SetReadDeadline(dl); err != nil {
		return err
	}
	p.dl, p.dlSet = dl, true
	return nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// block waits in epoll_wait itself, retrying on EINTR with what is left
// of the timeout.
func (p *epollPoller) block(raw []unix.EpollEvent, timeout time.Duration) (int, error) {
	budget := startWait(timeout)
	ms := msTimeout(timeout)
	for {
		p.calls++
		n, err := unix.EpollWait(p.epfd, raw, ms)
		if err == unix.EINTR {
			left, ok := budget.left()
			if !ok {
				return 0, nil
			}
			ms = msTimeout(left)
			continue
		}
		return n, err
	}
}

// epollWaitNow is epoll_wait with timeout 0. It cannot sleep, so it is a
// raw syscall: the runtime is not told a syscall began and ended
// (entersyscall/exitsyscall), which it needs only for calls that may
// block. sysEpollWait is epoll_wait where the kernel has it (amd64), and
// elsewhere epoll_pwait with no signal mask, which is the same call.
func epollWaitNow(epfd int, raw []unix.EpollEvent) (int, error) {
	for {
		n, _, errno := unix.RawSyscall6(sysEpollWait, uintptr(epfd), uintptr(unsafe.Pointer(&raw[0])), uintptr(len(raw)), 0, 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		}
		return 0, errno
	}
}

func (p *epollPoller) Close() error {
	if p.epfd < 0 {
		return nil
	}
	if p.file != nil {
		p.file.Close() // the runtime's dup; the instance lives until epfd closes too
		p.file, p.rc = nil, nil
	}
	err := unix.Close(p.epfd)
	p.epfd = -1
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}
