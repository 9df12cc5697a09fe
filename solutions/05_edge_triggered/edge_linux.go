// Package edge is the solution to exercise 05_edge_triggered: an
// edge-triggered epoll reader that drains every reported fd until EAGAIN,
// so that no byte is left waiting for a report that will never come.
package edge

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Wait asks read(2) for at a time.
const ReadSize = 1024

// Reader reads client fds with edge-triggered epoll.
type Reader struct {
	// OnData is called with each chunk read from a client.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away, after Wait has
	// deregistered and closed its fd.
	OnClose func(fd int)

	epfd   int
	events []unix.EpollEvent
	buf    []byte
}

// New returns a Reader with a fresh epoll instance.
func New() (*Reader, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &Reader{epfd: epfd}, nil
}

// Close releases the epoll instance.
func (r *Reader) Close() error {
	return unix.Close(r.epfd)
}

// Add registers fd, edge-triggered, for reading.
func (r *Reader) Add(fd int) error {
	// EPOLLET: report a CHANGE (new bytes arrived), once, not a state
	// (bytes are waiting) on every call. Fd is handed back with every
	// event: it is how Wait knows which fd is ready. Register once; the
	// kernel keeps the interest list from now on.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(fd)}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Wait runs one pass: one epoll_wait, then every reported fd drained.
func (r *Reader) Wait(timeout time.Duration) (events int, err error) {
	if r.events == nil {
		r.events = make([]unix.EpollEvent, 64)
		r.buf = make([]byte, ReadSize)
	}
	// epoll_wait's timeout is in milliseconds, like poll's; round up so a
	// short timeout still waits, and -1 waits until something is ready.
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := unix.EpollWait(r.epfd, r.events, ms)
	if err == unix.EINTR {
		return 0, nil // a signal interrupted the wait: an empty pass
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	for _, ev := range r.events[:n] {
		r.drain(int(ev.Fd))
	}
	return n, nil
}

// drain reads fd until the kernel says EAGAIN. Under edge triggering this
// is the whole rule: the report said "something arrived", not how much,
// and there will be no second report for the bytes already there. Stop
// early — after one read, or after a short one — and whatever is left waits
// until the peer sends more, which it may never do: it is waiting for our
// answer. That is the edge-triggered hang.
func (r *Reader) drain(fd int) {
	for {
		m, err := unix.Read(fd, r.buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return // drained: the next arrival makes a new edge
		case err != nil || m == 0:
			// End of file (or a dead connection): deregister, then close
			// (in that order: see exercise 06), then tell the caller.
			unix.EpollCtl(r.epfd, unix.EPOLL_CTL_DEL, fd, nil)
			unix.Close(fd)
			if r.OnClose != nil {
				r.OnClose(fd)
			}
			return
		}
		// A short read (m < ReadSize) is NOT the end: the peer may have
		// closed right behind these bytes, and only the next read (0
		// bytes) says so. Go round until EAGAIN or 0.
		if r.OnData != nil {
			r.OnData(fd, r.buf[:m])
		}
	}
}
