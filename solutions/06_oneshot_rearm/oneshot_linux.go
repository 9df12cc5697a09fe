// Package oneshot is the solution to exercise 06_oneshot_rearm: epoll with
// EPOLLONESHOT, re-armed only once a Pass is done with an fd, so that
// several goroutines can run passes on one epoll instance and still never
// handle one connection twice at once; and deregistration before close, so
// that a dup of an fd cannot keep it in the interest list.
package oneshot

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadSize is how many bytes Pass reads per event.
const ReadSize = 4096

// Server serves client fds with one-shot epoll.
type Server struct {
	// OnData is called with each chunk read from a client.
	OnData func(fd int, data []byte)
	// OnClose is called once for a client that went away, after Pass has
	// deregistered and closed its fd.
	OnClose func(fd int)

	epfd int
}

// New returns a Server with a fresh epoll instance.
func New() (*Server, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &Server{epfd: epfd}, nil
}

// Close releases the epoll instance.
func (s *Server) Close() error {
	return unix.Close(s.epfd)
}

// armedForRead is what every registration asks for: readable, reported once.
// After a report the kernel disarms the fd (it keeps it in the interest
// list, with no events) until EPOLL_CTL_MOD arms it again.
const armedForRead = unix.EPOLLIN | unix.EPOLLONESHOT

// Add registers fd, one-shot, for reading.
func (s *Server) Add(fd int) error {
	ev := unix.EpollEvent{Events: armedForRead, Fd: int32(fd)}
	if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Remove stops watching fd and closes it.
func (s *Server) Remove(fd int) error {
	// Deregister FIRST. epoll watches the open file behind fd, not the
	// number: if anything else holds that file open (a dup, a child that
	// inherited it, a library's copy), close(fd) does not end it, the
	// registration stays, and events keep coming for a number this program
	// thinks is gone. And once fd is closed, EPOLL_CTL_DEL can no longer
	// name it: it fails with EBADF.
	delErr := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	closeErr := unix.Close(fd)
	if delErr != nil {
		delErr = os.NewSyscallError("epoll_ctl", delErr)
	}
	if closeErr != nil {
		closeErr = os.NewSyscallError("close", closeErr)
	}
	return errors.Join(delErr, closeErr)
}

// Pass runs one pass: one epoll_wait, then each reported fd read once and
// re-armed. Several goroutines may run Pass at once.
func (s *Server) Pass(timeout time.Duration) (served int, err error) {
	// Everything a pass touches is its own: several passes may run at
	// once, and the Server's fields never change after New.
	var events [16]unix.EpollEvent
	buf := make([]byte, ReadSize)
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := unix.EpollWait(s.epfd, events[:], ms)
	if err == unix.EINTR {
		return 0, nil // a signal interrupted the wait: an empty pass
	}
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	for _, ev := range events[:n] {
		fd := int(ev.Fd)
		// The kernel disarmed fd as it reported it: until we re-arm it, no
		// other pass will be told about it, so this pass alone handles it.
		m, rerr := readOnce(fd, buf)
		switch {
		case rerr == unix.EAGAIN:
			// Spurious: nothing to read after all. Re-arm and move on.
		case rerr != nil || m == 0:
			// The client left. Not re-armed: deregister, close, report.
			s.Remove(fd)
			if s.OnClose != nil {
				s.OnClose(fd)
			}
			served++
			continue
		default:
			if s.OnData != nil {
				s.OnData(fd, buf[:m])
			}
			served++
		}
		// Re-arm only now, when this pass is done with fd: read AND
		// handled. Re-armed earlier, a byte arriving meanwhile (or one
		// still unread) hands fd to another pass while this one is still
		// busy with it — two handlers on one connection, out of order.
		// MOD, not ADD: a disarmed fd is still in the interest list. If
		// more bytes are waiting, MOD reports the fd again at once.
		rearm := unix.EpollEvent{Events: armedForRead, Fd: int32(fd)}
		if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_MOD, fd, &rearm); err != nil {
			return served, os.NewSyscallError("epoll_ctl", err)
		}
	}
	return served, nil
}

// readOnce reads once, retrying only if a signal interrupted the call.
func readOnce(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if err != unix.EINTR {
			return n, err
		}
	}
}
