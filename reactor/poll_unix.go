//go:build unix

package reactor

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// pollPoller keeps a compact pollfd array that the kernel scans on every
// call. Removal swaps the last entry into the hole, so the array stays dense.
// Events are copied out before any handler runs, so handlers that remove fds
// mid-pass never make the scan skip or serve an entry twice.
type pollPoller struct {
	pfds   []unix.PollFd
	toks   []Token
	ints   []Interest
	ids    []fileID
	pos    []int32 // fd -> index+1 in pfds (0 = absent)
	start  int     // rotating scan start for fairness when evs fills
	closed bool
}

func init() {
	RegisterBackend(Backend{Name: "poll", Wait: "poll", Glyph: 'p', Rank: 20, Available: true, New: newPollPoller})
}

func newPollPoller() (Poller, error) { return &pollPoller{}, nil }

func (p *pollPoller) Name() string { return "poll" }

func pollEvents(in Interest) int16 {
	var e int16
	if in&Readable != 0 {
		e |= unix.POLLIN | pollRDHUP
	}
	if in&Writable != 0 {
		e |= unix.POLLOUT
	}
	return e
}

// check refuses what poll cannot watch: edge-triggered and one-shot.
func (p *pollPoller) check(fd int, in Interest) error {
	if fd < 0 {
		return os.NewSyscallError("poll", unix.EBADF)
	}
	if in.mode() != 0 {
		return ErrModeUnsupported
	}
	return nil
}

func (p *pollPoller) Register(fd int, tok Token, in Interest) error {
	if err := p.check(fd, in); err != nil {
		return err
	}
	for fd >= len(p.pos) {
		p.pos = append(p.pos, make([]int32, len(p.pos)+64)...)
	}
	if p.pos[fd] != 0 {
		return ErrAlreadyRegistered
	}
	id, err := fileOf(fd)
	if err != nil {
		return err
	}
	p.pfds = append(p.pfds, unix.PollFd{Fd: int32(fd), Events: pollEvents(in)})
	p.toks = append(p.toks, tok)
	p.ints = append(p.ints, in)
	p.ids = append(p.ids, id)
	p.pos[fd] = int32(len(p.pfds))
	return nil
}

func (p *pollPoller) Modify(fd int, tok Token, in Interest) error {
	if in.mode() != 0 {
		return ErrModeUnsupported
	}
	if fd < 0 || fd >= len(p.pos) || p.pos[fd] == 0 {
		return ErrNotRegistered
	}
	i := p.pos[fd] - 1
	p.pfds[i].Events = pollEvents(in)
	p.toks[i] = tok
	p.ints[i] = in
	return nil
}

func (p *pollPoller) Deregister(fd int) error {
	if fd < 0 || fd >= len(p.pos) || p.pos[fd] == 0 {
		return ErrNotRegistered
	}
	i := p.pos[fd] - 1
	id := p.ids[i]
	last := len(p.pfds) - 1
	if int(i) != last {
		p.pfds[i] = p.pfds[last]
		p.toks[i] = p.toks[last]
		p.ints[i] = p.ints[last]
		p.ids[i] = p.ids[last]
		p.pos[p.pfds[i].Fd] = i + 1
	}
	p.pfds = p.pfds[:last]
	p.toks = p.toks[:last]
	p.ints = p.ints[:last]
	p.ids = p.ids[:last]
	p.pos[fd] = 0
	return checkOpen(fd, id)
}

func (p *pollPoller) Wait(evs []Event, timeout time.Duration) (int, error) {
	if p.closed {
		return 0, ErrStopped
	}
	budget := startWait(timeout)
	ms := msTimeout(timeout)
	for {
		n, err := unix.Poll(p.pfds, ms)
		if err == unix.EINTR {
			left, ok := budget.left()
			if !ok {
				return 0, nil
			}
			ms = msTimeout(left)
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("poll", err)
		}
		if n == 0 {
			return 0, nil
		}
		k := 0
		total := len(p.pfds)
		if p.start >= total {
			p.start = 0
		}
		for j := 0; j < total && k < len(evs); j++ {
			i := p.start + j
			if i >= total {
				i -= total
			}
			re := p.pfds[i].Revents
			if re == 0 {
				continue
			}
			evs[k] = Event{Fd: int(p.pfds[i].Fd), Token: p.toks[i], Ready: pollReady(p.ints[i], re)}
			k++
			if k == len(evs) {
				// Buffer full: start after this entry next time so the
				// fds at the end of the array are not starved.
				p.start = i + 1
			}
		}
		return k, nil
	}
}

// pollReady turns poll's revents into Ready. POLLNVAL means the fd is not
// open: it was closed while registered.
func pollReady(in Interest, re int16) Ready {
	if re&unix.POLLNVAL != 0 {
		return Err | Invalid
	}
	hup, rdhup := re&unix.POLLHUP != 0, re&pollRDHUP != 0
	if !pollHUPIsHangUp && hup {
		hup, rdhup = false, true
	}
	return readyOf(in, re&unix.POLLIN != 0, re&unix.POLLOUT != 0, rdhup, hup, re&unix.POLLERR != 0)
}

func (p *pollPoller) Close() error {
	p.closed = true
	p.pfds, p.toks, p.ints, p.ids, p.pos = nil, nil, nil, nil, nil
	return nil
}

// fileID names the open file behind an fd (device and inode; every
// socket and pipe has its own inode), so that poll and select, which keep
// their sets in user space, can tell at Deregister whether the number they
// watch still refers to the file that was registered.
type fileID struct{ dev, ino uint64 }

// fileOf reads fd's identity with fstat(2): one syscall per registration
// on the user-space backends. A closed fd fails here with EBADF, as
// epoll_ctl would.
func fileOf(fd int) (fileID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fileID{}, os.NewSyscallError("fstat", err)
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, nil
}

// checkOpen tells a Deregister on poll or select whether fd was closed
// before it — and, if the number is open again, whether it now names
// another file. The wrong order does these backends no harm (their sets
// live in user space), but it is the mistake that leaks on epoll, and
// closing the number afterwards would close somebody else's file: say so
// on every backend.
func checkOpen(fd int, registered fileID) error {
	id, err := fileOf(fd)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w", ErrClosedWhileRegistered, err)
	case id != registered:
		return fmt.Errorf("%w: the number now names another file", ErrClosedWhileRegistered)
	}
	return nil
}
