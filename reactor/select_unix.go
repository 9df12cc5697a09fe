//go:build unix

package reactor

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fdSetSize is FD_SETSIZE: select's fd_set is a fixed bitmap of 1024 bits.
const fdSetSize = 1024

// selectPoller is the oldest mechanism: the caller hands the kernel three
// bitmaps every call and the kernel overwrites them with the answer, so the
// sets are rebuilt from the registration list on every pass.
type selectPoller struct {
	fds    []int32          // registered fds, compact
	pos    [fdSetSize]int32 // fd -> index+1 in fds (0 = absent)
	toks   [fdSetSize]Token // fd -> token
	ints   [fdSetSize]Interest
	ids    [fdSetSize]fileID
	rset   unix.FdSet
	wset   unix.FdSet
	probe  []unix.PollFd // the fds select found ready, asked again with poll
	closed bool
}

func init() {
	RegisterBackend(Backend{Name: "select", Wait: "select", Glyph: 's', Rank: 10, Available: true, New: newSelectPoller})
}

func newSelectPoller() (Poller, error) { return &selectPoller{}, nil }

func (p *selectPoller) Name() string { return "select" }

func (p *selectPoller) check(fd int, in Interest) error {
	if fd < 0 {
		return os.NewSyscallError("select", unix.EBADF)
	}
	if fd >= fdSetSize {
		return ErrFDSetSize
	}
	if in.mode() != 0 {
		return ErrModeUnsupported
	}
	return nil
}

func (p *selectPoller) Register(fd int, tok Token, in Interest) error {
	if err := p.check(fd, in); err != nil {
		return err
	}
	if p.pos[fd] != 0 {
		return ErrAlreadyRegistered
	}
	id, err := fileOf(fd)
	if err != nil {
		return err
	}
	p.ids[fd] = id
	p.fds = append(p.fds, int32(fd))
	p.pos[fd] = int32(len(p.fds))
	p.toks[fd] = tok
	p.ints[fd] = in
	return nil
}

func (p *selectPoller) Modify(fd int, tok Token, in Interest) error {
	if err := p.check(fd, in); err != nil {
		return err
	}
	if p.pos[fd] == 0 {
		return ErrNotRegistered
	}
	p.toks[fd] = tok
	p.ints[fd] = in
	return nil
}

func (p *selectPoller) Deregister(fd int) error {
	if fd < 0 || fd >= fdSetSize || p.pos[fd] == 0 {
		return ErrNotRegistered
	}
	i := p.pos[fd] - 1
	last := p.fds[len(p.fds)-1]
	p.fds[i] = last
	p.pos[last] = i + 1
	p.fds = p.fds[:len(p.fds)-1]
	p.pos[fd] = 0
	return checkOpen(fd, p.ids[fd])
}

func (p *selectPoller) Wait(evs []Event, timeout time.Duration) (int, error) {
	if p.closed {
		return 0, ErrStopped
	}
	var tv *unix.Timeval
	var tvs unix.Timeval
	budget := startWait(timeout)
	for {
		if timeout >= 0 {
			// Set every call: the kernel may overwrite it (Linux writes
			// back the time left), and a retry after EINTR gets only
			// what remains of the timeout.
			left, ok := budget.left()
			if !ok {
				return 0, nil
			}
			tvs = unix.NsecToTimeval(int64(msTimeout(left)) * int64(time.Millisecond))
			tv = &tvs
		}
		// select overwrites its sets with the answer: rebuild them every call.
		p.rset.Zero()
		p.wset.Zero()
		maxfd := -1
		for _, fd32 := range p.fds {
			fd := int(fd32)
			in := p.ints[fd]
			if in&Readable != 0 {
				p.rset.Set(fd)
			}
			if in&Writable != 0 {
				p.wset.Set(fd)
			}
			if fd > maxfd {
				maxfd = fd
			}
		}
		n, err := unix.Select(maxfd+1, &p.rset, &p.wset, nil, tv)
		if err == unix.EINTR {
			continue // a signal interrupted the wait: wait out the rest
		}
		if err == unix.EBADF {
			// Some registered fd was closed without Deregister. select
			// fails as a whole; find the culprits (as Twisted's
			// selectreactor "preens") and report them as errors, the
			// way poll reports POLLNVAL.
			if k := p.preen(evs); k > 0 {
				return k, nil
			}
		}
		if err != nil {
			return 0, os.NewSyscallError("select", err)
		}
		if n == 0 {
			return 0, nil
		}
		k := 0
		for _, fd32 := range p.fds {
			if k == len(evs) {
				break
			}
			fd := int(fd32)
			var r Ready
			if p.rset.IsSet(fd) {
				r |= In
			}
			if p.wset.IsSet(fd) {
				r |= Out
			}
			if r != 0 {
				evs[k] = Event{Fd: fd, Token: p.toks[fd], Ready: r}
				k++
			}
		}
		p.closedBits(evs[:k])
		return k, nil
	}
}

// closedBits adds what select cannot say — the peer closed, this side can
// no longer write, an error is pending — to the events select found, so
// that a handler sees the same Ready on every backend. select's answer is
// only "readable" and "writable"; a closed peer looks readable and read
// returns 0. So the fds select reported are asked again in one poll(2)
// call with a zero timeout, which reports hang-ups without consuming
// anything (unlike a peeking recv, which would swallow a pending error).
// One extra syscall per select call that found something; In and Out
// stay select's own answer.
func (p *selectPoller) closedBits(evs []Event) {
	if len(evs) == 0 {
		return
	}
	p.probe = p.probe[:0]
	for _, ev := range evs {
		p.probe = append(p.probe, unix.PollFd{Fd: int32(ev.Fd), Events: pollEvents(p.ints[ev.Fd])})
	}
	for {
		_, err := unix.Poll(p.probe, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return // select's answer stands on its own
		}
		break
	}
	for i := range evs {
		evs[i].Ready |= pollReady(0, p.probe[i].Revents)
	}
}

// preen reports every registered fd that is no longer open.
func (p *selectPoller) preen(evs []Event) int {
	k := 0
	for _, fd32 := range p.fds {
		if k == len(evs) {
			break
		}
		fd := int(fd32)
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == unix.EBADF {
			evs[k] = Event{Fd: fd, Token: p.toks[fd], Ready: Err | Invalid}
			k++
		}
	}
	return k
}

func (p *selectPoller) Close() error {
	p.closed = true
	p.fds = nil
	p.pos = [fdSetSize]int32{}
	return nil
}
