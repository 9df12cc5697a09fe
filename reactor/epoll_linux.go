//go:build linux

package reactor

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// epollPoller keeps the interest list inside the kernel: an fd is added once
// (EPOLL_CTL_ADD) and only touched again (EPOLL_CTL_MOD) when its interest
// changes, so a wait costs O(ready), not O(watched).
type epollPoller struct {
	epfd int
	raw  []unix.EpollEvent
	ints []Interest // fd -> current interest, for "MOD only on change"
	toks []Token
	reg  []bool
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
	budget := startWait(timeout)
	ms := msTimeout(timeout)
	for {
		n, err := unix.EpollWait(p.epfd, raw, ms)
		if err == unix.EINTR {
			left, ok := budget.left()
			if !ok {
				return 0, nil
			}
			ms = msTimeout(left)
			continue
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
}

func (p *epollPoller) Close() error {
	if p.epfd < 0 {
		return nil
	}
	err := unix.Close(p.epfd)
	p.epfd = -1
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}
